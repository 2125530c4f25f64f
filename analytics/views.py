"""One bundle per page: exactly the figures a page draws, from a Source and the view's filters.

The dashboard caches and draws these; the CLI and the tests call the same functions to get the
numbers a page shows. Each bundle resolves its :class:`~analytics.selection.Selection` once and
hands it to every measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.engine import Source
from analytics.filters import Filters
from analytics.measures import diversity, sides, spikes, themes, tone, volume
from analytics.measures.volume import Kpis
from analytics.selection import Selection, context, resolve, selected

MAX_OUTLETS = 300


@dataclass(frozen=True)
class Choices:
    """Values the filters can take, from the stored data."""

    dyads: tuple[str, ...]  # the most covered first
    source_countries: tuple[str, ...]
    languages: tuple[str, ...]
    outlets: tuple[str, ...]  # the most prolific first, at most MAX_OUTLETS
    first_day: date | None
    last_day: date | None


def choices(source: Source) -> Choices:
    """The pairs, source countries, languages and outlets stored, and the first and last day."""
    a, d = source.articles, source.dyads
    pairs = source.run(d.group_by("dyad").aggregate(articles=d.count()))
    pairs = pairs.sort_values(["articles", "dyad"], ascending=[False, True], kind="stable")
    named = a.filter(a.outlet.notnull())
    outlets = source.run(named.group_by("outlet").aggregate(articles=named.count()))
    outlets = outlets.sort_values(["articles", "outlet"], ascending=[False, True], kind="stable").head(MAX_OUTLETS)
    countries = source.run(a.select("source_country").distinct())["source_country"].dropna()
    languages = source.run(a.select("language").distinct())["language"].dropna()
    bounds = source.run(a.aggregate(day=a.day.min(), last=a.day.max()))
    first, last = bounds["day"].iloc[0], bounds["last"].iloc[0]
    return Choices(
        dyads=tuple(str(x) for x in pairs["dyad"]),
        source_countries=tuple(sorted(str(x) for x in countries)),
        languages=tuple(sorted(str(x) for x in languages)),
        outlets=tuple(str(x) for x in outlets["outlet"]),
        first_day=None if pd.isna(first) else pd.Timestamp(first).date(),
        last_day=None if pd.isna(last) else pd.Timestamp(last).date(),
    )


@dataclass(frozen=True)
class OverviewView:
    """The Overview page: headline figures, volume and share, theme shares over the range, tone."""

    selection: Selection
    kpis: Kpis
    volume: pd.DataFrame
    theme_totals: pd.DataFrame
    tone: pd.DataFrame

    @property
    def filters(self) -> Filters:
        return self.selection.filters

    @property
    def freq(self) -> str:
        return self.selection.freq


def overview(source: Source, filters: Filters, freq: str = "W") -> OverviewView:
    sel = resolve(source, filters, freq)
    return OverviewView(
        selection=sel,
        kpis=volume.kpis(source, sel),
        volume=volume.volume(source, sel),
        theme_totals=themes.theme_totals(source, sel),
        tone=tone.tone(source, sel),
    )


@dataclass(frozen=True)
class CoverageView:
    """The Coverage page: volume, volume by source country, the mirror view, story and outlet diversity."""

    selection: Selection
    volume: pd.DataFrame
    by_source: pd.DataFrame
    mirror: pd.DataFrame | None  # None when the view is a country with any partner
    diversity: pd.DataFrame


def coverage(source: Source, filters: Filters, freq: str = "W") -> CoverageView:
    sel = resolve(source, filters, freq)
    return CoverageView(
        selection=sel,
        volume=volume.volume(source, sel),
        by_source=volume.volume_by_source(source, sel),
        mirror=sides.mirror(source, sel) if filters.dyad else None,
        diversity=diversity.outlet_diversity(source, sel),
    )


@dataclass(frozen=True)
class ThemesView:
    """The Themes page: shares over time, by source country, and changes against the previous range."""

    selection: Selection
    shares: pd.DataFrame
    by_source: pd.DataFrame
    changes: pd.DataFrame | None  # None when the date range is open


def theme_view(source: Source, filters: Filters, freq: str = "W") -> ThemesView:
    sel = resolve(source, filters, freq)
    return ThemesView(
        selection=sel,
        shares=themes.theme_shares(source, sel),
        by_source=themes.theme_by_source(source, sel),
        changes=themes.theme_changes(source, sel) if sel.previous is not None else None,
    )


@dataclass(frozen=True)
class ToneView:
    """The Tone page: tone over time, its distribution, by theme and source, and the relation's tone."""

    selection: Selection
    tone: pd.DataFrame
    distribution: pd.DataFrame
    by_theme: pd.DataFrame
    by_source: pd.DataFrame
    relation: pd.DataFrame | None  # None when the view is not one pair


def tone_view(source: Source, filters: Filters, freq: str = "W") -> ToneView:
    sel = resolve(source, filters, freq)
    return ToneView(
        selection=sel,
        tone=tone.tone(source, sel),
        distribution=tone.tone_distribution(source, sel),
        by_theme=tone.tone_by_theme(source, sel),
        by_source=tone.tone_by_source(source, sel),
        relation=tone.relation_vs_article_tone(source, sel) if filters.dyad else None,
    )


@dataclass(frozen=True)
class SpikesView:
    """The Spikes page: the volume spikes and tone shifts of the selection, per day or week."""

    selection: Selection
    spikes: pd.DataFrame
    volume: pd.DataFrame  # articles per period, the series the spikes are marked on


def spike_view(source: Source, filters: Filters, freq: str = "D") -> SpikesView:
    sel = resolve(source, filters, freq)
    return SpikesView(selection=sel, spikes=spikes.find_spikes(source, sel), volume=volume.volume(source, sel))


@dataclass(frozen=True)
class CompareView:
    """The Compare page: the Overview of two selections side by side."""

    a: OverviewView
    b: OverviewView


def compare(source: Source, a: Filters, b: Filters, freq: str = "W") -> CompareView:
    return CompareView(overview(source, a, freq), overview(source, b, freq))


def newest(source: Source, filters: Filters, limit: int, among: list[int] | None = None) -> tuple[list[int], int]:
    """Row numbers of the newest ``limit`` selected articles (only those in ``among`` when given),
    and how many match in all."""
    rows = selected(source, filters)
    if among is not None:
        rows = rows.filter(rows.n.isin(among)) if among else rows.filter(rows.n < 0).filter(rows.n > 0)
    count = int(source.scalar(rows.count()) or 0)
    top = source.run(rows.order_by([rows.published.desc(), rows.n.desc()]).select("n").limit(limit))
    return [int(n) for n in top["n"]], count


def context_size(source: Source, filters: Filters) -> int:
    """How many articles the context of ``filters`` holds (dates, sources, languages, outlets)."""
    return int(source.scalar(context(source, filters).count()) or 0)


BUNDLES = {"Overview": overview, "Coverage": coverage, "Themes": theme_view, "Tone": tone_view, "Spikes": spike_view}
