"""Journeys in a real headless Chromium against a running dashboard (Playwright)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db):
    port = free_port()
    env = dict(os.environ, BILAT_DB=str(demo_db))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: scripts/test.sh installs it with apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def settle(page) -> None:
    """Wait until Streamlit has finished the rerun the last action started."""
    page.wait_for_timeout(250)
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=60_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSkeleton]')", timeout=60_000)


def articles_metric(page) -> int:
    card = page.locator("[data-testid=stMetric]", has_text="Articles").first
    return int(card.locator("[data-testid=stMetricValue]").inner_text().replace(",", ""))


def test_filter_then_download_csv(server, browser, tmp_path):
    OUTPUT.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(server)
    settle(page)
    page.get_by_text("Coverage volume").first.wait_for(timeout=60_000)
    before = articles_metric(page)
    assert before > 0

    # Choose the trade theme with the mouse and the keyboard, as a person would.
    themes = page.locator("[data-testid=stMultiSelect]", has_text="Themes")
    themes.locator("input").click()
    page.keyboard.type("trade")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    page.wait_for_function("location.search.includes('theme=trade')", timeout=30_000)
    after = articles_metric(page)
    assert 0 < after < before
    page.screenshot(path=str(OUTPUT / "overview.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("button", name="CSV", exact=True).first.click()
    download = info.value
    assert download.suggested_filename.startswith("PER-USA_volume_trade_")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["period", "articles", "all_articles", "share"]
    assert sum(int(r["articles"]) for r in rows) == after
    assert all(0 <= float(r["share"]) <= 1 for r in rows if r["share"])

    # The URL now carries the filter: reopening it shows the same view.
    link = page.url
    fresh = context.new_page()
    fresh.goto(link)
    settle(fresh)
    fresh.get_by_text("Coverage volume").first.wait_for(timeout=60_000)
    assert articles_metric(fresh) == after
    context.close()
