"""Backfills on a Dask cluster (analytics.backfill, ``bilat enrich --scheduler``): the rows one local
process stores, through a worker's death and an interruption, and nothing stored twice."""

from __future__ import annotations

import faulthandler
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics import backfill
from analytics.cli import main
from analytics.enrich import enrichment_version
from analytics.store import Store

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 3000  # the demo_db fixture: six batches
QUERIES = {
    "enrichment": "SELECT n, version, language, sentiment, sentences, theme_mask FROM enrichment ORDER BY n",
    "dyads": "SELECT * FROM article_dyads ORDER BY n, dyad",
    "countries": "SELECT * FROM article_countries ORDER BY n, code",
    "themes": "SELECT * FROM article_themes ORDER BY n, theme",
}


@pytest.fixture(autouse=True)
def bounded():
    """A hung cluster must not hang CI: after 120 s the tracebacks are printed and the run stops."""
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as c,
        Client(c.scheduler_address, timeout=30, set_as_default=False) as client,
    ):
        yield client


def copy_store(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def rows(path: Path) -> dict[str, list[tuple]]:
    with Store(path, create=False) as store:
        return {name: store.conn.execute(sql).fetchall() for name, sql in QUERIES.items()}


@pytest.fixture(scope="module")
def stale(demo_db, tmp_path_factory) -> Path:
    """The demo store with every article's enrichment out of date and its tags gone."""
    path = copy_store(demo_db, tmp_path_factory.mktemp("backfill") / "stale.sqlite")
    with Store(path) as store, store.transaction() as tx:
        tx.execute("UPDATE enrichment SET version = '0-old', language = NULL, sentiment = NULL, theme_mask = 0")
        for table in ("article_dyads", "article_countries", "article_themes"):
            tx.execute(f"DELETE FROM {table}")
    return path


@pytest.fixture(scope="module")
def reference(stale, demo_db, tmp_path_factory) -> dict[str, list[tuple]]:
    """What one local process stores when it brings the stale store up to date."""
    path = copy_store(stale, tmp_path_factory.mktemp("reference") / "one.sqlite")
    assert main(["enrich", "--workers", "1", "--db", str(path)]) == 0
    found = rows(path)
    assert found == rows(demo_db)  # the demo load's own enrichment, back again
    return found


def stored_once(path: Path) -> None:
    with Store(path, create=False) as store:
        assert store.enrichment_versions() == {enrichment_version(): ARTICLES}
        counts = store.conn.execute("SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM enrichment)")
        assert counts.fetchone() == (ARTICLES, ARTICLES)


def test_a_cluster_stores_what_one_process_stores(cluster, stale, reference, tmp_path, capsys):
    db = copy_store(stale, tmp_path / "cluster.sqlite")
    assert main(["enrich", "--db", str(db), "--scheduler", cluster.scheduler.address]) == 0
    assert f"re-enriched {ARTICLES} articles" in capsys.readouterr().err
    assert rows(db) == reference
    stored_once(db)


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(cluster, stale, reference, tmp_path, capsys, monkeypatch):
    db = copy_store(stale, tmp_path / "killed.sqlite")
    pids = cluster.run(os.getpid)
    killed = []
    store_batch = Store.replace_enrichment

    def kill_after_first(self, batch):
        count = store_batch(self, batch)
        if not killed:
            busy = [worker for worker, keys in cluster.processing().items() if keys]
            assert busy, "no worker holds a batch: the kill would lose nothing"
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])
        return count

    monkeypatch.setattr(Store, "replace_enrichment", kill_after_first)
    assert main(["enrich", "--db", str(db), "--scheduler", cluster.scheduler.address]) == 0
    assert killed
    # Every article stored once: a batch stored twice would count 500 more.
    assert f"re-enriched {ARTICLES} articles" in capsys.readouterr().err
    assert rows(db) == reference
    stored_once(db)
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker for the next tests
    assert set(cluster.run(os.getpid).values()) != set(pids.values())


@pytest.mark.parametrize("rebuild", [False, True], ids=["stale", "rebuild"])
def test_an_interrupted_backfill_continues_where_it_stopped(
    cluster, stale, reference, tmp_path, capsys, monkeypatch, rebuild
):
    db = copy_store(stale, tmp_path / "interrupted.sqlite")
    flags = ["enrich", "--db", str(db), "--scheduler", cluster.scheduler.address] + (["--rebuild"] if rebuild else [])
    store_batch = Store.replace_enrichment
    calls = []

    def interrupt_after_two(self, batch):
        calls.append(len(batch))
        if len(calls) > 2:
            raise KeyboardInterrupt
        return store_batch(self, batch)

    monkeypatch.setattr(Store, "replace_enrichment", interrupt_after_two)
    assert main(flags) == 130
    with Store(db, create=False) as store:
        assert store.enrichment_versions() == {enrichment_version(): 2 * backfill.BATCH, "0-old": ARTICLES - 1000}
        assert backfill.rebuild_resume_point(store, enrichment_version()) == (1000 if rebuild else 0)
    monkeypatch.undo()
    capsys.readouterr()
    assert main(flags) == 0
    err = capsys.readouterr().err
    # Only what the first run did not store: nothing twice.
    assert f"re-enriched {ARTICLES - 2 * backfill.BATCH} articles" in err
    assert ("continuing the interrupted rebuild after article 1000" in err) == rebuild
    assert rows(db) == reference
    stored_once(db)
    with Store(db, create=False) as store:
        assert backfill.rebuild_resume_point(store, enrichment_version()) == 0


def test_workers_whose_enrichment_differs_are_refused(cluster, stale, tmp_path, capsys, monkeypatch):
    db = copy_store(stale, tmp_path / "versions.sqlite")
    monkeypatch.setattr("analytics.enrich.enrichment_version", lambda: "9-elsewhere")
    assert main(["enrich", "--db", str(db), "--scheduler", cluster.scheduler.address]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"has enrichment version {enrichment_version()}, this process 9-elsewhere" in err
    assert rows(db) == rows(stale)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_out_of_reach_is_one_line_and_stores_nothing(stale, tmp_path, capsys):
    db = copy_store(stale, tmp_path / "unreached.sqlite")
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    assert main(["enrich", "--db", str(db), "--scheduler", address]) == 1
    assert time.monotonic() - started < backfill.CONNECT_TIMEOUT + 10
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"bilat: error: cannot reach a Dask scheduler at {address} within 5 s")
    assert len(err.splitlines()) == 1
    assert rows(db) == rows(stale)


def test_a_service_that_is_not_a_scheduler_is_named(stale, tmp_path, capsys):
    db = copy_store(stale, tmp_path / "http.sqlite")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        # Accepted and never answered: the handshake waits for the timeout, then gives up.
        assert main(["enrich", "--db", str(db), "--scheduler", address]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and address in err
    assert rows(db) == rows(stale)


def test_scheduler_and_workers_together_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["enrich", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"])
    assert stop.value.code == 2
    assert "argument --scheduler: not allowed with argument --workers" in capsys.readouterr().err


def test_a_local_backfill_loads_nothing_of_dask(small_db):
    code = (
        "import sys\n"
        "from analytics.cli import main\n"
        f"assert main(['enrich', '--rebuild', '--workers', '1', '--db', {str(small_db)!r}]) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "re-enriched 2 articles" in done.stderr
    assert done.stdout.strip() == "[]"
