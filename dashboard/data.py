"""Every Streamlit cache of the dashboard, in one place, bounded and keyed by the data version.

The store's data version grows with each committed write, so a pull shows up on the next rerun
without a restart. The analysis frames are shared read-only between sessions (cache_resource):
copying a million rows per rerun would cost more than computing the charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from analytics import metrics
from analytics.filters import Filters
from analytics.pipeline import load_demo
from analytics.store import Store, default_db_path


@dataclass(frozen=True)
class StoreInfo:
    """What the pages need to know about the store before loading any frame."""

    path: str
    version: int
    articles: int
    demo: bool
    enrichment_versions: dict[str, int]


def store_info() -> StoreInfo:
    """Read the store's data version and size (a few milliseconds; not cached)."""
    with Store(default_db_path()) as store:
        return StoreInfo(
            path=str(store.path),
            version=store.data_version(),
            articles=store.count_articles(),
            demo=store.has_demo_data(),
            enrichment_versions=store.enrichment_versions(),
        )


def ensure_data() -> StoreInfo:
    """The store's info; an empty store first gets the demo corpus, so a new install shows something."""
    info = store_info()
    if info.articles == 0:
        spinner = st.spinner("The store is empty: building the demo corpus (about 10,000 invented articles)...")
        with spinner, Store(default_db_path()) as store:
            load_demo(store)
        info = store_info()
    return info


@st.cache_resource(max_entries=2, show_spinner="Loading articles...")
def frames(path: str, version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis frames of the store at ``path`` as of data version ``version``."""
    with Store(path) as store:
        return store.load_frames()


@dataclass(frozen=True)
class Choices:
    """Values the filters can take, from the stored data."""

    dyads: tuple[str, ...]
    source_countries: tuple[str, ...]
    languages: tuple[str, ...]
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
        first_day=articles["day"].min().date() if len(articles) else None,
        last_day=articles["day"].max().date() if len(articles) else None,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def overview(path: str, version: int, filters: Filters, freq: str) -> metrics.Overview:
    articles, dyads = frames(path, version)
    return metrics.overview(articles, dyads, filters, freq=freq)
