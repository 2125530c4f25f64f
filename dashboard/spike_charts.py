"""Spike charts: volume and tone per period with the flagged spikes and shifts marked.

The frames come shaped from :func:`analytics.measures.spikes.mark_spikes`. Flagged periods are
marked in vermillion with a distinct symbol, against the blue volume bars and the indigo tone line.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.i18n import _
from analytics.schema import FREQUENCIES
from dashboard.chart_style import layout
from dashboard.palette import SPIKE_COLOUR, VOLUME_COLOUR
from dashboard.tone_charts import tone_figure


def _marks(rows: pd.DataFrame, y: pd.Series, *, name: str, symbols: list[str] | str, text: str) -> go.Scatter:
    return go.Scatter(
        x=rows["period"],
        y=y,
        name=name,
        mode="markers",
        marker={"color": SPIKE_COLOUR, "size": 13, "symbol": symbols, "line": {"color": "#000000", "width": 1}},
        customdata=rows["score"],
        hovertemplate=text + " " + _("(score %{customdata:+.1f})") + "<extra></extra>",
    )


def spike_volume_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Articles per period (bars) with the flagged volume spikes marked above their bars.

    ``data``: ``period, articles, all_articles, share, flagged, score`` (see :func:`mark_spikes`).
    """
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=data["period"],
            y=data["articles"],
            name=_("Articles"),
            marker_color=VOLUME_COLOUR,
            customdata=data[["all_articles", "share"]].to_numpy(),
            hovertemplate=_("%{y:,} articles (%{customdata[1]:.1%} of %{customdata[0]:,})") + "<extra></extra>",
        )
    )
    flagged = data.loc[data["flagged"]]
    spike = _("Volume spike")
    fig.add_trace(_marks(flagged, flagged["articles"], name=spike, symbols="star", text=spike))
    fig.update_yaxes(title_text=_("Articles"), tickformat=",d", rangemode="tozero")
    fig.update_xaxes(title_text=_(FREQUENCIES[freq]).capitalize())
    return layout(fig, _("Coverage volume per {unit}, spikes marked").format(unit=_(FREQUENCIES[freq])), subtitle)


def spike_tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Mean tone per period with its 95% band, the flagged tone shifts marked (up or down).

    ``data``: ``period, n, mean, ci_low, ci_high, flagged, score`` (see :func:`mark_spikes`).
    """
    fig = tone_figure(data, mode="lines")
    flagged = data.loc[data["flagged"]]
    symbols = ["triangle-up" if s > 0 else "triangle-down" for s in flagged["score"]]
    shift = _("Tone shift")
    fig.add_trace(_marks(flagged, flagged["mean"], name=shift, symbols=symbols, text=shift))
    fig.update_xaxes(title_text=_(FREQUENCIES[freq]).capitalize())
    return layout(fig, _("Tone per {unit}, shifts marked").format(unit=_(FREQUENCIES[freq])), subtitle)
