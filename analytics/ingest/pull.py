"""One pull: fetch every enabled source, parse, enrich what is new, store source by source.

Sources are fetched concurrently (a bounded number at a time); GDELT queries run one after the
other, at most one request per 5 seconds. As each source's answer arrives it is parsed and its new
articles are enriched and written in one transaction together with the source's run record, so a
pull killed at any moment leaves whole sources stored or not at all, and the next pull completes
the rest.

Whatever a source sends is that source's problem, never the pull's: any exception while fetching,
parsing, enriching or storing it is recorded as the source's failure and the other sources go on;
an item that cannot be read or stored is left out with a note. Feeds and files are parsed in a
child process killed at the source's deadline (a parser can run for minutes on hostile input),
enrichment runs in a thread, so the event loop keeps serving the other sources; a source that brings
many new articles (a first pull, a backfilled feed) is enriched by worker processes instead, on every
core, while the event loop goes on (:class:`_Enricher`). Each source has a
deadline and so has the whole pull; a feed is read up to ``max_items`` items, and full-text pages
are fetched at most ``max_pages`` a pull, only from public addresses (the fetch guard). Only the
store's own failures (a full disk) stop a pull.

A file lock next to the store keeps two pulls (scheduled, manual or cron) from overlapping.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from filelock import FileLock, Timeout

from analytics.dataset import months_of, update
from analytics.errors import BilatError, StoreError
from analytics.ingest import gdelt
from analytics.ingest.fetch import FetchResult, FetchSettings, fetch, make_client
from analytics.ingest.files import read_file
from analytics.ingest.fulltext import PageBudget, add_full_texts
from analytics.ingest.guard import FetchGuard
from analytics.ingest.isolate import TimedOut, run_isolated_async
from analytics.ingest.rss import parse_feed
from analytics.ingest.sources import Source
from analytics.pipeline import enrich_job, enrich_records, new_records, rejoin, skipped_notes
from analytics.store import ArticleRecord, SourceRun, Store
from analytics.workers import process_pool


class PullLocked(BilatError):
    """Another pull holds the lock."""


@dataclass(frozen=True)
class SourceOutcome:
    """What one source did in a pull: the run as the store recorded it, plus what only the pull
    knows (how many of its articles were new, and the warnings of parsing its feed)."""

    run: SourceRun
    new: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def source_id(self) -> str:
        return self.run.source_id

    @property
    def status(self) -> str:  # ok | not_modified | failed
        return self.run.status

    @property
    def seen(self) -> int:
        return self.run.seen

    @property
    def duration(self) -> float:
        return self.run.duration

    @property
    def error(self) -> str | None:
        return self.run.error


@dataclass(frozen=True)
class PullReport:
    run_id: int
    status: str  # ok | partial | failed
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def seen(self) -> int:
        return sum(o.seen for o in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".pull.lock")


def pull_lock(db: Path, *, wait: float = 0.0) -> FileLock:
    """The lock that keeps pulls of one store from overlapping; acquire it with ``with``."""
    return FileLock(str(lock_path(db)), timeout=wait)


MAX_NOTES = 50  # notes kept per source and run; the rest are counted


def _capped_notes(notes: list[str]) -> tuple[str, ...]:
    kept = [n[:500] for n in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        kept.append(f"... and {len(notes) - MAX_NOTES} more")
    return tuple(kept)


def _parse_capped(body: bytes, source: Source, seen_at: datetime, content_type: str | None, max_items: int):
    """parse_feed, keeping at most ``max_items`` records (run in a child process)."""
    page = parse_feed(body, source, seen_at=seen_at, content_type=content_type)
    notes = ([page.warning] if page.warning else []) + page.skipped
    if len(page.records) > max_items:
        notes.append(f"the feed holds {len(page.records)} items; the first {max_items} were read (max_items)")
    return page.records[:max_items], notes


# A source bringing at least this many new articles is enriched in worker processes: starting them
# costs a second or two, which fewer articles do not repay.
POOL_FROM = 400


class _Enricher:
    """Enrichment for one pull: in a thread for a few articles, in worker processes (started on
    first need, one per core, kept for the rest of the pull) for many. A worker that dies takes only
    its source down: that source fails with the reason and the next one gets new workers."""

    def __init__(self, workers: int | None = None, pool_from: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.pool_from = POOL_FROM if pool_from is None else pool_from
        self._pool: ProcessPoolExecutor | None = None

    async def enrich(self, fresh: list[ArticleRecord], notes: list[str]) -> tuple[list, list]:
        if self.workers < 2 or len(fresh) < self.pool_from:
            return await asyncio.to_thread(enrich_records, fresh, notes=notes)
        if self._pool is None:
            self._pool = process_pool(self.workers)
        loop = asyncio.get_running_loop()
        size = -(-len(fresh) // self.workers)
        shares = [fresh[i : i + size] for i in range(0, len(fresh), size)]
        try:
            results = await asyncio.gather(*(loop.run_in_executor(self._pool, enrich_job, part) for part in shares))
        except BrokenProcessPool:
            self.close()
            raise BilatError("an enrichment worker process died; the source's articles were not stored") from None
        parts = [rejoin(part, result) for part, result in zip(shares, results, strict=True)]
        done = [pair for part, _, _ in parts for pair in part]
        failed = [pair for _, part, _ in parts for pair in part]
        notes.extend(note for *_, part in parts for note in part)
        return done, failed

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


@dataclass
class _Context:
    """What every source of one pull shares."""

    store: Store
    client: httpx.AsyncClient
    settings: FetchSettings
    seen_at: datetime
    guard: FetchGuard
    pages: PageBudget
    gdelt_gate: asyncio.Lock
    pacer: gdelt.Pacer
    months: set[str] = field(default_factory=set)  # of the articles stored, for the analysis dataset
    enricher: _Enricher = field(default_factory=_Enricher)


async def _source_records(
    source: Source, ctx: _Context, state: dict[str, str | None], ends: float
) -> tuple[list[ArticleRecord], FetchResult | None, list[str]]:
    """Fetch and parse one source. Raises BilatError with a message for the run record."""
    settings = ctx.settings
    if source.kind == "file":
        result = await run_isolated_async(
            read_file, source.url, timeout=_left(ends), source_id=source.id, outlet=source.outlet,
            country=source.country, language=source.language, columns=source.columns or None, seen_at=ctx.seen_at,
        )  # fmt: skip
        notes = [f"row {n}: {why}" for n, why in result.rejected] + list(result.warnings)
        return result.records, None, notes
    if source.kind == "gdelt":

        async def get(url: str) -> bytes:
            answer = await fetch(ctx.client, url, settings, guard=ctx.guard, ends=ends)
            if not answer.ok or answer.body is None:
                raise BilatError(answer.error or "no answer")
            return answer.body

        async with ctx.gdelt_gate:  # GDELT asks for one request at a time, 5 s apart
            records, warnings = await gdelt.fetch_source(
                source, get=get, sleep=asyncio.sleep, now=time.monotonic, clock_now=ctx.seen_at, pacer=ctx.pacer
            )
        return records, None, list(warnings)
    answer = await fetch(
        ctx.client, source.url, settings, etag=state.get("etag"), last_modified=state.get("last_modified"),
        guard=ctx.guard, ends=ends,
    )  # fmt: skip
    if answer.not_modified:
        return [], answer, []
    if not answer.ok or answer.body is None:
        raise _FetchFailed(answer)
    try:
        records, notes = await run_isolated_async(
            _parse_capped, answer.body, source, ctx.seen_at, answer.content_type, settings.max_items,
            timeout=_left(ends),
        )  # fmt: skip
    except TimedOut:
        raise _FetchFailed(
            answer, f"the feed could not be read within the source deadline ({settings.source_deadline:g} s)"
        ) from None
    except BilatError as exc:
        raise _FetchFailed(answer, str(exc)) from None
    return records, answer, notes


def _left(ends: float) -> float:
    # A little short of the source's deadline, so a parse that runs too long is reported as such
    # rather than as the source's deadline, which falls a moment later.
    return max(0.0, ends - time.monotonic() - 0.25)


class _FetchFailed(BilatError):
    def __init__(self, answer: FetchResult, message: str | None = None) -> None:
        super().__init__(message or answer.error or "failed")
        self.answer = answer


def _failure(exc: BaseException) -> str:
    """A run record's error for an exception nobody expected: its type and message, one line."""
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _collect(source: Source, ctx: _Context, state: dict[str, str | None], ends: float):
    """Everything a source brings before storing: how many items it had, the ones not stored yet
    (with their full texts when the source asks for them), its answer and its notes."""
    records, answer, notes = await _source_records(source, ctx, state, ends)
    fresh = new_records(ctx.store, records)
    if source.fulltext and fresh:
        fresh, page_notes = await add_full_texts(ctx.client, fresh, ctx.settings, guard=ctx.guard, budget=ctx.pages)
        notes += page_notes
    return len(records), fresh, answer, notes


