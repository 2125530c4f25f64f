"""Time from a filter change in a real browser to updated charts, on a store of 100,000 articles.

    python bench/bench_browser.py [--articles 100000] [--repeat 5] [--db PATH]

Builds (once, or reuses --db) a demo store of that size, serves the dashboard, opens the Overview
in headless Chromium, then times, per round, choosing a country pair in the
sidebar (a pair not shown before: no cached figures) until Streamlit has rerun and the charts show the
new pair. Target: under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from appserver import CHROMIUM, CHROMIUM_ARGS, dashboard, settle  # noqa: E402

from analytics.pipeline import load_demo  # noqa: E402
from analytics.store import Store  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="reuse this store (built if missing)")
    args = parser.parse_args()
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.sqlite"
    with Store(db) as store:
        if store.count_articles() < args.articles:
            t0 = time.perf_counter()
            load_demo(store, n=args.articles, seed=3, months=24)
            print(f"built a demo store of {store.count_articles():,} articles in {time.perf_counter() - t0:.0f} s")
    with dashboard(db, timeout=120) as url:
        # Each round shows a pair not shown before, so its figures are computed, not read from the cache
        # (the store's frames are loaded once, by the first page view, as for any user).
        pairs = ["MEX-USA", "COL-USA", "CHN-PER", "COL-VEN", "CHL-PER"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            settle(page, timeout=120_000)
            page.wait_for_selector(".js-plotly-plot", timeout=120_000)
            times = []
            for round_ in range(min(args.repeat, len(pairs))):
                pair = pairs[round_]
                page.locator("[data-testid=stSelectbox]", has_text="Country pair").click()
                t0 = time.perf_counter()
                page.get_by_role("option", name=pair, exact=True).click()
                page.wait_for_function(
                    f"document.querySelector('.js-plotly-plot .gtitle') && document.body.innerText.includes('{pair};')",
                    timeout=60_000,
                )
                settle(page, timeout=120_000)
                times.append(time.perf_counter() - t0)
                print(f"round {round_ + 1}: {pair} shown after {times[-1]:.2f} s", flush=True)
            browser.close()
        print(f"median {statistics.median(times):.2f} s over {len(times)} filter changes "
              f"at {args.articles:,} articles (target < 2 s)")  # fmt: skip


if __name__ == "__main__":
    main()
