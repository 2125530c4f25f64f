"""What a person waits for in a real browser, on a large store: first render, views, page switches,
the first view after a pull, and ten people at once.

    python bench/bench_browser.py --db STORE [--repeat 5] [--sessions 10] [--load-seconds 60] [--added 1000]

STORE is an existing store (bench/bench_scale.py builds one of 1,000,000 articles under
/tmp/bilat-bench). The dashboard is served with ``bilat serve`` and driven by headless Chromium.
Every time runs from the action (navigation or click) until Streamlit has finished the rerun and
the page shows its charts; no fixed pause is counted. Printed, with medians of --repeat:

- first render: the Overview on a server just started (every cache cold);
- view by URL: a full page load of a view not seen before (another pair and date range);
- view change: choosing another country pair in the sidebar;
- page switch: from one page to the next through the sidebar (Coverage, Themes, Tone, Overview);
- after a pull: --added new articles stored and the dataset updated as a pull does, then the
  Overview reloaded;
- load: --sessions browser pages at once, each opening random views by URL for --load-seconds;
  errors (an exception or error box on the page) and the 95th percentile of view times.

Targets at 1M articles: first render <= 2 s, view change <= 1 s, page switch <= 0.5 s, first view
after a pull of 1,000 articles <= 1.5 s; under load no error and a 95th percentile <= 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from appserver import CHROMIUM, CHROMIUM_ARGS, dashboard  # noqa: E402

from analytics import dataset  # noqa: E402
from analytics.pipeline import store_records  # noqa: E402
from analytics.store import ArticleRecord, Store  # noqa: E402

PAIRS = ("PER-USA", "MEX-USA", "COL-USA", "CHN-PER", "COL-VEN", "CHL-PER")
PAGES = ("Coverage", "Themes", "Tone", "Overview")
DONE = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    return app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid=stSkeleton]')
        && document.querySelectorAll('.js-plotly-plot .main-svg').length > 0;
}"""
FAILED = "document.querySelector('[data-testid=stException], [data-testid=stAlertContentError]') !== null"


def wait_done(page, expect: str | None = None, timeout: int = 120_000) -> None:
    """Until the rerun is over and the charts are drawn (and ``expect`` is in the page's text)."""
    if expect:
        page.wait_for_function(f"document.body.innerText.includes({expect!r})", timeout=timeout)
    page.wait_for_function(DONE, timeout=timeout)


def view_url(url: str, pair: str, start: date, end: date, page: str = "") -> str:
    return f"{url}/{page}?pair={pair}&from={start.isoformat()}&to={end.isoformat()}"


def bounds(db: Path) -> tuple[date, date]:
    with Store(db) as store:
        first, last = store.conn.execute("SELECT min(published), max(published) FROM articles").fetchone()
    return date.fromisoformat(first[:10]), date.fromisoformat(last[:10])


def add_articles(db: Path, count: int, last: date) -> float:
    """Store ``count`` new articles in the last month and bring the dataset up to date, as a pull does."""
    when = datetime.combine(last, datetime.min.time(), tzinfo=UTC) - timedelta(days=3)
    stamp = int(time.time())
    records = [
        ArticleRecord(
            url=f"https://bench.example.org/{stamp}/{i}",
            title=f"Peru and the United States discuss trade and security, report {stamp}-{i}",
            text="Lima and Washington agreed on new customs checks at the port of Callao. " * 3,
            published=when + timedelta(minutes=i),
            outlet="Bench Wire",
            source_country="PER",
            declared_language="en",
        )
        for i in range(count)
    ]
    t0 = time.perf_counter()
    with Store(db) as store:
        since = store.data_version()
        store_records(store, records)
        dataset.update(store, dataset.months_of(records), since=since)
    return time.perf_counter() - t0


def timed(action, page, expect: str | None = None) -> float:
    t0 = time.perf_counter()
    action()
    wait_done(page, expect)
    return time.perf_counter() - t0


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s (n={len(values)}, min {min(values):.2f}, max {max(values):.2f})"


