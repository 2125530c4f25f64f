"""From records to the store: enrich what is new and write it in atomic batches.

Pulls, imports and the demo corpus all store articles through :func:`store_records`, so every
stored article went through the same enrichment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from itertools import islice

from analytics.enrich import enrich_many
from analytics.errors import InputError
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(text: str | None) -> str | None:
    # A lone surrogate (a JSON "\ud800", a broken UTF-16 feed) cannot be written as UTF-8: the
    # store would refuse the whole batch. It becomes the replacement character, as bad bytes do.
    return _SURROGATE.sub("\ufffd", text) if text and _SURROGATE.search(text) else text


def storable(record: ArticleRecord) -> ArticleRecord:
    """The record with every text field writable as UTF-8."""
    fields = ("url", "title", "text", "outlet", "source_country", "declared_language", "source_id")
    changed = {f: _storable(getattr(record, f)) for f in fields if getattr(record, f) != _storable(getattr(record, f))}
    return replace(record, **changed) if changed else record


def enrich_records(
    records: list[ArticleRecord],
) -> tuple[list[tuple[ArticleRecord, EnrichmentRow]], list[tuple[ArticleRecord, str]]]:
    """The records enriched and ready for the store, and those that could not be, with the reason.

    Pure (no store), so a pull runs it off its event loop. A feed's declared language is used as
    given; other records have theirs detected. One article whose text breaks the enrichment is
    left out with its reason; the others are stored.
    """
    records = [storable(r) for r in records]
    try:
        found = enrich_many([(r.title, r.text) for r in records], languages=[r.declared_language for r in records])
        return [(r, e.to_row()) for r, e in zip(records, found, strict=True)], []
    except Exception:  # find the article at fault, one at a time
        pass
    done: list[tuple[ArticleRecord, EnrichmentRow]] = []
    failed: list[tuple[ArticleRecord, str]] = []
    for record in records:
        try:
            (found,) = enrich_many([(record.title, record.text)], languages=[record.declared_language])
            done.append((record, found.to_row()))
        except Exception as exc:
            failed.append((record, f"enrichment failed: {type(exc).__name__}: {str(exc)[:200]}"))
    return done, failed


def enrich_new(store: Store, records: Iterable[ArticleRecord]) -> list[tuple[ArticleRecord, EnrichmentRow]]:
    """The records not stored yet (each id once), enriched and ready for the store; records the
    enrichment cannot read are left out (see :func:`enrich_records`)."""
    return enrich_records(new_records(store, records))[0]


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
    return store_records(store, records)
