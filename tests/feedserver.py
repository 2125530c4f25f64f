"""A local HTTP server that plays feed sources for tests and benchmarks (stdlib only).

```python
with FeedServer() as server:
    url = server.route("/feed.xml", Reply(429, headers={"Retry-After": "1"}), Reply(body=make_rss("a", 5)))
    server.file("/es.xml", "rss2_es.xml", etag='"v1"')
    ...
    assert server.count("/feed.xml") == 2
```

Each route holds a sequence of replies served in order; the last one repeats. A reply can be slow
(``delay``), never quite finish (``trickle``), never end at all (``endless``), be raw bytes instead
of an HTTP answer (``raw``) or answer conditional requests with 304 (``etag``, ``last_modified``);
:func:`redirect` and :func:`gzip_bomb` build the hostile answers the fault suite needs. The server
binds 127.0.0.1 on a free port, answers 404 for unknown paths and records every request. Leaving
the ``with`` block stops it promptly even while a reply is still trickling: every wait checks a
stop event, and open connections are shut down.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import mimetypes
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
CLOSE_TIMEOUT = 5.0  # seconds close() waits for handler threads
ENDLESS_LIMIT = 300.0  # seconds an endless reply runs at most, should a client keep reading it

# Extensions the stdlib's mimetypes table gets wrong or leaves out for feeds. XML is served without
# a charset so that the XML declaration decides the encoding, as most real feed servers do.
_CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
}


@dataclass
class Reply:
    """One canned answer. ``trickle`` sends ``chunk_size`` bytes of the body every ``trickle``
    seconds after the headers (with the full Content-Length), so a client's read timeout never
    fires while the whole download takes ``len(body) / chunk_size * trickle`` seconds.

    ``endless`` answers HTTP/1.1 with chunked encoding and sends ``body`` as one chunk after
    another, every ``trickle`` seconds (0: as fast as the client reads), until the client hangs
    up, the server closes or :data:`ENDLESS_LIMIT` passes. ``raw`` replaces the whole answer
    (status line and headers included) by these bytes, after which the connection closes;
    ``raw=b""`` hangs up without a word."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    chunk_size: int = 1
    endless: bool = False
    raw: bytes | None = None


def redirect(location: str, status: int = 302) -> Reply:
    """A reply sending the client to ``location`` (absolute, or a path on the same server)."""
    return Reply(status, headers={"Location": location, "Content-Type": "text/plain"})


@functools.lru_cache(maxsize=8)
def gzip_bomb(inflated: int, *, layers: int = 1) -> bytes:
    """A gzip body that inflates to ``inflated`` zero bytes (rounded down to whole MiB), about a
    thousandth of that size; with ``layers=2`` gzip inside gzip, to send with
    ``Content-Encoding: gzip, gzip``: a few hundred bytes that inflate to the inner bomb.

    Built in well under a second for GiBs: after a full flush the compressor starts afresh, so
    every MiB of zeros compresses to the same block, which is repeated instead of recomputed.
    """
    if layers > 1:
        return gzip_wrap(gzip_bomb(inflated, layers=layers - 1))
    mib = bytes(1 << 20)
    units = inflated >> 20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(units):
        crc = zlib.crc32(mib, crc)
    tail = deflate.flush(zlib.Z_FINISH)  # the empty last block
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, no time
    return header + block * units + tail + struct.pack("<II", crc, (units << 20) & 0xFFFFFFFF)