def single_user(url: str, args, first: date, last: date) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {}
    rng = random.Random(7)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        out["first render (cold server)"] = [timed(lambda: page.goto(url), page)]
        views = []
        for i in range(args.repeat):
            pair = PAIRS[i % len(PAIRS)]
            end = last - timedelta(days=rng.randrange(0, 200))
            start = end - timedelta(days=rng.choice((90, 180, 365)))
            address = view_url(url, pair, start, end)
            views.append(timed(lambda u=address: page.goto(u), page, f"{pair};"))
        out["view by URL (full load, new view)"] = views
        changes = []
        for i in range(args.repeat):
            pair = PAIRS[(i + 1) % len(PAIRS)]
            page.locator("[data-testid=stSelectbox]", has_text="Country pair").click()
            option = page.get_by_role("option", name=pair, exact=True)
            changes.append(timed(option.click, page, f"{pair};"))
        out["view change (sidebar pair)"] = changes
        switches = []
        for _ in range(max(1, args.repeat // len(PAGES) + 1)):
            for name in PAGES:
                link = page.locator("[data-testid=stSidebarNav] a", has_text=name).first
                switches.append(timed(link.click, page))
        out["page switch (sidebar)"] = switches
        added = add_articles(args.db, args.added, last)
        print(f"stored {args.added:,} articles and updated the dataset in {added:.2f} s (the pull's work)", flush=True)
        out[f"first view after a pull of {args.added:,}"] = [timed(lambda: page.reload(), page)]
        browser.close()
    return out


async def one_session(browser, url: str, seconds: float, seed: int, first: date, last: date) -> tuple[list, int]:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    rng = random.Random(seed)
    times, errors = [], 0
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        pair = rng.choice(PAIRS)
        end = last - timedelta(days=rng.randrange(0, 400))
        start = max(first, end - timedelta(days=rng.choice((30, 90, 180, 365, 730))))
        where = rng.choice(("", "coverage", "themes", "tone"))
        t0 = time.perf_counter()
        try:
            await page.goto(view_url(url, pair, start, end, where))
            await page.wait_for_function(f"document.body.innerText.includes({pair + ';'!r})", timeout=60_000)
            await page.wait_for_function(DONE, timeout=60_000)
            times.append(time.perf_counter() - t0)
            if await page.evaluate(FAILED):
                errors += 1
        except Exception as exc:  # a timeout or a crash is an error of the run, counted and reported
            errors += 1
            print(f"session {seed}: {type(exc).__name__}: {str(exc)[:120]}", flush=True)
    await page.close()
    return times, errors


async def load(url: str, sessions: int, seconds: float, first: date, last: date) -> tuple[list[float], int]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results = await asyncio.gather(*(one_session(browser, url, seconds, s, first, last) for s in range(sessions)))
        await browser.close()
    return [t for times, _ in results for t in times], sum(e for _, e in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="an existing store (bench_scale.py builds a 1M one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--added", type=int, default=1000)
    args = parser.parse_args()
    if not args.db.is_file():
        parser.error(f"no store at {args.db}")
    with Store(args.db) as store:
        articles = store.count_articles()
        print(f"store: {articles:,} articles; dataset {dataset.status(store)}; {os.cpu_count()} cores", flush=True)
    first, last = bounds(args.db)
    with dashboard(args.db, timeout=300) as url:
        for name, values in single_user(url, args, first, last).items():
            print(f"{name:40s} {median(values)}", flush=True)
    if args.sessions:
        with dashboard(args.db, timeout=300) as url:
            times, errors = asyncio.run(load(url, args.sessions, args.load_seconds, first, last))
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else float("nan")
        print(
            f"load: {args.sessions} sessions for {args.load_seconds:.0f} s: {len(times)} views, {errors} errors, "
            f"median {statistics.median(times) if times else float('nan'):.2f} s, 95th percentile {p95:.2f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
