"""One pull: fetch every enabled source, parse, enrich what is new, store source by source.

Sources are fetched concurrently (a bounded number at a time); GDELT queries run one after the
other, at most one request per 5 seconds. As each source's answer arrives it is parsed and its new
articles are enriched and written in one transaction together with the source's run record, so a
pull killed at any moment leaves whole sources stored or not at all, and the next pull completes
the rest. One failing source never stops the others.

A file lock next to the store keeps two pulls (scheduled, manual or cron) from overlapping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from filelock import FileLock, Timeout

from analytics.errors import BilatError
from analytics.ingest import gdelt
from analytics.ingest.fetch import FetchResult, FetchSettings, fetch, make_client
from analytics.ingest.files import read_file
from analytics.ingest.fulltext import add_full_texts
from analytics.ingest.rss import FeedError, parse_feed
from analytics.ingest.sources import Source
from analytics.pipeline import enrich_new
from analytics.store import ArticleRecord, SourceRun, Store


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


def store_new_records(store: Store, run_id: int, run: SourceRun, records: list[ArticleRecord]) -> int:
    """Enrich the records not yet stored and write them with the run row, atomically."""
    return store.record_source(run_id, run, enrich_new(store, records))


async def _source_records(
    source: Source,
    client: httpx.AsyncClient,
    settings: FetchSettings,
    state: dict[str, str | None],
    seen_at: datetime,
    gdelt_gate: asyncio.Lock,
    pacer: gdelt.Pacer,
) -> tuple[list[ArticleRecord], FetchResult | None, list[str]]:
    """Fetch and parse one source. Raises BilatError with a message for the run record."""
    if source.kind == "file":
        result = read_file(
            source.url,
            source_id=source.id,
            outlet=source.outlet,
            country=source.country,
            language=source.language,
            columns=source.columns or None,
            seen_at=seen_at,
        )
        return result.records, None, [f"row {n}: {why}" for n, why in result.rejected[:20]]
    if source.kind == "gdelt":

        async def get(url: str) -> bytes:
            answer = await fetch(client, url, settings)
            if not answer.ok or answer.body is None:
                raise BilatError(answer.error or "no answer")
            return answer.body

        async with gdelt_gate:  # GDELT asks for one request at a time, 5 s apart
            records, warnings = await gdelt.fetch_source(
                source, get=get, sleep=asyncio.sleep, now=time.monotonic, clock_now=seen_at, pacer=pacer
            )
        return records, None, warnings
    answer = await fetch(client, source.url, settings, etag=state.get("etag"), last_modified=state.get("last_modified"))
    if answer.not_modified:
        return [], answer, []
    if not answer.ok or answer.body is None:
        raise _FetchFailed(answer)
    try:
        page = parse_feed(answer.body, source, seen_at=seen_at, content_type=answer.content_type)
    except FeedError as exc:
        raise _FetchFailed(answer, str(exc)) from None
    warnings = ([page.warning] if page.warning else []) + page.skipped[:20]
    return page.records, answer, warnings


class _FetchFailed(BilatError):
    def __init__(self, answer: FetchResult, message: str | None = None) -> None:
        super().__init__(message or answer.error or "failed")
        self.answer = answer


async def _pull_async(
    store: Store, sources: list[Source], run_id: int, settings: FetchSettings, seen_at: datetime,
    on_source: Callable[[SourceOutcome], None] | None,
) -> list[SourceOutcome]:  # fmt: skip
    outcomes: list[SourceOutcome] = []
    gate = asyncio.Semaphore(settings.concurrency)
    gdelt_gate = asyncio.Lock()
    pacer = gdelt.Pacer(
        sleep=asyncio.sleep, now=time.monotonic, interval=settings.gdelt_interval
    )  # 5 s between GDELT requests, across sources

    async with make_client(settings) as client:

        async def one(source: Source) -> SourceOutcome:
            started = time.monotonic()
            state = store.get_source_state(source.id)
            async with gate:
                try:
                    records, answer, warnings = await _source_records(
                        source, client, settings, state, seen_at, gdelt_gate, pacer
                    )
                    if source.fulltext and records:
                        known = store.known_ids([r.id for r in records])
                        records = await add_full_texts(client, [r for r in records if r.id not in known], settings) + [
                            r for r in records if r.id in known
                        ]
                except _FetchFailed as exc:
                    run = SourceRun(source.id, "failed", exc.answer.status, 0, time.monotonic() - started, str(exc))
                    store.record_source(run_id, run, [])
                    return SourceOutcome(run)
                except BilatError as exc:
                    run = SourceRun(source.id, "failed", None, 0, time.monotonic() - started, str(exc))
                    store.record_source(run_id, run, [])
                    return SourceOutcome(run)
            status = "not_modified" if answer is not None and answer.not_modified else "ok"
            run = SourceRun(
                source.id,
                status,
                answer.status if answer else None,
                len(records),
                time.monotonic() - started,
                None,
                answer.etag if answer else None,
                answer.last_modified if answer else None,
            )
            new = store_new_records(store, run_id, run, records)
            return SourceOutcome(run, new, tuple(warnings))

        tasks = [asyncio.create_task(one(s)) for s in sources]
        for finished in asyncio.as_completed(tasks):
            outcome = await finished
            outcomes.append(outcome)
            if on_source is not None:
                on_source(outcome)
    order = {s.id: i for i, s in enumerate(sources)}
    return sorted(outcomes, key=lambda o: order[o.source_id])


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
    run_id = store.start_run("pull")
    seen_at = (now or datetime.now(UTC)).replace(microsecond=0)
    try:
        outcomes = asyncio.run(_pull_async(store, enabled, run_id, settings, seen_at, on_source))
    except BaseException:
        store.finish_run(run_id, "interrupted", 0, 0, "the pull stopped before every source was done")
        raise
    failed = sum(o.status == "failed" for o in outcomes)
    status = "ok" if failed == 0 else ("failed" if failed == len(outcomes) else "partial")
    report = PullReport(run_id, status, outcomes)
    message = "; ".join(f"{o.source_id}: {o.error}" for o in report.failed)[:2000]
    store.finish_run(run_id, status, report.seen, report.new, message)
    return report


def pull_once(db: Path, sources: list[Source], **kwargs) -> PullReport:
    """Take the lock (or fail at once with PullLocked), then pull."""
    try:
        # The store first: it says clearly when the folder is missing; then the lock beside it.
        with Store(db) as store, pull_lock(db):
            return run_pull(store, sources, **kwargs)
    except Timeout:
        raise PullLocked(f"another pull of {db} is running (lock {lock_path(db)}); this one was skipped") from None
