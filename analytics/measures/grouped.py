"""The grouped tables every volume, theme and tone measure shares: one query per context and pair.

The engine answers one GROUP BY per selection's context and pair (or country): the *cube*, one row
per day, source country, theme mask and whether the row is of the pair, with the article count
and the moments of tone (scored count, sum, sum of squares). Everything else is summed from it in
pandas, exactly (counts are integers; tone sums are regrouped, not re-estimated):

- :func:`by_period` and :func:`by_source`: per period (and source country) the context's count
  (the denominator of shares), the selection's count, its tone moments and its count per theme;
- the theme filter, the period frequency and the previous period's figures, which need no other
  query: the cube is keyed without themes, and unless wire copies are counted once, without the
  dates and source countries (its rows are days and source countries, so it is sliced), and is
  queried over the range and the range of equal length before it at once.

A cube's rows are at most days x source countries x theme masks x 2, whatever the article count.
The source remembers each cube (its stamp changes with the data).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from analytics.engine import Source
from analytics.filters import Filters
from analytics.periods import period_starts
from analytics.schema import NEGATIVE_AT, POSITIVE_AT, THEMES
from analytics.selection import Selection, chosen_condition, context

SUMS = ("all", "articles", "n", "total", "squares", "positive", "negative", *THEMES)
# Per cube row: articles, and of the scored ones their count, tone sum and sum of squares, and how
# many read positive and negative (the net tone).
MOMENTS = ("articles", "n", "total", "squares", "positive", "negative")
CUBE_COLUMNS = ("day", "source_country", "theme_mask", "chosen", *MOMENTS)

_SHELF = 8  # cubes kept per context (different date ranges of one view)


def _exact(filters: Filters) -> bool:
    """Whether the cube of ``filters`` must be queried for them alone: counting copies once among
    only some source countries, languages or outlets ranks the copies within them."""
    return filters.once and bool(filters.source_countries or filters.languages or filters.outlets)


def _shelf_key(filters: Filters) -> tuple:
    """What a cube depends on beyond what is sliced from it."""
    if _exact(filters):
        return ("cube", replace(filters, themes=()))
    return ("cubes", replace(filters, themes=(), start=None, end=None, source_countries=()))


def _covers(outer: tuple[date | None, date | None], inner: tuple[date | None, date | None]) -> bool:
    (s0, e0), (s, e) = outer, inner
    return (s0 is None or (s is not None and s0 <= s)) and (e0 is None or (e is not None and e <= e0))


def cube(source: Source, filters: Filters) -> pd.DataFrame:
    """The cube of ``filters`` (their themes ignored): :data:`CUBE_COLUMNS`, one row per day, source
    country (None when unknown), theme mask and ``chosen`` (the row is of the pair or country;
    always True when the filters name neither), days without articles absent."""
    if _exact(filters):
        return source.remember(_shelf_key(filters), lambda: _query(source, replace(filters, themes=())))
    found = _covering(source, filters)
    if found is not None:
        return _slice(found, filters)
    span, wide = _wide(filters)
    # Counting copies once over dates alone keeps a copy unless the copy before it is in the range:
    # grouped by that copy's day too, the cube answers it for any start.
    frame = _query(source, wide, by_previous=filters.once)
    _shelve(source, filters, span, frame)
    return _slice(frame, filters)


def _covering(source: Source, filters: Filters) -> pd.DataFrame | None:
    """A cube already queried whose range covers the filters' (to be sliced), or None."""
    for span, frame in list(source.remember(_shelf_key(filters), list)):
        if _covers(span, (filters.start, filters.end)):
            return frame
    return None


def _wide(filters: Filters) -> tuple[tuple, Filters]:
    """The span a new cube of ``filters`` covers, and the filters to query it with: the range and the
    range of equal length before it (the headline figures and theme changes compare them), every
    source country, and copies not yet counted once (the cube's previous-copy day does that)."""
    before = filters.previous()
    start = filters.start if before is None else before.start
    return (start, filters.end), replace(filters, themes=(), start=start, source_countries=(), once=False)


