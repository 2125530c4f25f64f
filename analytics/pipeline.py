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
from analytics.ingest.normalize import TEXT_MAX, TITLE_MAX, cap_text
from analytics.store import ArticleRecord, EnrichmentRow, Store

Progress = Callable[[Iterable, int | None], Iterable]


def _batches(items: Iterable[ArticleRecord], size: int) -> Iterator[list[ArticleRecord]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def enrich_new(
    store: Store, records: Iterable[ArticleRecord], *, notes: list[str] | None = None
) -> list[tuple[ArticleRecord, EnrichmentRow]]:
    """The records not stored yet (each id once), capped, enriched and ready for the store.

    A feed's declared language is used as given; other records have theirs detected. Every writer
    passes through here, so this is where titles longer than ``TITLE_MAX`` and texts longer than
    ``TEXT_MAX`` characters (analytics.ingest.normalize) are cut: the stored title or text ends in
    ``CUT_MARK`` ("[…]") where it was cut, and a line per cut record is added to ``notes`` when
    given, for the caller to report.
    """
    unique = {r.id: r for r in records}
    known = store.known_ids(list(unique))
    fresh = [cap_record(r, notes) for r in unique.values() if r.id not in known]
    found = enrich_many([(r.title, r.text) for r in fresh], languages=[r.declared_language for r in fresh])
    return [(r, e.to_row()) for r, e in zip(fresh, found, strict=True)]


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
    return store_records(store, records)