def gzip_wrap(data: bytes) -> bytes:
    """``data`` as one gzip member (what a server sends with ``Content-Encoding: gzip``)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return deflate.compress(data) + deflate.flush()


class Headers(dict):
    """Request headers keyed by lower-case name, so ``h["User-Agent"]`` and ``h["user-agent"]`` agree.
    A header sent twice keeps its last value."""

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()):
        super().__init__()
        pairs = items.items() if isinstance(items, Mapping) else items
        for key, value in pairs:
            self[key] = value

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: str | None = None) -> str | None:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class RequestLog:
    """One request as received: ``path`` is the request target (with any query string)."""

    method: str
    path: str
    headers: Headers
    time: float  # time.monotonic() when the request line was read


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 serving registered routes; use as a context manager."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.requests: list[RequestLog] = []
        self._httpd = _Server(("127.0.0.1", 0), _make_handler(self))
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FeedServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Serve in a background daemon thread (``__enter__`` calls this)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
            self._thread.daemon = True
            self._thread.start()

    def close(self) -> None:
        """Stop serving and wait for every handler: waits end at once, open sockets are shut down."""
        self._stop.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        # No connection is accepted any more, so this list is complete. Shutting a socket down wakes
        # a handler blocked reading a request line or writing to a client that stopped reading.
        for conn in self._httpd.open_connections():
            with contextlib.suppress(OSError):  # already closed by the client or the handler
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        # Handler threads are daemons, which server_close() does not wait for: wait here, bounded,
        # so no handler outlives its test and a stuck one still cannot hang the suite.
        deadline = time.monotonic() + CLOSE_TIMEOUT
        for thread in self._httpd.handler_threads():
            thread.join(max(0.0, deadline - time.monotonic()))

    def route(self, path: str, *replies: Reply) -> str:
        """Register ``path`` (replacing any earlier replies) and return its full URL.

        Replies are served in order and the last one repeats; with none, an empty 200. A path with
        a query string only matches that exact query; a path without one matches any query.
        """
        if not path.startswith("/"):
            raise ValueError(f"route paths start with '/': {path!r}")
        with self._lock:
            self._routes[path] = list(replies) or [Reply()]
            self._served[path] = 0
        return self.base_url + path

    def file(self, path: str, fixture: str, **reply_kwargs: object) -> str:
        """Serve ``tests/fixtures/feeds/<fixture>`` at ``path``; Content-Type comes from the extension
        unless ``headers`` names one. Other keyword arguments go to :class:`Reply`."""
        source = FIXTURES / fixture
        headers = dict(reply_kwargs.pop("headers", None) or {})
        if not any(key.lower() == "content-type" for key in headers):
            headers["Content-Type"] = guess_content_type(source.name)
        return self.route(path, Reply(body=source.read_bytes(), headers=headers, **reply_kwargs))

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server, registered or not."""
        return self.base_url + path

    def count(self, path: str) -> int:
        """Requests received for ``path``: an exact match on the target, or on its path part when
        ``path`` has no query string."""
        with self._lock:
            return sum(1 for r in self.requests if _matches(path, r.path))

    # Called from handler threads.

    def _next_reply(self, target: str) -> Reply | None:
        with self._lock:
            key = target if target in self._routes else urlsplit(target).path
            replies = self._routes.get(key)
            if replies is None:
                return None
            index = min(self._served[key], len(replies) - 1)
            self._served[key] += 1
            return replies[index]

    def _log(self, entry: RequestLog) -> None:
        with self._lock:
            self.requests.append(entry)


def _matches(path: str, target: str) -> bool:
    return target == path or ("?" not in path and urlsplit(target).path == path)


