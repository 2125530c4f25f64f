"""A Spanish-speaking visitor's journey in a real headless Chromium (Playwright): ``?ui=es``, the
sidebar in Spanish, an accent-blind article search, an article's explanation, the article
downloads, the switch to English; and a browser whose locale is es-PE getting Spanish unasked.

Every Spanish string asserted is read from the ``.po`` catalogue, not typed here."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest
from appserver import chromium, dashboard, settle

from analytics.i18n import _ as translate
from analytics.i18n import language, ngettext
from analytics.ingest.normalize import canonical_url
from analytics.store import article_id

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms: the longest any one step may take


def es(message: str) -> str:
    """``message`` as the Spanish catalogue has it; fails when the catalogue lacks it."""
    with language("es"):
        text = translate(message)
    assert text != message, f"no Spanish for {message!r} in data/locales/es"
    return text


def plain(text: str) -> str:
    """Lower case without accents: how the search compares words."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.fixture(scope="module")
def server(demo_db):
    with dashboard(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def sidebar_label(page, text: str):
    return page.locator("[data-testid=stSidebar] [data-testid=stWidgetLabel]", has_text=text).first


def switch(page, name: str):
    """One side of the sidebar's language switch (each language named in itself)."""
    return page.locator("[data-testid=stSidebar]").get_by_role("radio", name=name, exact=True)


def test_spanish_journey_search_explain_download_then_english(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Opened in Spanish: page title, browser tab title, sidebar labels and page names.
    page.goto(f"{server}/?ui=es")
    settle(page)
    page.get_by_role("heading", name=es("Overview"), exact=True).wait_for(timeout=WAIT)
    assert page.title() == es("Bilateral media monitor")
    for label in ("Country pair", "Themes", "Source country", "Language of the articles"):
        sidebar_label(page, es(label)).wait_for(timeout=WAIT)
    nav = page.locator("[data-testid=stSidebarNav]")
    assert es("Articles") in nav.inner_text() and es("Coverage") in nav.inner_text()
    assert page.get_by_text(es("Coverage volume")).count() > 0
    assert not page.get_by_text("Country pair", exact=True).count()
    assert switch(page, "Español").get_attribute("aria-checked") == "true"

    # A pair, a theme and the articles' language chosen in the Spanish sidebar; the link keeps ui=es.
    pair = page.locator("[data-testid=stSelectbox]", has_text=es("Country pair"))
    pair.click()
    page.get_by_role("option", name="PER-any").click()
    settle(page)
    page.wait_for_function("location.search.includes('pair=PER-any')", timeout=WAIT)
    for label, value in (("Themes", "trade"), ("Language of the articles", "es")):
        chooser = page.locator("[data-testid=stMultiSelect]", has_text=es(label))
        chooser.locator("input").click()
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        settle(page)
    page.wait_for_function(
        "location.search.includes('theme=trade') && location.search.includes('lang=es')", timeout=WAIT
    )
    assert query(page)["ui"] == ["es"]

    # The Articles page, still in Spanish, with the filters kept.
    page.locator("[data-testid=stSidebarNav] a", has_text=es("Articles")).click()
    settle(page)
    page.wait_for_function("location.pathname.endsWith('/articles')", timeout=WAIT)
    page.get_by_role("heading", name=es("Articles"), exact=True).wait_for(timeout=WAIT)
    assert query(page)["ui"] == ["es"] and query(page)["pair"] == ["PER-any"]

    # "peru" finds the Spanish texts that say "Perú", and the hits are shown in bold.
    box = page.get_by_label(es("Search articles"), exact=True)
    box.fill("peru")
    box.press("Enter")
    settle(page)
    page.wait_for_function("location.search.includes('q=peru')", timeout=WAIT)
    hits = page.locator("[data-testid=stMain] [data-testid=stMarkdownContainer] li strong")
    hits.first.wait_for(timeout=WAIT)
    words = hits.all_inner_texts()
    assert words and all(plain(w).startswith("peru") for w in words), words
    assert "Perú" in words
    snippets = page.locator("[data-testid=stMain] [data-testid=stMarkdownContainer] li").all_inner_texts()
    assert 1 <= len(snippets) <= 5

    caption = page.locator("[data-testid=stMain] [data-testid=stCaptionContainer]").first.inner_text()
    with language("es"):
        counted = ngettext("{n} article", "{n} articles", 2)
    assert counted != "{n} articles"
    found = re.search(re.escape(counted).replace(re.escape("{n}"), r"([\d.,\s]+?)"), caption)
    assert found, caption
    total = int(re.sub(r"\D", "", found.group(1)))
    assert total > 0

    # The CSV holds the rows listed, best match first, behind a byte-order mark for spreadsheets.
    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name.startswith("PER-any_articles_trade_") and target.suffix == ".csv"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == min(total, 500)
    assert all(r["language"] == "es" and "trade" in r["themes"] for r in rows)
    for snippet, row in zip(snippets, rows, strict=False):
        assert snippet.startswith(row["title"]), (snippet, row["title"])

    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("button", name="XLSX", exact=True).click()
    book_path = tmp_path / info.value.suggested_filename
    info.value.save_as(book_path)
    assert book_path.name == target.with_suffix(".xlsx").name

    import openpyxl

    sheet = openpyxl.load_workbook(book_path, read_only=True).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    titles = cells[0].index("title")
    assert [r[titles] for r in cells[1:]] == [r["title"] for r in rows]

    # The explanation of the best match: Spanish headings around its tags.
    best = rows[0]
    page.goto(f"{page.url}&article={article_id(canonical_url(best['url']))}")
    settle(page)
    page.locator("h3", has_text=best["title"]).wait_for(timeout=WAIT)
    main = page.locator("[data-testid=stMain]")
    for heading in ("Countries", "Themes", "Tone"):
        assert main.locator("strong", has_text=re.compile(f"^{re.escape(es(heading))}$")).count() == 1, heading
    assert main.get_by_text(es("Dyads:")).count() == 1
    assert main.get_by_text(es("Text as stored")).count() == 1
    assert "PER" in main.locator("code").all_inner_texts()

    # The sidebar switch turns it all to English, and the link says so.
    switch(page, "English").click()
    settle(page)
    page.wait_for_function("location.search.includes('ui=en')", timeout=WAIT)
    page.get_by_role("heading", name="Articles", exact=True).wait_for(timeout=WAIT)
    sidebar_label(page, "Country pair").wait_for(timeout=WAIT)
    assert main.locator("strong", has_text=re.compile("^Countries$")).count() == 1
    assert not page.get_by_text(es("Country pair"), exact=True).count()
    assert query(page)["q"] == ["peru"]
    assert errors == []
    context.close()


def test_a_browser_set_to_peruvian_spanish_gets_spanish(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    page = context.new_page()
    page.goto(server)
    settle(page)
    page.get_by_role("heading", name=es("Overview"), exact=True).wait_for(timeout=WAIT)
    sidebar_label(page, es("Country pair")).wait_for(timeout=WAIT)
    page.wait_for_function("location.search.includes('ui=es')", timeout=WAIT)
    assert switch(page, "Español").get_attribute("aria-checked") == "true"
    context.close()
