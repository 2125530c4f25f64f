"""Spikes page: periods whose volume or tone breaks from the recent past, and what drove each."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.measures.spikes import DEFAULT_WINDOW, spike_window
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
unit = {"D": "day", "W": "week"}[freq]
rule = methods.SPIKE_RULE + (
    "" if freq == view.freq else " Spikes are found per day or week: the monthly setting is shown per week here."
)


def spike_table(found: pd.DataFrame) -> str | None:
    """The spikes found, and the choice of one to explain: the chosen period's first day, or None."""
    st.subheader("Spikes found")
    if found.empty:
        st.info(
            f"No {unit} of this selection stands out from the {unit}s before it. Widen the dates"
            + (", or choose day periods in the sidebar to catch shorter bursts." if freq == "W" else ".")
        )
        return None
    st.dataframe(
        found.assign(period=found["period"].dt.date),
        hide_index=True,
        width="stretch",
        column_config={
            "period": st.column_config.DateColumn(f"{unit.capitalize()} (start)"),
            "kind": "Kind",
            "value": st.column_config.NumberColumn("Value", format="%.2f", help="Articles, or mean tone (−1 to +1)."),
            "baseline": st.column_config.NumberColumn(
                "Baseline", format="%.2f", help="Median count, or mean tone, of the window before the period."
            ),
            "score": st.column_config.NumberColumn("Score", format="%+.1f", help="How far from the baseline (z)."),
            "articles": st.column_config.NumberColumn("Articles", format="%d"),
        },
    )
    periods = list(dict.fromkeys(p.date().isoformat() for p in found["period"]))
    chosen = st.selectbox(
        f"What drove the {unit} starting", periods, index=None, key="spike", bind="query-params",
        placeholder=f"Choose a flagged {unit}",
    )  # fmt: skip
    if not chosen:
        st.caption(f"Choose a flagged {unit} to see its top stories, new title terms, theme mix and outlets.")
    return chosen


def explain(chosen: str) -> list[Panel]:
    """What drove the spike starting on ``chosen``: stories, title terms, outlets; returns its theme-mix panel."""
    start, end = spike_window(date.fromisoformat(chosen), freq)
    drivers = spike_drivers(info.path, view.analysis.root, view.analysis.stamp, filters, freq, start, end)
    st.subheader(f"What drove {start}" + ("" if start == end else f" to {end}"))
    st.caption(
        f"{drivers.articles:,} articles, against {drivers.baseline_articles:,} in the 28 days before "
        f"({drivers.baseline_start} to {drivers.baseline_end})."
    )
    bounds = choices(view.analysis.root, view.analysis.stamp)
    first, last = bounds.first_day or start, bounds.last_day or end
    st.button(
        "Open these articles", key="spike-articles", icon=":material/article:", on_click=_open_articles,
        args=(max(start, first), min(end, last)), help="The Articles page with the dates set to this spike.",
    )  # fmt: skip

    left, right = st.columns(2)
    with left:
        st.markdown("**Top stories** (copies: the outlets that ran the same story)")
        lines = []
        for row in drivers.top_articles.itertuples(index=False):
            title = md_escape(row.title) if isinstance(row.title, str) else "(no title stored)"
            when = pd.Timestamp(row.published).strftime("%Y-%m-%d")
            lines.append(f"1. **{row.copies}×** {title} — {md_escape(str(row.outlet))}, {when}")
        st.markdown("\n".join(lines) or "No stories.")
    with right:
        st.markdown(f"**New terms in the titles** (stories holding the term, this {unit} vs the 28 days before)")
        terms = [
            f"- {md_escape(t.term)}: {t.spike_titles} vs {t.baseline_titles}" for t in drivers.new_terms.itertuples()
        ]
        st.markdown("\n".join(terms) or "No title term stands out from the baseline.")
        st.markdown("**Outlets**")
        st.dataframe(
            drivers.outlets,
            hide_index=True,
            width="stretch",
            column_config={"outlet": "Outlet", "articles": "Articles", "stories": "Stories"},
        )
    period = f"{panel.subtitle_of(view)} · {start} to {end} vs the 28 days before"
    mix = panel.draw(panels.THEME_MIX_PANEL, drivers, view, subtitle=period)
    return [mix] if mix is not None else []


result = spike_view(view.analysis.root, view.analysis.stamp, filters, freq)
shown = panel.render(panels.SPIKES, result, view, above=lambda: st.caption(rule), briefing_buttons=False, freq=freq)
chosen = spike_table(result.spikes)
if chosen:
    shown += explain(chosen)
panel.briefing(shown, view, panels.SPIKES.name)
