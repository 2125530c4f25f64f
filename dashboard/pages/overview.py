"""Overview page: headline figures and the volume, theme and tone charts of the selection."""

from __future__ import annotations

import math

import streamlit as st

from analytics.i18n import _, format_number, format_percent, ngettext
from analytics.measures.volume import Kpis
from dashboard import panel, panels
from dashboard.data import overview
from dashboard.state import current_view

view = current_view()
result = overview(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
filters = result.filters


def _signed(text: str) -> str:
    """A formatted change with its sign, as Streamlit colours a metric's delta by it."""
    return text if text.startswith(("-", "−", "–")) else "+" + text


def _delta(kpis: Kpis) -> str | None:
    if kpis.change is None:
        return None
    days = (filters.end - filters.start).days + 1
    change = _signed(format_percent(kpis.change))
    return ngettext("{change} vs previous {days} day", "{change} vs previous {days} days", days).format(
        change=change, days=format_number(days)
    )


def headline(k: Kpis) -> None:
    """The four headline figures above the charts."""
    cols = st.columns(4)
    cols[0].metric(
        _("Articles"), format_number(k.articles), _delta(k), help=_("Articles about the pair in the selection.")
    )
    cols[1].metric(
        _("Share of coverage"),
        "–" if math.isnan(k.share) else format_percent(k.share, 1),
        help=_("Articles about the pair as a share of all stored articles with the same dates, sources and languages."),
    )
    tone_delta = None
    if k.previous_tone is not None and not math.isnan(k.previous_tone) and not math.isnan(k.tone):
        change = _signed(format_number(k.tone - k.previous_tone, 2))
        tone_delta = _("{change} vs previous period").format(change=change)
    cols[2].metric(
        _("Mean tone"),
        "–" if math.isnan(k.tone) else _signed(format_number(k.tone, 2)),
        tone_delta,
        help=_("Mean VADER compound score (−1 to +1) of the scored articles; unscored languages are left out."),
    )
    cols[3].metric(
        _("Articles with a tone score"), format_number(k.tone_n), help=_("Only languages with a scorer count.")
    )


panel.render(panels.OVERVIEW, result, view, above=lambda: headline(result.kpis), freq=result.freq)
