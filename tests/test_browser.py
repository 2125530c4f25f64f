"""Journeys in a real headless Chromium against a running dashboard (Playwright)."""

from __future__ import annotations

import csv
import io

import pytest
from appserver import ROOT, chromium, dashboard, settle

from analytics.store import Store

pytestmark = pytest.mark.browser

OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="module")
def server(demo_db):
    with dashboard(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


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
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
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


PAGES = ["", "coverage", "themes", "tone", "spikes", "articles", "compare", "data"]


def test_every_page_opens_and_is_photographed(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for path in PAGES:
        page.goto(f"{server}/{path}?from=2026-01-01&to=2026-06-30")
        settle(page)
        page.wait_for_selector("h1", timeout=60_000)
        assert not page.locator("[data-testid=stException]").count(), path
        page.screenshot(path=str(OUTPUT / f"page-{path or 'overview'}.png"))
    assert errors == []
    context.close()


def test_downloads_from_toolbar_buttons_and_briefing_pack(server, browser, tmp_path):
    import zipfile

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/?from=2026-01-01&to=2026-06-30")
    settle(page)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=60_000)
    chart.hover()
    with page.expect_download() as info:
        page.locator('.modebar-btn[data-title="Download plot as a PNG"]').first.click()
    assert info.value.suggested_filename == "PER-USA_volume_2026-01-01_2026-06-30.png"
    png = tmp_path / "toolbar.png"
    info.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="SVG", exact=True).first.click()
    svg = tmp_path / info.value.suggested_filename
    info.value.save_as(svg)
    assert svg.name == "PER-USA_volume_2026-01-01_2026-06-30.svg"
    assert b"<svg" in svg.read_bytes()[:400] and b"Coverage volume" in svg.read_bytes()

    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Briefing pack (ZIP)").click()
    pack = tmp_path / info.value.suggested_filename
    info.value.save_as(pack)
    with zipfile.ZipFile(pack) as archive:
        names = set(archive.namelist())
        summary = archive.read("summary.md").decode()
    assert {"summary.md", "report.html"} <= names
    for chart_name in ("volume", "themes", "tone"):
        stem = f"PER-USA_{chart_name}_2026-01-01_2026-06-30"
        assert {f"{stem}.png", f"{stem}.svg", f"{stem}.html", f"{stem}.csv", f"{stem}.xlsx"} <= names
    assert "DEMO DATA" in summary and "PER-USA" in summary
    context.close()


def test_back_button_restores_the_previous_filters(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/?from=2026-01-01&to=2026-06-30")
    settle(page)
    first = articles_metric(page)
    pair = page.locator("[data-testid=stSelectbox]", has_text="Country pair")
    pair.click()
    page.get_by_role("option", name="MEX-USA").click()
    settle(page)
    page.wait_for_function("location.search.includes('pair=MEX-USA')", timeout=30_000)
    assert articles_metric(page) != first
    page.go_back()
    settle(page)
    page.wait_for_function("!location.search.includes('pair=MEX-USA')", timeout=30_000)
    page.wait_for_timeout(500)
    settle(page)
    assert articles_metric(page) == first
    context.close()


def test_from_a_spike_to_its_articles_and_reload(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{server}/spikes?from=2025-07-01&to=2026-06-30")
    settle(page)
    chooser = page.locator("[data-testid=stSelectbox]", has_text="What drove the")
    chooser.wait_for(timeout=60_000)
    chooser.locator("input").click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("button", name="Open these articles").wait_for(timeout=60_000)
    page.get_by_role("button", name="Open these articles").click()
    settle(page)
    page.wait_for_function("location.pathname.endsWith('/articles')", timeout=30_000)
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
    caption = page.locator("[data-testid=stMain] [data-testid=stCaptionContainer]").first.inner_text()
    assert caption.startswith("PER-USA;") and " articles" in caption
    url = page.url
    assert "from=" in url and "to=" in url
    page.reload()
    settle(page)
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
    assert page.locator("[data-testid=stMain] [data-testid=stCaptionContainer]").first.inner_text() == caption
    context.close()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A dashboard on a store whose feed gave scripts as titles, outlets and links."""
    from datetime import UTC, datetime

    from analytics.pipeline import store_records
    from analytics.store import ArticleRecord

    db = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    records = [
        ArticleRecord(
            url=f"https://news.example.org/{i}",
            title=f'<script>alert("t{i}")</script><img src=x onerror=alert({i})> Peru and the U.S. sign pact {i}',
            text="Lima and Washington praised the agreement against drug trafficking.",
            outlet='<b onmouseover=alert("o")>Evil Outlet</b>',
            published=datetime(2026, 3, 1 + i, 9, tzinfo=UTC),
            source_country="PER",
            declared_language="en",
        )
        for i in range(5)
    ]
    with Store(db) as store:
        store_records(store, records)
    with dashboard(db) as url:
        yield url, db


def test_hostile_titles_and_outlets_stay_text_on_every_page(hostile_server, browser):
    from urllib.parse import quote

    url, db = hostile_server
    with Store(db) as store:
        article_id = store.conn.execute("SELECT id FROM articles ORDER BY n LIMIT 1").fetchone()[0]
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    outlet = quote('<b onmouseover=alert("o")>Evil Outlet</b>')
    for path in [*PAGES, f"articles?article={article_id}"]:
        joiner = "&" if "?" in path else "?"
        page.goto(f"{url}/{path}{joiner}from=2026-03-01&to=2026-03-06&outlet={outlet}")
        settle(page)
        page.wait_for_selector("h1", timeout=60_000)
        page.mouse.move(700, 300)
        page.mouse.move(700, 600)
        assert page.locator("img[src=x]").count() == 0, path
        assert page.locator("b[onmouseover]").count() == 0, path
    assert dialogs == []
    # The article view shows the title as typed, markup and all.
    assert '<script>alert("t0")</script>' in page.locator("h3").first.inner_text()
    context.close()
