"""Every chart panel of the dashboard, declared once: per page, the panels it draws, in order.

A panel is a name, a title, its method note, the frame of the page's bundle it plots (an
attribute of a bundle of :mod:`analytics.views`) and the chart builder that draws it.
:func:`dashboard.panel.render` draws a page's panels against its bundle. The ``name`` names the
panel's files and widget keys (``PER-USA_volume_2026-01-01_2026-03-31.png``, ``csv-volume``), so
links, tests and the briefing pack rely on it: keep it stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import plotly.graph_objects as go

from analytics.filters import Filters
from analytics.i18n import N_, _
from dashboard import compare_charts, coverage_charts, methods, spike_charts, theme_charts, tone_charts
from dashboard.briefing import Panel
from dashboard.safe import plotly_text

SIDES = ("A", "B")  # the labels of two selections compared


@dataclass(frozen=True)
class PanelSpec:
    """One chart panel: what it is called, what it plots and which builder draws it.

    ``title``, ``method`` and ``absent`` are English (the catalogue's msgids), translated when drawn.
    ``chart`` is called as ``chart(frame, subtitle=..., **drawing)``, ``drawing`` being those of the
    page's drawing arguments (``freq``, ``aligned``) that ``args`` names. When the bundle's ``frame``
    is None the panel is left out, and ``absent`` (if any) says why.
    """

    name: str
    title: str
    method: str
    frame: str
    chart: Callable[..., go.Figure]
    args: tuple[str, ...] = ()
    absent: str = ""


@dataclass(frozen=True)
class PageSpec:
    """The panels of one page. ``name`` titles its briefing pack; ``counted`` is the frame and column
    of the bundle that count the selected articles: when they sum to zero the page says that nothing
    matches instead of drawing empty charts."""

    name: str
    counted: tuple[str, str]
    panels: tuple[PanelSpec, ...]


def make_panel(spec: PanelSpec, bundle: Any, *, subtitle: str, **drawing: Any) -> Panel | None:
    """The declared panel built from ``bundle`` (its chart drawn), or None when the bundle has no
    frame for it. No Streamlit call: the dashboard and ``bilat report`` build the same panels."""
    frame = getattr(bundle, spec.frame)
    if frame is None:
        return None
    figure = spec.chart(frame, subtitle=subtitle, **{name: drawing[name] for name in spec.args})
    return Panel(spec.name, _(spec.title), figure, frame, _(spec.method))


def subtitle_words(sides: tuple[Filters, ...], *, demo: bool) -> str:
    """The chart subtitle: the selections in words (two are labelled A and B), labelled when the data
    are the demo's."""
    # Escaped: plotly renders a few HTML tags in titles, and outlet names come from internet feeds.
    if len(sides) == 1:
        words = plotly_text(sides[0].describe())
    else:
        words = "<br>".join(f"{side}: {plotly_text(f.describe())}" for side, f in zip(SIDES, sides, strict=True))
    return (_("DEMO DATA (invented articles) · ") if demo else "") + words


FREQ = ("freq",)

VOLUME_PANEL = PanelSpec("volume", N_("Coverage volume"), methods.VOLUME, "volume", coverage_charts.volume_chart, FREQ)
TONE_PANEL = PanelSpec("tone", N_("Tone"), methods.TONE, "tone", tone_charts.tone_chart, FREQ)

OVERVIEW = PageSpec(
    "Overview",
    counted=("volume", "articles"),
    panels=(
        VOLUME_PANEL,
        PanelSpec("themes", N_("Themes"), methods.THEME_TOTALS, "theme_totals", theme_charts.theme_chart),
        TONE_PANEL,
    ),
)

COVERAGE = PageSpec(
    "Coverage",
    counted=("volume", "articles"),
    panels=(
        VOLUME_PANEL,
        PanelSpec("by-source", N_("Coverage by source country"), methods.BY_SOURCE, "by_source",
                  coverage_charts.volume_by_source_chart, FREQ),
        PanelSpec("mirror", N_("Mirror view"), methods.MIRROR, "mirror", coverage_charts.mirror_chart, FREQ,
                  absent=N_("The mirror view needs a country pair (not one country with any partner).")),
        PanelSpec("diversity", N_("Outlet diversity"), methods.DIVERSITY, "diversity", coverage_charts.diversity_chart,
                  FREQ),
    ),
)  # fmt: skip

THEMES = PageSpec(
    "Themes",
    counted=("shares", "period_articles"),
    panels=(
        PanelSpec("theme-periods", N_("Themes over time"), methods.THEME_STACK, "shares",
                  theme_charts.theme_stack_chart, FREQ),
        PanelSpec("theme-sources", N_("Themes by source country"), methods.THEME_SOURCE, "by_source",
                  theme_charts.theme_source_heatmap),
        PanelSpec("theme-changes", N_("Rising and falling themes"), methods.THEME_CHANGES, "changes",
                  theme_charts.theme_change_chart),
    ),
)  # fmt: skip

TONE = PageSpec(
    "Tone",
    counted=("tone", "n"),
    panels=(
        TONE_PANEL,
        PanelSpec("net-tone", N_("Net tone"), methods.NET_TONE, "net", tone_charts.net_tone_chart, FREQ),
        PanelSpec("tone-distribution", N_("Tone distribution"), methods.TONE_DISTRIBUTION, "distribution",
                  tone_charts.tone_histogram),
        PanelSpec("tone-themes", N_("Tone by theme"), methods.TONE_BY_THEME, "by_theme",
                  partial(tone_charts.tone_by_chart, category="theme", title=N_("Tone by theme"))),
        PanelSpec("tone-sources", N_("Tone by source country"), methods.TONE_BY_SOURCE, "by_source",
                  partial(tone_charts.tone_by_chart, category="source_country", title=N_("Tone by source country"))),
        PanelSpec("relation-tone", N_("Relation tone and article tone"), methods.RELATION_TONE, "relation",
                  tone_charts.relation_tone_chart, FREQ),
    ),
)  # fmt: skip

SPIKES = PageSpec(
    "Spikes",
    counted=("volume", "articles"),
    panels=(
        PanelSpec("spikes-volume", N_("Coverage volume and its spikes"), methods.SPIKE_VOLUME, "volume",
                  spike_charts.spike_volume_chart, FREQ),
        PanelSpec("spikes-tone", N_("Tone and its shifts"), methods.SPIKE_TONE, "tone", spike_charts.spike_tone_chart,
                  FREQ),
    ),
)  # fmt: skip

# Drawn under the Spikes page's table, from the drivers of the chosen spike (SpikeDrivers), not its bundle.
THEME_MIX_PANEL = PanelSpec(
    "spikes-themes", N_("Theme mix of the spike"), methods.SPIKE_THEMES, "theme_mix", theme_charts.theme_mix_chart
)

COMPARE = PageSpec(
    "Compare",
    counted=("volume", "articles"),
    panels=(
        PanelSpec("compare-volume", N_("Coverage volume, A vs B"), methods.COMPARE_VOLUME, "volume",
                  compare_charts.compare_volume_chart, ("freq", "aligned")),
        PanelSpec("compare-themes", N_("Themes, A vs B"), methods.COMPARE_THEMES, "themes",
                  compare_charts.compare_theme_chart),
        PanelSpec("compare-tone", N_("Tone, A vs B"), methods.COMPARE_TONE, "tone", compare_charts.compare_tone_chart,
                  ("freq", "aligned")),
    ),
)  # fmt: skip
