"""RSS 0.9x/1.0/2.0 and Atom feeds: bytes in, article records out (no IO).

feedparser reads the formats and their encodings; it recovers what it can from malformed XML
and says so (``bozo``). A page that yields no entries at all is not a feed: that is an error the
pull records for the source, not an empty success. feedparser itself can raise on hostile bytes
(an out-of-range character reference such as ``&#1114112;`` raises ValueError): any exception of
feedparser is that source's failure (:class:`FeedError`), and any exception while reading one item
skips that item with the reason, so one bad item never costs the rest of the feed.

Texts are not cut here: ``analytics.pipeline.enrich_new`` caps titles and texts of every source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import feedparser

from analytics.errors import BilatError
from analytics.ingest.normalize import canonical_url, plain_text, settle_date
from analytics.ingest.sources import Source
from analytics.store import ArticleRecord


class FeedError(BilatError):
    """The bytes are not a feed we can read."""


@dataclass(frozen=True)
class FeedPage:
    records: list[ArticleRecord]
    skipped: list[str] = field(default_factory=list)  # why items were left out
    warning: str | None = None  # feedparser's complaint about a feed it still read


def _link(entry) -> str | None:
    candidates = [entry.get("link")] + [
        link.get("href") for link in entry.get("links", []) if link.get("rel", "alternate") == "alternate"
    ]
    for candidate in candidates:
        if candidate and candidate.strip().lower().startswith(("http://", "https://")):
            return candidate.strip()
    return None


def _text(entry) -> str:
    for content in entry.get("content", []) or []:
        if content.get("value"):
            return plain_text(content["value"])
    return plain_text(entry.get("summary") or entry.get("description") or "")


def _raw_date(entry) -> object:
    # dict.get, not entry.get: feedparser's own lookup maps missing keys to others with a warning.
    for key in ("published", "updated", "created"):
        parsed = dict.get(entry, f"{key}_parsed")
        if parsed:
            return parsed
    for key in ("published", "updated", "created"):
        if dict.get(entry, key):
            return dict.get(entry, key)  # present but feedparser could not read it
    return None


def parse_feed(body: bytes, source: Source, *, seen_at: datetime, content_type: str | None = None) -> FeedPage:
    """The articles of a feed. Items without a usable http(s) link or without any text are skipped,
    and so is an item whose reading raised; each skip says why. Raises :class:`FeedError` when the
    bytes are not a feed, whatever feedparser raised."""
    headers = {"content-type": content_type} if content_type else {}
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser's failures on hostile bytes have no common type
        raise FeedError(f"feedparser could not read it ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not parsed.entries:
        reason = str(parsed.get("bozo_exception") or "no items")
        version = parsed.get("version") or ""
        if parsed.get("bozo") or not version:
            raise FeedError(f"not a readable RSS or Atom feed ({reason[:200]})")
        return FeedPage([], [])
    records: list[ArticleRecord] = []
    skipped: list[str] = []
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            found = _record(entry, source, seen_at)
        except Exception as exc:  # one item's failure must not cost the others
            found = f"could not be read ({type(exc).__name__}: {str(exc)[:200]})"
        if isinstance(found, str):
            skipped.append(f"item {number}: {found}")
        else:
            records.append(found)
    warning = None
    if parsed.get("bozo"):
        warning = f"feed is not well-formed; read what could be recovered ({str(parsed.get('bozo_exception'))[:200]})"
    return FeedPage(records, skipped, warning)


def _record(entry, source: Source, seen_at: datetime) -> ArticleRecord | str:
    """The record of one feed item, or the reason it is skipped."""
    link = _link(entry)
    if link is None:
        return "no http(s) link"
    url = canonical_url(link)
    if not url:
        return f"link {link[:80]!r} is not a usable URL"
    title = plain_text(entry.get("title"))
    text = _text(entry)
    if not title and not text:
        return "no title or text"
    published, flag = settle_date(_raw_date(entry), seen_at)
    return ArticleRecord(
        url=url,
        title=title or text[:160],
        text=text if text != title else "",
        published=published,
        outlet=source.outlet,
        source_country=source.country,
        declared_language=source.language,
        source_id=source.id,
        date_flag=flag,
    )
