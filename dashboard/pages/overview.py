"""Overview page: headline figures and the volume, theme and tone charts of the selection."""

from __future__ import annotations

import math

import streamlit as st

from analytics.measures.volume import Kpis
from dashboard import panel, panels
from dashboard.data import overview
from dashboard.state import current_view

view = current_view()
result = overview(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
filters = result.filters


def _delta(kpis: Kpis) -> str | None:
    if kpis.change is None:
        return None
    return f"{kpis.change:+.0%} vs previous {((filters.end - filters.start).days + 1)} days"


def headline(k: Kpis) -> None:
    """The four headline figures above the charts."""
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


panel.render(panels.OVERVIEW, result, view, above=lambda: headline(result.kpis), freq=result.freq)