def guess_content_type(name: str) -> str:
    """The Content-Type :meth:`FeedServer.file` sends for a file name."""
    suffix = Path(name).suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The socketserver default of 5 drops connections when a benchmark opens many feeds at once.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._handlers: list[threading.Thread] = []
        self._open_lock = threading.Lock()

    def open_connections(self) -> list[socket.socket]:
        with self._open_lock:
            return list(self._open)

    def handler_threads(self) -> list[threading.Thread]:
        with self._open_lock:
            return list(self._handlers)

    # The connection and its thread are registered in the serving thread before the handler starts,
    # so close() cannot miss one accepted just before serving stopped.
    def process_request(self, request, client_address) -> None:
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        with self._open_lock:
            self._open.add(request)
            self._handlers = [t for t in self._handlers if t.is_alive()]
            self._handlers.append(thread)
        thread.start()

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-reply (a fetcher's timeout, the shutdown) is expected here;
        # anything else is a bug in the handler and keeps its traceback.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def _make_handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so no idle keep-alive connection outlives a test.
        protocol_version = "HTTP/1.0"
        server_version = "FeedServer/1"

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the request log is server.requests

        def _answer(self, send_body: bool) -> None:
            server._log(RequestLog(self.command, self.path, Headers(self.headers.items()), time.monotonic()))
            reply = server._next_reply(self.path)
            if reply is None:
                self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found\n", send_body)
                return
            if reply.delay > 0 and server._stop.wait(reply.delay):
                return  # shutting down: hang up without answering
            if reply.raw is not None:
                self.wfile.write(reply.raw)
                return
            headers = dict(reply.headers)
            if reply.etag is not None:
                headers["ETag"] = reply.etag
            if reply.last_modified is not None:
                headers["Last-Modified"] = reply.last_modified
            if _not_modified(reply, self.headers):
                self._send(304, headers, b"", send_body=False)
                return
            if reply.endless:
                self._endless(reply, headers, send_body)
            elif reply.trickle > 0 and send_body:
                self._trickle(reply, headers)
            else:
                self._send(reply.status, headers, reply.body, send_body)

        def _head(self, status: int, headers: dict[str, str], length: int | None) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if length is not None and not any(k.lower() == "content-length" for k in headers):
                self.send_header("Content-Length", str(length))
            self.end_headers()

        def _send(self, status: int, headers: dict[str, str], body: bytes, send_body: bool) -> None:
            self._head(status, headers, None if status == 304 else len(body))
            if send_body and body:
                self.wfile.write(body)

        def _trickle(self, reply: Reply, headers: dict[str, str]) -> None:
            self._head(reply.status, headers, len(reply.body))
            self.wfile.flush()
            step = max(1, reply.chunk_size)
            for start in range(0, len(reply.body), step):
                if start and server._stop.wait(reply.trickle):
                    return
                self.wfile.write(reply.body[start : start + step])
                self.wfile.flush()

        def _endless(self, reply: Reply, headers: dict[str, str], send_body: bool) -> None:
            # Chunked encoding needs an HTTP/1.1 status line, whatever this handler speaks otherwise.
            lines = [f"HTTP/1.1 {reply.status} {self.responses.get(reply.status, ('',))[0]}".rstrip()]
            lines += [f"{key}: {value}" for key, value in headers.items()]
            lines += ["Transfer-Encoding: chunked", "Connection: close"]
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            self.wfile.flush()
            if not send_body or not reply.body:
                return
            chunk = b"%x\r\n%s\r\n" % (len(reply.body), reply.body)
            ends = time.monotonic() + ENDLESS_LIMIT
            while time.monotonic() < ends and not server._stop.wait(reply.trickle):
                self.wfile.write(chunk)
                self.wfile.flush()

    return Handler


def _not_modified(reply: Reply, request_headers: Mapping[str, str]) -> bool:
    # As in RFC 9110: when the request has If-None-Match, If-Modified-Since is ignored.
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return reply.etag is not None and (reply.etag in tags or "*" in tags)
    if_modified_since = request_headers.get("If-Modified-Since")
    return if_modified_since is not None and if_modified_since == reply.last_modified


# Synthetic feeds for the benchmark: deterministic, cheap (string building only, no XML library),
# and varied enough that the wire-copy grouping does not fold items of different feeds together.

_THEMES_EN = (
    ("trade", "trade facilitation", "exports of blueberries and copper under the trade promotion agreement"),
    ("drug trafficking", "counternarcotics", "coca eradication in the VRAEM valley"),
    ("migration", "migration control", "Venezuelan migrants crossing from Peru toward the northern border"),
    ("diplomacy", "democratic governance", "a bilateral dialogue ahead of the Secretary of State's visit"),
    ("mining", "mining oversight", "permits for open-pit copper projects in the southern Andes"),
    ("security", "port security", "inspections at Callao and the new Chancay terminal"),
    ("energy", "the energy transition", "natural gas exports from the Camisea fields"),
    ("environment", "Amazon conservation", "illegal logging and gold mining in Madre de Dios"),
)
_THEMES_ES = (
    ("comercio", "facilitación del comercio", "las exportaciones de arándanos y cobre bajo el acuerdo comercial"),
    ("narcotráfico", "lucha antidrogas", "la erradicación de coca en el VRAEM"),
    ("migración", "control migratorio", "los migrantes venezolanos que cruzan desde Perú hacia el norte"),
    ("diplomacia", "gobernabilidad democrática", "un diálogo bilateral previo a la visita del secretario de Estado"),
    ("minería", "fiscalización minera", "los permisos para proyectos de cobre a tajo abierto en el sur andino"),
    ("seguridad", "seguridad portuaria", "las inspecciones en el Callao y el nuevo terminal de Chancay"),
    ("energía", "transición energética", "la exportación de gas natural de Camisea"),
    ("medio ambiente", "conservación amazónica", "la tala ilegal y la minería aurífera en Madre de Dios"),
)
_TITLES_EN = (
    "US pledges ${amount} to Peru for {kw} as {place} watches",
    "Peru and US sign ${amount} agreement on {kw}",
    "Lima asks Washington for ${amount} to expand {kw}",
    "Peruvian Congress approves ${amount} US-funded plan on {kw}",
    "Washington releases ${amount} for Peru's {kw} programme",
    "US envoy in Lima announces ${amount} for {kw}",
    "Peru and US at odds over ${amount} package on {kw}",
)
_TITLES_ES = (
    "EE.UU. promete US$ {amount} a Perú para {kw} mientras {place} observa",
    "Perú y EE.UU. firman acuerdo de US$ {amount} sobre {kw}",
    "Lima pide a Washington US$ {amount} para ampliar {kw}",
    "Congreso peruano aprueba plan de US$ {amount} financiado por EE.UU. para {kw}",
    "Washington libera US$ {amount} para programa peruano de {kw}",
    "Enviado de EE.UU. en Lima anuncia US$ {amount} para {kw}",
    "Perú y EE.UU. discrepan sobre paquete de US$ {amount} para {kw}",
)
_PLACES = ("Beijing", "Mexico City", "Bogotá", "Caracas", "Santiago", "Brasília", "Quito", "La Paz", "Ottawa")
_BODY_EN = (
    "Peru's government said on {day} that {detail} would top its agenda with the United States, while "
    "diplomats in {place} followed the talks. A US State Department spokesperson called the meeting "
    "constructive. Figures released by the trade ministry in Lima show a change of {figure}% on the year. "
    "Item {i} from the {feed} desk."
)
_BODY_ES = (
    "El gobierno del Perú señaló el {day} que su agenda con Estados Unidos estará encabezada por {detail}, "
    "mientras diplomáticos en {place} seguían las conversaciones. Un portavoz del Departamento de Estado las calificó "
    "de constructivas. Cifras del ministerio en Lima muestran una variación de {figure}% en el año. Nota {i} "
    "de la mesa {feed}."
)
_DAYS = {"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
         "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")}  # fmt: skip
