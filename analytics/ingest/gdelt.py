"""GDELT DOC 2.0 article lists: build the request, parse the answer, split windows past the cap.

One request asks ``api.gdeltproject.org/api/v2/doc/doc`` for ``mode=ArtList&format=json`` over an
absolute UTC window (``startdatetime``/``enddatetime`` as ``YYYYMMDDHHMMSS``), oldest first
(``sort=DateAsc``), at most ``maxrecords=250`` articles. :func:`build_url` and :func:`parse` are
pure; :func:`fetch_window` and :func:`fetch_source` do the requests through an injected ``get``,
``sleep`` and ``now``, so the caller owns HTTP (user agent, timeouts, retries) and tests need no
network and no real time.

Quirks of the API, and what this module does about each:

- **The 250-article cap.** ArtList returns at most 250 articles, with no paging. A window that
  comes back full was truncated, so :func:`fetch_window` halves it and asks for each half, again
  and again, until every piece comes back short of the cap. Pieces share their boundary second, so
  no instant falls between two requests whichever way GDELT treats the bounds; an article on a
  boundary may come twice and is deduplicated by id. A full piece whose halves would be shorter
  than 15 minutes (:data:`MIN_WINDOW`; GDELT stamps articles on its 15-minute update cycle, so
  finer pieces return the same articles) is kept as it is, with a warning that it was truncated.
- **Rate limit.** GDELT asks for one request every 5 seconds and answers faster callers with the
  plain-text "Please limit requests to one every 5 seconds", often with status 200. Requests are
  spaced by :data:`MIN_INTERVAL` on the injected clock (a :class:`Pacer` shared by all sources of
  a pull keeps the spacing across sources), and the text raises :class:`GdeltError` with
  ``rate_limited`` set.
- **Errors with status 200.** A query GDELT rejects ("Your query was too short or too long", a
  keyword too short, OR'd terms without parentheses) comes back as plain text or an HTML page with
  status 200. Anything that is not a JSON object raises :class:`GdeltError` quoting GDELT's words
  (tags stripped, shortened) and saying what to fix.
- **Nothing found.** GDELT answers ``{}`` (sometimes an empty body) when no article matches: zero
  records, not an error.
- **Invalid JSON.** Titles are copied raw, so the JSON may hold backslashes before characters that
  are not JSON escapes (``\\'``, ``\\x2d``, ``\\ ``) and raw control characters. Control
  characters are accepted inside strings (and become spaces in titles); ``\\xHH`` is read as the
  character it names and any other stray backslash is dropped (it was meant as an escape). If the
  page is still unreadable (an unescaped quote in one title), each article object is read on its
  own and the unreadable ones are counted as skipped, so one bad title never costs the whole page.
- **Empty strings for missing fields.** ``""`` is treated as absent everywhere. An article without
  a usable URL (empty, not http(s)) is skipped. An empty title is replaced by the URL's slug made
  readable ("peru-and-us-sign-trade-deal" -> "Peru and us sign trade deal"), since GDELT gives no
  body and the title is all enrichment reads; without a slug of at least three words the article
  is skipped. Skips are counted in :attr:`GdeltPage.skipped`.
- **Title spacing.** GDELT titles carry a space before punctuation ("Peru , US sign deal"); it is
  removed after the title goes through ``plain_text``.
- **Dates.** ``seendate`` (``20221006T213000Z``, UTC) is when GDELT first saw the article, not
  when the outlet published it; it is the best date GDELT offers and becomes ``published`` through
  ``settle_date`` (missing or unreadable -> the time seen, flagged).
- **Names, not codes.** ``sourcecountry`` is an English country name ("United States", "Peru",
  "Bosnia-Herzegovina") and ``language`` an English language name ("Spanish"). Countries are
  mapped to ISO alpha-3 through the project gazetteer (the whole name must match one country) plus
  a few GDELT spellings it lacks; languages through :data:`LANGUAGES` to ISO 639-1. Unknown names
  give ``None``, and then the source's own ``country``/``language`` (if set) is used.

Decisions: the outlet is the article's ``domain`` (a GDELT query spans many outlets, so the
source's ``outlet`` name would lump them together); the text is ``""`` (GDELT gives no body).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote, unquote, urlencode, urlsplit

from analytics.countries import find_mentions
from analytics.errors import BilatError, InputError
from analytics.ingest.normalize import canonical_url, plain_text, settle_date
from analytics.ingest.sources import Source
from analytics.store import ArticleRecord

API = "https://api.gdeltproject.org/api/v2/doc/doc"
MAX_RECORDS = 250  # the API's cap per request
MIN_INTERVAL = 5.0  # seconds between requests (GDELT asks for about one request per 5 s)
MIN_WINDOW = timedelta(minutes=15)  # do not split below this; report truncation instead

Get = Callable[[str], Awaitable[bytes]]
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

# GDELT's language names -> ISO 639-1, for the languages its translingual feed covers most.
LANGUAGES: dict[str, str] = {
    "afrikaans": "af", "albanian": "sq", "arabic": "ar", "armenian": "hy", "azerbaijani": "az",
    "basque": "eu", "belarusian": "be", "bengali": "bn", "bosnian": "bs", "bulgarian": "bg",
    "catalan": "ca", "chinese": "zh", "croatian": "hr", "czech": "cs", "danish": "da", "dutch": "nl",
    "english": "en", "estonian": "et", "finnish": "fi", "french": "fr", "galician": "gl",
    "georgian": "ka", "german": "de", "greek": "el", "gujarati": "gu", "hebrew": "he", "hindi": "hi",
    "hungarian": "hu", "icelandic": "is", "indonesian": "id", "italian": "it", "japanese": "ja",
    "kannada": "kn", "kazakh": "kk", "korean": "ko", "latvian": "lv", "lithuanian": "lt",
    "macedonian": "mk", "malay": "ms", "malayalam": "ml", "marathi": "mr", "mongolian": "mn",
    "nepali": "ne", "norwegian": "no", "persian": "fa", "polish": "pl", "portuguese": "pt",
    "punjabi": "pa", "romanian": "ro", "russian": "ru", "serbian": "sr", "sinhala": "si",
    "slovak": "sk", "slovenian": "sl", "somali": "so", "spanish": "es", "swahili": "sw",
    "swedish": "sv", "tagalog": "tl", "tamil": "ta", "telugu": "te", "thai": "th", "turkish": "tr",
    "ukrainian": "uk", "urdu": "ur", "uzbek": "uz", "vietnamese": "vi",
}  # fmt: skip

# GDELT country spellings the gazetteer does not hold as a whole name.
_COUNTRY_SPELLINGS: dict[str, str] = {
    "bosnia-herzegovina": "BIH",
    "curacao": "CUW",
    "gaza strip": "PSE",
    "georgia": "GEO",  # bare "Georgia" is a gazetteer trap (the US state); as a source country it is GEO
    "korea, north": "PRK",
    "korea, south": "KOR",
    "west bank": "PSE",
}

_RATE_LIMIT = re.compile(r"limit requests|too many requests|rate limit", re.I)
_ESCAPE = re.compile(r'\\(?:(["\\/bfnrt]|u[0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))?')
_ARTICLE_START = re.compile(r'\{\s*"url"\s*:')
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?%)\]])")
_PAGE_SUFFIX = re.compile(r"\.(s?html?|php\d?|aspx?|jsp|cms)$", re.I)
_SLUG_SPLIT = re.compile(r"[-_+.\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class GdeltError(BilatError):
    """GDELT answered with something other than an article list; the message quotes it."""

    def __init__(self, message: str, *, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.rate_limited = rate_limited


@dataclass(frozen=True)
class GdeltPage:
    """One parsed ArtList answer."""

    records: list[ArticleRecord]
    raw_count: int  # items in the response before dropping bad ones
    skipped: int  # items dropped (no url, non-http url, no title, unreadable)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _stamp(moment: datetime) -> str:
    return _utc(moment).strftime("%Y%m%d%H%M%S")


def build_url(query: str, start: datetime, end: datetime, *, max_records: int = MAX_RECORDS, api: str = API) -> str:
    """The ArtList request for ``query`` between ``start`` and ``end`` (UTC; naive taken as UTC).

    Parameters, in this order: ``query`` (percent-encoded, spaces as ``%20``), ``mode=ArtList``,
    ``format=json``, ``maxrecords``, ``startdatetime``, ``enddatetime`` (``YYYYMMDDHHMMSS``) and
    ``sort=DateAsc``.
    """
    if not query.strip():
        raise InputError("a GDELT query cannot be empty; set 'query' on the gdelt source")
    if not 1 <= max_records <= MAX_RECORDS:
        raise InputError(f"max_records must be from 1 to {MAX_RECORDS} (GDELT's cap), got {max_records}")
    if _utc(end) <= _utc(start):
        raise InputError(f"the GDELT window must end after it starts ({start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M})")
    params = [
        ("query", query.strip()),
        ("mode", "ArtList"),
        ("format", "json"),
        ("maxrecords", str(max_records)),
        ("startdatetime", _stamp(start)),
        ("enddatetime", _stamp(end)),
        ("sort", "DateAsc"),
    ]
    return f"{api}?{urlencode(params, quote_via=quote)}"


# --- parse ------------------------------------------------------------------------------------


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _refusal(text: str, source: Source) -> GdeltError:
    said = _shorten(plain_text(text)) or "(no readable text)"
    if _RATE_LIMIT.search(said):
        return GdeltError(
            f"GDELT asked source {source.id!r} to slow down: {said!r}. Wait a few minutes and pull again; "
            f"this client already keeps {MIN_INTERVAL:g} s between its own requests, so another process "
            "may be querying GDELT from this address",
            rate_limited=True,
        )
    return GdeltError(
        f"GDELT refused the query of source {source.id!r}: {said!r}. Fix 'query' in the sources file: "
        "GDELT rejects keywords shorter than 3 characters, OR'd terms outside parentheses and very long "
        "queries; quote exact phrases"
    )


def _repair_escape(match: re.Match[str]) -> str:
    """A valid JSON escape as it is, ``\\xHH`` as ``\\u00HH``, a stray backslash dropped."""
    if match.group(1):
        return match.group(0)
    if match.group(2):
        return "\\u00" + match.group(2)
    return ""


def _load(text: str) -> tuple[list[object], int]:
    """The article items of a JSON page, and how many unreadable ones were dropped."""
    repaired = _ESCAPE.sub(_repair_escape, text)
    for candidate in (text, repaired):
        try:
            data = json.loads(candidate, strict=False)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            raise GdeltError(f"GDELT sent JSON that is not an object ({type(data).__name__}); pull again later")
        articles = data.get("articles", [])
        if not isinstance(articles, list):
            raise GdeltError("GDELT sent an 'articles' field that is not a list; pull again later")
        return articles, 0
    # Still unreadable (an unescaped quote, a cut-off page): read each article object on its own.
    decoder = json.JSONDecoder(strict=False)
    items: list[object] = []
    bad = 0
    for match in _ARTICLE_START.finditer(repaired):
        try:
            item, _end = decoder.raw_decode(repaired, match.start())
        except json.JSONDecodeError:
            bad += 1
            continue
        items.append(item)
    if not items and not bad:
        raise GdeltError(
            f"GDELT sent a page that is not readable JSON ({_shorten(plain_text(text), 80)!r}); pull again later"
        )
    return items, bad


def _field(item: dict, key: str) -> str:
    value = item.get(key)
    return value.strip() if isinstance(value, str) else ""


def _title_from_url(url: str) -> str:
    """The URL's slug as words ("peru-us-trade-deal.html" -> "Peru us trade deal"), or ""."""
    for segment in reversed([s for s in urlsplit(url).path.split("/") if s]):
        words = [w for w in _SLUG_SPLIT.split(_PAGE_SUFFIX.sub("", unquote(segment))) if w and not w.isdigit()]
        if sum(any(c.isalpha() for c in w) for w in words) >= 3:
            text = " ".join(words)
            return text[0].upper() + text[1:]
    return ""


