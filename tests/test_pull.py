"""Pulls against a local feed server: formats, faults, dedupe, wire copies, state, locking."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feedserver import FeedServer, Reply, make_rss

from analytics.ingest.fetch import FetchSettings
from analytics.ingest.pull import PullLocked, pull_lock, pull_once, run_pull
from analytics.ingest.sources import Source, load_sources
from analytics.store import Store

QUICK = FetchSettings(timeout=1.5, retries=2, backoff=0.05, max_backoff=0.2, max_retry_after=5, gdelt_interval=0.0)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def rss(source_id: str, url: str, *, outlet: str | None = None, country: str = "PER", language: str | None = None):
    return Source(id=source_id, kind="rss", url=url, outlet=outlet or source_id.title(), country=country,
                  language=language)  # fmt: skip


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("articles", "enrichment", "article_dyads", "article_themes", "pull_runs", "source_runs")
        }
    finally:
        conn.close()


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


@pytest.fixture
def db(tmp_path):
    return tmp_path / "bilat.sqlite"


def test_formats_are_read_and_a_second_pull_adds_nothing(server, db):
    sources = [
        rss("en", server.file("/en.xml", "rss2_en.xml", etag='"e1"'), language="en"),
        rss("es", server.file("/es.xml", "rss2_es.xml", last_modified="Tue, 17 Mar 2026 10:00:00 GMT")),
        rss("atom", server.file("/atom.xml", "atom.xml"), country="USA"),
        rss("rdf", server.file("/rdf.xml", "rss1.xml")),
        rss("old", server.file("/old.xml", "rss091.xml")),
    ]
    report = pull_once(db, sources, settings=QUICK, now=NOW)
    assert report.status == "ok"
    assert [(o.source_id, o.status, o.seen, o.new) for o in report.outcomes] == [
        ("en", "ok", 8, 8), ("es", "ok", 8, 8), ("atom", "ok", 6, 6), ("rdf", "ok", 4, 4), ("old", "ok", 3, 3),
    ]  # fmt: skip
    assert counts(db)["articles"] == counts(db)["enrichment"] == 29
    with Store(db) as store:
        languages = dict(
            store.conn.execute(
                "SELECT a.source_id, e.language FROM articles a JOIN enrichment e "
                "USING (n) WHERE a.source_id IN ('en', 'es') GROUP BY a.source_id"
            )
        )
        assert languages == {"en": "en", "es": "es"}
        assert store.conn.execute("SELECT COUNT(*) FROM articles WHERE date_flag = 'missing'").fetchone()[0] == 3
    again = pull_once(db, sources, settings=QUICK, now=NOW)
    assert again.new == 0
    statuses = {o.source_id: o.status for o in again.outcomes}
    assert statuses["en"] == statuses["es"] == "not_modified"  # conditional requests answered 304
    assert server.requests[-1].headers.get("User-Agent", "").startswith("bilat/")
    etag_requests = [r for r in server.requests if r.path == "/en.xml"]
    assert etag_requests[-1].headers.get("If-None-Match") == '"e1"'
    assert counts(db)["articles"] == 29


def test_one_failing_source_never_stops_the_others(server, db):
    good = server.route("/good.xml", Reply(body=make_rss("good", 5)))
    sources = [
        rss("good", good),
        rss("down", server.route("/down.xml", Reply(500))),
        rss("missing", server.route("/gone.xml", Reply(404))),
        rss(
            "busy", server.route("/busy.xml", Reply(429, headers={"Retry-After": "1"}), Reply(body=make_rss("busy", 3)))
        ),
        rss("slow", server.route("/slow.xml", Reply(body=make_rss("slow", 3), delay=3.0))),
        rss("html", server.file("/html.xml", "not_a_feed.html")),
        rss("refused", "http://127.0.0.1:9/feed.xml"),
    ]
    report = pull_once(db, sources, settings=QUICK, now=NOW)
    by_id = {o.source_id: o for o in report.outcomes}
    assert report.status == "partial"
    assert (by_id["good"].status, by_id["good"].new) == ("ok", 5)
    assert (by_id["busy"].status, by_id["busy"].new) == ("ok", 3) and server.count("/busy.xml") == 2
    assert by_id["down"].error == "HTTP 500 Internal Server Error (after 3 attempts)" and server.count("/down.xml") == 3
    assert by_id["missing"].error == "HTTP 404 Not Found" and server.count("/gone.xml") == 1
    assert by_id["slow"].error.startswith("no complete answer within 1.5 s")
    assert by_id["html"].error.startswith("not a readable RSS or Atom feed")
    assert by_id["refused"].status == "failed" and "ConnectError" in by_id["refused"].error
    with Store(db) as store:
        health = store.source_health().set_index("source_id")
        assert health.loc["down", "last_error"].startswith("HTTP 500")
        assert health.loc["good", "items_new"] == 5 and health.loc["good", "http_status"] == 200
        runs = store.last_runs()
        assert runs.loc[0, "status"] == "partial" and "down: HTTP 500" in runs.loc[0, "message"]


def test_malformed_and_badly_encoded_feeds_are_read_as_far_as_possible(server, db):
    sources = [
        rss("bad", server.file("/bad.xml", "malformed.xml")),
        rss("latin", server.file("/latin.xml", "latin1.xml")),
        rss("cp1252", server.file("/cp.xml", "wrong_encoding.xml")),
    ]
    report = pull_once(db, sources, settings=QUICK, now=NOW)
    by_id = {o.source_id: o for o in report.outcomes}
    assert (by_id["bad"].status, by_id["bad"].new) == ("ok", 4)
    assert by_id["bad"].warnings[0].startswith("feed is not well-formed")
    with Store(db) as store:
        titles = [t for (t,) in store.conn.execute("SELECT title FROM articles WHERE source_id IN ('latin', 'cp1252')")]
    assert any("ñ" in t for t in titles)
    assert not any("\ufffd" in t or "Ã" in t for t in titles)


def test_scripts_and_javascript_links_never_reach_the_store(server, db):
    report = pull_once(db, [rss("xss", server.file("/x.xml", "script_titles.xml"))], settings=QUICK, now=NOW)
    outcome = report.outcomes[0]
    assert outcome.status == "ok" and outcome.new == 6
    assert any("no http(s) link" in w for w in outcome.warnings)
    with Store(db) as store:
        rows = store.conn.execute("SELECT url, title, text FROM articles").fetchall()
    for url, title, text in rows:
        assert url.startswith(("http://", "https://"))
        for field in (title, text):
            assert "<script" not in field.lower() and "<" not in field and "javascript:" not in field.lower()


def test_dates_are_normalised_and_flagged(server, db):
    pull_once(db, [rss("dates", server.file("/d.xml", "dates_odd.xml"))], settings=QUICK, now=NOW)
    with Store(db) as store:
        flags = dict(store.conn.execute("SELECT date_flag, COUNT(*) FROM articles GROUP BY date_flag").fetchall())
        stamps = [p for (p,) in store.conn.execute("SELECT published FROM articles")]
    assert flags == {"ok": 5, "missing": 1, "unparsable": 1, "future": 1}
    assert all(p.endswith("Z") and p <= "2026-03-20T12:00:00Z" for p in stamps)


def test_the_same_article_in_two_feeds_is_stored_once(server, db):
    sources = [rss("a", server.file("/a.xml", "dup_a.xml")), rss("b", server.file("/b.xml", "dup_b.xml"))]
    report = pull_once(db, sources, settings=QUICK, now=NOW)
    assert report.seen == 12 and report.new == 9
    assert counts(db)["articles"] == 9


def test_wire_copies_are_grouped(server, db):
    sources = [rss(x, server.file(f"/{x}.xml", f"wire_{x}.xml")) for x in "abc"]
    pull_once(db, sources, settings=QUICK, now=NOW)
    with Store(db) as store:
        sizes = sorted(
            n for (n,) in store.conn.execute("SELECT COUNT(*) FROM articles GROUP BY cluster_id HAVING COUNT(*) > 1")
        )
        total = store.count_articles()
    assert sizes == [3, 3]
    assert total == 12


def test_gdelt_source_through_the_pull(server, db):
    body = (Path(__file__).parent / "fixtures" / "gdelt" / "artlist_normal.json").read_bytes()
    api = server.route("/api/v2/doc/doc", Reply(body=body, headers={"Content-Type": "application/json"}))
    source = Source(id="gdelt-per-usa", kind="gdelt", url=api, outlet="GDELT", query='(Peru OR Perú) "United States"')
    report = pull_once(db, [source], settings=QUICK, now=NOW)
    assert report.outcomes[0].status == "ok" and report.outcomes[0].new == 6
    request = server.requests[0]
    assert "mode=ArtList" in request.path and "format=json" in request.path
    with Store(db) as store:
        outlets = {o for (o,) in store.conn.execute("SELECT outlet FROM articles")}
    assert "GDELT" not in outlets and len(outlets) > 1


def test_gdelt_error_page_fails_only_that_source(server, db):
    error = (Path(__file__).parent / "fixtures" / "gdelt" / "error_page.html").read_bytes()
    api = server.route("/api/v2/doc/doc", Reply(body=error, headers={"Content-Type": "text/html"}))
    good = server.route("/good.xml", Reply(body=make_rss("good", 2)))
    sources = [Source(id="g", kind="gdelt", url=api, outlet="GDELT", query="Peru"), rss("good", good)]
    report = pull_once(db, sources, settings=QUICK, now=NOW)
    by_id = {o.source_id: o for o in report.outcomes}
    assert by_id["g"].status == "failed" and by_id["good"].new == 2


def test_file_source(tmp_path, db):
    data = tmp_path / "export.jsonl"
    data.write_text(
        json.dumps({"url": "https://news.example.org/x?utm_source=a", "title": "Peru and the US sign a trade pact",
                    "published": "2026-03-02T10:00:00Z"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    source = Source(id="export", kind="file", url=str(data), outlet="Export", country="USA")
    report = pull_once(db, [source], settings=QUICK, now=NOW)
    assert report.outcomes[0].new == 1
    with Store(db) as store:
        assert store.conn.execute("SELECT url FROM articles").fetchone()[0] == "https://news.example.org/x"


def test_disabled_sources_are_skipped(server, db):
    url = server.route("/a.xml", Reply(body=make_rss("a", 2)))
    report = pull_once(db, [Source(id="a", kind="rss", url=url, outlet="A", enabled=False)], settings=QUICK, now=NOW)
    assert report.outcomes == [] and server.count("/a.xml") == 0


def test_a_second_pull_waits_for_none_and_is_refused_while_one_runs(server, db):
    url = server.route("/a.xml", Reply(body=make_rss("a", 2)))
    Store(db).close()
    with pull_lock(db), pytest.raises(PullLocked, match="another pull of .* is running"):
        pull_once(db, [rss("a", url)], settings=QUICK, now=NOW)
    assert server.count("/a.xml") == 0
    assert pull_once(db, [rss("a", url)], settings=QUICK, now=NOW).new == 2


def test_interrupted_runs_are_marked_by_the_next_pull(server, db):
    url = server.route("/a.xml", Reply(body=make_rss("a", 2)))
    with Store(db) as store:
        stale = store.start_run("pull")  # as a pull killed before it could finish would leave it
        run_pull(store, [rss("a", url)], settings=QUICK, now=NOW)
        statuses = dict(store.conn.execute("SELECT id, status FROM pull_runs").fetchall())
    assert statuses[stale] == "interrupted"
    assert list(statuses.values()).count("ok") == 1


def test_shipped_sources_file_loads():
    sources = load_sources()
    assert {s.kind for s in sources} == {"rss", "gdelt"}


ARTICLE_PAGE = """<!doctype html><html><head><title>Peru and the US</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Peru and the United States widen their anti-narcotics pact</h1>
<p>LIMA - Peru and the United States agreed on Tuesday to widen their cooperation against drug trafficking,
adding river patrols in the Amazon and joint training for the national police.</p>
<p>The agreement, signed by the foreign minister and the US ambassador, also funds alternative crops
for coca farmers in the VRAEM valley, officials said.</p>
<p>Washington will provide forty million dollars over three years, according to the embassy.</p>
</article><footer>Copyright Example News</footer></body></html>"""


def test_fulltext_sources_store_the_article_page_text(server, db):
    page = server.route("/story/1", Reply(body=ARTICLE_PAGE.encode(), headers={"Content-Type": "text/html"}))
    broken = server.route("/story/2", Reply(500))
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Example</title>
    <item><title>Peru and the US widen pact</title><link>{page}</link><description>Short summary.</description>
    <pubDate>Tue, 17 Mar 2026 10:00:00 GMT</pubDate></item>
    <item><title>Second story about Lima</title><link>{broken}</link><description>Only the summary.</description>
    <pubDate>Tue, 17 Mar 2026 11:00:00 GMT</pubDate></item></channel></rss>"""
    url = server.route("/feed.xml", Reply(body=feed.encode()))
    source = Source(id="full", kind="rss", url=url, outlet="Example", country="PER", fulltext=True)
    report = pull_once(db, [source], settings=replace(QUICK, allow_hosts=("127.0.0.1",)), now=NOW)
    assert report.outcomes[0].new == 2
    with Store(db) as store:
        texts = dict(store.conn.execute("SELECT title, text FROM articles").fetchall())
    assert "forty million dollars" in texts["Peru and the US widen pact"]
    assert "Home" not in texts["Peru and the US widen pact"]
    assert texts["Second story about Lima"] == "Only the summary."


