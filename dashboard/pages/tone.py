"""Tone page: tone over time with its band and n, its distribution, by theme, by source, relation tone."""

from __future__ import annotations

import streamlit as st

from dashboard import methods, panel, tone_charts
from dashboard.briefing import Panel
from dashboard.data import tone_view
from dashboard.safe import md_escape
from dashboard.state import current_view

view = current_view()
st.caption(md_escape(view.filters.describe()))
result = tone_view(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
if result.tone.empty or int(result.tone["n"].sum()) == 0:
    panel.nothing_matches()

sub = panel.subtitle(view)
panels = [
    Panel("tone", "Tone", tone_charts.tone_chart(result.tone, subtitle=sub, freq=view.freq), result.tone, methods.TONE),
    Panel(
        "tone-distribution",
        "Tone distribution",
        tone_charts.tone_histogram(result.distribution, subtitle=sub),
        result.distribution,
        methods.TONE_DISTRIBUTION,
    ),
    Panel(
        "tone-themes",
        "Tone by theme",
        tone_charts.tone_by_chart(result.by_theme, category="theme", subtitle=sub, title="Tone by theme"),
        result.by_theme,
        methods.TONE_BY_THEME,
    ),
    Panel(
        "tone-sources",
        "Tone by source country",
        tone_charts.tone_by_chart(
            result.by_source, category="source_country", subtitle=sub, title="Tone by source country"
        ),
        result.by_source,
        methods.TONE_BY_SOURCE,
    ),
]
if result.relation is not None:
    panels.append(
        Panel(
            "relation-tone",
            "Relation tone and article tone",
            tone_charts.relation_tone_chart(result.relation, subtitle=sub, freq=view.freq),
            result.relation,
            methods.RELATION_TONE,
        )
    )
for item in panels:
    panel.show(item, view)
panel.briefing(panels, view, "Tone")
