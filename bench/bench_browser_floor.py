"""The floor under bench_browser.py: what Streamlit and Chromium cost on this machine before bilat
does any work.

    python bench/bench_browser_floor.py [--repeat 5] [--charts 4]

Serves a page of --charts small Plotly charts of constant data and one select box (no store, no
query, no bilat import) with the Streamlit this project pins, and times it in headless Chromium
exactly as bench_browser.py times the dashboard, from the action until the rerun is over and the
charts are drawn:

- first render: the page on a server just started;
- view by URL: a full page load;
- view change: choosing another value in the select box (a rerun over the websocket);
- load: --sessions pages at once in one Chromium, each loading the page by URL again and again
  for --load-seconds, as bench_browser.py's load check does (0 sessions skips it).

The dashboard's own figures are only as good as these allow: a target below the floor measured
here cannot be met on this machine by anything bilat does on its side.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from appserver import CHROMIUM, CHROMIUM_ARGS, free_port, running  # noqa: E402
from bench_browser import DONE, wait_done  # noqa: E402

PAGE = """
import plotly.graph_objects as go
import streamlit as st

choice = st.selectbox("Series", ["one", "two", "three", "four"])
shift = ["one", "two", "three", "four"].index(choice)
st.write(f"Showing series {{choice}}")
for i in range({charts}):
    fig = go.Figure(go.Scatter(x=list(range(52)), y=[(k * (i + 2) + shift) % 17 for k in range(52)]))
    fig.update_layout(title=f"Chart {{i + 1}}: {{choice}}", height=320)
    st.plotly_chart(fig, key=f"chart-{{i}}")
"""


def timed(action, page, expect: str | None = None) -> float:
    t0 = time.perf_counter()
    action()
    wait_done(page, expect)
    return time.perf_counter() - t0


async def one_session(browser, url: str, seconds: float) -> list[float]:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    times: list[float] = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        await page.goto(url)
        await page.wait_for_function(DONE, timeout=120_000)
        times.append(time.perf_counter() - t0)
    await page.close()
    return times


async def load(url: str, sessions: int, seconds: float) -> list[float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results = await asyncio.gather(*(one_session(browser, url, seconds) for _ in range(sessions)))
        await browser.close()
    return sorted(t for times in results for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--charts", type=int, default=4, help="charts on the page (the Overview draws four)")
    parser.add_argument("--sessions", type=int, default=10, help="pages at once for the load floor (0: none)")
    parser.add_argument("--load-seconds", type=float, default=60.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "floor.py"
        app.write_text(PAGE.format(charts=args.charts), encoding="utf-8")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
                   "--server.address", "127.0.0.1", "--server.port", str(port),
                   "--browser.gatherUsageStats", "false"]  # fmt: skip
        out: dict[str, list[float]] = {}
        with running(command, url, env=dict(os.environ), cwd=folder, timeout=120), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            out["first render (cold server)"] = [timed(lambda: page.goto(url), page)]
            out["view by URL (full load)"] = [timed(lambda: page.goto(url), page) for _ in range(args.repeat)]
            changes = []
            for i in range(args.repeat):
                value = ["two", "three", "four", "one"][i % 4]
                page.locator("[data-testid=stSelectbox]").click()
                option = page.get_by_role("option", name=value, exact=True)
                changes.append(timed(option.click, page, f"Showing series {value}"))
            out["view change (select box)"] = changes
            browser.close()
        if args.sessions:
            with running(command, url, env=dict(os.environ), cwd=folder, timeout=120):
                times = asyncio.run(load(url, args.sessions, args.load_seconds))
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            out[f"load: {args.sessions} sessions, views"] = times
            load_line = (f"load: {args.sessions} sessions for {args.load_seconds:.0f} s: {len(times)} views, "
                         f"median {statistics.median(times):.2f} s, 95th percentile {p95:.2f} s")  # fmt: skip
    print(f"Streamlit floor, {args.charts} Plotly charts, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for name, values in out.items():
        if name.startswith("load"):
            print(load_line)
            continue
        print(
            f"{name:32s} {statistics.median(values):.2f} s (n={len(values)}, min {min(values):.2f}, "
            f"max {max(values):.2f})"
        )


if __name__ == "__main__":
    main()