def test_fulltext_never_fetches_internal_addresses_named_by_a_feed(server, db):
    """Item links to loopback (directly, as localhost, through a redirect) are refused, recorded
    with the source's run, never requested; the articles keep their feed summaries."""
    secret = b"<html><body><p>" + b"internal admin secret " * 40 + b"</p></body></html>"
    admin = server.route("/admin", Reply(body=secret))
    hop = server.route("/hop", Reply(302, headers={"Location": admin}))
    port = server.base_url.rsplit(":", 1)[1]
    links = [admin, hop.replace("127.0.0.1", "localhost"), f"http://localhost:{port}/admin", "http://[::1]:9/x"]
    items = "".join(
        f"<item><title>Story {n} on Peru</title><link>{link}</link><description>Summary {n}.</description></item>"
        for n, link in enumerate(links)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>X</title>{items}</channel></rss>'
    url = server.route("/feed.xml", Reply(body=feed.encode()))
    source = Source(id="full", kind="rss", url=url, outlet="Example", country="PER", fulltext=True)
    report = pull_once(db, [source], settings=QUICK, now=NOW)
    assert (report.outcomes[0].status, report.outcomes[0].new) == ("ok", 4)
    assert server.count("/admin") == 0 and server.count("/hop") == 0
    with Store(db) as store:
        texts = [t for (t,) in store.conn.execute("SELECT text FROM articles ORDER BY title")]
        (notes,) = store.conn.execute("SELECT notes FROM source_runs WHERE source_id = 'full'").fetchone()
    assert texts == ["Summary 0.", "Summary 1.", "Summary 2.", "Summary 3."]
    lines = notes.splitlines()
    assert len(lines) == 4 and all(": page refused: " in line for line in lines)
    assert f"{admin}: page refused: 127.0.0.1 is a loopback address" in lines
    assert any(": page refused: localhost is a loopback address (" in line for line in lines)


def test_a_source_with_many_new_articles_is_enriched_by_worker_processes(server, tmp_path, monkeypatch):
    from analytics.ingest import pull

    pools = []

    from analytics import workers

    class Recorded(workers.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    big = [rss("big-en", server.route("/big-en.xml", Reply(body=make_rss("big-en", 450))), language="en"),
           rss("big-es", server.route("/big-es.xml", Reply(body=make_rss("big-es", 450, lang="es"))), language="es"),
           rss("small", server.route("/small.xml", Reply(body=make_rss("small", 5))))]  # fmt: skip
    monkeypatch.setattr(workers, "ProcessPoolExecutor", Recorded)
    monkeypatch.setattr(pull.os, "cpu_count", lambda: 2)
    pooled = pull_once(tmp_path / "pooled.sqlite", big, settings=QUICK, now=NOW)
    assert pools == [2]  # started once, for the first big source, and kept for the second
    monkeypatch.setattr(pull, "POOL_FROM", 10**9)
    threaded = pull_once(tmp_path / "threaded.sqlite", big, settings=QUICK, now=NOW)
    assert pools == [2]
    assert [(o.source_id, o.status, o.new) for o in pooled.outcomes] == [
        ("big-en", "ok", 450), ("big-es", "ok", 450), ("small", "ok", 5)
    ]  # fmt: skip
    assert [(o.source_id, o.status, o.new) for o in threaded.outcomes] == [
        (o.source_id, o.status, o.new) for o in pooled.outcomes
    ]
    sql = (
        "SELECT a.url, e.version, e.language, e.sentiment, e.sentences, e.theme_mask, "
        "(SELECT group_concat(dyad) FROM article_dyads d WHERE d.n = a.n) FROM articles a JOIN enrichment e "
        "USING (n) ORDER BY a.url"
    )
    with Store(tmp_path / "pooled.sqlite") as a, Store(tmp_path / "threaded.sqlite") as b:
        rows = a.conn.execute(sql).fetchall()
        assert len(rows) == 905 and rows == b.conn.execute(sql).fetchall()
