"""The Articles page: table, title search, deep link to an article's explanation, safe text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics.pipeline import store_records
from analytics.store import ArticleRecord, Store
from dashboard.safe import md_escape, safe_url
from tests.conftest import open_app


def run(query: dict | None = None):
    return open_app(query, "dashboard/pages/articles.py")


@pytest.fixture
def tricky_db(tmp_path):
    path = tmp_path / "tricky.sqlite"
    records = [
        ArticleRecord(
            url="https://news.example.org/1", title="[Click](javascript:alert(1)) Peru and the U.S. <b>sign</b> pact",
            text="Lima and Washington praised the anti-narcotics agreement.", outlet="=HYPERLINK(1)",
            published=datetime(2026, 3, 2, 9, tzinfo=UTC), source_country="PER", declared_language="en",
        ),
        ArticleRecord(
            url="https://news.example.org/2", title="Perú y EE.UU. refuerzan la lucha contra el narcotráfico",
            text="El canciller peruano y el embajador estadounidense firmaron el acuerdo en Lima.",
            outlet="Diario", published=datetime(2026, 3, 3, 9, tzinfo=UTC), source_country="PER",
            declared_language="es",
        ),
    ]  # fmt: skip
    with Store(path) as store:
        store_records(store, records)
    return path


def test_table_lists_the_selected_articles(tricky_db, use_db):
    use_db(tricky_db)
    at = run({"from": "2026-03-01", "to": "2026-03-03"})
    table = at.dataframe[0].value
    assert table["title"].tolist()[0].startswith("Perú y EE.UU.")  # newest first
    assert len(table) == 2 and set(table["source_country"]) == {"PER"}
    assert "2 articles" in at.caption[0].value
    assert {b.key for b in at.get("download_button")} == {"csv-articles", "xlsx-articles"}


def test_title_search(tricky_db, use_db):
    use_db(tricky_db)
    at = run({"from": "2026-03-01", "to": "2026-03-03", "q": "narcotráfico"})
    assert at.dataframe[0].value["title"].tolist() == ["Perú y EE.UU. refuerzan la lucha contra el narcotráfico"]
    at = run({"from": "2026-03-01", "to": "2026-03-03", "q": "nothing like this"})
    assert any("No articles match" in i.value for i in at.info)


def test_deep_link_explains_an_article_and_renders_its_title_as_text(tricky_db, use_db):
    use_db(tricky_db)
    with Store(tricky_db) as store:
        article_id = store.conn.execute("SELECT id FROM articles WHERE url LIKE '%/1'").fetchone()[0]
    at = run({"from": "2026-03-01", "to": "2026-03-03", "article": article_id})
    title = at.subheader[0].value
    assert title == md_escape("[Click](javascript:alert(1)) Peru and the U.S. <b>sign</b> pact")
    assert "\\[Click\\](javascript:\u2060alert(1))" in title  # no link, and no bare address either
    markdown = " ".join(m.value for m in at.markdown)
    assert "`USA` ← “Washington”" in markdown and "`PER` ← “Lima”" in markdown
    assert "Security & drugs" in markdown
    assert "praised +" in markdown  # the tone word and its valence
    buttons = at.get("link_button")
    assert [b.proto.url for b in buttons] == ["https://news.example.org/1"]


def test_unknown_article_in_the_link(tricky_db, use_db):
    use_db(tricky_db)
    at = run({"from": "2026-03-01", "to": "2026-03-03", "article": "nope"})
    assert any("not in this store" in w.value for w in at.warning)


def test_safe_helpers():
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None
    assert safe_url(" https://a.example/x ") == "https://a.example/x"
    assert md_escape("<script>*x*</script>") == "\\<script\\>\\*x\\*\\</script\\>"
