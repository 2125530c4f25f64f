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
from dashboard.palette import SHARE_COLOUR, THEME_COLOURS, TONE_COLOUR, VOLUME_COLOUR, country_colour
from dashboard.safe import plotly_text

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


def tone_figure(data: pd.DataFrame, *, mode: str = "lines+markers") -> go.Figure:
    """Mean tone per period (``period, n, mean, ci_low, ci_high``) with its 95% band, zero line and axis."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=pd.concat([data["period"], data["period"][::-1]]),
            y=pd.concat([data["ci_high"], data["ci_low"][::-1]]),
            fill="toself",
            fillcolor="rgba(170, 51, 119, 0.18)",
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
            mode=mode,
            line={"color": TONE_COLOUR, "width": 2},
            marker={"size": 4},
            customdata=data[["n", "ci_low", "ci_high"]].to_numpy(),
            hovertemplate="%{y:+.2f} (n=%{customdata[0]:,}; 95% CI %{customdata[1]:+.2f} to %{customdata[2]:+.2f})"
            "<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#888888", "width": 1, "dash": "dot"})
    fig.update_yaxes(title_text="Tone (VADER compound, −1 to +1)", range=[-1, 1], zeroline=False)
    return fig


def tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Mean tone per period with its 95% confidence band; n in the hover."""
    languages = ", ".join(sorted(SCORED_LANGUAGES))
    return _layout(tone_figure(data), f"Tone per {FREQUENCIES[freq]}", f"{subtitle} · scored languages: {languages}")


def volume_by_source_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Articles per period, stacked by the country of the outlet."""
    fig = go.Figure()
    for code in sorted(data["source_country"].unique()):
        rows = data.loc[data["source_country"] == code]
        label = plotly_text(str(code))
        fig.add_trace(
            go.Bar(x=rows["period"], y=rows["articles"], name=label, marker_color=country_colour(str(code)),
                   hovertemplate=f"{label}: " + "%{y:,}<extra></extra>")
        )  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="Articles", tickformat=",d", rangemode="tozero")
    return _layout(fig, f"Coverage by source country per {FREQUENCIES[freq]}", subtitle)


def mirror_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Each side's media on the pair, as a share of that country's own coverage."""
    fig = go.Figure()
    for code in sorted(data["source_country"].unique()):
        rows = data.loc[data["source_country"] == code]
        label = plotly_text(f"{code} media")
        fig.add_trace(
            go.Scatter(
                x=rows["period"], y=rows["share"], name=label, mode="lines",
                line={"color": country_colour(str(code)), "width": 2},
                customdata=rows[["articles", "country_total"]].to_numpy(),
                hovertemplate=f"{label}: " + "%{y:.1%} (%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>",
            )
        )  # fmt: skip
    fig.update_yaxes(title_text="Share of the country's own coverage", tickformat=".0%", rangemode="tozero")
    return _layout(fig, "Mirror view: each side's media on the relationship", subtitle)


def diversity_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Articles, distinct stories (wire copies once) and distinct outlets per period."""
    fig = go.Figure()
    styles = {"articles": ("Articles", VOLUME_COLOUR, "solid"), "stories": ("Stories (wire copies once)", SHARE_COLOUR,
              "dash"), "outlets": ("Outlets", TONE_COLOUR, "dot")}  # fmt: skip
    for column, (name, colour, dash) in styles.items():
        fig.add_trace(
            go.Scatter(x=data["period"], y=data[column], name=name, mode="lines",
                       line={"color": colour, "width": 2, "dash": dash})
        )  # fmt: skip
    fig.update_yaxes(title_text="Count", tickformat=",d", rangemode="tozero")
    return _layout(fig, f"Outlet diversity per {FREQUENCIES[freq]}", subtitle)


def theme_stack_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Articles per theme per period, stacked (an article with two themes counts in both)."""
    fig = go.Figure()
    for theme in THEMES:
        rows = data.loc[data["theme"] == theme]
        if rows.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=rows["period"], y=rows["articles"], name=THEME_LABELS[theme], marker_color=THEME_COLOURS[theme],
                customdata=rows["share"].fillna(0), hovertemplate="%{y:,} articles (%{customdata:.0%})<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="Articles tagged (overlapping)", tickformat=",d", rangemode="tozero")
    return _layout(fig, f"Themes per {FREQUENCIES[freq]}", subtitle)


