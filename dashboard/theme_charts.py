"""Theme charts: theme totals, themes over time, themes by source country, changes, a spike's theme mix."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.i18n import _, format_percent
from analytics.schema import FREQUENCIES, THEMES, theme_label
from dashboard.chart_style import layout
from dashboard.palette import BASELINE_COLOUR, SPIKE_COLOUR, THEME_COLOURS
from dashboard.safe import plotly_text


def theme_chart(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Share of the selection's articles tagged with each theme, largest first."""
    rows = data.sort_values(["share", "theme"], ascending=[True, False], kind="stable")
    fig = go.Figure(
        go.Bar(
            x=rows["share"],
            y=[theme_label(t) for t in rows["theme"]],
            orientation="h",
            marker_color=[THEME_COLOURS[t] for t in rows["theme"]],
            customdata=rows["articles"],
            text=[format_percent(v) for v in rows["share"].fillna(0)],
            textposition="outside",
            hovertemplate=_("%{x:.1%} of articles (%{customdata:,})") + "<extra></extra>",
            name=_("Share of articles"),
        )
    )
    fig.update_xaxes(title_text=_("Share of articles with the theme (an article can have several)"), tickformat=".0%")
    fig.update_layout(showlegend=False, hovermode="closest")
    return layout(fig, _("Themes"), subtitle, hovermode="closest")


def theme_stack_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Articles per theme per period, stacked (an article with two themes counts in both)."""
    fig = go.Figure()
    for theme in THEMES:
        rows = data.loc[data["theme"] == theme]
        if rows.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=rows["period"], y=rows["articles"], name=theme_label(theme), marker_color=THEME_COLOURS[theme],
                customdata=rows["share"].fillna(0),
                hovertemplate=_("%{y:,} articles (%{customdata:.0%})") + "<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text=_("Articles tagged (overlapping)"), tickformat=",d", rangemode="tozero")
    return layout(fig, _("Themes per {unit}").format(unit=_(FREQUENCIES[freq])), subtitle)


def theme_source_heatmap(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Share of each source country's articles tagged with each theme."""
    sources = sorted(data["source_country"].unique())
    grid = data.pivot_table(index="theme", columns="source_country", values="share", aggfunc="first")
    grid = grid.reindex(index=list(THEMES), columns=sources)
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(), x=[plotly_text(str(s)) for s in sources], y=[theme_label(t) for t in grid.index],
            colorscale="Cividis",
            zmin=0, zmax=1, colorbar={"title": _("Share"), "tickformat": ".0%"},
            hovertemplate=_("%{y} in %{x} media: %{z:.0%}") + "<extra></extra>",
        )
    )  # fmt: skip
    fig.update_xaxes(title_text=_("Source country"))
    fig.update_layout(hovermode="closest")
    return layout(fig, _("Themes by source country"), subtitle, hovermode="closest")


def theme_change_chart(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Change in each theme's share against the previous period of equal length."""
    rows = data.sort_values("change", kind="stable")
    fig = go.Figure(
        go.Bar(
            x=rows["change"], y=[theme_label(t) for t in rows["theme"]], orientation="h",
            marker_color=[THEME_COLOURS[t] for t in rows["theme"]],
            customdata=rows[["previous_share", "current_share"]].to_numpy(),
            hovertemplate="%{customdata[0]:.0%} → %{customdata[1]:.0%}<extra></extra>", name=_("Change"),
        )
    )  # fmt: skip
    fig.update_xaxes(title_text=_("Change in share (percentage points)"), tickformat="+.0%")
    fig.update_layout(showlegend=False)
    title = _("Themes rising and falling against the previous period")
    return layout(fig, title, subtitle, hovermode="closest")


def theme_mix_chart(data: pd.DataFrame, *, subtitle: str) -> go.Figure:
    """Share of articles with each theme in the spike and in its baseline (grouped bars).

    ``data``: ``theme, spike_articles, spike_share, baseline_articles, baseline_share, change``
    (:class:`analytics.measures.spikes.SpikeDrivers.theme_mix`), drawn in its order from the top.
    """
    rows = data.iloc[::-1]
    labels = [theme_label(t) for t in rows["theme"]]
    fig = go.Figure()
    for prefix, name, colour in (("baseline", _("Baseline"), BASELINE_COLOUR), ("spike", _("Spike"), SPIKE_COLOUR)):
        fig.add_trace(
            go.Bar(
                x=rows[f"{prefix}_share"],
                y=labels,
                orientation="h",
                name=name,
                marker_color=colour,
                customdata=rows[[f"{prefix}_articles", "change"]].to_numpy(),
                hovertemplate=_("%{x:.0%} of articles (%{customdata[0]:,}); change %{customdata[1]:+.0%}")
                + "<extra>"
                + name
                + "</extra>",
            )
        )
    fig.update_xaxes(title_text=_("Share of articles with the theme"), tickformat=".0%", rangemode="tozero")
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    return layout(fig, _("Theme mix: spike vs baseline"), subtitle, hovermode="closest")
