"""Downloads: pure functions that turn the plotted data into bytes, and the files' names."""

from __future__ import annotations

import pandas as pd

from analytics.filters import Filters

# A spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a frame; text cells that a spreadsheet would run as a formula are quoted.

    Numbers (negative tones included) stay numbers; only text cells are changed. Dates are
    written as ISO dates.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.dt.strftime("%Y-%m-%d")
        elif series.dtype == object or isinstance(series.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[column] = series.astype(object).map(_neutralise)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


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