async def _one(source: Source, ctx: _Context, run_id: int, gate: asyncio.Semaphore) -> SourceOutcome:
    """Pull one source and record it; whatever the source sends, the outcome is recorded, never raised
    (only the store's own failures, such as a full disk, stop the pull)."""
    store, settings = ctx.store, ctx.settings
    started = time.monotonic()
    state = store.get_source_state(source.id)

    def failed(message: str, status: int | None = None, notes: tuple[str, ...] = ()) -> SourceOutcome:
        run = SourceRun(source.id, "failed", status, 0, time.monotonic() - started, message, notes=notes)
        store.record_source(run_id, run, [])
        return SourceOutcome(run)

    async with gate:
        started = time.monotonic()
        ends = started + settings.source_deadline
        try:
            seen, fresh, answer, notes = await asyncio.wait_for(
                _collect(source, ctx, state, ends), settings.source_deadline
            )
            enriched, skipped = await ctx.enricher.enrich(fresh, notes)
        except _FetchFailed as exc:
            return failed(str(exc), exc.answer.status)
        except TimeoutError:
            return failed(f"not done within the source deadline ({settings.source_deadline:g} s)")
        except BilatError as exc:
            return failed(str(exc))
        except Exception as exc:  # anything a hostile source provokes is that source's failure
            return failed(_failure(exc))
    notes = notes + skipped_notes(skipped)
    status = "not_modified" if answer is not None and answer.not_modified else "ok"
    run = SourceRun(
        source.id, status, answer.status if answer else None, seen, time.monotonic() - started, None,
        answer.etag if answer else None, answer.last_modified if answer else None, _capped_notes(notes),
    )  # fmt: skip
    try:
        new = store.record_source(run_id, run, enriched)
    except (StoreError, sqlite3.OperationalError):
        raise  # the store itself is in trouble: no other source can be stored either
    except Exception as exc:  # a value the store refused: the source fails, the others go on
        return failed(f"could not be stored: {_failure(exc)}", run.http_status, run.notes)
    if new:
        ctx.months.update(months_of(r for r, _ in enriched))
    return SourceOutcome(run, new, tuple(notes))