# Amounts step through [1_000_000, 10_000_000) by a stride coprime to its width, so the amounts of
# one feed never repeat and two feeds share one only when their hashed offsets nearly coincide.
_AMOUNT_BASE, _AMOUNT_SPAN, _AMOUNT_STRIDE = 1_000_000, 9_000_000, 7_919


def make_rss(
    feed_id: str,
    n_items: int,
    *,
    base: str = "https://news.example.org",
    lang: str = "en",
    start: datetime = datetime(2026, 3, 1, tzinfo=UTC),
) -> bytes:
    """A valid RSS 2.0 feed (UTF-8) with ``n_items`` distinct items about Peru-US relations.

    Item ``i`` links to ``{base}/{feed_id}/{i}`` (also its guid) and is dated ``start + i`` hours;
    items appear newest first, as in real feeds. ``lang`` is ``"en"`` or ``"es"``. Each title
    carries a dollar amount that never repeats within a feed and almost never across feeds, and
    each description names its feed and item. Same arguments, same bytes.
    """
    spanish = lang == "es"
    themes = _THEMES_ES if spanish else _THEMES_EN
    titles = _TITLES_ES if spanish else _TITLES_EN
    body = _BODY_ES if spanish else _BODY_EN
    days = _DAYS["es" if spanish else "en"]
    # Python's hash() of a str changes between runs; blake2b does not.
    offset = int.from_bytes(hashlib.blake2b(feed_id.encode(), digest_size=8).digest(), "big")
    items = []
    for i in range(n_items - 1, -1, -1):
        k = i + offset % 504
        theme, kw, detail = themes[k % len(themes)]
        place = _PLACES[(k // 3) % len(_PLACES)]
        amount = _AMOUNT_BASE + (offset + i * _AMOUNT_STRIDE) % _AMOUNT_SPAN
        title = titles[(k // len(themes)) % len(titles)].format(kw=kw, place=place, amount=f"{amount:,}")
        when = start + timedelta(hours=i)
        figure = f"{(k * 37) % 200 / 10 - 5:+.1f}"
        text = body.format(day=days[when.weekday()], detail=detail, place=place, figure=figure, i=i, feed=feed_id)
        link = escape(f"{base}/{feed_id}/{i}")
        items.append(
            f"<item><title>{escape(title)}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid><category>{escape(theme)}</category>'
            f"<pubDate>{format_datetime(when)}</pubDate><description>{escape(text)}</description></item>"
        )
    newest = format_datetime(start + timedelta(hours=max(n_items - 1, 0)))
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(feed_id)}</title><link>{escape(base)}/{escape(feed_id)}/</link>"
        f"<description>Synthetic feed {escape(feed_id)}</description><language>{escape(lang)}</language>"
        f"<lastBuildDate>{newest}</lastBuildDate>\n"
    )
    return (head + "\n".join(items) + "\n</channel></rss>\n").encode("utf-8")
