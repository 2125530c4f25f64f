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

from lxml import etree

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


# Caps on text from feeds, files and pages. A title or text cut by cap_text ends in CUT_MARK.
TITLE_MAX = 1_000  # characters of a title (headlines run to about 150)
TEXT_MAX = 100_000  # characters of an article's text (a very long article is about 60,000)
MARKUP_MAX = 1_000_000  # characters of HTML read by plain_text; the rest is never parsed
URL_MAX = 8_192  # characters; a longer string is not taken as a link
CUT_MARK = " […]"


def cap_text(value: str, limit: int) -> tuple[str, bool]:
    """``value`` if it holds at most ``limit`` characters, else its start ending in :data:`CUT_MARK`
    (at most ``limit`` characters in all, cut between words unless the last word is very long);
    and whether it was cut."""
    if len(value) <= limit:
        return value, False
    head = value[: limit - len(CUT_MARK)]
    if not (head[-1:].isspace() or value[len(head)].isspace()):
        kept, _, partial = head.rpartition(" ")
        if kept and len(partial) <= 100:
            head = kept
    return head.rstrip() + CUT_MARK, True


# "&amp;" written into a link by a feed or file that escaped it once too often. Only "&" itself is
# decoded: a full HTML decode would read "?a=1&copy=2" as "?a=1©=2".
_ESCAPED_AMPERSAND = re.compile(r"&(?:amp|#0*38|#x0*26);", re.I)


def canonical_url(url: str) -> str:
    """The URL without tracking parameters or fragment, with a lower-case scheme and host.

    ``https://Example.org/a?utm_source=x&id=3#top`` -> ``https://example.org/a?id=3``. Remaining
    parameters keep their order; a default port and an empty query are dropped; ``&amp;`` is read
    as ``&``. Strings that are not http(s) URLs come back stripped but otherwise as given.

    Never raises: a string that cannot be read as a URL (a port out of range, a broken IPv6
    address, a lone surrogate, more than :data:`URL_MAX` characters) gives ``""``, which callers
    treat as "no link" and skip the item with that reason.
    """
    url = url.strip()
    if len(url) > URL_MAX:
        return ""
    url = _ESCAPED_AMPERSAND.sub("&", url)
    try:
        url.encode("utf-8")
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return url
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:  # UnicodeEncodeError included
        return ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
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


# Elements whose content is never shown as text: code, and raw text a browser does not display as
# part of the page (or displays literally, as markup: "<xmp><b>").
_HIDDEN = frozenset(
    {"script", "style", "template", "iframe", "noembed", "noframes", "noscript", "xmp", "plaintext", "textarea",
     "title"}
)  # fmt: skip
# Phrasing elements: their edges do not separate words ("Per<b>ú</b>" is "Perú"); every other tag does.
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "ins", "kbd", "mark", "q",
     "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"}
)  # fmt: skip
_SPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TAG_START = re.compile(r"<[A-Za-z/!?]")  # what an HTML parser reads as the start of a tag or comment


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (a JSON escape such as ``\\ud800`` decodes to one) replaced
    by U+FFFD: such text cannot be encoded, stored or passed to native code. Lengths and offsets
    stay as they were."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


class _TextCollector:
    """An lxml parser target: keeps the character data outside hidden elements; a tag that is not
    inline becomes a space. Comments, processing instructions and doctypes are not collected."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.hidden = 0

    def start(self, tag: str, attrib) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag not in _INLINE:
            self.pieces.append(" ")

    def end(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag not in _INLINE:
            self.pieces.append(" ")

    def data(self, data: str) -> None:
        if not self.hidden:
            self.pieces.append(data)

    def close(self) -> str:
        return "".join(self.pieces)


def plain_text(value: str | None) -> str:
    """Text without HTML: hidden elements (scripts, styles...) dropped with their content, tags
    removed, entities decoded once, white space collapsed. What remains is shown as text, never as
    HTML, and holds no tag.

    Only the first :data:`MARKUP_MAX` characters are read. Lone surrogates and NUL become U+FFFD,
    so the result can always be stored. A ``<`` that opens no tag stays text: ``Inflation <5% and
    exports >3%`` comes back as it is.
    """
    if not value:
        return ""
    text = without_surrogates(value[:MARKUP_MAX])
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")  # as the HTML parser does, on every path
    # Entities are decoded exactly once. feedparser has already undone the feed's XML escaping, so
    # the common double escape of feeds ("&amp;amp;" in the XML) arrives here as "&amp;" and one
    # decode gives "&". Decoding again would change text escaped on purpose ("&amp;lt;" explaining
    # entities) and would make markup of "&lt;script&gt;" after the tags were removed.
    if "<" in text:
        text = _html_text(text)
    elif "&" in text:
        text = html.unescape(text)
    text = _SPACE.sub(" ", text).strip()
    if "<" in text and _TAG_START.search(text):
        # Markup escaped once more than needed ("&lt;b&gt;" in an HTML description) is markup all
        # the same: its tags go too, with "&" escaped so that nothing is decoded a second time.
        # Read collapsed, as the result would be read again: a final "</" is text only at the end.
        text = _SPACE.sub(" ", _html_text(text.replace("&", "&amp;"))).strip()
    return text


def _html_text(markup: str) -> str:
    # libxml2's HTML parser tokenises as browsers do, in time linear in the input.
    parser = etree.HTMLParser(target=_TextCollector(), recover=True, no_network=True)
    parser.feed(markup)
    return parser.close()


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
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):  # year 9999 at -14:00 lands past datetime.max
        return None


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
