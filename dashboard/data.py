"""Every Streamlit cache of the dashboard, in one place, bounded and keyed by what they depend on.

Two keys: the store's ``data_version`` (it grows with each committed write) for what is read from
the store itself (store info, pull runs), and the analysis dataset's ``stamp`` for every figure.
The stamp moves only when a month of the dataset is rewritten, so a pull that brings nothing new
(every feed answering 304) leaves every cached figure in place, and a pull that adds articles
costs the next view the months it touched, not a reload. The engine's :class:`Source` is shared
read-only between sessions (cache_resource); the page bundles are small frames (cache_data).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from analytics import dataset, engine, views
from analytics.engine import Source
from analytics.errors import StoreError
from analytics.filters import Filters
from analytics.i18n import _, format_number, language
from analytics.measures import spikes
from analytics.selection import resolve
from analytics.store import Store, default_db_path
from analytics.views import Choices


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
        real, demo = _holdings(store, version)
        return StoreInfo(
            path=path,
            version=version,
            articles=real or demo,
            demo=not real and bool(demo),
            enrichment_versions=store.enrichment_versions(),
            last_success=_parse_utc(store.last_success()),
            hidden_demo=demo if real else 0,
        )


def _holdings(store: Store, version: int) -> tuple[int, int]:
    """Real and demo articles stored: from the dataset's manifest when it was written at this data
    version (its months count both), else counted in the store (a walk of an index of every article)."""
    manifest = dataset.read_manifest(store)
    if (
        manifest
        and manifest.get("data_version") == version
        and manifest.get("format_version") == dataset.FORMAT_VERSION
    ):
        months = [m for m in manifest["months"].values() if isinstance(m, dict)]
        real = sum(int(m.get("real", 0)) for m in months)
        return real, sum(int(m.get("articles", 0)) for m in months) - real
    return store.holdings()


def hidden_demo_notice(info: StoreInfo) -> str | None:
    """The notice every page shows when the store's demo articles are left out, else None."""
    if not info.hidden_demo:
        return None
    return _(
        "This store also holds {demo} demo articles; they are left out, and every page "
        "analyses only the {real} collected ones. Keep demo data in a store of its own."
    ).format(demo=format_number(info.hidden_demo), real=format_number(info.articles))


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
        return _("No pull has succeeded on this store yet: run `bilat pull`, or schedule it (see the Data page).")
    age = now - info.last_success
    if age > stale_after():
        hours = age.total_seconds() / 3600
        return _(
            "The data may be stale: the last successful pull finished {hours} hours ago "
            "({when} UTC). Check the Data page and the schedule."
        ).format(hours=format_number(hours), when=f"{info.last_success:%Y-%m-%d %H:%M}")
    return None


