"""Full text of new articles, for sources marked ``fulltext = true``.

Each new article's page is fetched (same limits as feeds, but at most :data:`MAX_PAGE_BYTES`)
and its main text extracted with trafilatura. A page that fails or yields nothing keeps the
feed's summary: the article is still stored.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx

from analytics.ingest.fetch import FetchSettings, fetch
from analytics.store import ArticleRecord

MAX_PAGE_BYTES = 3 * 1024 * 1024
MAX_TEXT = 100_000
CONCURRENCY = 4


def extract_text(html: bytes, url: str) -> str | None:
    """The main text of an article page, or None when nothing readable is found."""
    import trafilatura  # imported here: it is slow to import and only these sources need it

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)
    return text[:MAX_TEXT] if text else None


async def add_full_texts(
    client: httpx.AsyncClient, records: list[ArticleRecord], settings: FetchSettings
) -> list[ArticleRecord]:
    """The records with their text replaced by the extracted page text where that worked."""
    page_settings = replace(settings, max_bytes=MAX_PAGE_BYTES, retries=1)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(record: ArticleRecord) -> ArticleRecord:
        async with gate:
            answer = await fetch(client, record.url, page_settings)
        if not answer.ok or not answer.body:
            return record
        text = await asyncio.to_thread(extract_text, answer.body, record.url)
        return replace(record, text=text) if text else record

    return list(await asyncio.gather(*(one(r) for r in records)))
