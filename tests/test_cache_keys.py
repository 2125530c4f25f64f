"""The dashboard's figures are keyed on the dataset's stamp: it moves when articles change, not
when a pull records that nothing is new."""

from __future__ import annotations

import json
from datetime import date

from analytics import dataset, engine, views
from analytics.filters import Filters
from analytics.ingest.fetch import FetchSettings
from analytics.ingest.pull import pull_once
from analytics.ingest.sources import Source
from analytics.store import Store

SETTINGS = FetchSettings(timeout=1.5, retries=0, gdelt_interval=0.0)


def export(path, items: list[tuple[str, str]]):
    lines = [json.dumps({"url": f"https://news.example.org/{slug}", "title": f"Peru and the United States sign {slug}",
                         "published": when}) for slug, when in items]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Source(id=path.stem, kind="file", url=str(path), outlet="Export", country="USA")


def state(db) -> tuple[int, str, dict]:
    with Store(db) as store:
        manifest = dataset.read_manifest(store)
        assert dataset.status(store) == "current"
        return store.data_version(), dataset.stamp(manifest), manifest["months"]


def test_a_pull_with_nothing_new_keeps_the_stamp_and_one_with_news_moves_only_its_month(tmp_path):
    db = tmp_path / "store.sqlite"
    first = export(tmp_path / "first.jsonl", [("a", "2026-03-02T10:00:00Z"), ("b", "2026-04-02T10:00:00Z")])
    pull_once(db, [first], settings=SETTINGS)
    version, stamp, months = state(db)

    pull_once(db, [first], settings=SETTINGS)  # the same items again: the run is recorded, nothing stored
    again_version, again_stamp, again_months = state(db)
    assert again_version > version  # the store did change (a pull run was recorded)...
    assert again_stamp == stamp and again_months == months  # ...the analysed data did not

    news = export(tmp_path / "news.jsonl", [("c", "2026-04-09T10:00:00Z")])
    pull_once(db, [news], settings=SETTINGS)
    _, new_stamp, new_months = state(db)
    assert new_stamp != stamp
    assert new_months["2026-03"] == months["2026-03"]  # an untouched month keeps its entry
    assert new_months["2026-04"]["articles"] == months["2026-04"]["articles"] + 1


def test_the_figures_follow_the_stamp(tmp_path):
    db = tmp_path / "store.sqlite"
    first = export(tmp_path / "first.jsonl", [("a", "2026-03-02T10:00:00Z"), ("b", "2026-03-03T10:00:00Z")])
    pull_once(db, [first], settings=SETTINGS)
    root = str(tmp_path / "store.sqlite.dataset")
    everything = Filters(start=date(2026, 3, 1), end=date(2026, 4, 30))
    before = views.overview(engine.open_dataset(root), everything, "M")
    assert before.kpis.articles == 2
    pull_once(db, [export(tmp_path / "news.jsonl", [("c", "2026-04-09T10:00:00Z")])], settings=SETTINGS)
    after = views.overview(engine.open_dataset(root), everything, "M")
    assert after.kpis.articles == 3
    assert after.volume["articles"].tolist() == [2, 1]


def test_the_store_counts_come_from_the_manifest_while_it_is_current(tmp_path, monkeypatch):
    from analytics.pipeline import load_demo, store_records
    from analytics.store import ArticleRecord
    from dashboard.data import _holdings

    db = tmp_path / "mixed.sqlite"
    with Store(db) as store:
        load_demo(store, n=150, seed=2, end=date(2026, 6, 30), months=2)
        since = store.data_version()
        record = ArticleRecord(
            url="https://news.example.org/a", title="Peru and the United States sign an accord",
            text="Lima and Washington agreed.", published=store_start(store), outlet="Example",
        )  # fmt: skip
        assert store_records(store, [record]) == 1
        dataset.update(store, dataset.months_of([record]), since=since)
        counted = store.holdings()
        assert counted == (1, 150)
        version = store.data_version()
        with monkeypatch.context() as m:
            m.setattr(Store, "holdings", lambda self: (_ for _ in ()).throw(AssertionError("scanned the store")))
            assert _holdings(store, version) == counted
        # A store that moved on since the dataset was written is counted, not read from the manifest.
        assert _holdings(store, version + 1) == counted


def store_start(store: Store):
    from datetime import UTC, datetime

    first = store.conn.execute("SELECT min(published) FROM articles").fetchone()[0]
    return datetime.fromisoformat(first.replace("Z", "+00:00")).astimezone(UTC)
