"""Run one pull of a batch of fault cases and read back what the store recorded.

A batch is one sources file: its hostile cases next to healthy feeds, with a ``[pull]`` table of
small deadlines and caps. The pull runs in this process through ``analytics.cli.main`` (under a
:class:`Tripwire`) or as a real ``bilat pull`` process; either way the result says whether it
crashed, how long it took, every source run with its notes, every stored article and every
request the local server received.
"""

from __future__ import annotations

import contextlib
import gc
import io
import ipaddress
import json
import socket
import sqlite3
import subprocess
import sys
import time
import traceback
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

from feedserver import FeedServer

from .corpus import SECRET, Case, Env, Healthy, Served, View

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE_SLACK = 2.0  # seconds a source may run past its deadline (timer granularity, storing)
PULL_SLACK = 5.0  # seconds a pull may run past its deadline (opening the store, enrichment)
PROCESS_SLACK = 10.0  # and a real process, which also starts Python and imports the pipeline


@dataclass(frozen=True)
class Batch:
    """One pull: its limits (written to the ``[pull]`` table) and how it runs."""

    name: str
    source_deadline: float = 5
    pull_deadline: float = 20
    max_items: int = 200
    max_pages: int = 40
    allow_hosts: tuple[str, ...] = ()
    healthy: int = 2  # healthy RSS feeds next to the hostile ones
    healthy_fulltext: bool = False
    subprocess: bool = False
    trace_memory: bool = False

    def pull_table(self) -> str:
        hosts = ", ".join(json.dumps(h) for h in self.allow_hosts)
        return (
            f"[pull]\nsource_deadline = {self.source_deadline:g}\npull_deadline = {self.pull_deadline:g}\n"
            f"max_items = {self.max_items}\nmax_pages = {self.max_pages}\nallow_hosts = [{hosts}]\n"
        )


@dataclass(frozen=True)
class Run:
    """A source's row in ``source_runs``."""

    source_id: str
    status: str
    error: str | None
    notes: str | None
    seen: int
    duration: float

    @property
    def note_lines(self) -> list[str]:
        return [line for line in (self.notes or "").splitlines() if line.strip()]


@dataclass(frozen=True)
class Article:
    source_id: str
    url: str
    title: str
    text: str


@dataclass
class PullResult:
    batch: Batch
    exit_status: int | None
    crash: str | None  # why the pull counts as crashed (exit 1, an exception, a traceback), or None
    stderr: str
    wall: float
    runs: dict[str, Run]
    notes_column: bool
    articles: list[Article]
    requests: list[str]
    connects: list[tuple[str, int]] = field(default_factory=list)  # every connect the tripwire saw
    lookups: list[str] = field(default_factory=list)  # names it refused to look up
    memory_peak: int | None = None  # bytes, when traced

    def articles_of(self, source_id: str) -> list[Article]:
        return [a for a in self.articles if a.source_id == source_id]

    def count(self, path: str) -> int:
        return sum(1 for target in self.requests if target == path or target.split("?", 1)[0] == path)


