"""HTTP fetching for pulls: the only module of the ingest package that touches the network.

Every request carries a descriptive User-Agent, a connect and a total deadline, and the source's
ETag / Last-Modified so an unchanged feed costs a 304. Transport errors, 5xx and 429 are retried
with exponential backoff; a Retry-After header (seconds or an HTTP date) is honoured up to a cap.

Bodies are read as a stream and cut off at a size limit, counted both as sent and as inflated: a
gzip or deflate body is inflated here, a bounded piece at a time, so a small compressed body that
would inflate to gigabytes stops at the limit instead of filling memory. Redirects are followed
here too, at most :data:`MAX_REDIRECTS` hops, each hop checked by the fetch guard
(:mod:`analytics.ingest.guard`) before it is requested.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from analytics import __version__
from analytics.ingest.guard import FetchGuard, Refused

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
    # Whole-pull limits, settable in the [pull] table of sources.toml (see analytics.ingest.sources).
    source_deadline: float = 300.0  # seconds one source may take, fetching, parsing and enriching
    pull_deadline: float = 1800.0  # seconds the whole pull may take
    max_items: int = 1000  # items read from one feed answer; the rest are left out, with a note
    max_pages: int = 500  # article pages fetched for full text in one pull, all sources together
    allow_hosts: tuple[str, ...] = ()  # hosts whose content links may resolve to internal addresses


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


class _BadEncoding(Exception):
    pass


class _Inflater:
    """Undoes a Content-Encoding of gzip or deflate, never producing more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        names = [e.strip().lower() for e in encoding.split(",") if e.strip() and e.strip().lower() != "identity"]
        if len(names) > 1 or (names and names[0] not in ("gzip", "x-gzip", "deflate")):
            raise _BadEncoding(encoding)
        self.kind = names[0] if names else None
        self.limit = limit
        self.produced = 0
        self.zlib = None
        if self.kind in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.kind == "deflate":
            # "deflate" is meant to be zlib-wrapped, but many servers send raw deflate: 47 reads
            # gzip or zlib headers, so raw deflate is tried when the first bytes are neither.
            self.zlib = zlib.decompressobj(zlib.MAX_WBITS)
            self.started = False

    def feed(self, chunk: bytes) -> bytes:
        if self.zlib is None:
            return self._count(chunk)
        try:
            if self.kind == "deflate" and not self.started:
                self.started = True
                try:
                    return self._inflate(chunk)
                except zlib.error:
                    self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._inflate(chunk)
        except zlib.error as exc:
            raise _BadEncoding(f"{self.kind} body is damaged ({exc})") from None

    def _inflate(self, chunk: bytes) -> bytes:
        out = self.zlib.decompress(chunk, self.limit - self.produced + 1)
        if self.zlib.unconsumed_tail:  # more output waits than the limit allows
            raise _TooLarge
        return self._count(out)

    def _count(self, data: bytes) -> bytes:
        self.produced += len(data)
        if self.produced > self.limit:
            raise _TooLarge
        return data


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.3g} MB" if n >= 1024 * 1024 else f"{n / 1024:.3g} KB"


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
        follow_redirects=False,  # fetch() follows them itself, checking each hop
        limits=httpx.Limits(max_connections=settings.concurrency * 2, max_keepalive_connections=settings.concurrency),
    )


async def _read_one(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int
) -> tuple[httpx.Response, bytes]:
    async with client.stream("GET", url, headers=headers) as response:
        if response.status_code in _REDIRECTS or not 200 <= response.status_code < 300:
            return response, b""  # a redirect's or an error's body is not needed
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _TooLarge
        if response.is_stream_consumed:  # a response built in memory (test transports): already decoded
            if len(response.content) > limit:
                raise _TooLarge
            return response, response.content
        inflater = _Inflater(response.headers.get("content-encoding", ""), limit)
        chunks: list[bytes] = []
        sent = 0
        async for chunk in response.aiter_raw():
            sent += len(chunk)
            if sent > limit:
                raise _TooLarge
            chunks.append(inflater.feed(chunk))
        return response, b"".join(chunks)


async def _read(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    limit: int,
    guard: FetchGuard | None,
    trusted: bool,
) -> tuple[httpx.Response, bytes]:
    """GET ``url``, following redirects; every URL not ``trusted`` (all hops after the first) is
    checked by the guard first."""
    for hop in range(MAX_REDIRECTS + 1):
        if guard is not None and (hop or not trusted):
            await guard.check(url)
        response, body = await _read_one(client, url, headers, limit)
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or not location:
            return response, body
        try:
            url = str(response.url.join(location))
        except (httpx.InvalidURL, ValueError) as exc:
            raise Refused(f"redirect to an unusable URL ({exc})") from None
    raise _TooManyRedirects


class _TooManyRedirects(Exception):
    pass


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    sleep=asyncio.sleep,
    guard: FetchGuard | None = None,
    trusted: bool = True,
    ends: float | None = None,
) -> FetchResult:
    """GET ``url`` with retries; never raises for network or HTTP trouble (see ``error``).

    With a ``guard``, every redirect hop is checked before it is requested, and so is ``url``
    itself unless it is ``trusted`` (written by the operator). A refusal is not retried; its
    ``error`` starts with "refused". ``ends`` (a ``time.monotonic()`` value) is the caller's
    deadline: no retry is started that could not finish before it.
    """
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
            response, body = await asyncio.wait_for(
                _read(client, url, headers, settings.max_bytes, guard, trusted), settings.timeout
            )
        except _TooLarge:
            return FetchResult(url, None, None, error=f"larger than {_size(settings.max_bytes)}; not read",
                               attempts=attempt)  # fmt: skip
        except Refused as exc:
            return FetchResult(url, None, None, error=f"refused: {exc}", attempts=attempt)
        except _TooManyRedirects:
            return FetchResult(url, None, None, error=f"more than {MAX_REDIRECTS} redirects", attempts=attempt)
        except _BadEncoding as exc:
            return FetchResult(url, None, None, error=f"unreadable body: content encoding {exc}", attempts=attempt)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError, UnicodeError) as exc:
            return FetchResult(url, None, None, error=f"unusable URL or answer: {exc}"[:300], attempts=attempt)
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
            if ends is not None and time.monotonic() + wait + 1.0 > ends:
                # Another attempt could not finish before the source's deadline: say what went
                # wrong rather than let the deadline speak for it.
                return FetchResult(url, status, None, attempts=attempt,
                                   error=f"{error} (after {attempt} attempt{'s' if attempt > 1 else ''}; "
                                   "no time left before the source deadline for another)")  # fmt: skip
            await sleep(wait)
    tries = settings.retries + 1
    return FetchResult(url, status, None, error=f"{error} (after {tries} attempt{'s' if tries > 1 else ''})",
                       attempts=settings.retries + 1)  # fmt: skip