def _clean_title(raw: str) -> str:
    return _SPACE_BEFORE_PUNCT.sub(r"\1", plain_text(_CONTROL.sub(" ", raw)))


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=512)
def country_code(name: str) -> str | None:
    """ISO alpha-3 for a GDELT ``sourcecountry`` name ("United States" -> "USA"), None if unknown."""
    name = name.strip()
    if not name:
        return None
    known = _COUNTRY_SPELLINGS.get(name.lower())
    if known:
        return known
    bare = re.sub(r"^the\s+", "", name, flags=re.I)
    whole = {m.code for m in find_mentions("", bare) if m.start == 0 and m.end == len(bare)}
    return whole.pop() if len(whole) == 1 else None


def language_code(name: str) -> str | None:
    """ISO 639-1 for a GDELT ``language`` name ("Spanish" -> "es"), None if unknown."""
    return LANGUAGES.get(name.strip().lower())


def _record(item: object, source: Source, seen_at: datetime) -> ArticleRecord | None:
    if not isinstance(item, dict):
        return None
    raw_url = _field(item, "url")
    if not re.match(r"^https?://[^/\s]", raw_url, re.I):
        return None
    url = canonical_url(raw_url)
    if not url:  # a link canonical_url cannot read (a port out of range, say)
        return None
    title = _clean_title(_field(item, "title")) or _title_from_url(url)
    if not title:
        return None
    published, flag = settle_date(_field(item, "seendate"), seen_at)
    domain = _field(item, "domain").lower()
    outlet = (domain[4:] if domain.startswith("www.") else domain) or _host(url)
    return ArticleRecord(
        url=url,
        title=title,
        text="",
        published=published,
        outlet=outlet,
        source_country=country_code(_field(item, "sourcecountry")) or source.country,
        declared_language=language_code(_field(item, "language")) or source.language,
        source_id=source.id,
        date_flag=flag,
    )


