"""The fetch guard and what fetch() does with hostile answers: internal addresses, redirect hops,
redirect loops, gzip bombs. Real HTTP on 127.0.0.1 (tests/feedserver.py); private addresses other
than loopback are only ever handed to the guard, never contacted."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib

import pytest
from feedserver import FeedServer, Reply

from analytics.ingest.fetch import FetchSettings, fetch, make_client
from analytics.ingest.guard import FetchGuard, Refused, address_problem

FAST = FetchSettings(timeout=5.0, retries=0, backoff=0.01)


def check(url: str, *, allow: tuple[str, ...] = (), addresses: dict[str, list[str]] | None = None) -> str | None:
    """The guard's refusal message for ``url``, or None when it may be fetched."""
    table = addresses or {}

    async def resolver(host: str, port: int) -> list[str]:
        if host not in table:
            raise Refused(f"host {host!r} cannot be resolved")
        return table[host]

    try:
        asyncio.run(FetchGuard(allow, resolver=resolver).check(url))
    except Refused as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback address"),
        ("127.8.9.10", "loopback address"),
        ("::1", "loopback address"),
        ("0.0.0.0", "unspecified address"),
        ("169.254.169.254", "link-local address"),
        ("fe80::1", "link-local address"),
        ("10.1.2.3", "private address"),
        ("172.16.0.1", "private address"),
        ("192.168.1.1", "private address"),
        ("fc00::1", "private address"),
        ("224.0.0.1", "multicast address"),
        ("240.0.0.1", "private address"),  # reserved, which ipaddress also counts as private
        ("100.64.0.1", "non-public address"),
        ("::ffff:10.0.0.1", "private address"),  # IPv4-mapped IPv6
        ("::ffff:127.0.0.1", "loopback address"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_problem(address, reason):
    assert address_problem(address) == reason


def test_literal_internal_addresses_are_refused_without_resolving():
    assert check("http://127.0.0.1:8080/admin") == "127.0.0.1 is a loopback address"
    assert check("http://[::1]/x") == "::1 is a loopback address"
    assert check("http://169.254.169.254/latest/meta-data/") == "169.254.169.254 is a link-local address"


def test_names_are_judged_by_every_address_they_resolve_to():
    table = {"localhost": ["127.0.0.1"], "news.example.org": ["93.184.215.14"], "mixed.example.org":
             ["93.184.215.14", "10.0.0.7"]}  # fmt: skip
    assert check("http://localhost/admin", addresses=table) == "localhost is a loopback address (127.0.0.1)"
    assert check("https://news.example.org/a", addresses=table) is None
    assert check("https://mixed.example.org/a", addresses=table) == "mixed.example.org is a private address (10.0.0.7)"
    assert check("https://nowhere.example/a", addresses=table) == "host 'nowhere.example' cannot be resolved"


def test_other_schemes_and_broken_urls_are_refused():
    assert check("file:///etc/passwd") == "scheme 'file' is not http or https"
    assert check("gopher://127.0.0.1/") == "scheme 'gopher' is not http or https"
    assert check("http://example.org:99999/x").startswith("not a usable URL")
    assert check("http:///no-host") == "no host name"


def test_allow_hosts_names_exact_hosts_only():
    assert check("http://127.0.0.1:8080/page", allow=("127.0.0.1",)) is None
    assert check("http://localhost:8080/page", allow=("127.0.0.1",), addresses={"localhost": ["127.0.0.1"]})
    assert check("http://[::1]/page", allow=("[::1]",)) is None


def fetch_from(server: FeedServer, path: str, *, trusted: bool = True, allow: tuple[str, ...] = (), **settings):
    config = FetchSettings(**{**FAST.__dict__, **settings})

    async def go():
        async with make_client(config) as client:
            return await fetch(client, server.url(path), config, guard=FetchGuard(allow), trusted=trusted)

    return asyncio.run(go())


def test_a_redirect_to_an_internal_address_is_refused_before_it_is_requested():
    with FeedServer() as server:
        server.route("/admin", Reply(body=b"secret admin page"))
        server.route("/feed", Reply(302, headers={"Location": server.url("/admin")}))
        result = fetch_from(server, "/feed")
        assert result.body is None
        assert result.error == "refused: 127.0.0.1 is a loopback address"
        assert server.count("/admin") == 0
        # The operator's own URL on loopback is trusted; a content URL there is not.
        assert fetch_from(server, "/admin").body == b"secret admin page"
        assert fetch_from(server, "/admin", trusted=False).error == "refused: 127.0.0.1 is a loopback address"
        assert server.count("/admin") == 1


def test_redirects_within_allowed_hosts_are_followed_and_loops_stop():
    with FeedServer() as server:
        server.route("/a", Reply(301, headers={"Location": "/b"}))
        server.route("/b", Reply(307, headers={"Location": server.url("/c")}))
        server.route("/c", Reply(body=b"<rss/>"))
        server.route("/loop", Reply(302, headers={"Location": "/loop"}))
        assert fetch_from(server, "/a", allow=("127.0.0.1",)).body == b"<rss/>"
        looped = fetch_from(server, "/loop", allow=("127.0.0.1",))
        assert looped.error == "more than 5 redirects"
        assert server.count("/loop") == 6  # the first request and five hops, then it stops


def test_a_gzip_bomb_stops_at_the_size_limit():
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB inflated, ~64 KB sent
    assert len(bomb) < 100_000
    with FeedServer() as server:
        server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
        tracemalloc.start()
        try:
            result = fetch_from(server, "/bomb", max_bytes=1024 * 1024)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert result.body is None and result.error == "larger than 1 MB; not read"
        assert peak < 8 * 1024 * 1024  # inflating a whole received chunk at once would take tens of MB


def test_gzip_and_both_kinds_of_deflate_are_inflated():
    text = b"<rss>" + b"news " * 5000 + b"</rss>"
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = raw_deflate.compress(text) + raw_deflate.flush()
    with FeedServer() as server:
        server.route("/gz", Reply(body=gzip.compress(text), headers={"Content-Encoding": "gzip"}))
        server.route("/zlib", Reply(body=zlib.compress(text), headers={"Content-Encoding": "deflate"}))
        server.route("/raw", Reply(body=raw, headers={"Content-Encoding": "deflate"}))
        server.route("/broken", Reply(body=b"not gzip at all", headers={"Content-Encoding": "gzip"}))
        server.route("/br", Reply(body=b"\x0b\x02\x80", headers={"Content-Encoding": "br"}))
        for path in ("/gz", "/zlib", "/raw"):
            assert fetch_from(server, path).body == text, path
        assert fetch_from(server, "/broken").error.startswith("unreadable body: content encoding gzip body is damaged")
        assert fetch_from(server, "/br").error == "unreadable body: content encoding br"


def test_a_declared_length_over_the_limit_is_not_read():
    with FeedServer() as server:
        server.route("/big", Reply(body=b"x" * 300_000))
        assert fetch_from(server, "/big", max_bytes=100_000).error == "larger than 97.7 KB; not read"
