"""Compare charts: two selections side by side on volume, themes and tone.

The frames come shaped from :mod:`analytics.measures.compare`. Side A is blue and solid, side B
vermillion and dashed (Okabe and Ito's pair, told apart by the dash as well as the hue).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.i18n import _
from analytics.schema import FREQUENCIES, theme_label
from dashboard.chart_style import layout
from dashboard.palette import SHARE_COLOUR, VOLUME_COLOUR
from dashboard.safe import plotly_text

SIDE_COLOURS: dict[str, str] = {"A": VOLUME_COLOUR, "B": SHARE_COLOUR}
SIDE_DASH: dict[str, str] = {"A": "solid", "B": "dash"}


def _x_title(freq: str, aligned: bool) -> str:
    unit = _(FREQUENCIES[freq])
    return _("{unit} of each period (1 = first)").format(unit=unit.capitalize()) if aligned else unit.capitalize()


def compare_volume_chart(data: pd.DataFrame, *, subtitle: str, freq: str, aligned: bool) -> go.Figure:
    """Articles per period of sides A and B as two lines.

    ``data``: ``side, label, step, period, articles, all_articles, share`` (:class:`Comparison`).
    With ``aligned`` the x axis is the period's number within its side (two date ranges on one
    axis), otherwise the period itself.
    """
    fig = go.Figure()
    for side, rows in data.groupby("side", sort=True):
        fig.add_trace(
            go.Scatter(
                x=rows["step"] if aligned else rows["period"],
                y=rows["articles"],
                name=plotly_text(str(rows["label"].iloc[0])),
                mode="lines+markers",
                line={"color": SIDE_COLOURS[side], "width": 2, "dash": SIDE_DASH[side]},
                marker={"size": 5},
                customdata=np.column_stack(
                    [rows["period"].dt.strftime("%Y-%m-%d"), rows["all_articles"], rows["share"]]
                ),
                hovertemplate=_("%{customdata[0]}: %{y:,} articles (%{customdata[2]:.1%} of %{customdata[1]:,})")
                + "<extra></extra>",
            )
        )
    fig.update_yaxes(title_text=_("Articles"), tickformat=",d", rangemode="tozero")
    fig.update_xaxes(title_text=_x_title(freq, aligned))
    title = _("Coverage volume per {unit}").format(unit=_(FREQUENCIES[freq]))
    fig = layout(fig, title, subtitle, hovermode="closest")
    return fig.update_layout(margin={"t": 100})


def compare_theme_chart(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Share of each side's articles tagged with each theme (grouped horizontal bars).

    ``data``: ``side, label, theme, articles, share`` (:class:`Comparison`).
    """
    fig = go.Figure()
    # B is added first so that A is the upper bar of each pair, and first in the (reversed) legend.
    for side, rows in sorted(data.iloc[::-1].groupby("side"), key=lambda group: group[0], reverse=True):
        fig.add_trace(
            go.Bar(
                x=rows["share"],
                y=[theme_label(t) for t in rows["theme"]],
                orientation="h",
                name=plotly_text(str(rows["label"].iloc[0])),
                marker={"color": SIDE_COLOURS[side], "pattern": {"shape": "" if side == "A" else "/"}},
                customdata=rows["articles"],
                hovertemplate=_("%{x:.1%} of articles (%{customdata:,})") + "<extra></extra>",
            )
        )
    fig.update_xaxes(title_text=_("Share of articles with the theme (an article can have several)"), tickformat=".0%")
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    fig = layout(fig, _("Themes"), subtitle, hovermode="closest")
    return fig.update_layout(margin={"t": 100}, height=520)


def compare_tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str, aligned: bool) -> go.Figure:
    """Mean tone per period of sides A and B as two lines; n and the 95% interval in the hover.

    ``data``: ``side, label, step, period, n, mean, ci_low, ci_high`` (:class:`Comparison`).
    """
    fig = go.Figure()
    for side, rows in data.groupby("side", sort=True):
        fig.add_trace(
            go.Scatter(
                x=rows["step"] if aligned else rows["period"],
                y=rows["mean"],
                name=plotly_text(str(rows["label"].iloc[0])),
                mode="lines+markers",
                line={"color": SIDE_COLOURS[side], "width": 2, "dash": SIDE_DASH[side]},
                marker={"size": 5},
                customdata=np.column_stack(
                    [rows["period"].dt.strftime("%Y-%m-%d"), rows["n"], rows["ci_low"], rows["ci_high"]]
                ),
                hovertemplate=_(
                    "%{customdata[0]}: %{y:+.2f} (n=%{customdata[1]:,}; 95% CI %{customdata[2]:+.2f} "
                    "to %{customdata[3]:+.2f})"
                )
                + "<extra></extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#888888", "width": 1, "dash": "dot"})
    fig.update_yaxes(title_text=_("Tone (VADER compound, −1 to +1)"), range=[-1, 1], zeroline=False)
    fig.update_xaxes(title_text=_x_title(freq, aligned))
    fig = layout(fig, _("Tone per {unit}").format(unit=_(FREQUENCIES[freq])), subtitle, hovermode="closest")
    return fig.update_layout(margin={"t": 100})