def theme_source_heatmap(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Share of each source country's articles tagged with each theme."""
    sources = sorted(data["source_country"].unique())
    grid = data.pivot_table(index="theme", columns="source_country", values="share", aggfunc="first")
    grid = grid.reindex(index=list(THEMES), columns=sources)
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(), x=[plotly_text(str(s)) for s in sources], y=[THEME_LABELS[t] for t in grid.index],
            colorscale="Cividis",
            zmin=0, zmax=1, colorbar={"title": "Share", "tickformat": ".0%"},
            hovertemplate="%{y} in %{x} media: %{z:.0%}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_xaxes(title_text="Source country")
    fig.update_layout(hovermode="closest")
    return _layout(fig, "Themes by source country", subtitle, hovermode="closest")


def theme_change_chart(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Change in each theme's share against the previous period of equal length."""
    rows = data.sort_values("change", kind="stable")
    fig = go.Figure(
        go.Bar(
            x=rows["change"], y=[THEME_LABELS[t] for t in rows["theme"]], orientation="h",
            marker_color=[THEME_COLOURS[t] for t in rows["theme"]],
            customdata=rows[["previous_share", "current_share"]].to_numpy(),
            hovertemplate="%{customdata[0]:.0%} → %{customdata[1]:.0%}<extra></extra>", name="Change",
        )
    )  # fmt: skip
    fig.update_xaxes(title_text="Change in share (percentage points)", tickformat="+.0%")
    fig.update_layout(showlegend=False)
    return _layout(fig, "Themes rising and falling against the previous period", subtitle, hovermode="closest")


def tone_histogram(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """How many articles fall in each tone bin; negative bins vermillion, positive blue, neutral grey."""
    middle = (data["bin_start"] + data["bin_end"]) / 2
    # A bin that reaches into the neutral band (−0.05, 0.05) is grey: it holds neutral articles.
    colours = [
        "#999999" if start < 0.05 and end > -0.05 else "#D55E00" if end <= 0 else "#0072B2"
        for start, end in zip(data["bin_start"], data["bin_end"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(x=middle, y=data["articles"], width=(data["bin_end"] - data["bin_start"]) * 0.95,
               marker_color=colours, customdata=data["label"], name="Articles",
               hovertemplate="%{customdata}: %{y:,} articles<extra></extra>")
    )  # fmt: skip
    fig.update_xaxes(title_text="Article tone (−1 to +1)", range=[-1, 1])
    fig.update_yaxes(title_text="Articles", tickformat=",d")
    fig.update_layout(showlegend=False)
    return _layout(fig, "Distribution of article tone", subtitle, hovermode="closest")


def tone_by_chart(data: pd.DataFrame, *, category: str, subtitle: str, title: str) -> go.Figure:
    """Mean tone per category with 95% intervals (themes or source countries)."""
    rows = data.loc[data["n"] > 0]
    labels = [THEME_LABELS.get(str(c)) or plotly_text(str(c)) for c in rows[category]]
    colours = [THEME_COLOURS.get(str(c)) or country_colour(str(c)) for c in rows[category]]
    fig = go.Figure(
        go.Bar(
            x=rows["mean"], y=labels, orientation="h", marker_color=colours, name="Mean tone",
            error_x={"type": "data", "symmetric": False, "array": (rows["ci_high"] - rows["mean"]).fillna(0),
                     "arrayminus": (rows["mean"] - rows["ci_low"]).fillna(0), "color": "#444444"},
            customdata=rows["n"], hovertemplate="%{x:+.2f} (n=%{customdata:,})<extra></extra>",
        )
    )  # fmt: skip
    fig.update_xaxes(title_text="Mean tone (95% interval)", range=[-1, 1], zeroline=True)
    fig.update_layout(showlegend=False)
    return _layout(fig, title, subtitle, hovermode="closest")


def relation_tone_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Tone of the sentences about the pair next to the tone of the whole articles."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=data["period"], y=data["article_tone"], name="Article tone", mode="lines",
                             line={"color": "#999999", "width": 2}))  # fmt: skip
    fig.add_trace(
        go.Scatter(x=data["period"], y=data["relation_tone"], name="Relation tone (sentences about the pair)",
                   mode="lines", line={"color": TONE_COLOUR, "width": 2}, customdata=data["n"],
                   hovertemplate="%{y:+.2f} (n=%{customdata:,})<extra></extra>")
    )  # fmt: skip
    fig.add_hline(y=0, line={"color": "#888888", "width": 1, "dash": "dot"})
    fig.update_yaxes(title_text="Tone (−1 to +1)", range=[-1, 1], zeroline=False)
    return _layout(fig, f"Relation tone and article tone per {FREQUENCIES[freq]}", subtitle)