def _shelve(source: Source, filters: Filters, span: tuple, frame: pd.DataFrame) -> None:
    shelf = source.remember(_shelf_key(filters), list)
    shelf.append((span, frame))
    del shelf[:-_SHELF]


def query_together(source: Source, first: Filters, second: Filters) -> None:
    """Query the cubes of two selections in one pass when they differ only in their pair or country
    (the Compare page's two pairs): the engine scans the articles once and marks both. Does nothing
    when either cube is already at hand or cannot be shared."""
    if _exact(first) or _exact(second) or first.dyad == second.dyad and first.country == second.country:
        return
    if replace(first, dyad=None, country=None, themes=()) != replace(second, dyad=None, country=None, themes=()):
        return
    if _covering(source, first) is not None or _covering(source, second) is not None:
        return
    span, wide = _wide(first)
    frame = _query(source, wide, by_previous=first.once, other=replace(second, themes=()))
    previous = ["prev_day"] if first.once else []
    columns = [*CUBE_COLUMNS, *previous]
    for filters, flag in ((first, "chosen"), (second, "other")):
        keys = ["day", "source_country", "theme_mask", flag, *previous]
        side = frame.groupby(keys, sort=False, dropna=False)[list(MOMENTS)].sum().reset_index()
        side = side.rename(columns={flag: "chosen"})
        side["source_country"] = _none_where_missing(side["source_country"])
        _shelve(source, filters, span, side[columns])


def _query(
    source: Source, filters: Filters, *, by_previous: bool = False, other: Filters | None = None
) -> pd.DataFrame:
    """The cube of ``filters``; with ``other``, also an ``other`` column: the row is of its pair or country."""
    rows = context(source, filters)
    rows = rows.mutate(chosen=chosen_condition(rows, replace(filters, themes=())))
    flags = ["chosen"]
    if other is not None:
        rows = rows.mutate(other=chosen_condition(rows, other))
        flags.append("other")
    keys = ["day", "source_country", "theme_mask", *flags, *(["prev_day"] if by_previous else [])]
    grouped = rows.group_by(keys).aggregate(
        articles=rows.count(), n=rows.tone.count(), total=rows.tone.sum(), squares=(rows.tone * rows.tone).sum(),
        positive=rows.tone.count(where=rows.tone >= POSITIVE_AT),
        negative=rows.tone.count(where=rows.tone <= NEGATIVE_AT),
    )  # fmt: skip
    frame = source.run(grouped)
    for count in ("articles", "n", "positive", "negative"):
        frame[count] = frame[count].fillna(0).astype(np.int64)
    frame["total"] = frame["total"].fillna(0.0).astype(np.float64)
    frame["squares"] = frame["squares"].fillna(0.0).astype(np.float64)
    frame["theme_mask"] = frame["theme_mask"].astype(np.int64)
    for flag in flags:
        frame[flag] = frame[flag].astype(bool)
    frame["source_country"] = _none_where_missing(frame["source_country"])
    return frame[list(CUBE_COLUMNS) + flags[1:] + (["prev_day"] if by_previous else [])]


def _none_where_missing(values: pd.Series) -> pd.Series:
    """Source countries as objects, None for outlets of unknown country (pandas may give NaN)."""
    return values.astype("object").where(values.notna(), None)


