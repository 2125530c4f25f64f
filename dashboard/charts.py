"""Chart builders: metric frame in, plotly Figure out. No Streamlit here.

Each builder plots every column of the frame it is given (hover included), so the CSV offered
next to a chart is exactly that frame.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.schema import FREQUENCIES, THEME_LABELS, THEMES
from analytics.sentiment import SCORED_LANGUAGES
from dashboard.palette import SHARE_COLOUR, THEME_COLOURS, TONE_COLOUR, VOLUME_COLOUR

FONT = "Source Sans 3, Source Sans Pro, Arial, sans-serif"


def _layout(fig: go.Figure, title: str, subtitle: str) -> go.Figure:
    fig.update_layout(
        title={"text": f"{title}<br><sup>{subtitle}</sup>", "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 13},
        margin={"l": 60, "r": 30, "t": 80, "b": 50},
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.3, "x": 0},
        template="plotly_white",
        height=420,
    )
    return fig


def volume_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Articles per period (bars) and their share of all coverage (line, right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=data["period"],
            y=data["articles"],
            name="Articles",
            marker_color=VOLUME_COLOUR,
            customdata=data["all_articles"],
            hovertemplate="%{y:,} articles of %{customdata:,}<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=data["period"],
            y=data["share"],
            name="Share of all coverage",
            mode="lines",
            line={"color": SHARE_COLOUR, "width": 2},
            hovertemplate="%{y:.1%} of all coverage<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="Articles", tickformat=",d", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="Share of all coverage", tickformat=".0%", rangemode="tozero", secondary_y=True)
    fig.update_xaxes(title_text=FREQUENCIES[freq].capitalize())
    return _layout(fig, "Coverage volume", subtitle)


def theme_share_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Share of articles tagged with each theme, one line per theme."""
    fig = go.Figure()
    for theme in THEMES:
        rows = data.loc[data["theme"] == theme]
        if rows.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows["share"],
                name=THEME_LABELS[theme],
                mode="lines",
                line={"color": THEME_COLOURS[theme], "width": 2},
                customdata=rows[["articles", "period_articles"]].to_numpy(),
                hovertemplate="%{y:.0%} (%{customdata[0]:,} of %{customdata[1]:,})",
            )
        )
    fig.update_yaxes(title_text="Share of articles", tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(title_text=FREQUENCIES[freq].capitalize())
    return _layout(fig, "Themes", subtitle)


def tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Mean tone per period with its 95% confidence band; n in the hover."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=pd.concat([data["period"], data["period"][::-1]]),
            y=pd.concat([data["ci_high"], data["ci_low"][::-1]]),
            fill="toself",
            fillcolor="rgba(51, 34, 136, 0.15)",
            line={"width": 0},
            name="95% confidence interval",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["period"],
            y=data["mean"],
            name="Mean tone",
            mode="lines+markers",
            line={"color": TONE_COLOUR, "width": 2},
            marker={"size": 4},
            customdata=data[["n", "ci_low", "ci_high"]].to_numpy(),
            hovertemplate="%{y:+.2f} (n=%{customdata[0]:,}; 95% CI %{customdata[1]:+.2f} to %{customdata[2]:+.2f})"
            "<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#888888", "width": 1, "dash": "dot"})
    fig.update_yaxes(title_text="Tone (VADER compound, −1 to +1)", range=[-1, 1], zeroline=False)
    fig.update_xaxes(title_text=FREQUENCIES[freq].capitalize())
    languages = ", ".join(sorted(SCORED_LANGUAGES))
    return _layout(fig, "Tone", f"{subtitle} · scored languages: {languages}")
