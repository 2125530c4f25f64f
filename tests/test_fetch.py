"""HTTP fetching: retries, Retry-After, conditional requests, limits (httpx mock transport)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from analytics.ingest.fetch import FetchSettings, fetch, retry_after_seconds

FAST = FetchSettings(timeout=2.0, retries=3, backoff=0.5, max_backoff=4.0, max_retry_after=60.0)


def run(replies, *, settings=FAST, **kwargs):
    """Fetch https://feed.example.org/rss through a transport answering ``replies`` in turn."""
    seen: list[httpx.Request] = []
    waits: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = replies[min(len(seen), len(replies)) - 1]
        return reply(request) if callable(reply) else reply

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go():
        headers = {"User-Agent": settings.user_agent}
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler), headers=headers) as client:
            return await fetch(client, "https://feed.example.org/rss", settings, sleep=fake_sleep, **kwargs)

    return asyncio.run(go()), seen, waits


def test_success_returns_body_and_validators():
    reply = httpx.Response(
        200, content=b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Tue, 03 Mar 2026 10:00:00 GMT"}
    )
    result, seen, waits = run([reply])
    assert (result.status, result.body, result.etag, result.error) == (200, b"<rss/>", '"v1"', None)
    assert result.last_modified == "Tue, 03 Mar 2026 10:00:00 GMT"
    assert seen[0].headers["User-Agent"].startswith("bilat/")
    assert waits == []


def test_conditional_request_and_304():
    result, seen, _ = run([httpx.Response(304)], etag='"v1"', last_modified="Tue, 03 Mar 2026 10:00:00 GMT")
    assert seen[0].headers["If-None-Match"] == '"v1"'
    assert seen[0].headers["If-Modified-Since"] == "Tue, 03 Mar 2026 10:00:00 GMT"
    assert result.not_modified and result.ok and result.body is None and result.etag == '"v1"'


def test_5xx_is_retried_with_doubling_backoff():
    result, seen, waits = run([httpx.Response(503), httpx.Response(502), httpx.Response(200, content=b"ok")])
    assert result.status == 200 and result.body == b"ok" and result.attempts == 3
    assert waits == [0.5, 1.0]


def test_gives_up_after_the_retries():
    result, seen, waits = run([httpx.Response(500)])
    assert len(seen) == 4 and waits == [0.5, 1.0, 2.0]
    assert result.error == "HTTP 500 Internal Server Error (after 4 attempts)" and result.body is None


def test_429_honours_retry_after():
    result, seen, waits = run([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, content=b"x")])
    assert waits == [7.0] and result.body == b"x"


def test_retry_after_too_long_gives_up_at_once():
    result, seen, waits = run([httpx.Response(429, headers={"Retry-After": "3600"})])
    assert len(seen) == 1 and waits == []
    assert "asks to wait 3600 s" in result.error


def test_4xx_is_not_retried():
    result, seen, _ = run([httpx.Response(404)])
    assert len(seen) == 1 and result.error == "HTTP 404 Not Found" and result.status == 404


def test_transport_errors_are_retried():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    result, seen, waits = run([refuse, refuse, httpx.Response(200, content=b"back")])
    assert result.body == b"back" and waits == [0.5, 1.0]
    result, seen, _ = run([refuse])
    assert result.status is None and result.error.startswith("ConnectError: connection refused")


def test_size_limit():
    small = FetchSettings(max_bytes=1024, retries=0)
    result, _, _ = run([httpx.Response(200, content=b"x" * 5000)], settings=small)
    assert result.body is None and "larger than" in result.error


def test_retry_after_forms():
    now = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Tue, 03 Mar 2026 10:01:30 GMT", now=now) == 90.0
    assert retry_after_seconds("Tue, 03 Mar 2026 09:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
