"""One Selection per view: the filters, the period frequency and the span of periods, resolved once.

A view (a page, a CLI report, a test) builds one :class:`Selection` from its :class:`Filters` with
:func:`resolve` and hands it to every measure. The span is decided here and only here: the
filters' dates, and where a bound is open, the first or last day of the coverage in the context.

Two row sets follow from a Selection, as Ibis expressions on a :class:`~analytics.engine.Source`:

- :func:`context`: the articles within the date range, source countries, languages and outlets,
  and when wire copies are counted once, only the earliest copy of each story among them. It is
  the denominator of every share.
- :func:`selected`: the context narrowed to the pair (or the country with any partner) and the
  themes.

Both are built once per filters and source (the source remembers them), never re-derived by a
measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import ibis
import pandas as pd

from analytics.engine import Source
from analytics.filters import Filters
from analytics.periods import check_freq, period_range


@dataclass(frozen=True)
class Selection:
    """What a view measures: ``filters``, periods of ``freq`` ("D", "W", "M") over ``span``.

    ``span`` is inclusive; None when the context holds no article (every series is then empty).
    """

    filters: Filters
    freq: str = "W"
    span: tuple[date, date] | None = None

    def __post_init__(self) -> None:
        check_freq(self.freq)

    @cached_property
    def index(self) -> pd.DatetimeIndex:
        """Every period start of the span (empty without a span)."""
        if self.span is None:
            return pd.DatetimeIndex([], name="period", dtype="datetime64[ns]")
        return period_range(*self.span, self.freq)

    @property
    def previous(self) -> Selection | None:
        """The same selection over the range of equal length just before; None when the range is open."""
        before = self.filters.previous()
        if before is None:
            return None
        return Selection(before, self.freq, (before.start, before.end))


def resolve(source: Source, filters: Filters, freq: str = "W") -> Selection:
    """The Selection of ``filters``: the span is the filters' dates, open bounds closed by the
    context's first and last day, read off the grouped table every page queries anyway (only when
    a bound is open)."""
    check_freq(freq)
    if filters.start is not None and filters.end is not None:
        return Selection(filters, freq, (filters.start, filters.end))
    # Imported here: the grouped tables are built on this module's row sets.
    from analytics.measures.grouped import context_days

    bounds = context_days(source, filters)
    if bounds is None:
        return Selection(filters, freq, None)
    start = filters.start or bounds[0]
    end = filters.end or bounds[1]
    return Selection(filters, freq, (start, end) if start <= end else None)


def _context_key(filters: Filters) -> tuple:
    return ("context", filters.start, filters.end, filters.source_countries, filters.languages, filters.outlets,
            filters.once)  # fmt: skip


def context(source: Source, filters: Filters) -> Any:
    """The articles of the context of ``filters`` (an Ibis table of the source's article columns)."""
    return source.remember(_context_key(filters), lambda: _build_context(source, filters))


def _build_context(source: Source, filters: Filters) -> Any:
    rows = source.articles
    conditions = []
    if filters.start is not None:
        conditions.append(rows.day >= filters.start)
    if filters.end is not None:
        conditions.append(rows.day <= filters.end)
    if filters.source_countries:
        conditions.append(rows.source_country.isin(list(filters.source_countries)))
    if filters.languages:
        conditions.append(rows.language.isin(list(filters.languages)))
    if filters.outlets:
        conditions.append(rows.outlet.isin(list(filters.outlets)))
    if conditions:
        rows = rows.filter(*conditions)
    if filters.once:
        rows = _first_copies(source, rows, filters)
    return rows


def _first_copies(source: Source, rows: Any, filters: Filters) -> Any:
    """The earliest published copy of each story among ``rows`` (lowest row number on ties)."""
    if not (filters.source_countries or filters.languages or filters.outlets):
        # Dates alone: a copy is the first in the range unless the copy before it is in the range too.
        if filters.start is None:
            return rows.filter(rows.prev_day.isnull())
        return rows.filter(rows.prev_day.isnull() | (rows.prev_day < filters.start))
    # Other filters may leave out the copy before: rank the copies of stories with several, in the context.
    alone = rows.filter(~rows.shared)
    copies = rows.filter(rows.shared)
    first = ibis.row_number().over(group_by=copies.story_key, order_by=[copies.published, copies.n])
    ranked = copies.mutate(copy_rank=first)
    return alone.union(ranked.filter(ranked.copy_rank == 0).drop("copy_rank"))


def pair_rows(source: Source, filters: Filters) -> Any | None:
    """The dyad rows of the pair, or of every pair of the country; None when the filters name neither."""
    d = source.dyads
    if filters.dyad is not None:
        return d.filter(d.dyad == filters.dyad)
    if filters.country is not None:
        code = filters.country
        return d.filter(d.dyad.startswith(f"{code}-") | d.dyad.endswith(f"-{code}"))
    return None


def chosen_condition(rows: Any, filters: Filters) -> Any:
    """The Ibis condition of the pair or country and the themes on ``rows`` (True when neither is set)."""
    chosen = ibis.literal(True)
    if filters.dyad is not None:
        chosen = rows.pairs_text.contains(f"|{filters.dyad}|")
    elif filters.country is not None:
        chosen = rows.countries_text.contains(f"|{filters.country}|")
    if filters.themes:
        chosen = chosen & ((rows.theme_mask & filters.theme_mask) != 0)
    return chosen


def selected(source: Source, filters: Filters) -> Any:
    """The articles ``filters`` select: the context narrowed to the pair or country and the themes."""
    key = ("selected", filters)
    return source.remember(key, lambda: _build_selected(source, filters))


def _build_selected(source: Source, filters: Filters) -> Any:
    rows = context(source, filters)
    if filters.dyad is None and filters.country is None and not filters.themes:
        return rows
    return rows.filter(chosen_condition(rows, filters))
