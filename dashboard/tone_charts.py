"""Tone charts: tone over time with its band, its distribution, tone by theme or source, relation tone."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.i18n import _, format_number
from analytics.schema import FREQUENCIES, THEME_LABELS, theme_label
from analytics.sentiment import SCORED_LANGUAGES
from dashboard.chart_style import layout
from dashboard.palette import THEME_COLOURS, TONE_COLOUR, country_colour
from dashboard.safe import plotly_text


def band(data: pd.DataFrame, colour: str) -> go.Scatter:
    """The shaded 95% confidence band of a per-period frame with ``period, ci_low, ci_high``."""
    return go.Scatter(
        x=pd.concat([data["period"], data["period"][::-1]]),
        y=pd.concat([data["ci_high"], data["ci_low"][::-1]]),
        fill="toself",
        fillcolor=colour,
        line={"width": 0},
        name=_("95% confidence interval"),
        hoverinfo="skip",
    )


def tone_figure(data: pd.DataFrame, *, mode: str = "lines+markers") -> go.Figure:
    """Mean tone per period (``period, n, mean, ci_low, ci_high``) with its 95% band, zero line and axis."""
    fig = go.Figure(band(data, "rgba(170, 51, 119, 0.18)"))
    fig.add_trace(
        go.Scatter(
            x=data["period"],
            y=data["mean"],
            name=_("Mean tone"),
            mode=mode,
            line={"color": TONE_COLOUR, "width": 2},
            marker={"size": 4},
            customdata=data[["n", "ci_low", "ci_high"]].to_numpy(),
            hovertemplate=_("%{y:+.2f} (n=%{customdata[0]:,}; 95% CI %{customdata[1]:+.2f} to %{customdata[2]:+.2f})")
            + "<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#888888", "width": 1, "dash": "dot"})
    fig.update_yaxes(title_text=_("Tone (VADER compound, −1 to +1)"), range=[-1, 1], zeroline=False)
    return fig


def tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Mean tone per period with its 95% confidence band; n in the hover."""
    languages = ", ".join(sorted(SCORED_LANGUAGES))
    title = _("Tone per {unit}").format(unit=_(FREQUENCIES[freq]))
    return layout(
        tone_figure(data), title, subtitle + " · " + _("scored languages: {languages}").format(languages=languages)
    )


def net_tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Net tone per period (share positive minus share negative) with its 95% band; counts in the hover."""
    fig = go.Figure(band(data, "rgba(0, 114, 178, 0.15)"))
    fig.add_trace(
        go.Scatter(
            x=data["period"],
            y=data["net"],
            name=_("Net tone"),
            mode="lines+markers",
            line={"color": "#0072B2", "width": 2},
            marker={"size": 4},
            customdata=data[["n", "positive", "negative"]].to_numpy(),
            hovertemplate=_(
                "%{y:+.2f}: %{customdata[1]:,} positive and %{customdata[2]:,} negative of "
                "%{customdata[0]:,} scored articles"
            )
            + "<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#888888", "width": 1, "dash": "dot"})
    fig.update_yaxes(title_text=_("Share positive − share negative"), range=[-1, 1], zeroline=False, tickformat="+.0%")
    return layout(fig, _("Net tone per {unit}").format(unit=_(FREQUENCIES[freq])), subtitle)


def tone_histogram(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """How many articles fall in each tone bin; negative bins vermillion, positive blue, neutral grey."""
    middle = (data["bin_start"] + data["bin_end"]) / 2
    # A bin that reaches into the neutral band (−0.05, 0.05) is grey: it holds neutral articles.
    colours = [
        "#999999" if start < 0.05 and end > -0.05 else "#D55E00" if end <= 0 else "#0072B2"
        for start, end in zip(data["bin_start"], data["bin_end"], strict=True)
    ]
    # The bins in words, as the frame's ``label`` column, with the interface language's decimal mark.
    span = _("{start} to {end}")
    bins = [
        span.format(start=format_number(lo, 2), end=format_number(hi, 2))
        for lo, hi in zip(data["bin_start"], data["bin_end"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(x=middle, y=data["articles"], width=(data["bin_end"] - data["bin_start"]) * 0.95,
               marker_color=colours, customdata=bins, name=_("Articles"),
               hovertemplate=_("%{customdata}: %{y:,} articles") + "<extra></extra>")
    )  # fmt: skip
    fig.update_xaxes(title_text=_("Article tone (−1 to +1)"), range=[-1, 1])
    fig.update_yaxes(title_text=_("Articles"), tickformat=",d")
    fig.update_layout(showlegend=False)
    return layout(fig, _("Distribution of article tone"), subtitle, hovermode="closest")


def tone_by_chart(data: pd.DataFrame, *, category: str, subtitle: str, title: str) -> go.Figure:
    """Mean tone per category with 95% intervals (themes or source countries)."""
    rows = data.loc[data["n"] > 0]
    labels = [(theme_label(str(c)) if str(c) in THEME_LABELS else plotly_text(str(c))) for c in rows[category]]
    colours = [THEME_COLOURS.get(str(c)) or country_colour(str(c)) for c in rows[category]]
    fig = go.Figure(
        go.Bar(
            x=rows["mean"], y=labels, orientation="h", marker_color=colours, name=_("Mean tone"),
            error_x={"type": "data", "symmetric": False, "array": (rows["ci_high"] - rows["mean"]).fillna(0),
                     "arrayminus": (rows["mean"] - rows["ci_low"]).fillna(0), "color": "#444444"},
            customdata=rows["n"], hovertemplate="%{x:+.2f} (n=%{customdata:,})<extra></extra>",
        )
    )  # fmt: skip
    fig.update_xaxes(title_text=_("Mean tone (95% interval)"), range=[-1, 1], zeroline=True)
    fig.update_layout(showlegend=False)
    return layout(fig, _(title), subtitle, hovermode="closest")


def relation_tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Tone of the sentences about the pair next to the tone of the whole articles."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=data["period"], y=data["article_tone"], name=_("Article tone"), mode="lines",
                             line={"color": "#999999", "width": 2}))  # fmt: skip
    fig.add_trace(
        go.Scatter(x=data["period"], y=data["relation_tone"], name=_("Relation tone (sentences about the pair)"),
                   mode="lines", line={"color": TONE_COLOUR, "width": 2}, customdata=data["n"],
                   hovertemplate="%{y:+.2f} (n=%{customdata:,})<extra></extra>")
    )  # fmt: skip
    fig.add_hline(y=0, line={"color": "#888888", "width": 1, "dash": "dot"})
    fig.update_yaxes(title_text=_("Tone (−1 to +1)"), range=[-1, 1], zeroline=False)
    return layout(fig, _("Relation tone and article tone per {unit}").format(unit=_(FREQUENCIES[freq])), subtitle)
