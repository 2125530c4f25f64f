"""Article search: the query parser, the full-text index and its triggers, ranking and snippets."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from analytics.errors import InputError, StoreError
from analytics.search import (
    HIT_END,
    HIT_START,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    Query,
    Term,
    parse_query,
    snippet_parts,
)
from analytics.store import SCHEMA_VERSION, ArticleRecord, EnrichmentRow, Store

V6_TABLES = {"meta", "articles", "enrichment", "article_countries", "article_dyads", "article_themes", "pull_runs",
             "source_state", "source_runs"}  # fmt: skip
ROW = EnrichmentRow("1-test", "es", 0.1, 1, (), ("PER-USA",), ())

TEXTS = {
    1: ("Perú firma un acuerdo comercial", "Lima y Washington cerraron el pacto."),
    2: ("PERÚ Y ESTADOS UNIDOS", "Reunión en el ÁREA de frontera."),
    3: ("Tariffs talk in Washington", "Officials from Peru discussed the trade deal at length."),
    4: ("Trade deal signed", "A deal on trade was signed in Lima."),
    5: ("Mining exports grow", "Copper exports from Peru reached a record; China bought most."),
    6: ("Fishing fleet", "An illegal fishing fleet was seen near the área marina."),
}


def record(i: int, title: str, text: str, *, demo: bool = False) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://news.example.org/s/{i}",
        title=title,
        text=text,
        published=datetime(2026, 3, 1 + i, 9, tzinfo=UTC),
        outlet="Example",
        source_country="PER",
        declared_language="es",
        is_demo=demo,
    )


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "bilat.sqlite") as s:
        s.add_articles([(record(i, *TEXTS[i]), ROW) for i in sorted(TEXTS)])
        yield s


def titles(store: Store, query: str) -> list[str]:
    ns = store.search_articles(query)["n"].tolist()
    by_n = dict(store.conn.execute("SELECT n, title FROM articles").fetchall())
    return [by_n[n] for n in ns]


# --- the parser --------------------------------------------------------------------------------


def test_words_phrases_or_and_exclusions_are_parsed():
    q = parse_query('peru "trade deal" tariffs OR aranceles -china -"mar de grau" export*')
    assert q == Query(
        groups=(
            (Term("peru"),),
            (Term("trade deal", phrase=True),),
            (Term("tariffs"), Term("aranceles")),
            (Term("export", prefix=True),),
        ),
        excluded=(Term("china"), Term("mar de grau", phrase=True)),
    )
    assert q.match() == (
        '("peru" AND "trade deal" AND ("tariffs" OR "aranceles") AND "export" *) NOT ("china" OR "mar de grau")'
    )
    assert q.describe() == 'peru, "trade deal", tariffs or aranceles, export*, not china, not "mar de grau"'


def test_syntax_of_the_engine_is_quoted_as_text():
    q = parse_query('NEAR(a b) title:x ^lima (peru) co"op')
    assert q.match() == '"NEAR(a" AND "b)" AND "title:x" AND "^lima" AND "(peru)" AND "co" AND "op"'
    assert parse_query('say "he said ""no"" ok').match() == '"say" AND "he said " AND "no" AND " ok"'


def test_an_unbalanced_quote_closes_at_the_end():
    assert parse_query('peru "trade deal').groups == ((Term("peru"),), (Term("trade deal", phrase=True),))


def test_stray_or_and_punctuation_are_dropped():
    assert parse_query("OR peru OR").groups == ((Term("peru"),),)
    assert parse_query("peru -china OR lima").groups == ((Term("peru"),), (Term("lima"),))
    assert parse_query("peru * ^ ) lima").groups == ((Term("peru"),), (Term("lima"),))
    assert parse_query("peru or lima").groups == ((Term("peru"),), (Term("or"),), (Term("lima"),))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "no word to look for"),
        ('" ( ) * ^ -', "no word to look for"),
        ("OR", "no word to look for"),
        ("-china -brazil", "only leaves words out"),
        ("a*", "too short a prefix"),
        ("x" * (MAX_QUERY_CHARS + 1), f"at most {MAX_QUERY_CHARS} characters"),
        (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), f"at most {MAX_TERMS}"),
    ],
)
def test_unusable_searches_are_input_errors(query, message):
    with pytest.raises(InputError, match=message):
        parse_query(query)


def test_thirty_terms_and_three_hundred_characters_are_allowed():
    assert len(parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS))).groups) == MAX_TERMS
    assert parse_query("x" * MAX_QUERY_CHARS).groups == ((Term("x" * MAX_QUERY_CHARS),),)


def test_snippet_parts_pair_markers_and_drop_strays():
    assert snippet_parts(f"in {HIT_START}Perú{HIT_END} and {HIT_START}Lima{HIT_END}.") == [
        ("in ", False), ("Perú", True), (" and ", False), ("Lima", True), (".", False),
    ]  # fmt: skip
    assert snippet_parts(f"a{HIT_END}b{HIT_START}c") == [("a", False), ("b", False), ("c", False)]


# --- the index ----------------------------------------------------------------------------------


def test_accents_and_case_do_not_matter(store):
    assert set(titles(store, "peru")) >= {TEXTS[1][0], TEXTS[2][0]}
    assert set(titles(store, "PERÚ")) == set(titles(store, "peru"))
    assert titles(store, "área") == titles(store, "AREA") and set(titles(store, "ÁREA")) == {TEXTS[2][0], TEXTS[6][0]}


def test_texts_are_searched(store):
    assert titles(store, "copper") == ["Mining exports grow"]
    assert titles(store, "washington pac") == []
    assert titles(store, "washington pac*") == ["Perú firma un acuerdo comercial"]


def test_phrase_is_stricter_than_words(store):
    assert set(titles(store, "trade deal")) == {"Tariffs talk in Washington", "Trade deal signed"}
    assert set(titles(store, '"deal on trade"')) == {"Trade deal signed"}
    assert set(titles(store, '"trade deal"')) == {"Tariffs talk in Washington", "Trade deal signed"}
    assert set(titles(store, "deal trade")) == {"Tariffs talk in Washington", "Trade deal signed"}
    assert titles(store, '"deal trade"') == []


def test_or_and_exclusion(store):
    assert set(titles(store, "copper OR fishing")) == {"Mining exports grow", "Fishing fleet"}
    assert set(titles(store, "peru -china")) == {
        "Perú firma un acuerdo comercial", "PERÚ Y ESTADOS UNIDOS", "Tariffs talk in Washington",
    }  # fmt: skip
    assert "Mining exports grow" in titles(store, "peru")


def test_title_match_ranks_above_a_text_match(store):
    assert titles(store, "washington") == ["Tariffs talk in Washington", "Perú firma un acuerdo comercial"]
    assert titles(store, "trade")[0] == "Trade deal signed"


def test_snippet_marks_the_hit(store):
    found = store.search_articles("copper")
    assert found["snippet"].tolist() == [
        f"{HIT_START}Copper{HIT_END} exports from Peru reached a record; China bought most."
    ]
    (snippet,) = store.search_articles("peru comercial")["snippet"]
    assert snippet == f"{HIT_START}Perú{HIT_END} firma un acuerdo {HIT_START}comercial{HIT_END}"


def test_limit_cuts_the_ranked_list(store):
    assert store.search_articles("peru", limit=2)["n"].tolist() == store.search_articles("peru")["n"].tolist()[:2]


@pytest.mark.parametrize(
    "query", ['"', "NEAR(", "NEAR(peru lima, 2)", "title:x", "*", "^a", ")", "peru AND", "AND OR NOT", "x" * 10_000,
              '"""', "-", "peru:*", "{title text}: peru", "\x00peru", "peru\u0301"],
)  # fmt: skip
def test_hostile_searches_give_input_errors_or_results(store, query):
    try:
        found = store.search_articles(query)
    except InputError:
        return
    assert list(found.columns) == ["n", "snippet"]


