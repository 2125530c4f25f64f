"""Spikes page: periods whose volume or tone breaks from the recent past, and what drove each."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.i18n import _, format_number, ngettext
from analytics.measures.spikes import DEFAULT_WINDOW, spike_window
from analytics.settings import shown_time
from dashboard import methods, panel, panels
from dashboard.briefing import Panel
from dashboard.data import choices, spike_drivers, spike_view
from dashboard.safe import md_escape
from dashboard.state import current_view

ARTICLES_PAGE = "dashboard/pages/articles.py"
_OPEN = "_spikes_open_articles"

# The button's callback narrows the shared date filters; the switch itself happens here, before
# anything is drawn with the narrowed filters (the spike may not be in the new range at all).
if st.session_state.pop(_OPEN, False):
    st.switch_page(ARTICLES_PAGE, query_params={})


def _open_articles(start: date, end: date) -> None:
    st.session_state["from"] = start
    st.session_state["to"] = end
    st.session_state[_OPEN] = True


view = current_view()
info, filters = view.info, view.filters
freq = view.freq if view.freq in DEFAULT_WINDOW else "W"
# Whole sentences per unit: in Spanish "día" and "semana" differ in gender, so "{unit}" cannot be swapped in.
UNIT_TEXTS = {
    "D": {
        "column": _("Day"),
        "none": _("No day of this selection stands out from the days before it. Widen the dates."),
        "choose": _("What drove the day"),
        "placeholder": _("Choose a flagged day"),
        "hint": _("Choose a flagged day to see its top stories, new title terms, theme mix and outlets."),
        "terms": _("**New terms in the titles** (stories holding the term, this day vs the 28 days before)"),
    },
    "W": {
        "column": _("Week (start)"),
        "none": _(
            "No week of this selection stands out from the weeks before it. Widen the dates, or choose day "
            "periods in the sidebar to catch shorter bursts."
        ),
        "choose": _("What drove the week starting"),
        "placeholder": _("Choose a flagged week"),
        "hint": _("Choose a flagged week to see its top stories, new title terms, theme mix and outlets."),
        "terms": _("**New terms in the titles** (stories holding the term, this week vs the 28 days before)"),
    },
}
texts = UNIT_TEXTS[freq]
rule = _(methods.SPIKE_RULE) + (
    ""
    if freq == view.freq
    else " " + _("Spikes are found per day or week: the monthly setting is shown per week here.")
)


def spike_table(found: pd.DataFrame) -> str | None:
    """The spikes found, and the choice of one to explain: the chosen period's first day, or None."""
    st.subheader(_("Spikes found"))
    if found.empty:
        st.info(texts["none"])
        return None
    st.dataframe(
        found.assign(
            period=found["period"].dt.date, kind=found["kind"].map({"volume": _("volume"), "tone": _("tone")})
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "period": st.column_config.DateColumn(texts["column"]),
            "kind": _("Kind"),
            "value": st.column_config.NumberColumn(
                _("Value"), format="%.2f", help=_("Articles, or mean tone (−1 to +1).")
            ),
            "baseline": st.column_config.NumberColumn(
                _("Baseline"), format="%.2f", help=_("Median count, or mean tone, of the window before the period.")
            ),
            "score": st.column_config.NumberColumn(
                _("Score"), format="%+.1f", help=_("How far from the baseline (z).")
            ),
            "articles": st.column_config.NumberColumn(_("Articles"), format="%d"),
        },
    )
    periods = list(dict.fromkeys(p.date().isoformat() for p in found["period"]))
    chosen = st.selectbox(
        texts["choose"], periods, index=None, key="spike", bind="query-params", placeholder=texts["placeholder"],
    )  # fmt: skip
    if not chosen:
        st.caption(texts["hint"])
    return chosen


def explain(chosen: str) -> list[Panel]:
    """What drove the spike starting on ``chosen``: stories, title terms, outlets; returns its theme-mix panel."""
    start, end = spike_window(date.fromisoformat(chosen), freq)
    drivers = spike_drivers(info.path, view.analysis.root, view.analysis.stamp, filters, freq, start, end)
    if start == end:
        st.subheader(_("What drove {day}").format(day=start))
    else:
        st.subheader(_("What drove {start} to {end}").format(start=start, end=end))
    st.caption(
        ngettext(
            "{articles} article, against {baseline} in the 28 days before ({start} to {end}).",
            "{articles} articles, against {baseline} in the 28 days before ({start} to {end}).",
            drivers.articles,
        ).format(
            articles=format_number(drivers.articles), baseline=format_number(drivers.baseline_articles),
            start=drivers.baseline_start, end=drivers.baseline_end,
        )
    )  # fmt: skip
    bounds = choices(view.analysis.root, view.analysis.stamp)
    first, last = bounds.first_day or start, bounds.last_day or end
    st.button(
        _("Open these articles"), key="spike-articles", icon=":material/article:", on_click=_open_articles,
        args=(max(start, first), min(end, last)), help=_("The Articles page with the dates set to this spike."),
    )  # fmt: skip

    left, right = st.columns(2)
    with left:
        st.markdown(_("**Top stories** (copies: the outlets that ran the same story)"))
        lines = []
        for row in drivers.top_articles.itertuples(index=False):
            title = md_escape(row.title) if isinstance(row.title, str) else _("(no title stored)")
            when = shown_time(row.published)[:10]  # the local day (BILAT_TZ), as the spike's
            lines.append(f"1. **{row.copies}×** {title} — {md_escape(str(row.outlet))}, {when}")
        st.markdown("\n".join(lines) or _("No stories."))
    with right:
        st.markdown(texts["terms"])
        versus = _("{spike} vs {baseline}")
        terms = [
            f"- {md_escape(t.term)}: " + versus.format(spike=t.spike_titles, baseline=t.baseline_titles)
            for t in drivers.new_terms.itertuples()
        ]
        st.markdown("\n".join(terms) or _("No title term stands out from the baseline."))
        st.markdown(_("**Outlets**"))
        st.dataframe(
            drivers.outlets,
            hide_index=True,
            width="stretch",
            column_config={"outlet": _("Outlet"), "articles": _("Articles"), "stories": _("Stories")},
        )
    period = f"{panel.subtitle_of(view)} · " + _("{start} to {end} vs the 28 days before").format(start=start, end=end)
    mix = panel.draw(panels.THEME_MIX_PANEL, drivers, view, subtitle=period)
    return [mix] if mix is not None else []


result = spike_view(view.analysis.root, view.analysis.stamp, filters, freq)
shown = panel.render(panels.SPIKES, result, view, above=lambda: st.caption(rule), briefing_buttons=False, freq=freq)
chosen = spike_table(result.spikes)
if chosen:
    shown += explain(chosen)
panel.briefing(shown, view, panels.SPIKES.name)
