"""One source's trouble is that source's alone: parser exceptions, values the store refuses,
parsers that run too long, deadlines, item and page caps. Real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feedserver import FeedServer, Reply, make_rss

from analytics.ingest.fetch import FetchSettings
from analytics.ingest.isolate import ChildFailed, TimedOut, run_isolated
from analytics.ingest.pull import pull_once
from analytics.ingest.sources import Source
from analytics.store import Store

ROOT = Path(__file__).resolve().parent.parent
QUICK = FetchSettings(timeout=2, retries=0, backoff=0.05, gdelt_interval=0.0, source_deadline=20, pull_deadline=60)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def rss(source_id: str, url: str, **kwargs) -> Source:
    return Source(id=source_id, kind="rss", url=url, outlet=source_id.title(), country="PER", **kwargs)


def feed(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def runs(db: Path) -> dict[str, tuple]:
    with Store(db) as store:
        rows = store.conn.execute("SELECT source_id, status, error, notes FROM source_runs").fetchall()
    return {source_id: (status, error, notes) for source_id, status, error, notes in rows}


def stored(db: Path, source_id: str) -> int:
    with Store(db) as store:
        return store.conn.execute("SELECT COUNT(*) FROM articles WHERE source_id = ?", (source_id,)).fetchone()[0]


def test_a_feed_that_makes_the_parser_raise_fails_alone(server, tmp_path):
    db = tmp_path / "b.sqlite"
    hostile = feed("<item><title>Bad &#1114112; ref</title><link>https://x.example/1</link></item>")
    sources = [
        rss("good", server.route("/good.xml", Reply(body=make_rss("good", 4)))),
        rss("hostile", server.route("/bad.xml", Reply(body=hostile))),
    ]
    report = pull_once(db, sources, settings=QUICK, now=NOW)
    assert report.status == "partial"
    assert stored(db, "good") == 4
    status, error, _ = runs(db)["hostile"]
    assert status == "failed" and error


def test_a_gdelt_title_with_a_lone_surrogate_is_stored_readable(server, tmp_path):
    db = tmp_path / "b.sqlite"
    answer = {"articles": [{"url": "https://news.example.pe/a", "title": "Peru \ud800 and the US sign a deal",
                            "seendate": "20260318T101500Z", "domain": "news.example.pe",
                            "language": "English", "sourcecountry": "Peru"}]}  # fmt: skip
    body = json.dumps(answer).encode()  # json escapes the surrogate as \ud800, as GDELT sent it
    assert b"\\ud800" in body
    api = server.route("/api/v2/doc/doc", Reply(body=body, headers={"Content-Type": "application/json"}))
    sources = [
        Source(id="g", kind="gdelt", url=api, outlet="GDELT", query="Peru"),
        rss("good", server.route("/good.xml", Reply(body=make_rss("good", 3)))),
    ]
    report = pull_once(db, sources, settings=QUICK, now=NOW)
    assert report.status == "ok", report.failed
    with Store(db) as store:
        (title,) = store.conn.execute("SELECT title FROM articles WHERE source_id = 'g'").fetchone()
    assert title == "Peru \ufffd and the US sign a deal"
    assert stored(db, "good") == 3


def test_a_parser_that_runs_past_the_source_deadline_is_stopped(server, tmp_path):
    """600 KB of nested tags keeps feedparser busy for many seconds (12.6 s measured); the parse runs
    in a child that is killed at the deadline, and the healthy source is stored."""
    db = tmp_path / "b.sqlite"
    nested = feed("<item><title>a</title><link>https://x.example/1</link><description>" + "<b>" * 200_000
                  + "</description></item>")  # fmt: skip
    sources = [
        rss("good", server.route("/good.xml", Reply(body=make_rss("good", 3)))),
        rss("nested", server.route("/nested.xml", Reply(body=nested))),
    ]
    started = time.monotonic()
    pull_once(db, sources, settings=replace(QUICK, source_deadline=3), now=NOW)
    assert time.monotonic() - started < 10
    assert runs(db)["nested"][:2] == ("failed", "the feed could not be read within the source deadline (3 s)")
    assert stored(db, "good") == 3


def test_a_slow_drip_source_hits_its_deadline_and_the_pull_its_own(server, tmp_path):
    db = tmp_path / "b.sqlite"
    drip = Reply(body=make_rss("drip", 3), trickle=0.2, chunk_size=16)  # about 2 minutes for the whole body
    sources = [rss("good", server.route("/good.xml", Reply(body=make_rss("good", 2)))),
               rss("drip", server.route("/drip.xml", drip))]  # fmt: skip
    settings = replace(QUICK, timeout=60, source_deadline=2)
    started = time.monotonic()
    pull_once(db, sources, settings=settings, now=NOW)
    assert time.monotonic() - started < 8
    assert runs(db)["drip"][:2] == ("failed", "not done within the source deadline (2 s)")
    assert stored(db, "good") == 2

    db2 = tmp_path / "c.sqlite"
    started = time.monotonic()
    report = pull_once(db2, sources, settings=replace(settings, source_deadline=60, pull_deadline=2), now=NOW)
    assert time.monotonic() - started < 8
    assert runs(db2)["drip"][:2] == ("failed", "not done within the pull deadline (2 s)")
    assert report.status == "partial" and stored(db2, "good") == 2


def test_items_per_feed_and_pages_per_pull_are_capped(server, tmp_path):
    db = tmp_path / "b.sqlite"
    page = (
        b"<html><body><article><p>" + b"Peru and the United States agreed on river patrols. " * 20 + b"</p></article>"
    )
    for n in range(6):
        server.route(f"/story/{n}", Reply(body=page + b"</body></html>", headers={"Content-Type": "text/html"}))
    items = "".join(
        f"<item><title>Story {n}</title><link>{server.url(f'/story/{n}')}</link><description>Sum {n}.</description>"
        "</item>"
        for n in range(6)
    )
    sources = [
        rss("big", server.route("/big.xml", Reply(body=make_rss("big", 30)))),
        rss("full", server.route("/full.xml", Reply(body=feed(items))), fulltext=True),
    ]
    settings = replace(QUICK, max_items=10, max_pages=2, allow_hosts=("127.0.0.1",))
    pull_once(db, sources, settings=settings, now=NOW)
    assert stored(db, "big") == 10
    assert runs(db)["big"][2] == "the feed holds 30 items; the first 10 were read (max_items)"
    assert stored(db, "full") == 6
    assert sum(server.count(f"/story/{n}") for n in range(6)) == 2
    assert runs(db)["full"][2] == "4 article pages not fetched: the pull's max_pages (2) was used up"


def test_the_pull_command_never_exits_1_for_what_a_source_sends(server, tmp_path):
    hostile = feed("<item><title>&#1114112;</title><link>https://x.example/1</link></item>")
    toml = tmp_path / "sources.toml"
    good, bad = server.route("/g.xml", Reply(body=make_rss("g", 2))), server.route("/b.xml", Reply(body=hostile))
    toml.write_text(
        f'[pull]\nsource_deadline = 10\n\n[[source]]\nid = "good"\nkind = "rss"\nurl = "{good}"\noutlet = "G"\n\n'
        f'[[source]]\nid = "bad"\nkind = "rss"\nurl = "{bad}"\noutlet = "B"\n'
    )
    db = tmp_path / "b.sqlite"
    done = subprocess.run([sys.executable, "-m", "analytics.cli", "pull", "--db", str(db), "--sources", str(toml)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "1 failed" in done.stderr and stored(db, "good") == 2


def test_pull_limits_in_the_sources_file_are_checked(tmp_path):
    from analytics.errors import InputError
    from analytics.ingest.sources import load_pull_limits

    path = tmp_path / "s.toml"
    path.write_text('[pull]\nsource_deadline = 30\nmax_items = 50\nallow_hosts = ["127.0.0.1", "intranet.local"]\n')
    assert load_pull_limits(path) == {
        "source_deadline": 30.0,
        "max_items": 50,
        "allow_hosts": ("127.0.0.1", "intranet.local"),
    }
    for bad, message in [
        ("max_items = 0", "[pull] max_items must be a whole number from 1 to 100000 (got 0)"),
        ("max_items = 2.5", "[pull] max_items must be a whole number from 1 to 100000 (got 2.5)"),
        ("source_deadline = nan", "[pull] source_deadline must be a number of seconds from 1 to 86400 (got nan)"),
        ("pull_deadline = -1", "[pull] pull_deadline must be a number of seconds from 1 to 86400 (got -1)"),
        ('allow_hosts = "127.0.0.1"', "[pull] allow_hosts must be a list of host names"),
        ("allow_all = true", "[pull] has unknown key 'allow_all'"),
    ]:
        path.write_text(f"[pull]\n{bad}\n")
        with pytest.raises(InputError) as caught:
            load_pull_limits(path)
        assert message in str(caught.value)
    path.write_text("[pulls]\nx = 1\n")
    with pytest.raises(InputError, match="unknown table or key 'pulls'"):
        load_pull_limits(path)


def _sleep_then(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def _raise(kind: type[Exception], message: str) -> None:
    raise kind(message)


def test_run_isolated_returns_raises_and_kills():
    assert run_isolated(_sleep_then, 0, "done", timeout=10) == "done"
    with pytest.raises(ChildFailed, match="ValueError: chr"):
        run_isolated(_raise, ValueError, "chr() arg not in range(0x110000)", timeout=10)
    started = time.monotonic()
    with pytest.raises(TimedOut):
        run_isolated(_sleep_then, 60, "never", timeout=0.5)
    assert time.monotonic() - started < 5