def pull_tables(path: str, version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recent pull runs and per-source health, read fresh (small tables)."""
    with Store(path) as store:
        return store.last_runs(20), store.source_health()


@dataclass(frozen=True)
class Analysis:
    """Where the figures come from: the dataset folder and its stamp (the key of every figure cache)."""

    root: str
    stamp: str
    note: str | None = None  # what the dashboard had to do to the dataset on this rerun, if anything


def analysis(info: StoreInfo) -> Analysis:
    """The store's analysis dataset, brought up to date first when it is missing or behind the store.

    Writers (pull, import, demo, enrich) update the dataset after their commits, so this finds it
    current unless a writer failed, an older bilat wrote the store, or a write is under way. A
    dataset that cannot be written here (a read-only folder) is used as it is, with a warning.
    """
    with Store(info.path) as store:
        state = dataset.status(store)
        note = None
        if state != "current":
            label = (
                _("Building the analysis dataset from the store (first start on this store)...")
                if state == "missing"
                else _("Bringing the analysis dataset up to date with the store...")
            )
            with st.spinner(label, show_time=True):
                try:
                    summary = dataset.bring_up_to_date(store)[1]
                    note = (
                        _("The analysis dataset was built: {months} months written.")
                        if state == "missing"
                        else _("The analysis dataset was brought up to date: {months} months written.")
                    ).format(months=len(summary["written"]))
                except OSError as exc:
                    if state == "missing":
                        raise StoreError(
                            f"the analysis dataset cannot be written at {dataset.folder(store)} "
                            f"({exc.strerror or exc}); "
                            "make that folder writable by the dashboard, or run bilat dataset --rebuild as its owner"
                        ) from exc
                    note = _(
                        "The analysis dataset is behind the store and could not be updated here ({error})."
                    ).format(error=exc)
        manifest = dataset.read_manifest(store) or {"months": {}}
        return Analysis(root=str(dataset.folder(store)), stamp=dataset.stamp(manifest), note=note)


@st.cache_resource(max_entries=2, show_spinner=False)
def source(root: str, stamp: str) -> Source:
    """The engine over the dataset at ``root`` as of ``stamp`` (a view over its Parquet files)."""
    return engine.open_dataset(root)


@st.cache_data(max_entries=8, show_spinner=False)
def choices(root: str, stamp: str) -> Choices:
    return views.choices(source(root, stamp))


@st.cache_data(max_entries=64, show_spinner=False)
def scorer_note(root: str, stamp: str, dyad: str | None, ui: str) -> str | None:
    """The scorer note of :func:`analytics.views.scorer_note`, in the interface language ``ui`` (a key of the cache)."""
    with language(ui):
        return views.scorer_note(source(root, stamp), dyad)


@st.cache_data(max_entries=64, show_spinner=False)
def overview(root: str, stamp: str, filters: Filters, freq: str) -> views.OverviewView:
    return views.overview(source(root, stamp), filters, freq)


@st.cache_data(max_entries=32, show_spinner=False)
def coverage_view(root: str, stamp: str, filters: Filters, freq: str) -> views.CoverageView:
    return views.coverage(source(root, stamp), filters, freq)


@st.cache_data(max_entries=32, show_spinner=False)
def themes_view(root: str, stamp: str, filters: Filters, freq: str) -> views.ThemesView:
    return views.theme_view(source(root, stamp), filters, freq)


@st.cache_data(max_entries=32, show_spinner=False)
def tone_view(root: str, stamp: str, filters: Filters, freq: str) -> views.ToneView:
    return views.tone_view(source(root, stamp), filters, freq)


@st.cache_data(max_entries=32, show_spinner=False)
def spike_view(root: str, stamp: str, filters: Filters, freq: str) -> views.SpikesView:
    return views.spike_view(source(root, stamp), filters, freq)


@st.cache_data(max_entries=32, show_spinner=False)
def compare_view(
    root: str, stamp: str, a: Filters, b: Filters, freq: str, labels: tuple[str, str]
) -> views.CompareView:
    return views.compare(source(root, stamp), a, b, freq, labels)


ARTICLE_LIMIT = 500


@st.cache_data(max_entries=32, show_spinner=False)
def article_table(path: str, root: str, stamp: str, filters: Filters, search: str) -> tuple[pd.DataFrame, int, bool]:
    """At most :data:`ARTICLE_LIMIT` selected articles, how many match, and whether the search
    stopped at the store's :attr:`Store.SEARCH_LIMIT` best matches.

    Without a search, the newest first. With one (syntax: :mod:`analytics.search`; an
    :class:`InputError` when it cannot run), the best-ranked first, with a ``snippet`` column (raw:
    see :func:`dashboard.safe.md_snippet`).
    """
    if not search.strip():
        ns, total = views.newest(source(root, stamp), filters, ARTICLE_LIMIT)
        with Store(path) as store:
            return store.article_rows(ns), total, False
    with Store(path) as store:
        found = store.search_articles(search)
    kept, total = views.newest(source(root, stamp), filters, max(len(found), 1), among=found["n"])
    ranked = found[found["n"].isin(kept)].head(ARTICLE_LIMIT)
    with Store(path) as store:
        rows = store.article_rows(ranked["n"].tolist())
    table = ranked.merge(rows, on="n", how="inner", validate="1:1")[[*rows.columns, "snippet"]]
    return table, total, len(found) >= Store.SEARCH_LIMIT


def stored_article(path: str, article_id: str) -> dict | None:
    with Store(path) as store:
        return store.article(article_id)


@st.cache_data(max_entries=32, show_spinner=False)
def spike_drivers(
    path: str, root: str, stamp: str, filters: Filters, freq: str, start: date, end: date
) -> spikes.SpikeDrivers:
    """What drove the coverage from ``start`` to ``end``; titles are read from the store."""
    src = source(root, stamp)
    sel = resolve(src, filters, freq)
    ns = spikes.title_rows(src, sel, start, end)
    with Store(path) as store:
        titles = store.article_rows(ns.tolist())[["n", "title"]]
    return spikes.spike_drivers(src, sel, start, end, titles=titles)