def test_hostile_searches_find_the_words_they_hold(store):
    assert titles(store, "NEAR(copper") == []  # the phrase "near copper"
    assert titles(store, "copper)") == ["Mining exports grow"]
    assert titles(store, "\x00copper\x00") == ["Mining exports grow"]
    assert titles(store, "title:copper") == []  # "title" is in no article
    assert titles(store, "(copper)") == ["Mining exports grow"]


def test_demo_articles_are_hidden_next_to_real_ones(tmp_path):
    with Store(tmp_path / "mixed.sqlite") as s:
        s.add_articles([(record(i, "Perú demo", "demo text", demo=True), ROW) for i in range(3)])
        assert len(s.search_articles("peru")) == 3  # a demo store shows its demo
        s.add_articles([(record(10, "Perú real", "real text"), ROW)])
        assert titles(s, "peru") == ["Perú real"]


# --- the triggers and the migration ------------------------------------------------------------


def test_inserted_updated_and_deleted_articles_are_followed(store):
    assert titles(store, "quinoa") == []
    store.add_articles([(record(20, "Quinoa prices rise", "Farmers in Puno."), ROW)])
    assert titles(store, "quinoa") == ["Quinoa prices rise"]
    with store.transaction() as tx:
        tx.execute("UPDATE articles SET title = 'Cacao prices rise' WHERE title = 'Quinoa prices rise'")
    assert titles(store, "quinoa") == [] and titles(store, "cacao") == ["Cacao prices rise"]
    with store.transaction() as tx:
        tx.execute("DELETE FROM articles WHERE title = 'Cacao prices rise'")
        tx.execute("DELETE FROM articles WHERE title = 'Mining exports grow'")
    assert titles(store, "cacao") == [] and titles(store, "copper") == []
    assert titles(store, "puno") == []
    # FTS5 compares the index with the articles and raises sqlite3.DatabaseError if they differ.
    store.conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def test_a_version_6_store_is_migrated_and_its_articles_found(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(path) as s:
        s.add_articles([(record(i, *TEXTS[i]), ROW) for i in sorted(TEXTS)])
    conn = sqlite3.connect(path)
    # Take the store back to version 6: drop what schema 7 and later added (tables and triggers).
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')"
    ).fetchall():
        if kind == "trigger" or name not in V6_TABLES:
            conn.execute(f"DROP {kind} IF EXISTS {name}")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    assert not conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'articles_fts%'").fetchall()
    conn.close()
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION >= 7
        assert set(titles(s, "peru")) == {TEXTS[i][0] for i in (1, 2, 3, 5)}
        s.add_articles([(record(30, "Quinoa", "after the upgrade"), ROW)])
        assert titles(s, "upgrade") == ["Quinoa"]
        triggers = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"articles_fts_insert", "articles_fts_delete", "articles_fts_update"} <= triggers