async def _pull_async(
    store: Store, sources: list[Source], run_id: int, settings: FetchSettings, seen_at: datetime,
    on_source: Callable[[SourceOutcome], None] | None, months: set[str],
) -> list[SourceOutcome]:  # fmt: skip
    outcomes: dict[str, SourceOutcome] = {}
    gate = asyncio.Semaphore(settings.concurrency)
    # Most of the pull's threads only wait: on a parser child, on a page extraction. The default
    # pool (cores + 4 threads) would make healthy sources queue behind hostile ones that keep their
    # thread until the deadline, and miss their own.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=4 * settings.concurrency + 8))
    async with make_client(settings) as client:
        ctx = _Context(
            store, client, settings, seen_at, FetchGuard(settings.allow_hosts), PageBudget(settings.max_pages),
            asyncio.Lock(),
            gdelt.Pacer(sleep=asyncio.sleep, now=time.monotonic, interval=settings.gdelt_interval),  # across sources
            months,
        )  # fmt: skip
        tasks = {asyncio.create_task(_one(s, ctx, run_id, gate)): s for s in sources}
        try:
            try:
                for finished in asyncio.as_completed(tasks, timeout=settings.pull_deadline):
                    outcome = await finished
                    outcomes[outcome.source_id] = outcome
                    if on_source is not None:
                        on_source(outcome)
            except TimeoutError:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                for task, source in tasks.items():
                    if source.id in outcomes:
                        continue
                    if task.done() and not task.cancelled() and task.exception() is None:
                        outcome = task.result()  # finished while the others were being stopped
                    else:
                        late = f"not done within the pull deadline ({settings.pull_deadline:g} s)"
                        run = SourceRun(source.id, "failed", None, 0, settings.pull_deadline, late)
                        store.record_source(run_id, run, [])
                        outcome = SourceOutcome(run)
                    outcomes[source.id] = outcome
                    if on_source is not None:
                        on_source(outcome)
        finally:
            ctx.enricher.close()
    return [outcomes[s.id] for s in sources]


def run_pull(
    store: Store,
    sources: list[Source],
    *,
    settings: FetchSettings | None = None,
    now: datetime | None = None,
    on_source: Callable[[SourceOutcome], None] | None = None,
) -> PullReport:
    """Pull every enabled source once. The caller holds :func:`pull_lock`."""
    settings = settings or FetchSettings()
    enabled = [s for s in sources if s.enabled]
    since = store.data_version()
    run_id = store.start_run("pull")
    seen_at = (now or datetime.now(UTC)).replace(microsecond=0)
    months: set[str] = set()
    try:
        outcomes = asyncio.run(_pull_async(store, enabled, run_id, settings, seen_at, on_source, months))
    except BaseException:
        store.finish_run(run_id, "interrupted", 0, 0, "the pull stopped before every source was done")
        raise
    failed = sum(o.status == "failed" for o in outcomes)
    status = "ok" if failed == 0 else ("failed" if failed == len(outcomes) else "partial")
    report = PullReport(run_id, status, outcomes)
    message = "; ".join(f"{o.source_id}: {o.error}" for o in report.failed)[:2000]
    store.finish_run(run_id, status, report.seen, report.new, message)
    update(store, months, since=since)
    return report


def pull_once(db: Path, sources: list[Source], **kwargs) -> PullReport:
    """Take the lock (or fail at once with PullLocked), then pull."""
    try:
        # The store first: it says clearly when the folder is missing; then the lock beside it.
        with Store(db) as store, pull_lock(db):
            return run_pull(store, sources, **kwargs)
    except Timeout:
        raise PullLocked(f"another pull of {db} is running (lock {lock_path(db)}); this one was skipped") from None
