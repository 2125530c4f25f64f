"""Every Streamlit cache of the dashboard, in one place, bounded and keyed by the data version.

The store's data version grows with each committed write, so a pull shows up on the next rerun
without a restart. The analysis frames are shared read-only between sessions (cache_resource):
copying a million rows per rerun would cost more than computing the charts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from analytics import coverage, metrics, spikes
from analytics.filters import Filters, selection_mask
from analytics.store import Store, default_db_path


@dataclass(frozen=True)
class StoreInfo:
    """What the pages need to know about the store before loading any frame."""

    path: str
    version: int
    articles: int  # the articles the pages analyse
    demo: bool  # they are demo articles
    enrichment_versions: dict[str, int]
    last_success: datetime | None  # when a pull last finished with at least one source working
    hidden_demo: int = 0  # demo articles left out because real ones are stored too (Store.hides_demo)


def store_info() -> StoreInfo:
    """The store's info. Only the data version is read on every rerun (one indexed lookup); the
    counts, which scan a million rows, are read again only when a write has changed the version."""
    with Store(default_db_path()) as store:
        path, version = str(store.path), store.data_version()
    return _store_details(path, version)


@st.cache_data(max_entries=8, show_spinner=False)
def _store_details(path: str, version: int) -> StoreInfo:
    with Store(path) as store:
        real, demo = store.holdings()
        return StoreInfo(
            path=path,
            version=version,
            articles=real or demo,
            demo=not real and bool(demo),
            enrichment_versions=store.enrichment_versions(),
            last_success=_parse_utc(store.last_success()),
            hidden_demo=demo if real else 0,
        )


def hidden_demo_notice(info: StoreInfo) -> str | None:
    """The notice every page shows when the store's demo articles are left out, else None."""
    if not info.hidden_demo:
        return None
    return (
        f"This store also holds {info.hidden_demo:,} demo articles; they are left out, and every page "
        f"analyses only the {info.articles:,} collected ones. Keep demo data in a store of its own."
    )


def _parse_utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def stale_after() -> timedelta:
    """How old the last successful pull may be before every page warns (``BILAT_STALE_HOURS``, 6)."""
    try:
        hours = float(os.environ.get("BILAT_STALE_HOURS", "6"))
    except ValueError:
        hours = 6.0
    return timedelta(hours=hours)


def freshness_warning(info: StoreInfo, now: datetime | None = None) -> str | None:
    """The warning every page shows when pulled data is older than expected, else None."""
    if info.demo:
        return None
    now = now or datetime.now(UTC)
    if info.last_success is None:
        return "No pull has succeeded on this store yet: run `bilat pull`, or schedule it (see the Data page)."
    age = now - info.last_success
    if age > stale_after():
        hours = age.total_seconds() / 3600
        return (
            f"The data may be stale: the last successful pull finished {hours:.0f} hours ago "
            f"({info.last_success:%Y-%m-%d %H:%M} UTC). Check the Data page and the schedule."
        )
    return None


