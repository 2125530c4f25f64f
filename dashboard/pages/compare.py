"""Compare page: two country pairs, or two periods of one pair, on volume, themes and tone.

Side A is always the sidebar's selection. Side B changes one thing: the pair (``pair2``) or the
dates (``from2``, ``to2``); every other filter is shared. The mode and side B live in the URL
(``?cmp=two+periods&from2=2025-01-01&to2=2025-03-31``) like the sidebar's filters.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import streamlit as st

from analytics.i18n import _, format_date
from dashboard import panel, panels
from dashboard.data import choices, compare_view
from dashboard.safe import md_escape
from dashboard.sidebar import ANY, pair_options
from dashboard.state import current_view

PAIRS, PERIODS = "two pairs", "two periods"


def _scope(pair: str) -> dict[str, str | None]:
    """The Filters fields of a pair option: ``PER-any`` is Peru with any partner."""
    if pair.endswith(ANY):
        return {"dyad": None, "country": pair.removesuffix(ANY)}
    return {"dyad": pair, "country": None}


def _clamp(day: date, first: date, last: date) -> date:
    return min(max(day, first), last)


def _set_b(start: date, end: date) -> None:
    st.session_state["from2"] = start
    st.session_state["to2"] = end


view = current_view()
filters_a = view.filters
available = choices(view.analysis.root, view.analysis.stamp)
# The URL keeps the English values (?cmp=two+periods); only their labels change with the language.
MODES = {PAIRS: _("two pairs"), PERIODS: _("two periods")}
mode = (
    st.radio(_("Compare"), (PAIRS, PERIODS), format_func=MODES.get, key="cmp", bind="query-params", horizontal=True)
    or PAIRS
)

if mode == PAIRS:
    options = pair_options(available.dyads)
    pair_a = filters_a.dyad or f"{filters_a.country}{ANY}"
    pair_b = st.selectbox(
        _("Second country pair (B)"), options or [pair_a], index=min(1, max(len(options) - 1, 0)), key="pair2",
        bind="query-params", help=_("Side A is the pair in the sidebar; every other filter applies to both sides."),
    )  # fmt: skip
    filters_b = replace(filters_a, **_scope(pair_b or pair_a))
    labels = (f"A: {pair_a}", f"B: {pair_b}")
    if pair_b == pair_a:
        st.info(_("Both sides are the same pair: choose another pair for B."), icon=":material/compare_arrows:")
else:
    first = available.first_day or filters_a.start or date.today()
    last = available.last_day or filters_a.end or first
    previous = filters_a.previous()
    default_from = _clamp(previous.start, first, last) if previous else first
    default_to = _clamp(previous.end, first, last) if previous else last
    col_from, col_to, col_reset = st.columns([2, 2, 1], vertical_alignment="bottom")
    start_b = col_from.date_input(
        _("B from"), value=default_from, min_value=first, max_value=last, key="from2", bind="query-params",
        help=_("Side A is the sidebar's date range; the default for B is the period of equal length just before it."),
    )  # fmt: skip
    end_b = col_to.date_input(
        _("B to"), value=default_to, min_value=first, max_value=last, key="to2", bind="query-params"
    )
    col_reset.button(
        _("Previous period"), key="cmp-previous", on_click=_set_b, args=(default_from, default_to),
        help=_("B becomes the period of equal length just before A (B keeps its dates when A's change)."),
    )  # fmt: skip
    if not start_b or not end_b or start_b > end_b:
        st.warning(
            _("Side B's dates are empty or reversed; comparing with {start} to {end}.").format(
                start=format_date(default_from), end=format_date(default_to)
            ),
            icon=":material/event_busy:",
        )
        start_b, end_b = default_from, default_to
    if previous and (default_from, default_to) != (previous.start, previous.end):
        st.caption(
            _(
                "The previous period ({start} to {end}) reaches beyond the stored data ({first} to {last}), "
                "so B's default is cut to {cut_start} to {cut_end}."
            ).format(
                start=format_date(previous.start), end=format_date(previous.end), first=format_date(first),
                last=format_date(last), cut_start=format_date(default_from), cut_end=format_date(default_to),
            )
        )  # fmt: skip
    filters_b = replace(filters_a, start=start_b, end=end_b)
    # ISO days, as in the filters' description: the labels name the lines and fill the CSV's label column.
    span = _("{start} to {end}")
    labels = (
        "A: " + span.format(start=filters_a.start, end=filters_a.end),
        "B: " + span.format(start=start_b, end=end_b),
    )

compared = compare_view(view.analysis.root, view.analysis.stamp, filters_a, filters_b, view.freq, labels)


def sides_summary() -> None:
    """A warning for a side with no article, and the two sides' headline figures as a table."""
    for side, result in (("A", compared.a), ("B", compared.b)):
        if result.kpis.articles == 0:
            st.warning(
                _(
                    "Side {side} ({selection}) has no articles matching these filters: its lines stay at zero. "
                    "Widen its dates or choose another pair."
                ).format(side=side, selection=md_escape(result.filters.describe())),
                icon=":material/search_off:",
            )
    st.dataframe(
        compared.comparison.kpis,
        hide_index=True,
        width="stretch",
        key="compare-kpis",
        column_config={
            "side": _("Side"),
            "selection": st.column_config.TextColumn(_("Selection"), width="large"),
            "articles": st.column_config.NumberColumn(_("Articles"), format="%d"),
            "share": st.column_config.NumberColumn(
                _("Share of coverage"),
                format="percent",
                help=_("Of all stored articles with the same dates and sources."),
            ),
            "tone": st.column_config.NumberColumn(_("Mean tone"), format="%+.2f", help=_("VADER compound, −1 to +1.")),
            "tone_n": st.column_config.NumberColumn(_("Scored articles (n)"), format="%d"),
        },
    )
    gaps = [s for s, r in (("A", compared.a), ("B", compared.b)) if math.isnan(r.kpis.tone)]
    if gaps and len(gaps) < 2:
        st.caption(_("Side {side} has no article in a scored language, so it has no mean tone.").format(side=gaps[0]))


panel.render(
    panels.COMPARE,
    compared.comparison,
    view,
    sides=(filters_a, filters_b),
    above=sides_summary,
    freq=view.freq,
    aligned=mode == PERIODS,
)
