"""Themes page: theme volumes over time, themes by source country, rising and falling themes."""

from __future__ import annotations

import streamlit as st

from dashboard import methods, panel, theme_charts
from dashboard.briefing import Panel
from dashboard.data import themes_view
from dashboard.safe import md_escape
from dashboard.state import current_view

view = current_view()
st.caption(md_escape(view.filters.describe()))
result = themes_view(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
if result.shares.empty or int(result.shares["period_articles"].sum()) == 0:
    panel.nothing_matches()

sub = panel.subtitle(view)
panels = [
    Panel(
        "theme-periods",
        "Themes over time",
        theme_charts.theme_stack_chart(result.shares, subtitle=sub, freq=view.freq),
        result.shares,
        methods.THEME_STACK,
    ),
    Panel(
        "theme-sources",
        "Themes by source country",
        theme_charts.theme_source_heatmap(result.by_source, subtitle=sub),
        result.by_source,
        methods.THEME_SOURCE,
    ),
]
if result.changes is not None:
    panels.append(
        Panel(
            "theme-changes",
            "Rising and falling themes",
            theme_charts.theme_change_chart(result.changes, subtitle=sub),
            result.changes,
            methods.THEME_CHANGES,
        )
    )
for item in panels:
    panel.show(item, view)
panel.briefing(panels, view, "Themes")
