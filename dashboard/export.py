"""Downloads: pure functions that turn the plotted data into bytes, and the files' names.

The CSV carries a UTF-8 byte-order mark, without which Excel opened by double-click reads the file
in the machine's legacy code page ("PerÃº"). The XLSX keeps numbers and dates as Excel numbers and
dates. Both neutralise text cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import xlsxwriter

from analytics.errors import InputError
from analytics.filters import Filters

# A spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The document's creation time when none is given: a fixed date, so the same frame gives the same bytes.
_XLSX_EPOCH = datetime(2000, 1, 1)
# Float columns holding counts (NaN where a period has none) and columns holding shares in [0, 1].
_COUNT_NAME = re.compile(r"n|articles|all_articles|stories|outlets|copies|\w+_(articles|total|titles)")
_SHARE_NAME = re.compile(r"share|\w+_share")
_FORMATS = {
    "count": "#,##0",
    "share": "0.0%",
    "decimal": "0.000",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "text": "@",
}
_MAX_WIDTH = 60  # characters; longer text runs past the column edge rather than widening it
XLSX_MAX_ROWS = 1_048_575  # an Excel sheet's rows, less the header


def _neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _naive_utc(series: pd.Series) -> pd.Series:
    """Datetimes without a time zone: aware ones converted to UTC first."""
    return series.dt.tz_convert("UTC").dt.tz_localize(None) if series.dt.tz is not None else series


def _has_time(series: pd.Series) -> bool:
    """Whether any value of a naive datetime column is not at midnight."""
    return bool((series.dropna() != series.dropna().dt.normalize()).any())


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or isinstance(series.dtype, (pd.StringDtype, pd.CategoricalDtype))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a frame, with a byte-order mark; text cells a spreadsheet would run as a formula are quoted.

    Numbers (negative tones included) stay numbers; only text cells are changed. Dates are
    written as ISO dates; a column with times of day as ``YYYY-MM-DD HH:MM:SS`` in UTC.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            naive = _naive_utc(series)
            out[column] = naive.dt.strftime("%Y-%m-%d %H:%M:%S" if _has_time(naive) else "%Y-%m-%d")
        elif _is_text(series):
            out[column] = series.astype(object).map(_neutralise)
    return (BOM + out.to_csv(index=False, lineterminator="\n")).encode("utf-8")


def _kind(name: str, series: pd.Series) -> str:
    """How a column is shown in the spreadsheet: count, share, decimal, date, datetime or text."""
    if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime" if _has_time(_naive_utc(series)) else "date"
    if pd.api.types.is_integer_dtype(series):
        return "count"
    if pd.api.types.is_float_dtype(series):
        if _SHARE_NAME.fullmatch(name):
            return "share"
        return "count" if _COUNT_NAME.fullmatch(name) else "decimal"
    return "text"


def _cell(value: object) -> object:
    """A value as xlsxwriter writes it: None (an empty cell), a number, a bool, a naive datetime or text."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value) if isinstance(value, float | np.floating) else int(value)
        return None if isinstance(number, float) and not math.isfinite(number) else number
    if isinstance(value, pd.Timestamp):
        value = value.tz_convert("UTC").tz_localize(None) if value.tzinfo else value
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return _neutralise(str(value))


def _shown_length(value: object, kind: str) -> int:
    """About how many characters a cell shows, for the column width."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16 if kind == "datetime" else 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float) and kind == "count":
        return len(f"{value:,.0f}")
    if isinstance(value, int | float):
        return len(f"{value:.1%}" if kind == "share" else f"{value:.3f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_bytes(
    frame: pd.DataFrame, *, sheet: str = "data", title: str | None = None, created: datetime | None = None
) -> bytes:
    """An Excel workbook of a frame: one sheet named ``sheet``, a frozen header row, fitted columns.

    Numbers stay numbers: counts (integer columns, and float ones named like ``articles`` or ``n``)
    as whole numbers, shares (columns named ``share``, ``*_share``) as percentages, other decimals
    (tones) with three decimals. Dates and datetimes are Excel dates (time-zone-aware ones in UTC).
    Text, categorical and other columns are text, neutralised like the CSV's; Excel is told not to
    read text as formulas, links or numbers. NaN, NaT and None are empty cells. ``title`` is the
    document's title; ``created`` its creation time (the data timestamp), else a fixed date: the
    same frame and arguments give the same bytes. Raises :class:`analytics.errors.InputError` when
    the frame has more rows than a sheet holds.
    """
    if len(frame) > XLSX_MAX_ROWS:
        raise InputError(
            f"{len(frame):,} rows are more than an Excel sheet holds ({XLSX_MAX_ROWS:,}); download the CSV"
        )
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        stamp = created or _XLSX_EPOCH
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(UTC).replace(tzinfo=None)
        book.set_properties({"created": stamp, **({"title": title} if title else {})})
        header = book.add_format({"bold": True, "bottom": 1})
        formats = {kind: book.add_format({"num_format": code}) for kind, code in _FORMATS.items()}
        ws = book.add_worksheet(sheet)
        ws.freeze_panes(1, 0)
        for col, name in enumerate(frame.columns):
            series = frame[name]
            kind = _kind(str(name), series)
            if kind in ("date", "datetime"):
                series = _naive_utc(series)
            cell_format = None if kind == "text" else formats[kind]  # numbers in a text column keep General
            ws.write_string(0, col, str(name), header)
            width = len(str(name))
            categorical = isinstance(series.dtype, pd.CategoricalDtype)
            for row, raw in enumerate(series.astype(object).tolist(), start=1):
                value = _cell(raw)
                if categorical and value is not None and not isinstance(value, str):
                    value = _neutralise(str(raw))  # categories are labels, whatever their type
                width = max(width, _shown_length(value, kind))
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(row, col, value)
                elif isinstance(value, int | float):
                    ws.write_number(row, col, value, cell_format)
                elif isinstance(value, datetime):
                    ws.write_datetime(row, col, value, formats["datetime" if kind == "datetime" else "date"])
                else:
                    ws.write_string(row, col, value, formats["text"])
            ws.set_column(col, col, min(width, _MAX_WIDTH) + 2)
    return buffer.getvalue()


def article_download(rows: pd.DataFrame) -> pd.DataFrame:
    """The article table as downloaded: ``published`` (UTC datetime), ``outlet``, ``source_country``,
    ``title``, ``url``, ``language``, ``themes``, ``countries``, ``tone``, from
    :meth:`analytics.store.Store.article_rows`."""
    columns = ["published", "outlet", "source_country", "title", "url", "language", "themes", "countries", "tone"]
    out = rows[columns].copy()
    out["published"] = pd.to_datetime(out["published"], utc=True, errors="coerce", format="ISO8601")
    out["tone"] = pd.to_numeric(out["tone"], errors="coerce").astype("float64")
    return out


def file_name(
    chart: str, filters: Filters, extension: str, *, first: str | None = None, last: str | None = None
) -> str:
    """A file name that says what the chart is and for which view.

    ``PER-USA_volume_2025-01-01_2025-12-31.csv``; the selection part is the pair, the country
    (``PER-any``) or ``all``.
    """
    scope = filters.dyad or (f"{filters.country}-any" if filters.country else "all")
    start = filters.start.isoformat() if filters.start else (first or "start")
    end = filters.end.isoformat() if filters.end else (last or "end")
    parts = [scope, chart, start, end]
    if filters.themes:
        parts.insert(2, "+".join(filters.themes))
    return "_".join(parts) + f".{extension}"