# --- the Articles page --------------------------------------------------------------------------


@pytest.fixture
def page_db(tmp_path):
    from analytics.pipeline import store_records

    path = tmp_path / "page.sqlite"
    records = [
        ArticleRecord(url="https://news.example.org/p/1", title="Peru and the United States talk trade",
                      text="Lima hosted the <b>aranceles</b> round.", outlet="Wire",
                      published=datetime(2026, 3, 1, 9, tzinfo=UTC), source_country="PER", declared_language="en"),
        ArticleRecord(url="https://news.example.org/p/2", title="Washington and Lima meet",
                      text="The aranceles on [copper](javascript:x) from Perú were discussed.", outlet="Wire",
                      published=datetime(2026, 3, 3, 9, tzinfo=UTC), source_country="PER", declared_language="en"),
    ]  # fmt: skip
    with Store(path) as store:
        assert store_records(store, records) == 2
    return path


def test_the_articles_page_lists_matches_best_first_with_their_snippet(page_db, use_db):
    from tests.conftest import open_app

    use_db(page_db)
    link = {"from": "2026-03-01", "to": "2026-03-03"}
    at = open_app({**link, "q": "perú"}, "dashboard/pages/articles.py")
    table = at.dataframe[0].value
    # The older article ranks first: "Peru" is in its title, only in the other's text.
    assert table["title"].tolist() == ["Peru and the United States talk trade", "Washington and Lima meet"]
    assert table["snippet"].tolist()[1] == "The aranceles on [copper](javascript:x) from Perú were discussed."
    (listed,) = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert "from **Perú** were" in listed and "\\[copper\\](javascript:\u2060x)" in listed  # escaped, then marked
    assert any("search: perú" in c.value and "2 articles" in c.value for c in at.caption)
    at = open_app({**link, "q": "-peru"}, "dashboard/pages/articles.py")
    assert any("only leaves words out" in w.value for w in at.warning) and not at.dataframe
    at = open_app(link, "dashboard/pages/articles.py")
    assert at.dataframe[0].value["title"].tolist()[0] == "Washington and Lima meet"  # no search: newest first


def test_a_store_that_lost_its_index_is_refused_with_a_message(tmp_path):
    path = tmp_path / "broken.sqlite"
    with Store(path) as s:
        s.add_articles([(record(1, *TEXTS[1]), ROW)])
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE articles_fts")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="without its articles_fts table; restore it from a backup"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT title FROM articles").fetchall() == [(TEXTS[1][0],)]  # nothing lost
    conn.close()
