"""Chart files: PNG and SVG drawn by kaleido (headless Chromium), and standalone offline HTML.

Each exporter is a pure function of a figure: the figure is copied, never changed, and the same
figure gives the same kind of file whichever page asks for it.

Static images need Chromium. One kaleido server is started per process on the first export and
kept running (a cold export costs 2-4 s, a warm one 0.2-0.4 s); it is stopped
when the process exits. Exports are serialised by a lock: kaleido's server hands results back
through one shared queue, so two sessions exporting at once could otherwise swap their images.

Every visitor can ask for images, and each costs Chromium time, so they are bounded: one drawing
at a time on the server (a wait longer than :data:`EXPORT_WAIT` is refused), and at most
:data:`IMAGES_PER_WINDOW` images per browser session in :data:`WINDOW` seconds (:func:`rationed`).
A refusal raises :class:`ExportBusy`; the visitor's next rerun shows why (:func:`refusal_notice`).
"""

from __future__ import annotations

import atexit
import html
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import Any

import kaleido
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics.errors import BilatError
from analytics.i18n import _, current, language

INSTALL_HINT = (
    "install Chromium (`apt-get install chromium` on Debian or Ubuntu) or point BROWSER_PATH at a "
    "Chrome/Chromium executable, then restart the dashboard; the CSV and HTML downloads work without it"
)  # the English text; shown through _()

# The kaleido page loads MathJax from a CDN unless told not to; the charts have no LaTeX, and an
# offline server would wait on that request.
_KALEIDO_OPTIONS: dict[str, Any] = {"mathjax": False}

# The on-screen modebar, minus the plotly.com logo link (the HTML files are meant to work offline).
HTML_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True}

_lock = threading.Lock()
_server_started = False

EXPORT_WAIT = 20.0  # seconds an image waits for the one being drawn before it is refused
IMAGES_PER_WINDOW = 30  # images one browser session may ask for in WINDOW seconds
WINDOW = 60.0
_MAX_SESSIONS = 1000  # sessions tracked at once; idle ones are forgotten first

_clock = time.monotonic
_ration_lock = threading.Lock()
_recent: dict[str, deque[float]] = {}  # session id -> times of its recent images
_refusals: dict[str, str] = {}  # session id -> why its last image was refused


class ExportError(BilatError):
    """A chart image could not be made (usually: Chromium is missing or does not start)."""


class ExportBusy(ExportError):
    """The image was refused: the server is busy drawing, or this visitor asked for too many."""


def _session_id() -> str:
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx else ""


def _refuse(session: str, message: str) -> ExportBusy:
    with _ration_lock:
        if len(_refusals) >= _MAX_SESSIONS:
            _refusals.clear()
        _refusals[session] = message
    return ExportBusy(message)


def _take(session: str, cost: int) -> None:
    """Count ``cost`` images against the session's allowance, or raise :class:`ExportBusy`."""
    now = _clock()
    with _ration_lock:
        if session not in _recent and len(_recent) >= _MAX_SESSIONS:
            for idle in [s for s, times in _recent.items() if not times or times[-1] < now - WINDOW]:
                del _recent[idle]
        times = _recent.setdefault(session, deque())
        while times and times[0] < now - WINDOW:
            times.popleft()
        if len(times) + cost > IMAGES_PER_WINDOW:
            wait_for = (times[0] + WINDOW - now) if times else WINDOW
            refused = True
        else:
            times.extend([now] * cost)
            refused = False
    if refused:
        raise _refuse(
            session,
            _(
                "Chart images are limited to {limit} a minute for each visitor, and this one would go over: "
                "try again in {seconds} seconds. CSV, XLSX and HTML downloads are not limited."
            ).format(limit=IMAGES_PER_WINDOW, seconds=max(1, round(wait_for))),
        )


def rationed(make: Callable[[], bytes], *, cost: int = 1) -> Callable[[], bytes]:
    """``make`` (which draws ``cost`` images) counted against the allowance of the browser session
    that is running now. Call it while the page is drawn, so the session is known when a download
    button later runs the result; the result raises :class:`ExportBusy` past the allowance. A pack of
    more images than the allowance costs the whole allowance, so it can still be made."""
    session = _session_id()
    cost = min(cost, IMAGES_PER_WINDOW)
    ui = current()  # the refusal's language: ``run`` is called outside the script run that set it

    def run() -> bytes:
        with language(ui):
            _take(session, cost)
            try:
                return make()
            except ExportBusy as error:
                raise _refuse(session, str(error)) from None

    return run


def refusal_notice() -> str | None:
    """Why the current session's last image was refused, once; None when nothing was refused."""
    with _ration_lock:
        return _refusals.pop(_session_id(), None)


def _stop_server() -> None:
    kaleido.stop_sync_server(silence_warnings=True)


atexit.register(_stop_server)


