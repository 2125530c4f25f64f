"""The local feed server used by fetch tests and benchmarks, and the feed fixtures it serves."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
import zlib
from datetime import UTC, datetime

import feedparser
import httpx
import pytest
from feedserver import FIXTURES, FeedServer, Reply, gzip_bomb, make_rss, redirect

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
BODY = make_rss("andes", 3)


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


@pytest.fixture
def client():
    # trust_env=False: a proxy set in the environment must not intercept requests to 127.0.0.1.
    with httpx.Client(timeout=5.0, trust_env=False) as c:
        yield c


def test_route_serves_body_and_headers(server, client):
    url = server.route("/feeds/andes.xml", Reply(body=BODY, headers=RSS))

    response = client.get(url)

    assert url == server.base_url + "/feeds/andes.xml"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)
    assert response.status_code == 200
    assert response.content == BODY
    assert response.headers["content-type"] == RSS["Content-Type"]
    assert response.headers["content-length"] == str(len(BODY))


def test_replies_are_served_in_order_and_the_last_repeats(server, client):
    url = server.route("/feed", Reply(429, headers={"Retry-After": "2"}), Reply(body=BODY))

    statuses = [client.get(url) for _ in range(3)]

    assert [r.status_code for r in statuses] == [429, 200, 200]
    assert statuses[0].headers["retry-after"] == "2"
    assert statuses[2].content == BODY
    assert server.count("/feed") == 3


def test_etag_answers_304_to_a_matching_if_none_match(server, client):
    url = server.route("/feed", Reply(body=BODY, etag='"v1"'))

    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": '"v1"'})
    changed = client.get(url, headers={"If-None-Match": '"v0"'})

    assert first.status_code == 200 and first.headers["etag"] == '"v1"'
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == '"v1"'
    assert changed.status_code == 200 and changed.content == BODY


def test_last_modified_answers_304_to_a_matching_if_modified_since(server, client):
    stamp = "Thu, 05 Mar 2026 17:15:00 GMT"
    url = server.route("/feed", Reply(body=BODY, last_modified=stamp))

    first = client.get(url)
    again = client.get(url, headers={"If-Modified-Since": stamp})
    older = client.get(url, headers={"If-Modified-Since": "Wed, 04 Mar 2026 00:00:00 GMT"})

    assert first.status_code == 200 and first.headers["last-modified"] == stamp
    assert again.status_code == 304 and again.content == b""
    assert older.status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(server, client):
    stamp = "Thu, 05 Mar 2026 17:15:00 GMT"
    url = server.route("/feed", Reply(body=BODY, etag='"v2"', last_modified=stamp))

    response = client.get(url, headers={"If-None-Match": '"v1"', "If-Modified-Since": stamp})

    assert response.status_code == 200


def test_delay_holds_the_reply_back(server, client):
    url = server.route("/slow", Reply(body=BODY, delay=0.3))

    started = time.monotonic()
    response = client.get(url)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_trickle_sends_the_whole_body_slowly(server, client):
    url = server.route("/trickle", Reply(body=b"abcde", trickle=0.1))

    started = time.monotonic()
    response = client.get(url)

    assert response.content == b"abcde"
    assert time.monotonic() - started >= 0.4  # five one-byte chunks, four waits between them


def test_unknown_path_is_404_and_logged(server, client):
    server.route("/known", Reply(body=BODY))

    response = client.get(server.url("/unknown"))

    assert response.status_code == 404
    assert [r.path for r in server.requests] == ["/unknown"]
    assert server.count("/known") == 0


def test_request_log_records_path_and_headers(server, client):
    url = server.route("/feed", Reply(body=BODY))

    client.get(url + "?page=2", headers={"User-Agent": "bilat-test/0.1 (+https://bilat.example)"})

    [entry] = server.requests
    assert entry.method == "GET"
    assert entry.path == "/feed?page=2"
    assert entry.headers["User-Agent"] == "bilat-test/0.1 (+https://bilat.example)"
    assert entry.headers["user-agent"] == entry.headers["USER-AGENT"]
    assert "Host" in entry.headers
    assert server.count("/feed") == 1
    assert server.count("/feed?page=2") == 1
    assert server.count("/feed?page=3") == 0


def test_a_route_with_a_query_matches_only_that_query(server, client):
    server.route("/search?q=peru", Reply(body=b"peru"))
    server.route("/search", Reply(body=b"any"))

    assert client.get(server.url("/search?q=peru")).content == b"peru"
    assert client.get(server.url("/search?q=chile")).content == b"any"


def test_file_serves_a_fixture_with_a_guessed_content_type(server, client):
    xml = client.get(server.file("/es.xml", "rss2_es.xml"))
    page = client.get(server.file("/down", "not_a_feed.html"))
    forced = client.get(server.file("/forced.xml", "rss2_en.xml", headers={"Content-Type": "text/plain"}, etag='"e"'))

    assert xml.content == (FIXTURES / "rss2_es.xml").read_bytes()
    assert xml.headers["content-type"] == "application/xml"
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert forced.headers["content-type"] == "text/plain" and forced.headers["etag"] == '"e"'


def test_close_returns_promptly_while_a_reply_is_trickling():
    threads_before = set(threading.enumerate())
    server = FeedServer()
    server.start()
    # 10 kB one byte per 0.2 s: half an hour to finish if nothing stopped it.
    url = server.route("/never-ends", Reply(body=b"x" * 10_000, headers=RSS, trickle=0.2))
    outcome: dict[str, object] = {}
    got_headers = threading.Event()

    def fetch() -> None:
        try:
            with httpx.Client(timeout=5.0, trust_env=False) as c, c.stream("GET", url) as response:
                got_headers.set()
                outcome["body"] = b"".join(response.iter_bytes())
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    client_thread = threading.Thread(target=fetch, daemon=True)
    client_thread.start()
    assert got_headers.wait(5), "the trickling reply never started"
    time.sleep(0.3)  # let a chunk or two through, so close() interrupts a reply in progress

    started = time.monotonic()
    server.close()
    closed_in = time.monotonic() - started
    client_thread.join(5)

    assert closed_in < 3
    assert not client_thread.is_alive()
    assert set(threading.enumerate()) <= threads_before, "a handler thread outlived close()"
    # The client saw a truncated body, never the full 10 kB.
    assert "error" in outcome or len(outcome["body"]) < 10_000


def test_close_returns_promptly_while_a_reply_is_delayed():
    server = FeedServer()
    server.start()
    url = server.route("/slow", Reply(body=BODY, delay=60))
    client_thread = threading.Thread(target=_get_ignoring_errors, args=(url,), daemon=True)
    client_thread.start()
    deadline = time.monotonic() + 5
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)

    started = time.monotonic()
    server.close()

    assert server.requests, "the delayed request never arrived"
    assert time.monotonic() - started < 3
    client_thread.join(5)
    assert not client_thread.is_alive()


def test_close_returns_promptly_with_a_connection_that_never_sends_a_request():
    threads_before = set(threading.enumerate())
    server = FeedServer()
    server.start()
    port = int(server.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        time.sleep(0.1)  # the handler thread is now blocked reading a request line

        started = time.monotonic()
        server.close()

        assert time.monotonic() - started < 3
        assert set(threading.enumerate()) <= threads_before, "the idle handler outlived close()"
    assert server.requests == []


def _get_ignoring_errors(url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server hangs up on shutdown, as it should
        httpx.get(url, timeout=5.0, trust_env=False)


# make_rss: the benchmark's synthetic feeds.


def test_make_rss_is_a_valid_deterministic_feed_of_distinct_items():
    body = make_rss("andina-en", 50)
    feed = feedparser.parse(body)

    assert body == make_rss("andina-en", 50)
    assert not feed.bozo and feed.version == "rss20"
    assert len(feed.entries) == 50
    assert {e.link for e in feed.entries} == {f"https://news.example.org/andina-en/{i}" for i in range(50)}
    assert len({e.title for e in feed.entries}) == 50
    assert len({e.summary for e in feed.entries}) == 50
    assert all("Peru" in e.summary and "United States" in e.summary for e in feed.entries)


def test_make_rss_dates_are_an_hour_apart_newest_first():
    start = datetime(2026, 1, 10, 6, tzinfo=UTC)
    feed = feedparser.parse(make_rss("x", 4, start=start, base="https://a.example"))

    dated = [(e.link, datetime(*e.published_parsed[:6], tzinfo=UTC)) for e in feed.entries]

    assert dated == [
        ("https://a.example/x/3", datetime(2026, 1, 10, 9, tzinfo=UTC)),
        ("https://a.example/x/2", datetime(2026, 1, 10, 8, tzinfo=UTC)),
        ("https://a.example/x/1", datetime(2026, 1, 10, 7, tzinfo=UTC)),
        ("https://a.example/x/0", datetime(2026, 1, 10, 6, tzinfo=UTC)),
    ]
    assert re.search(rb"<pubDate>Sat, 10 Jan 2026 06:00:00 \+0000</pubDate>", make_rss("x", 1, start=start))


def test_make_rss_in_spanish_and_across_feeds():
    spanish = feedparser.parse(make_rss("elmirador", 5, lang="es"))
    titles = [t for i in range(20) for t in re.findall(rb"<item><title>(.*?)</title>", make_rss(f"feed-{i}", 50))]

    assert spanish.feed.language == "es"
    assert all("Perú" in e.summary and "Estados Unidos" in e.summary for e in spanish.entries)
    assert len(titles) == len(set(titles)) == 1000
    assert make_rss("x", 0).count(b"<item>") == 0


# The fixtures, parsed the way the fetcher will: fetched over HTTP, headers passed to feedparser.

# fixture -> (feed version, entries, bozo)
EXPECTED = {
    "rss2_en.xml": ("rss20", 8, False),
    "rss2_es.xml": ("rss20", 8, False),
    "atom.xml": ("atom10", 6, False),
    "rss1.xml": ("rss10", 4, False),
    "rss091.xml": ("rss091n", 3, False),
    "malformed.xml": ("rss20", 4, True),
    "not_a_feed.html": ("", 0, True),
    "latin1.xml": ("rss20", 4, False),
    "wrong_encoding.xml": ("rss20", 3, True),
    "script_titles.xml": ("rss20", 7, False),
    "dates_odd.xml": ("rss20", 8, False),
    "dup_a.xml": ("rss20", 6, False),
    "dup_b.xml": ("rss20", 6, False),
    "wire_a.xml": ("rss20", 4, False),
    "wire_b.xml": ("rss20", 4, False),
    "wire_c.xml": ("rss20", 4, False),
}


def fetch_parsed(name: str):
    with FeedServer() as server, httpx.Client(timeout=5.0, trust_env=False) as c:
        response = c.get(server.file("/" + name, name))
    return feedparser.parse(response.content, response_headers=dict(response.headers))


def test_every_fixture_is_expected_and_documented():
    on_disk = {p.name for p in FIXTURES.iterdir() if p.name != "README.md"}
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")

    assert on_disk == set(EXPECTED)
    assert [name for name in EXPECTED if f"`{name}`" not in readme] == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_into_the_expected_entries(name):
    version, entries, bozo = EXPECTED[name]

    feed = fetch_parsed(name)

    assert (feed.version, len(feed.entries), bool(feed.bozo)) == (version, entries, bozo)
    assert all(e.get("title") and e.get("link") for e in feed.entries)


def test_big_feed_from_make_rss_parses_through_the_server(server, client):
    response = client.get(server.route("/big.xml", Reply(body=make_rss("big", 50), headers=RSS)))

    feed = feedparser.parse(response.content, response_headers=dict(response.headers))

    assert (feed.version, len(feed.entries), feed.bozo) == ("rss20", 50, False)


def test_latin1_fixture_decodes_to_the_right_characters():
    raw = (FIXTURES / "latin1.xml").read_bytes()
    feed = fetch_parsed("latin1.xml")

    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the file really is Latin-1, not UTF-8 with a Latin-1 label
    assert feed.encoding == "iso-8859-1"
    assert feed.feed.title == "Radio Señal Andina - Noticias"
    assert feed.entries[0].title == "Año récord: exportación de café peruano a EE.UU. crece 18 %"
    assert feed.entries[2].title.startswith("Niños de comunidades altoandinas")


def test_wrong_encoding_fixture_is_flagged_and_read_as_windows_1252():
    feed = fetch_parsed("wrong_encoding.xml")

    assert isinstance(feed.bozo_exception, feedparser.CharacterEncodingOverride)
    assert feed.encoding == "windows-1252"
    assert feed.entries[0].title == "\u201cChancay is not a threat,\u201d Peru\u2019s trade minister tells US lawmakers"
    assert "Perú" in feed.entries[0].summary and "\u2013" in feed.entries[0].summary
    assert "\ufffd" not in feed.entries[2].summary and "\u2026" in feed.entries[2].summary


def test_malformed_fixture_loses_the_item_after_the_unclosed_description():
    feed = fetch_parsed("malformed.xml")

    assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == [
        "peru-eeuu-cooperacion-antidrogas-vraem",
        "exportaciones-cobre-china-eeuu",
        "migracion-seguridad-peru-chile-frontera",
        "mexico-peru-reanudan-dialogo",
    ]
    assert "summary" not in feed.entries[3]


def test_script_titles_fixture_titles_and_links_pass_through_unsanitised():
    # What feedparser leaves to us: the store must strip titles and refuse non-http links itself.
    entries = fetch_parsed("script_titles.xml").entries

    assert "<script>alert(1)</script>" in entries[0].title
    assert "<script>alert(1)</script>" in entries[1].title
    assert "&lt;b&gt;" in entries[2].title
    assert entries[4].link == "javascript:alert(2)"
    assert "onerror" in entries[5].title
    assert "<script" not in entries[0].summary and "javascript:" not in entries[3].summary
    assert "onclick" not in entries[3].summary and "<iframe" not in entries[3].summary


def test_dates_odd_fixture_dates_as_feedparser_reads_them():
    entries = fetch_parsed("dates_odd.xml").entries

    parsed = [e.get("published_parsed") and datetime(*e.published_parsed[:6]) for e in entries]

    assert [e.get("published") for e in entries[:2]] == [None, "yesterday afternoon"]
    assert parsed == [
        None,
        None,
        datetime(2031, 3, 3, 15, 0),
        datetime(2026, 3, 4, 14, 0),  # 09:00 EST
        datetime(2026, 3, 4, 1, 30),  # 18:30 PDT the day before
        datetime(2026, 3, 2, 19, 15),
        datetime(2026, 3, 5, 0, 0),
        datetime(2026, 3, 5, 21, 45),
    ]


def test_rss1_dates_come_out_as_updated():
    entries = fetch_parsed("rss1.xml").entries

    assert all("published_parsed" not in e for e in entries)
    assert datetime(*entries[0].updated_parsed[:6]) == datetime(2026, 3, 4, 15, 0)


def test_rss2_es_fixture_keeps_accents_and_authors():
    entries = fetch_parsed("rss2_es.xml").entries

    assert entries[0].author == "Lucía Quispe Huamán"
    assert entries[0].title.startswith("Cancillería peruana")
    assert 'src="https://elmirador.example.pe/img/2026/03/firma-memorando.jpg"' in entries[0].summary
    assert "<strong>migración ordenada</strong>" in entries[0].summary


# Hostile replies for the fault suite: endless bodies, raw bytes, redirects, gzip bombs.


def test_endless_reply_streams_chunks_until_the_client_stops(server, client):
    url = server.route("/endless", Reply(body=b"<item>" * 1000, headers=RSS, endless=True))

    received = 0
    with client.stream("GET", url) as response:
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > 5_000_000:
                break

    assert response.http_version == "HTTP/1.1"
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.headers["content-type"] == RSS["Content-Type"]
    assert "content-length" not in response.headers
    assert received > 5_000_000  # far more than the 6 kB body: it repeats


def test_endless_reply_with_trickle_drips_and_close_stops_it():
    threads_before = set(threading.enumerate())
    server = FeedServer()
    server.start()
    url = server.route("/drip", Reply(body=b"x", endless=True, trickle=0.05))
    received: list[bytes] = []
    got_some = threading.Event()

    def read() -> None:
        with (
            contextlib.suppress(httpx.HTTPError),
            httpx.Client(timeout=5.0, trust_env=False) as c,
            c.stream("GET", url) as response,
        ):
            for chunk in response.iter_bytes():
                received.append(chunk)
                got_some.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert got_some.wait(5), "the endless reply never sent a chunk"
    time.sleep(0.3)

    started = time.monotonic()
    server.close()
    reader.join(5)

    assert time.monotonic() - started < 3
    assert not reader.is_alive()
    assert set(threading.enumerate()) <= threads_before, "the endless handler outlived close()"
    assert 2 <= len(b"".join(received)) < 40  # a byte each 0.05 s for about 0.3 s, then cut off


def test_raw_reply_is_sent_as_is(server, client):
    garbage = server.route("/garbage", Reply(raw=b"SPDY/9 banana\r\n\r\n"))
    silent = server.route("/silent", Reply(raw=b""))
    short = server.route("/short", Reply(raw=b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nonly this"))

    with pytest.raises(httpx.RemoteProtocolError):
        client.get(garbage)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(silent)
    with pytest.raises(httpx.RemoteProtocolError):  # the body ends 91 bytes short of its length
        client.get(short)
    assert [server.count(p) for p in ("/garbage", "/silent", "/short")] == [1, 1, 1]


def test_redirect_sends_the_client_on(server, client):
    server.route("/feed", Reply(body=BODY))
    first = server.route("/old", redirect("/moved", 301))
    server.route("/moved", redirect(server.url("/feed")))

    response = client.get(first, follow_redirects=True)

    assert response.content == BODY
    assert [r.status_code for r in response.history] == [301, 302]
    assert [r.path for r in server.requests] == ["/old", "/moved", "/feed"]


def test_gzip_bomb_inflates_to_the_size_asked_from_a_thousandth_of_it():
    bomb = gzip_bomb(64 << 20)

    inflated = zlib.decompress(bomb, 16 + zlib.MAX_WBITS)  # checks the CRC and the length too

    assert len(inflated) == 64 << 20 and inflated.count(0) == len(inflated)
    assert len(bomb) < (64 << 20) // 900
    assert len(gzip_bomb(2 << 30)) < (2 << 30) // 900  # GiBs stay cheap to build


def test_gzip_bomb_in_two_layers_is_tiny_and_inflates_twice(server, client):
    bomb = gzip_bomb(32 << 20, layers=2)
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip, gzip"}))

    response = client.get(url)

    assert len(bomb) < 2000
    assert zlib.decompress(bomb, 16 + zlib.MAX_WBITS) == gzip_bomb(32 << 20)
    assert len(response.content) == 32 << 20  # what a client that trusts the header gets
