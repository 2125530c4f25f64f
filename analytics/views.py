"""One bundle per page: exactly the figures a page draws, from a Source and the view's filters.

The dashboard caches and draws these; the CLI and the tests call the same functions to get the
numbers a page shows. Each bundle resolves its :class:`~analytics.selection.Selection` once and
hands it to every measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import numpy as np
import pandas as pd

from analytics.engine import Source
from analytics.filters import Filters
from analytics.i18n import N_, _
from analytics.measures import diversity, grouped, sides, spikes, themes, tone, volume
from analytics.measures.compare import Comparison
from analytics.measures.compare import compare as side_by_side
from analytics.measures.volume import Kpis
from analytics.selection import Selection, resolve, selected

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


LANGUAGE_NAMES = {"en": N_("English"), "es": N_("Spanish")}


def scorer_note(source: Source, dyad: str | None) -> str | None:
    """A sentence saying that the two sides of ``dyad`` are read by different tone scorers, when
    most scored articles of one side's outlets are in one language and the other side's in another
    (Peru's media in Spanish, the United States' in English); None otherwise. The scorers are
    calibrated alike on labelled news (``bilat evaluate``), but levels read in two languages are
    best compared as trends."""
    if dyad is None:
        return None
    mix = source.remember(("languages by source country",), lambda: _scored_languages(source))
    main = {}
    for country in dyad.split("-"):
        counts = mix.get(country)
        if counts:
            main[country] = max(sorted(counts), key=counts.__getitem__)
    if len(main) < 2 or len(set(main.values())) < 2:
        return None
    side = _("{country}'s outlets mostly in {language}")
    first, second = (side.format(country=c, language=_(LANGUAGE_NAMES[lang])) for c, lang in main.items())
    sides = _("{first} and {second}").format(first=first, second=second)
    return _("The two sides are read by different tone scorers ({sides}): compare their tone as trends rather "
             "than levels.").format(sides=sides)  # fmt: skip


def _scored_languages(source: Source) -> dict[str, dict[str, int]]:
    """Scored articles per source country and language: country -> language -> count."""
    a = source.articles
    scored = a.filter(a.tone.notnull() & a.source_country.notnull())
    counts = source.run(scored.group_by(["source_country", "language"]).aggregate(articles=scored.count()))
    out: dict[str, dict[str, int]] = {}
    for row in counts.itertuples(index=False):
        if row.language in LANGUAGE_NAMES:
            out.setdefault(str(row.source_country), {})[str(row.language)] = int(row.articles)
    return out


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
    """The Tone page: mean and net tone over time, the distribution, by theme and source, and the relation's tone."""

    selection: Selection
    tone: pd.DataFrame
    distribution: pd.DataFrame
    by_theme: pd.DataFrame
    by_source: pd.DataFrame
    relation: pd.DataFrame | None  # None when the view is not one pair
    net: pd.DataFrame


def tone_view(source: Source, filters: Filters, freq: str = "W") -> ToneView:
    sel = resolve(source, filters, freq)
    return ToneView(
        selection=sel,
        tone=tone.tone(source, sel),
        distribution=tone.tone_distribution(source, sel),
        by_theme=tone.tone_by_theme(source, sel),
        by_source=tone.tone_by_source(source, sel),
        relation=tone.relation_vs_article_tone(source, sel) if filters.dyad else None,
        net=tone.net_tone(source, sel),
    )


@dataclass(frozen=True)
class SpikesView:
    """The Spikes page: volume and tone per day or week, with the volume spikes and tone shifts found.

    ``volume`` and ``tone`` carry ``flagged`` and ``score`` columns (see ``spikes.mark_spikes``).
    """

    selection: Selection
    kpis: Kpis
    volume: pd.DataFrame
    tone: pd.DataFrame
    spikes: pd.DataFrame


def spike_view(source: Source, filters: Filters, freq: str = "D") -> SpikesView:
    sel = resolve(source, filters, freq)
    found = spikes.find_spikes(source, sel)
    series = volume.volume(source, sel)
    return SpikesView(
        selection=sel,
        kpis=volume.kpis(source, sel),
        volume=spikes.mark_spikes(series, found, "volume"),
        tone=spikes.mark_spikes(tone.tone(source, sel), found, "tone"),
        spikes=found,
    )


@dataclass(frozen=True)
class CompareView:
    """The Compare page: the Overview of two selections, and the frames that draw them side by side."""

    a: OverviewView
    b: OverviewView
    comparison: Comparison


def compare(
    source: Source, a: Filters, b: Filters, freq: str = "W", labels: tuple[str, str] = ("A", "B")
) -> CompareView:
    grouped.query_together(source, a, b)  # two pairs over one context: one scan for both
    first, second = overview(source, a, freq), overview(source, b, freq)
    return CompareView(first, second, side_by_side(source, first.selection, second.selection, labels))


def newest(source: Source, filters: Filters, limit: int, among=None) -> tuple[list[int], int]:
    """Row numbers of the newest ``limit`` selected articles (only those in ``among`` when given),
    and how many match in all."""
    rows = selected(source, filters)
    if among is not None:
        among = np.asarray(among, dtype=np.int64)
        if len(among) == 0:
            return [], 0
        wanted = ibis.memtable({"n": among})
        rows = rows.filter(rows.n.isin(wanted.n))
    count = int(source.scalar(rows.count()) or 0)
    top = source.run(rows.order_by([rows.published.desc(), rows.n.desc()]).select("n").limit(limit))
    return [int(n) for n in top["n"]], count


BUNDLES = {"Overview": overview, "Coverage": coverage, "Themes": theme_view, "Tone": tone_view, "Spikes": spike_view}
