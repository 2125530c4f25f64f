"""Overview page: headline figures and the volume, theme and tone charts of the selection."""

from __future__ import annotations

import math

import streamlit as st

from analytics.measures.volume import Kpis
from dashboard import coverage_charts, methods, panel, theme_charts, tone_charts
from dashboard.briefing import Panel
from dashboard.data import overview
from dashboard.safe import md_escape
from dashboard.state import current_view

view = current_view()
result = overview(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
filters = result.filters

st.caption(md_escape(filters.describe()))


def _delta(kpis: Kpis) -> str | None:
    if kpis.change is None:
        return None
    return f"{kpis.change:+.0%} vs previous {((filters.end - filters.start).days + 1)} days"


k = result.kpis
cols = st.columns(4)
cols[0].metric("Articles", f"{k.articles:,}", _delta(k), help="Articles about the pair in the selection.")
cols[1].metric(
    "Share of coverage",
    "–" if math.isnan(k.share) else f"{k.share:.1%}",
    help="Articles about the pair as a share of all stored articles with the same dates, sources and languages.",
)
tone_delta = None
if k.previous_tone is not None and not math.isnan(k.previous_tone) and not math.isnan(k.tone):
    tone_delta = f"{k.tone - k.previous_tone:+.2f} vs previous period"
cols[2].metric(
    "Mean tone",
    "–" if math.isnan(k.tone) else f"{k.tone:+.2f}",
    tone_delta,
    help="Mean VADER compound score (−1 to +1) of the scored articles; unscored languages are left out.",
)
cols[3].metric("Articles with a tone score", f"{k.tone_n:,}", help="Only languages with a scorer count.")

if k.articles == 0:
    st.info(
        "No articles match these filters. Widen the date range, remove a theme, source country or "
        "language, or choose another country pair."
    )
    st.stop()

subtitle = panel.subtitle(view)
panels = [
    Panel(
        "volume",
        "Coverage volume",
        coverage_charts.volume_chart(result.volume, subtitle=subtitle, freq=result.freq),
        result.volume,
        methods.VOLUME,
    ),
    Panel(
        "themes",
        "Themes",
        theme_charts.theme_chart(result.theme_totals, subtitle=subtitle),
        result.theme_totals,
        methods.THEME_TOTALS,
    ),  # fmt: skip
    Panel(
        "tone",
        "Tone",
        tone_charts.tone_chart(result.tone, subtitle=subtitle, freq=result.freq),
        result.tone,
        methods.TONE,
    ),
]
for item in panels:
    panel.show(item, view)
panel.briefing(panels, view, "Overview")
