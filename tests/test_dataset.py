"""The analysis dataset: Parquet per month next to the store, written atomically, kept current."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics import dataset
from analytics.cli import main
from analytics.pipeline import load_demo, store_records
from analytics.store import ArticleRecord, Store

MONTHS = ["2026-03", "2026-04", "2026-05", "2026-06"]


@pytest.fixture
def demo_path(tmp_path):
    path = tmp_path / "demo.sqlite"
    with Store(path) as store:
        load_demo(store, n=300, seed=5, end=date(2026, 6, 30), months=3)
    # The demo load writes the dataset; most tests start from a store without one.
    shutil.rmtree(path.with_name(path.name + ".dataset"))
    return path


def part(path, table: str, month: str):
    return path.with_name(path.name + ".dataset") / table / f"month={month}" / "part.parquet"


def store_counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT substr(published, 1, 7), count(*) FROM articles GROUP BY 1").fetchall())


def add_one(store: Store, day: datetime) -> list[str]:
    record = ArticleRecord(
        url=f"https://demo.example.org/extra-{day:%Y%m%d}", title="Peru and Chile sign a water accord",
        text="Lima and Santiago agreed on the shared basin.", published=day, outlet="Demo Wire", is_demo=True,
    )  # fmt: skip
    assert store_records(store, [record]) == 1
    return dataset.months_of([record])


def test_rebuild_writes_every_month_with_the_specified_columns(demo_path):
    counts = store_counts(demo_path)
    assert sorted(counts) == MONTHS
    with Store(demo_path) as store:
        summary = dataset.rebuild(store)
    assert summary["months"] == 4 and summary["articles"] == 300 and summary["written"] == MONTHS
    for month in MONTHS:
        articles = pq.read_table(part(demo_path, "articles", month))
        assert articles.num_rows == counts[month]
        assert articles.schema.names == ["n", "published", "day", "outlet", "source_country", "language", "tone",
                                         "theme_mask", "story_key", "is_demo", "pairs",
                                         "pairs_text", "countries_text", "relations", "prev_day", "shared"]  # fmt: skip
        text = pa.dictionary(pa.int32(), pa.string())
        assert [articles.schema.field(c).type for c in ("outlet", "source_country", "language")] == [text] * 3
        assert articles.schema.field("published").type == pa.timestamp("us", tz="UTC")
        assert articles.schema.field("day").type == pa.date32()
        # Tones keep the store's double precision, so every figure equals the one computed from the store.
        assert articles.schema.field("tone").type == pa.float64()
        assert articles.schema.field("theme_mask").type == pa.int32()
        assert articles.schema.field("story_key").type == pa.int64()
        assert all(articles.column("is_demo").to_pylist())
        # Each article's pairs are its rows of the dyads table, and their countries follow from them.
        dyad_rows = pq.read_table(part(demo_path, "dyads", month)).to_pydict()
        expected: dict[int, list[str]] = {}
        tone_of: dict[tuple[int, str], float | None] = {}
        for n, dyad, tone in zip(dyad_rows["n"], dyad_rows["dyad"], dyad_rows["relation_tone"], strict=True):
            expected.setdefault(n, []).append(dyad)
            tone_of[n, dyad] = tone
        # Each pair's relation tone sits at the pair's place in the list.
        relations = articles.column("relations").to_pylist()
        assert [len(r) for r in relations] == [len(p) for p in articles.column("pairs").to_pylist()]
        for n, pairs, tones in zip(articles.column("n").to_pylist(), articles.column("pairs").to_pylist(),
                                   relations, strict=True):  # fmt: skip
            assert tones == [tone_of[n, pair] for pair in pairs]
        assert any(t is not None for r in relations for t in r)
        listed = dict(zip(articles.column("n").to_pylist(), articles.column("pairs").to_pylist(), strict=True))
        assert listed == {n: sorted(expected.get(n, [])) for n in listed}
        assert any(listed.values())
        texts = articles.column("pairs_text").to_pylist()
        assert texts == ["|" + "".join(f"{p}|" for p in pairs) for pairs in listed.values()]
        countries = articles.column("countries_text").to_pylist()
        assert countries == ["|" + "".join(f"{c}|" for c in sorted({c for p in pairs for c in p.split("-")}))
                             for pairs in listed.values()]  # fmt: skip
        assert {d.strftime("%Y-%m") for d in articles.column("day").to_pylist()} == {month}
        dyads = pq.read_table(part(demo_path, "dyads", month))
        assert dyads.schema == dataset.DYAD_SCHEMA
        assert set(dyads.column("n").to_pylist()) <= set(articles.column("n").to_pylist())
    manifest = json.loads((demo_path.with_name("demo.sqlite.dataset") / "manifest.json").read_text())
    assert manifest["format_version"] == dataset.FORMAT_VERSION
    assert {m: v["articles"] for m, v in manifest["months"].items()} == counts


def test_values_match_the_store_and_no_text_leaves_it(demo_path):
    with sqlite3.connect(demo_path) as conn:
        row = conn.execute(
            "SELECT a.n, a.published, a.outlet, e.sentiment, e.theme_mask FROM articles a JOIN enrichment e USING (n) "
            "WHERE a.published LIKE '2026-05%' ORDER BY a.n LIMIT 1"
        ).fetchone()
    with Store(demo_path) as store:
        dataset.rebuild(store)
    table = pq.read_table(part(demo_path, "articles", "2026-05")).to_pylist()
    first = table[0]
    assert first["n"] == row[0]
    assert first["published"] == datetime.fromisoformat(row[1].replace("Z", "+00:00"))
    assert first["outlet"] == row[2] and first["theme_mask"] == row[4]
    assert first["tone"] == pytest.approx(row[3], abs=1e-6)
    for file in demo_path.with_name("demo.sqlite.dataset").rglob("*.parquet"):
        names = pq.read_schema(file).names
        assert not {"title", "text", "url", "id"} & set(names)


def test_story_keys_are_equal_exactly_within_a_cluster(demo_path):
    with sqlite3.connect(demo_path) as conn:
        # Wire copies: one story reprinted across months, another twice in one month; and one
        # article without a cluster (as a store from before clusters may hold) gets its own key.
        conn.execute("UPDATE articles SET cluster_id = (SELECT cluster_id FROM articles WHERE n = 1) "
                     "WHERE n IN (1, 150, 290)")  # fmt: skip
        conn.execute("UPDATE articles SET cluster_id = (SELECT cluster_id FROM articles WHERE n = 2) WHERE n = 3")
        conn.execute("UPDATE articles SET cluster_id = NULL WHERE n = 7")
        clusters = dict(conn.execute("SELECT n, cluster_id FROM articles").fetchall())
    assert len(set(clusters.values())) == 300 - 3
    with Store(demo_path) as store:
        dataset.rebuild(store)
    keys = {}
    for month in MONTHS:
        table = pq.read_table(part(demo_path, "articles", month), columns=["n", "story_key"]).to_pydict()
        keys.update(zip(table["n"], table["story_key"], strict=True))
    assert keys[7] == -7
    assert keys[1] == keys[150] == keys[290] and keys[2] == keys[3] and keys[1] != keys[2]
    by_cluster: dict[str, set[int]] = {}
    for n, cluster in clusters.items():
        if cluster is not None:
            by_cluster.setdefault(cluster, set()).add(keys[n])
    assert all(len(k) == 1 for k in by_cluster.values())
    assert len({next(iter(k)) for k in by_cluster.values()}) == len(by_cluster)
    assert dataset.story_key("0123456789abcdef0123") == 0x0123456789ABCDE
    assert dataset.story_key("not-hex") == dataset.story_key("not-hex") >= 1 << 60


def test_status_missing_current_behind_current_and_refresh_touches_only_its_month(demo_path):
    with Store(demo_path) as store:
        assert dataset.status(store) == "missing"
        dataset.rebuild(store)
        assert dataset.status(store) == "current"
        before = {m: part(demo_path, "articles", m).stat() for m in MONTHS}
        months = add_one(store, datetime(2026, 5, 14, 12, tzinfo=UTC))
        assert months == ["2026-05"]
        assert dataset.status(store) == "behind"
        summary = dataset.refresh(store, months)
        assert summary["written"] == ["2026-05"]
        assert dataset.status(store) == "current"
    for month in ("2026-03", "2026-04", "2026-06"):
        after = part(demo_path, "articles", month).stat()
        assert (after.st_ino, after.st_mtime_ns) == (before[month].st_ino, before[month].st_mtime_ns)
    assert part(demo_path, "articles", "2026-05").stat().st_ino != before["2026-05"].st_ino
    assert pq.read_table(part(demo_path, "articles", "2026-05")).num_rows == store_counts(demo_path)["2026-05"]


def test_refresh_adds_a_new_month_and_rebuilds_when_a_month_changed_unannounced(demo_path):
    with Store(demo_path) as store:
        dataset.rebuild(store)
        add_one(store, datetime(2026, 7, 2, tzinfo=UTC))
        summary = dataset.refresh(store, ["2026-07"])
        assert summary["written"] == ["2026-07"]
        # A month nobody named changed: the copies' links elsewhere may be stale, so all is rewritten.
        add_one(store, datetime(2026, 4, 3, tzinfo=UTC))
        summary = dataset.refresh(store, ["2026-07"])
        assert summary["written"] == [*MONTHS, "2026-07"]
        assert dataset.status(store) == "current"
    counts = store_counts(demo_path)
    for month in ("2026-04", "2026-07"):
        assert pq.read_table(part(demo_path, "articles", month)).num_rows == counts[month]


def links(path) -> dict[int, tuple]:
    """``n -> (prev_day, shared)`` over every month of the dataset."""
    found = {}
    for file in sorted((path.with_name(path.name + ".dataset") / "articles").glob("*/part.parquet")):
        table = pq.read_table(file, columns=["n", "prev_day", "shared"]).to_pydict()
        found |= {n: (p, s) for n, p, s in zip(table["n"], table["prev_day"], table["shared"], strict=True)}
    return found


def test_each_copy_knows_the_day_of_the_copy_before_it_across_months(demo_path):
    with Store(demo_path) as store:
        dataset.rebuild(store)
        # One story: a copy on 1 July, then one published earlier (30 June) arriving later.
        july = datetime(2026, 7, 1, 0, 30, tzinfo=UTC)
        summary = dataset.refresh(store, add_one(store, july))
        (late,) = [n for (n,) in store.conn.execute("SELECT n FROM articles WHERE published LIKE '2026-07%'")]
        assert links(demo_path)[late] == (None, False)
        months = add_one(store, datetime(2026, 6, 30, 23, tzinfo=UTC))
        summary = dataset.update(store, months, since=summary["data_version"])
        # The July copy is now the second: its month is rewritten though the pull named only June.
        assert summary["written"] == ["2026-06", "2026-07"]
        (early,) = [n for (n,) in store.conn.execute("SELECT n FROM articles WHERE url LIKE '%extra-20260630'")]
        found = links(demo_path)
        assert found[early] == (None, True)
        assert found[late] == (date(2026, 6, 30), True)
        # Every other article against the store: the earliest copy has no day before it.
        rows = store.conn.execute("SELECT n, published, cluster_id FROM articles ORDER BY published, n").fetchall()
    seen: dict[str, list] = {}
    for n, published, cluster in rows:
        seen.setdefault(cluster, []).append((n, published))
    for copies in seen.values():
        for i, (n, _) in enumerate(copies):
            prev = None if i == 0 else date.fromisoformat(copies[i - 1][1][:10])
            assert found[n] == (prev, len(copies) > 1), n


def test_rebuild_removes_months_the_store_no_longer_has(demo_path):
    with Store(demo_path) as store:
        dataset.rebuild(store)
        with store.transaction() as tx:
            tx.execute("DELETE FROM articles WHERE published LIKE '2026-04%'")
        dataset.rebuild(store)
        assert dataset.status(store) == "current"
    assert not part(demo_path, "articles", "2026-04").parent.exists()
    assert not part(demo_path, "dyads", "2026-04").parent.exists()


def test_an_interrupted_write_leaves_the_previous_files_readable(demo_path, monkeypatch):
    with Store(demo_path) as store:
        dataset.rebuild(store)
        old_rows = pq.read_table(part(demo_path, "articles", "2026-05")).num_rows
        old_manifest = (demo_path.with_name("demo.sqlite.dataset") / "manifest.json").read_text()
        months = add_one(store, datetime(2026, 5, 20, tzinfo=UTC))

        def fail(src, dst):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(dataset.os, "replace", fail)
        with pytest.raises(OSError, match="No space"):
            dataset.refresh(store, months)
        monkeypatch.undo()
        assert pq.read_table(part(demo_path, "articles", "2026-05")).num_rows == old_rows
        assert (demo_path.with_name("demo.sqlite.dataset") / "manifest.json").read_text() == old_manifest
        assert not list(demo_path.with_name("demo.sqlite.dataset").rglob("*.tmp"))
        assert dataset.status(store) == "behind"
        dataset.refresh(store, months)
        assert dataset.status(store) == "current"
    assert pq.read_table(part(demo_path, "articles", "2026-05")).num_rows == old_rows + 1


def test_an_older_format_is_behind_and_refresh_rebuilds_it(demo_path):
    with Store(demo_path) as store:
        dataset.rebuild(store)
        manifest_path = dataset.folder(store) / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["format_version"] = 0
        manifest_path.write_text(json.dumps(manifest))
        assert dataset.status(store) == "behind"
        assert dataset.refresh(store, [])["written"] == MONTHS
        assert dataset.status(store) == "current"


def test_months_of_uses_utc():
    from datetime import timedelta, timezone

    lima = timezone(timedelta(hours=-5))
    records = [
        ArticleRecord("https://x.example/1", "a", "", datetime(2026, 3, 31, 21, tzinfo=lima), "X"),  # April in UTC
        ArticleRecord("https://x.example/2", "b", "", datetime(2026, 1, 5, tzinfo=UTC), "X"),
    ]
    assert dataset.months_of(records) == ["2026-01", "2026-04"]


def test_cli_status_and_rebuild(demo_path, capsys):
    assert main(["dataset", "--db", str(demo_path)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["status"] == "missing" and info["months"] == 0 and info["data_version"] is None
    assert main(["dataset", "--rebuild", "--db", str(demo_path)]) == 0
    captured = capsys.readouterr()
    info = json.loads(captured.out)
    assert info["status"] == "current" and info["months"] == 4 and info["articles"] == 300
    assert info["data_version"] == info["store_data_version"]
    assert captured.err.strip() == f"wrote 4 months, 300 articles to {demo_path}.dataset"


def test_cli_on_a_missing_store_is_one_line(tmp_path, capsys):
    missing = tmp_path / "missing.sqlite"
    assert main(["dataset", "--db", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bilat: error: no store at")
    assert not missing.exists()


# --- writers keep it current ------------------------------------------------------------------


def jsonl(path, items: list[tuple[str, str]]):
    lines = [json.dumps({"url": f"https://news.example.org/{slug}", "title": f"Peru and the US: {slug}",
                         "published": when}) for slug, when in items]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_demo_load_writes_a_current_dataset(tmp_path):
    path = tmp_path / "fresh.sqlite"
    with Store(path) as store:
        load_demo(store, n=120, seed=3, end=date(2026, 6, 30), months=2)
        assert dataset.status(store) == "current"
        months = dataset.read_manifest(store)["months"]
        assert {m: e["articles"] for m, e in months.items()} == store.month_counts()
        # Every demo article is demo: no month holds a real one.
        assert {e["real"] for e in months.values()} == {0}


def test_a_pull_refreshes_only_the_months_it_touched(tmp_path):
    from analytics.ingest.fetch import FetchSettings
    from analytics.ingest.pull import pull_once
    from analytics.ingest.sources import Source

    db = tmp_path / "pulled.sqlite"
    settings = FetchSettings(timeout=1.5, retries=0, gdelt_interval=0.0)
    first = jsonl(tmp_path / "a.jsonl", [("a", "2026-03-02T10:00:00Z"), ("b", "2026-04-02T10:00:00Z")])
    pull_once(db, [Source(id="f", kind="file", url=str(first), outlet="Export", country="USA")], settings=settings)
    with Store(db) as store:
        assert dataset.status(store) == "current"
        march = part(db, "articles", "2026-03").stat().st_ino
        april = part(db, "articles", "2026-04").stat().st_ino
    second = jsonl(tmp_path / "b.jsonl", [("c", "2026-04-09T10:00:00Z")])
    pull_once(db, [Source(id="g", kind="file", url=str(second), outlet="Export", country="USA")], settings=settings)
    with Store(db) as store:
        assert dataset.status(store) == "current"
    assert part(db, "articles", "2026-03").stat().st_ino == march
    assert part(db, "articles", "2026-04").stat().st_ino != april
    assert pq.read_table(part(db, "articles", "2026-04")).num_rows == 2


def test_a_writer_rebuilds_a_dataset_that_was_behind_before_it(demo_path):
    with Store(demo_path) as store:
        dataset.rebuild(store)
        n, month = store.conn.execute(
            "SELECT n, substr(published, 1, 7) FROM articles JOIN enrichment USING (n) WHERE theme_mask != 0 LIMIT 1"
        ).fetchone()
        with store.transaction() as tx:  # an enrichment change outside bilat's writers
            tx.execute("UPDATE enrichment SET theme_mask = 0 WHERE n = ?", (n,))
        add_one(store, datetime(2026, 6, 3, tzinfo=UTC))  # store_records alone does not refresh
        since = store.data_version()
        load_demo(store, n=300, seed=5, end=date(2026, 6, 30), months=3)  # stores nothing new
        assert dataset.status(store) == "current" and store.data_version() > since
    masks = pq.read_table(part(demo_path, "articles", month), columns=["n", "theme_mask"]).to_pydict()
    assert dict(zip(masks["n"], masks["theme_mask"], strict=True))[n] == 0


def test_import_and_enrich_keep_the_dataset_current(tmp_path, capsys):
    db = tmp_path / "imported.sqlite"
    data = jsonl(tmp_path / "export.jsonl", [("a", "2026-03-02T10:00:00Z"), ("b", "2026-05-02T10:00:00Z")])
    assert main(["import", str(data), "--db", str(db), "--outlet", "Export", "--country", "USA"]) == 0
    with Store(db) as store:
        assert dataset.status(store) == "current"
        assert dataset.read_manifest(store)["months"]["2026-05"]["articles"] == 1
    assert main(["enrich", "--db", str(db), "--rebuild"]) == 0
    with Store(db) as store:
        assert dataset.status(store) == "current"
    assert "warning" not in capsys.readouterr().err


def test_a_dataset_failure_never_fails_the_writer(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dataset, "rebuild", broken)
    path = tmp_path / "full.sqlite"
    with Store(path) as store:
        assert load_demo(store, n=50, seed=3, end=date(2026, 6, 30), months=1) == 50
        assert dataset.status(store) == "missing"
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "bilat: warning: the analysis dataset could not be updated (OSError: [Errno 28] No space left on device); "
        "run bilat dataset --rebuild"
    ]
