"""Coverage charts: volume and share over time, volume by source country, the mirror view, diversity."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.i18n import _
from analytics.schema import FREQUENCIES
from dashboard.chart_style import layout
from dashboard.palette import SHARE_COLOUR, TONE_COLOUR, VOLUME_COLOUR, country_colour
from dashboard.safe import plotly_text


def volume_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Articles per period (bars) and their share of all coverage (line, right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=data["period"],
            y=data["articles"],
            name=_("Articles"),
            marker_color=VOLUME_COLOUR,
            customdata=data["all_articles"],
            hovertemplate=_("%{y:,} articles of %{customdata:,}") + "<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=data["period"],
            y=data["share"],
            name=_("Share of all coverage"),
            mode="lines",
            line={"color": SHARE_COLOUR, "width": 2},
            hovertemplate=_("%{y:.1%} of all coverage") + "<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text=_("Articles"), tickformat=",d", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=_("Share of all coverage"), tickformat=".0%", rangemode="tozero", secondary_y=True)
    return layout(fig, _("Coverage volume per {unit}").format(unit=_(FREQUENCIES[freq])), subtitle)


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
    fig.update_yaxes(title_text=_("Articles"), tickformat=",d", rangemode="tozero")
    title = _("Coverage by source country per {unit}").format(unit=_(FREQUENCIES[freq]))
    return layout(fig, title, subtitle)


def mirror_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Each side's media on the pair, as a share of that country's own coverage."""
    fig = go.Figure()
    for code in sorted(data["source_country"].unique()):
        rows = data.loc[data["source_country"] == code]
        label = plotly_text(_("{country} media").format(country=code))
        fig.add_trace(
            go.Scatter(
                x=rows["period"], y=rows["share"], name=label, mode="lines",
                line={"color": country_colour(str(code)), "width": 2},
                customdata=rows[["articles", "country_total"]].to_numpy(),
                hovertemplate=f"{label}: " + _("%{y:.1%} (%{customdata[0]:,} of %{customdata[1]:,})")
                + "<extra></extra>",
            )
        )  # fmt: skip
    fig.update_yaxes(title_text=_("Share of the country's own coverage"), tickformat=".0%", rangemode="tozero")
    return layout(fig, _("Mirror view: each side's media on the relationship"), subtitle)


def diversity_chart(data: pd.DataFrame, *, subtitle: str, freq: str) -> go.Figure:
    """Articles, distinct stories (wire copies once) and distinct outlets per period."""
    fig = go.Figure()
    styles = {"articles": (_("Articles"), VOLUME_COLOUR, "solid"), "stories": (_("Stories (wire copies once)"),
              SHARE_COLOUR, "dash"), "outlets": (_("Outlets"), TONE_COLOUR, "dot")}  # fmt: skip
    for column, (name, colour, dash) in styles.items():
        fig.add_trace(
            go.Scatter(x=data["period"], y=data[column], name=name, mode="lines",
                       line={"color": colour, "width": 2, "dash": dash})
        )  # fmt: skip
    fig.update_yaxes(title_text=_("Count"), tickformat=",d", rangemode="tozero")
    return layout(fig, _("Outlet diversity per {unit}").format(unit=_(FREQUENCIES[freq])), subtitle)
