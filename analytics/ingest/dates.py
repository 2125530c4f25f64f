"""Dates as exports write them: the forms beyond ISO 8601 and RFC 822 that ``bilat import`` reads.

Monitoring tools and spreadsheets write dates day first (``10/03/2025``, as Peru and most of the
world do), month first (US exports), with English or Spanish month names ("Oct 3, 2025",
"3 de octubre de 2025") or as Unix times. :func:`read_date` reads them and hands the result to
``settle_date``, so a date it cannot read is flagged and replaced by the time seen, as for feeds.
A date is read only when every word of it is understood; anything doubtful stays unreadable.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from analytics.ingest.normalize import DATE_UNPARSABLE, parse_date, settle_date


def read_date(value: object, seen_at: datetime, *, dayfirst: bool = True) -> tuple[datetime, str]:
    """The date of an imported row and its flag, as ``settle_date`` gives them.

    Beyond what ``parse_date`` reads (ISO 8601, RFC 822), this reads JSON numbers as Unix times
    (seconds, or milliseconds as Talkwalker writes them), numeric dates with ``/``, ``-`` or
    ``.`` (``2025/10/03`` year first; ``10/03/2025`` day first, or month first with
    ``dayfirst=False``; a number over 12 is always the day) and
    dates with an English or Spanish month name or abbreviation ("Oct 3, 2025", "October 3 2025",
    "3 oct. 2025", "viernes 3 de octubre de 2025", "3 set 2025"), each with an optional time
    ("14:30", "2:30 pm"). Dates without a zone are taken as UTC.
    """
    value = _date_value(value)
    if isinstance(value, str) and value.strip():
        if len(value) > _DATE_CHARS:
            return seen_at, DATE_UNPARSABLE
        value = parse_date(value) or _written_date(value, dayfirst=dayfirst) or value
    return settle_date(value, seen_at)


def _date_value(value: object) -> object:
    """JSON numbers are Unix times (seconds, or milliseconds as Talkwalker writes them)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    seconds = value / 1000 if abs(value) >= 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return str(value)  # settle_date flags it unparsable


_DATE_CHARS = 100  # longer values are not dates; they are flagged unreadable unparsed
_MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "ene": 1,
    "february": 2, "feb": 2, "febrero": 2,
    "march": 3, "mar": 3, "marzo": 3,
    "april": 4, "apr": 4, "abril": 4, "abr": 4,
    "may": 5, "mayo": 5,
    "june": 6, "jun": 6, "junio": 6,
    "july": 7, "jul": 7, "julio": 7,
    "august": 8, "aug": 8, "agosto": 8, "ago": 8,
    "september": 9, "sep": 9, "sept": 9, "septiembre": 9, "setiembre": 9, "set": 9,
    "october": 10, "oct": 10, "octubre": 10,
    "november": 11, "nov": 11, "noviembre": 11,
    "december": 12, "dec": 12, "diciembre": 12, "dic": 12,
}  # fmt: skip
# Words a date may carry that change nothing: weekdays (Spanish "mar" is read as March), joining
# words, ordinal endings ("3rd", "1º") and the UTC zone.
_NOISE = frozenset((
    "monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed", "thursday", "thu", "thurs",
    "friday", "fri", "saturday", "sat", "sunday", "sun",
    "lunes", "lun", "martes", "miercoles", "mie", "jueves", "jue", "viernes", "vie", "sabado", "sab",
    "domingo", "dom",
    "de", "del", "of", "the", "el", "a", "las", "at", "st", "nd", "rd", "th", "o", "ro", "er",
    "utc", "gmt", "z",
))  # fmt: skip
_AM_PM = re.compile(r"(?<![a-z])([ap])\.? ?m\.?(?![a-z])")
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)")
_DATE_TOKEN = re.compile(r"[a-z]+|\d+(?:[/.-]\d+)*")
_NUMERIC = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")


def _written_date(text: str, *, dayfirst: bool) -> datetime | None:
    """A date written with a month name or as day/month/year; None unless every word is understood."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    folded = _AM_PM.sub(r" \1m ", folded)
    hour = minute = second = 0
    time = _TIME.search(folded)
    if time:
        hour, minute, second = (int(part or 0) for part in time.groups())
        folded = folded[: time.start()] + " " + folded[time.end() :]
    if _DATE_TOKEN.sub("", folded).strip(" \t,./-"):
        return None  # something that is neither a word nor a number
    months: list[int] = []
    numbers: list[str] = []
    half = None
    for token in _DATE_TOKEN.findall(folded):
        if token[0].isdigit():
            numbers.append(token)
        elif token in _MONTHS:
            months.append(_MONTHS[token])
        elif token in ("am", "pm"):
            half = token
        elif token not in _NOISE:
            return None
    ymd = _month_name_date(months, numbers) if months else _numeric_date(numbers, dayfirst=dayfirst)
    if ymd is None:
        return None
    if half is not None:
        if not time or not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        return datetime(*ymd, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def _month_name_date(months: list[int], numbers: list[str]) -> tuple[int, int, int] | None:
    """One month name, a day and a four-digit year: "3 de octubre de 2025", "Oct 3, 2025"."""
    if len(months) != 1 or len(numbers) != 2 or not all(n.isdigit() for n in numbers):
        return None
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(years) != 1 or len(days) != 1:
        return None
    return int(years[0]), months[0], int(days[0])


def _numeric_date(numbers: list[str], *, dayfirst: bool) -> tuple[int, int, int] | None:
    """``2025/10/03`` year first; ``10/03/2025`` and ``10.03.25`` day first (or month first)."""
    match = _NUMERIC.fullmatch(numbers[0]) if len(numbers) == 1 else None
    if match is None:
        return None
    first, second, last = match.groups()
    if len(first) == 4:
        return (int(first), int(second), int(last)) if len(last) <= 2 else None
    if len(first) > 2:
        return None
    year = int(last) if len(last) == 4 else 2000 + int(last) if int(last) < 70 else 1900 + int(last)
    day, month = (int(first), int(second)) if dayfirst else (int(second), int(first))
    if month > 12 >= day:  # 25/10/2025 is day first and 10/25/2025 month first, whatever the setting
        day, month = month, day
    return year, month, day