def pull_tables(path: str, version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recent pull runs and per-source health, read fresh (small tables)."""
    with Store(path) as store:
        return store.last_runs(20), store.source_health()


@st.cache_resource(max_entries=2, show_spinner="Loading articles...")
def frames(path: str, version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis frames of the store at ``path`` as of data version ``version``."""
    with Store(path) as store:
        return store.load_frames()


MAX_OUTLETS = 300


@dataclass(frozen=True)
class Choices:
    """Values the filters can take, from the stored data."""

    dyads: tuple[str, ...]
    source_countries: tuple[str, ...]
    languages: tuple[str, ...]
    outlets: tuple[str, ...]  # the most prolific first, at most MAX_OUTLETS
    first_day: date | None
    last_day: date | None


@st.cache_data(max_entries=8)
def choices(path: str, version: int) -> Choices:
    articles, dyads = frames(path, version)
    counts = dyads["dyad"].value_counts()
    return Choices(
        dyads=tuple(str(d) for d in counts.index[counts > 0]),
        source_countries=tuple(sorted(str(c) for c in articles["source_country"].dropna().unique())),
        languages=tuple(sorted(str(c) for c in articles["language"].dropna().unique())),
        outlets=tuple(str(o) for o in articles["outlet"].value_counts().index[:MAX_OUTLETS]),
        first_day=articles["day"].min().date() if len(articles) else None,
        last_day=articles["day"].max().date() if len(articles) else None,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def overview(path: str, version: int, filters: Filters, freq: str) -> metrics.Overview:
    articles, dyads = frames(path, version)
    return metrics.overview(articles, dyads, filters, freq=freq)


ARTICLE_LIMIT = 500


@st.cache_data(max_entries=32, show_spinner=False)
def article_table(path: str, version: int, filters: Filters, search: str) -> tuple[pd.DataFrame, int]:
    """The newest :data:`ARTICLE_LIMIT` selected articles (title search applied), and how many match."""
    articles, dyads = frames(path, version)
    mask = selection_mask(articles, dyads, filters)
    if search.strip():
        with Store(path) as store:
            hits = store.search_titles(search)
        mask &= articles["n"].isin(hits).to_numpy()
    chosen = articles.loc[mask, ["n", "published"]].sort_values(["published", "n"], ascending=False)
    with Store(path) as store:
        rows = store.article_rows(chosen["n"].head(ARTICLE_LIMIT).tolist())
    return rows, int(mask.sum())


def stored_article(path: str, article_id: str) -> dict | None:
    with Store(path) as store:
        return store.article(article_id)


# --- the other pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageView:
    volume: pd.DataFrame
    by_source: pd.DataFrame
    mirror: pd.DataFrame | None  # None when the view is a country with any partner
    diversity: pd.DataFrame


@st.cache_data(max_entries=32, show_spinner=False)
def coverage_view(path: str, version: int, filters: Filters, freq: str) -> CoverageView:
    articles, dyads = frames(path, version)
    selected = articles.loc[selection_mask(articles, dyads, filters)]
    vol = metrics.volume(articles, dyads, filters, freq=freq)
    span = (vol["period"].iloc[0].date(), vol["period"].iloc[-1].date()) if len(vol) else None
    return CoverageView(
        volume=vol,
        by_source=metrics.volume_by_source(selected, freq=freq, span=span),
        mirror=coverage.mirror(articles, dyads, filters, freq=freq) if filters.dyad else None,
        diversity=coverage.outlet_diversity(selected, freq=freq, span=span),
    )


@dataclass(frozen=True)
class ThemesView:
    shares: pd.DataFrame
    by_source: pd.DataFrame
    changes: pd.DataFrame | None  # None when the date range is open


@st.cache_data(max_entries=32, show_spinner=False)
def themes_view(path: str, version: int, filters: Filters, freq: str) -> ThemesView:
    articles, dyads = frames(path, version)
    selected = articles.loc[selection_mask(articles, dyads, filters)]
    span = (filters.start, filters.end) if filters.start and filters.end else None
    return ThemesView(
        shares=metrics.theme_shares(selected, freq=freq, span=span),
        by_source=coverage.theme_by_source(selected),
        changes=coverage.theme_changes(articles, dyads, filters) if filters.start and filters.end else None,
    )


@dataclass(frozen=True)
class ToneView:
    tone: pd.DataFrame
    distribution: pd.DataFrame
    by_theme: pd.DataFrame
    by_source: pd.DataFrame
    relation: pd.DataFrame | None  # None when the view is not one pair


@st.cache_data(max_entries=32, show_spinner=False)
def tone_view(path: str, version: int, filters: Filters, freq: str) -> ToneView:
    articles, dyads = frames(path, version)
    selected = articles.loc[selection_mask(articles, dyads, filters)]
    span = (filters.start, filters.end) if filters.start and filters.end else None
    return ToneView(
        tone=metrics.tone(selected, freq=freq, span=span),
        distribution=coverage.tone_distribution(selected),
        by_theme=coverage.tone_by_theme(selected),
        by_source=coverage.tone_by_source(selected),
        relation=coverage.relation_vs_article_tone(articles, dyads, filters, freq=freq) if filters.dyad else None,
    )


@st.cache_data(max_entries=32, show_spinner=False)
def spikes_found(path: str, version: int, filters: Filters, freq: str) -> pd.DataFrame:
    articles, dyads = frames(path, version)
    return spikes.find_spikes(articles, dyads, filters, freq=freq)


@st.cache_data(max_entries=32, show_spinner=False)
def spike_drivers(path: str, version: int, filters: Filters, start: date, end: date) -> spikes.SpikeDrivers:
    """What drove the coverage from ``start`` to ``end``; titles are read from the store."""
    articles, dyads = frames(path, version)
    ns = spikes.title_rows(articles, dyads, filters, start, end)
    with Store(path) as store:
        titles = store.article_rows(ns.tolist())[["n", "title", "outlet", "cluster_id"]]
    return spikes.spike_drivers(articles, dyads, filters, start, end, titles=titles)
