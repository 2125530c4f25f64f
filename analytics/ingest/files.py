"""Import of article lists exported by other monitoring tools: CSV and JSON Lines files.

Media Cloud's CSV export has ``id, publish_date, title, url, language, media_name, media_url``;
Meltwater and Talkwalker exports name their columns differently ("Headline", "Source", "Country"
as a name, dates in milliseconds). Each of our fields is looked up under the names in
``DEFAULT_COLUMNS`` (case-insensitive, first match wins) unless ``columns`` names the column.

What is accepted:
- ``.csv`` and ``.tsv`` files, delimited by comma, semicolon or tab (guessed from the header
  line), UTF-8 with or without a byte-order mark, or UTF-16 with one (Excel's "Unicode text").
  A file that is not valid UTF-8 is read as Windows-1252 and the result says so.
- ``.jsonl``, ``.ndjson`` and ``.jsonlines`` files: one JSON object per line.

Rows are numbered as a spreadsheet shows them (the CSV header is row 1) and JSON Lines by line.
A row that cannot be used (no URL, no title, a URL that is not http(s), the same URL as an
earlier row, invalid JSON...) is listed in ``rejected`` with its number and the reason; the rest
of the file is still imported. A file that cannot be read at all raises ``InputError``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from analytics.errors import InputError
from analytics.ingest.normalize import canonical_url, plain_text, settle_date
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


@dataclass(frozen=True)
class ImportResult:
    """The records read from a file, the rows left out and anything the reader had to guess."""

    records: list[ArticleRecord]
    rejected: list[tuple[int, str]]  # (row or line number, reason)
    warnings: list[str] = field(default_factory=list)


def read_file(
    path: str | Path,
    *,
    source_id: str,
    outlet: str | None = None,
    country: str | None = None,
    language: str | None = None,
    columns: Mapping[str, str] | None = None,
    seen_at: datetime,
) -> ImportResult:
    """Read a CSV or JSON Lines export into article records.

    ``outlet``, ``country`` (ISO alpha-3) and ``language`` (ISO 639-1) fill in for rows, or
    files, that lack them; a value in the row wins. ``columns`` maps our field names (the keys of
    ``DEFAULT_COLUMNS``) to the file's column names. ``seen_at`` stands in for missing, unreadable
    or future dates (see ``settle_date``), so the result never depends on the clock.
    """
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
    text, warnings = _decode(path)
    if suffix in CSV_SUFFIXES:
        header, rows, rejected = _csv_rows(path, text, tab=suffix == ".tsv")
    else:
        header, rows, rejected = _jsonl_rows(path, text)
    found = _resolve_columns(path, header, columns)
    if "outlet" not in found and not (outlet and outlet.strip()):
        raise InputError(f"{path}: the file has no outlet column; pass --outlet NAME")
    defaults = _Defaults(source_id, (outlet or "").strip() or None, default_country, default_language, seen_at)
    records: list[ArticleRecord] = []
    first_row: dict[str, int] = {}
    for number, row in rows:
        record = _record({name: row.get(column) for name, column in found.items()}, defaults)
        if isinstance(record, str):
            rejected.append((number, record))
        elif record.url in first_row:
            rejected.append((number, f"same URL as row {first_row[record.url]}"))
        else:
            first_row[record.url] = number
            records.append(record)
    rejected.sort()
    return ImportResult(records, rejected, warnings)


# --- decoding ----------------------------------------------------------------------------------


def _decode(path: Path) -> tuple[str, list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror}); check that you may open it") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{path}: the file says it is UTF-16 but is not; save it again as UTF-8") from None
        return _check_text(path, text), []
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path} is not a text file; export the articles as CSV or JSON Lines")
    try:
        return _check_text(path, raw.decode("utf-8-sig")), []
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(f"{path}: the text encoding is neither UTF-8 nor Windows-1252; save it as UTF-8") from None
    warning = (
        f"{path.name} is not UTF-8; it was read as Windows-1252 (cp1252). Check accented letters in the "
        "titles, or save the file as UTF-8 and import it again."
    )
    return _check_text(path, text), [warning]


def _check_text(path: Path, text: str) -> str:
    if not text.strip():
        raise InputError(f"{path} is empty; export the articles again")
    return text


# --- CSV ---------------------------------------------------------------------------------------


def _csv_rows(path: Path, text: str, *, tab: bool) -> tuple[list[str], list[tuple[int, dict]], list[tuple[int, str]]]:
    text = text.lstrip("\r\n")
    delimiter = "\t" if tab else _delimiter(text.split("\n", 1)[0])
    rows: list[tuple[int, dict]] = []
    rejected: list[tuple[int, str]] = []
    with _field_limit():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [name.strip() for name in next(reader)]
        number = 1
        while True:
            number += 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rejected.append((number, f"unreadable from here on ({exc}); check the quotes in this row"))
                break
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header):
                rejected.append(
                    (number, f"{len(values)} fields but the header has {len(header)}; a quote is probably missing")
                )
                continue
            row: dict[str, str] = {}
            for name, value in zip(header, values, strict=False):
                row.setdefault(name, value)  # a repeated column name keeps its first column
            rows.append((number, row))
    if not rows and not rejected:
        raise InputError(f"{path} has a header line but no article rows; export the articles again")
    return header, rows, rejected


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


def _jsonl_rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, dict]], list[tuple[int, str]]]:
    if text.lstrip().startswith("["):
        raise InputError(f"{path} holds one JSON array, not JSON Lines; write one article object per line (.jsonl)")
    header: dict[str, None] = {}
    rows: list[tuple[int, dict]] = []
    rejected: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rejected.append((number, f"not valid JSON ({exc.msg}: column {exc.colno})"))
            continue
        if not isinstance(value, dict):
            rejected.append((number, "not a JSON object"))
            continue
        header.update(dict.fromkeys(str(key) for key in value))
        rows.append((number, {str(key): item for key, item in value.items()}))
    if not rows:
        raise InputError(f"{path}: no line is a JSON object; a JSON Lines file has one article object per line")
    return list(header), rows, rejected


# --- columns -----------------------------------------------------------------------------------


def _resolve_columns(path: Path, header: list[str], columns: Mapping[str, str] | None) -> dict[str, str]:
    """Our field -> the file's column name, for every field the file has."""
    by_lower: dict[str, str] = {}
    for name in header:
        by_lower.setdefault(name.strip().lower(), name)
    listing = ", ".join(name for name in header if name.strip()) or "(none)"
    columns = dict(columns or {})
    unknown = sorted(set(columns) - set(DEFAULT_COLUMNS))
    if unknown:
        raise InputError(
            f"{path}: {unknown[0]!r} is not a field that can be mapped; the fields are {', '.join(DEFAULT_COLUMNS)}"
        )
    found: dict[str, str] = {}
    for name, candidates in DEFAULT_COLUMNS.items():
        if name in columns:
            column = by_lower.get(columns[name].strip().lower())
            if column is None:
                raise InputError(f"{path}: no column {columns[name]!r} (for {name}); the file's columns are: {listing}")
            found[name] = column
            continue
        column = next((by_lower[c] for c in candidates if c in by_lower), None)
        if column is not None:
            found[name] = column
    for name in REQUIRED:
        if name not in found:
            raise InputError(
                f"{path}: no {name} column (looked for {', '.join(DEFAULT_COLUMNS[name])}); the file's columns are: "
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


def _record(values: dict[str, object], defaults: _Defaults) -> ArticleRecord | str:
    """The record of one row, or the reason it cannot be used."""
    raw_url = _text(values.get("url")).strip()
    if not raw_url:
        return "no url"
    url = canonical_url(raw_url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"url {raw_url[:80]!r} is not an http(s) address"
    title = plain_text(_text(values.get("title")))
    if not title:
        return "no title"
    outlet = plain_text(_text(values.get("outlet"))) or defaults.outlet
    if not outlet:
        return "no outlet in this row; pass --outlet NAME"
    published, flag = settle_date(_date_value(values.get("published")), defaults.seen_at)
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


def _date_value(value: object) -> object:
    """JSON numbers are Unix times (seconds, or milliseconds as Talkwalker writes them)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    seconds = value / 1000 if abs(value) >= 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return str(value)  # settle_date flags it unparsable


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