class Tripwire:
    """Refuses, and records, every connection to an address that is not loopback and every name
    lookup other than ``localhost`` and numeric forms, for the whole process: whatever the code
    under test does, no fault case sends a packet anywhere but this machine. Every connection
    attempt is recorded, loopback ones too, so a test can say which were never even tried."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []
        self.lookups: list[str] = []

    def __enter__(self) -> Tripwire:
        real_getaddrinfo = socket.getaddrinfo
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        wire = self

        def allowed(address: object) -> bool:
            if not isinstance(address, tuple):
                return True  # a Unix socket
            host, port = str(address[0]), int(address[1])
            wire.connects.append((host, port))
            try:
                return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
            except ValueError:
                return host == "localhost"

        def connect(sock: socket.socket, address: object) -> None:
            if not allowed(address):
                raise ConnectionRefusedError(f"fault-suite tripwire: no connection to {address!r}")
            return real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: object) -> int:
            return real_connect_ex(sock, address) if allowed(address) else 111  # ECONNREFUSED

        def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 (socket's names)
            name = host.decode() if isinstance(host, bytes) else host
            if name is None or name.lower() == "localhost":
                return real_getaddrinfo(host, port, family, type, proto, flags)
            try:  # numeric forms only ("2130706433" and "0x7f.1" included): no DNS query leaves
                return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
            except socket.gaierror:
                wire.lookups.append(name)
                raise socket.gaierror(socket.EAI_NONAME, f"fault-suite tripwire: no lookup of {name!r}") from None

        self._restore = (real_getaddrinfo,)
        socket.getaddrinfo = getaddrinfo
        socket.socket.connect = connect
        socket.socket.connect_ex = connect_ex
        return self

    def __exit__(self, *exc_info: object) -> None:
        socket.getaddrinfo = self._restore[0]
        del socket.socket.connect  # back to the C methods of _socket.socket
        del socket.socket.connect_ex


def write_sources(path: Path, batch: Batch, sources: dict[str, Served]) -> Path:
    lines = [batch.pull_table()]
    for source_id, served in sources.items():
        entry = {"id": source_id, "outlet": f"Fault {source_id}", "country": "PER", **served.source}
        lines.append("[[source]]")
        lines += [f"{key} = {_toml(value)}" for key, value in entry.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a TOML basic string


def run_batch(batch: Batch, cases: list[Case], folder: Path) -> tuple[PullResult, dict[str, Served], list[Healthy]]:
    """Serve the batch's cases and healthy feeds, pull them once, and read back the store."""
    db = folder / "bilat.sqlite"
    with FeedServer() as server, _closed_port() as closed_port:
        env = Env(server, folder, closed_port)
        healthy = _healthy(env, batch)
        served = {c.name: c.setup(env, c.name) for c in cases}
        sources = write_sources(folder / "sources.toml", batch, {h.name: h.served for h in healthy} | served)
        argv = ["pull", "--db", str(db), "--sources", str(sources), "--concurrency", "16"]
        if batch.subprocess:
            outcome = _run_process(argv, timeout=batch.pull_deadline + 300)
        else:
            outcome = _run_here(argv, trace_memory=batch.trace_memory)
        requests = [r.path for r in server.requests]
    status, crash, stderr, wall, wire, peak = outcome
    runs, notes_column, articles = read_store(db)
    result = PullResult(batch, status, crash, stderr, wall, runs, notes_column, articles, requests,
                        wire.connects if wire else [], wire.lookups if wire else [], peak)  # fmt: skip
    return result, served, healthy


def _healthy(env: Env, batch: Batch) -> list[Healthy]:
    from .corpus import healthy_feeds

    return healthy_feeds(env, batch.name, batch.healthy, fulltext=batch.healthy_fulltext)


@contextlib.contextmanager
def _closed_port():
    """A port number nothing listens on: bound (so no one else takes it) but never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _run_here(argv: list[str], *, trace_memory: bool):
    from analytics import cli
    from analytics.ingest import pull  # noqa: F401 (imported before tracing: module objects are not the pull's)

    err = io.StringIO()
    crash = None
    status = None
    peak = None
    started = time.monotonic()
    with contextlib.redirect_stderr(err), Tripwire() as wire:
        if trace_memory:
            tracemalloc.start()
        try:
            status = cli.main(argv)
        except KeyboardInterrupt:
            raise
        except BaseException:  # a crash is the finding to report, not a reason to stop the suite
            crash = traceback.format_exc()
        finally:
            if trace_memory:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        # Tasks a crashed pull abandoned log their exceptions when collected; collect them now, into
        # this stderr, not at a random later moment (inside a compile, CPython 3.11 then fails with
        # "AST constructor recursion depth mismatch").
        gc.collect()
    wall = time.monotonic() - started
    stderr = err.getvalue()
    return status, crash or _crash(status, stderr), stderr, wall, wire, peak


def _run_process(argv: list[str], *, timeout: float):
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "analytics.cli", *argv], capture_output=True, text=True,
                              cwd=ROOT, timeout=timeout)  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return None, f"still running after {timeout:g} s", stderr, time.monotonic() - started, None, None
    stderr = proc.stderr
    return proc.returncode, _crash(proc.returncode, stderr), stderr, time.monotonic() - started, None, None


def _crash(status: int | None, stderr: str) -> str | None:
    if "Traceback (most recent call last)" in stderr:
        return "a traceback on stderr:\n" + stderr[-3000:]
    if status not in (0, 3):
        last = stderr.strip().splitlines()[-1:] or ["(no message)"]
        return f"exit status {status}: {last[0]}"
    return None


def read_store(db: Path) -> tuple[dict[str, Run], bool, list[Article]]:
    """The last pull's source runs (with notes when the column exists) and every stored article."""
    if not db.exists():
        return {}, False, []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "source_runs" not in tables:
            return {}, False, []
        columns = {r[1] for r in conn.execute("PRAGMA table_info(source_runs)")}
        notes_column = "notes" in columns
        run_id = conn.execute("SELECT MAX(run_id) FROM source_runs").fetchone()[0]
        rows = conn.execute(
            f"SELECT source_id, status, error, {'notes' if notes_column else 'NULL'}, items_seen, duration "
            "FROM source_runs WHERE run_id = ?",
            (run_id,),
        ).fetchall()
        runs = {r[0]: Run(*r) for r in rows}
        articles = [Article(*r) for r in conn.execute("SELECT source_id, url, title, text FROM articles")]
        return runs, notes_column, articles
    finally:
        conn.close()


