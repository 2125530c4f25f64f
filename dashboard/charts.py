"""Chart builders: metric frame in, plotly Figure out. No Streamlit here.

Each builder plots every column of the frame it is given (hover included), so the CSV offered
next to a chart is exactly that frame.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.schema import FREQUENCIES, THEME_LABELS
from analytics.sentiment import SCORED_LANGUAGES
from dashboard.palette import SHARE_COLOUR, THEME_COLOURS, TONE_COLOUR, VOLUME_COLOUR

FONT = "Arial, Helvetica, sans-serif"  # a font every browser and the exporter measure alike


def _layout(fig: go.Figure, title: str, subtitle: str, *, hovermode: str = "x unified") -> go.Figure:
    fig.update_layout(
        title={"text": f"{title}<br><sup>{subtitle}</sup>", "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 13},
        margin={"l": 60, "r": 30, "t": 80, "b": 40},
        hovermode=hovermode,
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0},
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
    return _layout(fig, f"Coverage volume per {FREQUENCIES[freq]}", subtitle)


def theme_chart(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Share of the selection's articles tagged with each theme, largest first."""
    rows = data.sort_values(["share", "theme"], ascending=[True, False], kind="stable")
    fig = go.Figure(
        go.Bar(
            x=rows["share"],
            y=[THEME_LABELS[t] for t in rows["theme"]],
            orientation="h",
            marker_color=[THEME_COLOURS[t] for t in rows["theme"]],
            customdata=rows["articles"],
            text=[f"{v:.0%}" for v in rows["share"].fillna(0)],
            textposition="outside",
            hovertemplate="%{x:.1%} of articles (%{customdata:,})<extra></extra>",
            name="Share of articles",
        )
    )
    fig.update_xaxes(title_text="Share of articles with the theme (an article can have several)", tickformat=".0%")
    fig.update_layout(showlegend=False, hovermode="closest")
    return _layout(fig, "Themes", subtitle, hovermode="closest")


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
    languages = ", ".join(sorted(SCORED_LANGUAGES))
    return _layout(fig, f"Tone per {FREQUENCIES[freq]}", f"{subtitle} · scored languages: {languages}")