def parse(body: bytes, source: Source, *, seen_at: datetime) -> GdeltPage:
    """The articles of one ArtList JSON answer; see the module docstring for the quirks handled.

    Raises :class:`GdeltError` when GDELT answered with an error text or page instead.
    """
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    if not text:
        return GdeltPage(records=[], raw_count=0, skipped=0)
    if not text.startswith("{"):
        raise _refusal(text, source)
    items, unreadable = _load(text)
    records = [r for r in (_record(item, source, seen_at) for item in items) if r is not None]
    raw_count = len(items) + unreadable
    return GdeltPage(records=records, raw_count=raw_count, skipped=raw_count - len(records))


# --- fetch ------------------------------------------------------------------------------------


class Pacer:
    """Keeps consecutive requests at least ``interval`` seconds apart on the ``now`` clock.

    Share one across the sources of a pull so the spacing holds from one source to the next.
    """

    def __init__(self, *, sleep: Sleep, now: Clock, interval: float = MIN_INTERVAL) -> None:
        self._sleep = sleep
        self._now = now
        self.interval = interval
        self._last: float | None = None

    async def wait(self) -> None:
        """Sleep for what remains of the interval since the last request finished."""
        if self._last is not None:
            remaining = self._last + self.interval - self._now()
            if remaining > 0:
                await self._sleep(remaining)

    def done(self) -> None:
        """Mark a request as finished now."""
        self._last = self._now()


