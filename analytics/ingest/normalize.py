"""Normalisation of what feeds deliver: canonical URLs, plain-text titles, UTC dates.

Pure functions, no IO. Every parser (RSS, GDELT, files) passes its fields through these, so the
same article reached through two feeds gets the same canonical URL and therefore the same id.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "ref",
        "ref_src", "cmpid", "ito", "ocid", "smid", "smtyp", "taid", "at_medium", "at_campaign",
        "CMP", "s_cid", "ncid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs", "oly_")

# A published date more than this far ahead of the time seen is a feed error, not a scoop.
FUTURE_TOLERANCE = timedelta(hours=1)

DATE_OK = "ok"
DATE_MISSING = "missing"
DATE_UNPARSABLE = "unparsable"
DATE_FUTURE = "future"


def canonical_url(url: str) -> str:
    """The URL without tracking parameters or fragment, with a lower-case scheme and host.

    ``https://Example.org/a?utm_source=x&id=3#top`` -> ``https://example.org/a?id=3``. Remaining
    parameters keep their order; a default port and an empty query are dropped.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


_TAG = re.compile(r"<[^>]*>", re.S)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_SPACE = re.compile(r"\s+")


def plain_text(value: str | None) -> str:
    """Text without HTML: scripts and styles dropped with their content, tags removed, entities
    decoded, white space collapsed. What remains is shown as text, never as HTML."""
    if not value:
        return ""
    text = _SCRIPT.sub(" ", value)
    text = _TAG.sub(" ", text)
    # Entities may be escaped twice in feeds ("&amp;amp;"); decode until stable, at most twice.
    for _ in range(2):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = _TAG.sub(" ", _SCRIPT.sub(" ", text)) if "<" in text else text
    return _SPACE.sub(" ", text).strip()


def parse_date(value: object) -> datetime | None:
    """A tz-aware UTC datetime from RFC 822, ISO 8601, GDELT's ``20221006T213000Z``, a
    ``time.struct_time`` (feedparser) or a datetime; None when it cannot be read. Naive values are
    taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif hasattr(value, "tm_year"):
        try:
            moment = datetime(*value[:6], tzinfo=UTC)  # feedparser's parsed dates are already UTC
        except (TypeError, ValueError):
            return None
    elif isinstance(value, str):
        moment = _parse_date_text(value.strip())
        if moment is None:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_GDELT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})T?(\d{2})(\d{2})(\d{2})Z?$")


def _parse_date_text(text: str) -> datetime | None:
    match = _GDELT_DATE.match(text)
    if match:
        try:
            return datetime(*map(int, match.groups()), tzinfo=UTC)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def settle_date(raw: object, seen_at: datetime) -> tuple[datetime, str]:
    """The date to store and a flag saying how far to trust it.

    A missing or unreadable date falls back to the time the item was seen (flag ``missing`` or
    ``unparsable``); a date more than an hour ahead of that time is clamped to it (``future``).
    """
    if raw is None or raw == "":
        return seen_at, DATE_MISSING
    moment = parse_date(raw)
    if moment is None:
        return seen_at, DATE_UNPARSABLE
    if moment > seen_at + FUTURE_TOLERANCE:
        return seen_at, DATE_FUTURE
    return moment, DATE_OK