def _slice(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of a wider cube within the filters' dates and source countries."""
    keep = np.ones(len(frame), dtype=bool)
    days = frame["day"].to_numpy()
    if filters.start is not None:
        keep &= days >= np.datetime64(filters.start, "ns")
    if filters.end is not None:
        keep &= days <= np.datetime64(filters.end, "ns")
    if filters.source_countries:
        keep &= frame["source_country"].isin(list(filters.source_countries)).to_numpy()
    if "prev_day" in frame:
        # A cube counting copies once: the first copy, or one whose previous copy is before the range.
        prev = frame["prev_day"].to_numpy()
        first = np.isnat(prev)
        if filters.start is not None:
            first |= prev < np.datetime64(filters.start, "ns")
        keep &= first
    return frame if keep.all() else frame.loc[keep]


def context_days(source: Source, filters: Filters) -> tuple[date, date] | None:
    """The first and last day with an article in the context of ``filters``; None when it is empty."""
    frame = cube(source, filters)
    if frame.empty:
        return None
    days = frame["day"]
    return days.min().date(), days.max().date()


def of_themes(frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Which rows of a frame with a ``theme_mask`` column carry one of the filters' themes (all when
    the filters name none)."""
    if not filters.themes:
        return np.ones(len(frame), dtype=bool)
    return (frame["theme_mask"].to_numpy() & filters.theme_mask) != 0


def selected_rows(frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Which cube rows are selected: of the pair or country and, when the filters name themes, of one."""
    return frame["chosen"].to_numpy(dtype=bool) & of_themes(frame, filters)


def _sums(frame: pd.DataFrame, sel: Selection, keys: list[str]) -> pd.DataFrame:
    """:data:`SUMS` of the cube rows of ``sel`` grouped by ``keys`` (``period`` and cube columns)."""
    chosen = selected_rows(frame, sel.filters)
    articles = frame["articles"].to_numpy()
    masks = frame["theme_mask"].to_numpy()
    columns = {
        "period": pd.DatetimeIndex(period_starts(frame["day"].to_numpy(), sel.freq)).astype("datetime64[ns]"),
        "all": articles,
        "articles": np.where(chosen, articles, 0),
        "n": np.where(chosen, frame["n"].to_numpy(), 0),
        "total": np.where(chosen, frame["total"].to_numpy(), 0.0),
        "squares": np.where(chosen, frame["squares"].to_numpy(), 0.0),
        "positive": np.where(chosen, frame["positive"].to_numpy(), 0),
        "negative": np.where(chosen, frame["negative"].to_numpy(), 0),
    }
    for bit, theme in enumerate(THEMES):
        columns[theme] = np.where(chosen & ((masks & (1 << bit)) != 0), articles, 0)
    for key in keys:
        if key != "period":
            columns[key] = frame[key].to_numpy()
    table = pd.DataFrame(columns)
    # dropna=False: articles of outlets of unknown country (None) are a group of their own.
    out = table.groupby(keys, sort=True, dropna=False)[list(SUMS)].sum().reset_index()
    for column in SUMS:
        out[column] = out[column].astype(np.float64 if column in ("total", "squares") else np.int64)
    return out


def by_period(source: Source, sel: Selection) -> pd.DataFrame:
    """Per period with coverage: ``period`` and :data:`SUMS` (``all`` counts the context; the rest the
    selection: ``articles``, tone ``n, total, squares``, the scored articles that read ``positive``
    and ``negative``, one count per theme). Periods without
    coverage are absent; lay them out with :func:`analytics.periods.spread`."""
    return source.remember(("by_period", sel), lambda: _sums(cube(source, sel.filters), sel, ["period"]))


def by_source(source: Source, sel: Selection) -> pd.DataFrame:
    """As :func:`by_period`, per period and ``source_country`` (None for outlets of unknown country)."""

    def sums() -> pd.DataFrame:
        out = _sums(cube(source, sel.filters), sel, ["period", "source_country"])
        out["source_country"] = _none_where_missing(out["source_country"])
        return out

    return source.remember(("by_source", sel), sums)


def overall(frame: pd.DataFrame) -> pd.Series:
    """The sums of a grouped table over all its rows (zeros when it has none)."""
    return frame[list(SUMS)].sum() if len(frame) else pd.Series(0, index=list(SUMS))