def _span(start: datetime, end: datetime) -> str:
    return f"{start:%Y-%m-%d %H:%M:%S}–{end:%Y-%m-%d %H:%M:%S} UTC"


async def fetch_window(
    source: Source,
    start: datetime,
    end: datetime,
    *,
    get: Get,
    sleep: Sleep,
    now: Clock,
    pacer: Pacer | None = None,
    seen_at: datetime | None = None,
) -> tuple[list[ArticleRecord], list[str]]:
    """The source's articles seen between ``start`` and ``end``, and warnings about what is missing.

    Splits full windows in halves (oldest half first) as the module docstring describes, spaces
    requests by :data:`MIN_INTERVAL` (through ``pacer``, else one made from ``sleep`` and ``now``),
    and deduplicates by article id. A :class:`~analytics.errors.BilatError` from the first request
    (``get`` failing, GDELT refusing) propagates; one from a later piece stops the pull of this
    window and becomes a warning, keeping what was already fetched. ``seen_at`` defaults to ``end``.
    """
    if not source.query:
        raise InputError(f"source {source.id!r} has no GDELT query; set 'query' in the sources file")
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise InputError(f"the GDELT window must end after it starts ({_span(start, end)})")
    pacer = pacer or Pacer(sleep=sleep, now=now)
    seen = _utc(seen_at) if seen_at is not None else end
    found: dict[str, ArticleRecord] = {}
    warnings: list[str] = []
    pending = [(start, end)]  # a stack: the older half is pushed last so it is fetched first
    requested = False
    while pending:
        lo, hi = pending.pop()
        await pacer.wait()
        try:
            body = await get(build_url(source.query, lo, hi, api=source.url or API))
            page = parse(body, source, seen_at=seen)
        except BilatError as exc:
            if not requested:
                raise
            warnings.append(f"window {_span(lo, end)} not fully fetched ({exc}); pull again later to fill it")
            break
        finally:
            pacer.done()
        requested = True
        for record in page.records:
            found.setdefault(record.id, record)
        if page.raw_count < MAX_RECORDS:
            continue
        half = timedelta(seconds=(hi - lo).total_seconds() // 2)
        if half >= MIN_WINDOW:
            pending.append((lo + half, hi))
            pending.append((lo, lo + half))
        else:
            warnings.append(
                f"window {_span(lo, hi)} truncated at {MAX_RECORDS} articles; narrow the query of "
                f"source {source.id!r} to see the rest"
            )
    return list(found.values()), warnings


async def fetch_source(
    source: Source,
    *,
    get: Get,
    sleep: Sleep,
    now: Clock,
    clock_now: datetime,
    pacer: Pacer | None = None,
) -> tuple[list[ArticleRecord], list[str]]:
    """The source's articles of the last ``source.days`` days up to ``clock_now``, and warnings."""
    if source.kind != "gdelt":
        raise InputError(f"source {source.id!r} is of kind {source.kind!r}, not gdelt")
    end = _utc(clock_now)
    start = end - timedelta(days=source.days)
    return await fetch_window(source, start, end, get=get, sleep=sleep, now=now, pacer=pacer, seen_at=end)
