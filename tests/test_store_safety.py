"""Store safety: concurrent creation, full disks, damaged and foreign files, mistyped --db, and
demo articles never mixed with real ones."""

from __future__ import annotations

import multiprocessing
import random
import shutil
import sqlite3
from datetime import UTC, datetime

import pytest
from feedserver import FeedServer, Reply, make_rss

from analytics.cli import main
from analytics.errors import StoreError
from analytics.pipeline import load_demo, store_records
from analytics.store import SCHEMA_VERSION, ArticleRecord, EnrichmentRow, Store


def real_record(i: int) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://news.example.org/real/{i}",
        title=f"Peru and the United States sign trade pact number {i}",
        text="Lima and Washington agreed on tariffs.",
        published=datetime(2026, 6, 1 + i % 20, 9, tzinfo=UTC),
        outlet="Real Wire",
        source_country="PER",
        declared_language="en",
    )


ROW = EnrichmentRow("1-test", "en", 0.1, 1, (), ("PER-USA",), ())


def table_names(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


# --- several processes creating one store -----------------------------------------------------


def _open_store(path: str, barrier, answers) -> None:
    barrier.wait(timeout=60)
    try:
        with Store(path) as store:
            answers.put(("ok", store.schema_version()))
    except Exception as exc:  # reported to the test, which names it
        answers.put(("error", repr(exc)))


@pytest.mark.parametrize("trial", range(2))
def test_processes_creating_one_new_store_at_once_all_succeed(tmp_path, trial):
    processes = 5
    ctx = multiprocessing.get_context("fork")
    barrier, answers = ctx.Barrier(processes), ctx.Queue()
    path = str(tmp_path / "new.sqlite")
    workers = [ctx.Process(target=_open_store, args=(path, barrier, answers)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    results = [answers.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert results == [("ok", SCHEMA_VERSION)] * processes
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION and store.count_articles() == 0


# --- full disk, damaged and foreign files -----------------------------------------------------


def test_a_full_disk_is_one_line_and_the_store_stays_usable(tmp_path):
    with Store(tmp_path / "full.sqlite") as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite now answers SQLITE_FULL
        batch = [(real_record(i), ROW) for i in range(40)]
        with pytest.raises(StoreError, match="is full: free disk space") as caught:
            store.add_articles(batch)
        assert "\n" not in str(caught.value)
        assert store.count_articles() == 0 and not store.conn.in_transaction
        store.conn.execute(f"PRAGMA max_page_count = {pages * 1000}")
        assert store.add_articles(batch) == 40


def test_a_full_disk_while_creating_the_schema_is_one_line(tmp_path, monkeypatch):
    real_connect = sqlite3.connect

    def tiny_disk(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 2")
        return conn

    monkeypatch.setattr(sqlite3, "connect", tiny_disk)
    with pytest.raises(StoreError, match="is full: free disk space"):
        Store(tmp_path / "new.sqlite")


def test_random_bytes_are_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "noise.sqlite"
    path.write_bytes(random.Random(3).randbytes(64 * 1024))
    with pytest.raises(StoreError, match="damaged or not a SQLite file: restore it from a backup"):
        Store(path)
    assert main(["status", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bilat: error: ") and len(err.splitlines()) == 1 and "restore it from a backup" in err


def _filled(path, n=400):
    with Store(path) as store:
        store.add_articles([(real_record(i), ROW) for i in range(n)])
    return path


def test_a_truncated_store_is_refused_in_one_line(tmp_path):
    path = _filled(tmp_path / "cut.sqlite")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(StoreError, match="damaged or not a SQLite file"), Store(path) as store:
        store.load_frames()


def test_damaged_pages_found_while_reading_are_one_line(tmp_path, capsys):
    path = _filled(tmp_path / "broken.sqlite")
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(3 * page, len(data) - page, 2 * page):  # every other page past the schema
        data[start : start + page] = random.Random(start).randbytes(page)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged or not a SQLite file"), Store(path) as store:
        store.load_frames()
        store.article_rows(list(range(1, 400)))
    assert main(["enrich", "--db", str(path), "--rebuild"]) == 1
    err = capsys.readouterr().err
    assert "restore it from a backup" in err and "Traceback" not in err


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a bilat store .*tables: notes.*choose another --db"):
        Store(path)
    assert table_names(path) == {"notes"}


def test_an_empty_sqlite_file_becomes_a_store(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    blank = tmp_path / "blank.sqlite"
    conn = sqlite3.connect(blank)
    conn.execute("VACUUM")  # a valid SQLite file with no tables
    conn.close()
    for path in (empty, blank):
        with Store(path) as store:
            assert store.schema_version() == SCHEMA_VERSION
        assert {"articles", "meta"} <= table_names(path)


# --- a mistyped --db --------------------------------------------------------------------------


def test_read_only_open_does_not_create_a_store(tmp_path):
    path = tmp_path / "typo.sqlite"
    with pytest.raises(StoreError, match=f"no store at {path}; check --db"):
        Store(path, create=False)
    assert not path.exists()


@pytest.mark.parametrize("command", [["status"], ["enrich"], ["enrich", "--rebuild"]])
def test_read_only_commands_refuse_a_missing_store(tmp_path, capsys, command):
    path = tmp_path / "typo.sqlite"
    assert main([*command, "--db", str(path)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"bilat: error: no store at {path}; check --db, or run bilat demo, pull or import to create one"
    )
    assert not path.exists()


def test_serve_refuses_a_missing_store_other_than_the_default(tmp_path, capsys, monkeypatch):
    import os
    import subprocess

    def never(*args, **kwargs):
        raise AssertionError("the dashboard must not start")

    monkeypatch.setattr(subprocess, "call", never)
    monkeypatch.setattr(os, "execve", never)
    path = tmp_path / "typo.sqlite"
    assert main(["serve", "--db", str(path)]) == 1
    assert "no store at" in capsys.readouterr().err and not path.exists()


def test_serve_creates_the_default_store(tmp_path, monkeypatch):
    import functools
    import os

    from analytics import pipeline

    started = []

    def fake_execve(*args):
        started.append(args)
        raise SystemExit(0)  # the real one never returns either

    monkeypatch.setenv("BILAT_DB", str(tmp_path / "default.sqlite"))
    monkeypatch.setattr(pipeline, "load_demo", functools.partial(pipeline.load_demo, n=40, months=2))
    monkeypatch.setattr(os, "execve", fake_execve)
    with pytest.raises(SystemExit):
        main(["serve"])
    assert started and (tmp_path / "default.sqlite").exists()


# --- demo and real articles -------------------------------------------------------------------


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_db, path)
    return path


def test_pull_refuses_a_demo_store_before_fetching(demo_copy, tmp_path, capsys):
    with FeedServer() as server:
        url = server.route("/a.xml", Reply(body=make_rss("a", 5)))
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nid = "a"\nkind = "rss"\nurl = "{url}"\noutlet = "A"\ncountry = "PER"\n')
        before = demo_copy.read_bytes()
        assert main(["pull", "--db", str(demo_copy), "--sources", str(sources)]) == 1
        err = capsys.readouterr().err
        assert server.count("/a.xml") == 0
        assert demo_copy.read_bytes() == before
        assert len(err.splitlines()) == 1 and "holds demo articles" in err
        assert "--db data/real.sqlite" in err and "--force" in err
        assert main(["pull", "--db", str(demo_copy), "--sources", str(sources), "--force", "--retries", "0"]) == 0
        assert server.count("/a.xml") == 1
    with Store(demo_copy) as store:
        assert store.holdings() == (5, 3000)


def test_import_refuses_a_demo_store_unless_forced(demo_copy, tmp_path, capsys):
    rows = tmp_path / "rows.csv"
    rows.write_text("url,title,published\nhttps://x.example/1,Peru and the US agree,2026-06-01\n", encoding="utf-8")
    assert main(["import", str(rows), "--db", str(demo_copy), "--outlet", "X"]) == 1
    err = capsys.readouterr().err
    assert "holds demo articles" in err and "--force" in err
    with Store(demo_copy) as store:
        assert store.holdings() == (0, 3000) and store.last_runs().empty
    assert main(["import", str(rows), "--db", str(demo_copy), "--outlet", "X", "--force"]) == 0
    with Store(demo_copy) as store:
        assert store.holdings() == (1, 3000)


def test_pull_and_import_into_a_new_store_need_no_force(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("url,title,published\nhttps://x.example/1,Peru and the US agree,2026-06-01\n", encoding="utf-8")
    assert main(["import", str(rows), "--db", str(tmp_path / "real.sqlite"), "--outlet", "X"]) == 0


def test_demo_still_refuses_a_store_of_real_articles(tmp_path):
    path = _filled(tmp_path / "real.sqlite", n=3)
    with Store(path) as store, pytest.raises(Exception, match="holds pulled articles"):
        load_demo(store, n=10)


def test_reads_leave_demo_articles_out_of_a_mixed_store(demo_copy):
    with Store(demo_copy) as store:
        demo_articles, _ = store.load_frames()
        assert len(demo_articles) == 3000 and not store.hides_demo()  # a demo store shows its demo
        demo_id = store.article_rows([1])["id"][0]
        store_records(store, [real_record(i) for i in range(3)])
        assert store.hides_demo() and store.holdings() == (3, 3000)
        articles, dyads = store.load_frames()
        real = set(articles["n"])
        assert len(real) == 3 and min(real) > 3000
        assert set(dyads["n"]) <= real and len(dyads) > 0
        assert set(store.search_articles("pact")["n"]) == real
        assert set(store.article_rows([1, 2, *real])["n"]) == real
        assert store.article(demo_id) is None
        assert store.count_articles() == 3003  # the command line still counts what is stored


def test_the_dashboard_shows_only_real_articles_of_a_mixed_store(demo_copy, use_db):
    from conftest import open_app

    with Store(demo_copy) as store:
        store_records(store, [real_record(i) for i in range(3)])
    use_db(demo_copy)
    at = open_app()
    notices = [n.value for n in at.sidebar.info]
    assert any("3,000 demo articles" in n and "left out" in n for n in notices), notices
    assert not any("Demo data" in w.value for w in at.sidebar.warning)
    assert any("No pull has succeeded" in w.value for w in at.warning)  # staleness is shown for the real data
    assert any(c.value.startswith("3 articles") for c in at.sidebar.caption)
