"""Full text of new articles, for sources marked ``fulltext = true``.

Each new article's page is fetched (same limits as feeds, but at most :data:`MAX_PAGE_BYTES`)
and its main text extracted with trafilatura. A page that fails or yields nothing keeps the
feed's summary: the article is still stored. Article links come from the feed, so every one goes
through the fetch guard (never to an internal address), and one pull fetches at most
``max_pages`` pages across all its sources (:class:`PageBudget`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import httpx

from analytics.ingest.fetch import FetchSettings, fetch
from analytics.ingest.guard import FetchGuard
from analytics.ingest.isolate import run_isolated_async
from analytics.ingest.normalize import TEXT_MAX
from analytics.store import ArticleRecord

MAX_PAGE_BYTES = 3 * 1024 * 1024
CONCURRENCY = 4
EXTRACT_SECONDS = 20.0  # trafilatura parses hostile HTML too; a page that takes longer keeps its summary


@dataclass
class PageBudget:
    """How many article pages a pull may still fetch; shared by its sources."""

    left: int

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def extract_text(html: bytes, url: str) -> str | None:
    """The main text of an article page, or None when nothing readable is found."""
    import trafilatura  # imported here: it is slow to import and only these sources need it

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)
    return text[:TEXT_MAX] if text else None


async def add_full_texts(
    client: httpx.AsyncClient,
    records: list[ArticleRecord],
    settings: FetchSettings,
    *,
    guard: FetchGuard,
    budget: PageBudget,
) -> tuple[list[ArticleRecord], list[str]]:
    """The records with their text replaced by the extracted page text where that worked, and a
    note for each page that was refused or left unfetched."""
    if records:
        # Imported before any child is forked: a child that imported it itself could wait forever
        # on an import lock another thread of this process held at the moment of the fork.
        import trafilatura  # noqa: F401
    page_settings = replace(settings, max_bytes=MAX_PAGE_BYTES, retries=1)
    gate = asyncio.Semaphore(CONCURRENCY)
    notes: list[str] = []
    unfetched = 0

    async def one(record: ArticleRecord) -> ArticleRecord:
        nonlocal unfetched
        if not budget.take():
            unfetched += 1
            return record
        async with gate:
            answer = await fetch(client, record.url, page_settings, guard=guard, trusted=False)
        if answer.error and answer.error.startswith("refused"):
            notes.append(f"{record.url[:300]}: page {answer.error}")
        if not answer.ok or not answer.body:
            return record
        try:
            text = await run_isolated_async(extract_text, answer.body, record.url, timeout=EXTRACT_SECONDS)
        except Exception as exc:  # a page trafilatura cannot read keeps the feed's summary
            notes.append(f"{record.url[:300]}: page text not extracted ({exc})")
            return record
        return replace(record, text=text) if text else record

    done = list(await asyncio.gather(*(one(r) for r in records)))
    if unfetched:
        notes.append(f"{unfetched} article pages not fetched: the pull's max_pages ({settings.max_pages}) was used up")
    return done, notes
