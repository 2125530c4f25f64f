"""HTTP fetching for pulls: the only module of the ingest package that touches the network.

Every request carries a descriptive User-Agent, a connect and a total deadline, and the source's
ETag / Last-Modified so an unchanged feed costs a 304. Transport errors, 5xx and 429 are retried
with exponential backoff; a Retry-After header (seconds or an HTTP date) is honoured up to a cap.
Bodies are read as a stream and cut off at a size limit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from analytics import __version__


@dataclass(frozen=True)
class FetchSettings:
    """Limits of one pull's HTTP requests."""

    timeout: float = 20.0  # whole request, from connect to the last byte
    connect_timeout: float = 5.0
    retries: int = 3  # further attempts after the first
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_backoff: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After gives up instead of waiting
    max_bytes: int = 10 * 1024 * 1024
    concurrency: int = 8
    gdelt_interval: float = 5.0  # GDELT asks for about one request per 5 seconds
    user_agent: str = f"bilat/{__version__} (self-hosted media monitor for bilateral relations)"


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one URL."""

    url: str
    status: int | None  # the last HTTP status, None when no response came
    body: bytes | None  # None when not modified or failed
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return self.error is None


class _TooLarge(Exception):
    pass


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number, or an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """One client per pull: connection reuse across sources, our headers and timeouts."""
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        follow_redirects=True,
        limits=httpx.Limits(max_connections=settings.concurrency * 2, max_keepalive_connections=settings.concurrency),
    )


async def _read(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int
) -> tuple[httpx.Response, bytes]:
    async with client.stream("GET", url, headers=headers) as response:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
        return response, b"".join(chunks)


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    sleep=asyncio.sleep,
) -> FetchResult:
    """GET ``url`` with retries; never raises for network or HTTP trouble (see ``error``)."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    status: int | None = None
    error = "no attempt made"
    for attempt in range(1, settings.retries + 2):
        wait = min(settings.backoff * 2 ** (attempt - 1), settings.max_backoff)
        try:
            response, body = await asyncio.wait_for(_read(client, url, headers, settings.max_bytes), settings.timeout)
        except _TooLarge:
            return FetchResult(url, None, None, error=f"larger than {settings.max_bytes // 1024 // 1024} MB; not read",
                               attempts=attempt)  # fmt: skip
        except (TimeoutError, httpx.TimeoutException):
            status, error = None, f"no complete answer within {settings.timeout:g} s"
        except httpx.HTTPError as exc:
            status, error = None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        else:
            status = response.status_code
            if status == 304:
                return FetchResult(url, 304, None, etag=etag, last_modified=last_modified, attempts=attempt)
            if 200 <= status < 300:
                return FetchResult(
                    url,
                    status,
                    body,
                    content_type=response.headers.get("content-type"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    attempts=attempt,
                )
            error = f"HTTP {status} {response.reason_phrase}".strip()
            if status != 429 and status < 500:
                return FetchResult(url, status, None, error=error, attempts=attempt)
            asked = retry_after_seconds(response.headers.get("retry-after"))
            if asked is not None:
                if asked > settings.max_retry_after:
                    return FetchResult(url, status, None, attempts=attempt,
                                       error=f"{error}; the server asks to wait {asked:.0f} s, longer than "
                                       f"{settings.max_retry_after:.0f} s: try the next pull")  # fmt: skip
                wait = asked
        if attempt <= settings.retries:
            await sleep(wait)
    tries = settings.retries + 1
    return FetchResult(url, status, None, error=f"{error} (after {tries} attempt{'s' if tries > 1 else ''})",
                       attempts=settings.retries + 1)  # fmt: skip
