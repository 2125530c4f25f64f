"""From records to the store: enrich what is new and write it in atomic batches.

Pulls, imports and the demo corpus all store articles through :func:`enrich_new` (directly or by
:func:`store_records`), so every stored article went through the same caps and the same enrichment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from itertools import islice

from analytics.enrich import enrich_many
from analytics.errors import InputError
from analytics.ingest.normalize import TEXT_MAX, TITLE_MAX, cap_text, without_surrogates
from analytics.store import ArticleRecord, EnrichmentRow, Store

Progress = Callable[[Iterable, int | None], Iterable]


def _batches(items: Iterable[ArticleRecord], size: int) -> Iterator[list[ArticleRecord]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def new_records(store: Store, records: Iterable[ArticleRecord]) -> list[ArticleRecord]:
    """The records not stored yet, each id once (the last of a repeated id wins)."""
    unique = {r.id: r for r in records}
    known = store.known_ids(list(unique))
    return [r for r in unique.values() if r.id not in known]


def storable(record: ArticleRecord) -> ArticleRecord:
    """The record with every text field writable as UTF-8: a lone surrogate (a JSON "\\ud800", a
    broken UTF-16 feed) would make the store refuse the whole batch, so it becomes U+FFFD."""
    fields = ("url", "title", "text", "outlet", "source_country", "declared_language", "source_id")
    changed = {}
    for name in fields:
        value = getattr(record, name)
        if value and without_surrogates(value) != value:
            changed[name] = without_surrogates(value)
    return replace(record, **changed) if changed else record


def enrich_records(
    records: Iterable[ArticleRecord], *, notes: list[str] | None = None
) -> tuple[list[tuple[ArticleRecord, EnrichmentRow]], list[tuple[ArticleRecord, str]]]:
    """The records capped, enriched and ready for the store, and those that could not be, with the reason.

    Pure (no store), so a pull runs it off its event loop. Titles longer than ``TITLE_MAX`` and
    texts longer than ``TEXT_MAX`` characters (analytics.ingest.normalize) are cut here: the stored
    title or text ends in ``CUT_MARK`` ("[…]") where it was cut, and a line per cut record is added
    to ``notes`` when given. A feed's declared language is used as given; other records have theirs
    detected. One article whose text breaks the enrichment is left out with its reason; the others
    are stored.
    """
    fresh = [cap_record(storable(r), notes) for r in records]
    try:
        found = enrich_many([(r.title, r.text) for r in fresh], languages=[r.declared_language for r in fresh])
        return [(r, e.to_row()) for r, e in zip(fresh, found, strict=True)], []
    except Exception:  # find the article at fault, one at a time
        pass
    done: list[tuple[ArticleRecord, EnrichmentRow]] = []
    failed: list[tuple[ArticleRecord, str]] = []
    for record in fresh:
        try:
            (one,) = enrich_many([(record.title, record.text)], languages=[record.declared_language])
            done.append((record, one.to_row()))
        except Exception as exc:
            failed.append((record, f"enrichment failed: {type(exc).__name__}: {str(exc)[:200]}"))
    return done, failed


def enrich_new(
    store: Store, records: Iterable[ArticleRecord], *, notes: list[str] | None = None
) -> list[tuple[ArticleRecord, EnrichmentRow]]:
    """The records not stored yet (each id once), capped, enriched and ready for the store. Every
    writer passes through here or :func:`enrich_records`; cuts and records the enrichment cannot
    read are added to ``notes`` when given."""
    done, failed = enrich_records(new_records(store, records), notes=notes)
    if notes is not None:
        notes.extend(skipped_notes(failed))
    return done


def skipped_notes(failed: list[tuple[ArticleRecord, str]]) -> list[str]:
    """A note line per record the enrichment could not read: its link and the reason."""
    return [f"{r.url[:200]}: not stored ({why})" for r, why in failed]


def enrich_job(records: list[ArticleRecord]) -> tuple[list, list, list[str]]:
    """:func:`enrich_records` of one batch, as a worker process sends it back: ``(id, row)`` of the
    enriched, ``(id, reason)`` of those that could not be, and the notes. Only ids travel back, not
    the texts the caller already holds: :func:`rejoin` pairs them with its records again."""
    notes: list[str] = []
    done, failed = enrich_records(records, notes=notes)
    return [(r.id, row) for r, row in done], [(r.id, why) for r, why in failed], notes


def rejoin(
    records: list[ArticleRecord], result: tuple[list, list, list[str]]
) -> tuple[list[tuple[ArticleRecord, EnrichmentRow]], list[tuple[ArticleRecord, str]], list[str]]:
    """:func:`enrich_job`'s result for ``records`` with each id replaced by its record, capped and
    made storable as the worker did (:func:`enrich_records`)."""
    done, failed, notes = result
    ready = {r.id: cap_record(storable(r)) for r in records}
    return [(ready[i], row) for i, row in done], [(ready[i], why) for i, why in failed], notes


def enrich_new_batches(
    store: Store, batches: Iterable[list[ArticleRecord]], *, workers: int = 1
) -> Iterator[tuple[list[tuple[ArticleRecord, EnrichmentRow]], list[str]]]:
    """Per batch, in order: its records not stored yet, enriched (as :func:`enrich_new`), and its
    notes. With ``workers`` above 1 the enrichment runs in that many processes
    (:func:`analytics.workers.in_order`) while the caller stores each batch as it comes back."""
    from collections import deque

    from analytics.workers import in_order

    # Batches handed out but not yet stored are not in the store yet: an id repeated across them is
    # kept out by remembering their ids (never more than the batches in flight, so memory stays flat).
    in_flight: deque[set[str]] = deque(maxlen=2 * workers + 1)

    def fresh() -> Iterator[list[ArticleRecord]]:
        for batch in batches:
            recent = set().union(*in_flight)
            records = [r for r in new_records(store, batch) if r.id not in recent]
            in_flight.append({r.id for r in records})
            yield records

    for records, result in in_order(enrich_job, fresh(), workers=workers):
        done, failed, notes = rejoin(records, result)
        notes.extend(skipped_notes(failed))
        yield done, notes


def cap_record(record: ArticleRecord, notes: list[str] | None = None) -> ArticleRecord:
    """The record with its title and text capped (see :func:`enrich_new`); a cut adds a line to ``notes``."""
    title, title_cut = cap_text(record.title, TITLE_MAX)
    text, text_cut = cap_text(record.text, TEXT_MAX)
    if not (title_cut or text_cut):
        return record
    if notes is not None:
        cuts = [f"{name} cut to {limit:,} characters" for name, limit, cut in
                (("title", TITLE_MAX, title_cut), ("text", TEXT_MAX, text_cut)) if cut]  # fmt: skip
        notes.append(f"{record.url[:200]}: {'; '.join(cuts)}")
    return replace(record, title=title, text=text)


def store_records(store: Store, records: Iterable[ArticleRecord], *, batch: int = 500) -> int:
    """Enrich and store the records not stored yet; one transaction per batch. Returns how many were new.

    A crash loses at most the batch being written; what was committed before stays, and running
    again stores only what is still missing.
    """
    added = 0
    for chunk in _batches(records, batch):
        added += store.add_articles(enrich_new(store, chunk))
    return added


def load_demo(
    store: Store,
    *,
    n: int = 10_000,
    seed: int = 7,
    end: date | None = None,
    months: int = 24,
    progress: Progress | None = None,
) -> int:
    """Generate the demo corpus and store it. Refuses a store that holds real (pulled) articles."""
    from analytics import demo

    if store.count_articles() and not store.has_demo_data():
        raise InputError(
            f"{store.path} holds pulled articles; demo data would mix with them. "
            "Use another --db for the demo, e.g. --db data/demo.sqlite"
        )
    records = (
        ArticleRecord(
            url=a.url,
            title=a.title,
            text=a.text,
            published=a.published,
            outlet=a.outlet,
            source_country=a.source_country,
            declared_language=a.language,
            source_id="demo",
            is_demo=True,
        )
        for a in demo.generate(n=n, seed=seed, end=end, months=months)
    )
    if progress is not None:
        records = progress(records, n)
    return _stored_and_refreshed(store, records)


def _stored_and_refreshed(store: Store, records: Iterable[ArticleRecord]) -> int:
    """:func:`store_records`, then the analysis dataset brought up to date with the months stored."""
    from analytics import dataset

    since = store.data_version()
    months: set[str] = set()

    def noted(items: Iterable[ArticleRecord]) -> Iterator[ArticleRecord]:
        for record in items:
            months.update(dataset.months_of([record]))
            yield record

    added = store_records(store, noted(records))
    dataset.update(store, months, since=since)
    return added