# --- checks -----------------------------------------------------------------------------------------


def case_problems(case: Case, served: Served, result: PullResult) -> list[str]:
    """Everything a case's pull did wrong by it; empty when bilat did what the case demands."""
    problems: list[str] = []
    if result.crash:
        problems.append(f"the pull crashed ({result.crash.strip().splitlines()[-1][:300]})")
    run = result.runs.get(case.name)
    articles = result.articles_of(case.name)
    stored = {a.url for a in articles}
    if run is None:
        problems.append("no row in source_runs: the source's outcome was not recorded")
    else:
        problems += _expectation(case, served, run, stored, result)
        limit = result.batch.source_deadline + SOURCE_SLACK
        if run.duration > limit:
            problems.append(f"the source ran {run.duration:.1f} s, past its deadline ({limit:g} s with slack)")
    for path in served.forbidden:
        if n := result.count(path):
            problems.append(f"{path} was requested {n} time(s); it must never be")
    for host, port in served.untouched:
        tries = [c for c in result.connects if c[0] == host and port in (None, c[1])]
        if tries:
            problems.append(f"a connection to {host}{f':{port}' if port else ''} was attempted {len(tries)} time(s)")
    leaked = [a.url for a in articles if SECRET in a.text or SECRET in a.title]
    if leaked:
        problems.append(f"an internal page was stored as article text: {leaked}")
    if case.check is not None:
        problems += case.check(View(run, articles, result.requests))
    return problems


def _expectation(case: Case, served: Served, run: Run, stored: set[str], result: PullResult) -> list[str]:
    import re

    said = f"status {run.status!r}, error {(run.error or '')[:200]!r}, notes {(run.notes or '')[:300]!r}"
    missing = [u for u in served.stored if u not in stored]
    notes_needed = case.expect in ("noted", "refused")
    if notes_needed and not result.notes_column:
        return ["source_runs has no notes column, so the skipped items and refusals are not recorded"]
    if case.expect == "failed":
        if run.status != "failed" or not (run.error or "").strip():
            return [f"expected status 'failed' with an error; got {said}"]
        if case.note and not re.search(case.note, run.error, re.I):
            return [f"the error does not match {case.note!r}: {run.error[:300]!r}"]
        return []
    if case.expect == "not_modified":
        return [] if run.status == "not_modified" else [f"expected status 'not_modified'; got {said}"]
    if case.expect == "recorded":
        if run.status == "failed":
            return [] if (run.error or "").strip() else [f"status 'failed' without an error; got {said}"]
        if run.status != "ok":
            return [f"expected 'failed' with an error or 'ok'; got {said}"]
        return [f"good items not stored: {missing}"] if missing else []
    if run.status != "ok":
        return [f"expected status 'ok'; got {said}"]
    problems = [f"good items not stored: {missing}"] if missing else []
    if case.expect == "empty" and (run.seen or stored):
        problems.append(f"expected nothing seen; got {run.seen} seen, {len(stored)} stored")
    lines = run.note_lines
    if case.expect == "refused":
        refusals = [line for line in lines if re.search(r"refus", line, re.I)]
        if not refusals:
            problems.append(f"no note says a link was refused; {said}")
        elif case.note and not any(re.search(case.note, line) for line in refusals):
            problems.append(f"no refusal note matches {case.note!r}: {refusals[:5]}")
    elif case.expect == "noted" and not any(re.search(case.note or ".", line, re.I) for line in lines):
        problems.append(f"no note matches {case.note!r}; {said}")
    return problems


def healthy_problems(healthy: Healthy, result: PullResult) -> list[str]:
    """What keeps a healthy source from counting as stored completely."""
    run = result.runs.get(healthy.name)
    articles = {a.url: a for a in result.articles_of(healthy.name)}
    problems = []
    if run is None or run.status != "ok":
        problems.append(f"run: {run}")
    missing = [u for u in healthy.served.stored if u not in articles]
    if missing:
        problems.append(f"{len(missing)} of {len(healthy.served.stored)} items not stored, e.g. {missing[:3]}")
    for url, marker in healthy.markers.items():
        if url in articles and marker not in articles[url].text:
            problems.append(f"{url}: the page's full text was not stored (no {marker!r})")
    return problems
