"""The SQLite store: schema, migrations, atomic writes, dedupe and the analysis frames."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from analytics.errors import StoreError
from analytics.schema import ARTICLE_COLUMNS, DYAD_COLUMNS
from analytics.store import SCHEMA_VERSION, ArticleRecord, EnrichmentRow, Store, article_id


def record(i: int, **kw) -> ArticleRecord:
    base = dict(
        url=f"https://news.example.org/a/{i}",
        title=f"Title {i}",
        text=f"Body {i}.",
        published=datetime(2026, 1, 5 + i % 3, 12, tzinfo=UTC),
        outlet="Example News",
        source_country="PER",
        declared_language="es",
    )
    base.update(kw)
    return ArticleRecord(**base)


def enrichment(sentiment=0.25, dyads=("PER-USA",), relation_tones=()) -> EnrichmentRow:
    return EnrichmentRow(
        version="1-test",
        language="en",
        sentiment=sentiment,
        sentences=2,
        countries=(("PER", 2, 4.0, ("Peru", "Lima")), ("USA", 1, 1.0, ("U.S.",))),
        dyads=dyads,
        themes=(("security", 2.0, ("narcotráfico",)), ("trade", 1.0, ("tariffs",))),
        relation_tones=relation_tones,
    )


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "bilat.sqlite") as s:
        yield s


def test_new_store_is_wal_and_current(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version() == SCHEMA_VERSION
    assert store.count_articles() == 0


def test_ids_are_stable_hashes_of_the_url():
    assert article_id("https://a.example/x") == article_id("https://a.example/x")
    assert article_id("https://a.example/x") != article_id("https://a.example/y")
    assert len(article_id("https://a.example/x")) == 20


def test_adding_twice_stores_once(store):
    assert store.add_articles([(record(1), enrichment()), (record(2), enrichment())]) == 2
    assert store.add_articles([(record(1), enrichment()), (record(3), enrichment())]) == 1
    assert store.count_articles() == 3
    assert store.conn.execute("SELECT COUNT(*) FROM article_dyads").fetchone()[0] == 3
    assert store.conn.execute("SELECT COUNT(*) FROM article_themes").fetchone()[0] == 6


def test_a_failing_batch_leaves_nothing(store):
    store.add_articles([(record(1), enrichment())])
    version = store.data_version()
    bad = EnrichmentRow("1-test", "en", 0.1, 1, (), ("PER-USA", "PER-USA"), ())  # duplicate dyad row
    with pytest.raises(sqlite3.IntegrityError):
        store.add_articles([(record(2), enrichment()), (record(3), bad)])
    assert store.count_articles() == 1
    assert store.data_version() == version


def test_data_version_grows_with_writes(store):
    before = store.data_version()
    store.add_articles([(record(1), enrichment())])
    assert store.data_version() == before + 1


def test_frames(store):
    store.add_articles([(record(1), enrichment(0.25)), (record(2), enrichment(None, dyads=()))])
    articles, dyads = store.load_frames()
    assert list(articles.columns) == list(ARTICLE_COLUMNS)
    assert list(dyads.columns) == list(DYAD_COLUMNS)
    assert articles["n"].tolist() == [1, 2]
    assert articles["sentiment"].iloc[0] == 0.25 and articles["sentiment"].isna().iloc[1]
    assert articles["theme_mask"].tolist() == [0b101, 0b101]
    assert str(articles["published"].dt.tz) == "UTC"
    assert articles["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-06", "2026-01-07"]
    assert dyads[["n", "dyad"]].values.tolist() == [[1, "PER-USA"]]
    assert dyads["relation_tone"].isna().all()  # the test rows carry no relation tone


def test_empty_store_frames_have_columns(store):
    articles, dyads = store.load_frames()
    assert list(articles.columns) == list(ARTICLE_COLUMNS) and articles.empty
    assert list(dyads.columns) == list(DYAD_COLUMNS) and dyads.empty


def test_stale_enrichment_is_found_and_replaced(store):
    store.add_articles([(record(1), enrichment()), (record(2), enrichment())])
    assert store.count_stale("1-test") == 0
    assert store.count_stale("2-new") == 2
    batches = list(store.iter_texts(stale_for="2-new"))
    assert [(n, lang) for batch in batches for n, _, _, lang in batch] == [(1, "es"), (2, "es")]
    newer = EnrichmentRow("2-new", "es", None, 1, (), (), ())
    assert store.replace_enrichment([(1, newer)]) == 1
    assert store.enrichment_versions() == {"1-test": 1, "2-new": 1}
    assert store.conn.execute("SELECT COUNT(*) FROM article_dyads WHERE n = 1").fetchone()[0] == 0


def test_naive_dates_are_refused(store):
    with pytest.raises(ValueError, match="time zone"):
        store.add_articles([(record(1, published=datetime(2026, 1, 1)), enrichment())])


def test_store_from_the_future_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="upgrade bilat"):
        Store(path)


def test_not_a_database(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are not the droids")
    with pytest.raises(StoreError, match="is damaged or not a SQLite file: restore it from a backup"):
        Store(path)


def test_missing_folder(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "nope" / "bilat.sqlite")


def test_reader_sees_committed_data_while_writer_holds_a_transaction(tmp_path):
    path = tmp_path / "bilat.sqlite"
    writer, reader = Store(path), Store(path)
    writer.add_articles([(record(1), enrichment())])
    with writer.transaction() as tx:
        writer.add_articles([(record(2), enrichment())], conn=tx)
        assert reader.count_articles() == 1  # readers are not blocked and see the last commit
    assert reader.count_articles() == 2
    writer.close()
    reader.close()


def test_relation_tone_is_stored_per_dyad(store):
    store.add_articles([(record(1), enrichment(0.1, dyads=("CHN-PER", "PER-USA"), relation_tones=(-0.4, None)))])
    _, dyads = store.load_frames()
    tones = dict(zip(dyads["dyad"].astype(str), dyads["relation_tone"], strict=True))
    assert tones["CHN-PER"] == -0.4 and tones["PER-USA"] != tones["PER-USA"]  # NaN where no sentence scored


def test_a_version_3_store_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(path) as store:
        store.add_articles([(record(1), enrichment())])
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX articles_is_demo")
    conn.execute("DROP INDEX articles_cluster")
    conn.execute("DROP INDEX enrichment_version")
    conn.execute("ALTER TABLE source_runs DROP COLUMN notes")
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.count_articles() == 1
        for name in ("articles_is_demo", "articles_cluster", "enrichment_version"):
            index = store.conn.execute("SELECT name FROM sqlite_master WHERE name = ?", (name,)).fetchone()
            assert index is not None, name
        columns = [row[1] for row in store.conn.execute("PRAGMA table_info(source_runs)")]
        assert columns[-1] == "notes"
