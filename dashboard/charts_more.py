"""Chart builders of the Spikes and Compare pages, and the frames they plot. No Streamlit here.

As in :mod:`dashboard.charts`, each builder plots every column of the frame it is given (hover
included), so the CSV offered next to a chart is exactly that frame: the frames come shaped from
:func:`analytics.measures.spikes.mark_spikes` and :mod:`analytics.measures.compare`.

Colours: flagged periods are marked in vermillion with a distinct symbol, against the blue
volume bars and the indigo tone line; side A of a comparison is blue and solid, side B vermillion
and dashed (Okabe and Ito's pair, told apart by the dash as well as the hue).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.schema import FREQUENCIES, THEME_LABELS
from dashboard.charts import _layout, tone_figure
from dashboard.palette import SHARE_COLOUR, VOLUME_COLOUR
from dashboard.safe import plotly_text

SPIKE_COLOUR = SHARE_COLOUR
BASELINE_COLOUR = "#999999"
SIDE_COLOURS: dict[str, str] = {"A": VOLUME_COLOUR, "B": SHARE_COLOUR}
SIDE_DASH: dict[str, str] = {"A": "solid", "B": "dash"}


# --- spikes ------------------------------------------------------------------------------------


def _marks(rows: pd.DataFrame, y: pd.Series, *, name: str, symbols: list[str] | str, text: str) -> go.Scatter:
    return go.Scatter(
        x=rows["period"],
        y=y,
        name=name,
        mode="markers",
        marker={"color": SPIKE_COLOUR, "size": 13, "symbol": symbols, "line": {"color": "#000000", "width": 1}},
        customdata=rows["score"],
        hovertemplate=text + " (score %{customdata:+.1f})<extra></extra>",
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
            name="Articles",
            marker_color=VOLUME_COLOUR,
            customdata=data[["all_articles", "share"]].to_numpy(),
            hovertemplate="%{y:,} articles (%{customdata[1]:.1%} of %{customdata[0]:,})<extra></extra>",
        )
    )
    flagged = data.loc[data["flagged"]]
    fig.add_trace(_marks(flagged, flagged["articles"], name="Volume spike", symbols="star", text="Volume spike"))
    fig.update_yaxes(title_text="Articles", tickformat=",d", rangemode="tozero")
    fig.update_xaxes(title_text=FREQUENCIES[freq].capitalize())
    return _layout(fig, f"Coverage volume per {FREQUENCIES[freq]}, spikes marked", subtitle)


def spike_tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Mean tone per period with its 95% band, the flagged tone shifts marked (up or down).

    ``data``: ``period, n, mean, ci_low, ci_high, flagged, score`` (see :func:`mark_spikes`).
    """
    fig = tone_figure(data, mode="lines")
    flagged = data.loc[data["flagged"]]
    symbols = ["triangle-up" if s > 0 else "triangle-down" for s in flagged["score"]]
    fig.add_trace(_marks(flagged, flagged["mean"], name="Tone shift", symbols=symbols, text="Tone shift"))
    fig.update_xaxes(title_text=FREQUENCIES[freq].capitalize())
    return _layout(fig, f"Tone per {FREQUENCIES[freq]}, shifts marked", subtitle)


def theme_mix_chart(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Share of articles with each theme in the spike and in its baseline (grouped bars).

    ``data``: ``theme, spike_articles, spike_share, baseline_articles, baseline_share, change``
    (:class:`analytics.measures.spikes.SpikeDrivers.theme_mix`), drawn in its order from the top.
    """
    rows = data.iloc[::-1]
    labels = [THEME_LABELS[t] for t in rows["theme"]]
    fig = go.Figure()
    for prefix, name, colour in (("baseline", "Baseline", BASELINE_COLOUR), ("spike", "Spike", SPIKE_COLOUR)):
        fig.add_trace(
            go.Bar(
                x=rows[f"{prefix}_share"],
                y=labels,
                orientation="h",
                name=name,
                marker_color=colour,
                customdata=rows[[f"{prefix}_articles", "change"]].to_numpy(),
                hovertemplate="%{x:.0%} of articles (%{customdata[0]:,}); change %{customdata[1]:+.0%}"
                "<extra>" + name + "</extra>",
            )
        )
    fig.update_xaxes(title_text="Share of articles with the theme", tickformat=".0%", rangemode="tozero")
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    return _layout(fig, "Theme mix: spike vs baseline", subtitle, hovermode="closest")


# --- compare -----------------------------------------------------------------------------------


def _x_title(freq: str, aligned: bool) -> str:
    unit = FREQUENCIES[freq]
    return f"{unit.capitalize()} of each period (1 = first)" if aligned else unit.capitalize()


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
                hovertemplate="%{customdata[0]}: %{y:,} articles (%{customdata[2]:.1%} of %{customdata[1]:,})"
                "<extra></extra>",
            )
        )
    fig.update_yaxes(title_text="Articles", tickformat=",d", rangemode="tozero")
    fig.update_xaxes(title_text=_x_title(freq, aligned))
    fig = _layout(fig, f"Coverage volume per {FREQUENCIES[freq]}", subtitle, hovermode="closest")
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
                y=[THEME_LABELS[t] for t in rows["theme"]],
                orientation="h",
                name=plotly_text(str(rows["label"].iloc[0])),
                marker={"color": SIDE_COLOURS[side], "pattern": {"shape": "" if side == "A" else "/"}},
                customdata=rows["articles"],
                hovertemplate="%{x:.1%} of articles (%{customdata:,})<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="Share of articles with the theme (an article can have several)", tickformat=".0%")
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    fig = _layout(fig, "Themes", subtitle, hovermode="closest")
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
                hovertemplate="%{customdata[0]}: %{y:+.2f} (n=%{customdata[1]:,}; 95% CI %{customdata[2]:+.2f} "
                "to %{customdata[3]:+.2f})<extra></extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#888888", "width": 1, "dash": "dot"})
    fig.update_yaxes(title_text="Tone (VADER compound, −1 to +1)", range=[-1, 1], zeroline=False)
    fig.update_xaxes(title_text=_x_title(freq, aligned))
    fig = _layout(fig, f"Tone per {FREQUENCIES[freq]}", subtitle, hovermode="closest")
    return fig.update_layout(margin={"t": 100})
