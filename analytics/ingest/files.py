"""Import of article lists exported by other monitoring tools: CSV and JSON Lines files.

Media Cloud's CSV export has ``id, publish_date, title, url, language, media_name, media_url``;
Meltwater and Talkwalker exports name their columns differently ("Headline", "Source", "Country"
as a name, dates in milliseconds). Each of our fields is looked up under the names in
``DEFAULT_COLUMNS`` (case-insensitive, first match wins) unless ``columns`` names the column.

What is accepted:
- ``.csv`` and ``.tsv`` files, delimited by comma, semicolon or tab (guessed from the header
  line), UTF-8 with or without a byte-order mark, or UTF-16 with one (Excel's "Unicode text").
  A line that is not valid UTF-8 is read as Windows-1252 and the result says so.
- ``.jsonl``, ``.ndjson`` and ``.jsonlines`` files: one JSON object per line.
- Dates as ISO 8601, RFC 822, Unix times (JSON numbers), day-first numbers (``10/03/2025`` is
  10 March unless ``dayfirst=False``), and English or Spanish month names ("Oct 3, 2025",
  "3 oct. 2025", "3 de octubre de 2025"); see ``analytics.ingest.dates.read_date``.

Rows are numbered as a spreadsheet shows them (the CSV header is row 1) and JSON Lines by line.
A row that cannot be used (no URL, no title, a URL that is not http(s), the same URL as an
earlier row, invalid JSON, a quote that is not closed, a line over ``LINE_LIMIT``...) is listed
in ``rejected`` with its number and the reason; the rest of the file is still imported. A file
that cannot be read at all raises ``InputError`` before any row is returned.

The file is read a line at a time (``FileImport``), so memory does not grow with its length.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from analytics.errors import InputError
from analytics.ingest.dates import read_date
from analytics.ingest.normalize import DATE_UNPARSABLE, canonical_url, plain_text
from analytics.store import ArticleRecord

# Our field -> the column names tried, in order, case-insensitive.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "article_url"),
    "title": ("title", "headline"),
    "text": ("text", "summary", "description", "content", "snippet"),
    "published": ("published", "publish_date", "date", "pubdate", "published_at"),
    "outlet": ("outlet", "media_name", "source", "publisher"),
    "source_country": ("source_country", "country"),
    "language": ("language", "lang"),
}
REQUIRED = ("url", "title")

CSV_SUFFIXES = (".csv", ".tsv")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
_DELIMITERS = (",", ";", "\t")
# Article texts can exceed the csv module's default field limit (128 KiB).
_FIELD_LIMIT = 16 * 1024 * 1024
# The longest line read (bytes, line end included; characters in UTF-16 files). A longer line is
# skipped unread and its row rejected, so one runaway line cannot hold the whole file in memory.
LINE_LIMIT = 16 * 1024 * 1024
# Records handed over at a time by FileImport.batches: what the importer enriches and stores at once.
BATCH = 500
# Rejected rows whose reasons are kept (all are counted), so a file of bad rows stays small in memory.
REJECTED_KEPT = 1000


@dataclass(frozen=True)
class ImportResult:
    """The records read from a file, the rows left out and anything the reader had to guess."""

    records: list[ArticleRecord]
    rejected: list[tuple[int, str]]  # (row or line number, reason); the first REJECTED_KEPT
    warnings: list[str] = field(default_factory=list)
    undated: int = 0  # records whose date could not be read: they carry ``seen_at``
    undated_example: tuple[int, str] | None = None  # (row, the date as written) of the first


def read_file(path: str | Path, **options: Any) -> ImportResult:
    """Read a CSV or JSON Lines export into article records, all at once.

    ``options`` are those of :class:`FileImport`: ``source_id``, ``seen_at`` (required), and
    ``outlet``, ``country`` (ISO alpha-3) and ``language`` (ISO 639-1), which fill in for rows,
    or files, that lack them (a value in the row wins); ``columns``, mapping our field names (the
    keys of ``DEFAULT_COLUMNS``) to the file's column names; ``dayfirst``, which reads
    ``10/03/2025`` as 10 March (False: 3 October). ``seen_at`` stands in for missing, unreadable
    or future dates (see ``settle_date``), so the result never depends on the clock. For files too
    large to hold, use ``FileImport`` itself.
    """
    with FileImport(path, **options) as reader:
        records = [record for batch in reader.batches() for record in batch]
    return ImportResult(records, reader.rejected, reader.warnings, reader.undated, reader.undated_example)


class FileImport:
    """A CSV or JSON Lines export read a line at a time, its records handed over in batches.

    Opening checks the file, the arguments and the CSV header, and raises ``InputError`` when
    the file cannot be imported at all, before any record is handed over. While ``batches()``
    runs, ``read`` counts the records handed over, ``rejected`` keeps the first ``REJECTED_KEPT``
    rejected rows (``rejected_count`` counts them all), ``warnings`` what the reader had to guess
    and ``undated`` / ``undated_example`` the dates that could not be read. Use it with ``with``.
    The arguments are those of ``read_file``.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        source_id: str,
        outlet: str | None = None,
        country: str | None = None,
        language: str | None = None,
        columns: Mapping[str, str] | None = None,
        seen_at: datetime,
        dayfirst: bool = True,
    ) -> None:
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path} does not exist or is not a file")
        suffix = path.suffix.lower()
        if suffix not in CSV_SUFFIXES + JSONL_SUFFIXES:
            kind = f"a {suffix} file" if suffix else "a file without a .csv or .jsonl ending"
            raise InputError(
                f"{path}: cannot import {kind}; export the articles as CSV (.csv, .tsv) or JSON Lines (.jsonl, .ndjson)"
            )
        default_country = _checked(country, _country, "country", "an ISO 3166-1 alpha-3 code such as PER")
        default_language = _checked(language, _language, "language", "an ISO 639-1 code such as es")
        self._columns = dict(columns or {})
        unknown = sorted(set(self._columns) - set(DEFAULT_COLUMNS))
        if unknown:
            raise InputError(
                f"{path}: {unknown[0]!r} is not a field that can be mapped; the fields are {', '.join(DEFAULT_COLUMNS)}"
            )
        self.path = path
        self.read = 0
        self.rejected: list[tuple[int, str]] = []
        self.rejected_count = 0
        self.warnings: list[str] = []
        self.undated = 0
        self.undated_example: tuple[int, str] | None = None
        self._defaults = _Defaults(
            source_id, (outlet or "").strip() or None, default_country, default_language, seen_at, dayfirst
        )
        self._found: dict[str, str] | None = None  # the CSV's columns; JSON Lines map each line
        try:
            self._handle = path.open("rb")
        except OSError as exc:
            raise InputError(f"{path} cannot be read ({exc.strerror}); check that you may open it") from None
        try:
            lines = _lines(path, self._handle, self.warnings)
            if suffix in CSV_SUFFIXES:
                header, self._rows = _csv_rows(path, lines, tab=suffix == ".tsv")
                self._found = _resolve_columns(header, self._columns, "the file's columns")
                if isinstance(self._found, str):
                    raise InputError(f"{path}: {self._found}")
                if "outlet" not in self._found and not self._defaults.outlet:
                    raise InputError(f"{path}: the file has no outlet column; pass --outlet NAME")
            else:
                self._rows = _jsonl_rows(path, lines)
            # Read up to the first usable row now, so files without one fail before anything is stored.
            self._first = self._next_row()
            if self._first is None and not self.rejected_count:
                raise InputError(f"{path} has a header line but no article rows; export the articles again")
        except BaseException:
            self._handle.close()
            raise

    def __enter__(self) -> FileImport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (``with`` does it)."""
        self._handle.close()

    def batches(self, size: int | None = None) -> Iterator[list[ArticleRecord]]:
        """The file's records, ``size`` (default ``BATCH``) at a time, in file order; each URL once."""
        size = size or BATCH
        first_row: dict[str, int] = {}
        batch: list[ArticleRecord] = []
        row = self._first
        self._first = None
        while row is not None:
            number, values = row
            record = _record(values, self._defaults)
            if isinstance(record, str):
                self._reject(number, record)
            elif record.url in first_row:
                self._reject(number, f"same URL as row {first_row[record.url]}")
            else:
                first_row[record.url] = number
                if record.date_flag == DATE_UNPARSABLE:
                    self.undated += 1
                    if self.undated_example is None:
                        self.undated_example = (number, _text(values.get("published"))[:60])
                batch.append(record)
                self.read += 1
                if len(batch) >= size:
                    yield batch
                    batch = []
            row = self._next_row()
        if batch:
            yield batch

    def _next_row(self) -> tuple[int, dict[str, object]] | None:
        """The next row with our field names as keys; rows that cannot be read are rejected."""
        for number, row in self._rows:
            if isinstance(row, str):
                self._reject(number, row)
                continue
            found = self._found or _resolve_columns(list(row), self._columns, "this line's fields")
            if isinstance(found, str):
                self._reject(number, found)
                continue
            return number, {name: row.get(column) for name, column in found.items()}
        return None

    def _reject(self, number: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < REJECTED_KEPT:
            self.rejected.append((number, reason))


# --- lines -------------------------------------------------------------------------------------

_CP1252_WARNING = (
    "{name} is not UTF-8; it was read as Windows-1252 (cp1252). Check accented letters in the "
    "titles, or save the file as UTF-8 and import it again."
)
# A lone "\r" also ends a line, as in files saved by old Mac software.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _lines(path: Path, handle: BinaryIO, warnings: list[str]) -> Iterator[tuple[int, str | None]]:
    """(line number, text with its line end) for each line; None for a line over LINE_LIMIT.

    Each line is decoded on its own, so one line in another encoding does not spoil the rest.
    """
    head = handle.read(8192)
    handle.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16_lines(path, handle, warnings)
    if b"\x00" in head:
        raise InputError(f"{path} is not a text file; export the articles as CSV or JSON Lines")
    return _byte_lines(path, handle, warnings)


def _byte_lines(path: Path, handle: BinaryIO, warnings: list[str]) -> Iterator[tuple[int, str | None]]:
    number = 0
    while raw := handle.readline(LINE_LIMIT + 1):
        if len(raw) > LINE_LIMIT:
            while raw and not raw.endswith(b"\n"):
                raw = handle.readline(1 << 20)
            number += 1
            yield number, None
            continue
        if number == 0:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # five bytes are undefined in cp1252
            if not warnings:
                warnings.append(_CP1252_WARNING.format(name=path.name))
        for part in _LINE.findall(text) if "\r" in text.rstrip("\r\n") else (text,):
            number += 1
            yield number, part


def _utf16_lines(path: Path, handle: BinaryIO, warnings: list[str]) -> Iterator[tuple[int, str | None]]:
    text = io.TextIOWrapper(handle, encoding="utf-16", errors="replace", newline="")
    number = 0
    while line := text.readline(LINE_LIMIT + 1):
        number += 1
        if len(line) > LINE_LIMIT:
            while line and not line.endswith(("\n", "\r")):
                line = text.readline(1 << 20)
            yield number, None
            continue
        if "\ufffd" in line and not warnings:
            warnings.append(f"{path.name} says it is UTF-16 but some characters are not; they were replaced by �")
        yield number, line


def _too_long(number: int) -> str:
    return f"line {number} is longer than {LINE_LIMIT // 2**20} MB and was skipped; split the text or shorten it"


# --- CSV ---------------------------------------------------------------------------------------


class _LongLine(Exception):
    """A line over LINE_LIMIT met inside the csv reader."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def _csv_rows(
    path: Path, lines: Iterator[tuple[int, str | None]], *, tab: bool
) -> tuple[list[str], Iterator[tuple[int, dict[str, str] | str]]]:
    """The header and an iterator of (row number, row or the reason it was rejected)."""
    for number, first in lines:
        if first is None:
            raise InputError(f"{path}: {_too_long(number)}")
        if first.strip():
            break
    else:
        raise InputError(f"{path} is empty; export the articles again")
    delimiter = "\t" if tab else _delimiter(first)
    with _field_limit():
        header = [name.strip() for name in next(csv.reader([first], delimiter=delimiter), [])]
    return header, _csv_records(lines, header, delimiter)


def _csv_records(
    lines: Iterator[tuple[int, str | None]], header: list[str], delimiter: str
) -> Iterator[tuple[int, dict[str, str] | str]]:
    # Strict mode turns a stray quote into an error instead of a field that swallows the rest of
    # the file; a row over several lines whose field count is wrong, or that takes in lines which
    # look like rows, is as suspect. The lines of such a row after its first are read again as
    # rows, so a quote that opens by mistake costs one row, not the rest of the file.
    replay: deque[tuple[int, str | None]] = deque()
    pending: list[tuple[int, str]] = []  # the lines of the row being read

    def feed() -> Iterator[str]:
        while item := (replay.popleft() if replay else next(lines, None)):
            number, text = item
            if text is None:
                raise _LongLine(number)
            pending.append((number, text))
            yield text

    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    number = 1
    while True:
        pending.clear()
        number += 1
        try:
            with _field_limit():
                values = next(reader)
        except StopIteration:
            return
        except (csv.Error, _LongLine) as exc:
            yield number, _quote_problem(exc, pending)
            replay.extendleft(reversed(pending[1:]))
            reader = csv.reader(feed(), delimiter=delimiter, strict=True)
            continue
        if len(pending) > 1 and (len(values) != len(header) or _rows_inside(pending, len(header), delimiter)):
            problem = (
                f"leaves {len(values)} fields where the header has {len(header)}"
                if len(values) != len(header)
                else "takes in lines that look like rows"
            )
            yield number, _swallowed(pending, problem)
            replay.extendleft(reversed(pending[1:]))
            continue
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(header):
            yield number, f"{len(values)} fields but the header has {len(header)}; a quote is probably missing"
            continue
        row: dict[str, str] = {}
        for name, value in zip(header, values, strict=False):
            row.setdefault(name, value)  # a repeated column name keeps its first column
        yield number, row


def _quote_problem(exc: Exception, pending: list[tuple[int, str]]) -> str:
    """Why a row could not be read, naming the line where it (and its quote) began."""
    if isinstance(exc, _LongLine) and not pending:
        return _too_long(exc.number)
    start = pending[0][0] if pending else 0
    if isinstance(exc, _LongLine):
        return f"a quote opened on line {start} runs into line {exc.number}, which is too long; check the quotes"
    if len(pending) <= 1:
        return f"bad quotes on line {start} ({exc}); write a quote inside a quoted field as two quotes"
    return _swallowed(pending, f"is not closed where its field ends ({exc})")


def _swallowed(pending: list[tuple[int, str]], problem: str) -> str:
    return (
        f"a quote opened on line {pending[0][0]} {problem}; the row was skipped and the lines after it read as "
        "rows of their own. Check the quotes in this row"
    )


def _rows_inside(pending: list[tuple[int, str]], columns: int, delimiter: str) -> bool:
    """Whether a line wholly inside a quoted field reads as a row of its own with a web address: the
    sign of a stray quote that another quote, lines later, happened to close."""
    for _, line in pending[1:-1]:
        try:
            values = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(values) == columns and any(v.lstrip().startswith(("http://", "https://")) for v in values):
            return True
    return False


_QUOTED = re.compile(r'"[^"]*"')


def _delimiter(header_line: str) -> str:
    """The delimiter used most often in the header line, quoted names left out."""
    bare = _QUOTED.sub("", header_line)
    counts = {d: bare.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@contextmanager
def _field_limit() -> Iterator[None]:
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, _FIELD_LIMIT))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


# --- JSON Lines --------------------------------------------------------------------------------


def _jsonl_rows(path: Path, lines: Iterator[tuple[int, str | None]]) -> Iterator[tuple[int, dict[str, object] | str]]:
    """(line number, object or the reason it was rejected) for each non-blank line."""
    first = True
    objects = False
    for number, line in lines:
        if line is None:
            yield number, _too_long(number)
            continue
        if not line.strip():
            continue
        if first and line.lstrip().startswith("["):
            raise InputError(f"{path} holds one JSON array, not JSON Lines; write one article object per line (.jsonl)")
        first = False
        try:
            value = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg}: column {exc.colno})"
            continue
        except RecursionError:
            yield number, "JSON nested too deeply; write one flat article object per line"
            continue
        except ValueError:  # a number beyond Python's digit limit for integers
            yield number, "holds a number too long to read; remove it"
            continue
        if not isinstance(value, dict):
            yield number, "not a JSON object"
            continue
        objects = True
        surrogate = _surrogate_field(value)
        if surrogate is not None:
            reason = f"field {surrogate} holds an unpaired surrogate escape (such as \\ud800), which is not a character"
            yield number, f"{reason}; remove it from the export"
            continue
        yield number, {str(key): item for key, item in value.items()}
    if first:
        raise InputError(f"{path} is empty; export the articles again")
    if not objects:
        raise InputError(f"{path}: no line is a JSON object; a JSON Lines file has one article object per line")


def _surrogate_field(value: dict) -> str | None:
    """The first key or text value (as repr of its key) holding a lone surrogate, which SQLite and UTF-8
    output refuse; None when there is none."""
    for key, item in value.items():
        for text in (key, item):
            if isinstance(text, str) and not _encodable(text):
                return repr(key) if _encodable(key) else "name"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- columns -----------------------------------------------------------------------------------


def _resolve_columns(header: list[str], columns: Mapping[str, str], what: str) -> dict[str, str] | str:
    """Our field -> the column name, for every field the header has; or why the header cannot be used.

    ``what`` names the header in the message ("the file's columns", "this line's fields").
    """
    by_lower: dict[str, str] = {}
    for name in header:
        by_lower.setdefault(name.strip().lower(), name)
    listing = ", ".join(name for name in header if name.strip()) or "(none)"
    found: dict[str, str] = {}
    for name, candidates in DEFAULT_COLUMNS.items():
        if name in columns:
            column = by_lower.get(columns[name].strip().lower())
            if column is None:
                return f"no column {columns[name]!r} (for {name}); {what} are: {listing}"
            found[name] = column
            continue
        column = next((by_lower[c] for c in candidates if c in by_lower), None)
        if column is not None:
            found[name] = column
    for name in REQUIRED:
        if name not in found:
            return (
                f"no {name} column (looked for {', '.join(DEFAULT_COLUMNS[name])}); {what} are: "
                f"{listing}. Name the column with --map {name}=COLUMN"
            )
    return found


# --- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Defaults:
    source_id: str
    outlet: str | None
    country: str | None
    language: str | None
    seen_at: datetime
    dayfirst: bool


def _record(values: dict[str, object], defaults: _Defaults) -> ArticleRecord | str:
    """The record of one row, or the reason it cannot be used."""
    raw_url = _text(values.get("url")).strip()
    if not raw_url:
        return "no url"
    url = canonical_url(raw_url)
    if not url:  # a port out of range, a broken IPv6 address: canonical_url cannot read it
        return f"url {raw_url[:80]!r} is not a valid web address"
    parts = urlsplit(url)
    if not (parts.scheme in ("http", "https") and parts.hostname and parts.port != 0):
        return f"url {raw_url[:80]!r} is not an http(s) address"
    title = plain_text(_text(values.get("title")))
    if not title:
        return "no title"
    outlet = plain_text(_text(values.get("outlet"))) or defaults.outlet
    if not outlet:
        return "no outlet in this row; pass --outlet NAME"
    published, flag = read_date(values.get("published"), defaults.seen_at, dayfirst=defaults.dayfirst)
    return ArticleRecord(
        url=url,
        title=title,
        text=plain_text(_text(values.get("text"))),
        published=published,
        outlet=outlet,
        source_country=_country(_text(values.get("source_country"))) or defaults.country,
        declared_language=_language(_text(values.get("language"))) or defaults.language,
        source_id=defaults.source_id,
        date_flag=flag,
    )


def _text(value: object) -> str:
    """A cell as text: JSON numbers and booleans as written, lists and objects left out."""
    if value is None or isinstance(value, dict | list):
        return ""
    return value if isinstance(value, str) else str(value)


def _checked(value: str | None, mapper: Callable[[str], str | None], what: str, expected: str) -> str | None:
    if value is None or not value.strip():
        return None
    mapped = mapper(value)
    if mapped is None:
        raise InputError(f"{what} {value!r} is not {expected}")
    return mapped


# --- countries and languages -------------------------------------------------------------------

# The Americas and the countries that most often report on them: ISO alpha-2, alpha-3, names in
# English and Spanish. Other alpha-3 codes pass through; other names and alpha-2 codes are dropped.
_COUNTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("AR", "ARG", ("argentina",)),
    ("BO", "BOL", ("bolivia",)),
    ("BR", "BRA", ("brazil", "brasil")),
    ("BZ", "BLZ", ("belize", "belice")),
    ("CA", "CAN", ("canada",)),
    ("CL", "CHL", ("chile",)),
    ("CO", "COL", ("colombia",)),
    ("CR", "CRI", ("costa rica",)),
    ("CU", "CUB", ("cuba",)),
    ("DO", "DOM", ("dominican republic", "republica dominicana")),
    ("EC", "ECU", ("ecuador",)),
    ("GT", "GTM", ("guatemala",)),
    ("GY", "GUY", ("guyana",)),
    ("HN", "HND", ("honduras",)),
    ("HT", "HTI", ("haiti",)),
    ("JM", "JAM", ("jamaica",)),
    ("MX", "MEX", ("mexico",)),
    ("NI", "NIC", ("nicaragua",)),
    ("PA", "PAN", ("panama",)),
    ("PE", "PER", ("peru",)),
    ("PR", "PRI", ("puerto rico",)),
    ("PY", "PRY", ("paraguay",)),
    ("SR", "SUR", ("suriname", "surinam")),
    ("SV", "SLV", ("el salvador",)),
    ("TT", "TTO", ("trinidad and tobago", "trinidad y tobago")),
    ("US", "USA", ("united states", "united states of america", "usa", "us", "estados unidos", "eeuu", "ee uu")),
    ("UY", "URY", ("uruguay",)),
    ("VE", "VEN", ("venezuela",)),
    ("AU", "AUS", ("australia",)),
    ("CN", "CHN", ("china", "people's republic of china")),
    ("DE", "DEU", ("germany", "alemania")),
    ("ES", "ESP", ("spain", "espana")),
    ("FR", "FRA", ("france", "francia")),
    ("GB", "GBR", ("united kingdom", "uk", "great britain", "reino unido", "gran bretana")),
    ("IN", "IND", ("india",)),
    ("IT", "ITA", ("italy", "italia")),
    ("JP", "JPN", ("japan", "japon")),
    ("KR", "KOR", ("south korea", "korea", "republic of korea", "corea del sur")),
    ("PT", "PRT", ("portugal",)),
    ("QA", "QAT", ("qatar", "catar")),
    ("RU", "RUS", ("russia", "russian federation", "rusia")),
)
_ALPHA2 = {a2: a3 for a2, a3, _ in _COUNTRIES} | {"UK": "GBR"}
_COUNTRY_NAMES = {name: a3 for _, a3, names in _COUNTRIES for name in names}

_LANGUAGE_NAMES = {
    "english": "en", "ingles": "en", "eng": "en",
    "spanish": "es", "espanol": "es", "castellano": "es", "spa": "es",
    "portuguese": "pt", "portugues": "pt", "por": "pt",
    "french": "fr", "frances": "fr", "fra": "fr", "fre": "fr",
    "chinese": "zh", "chino": "zh", "zho": "zh", "chi": "zh",
    "german": "de", "aleman": "de", "deu": "de", "ger": "de",
    "italian": "it", "italiano": "it", "ita": "it",
    "japanese": "ja", "japones": "ja", "jpn": "ja",
    "russian": "ru", "ruso": "ru", "rus": "ru",
    "arabic": "ar", "arabe": "ar", "ara": "ar",
    "korean": "ko", "coreano": "ko", "kor": "ko",
}  # fmt: skip


def _fold(value: str) -> str:
    """Lower case without accents or dots, white space collapsed: "EE.UU." -> "eeuu"."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().replace(".", "")
    bare = re.sub(r"\s+", " ", bare).strip()
    return bare[4:] if bare.startswith("the ") else bare


def _country(value: str) -> str | None:
    """ISO alpha-3 of a country written as alpha-3, alpha-2 or a name; None when unknown."""
    value = value.strip()
    if re.fullmatch(r"[A-Za-z]{3}", value) and _fold(value) not in _COUNTRY_NAMES:
        return value.upper()
    if re.fullmatch(r"[A-Za-z]{2}", value) and value.upper() in _ALPHA2:
        return _ALPHA2[value.upper()]
    return _COUNTRY_NAMES.get(_fold(value))


def _language(value: str) -> str | None:
    """ISO 639-1 code of a language written as a code ("es", "es-PE", "spa") or a name."""
    folded = _fold(value)
    match = re.fullmatch(r"([a-z]{2})(?:[-_][a-z0-9]+)?", folded)
    if match:
        return match.group(1)
    return _LANGUAGE_NAMES.get(folded)