def _render(figure: dict, options: dict[str, Any]) -> bytes:
    """Draw a figure dict with the shared kaleido server, starting it on first use."""
    global _server_started
    if not _lock.acquire(timeout=EXPORT_WAIT):
        raise ExportBusy(_("The server is busy drawing other chart images: try again in a moment."))
    try:
        if not _server_started:
            kaleido.start_sync_server(silence_warnings=True, **_KALEIDO_OPTIONS)
            _server_started = True
        try:
            return _call_server(figure, options)
        except ExportError:
            raise
        except Exception as error:
            # After a failure the server may have lost its browser tab (a crashed Chromium leaves
            # every later export waiting for it), so the next export starts a fresh server.
            _stop_server()
            _server_started = False
            raise ExportError(
                _("The chart image could not be drawn ({error}). If this persists, {hint}.").format(
                    error=f"{type(error).__name__}: {error}", hint=_(INSTALL_HINT)
                )
            ) from error
    finally:
        _lock.release()


def _call_server(figure: dict, options: dict[str, Any]) -> bytes:
    """``kaleido.calc_fig_sync`` on the server, watching the server's thread while waiting.

    kaleido launches Chromium inside the server's thread; when Chromium is missing or cannot start,
    that thread dies and ``calc_fig_sync`` would wait forever. The wait is therefore done here, in
    steps, and ends with an :class:`ExportError` once the thread is gone. (``_global_server._thread`` is
    private to kaleido, which pyproject pins; a test runs this path with a missing and a broken browser.)
    """
    global _server_started
    server_thread = kaleido._global_server._thread
    outcome: Future[bytes] = Future()

    def call() -> None:
        try:
            outcome.set_result(kaleido.calc_fig_sync(figure, opts=options))
        except BaseException as error:  # handed to the waiting caller
            outcome.set_exception(error)

    threading.Thread(target=call, name="kaleido-call", daemon=True).start()
    while not wait([outcome], timeout=0.05).done:
        if not server_thread.is_alive():
            # The abandoned call thread stays blocked on the dead server's queue; it is a daemon.
            _stop_server()
            _server_started = False
            raise ExportError(
                _("Chart images need a Chromium browser, which was not found or failed to start: {hint}.").format(
                    hint=_(INSTALL_HINT)
                )
            )
    return outcome.result()


def _static_figure(fig: go.Figure, width: int, height: int) -> dict:
    """A copy of the figure, sized for the file, on an opaque background like the screen's."""
    figure = fig.to_dict()  # a deep copy
    layout = figure.setdefault("layout", {})
    layout["width"], layout["height"] = width, height
    template_layout = layout.get("template", {}).get("layout", {})
    background = layout.get("paper_bgcolor") or template_layout.get("paper_bgcolor")
    if not background or background in ("transparent", "rgba(0,0,0,0)", "rgba(0, 0, 0, 0)"):
        # A transparent PNG pasted into a dark document loses its black text.
        layout["paper_bgcolor"] = "white"
    return figure


def png_bytes(fig: go.Figure, *, width: int = 1200, height: int = 600, scale: float = 2) -> bytes:
    """PNG of the figure at ``width``×``height`` layout pixels, ``scale`` times as many pixels.

    Raises :class:`ExportError` when Chromium is missing or fails.
    """
    options = {"format": "png", "width": width, "height": height, "scale": scale}
    return _render(_static_figure(fig, width, height), options)


def svg_bytes(fig: go.Figure, *, width: int = 1200, height: int = 600) -> bytes:
    """SVG of the figure at ``width``×``height``. Raises :class:`ExportError` like :func:`png_bytes`."""
    options = {"format": "svg", "width": width, "height": height, "scale": 1}
    return _render(_static_figure(fig, width, height), options)


def figure_div(fig: go.Figure, *, div_id: str) -> str:
    """The interactive chart as an HTML fragment that expects plotly.js to be loaded already.

    A fixed ``div_id`` (plotly would pick a random one) keeps the same figure's file identical.
    plotly escapes ``<``, ``>`` and ``/`` inside the figure's JSON, so text from the data cannot
    close the script element.
    """
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, config=HTML_CONFIG, div_id=div_id)


def html_page(title: str, body: str, *, style: str = "", lang: str | None = None) -> bytes:
    """A UTF-8 HTML document with plotly.js embedded once in its head, so it works offline.

    ``title`` is escaped here; ``body`` must already be safe HTML; ``lang`` is the page's language
    (``en``, ``es``), by default the interface language current when the page is made.
    """
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang or current())}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>body{{font-family:Arial,Helvetica,sans-serif;color:#222;background:#fff;margin:1.5rem}}{style}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    ).encode()


def html_bytes(fig: go.Figure, *, title: str, lang: str | None = None) -> bytes:
    """A standalone interactive HTML file of the figure (plotly.js embedded: no network needed), in
    the language ``lang`` (by default the current interface language)."""
    return html_page(title, figure_div(fig, div_id="chart"), lang=lang)
