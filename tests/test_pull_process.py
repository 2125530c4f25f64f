"""Real `bilat pull` and `bilat schedule` processes: kill -9, locks, exit codes, concurrent readers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from feedserver import FeedServer, Reply, make_rss

from analytics import views
from analytics.engine import from_frames
from analytics.filters import Filters
from analytics.ingest.pull import pull_lock
from analytics.store import Store

ROOT = Path(__file__).resolve().parent.parent


def bilat(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, **kwargs)  # fmt: skip


def write_sources(path: Path, urls: dict[str, str]) -> Path:
    entries = [
        f'[[source]]\nid = "{sid}"\nkind = "rss"\nurl = "{url}"\noutlet = "Outlet {sid}"\ncountry = "PER"\n'
        for sid, url in urls.items()
    ]
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def table_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        out = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("articles", "enrichment")}
        out["distinct_urls"] = conn.execute("SELECT COUNT(DISTINCT url) FROM articles").fetchone()[0]
        out["orphans"] = conn.execute(
            "SELECT (SELECT COUNT(*) FROM article_dyads WHERE n NOT IN (SELECT n FROM articles)) + "
            "(SELECT COUNT(*) FROM article_themes WHERE n NOT IN (SELECT n FROM articles)) + "
            "(SELECT COUNT(*) FROM articles WHERE n NOT IN (SELECT n FROM enrichment))"
        ).fetchone()[0]
        out["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
        return out
    finally:
        conn.close()


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def test_kill_minus_9_mid_pull_then_the_next_pull_completes(server, tmp_path):
    feeds = 30
    urls = {
        f"feed{i:02d}": server.route(
            f"/feed{i:02d}.xml", Reply(body=make_rss(f"feed{i:02d}", 50), delay=0.1 * (i % 10))
        )
        for i in range(feeds)
    }
    sources = write_sources(tmp_path / "sources.toml", urls)
    db = tmp_path / "bilat.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "analytics.cli", "pull", "--sources", str(sources), "--db", str(db),
         "--concurrency", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                stored = table_counts(db)["articles"]
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 150:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "the pull finished before it could be killed; make it slower"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    after_kill = table_counts(db)
    assert 0 < after_kill["articles"] < feeds * 50
    assert after_kill["articles"] % 50 == 0  # whole sources or nothing
    assert after_kill["orphans"] == 0 and after_kill["integrity"] == "ok"

    second = bilat("pull", "--sources", str(sources), "--db", str(db))
    assert second.returncode == 0, second.stderr
    final = table_counts(db)
    assert final["articles"] == final["enrichment"] == final["distinct_urls"] == feeds * 50
    assert final["orphans"] == 0 and final["integrity"] == "ok"
    with Store(db) as store:
        statuses = store.last_runs()["status"].tolist()
    assert statuses == ["ok", "interrupted"]
    third = bilat("pull", "--sources", str(sources), "--db", str(db))
    assert "0 new" in third.stderr and table_counts(db)["articles"] == feeds * 50


def test_cli_exit_codes_and_messages(server, tmp_path):
    good = server.route("/good.xml", Reply(body=make_rss("good", 4)))
    bad = server.route("/bad.xml", Reply(500))
    db = tmp_path / "bilat.sqlite"
    sources = write_sources(tmp_path / "s.toml", {"good": good, "bad": bad})
    out = bilat("pull", "--sources", str(sources), "--db", str(db), "--retries", "0")
    assert out.returncode == 3
    lines = out.stderr.strip().splitlines()
    assert lines[-1] == "pull 1 partial: 2 sources, 4 items seen, 4 new, 1 failed"
    assert any("bad" in line and "HTTP 500" in line for line in lines)
    only = bilat("pull", "--sources", str(sources), "--db", str(db), "--only", "good")
    assert only.returncode == 0 and only.stderr.strip().endswith("1 sources, 4 items seen, 0 new, 0 failed")
    with pull_lock(db):
        locked = bilat("pull", "--sources", str(sources), "--db", str(db))
    assert locked.returncode == 75 and "another pull of" in locked.stderr
    missing = bilat("pull", "--sources", str(tmp_path / "nope.toml"), "--db", str(db))
    assert missing.returncode == 1 and "sources file" in missing.stderr and "Traceback" not in missing.stderr
    unknown = bilat("pull", "--sources", str(sources), "--db", str(db), "--only", "nosuch")
    assert unknown.returncode == 1 and "no source with id 'nosuch'" in unknown.stderr
    bad_interval = bilat("schedule", "--every", "soon", "--db", str(db))
    assert bad_interval.returncode == 2 and "is not an interval" in bad_interval.stderr


def test_schedule_runs_pulls_until_sigterm_and_two_schedulers_never_overlap(server, tmp_path):
    url = server.route("/a.xml", Reply(body=make_rss("a", 3), delay=0.5))
    sources = write_sources(tmp_path / "s.toml", {"a": url})
    db = tmp_path / "bilat.sqlite"
    Store(db).close()
    command = [sys.executable, "-m", "analytics.cli", "schedule", "--every", "1s", "--sources", str(sources),
               "--db", str(db)]  # fmt: skip
    procs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]  # fmt: skip
    # Until three pulls have finished (a loaded machine starts the schedulers slowly), at most 40 s.
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        time.sleep(0.5)
        with Store(db) as store:
            done = store.conn.execute("SELECT count(*) FROM pull_runs WHERE finished_at IS NOT NULL").fetchone()[0]
        if done >= 3:
            break
    time.sleep(1.5)  # one more tick, so that the two schedulers have both had their turn at the lock
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    results = [proc.communicate(timeout=30) for proc in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    with Store(db) as store:
        runs = store.conn.execute(
            "SELECT started_at, finished_at, status FROM pull_runs WHERE status != 'running' ORDER BY id"
        ).fetchall()
        articles = store.count_articles()
    assert len(runs) >= 3
    assert all(status == "ok" for _, _, status in runs)
    for (_, end_a, _), (start_b, _, _) in zip(runs, runs[1:], strict=False):
        assert start_b >= end_a  # one pull after another, never two at once
    assert articles == 3


def test_import_command(tmp_path):
    data = tmp_path / "meltwater.csv"
    data.write_text(
        "headline;link;pubdate;source\n"
        "Peru and the US sign a trade pact;https://news.example.org/1?utm_source=x;2026-03-02;Example\n"
        ";https://news.example.org/2;2026-03-02;Example\n",
        encoding="utf-8",
    )
    db = tmp_path / "bilat.sqlite"
    out = bilat("import", str(data), "--db", str(db), "--country", "USA", "--map", "title=headline",
                "--map", "url=link", "--map", "published=pubdate", "--map", "outlet=source")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "imported 1 new articles" in out.stderr and "row 3 skipped" in out.stderr
    bad_map = bilat("import", str(data), "--db", str(db), "--map", "title")
    assert bad_map.returncode == 1 and "write it as FIELD=COLUMN" in bad_map.stderr


def test_dashboard_reads_while_a_pull_writes(server, tmp_path):
    urls = {f"f{i}": server.route(f"/f{i}.xml", Reply(body=make_rss(f"f{i}", 50), delay=0.05)) for i in range(12)}
    sources = write_sources(tmp_path / "s.toml", urls)
    db = tmp_path / "bilat.sqlite"
    Store(db).close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "analytics.cli", "pull", "--sources", str(sources), "--db", str(db),
         "--concurrency", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seen: list[int] = []
    errors: list[BaseException] = []

    def read_loop() -> None:
        while proc.poll() is None:
            try:
                with Store(db) as store:
                    articles, dyads = store.load_frames()
                views.overview(from_frames(articles, dyads), Filters(dyad="PER-USA"), "D")
                seen.append(len(articles))
            except BaseException as exc:  # noqa: BLE001 - any failure of a reader is the finding
                errors.append(exc)
                return

    reader = threading.Thread(target=read_loop)
    reader.start()
    proc.wait(timeout=120)
    reader.join(timeout=60)
    assert errors == []
    assert len(seen) >= 3 and seen == sorted(seen)  # readers never see rows disappear
    assert table_counts(db)["articles"] == 600
