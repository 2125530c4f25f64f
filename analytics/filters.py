"""What a view selects: country pair or country, dates, themes, source countries, languages.

:class:`Filters` is a frozen value: the dashboard builds one from the URL, the CLI from flags,
and the metrics take it. :meth:`Filters.describe` says in English what it selects, for chart
captions and the summary of a download.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics.errors import InputError
from analytics.schema import THEME_LABELS, THEMES


@dataclass(frozen=True)
class Filters:
    """A selection of stored coverage. Empty tuples and ``None`` mean "no restriction".

    ``dyad`` (``"PER-USA"``) selects articles assigned to that pair; ``country`` (used when
    ``dyad`` is None) selects articles in any dyad with that country. ``start`` and ``end`` are
    inclusive UTC dates. ``themes`` keeps articles tagged with any of the themes.
    """

    dyad: str | None = None
    country: str | None = None
    start: date | None = None
    end: date | None = None
    themes: tuple[str, ...] = ()
    source_countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    # Count each wire story once: of the copies of one story (one cluster), keep the earliest published.
    once: bool = False

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InputError(f"the date range is reversed: {self.start} is after {self.end}")
        unknown = [t for t in self.themes if t not in THEMES]
        if unknown:
            raise InputError(f"unknown theme {unknown[0]!r}; themes are: {', '.join(THEMES)}")
        if self.dyad is not None:
            parts = self.dyad.split("-")
            if len(parts) != 2 or parts != sorted(parts) or parts[0] == parts[1] or any(len(p) != 3 for p in parts):
                raise InputError(
                    f"{self.dyad!r} is not a country pair; write two ISO alpha-3 codes in "
                    "alphabetical order, e.g. PER-USA"
                )

    @property
    def theme_mask(self) -> int:
        mask = 0
        for theme in self.themes:
            mask |= 1 << THEMES.index(theme)
        return mask

    def previous(self) -> Filters | None:
        """The same selection over the period of equal length just before this one."""
        if self.start is None or self.end is None:
            return None
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))

    def describe(self) -> str:
        """An English description, e.g. "PER-USA, 2025-01-01 to 2025-12-31, themes: Trade".

        Plain text, not markup: outlet and language names come from stored feeds and files, so a
        page escapes it before Markdown (``dashboard.safe.md_escape``) or a chart title.
        """
        parts = [self.dyad or (f"{self.country} with any partner" if self.country else "all coverage")]
        if self.start or self.end:
            parts.append(f"{self.start or 'first'} to {self.end or 'last'}")
        if self.themes:
            parts.append("themes: " + ", ".join(THEME_LABELS[t] for t in self.themes))
        if self.source_countries:
            parts.append("media of " + ", ".join(self.source_countries))
        if self.languages:
            parts.append("languages: " + ", ".join(self.languages))
        if self.outlets:
            parts.append("outlets: " + ", ".join(self.outlets))
        if self.once:
            parts.append("wire copies counted once")
        return "; ".join(parts)


def _member_mask(articles: pd.DataFrame, ns: np.ndarray) -> np.ndarray:
    """Which rows of ``articles`` have their row number ``n`` among ``ns``."""
    if len(articles) == 0:
        return np.zeros(0, dtype=bool)
    n = articles["n"].to_numpy()
    marks = np.zeros(int(n.max()) + 1, dtype=bool)
    ns = ns[ns <= n.max()]
    marks[ns] = True
    return marks[n]


def context_mask(articles: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Rows within the date range, source countries, languages and outlets (first copies only when
    counting wire stories once): the denominator of shares."""
    mask = np.ones(len(articles), dtype=bool)
    if filters.start is not None or filters.end is not None:
        days = articles["day"].to_numpy()
        if filters.start is not None:
            mask &= days >= np.datetime64(filters.start, "ns")
        if filters.end is not None:
            mask &= days <= np.datetime64(filters.end, "ns")
    if filters.source_countries:
        mask &= articles["source_country"].isin(filters.source_countries).to_numpy()
    if filters.languages:
        mask &= articles["language"].isin(filters.languages).to_numpy()
    if filters.outlets:
        mask &= articles["outlet"].isin(filters.outlets).to_numpy()
    if filters.once:
        mask &= _first_copies(articles, mask)
    return mask


def story_keys(frame: pd.DataFrame) -> np.ndarray:
    """One integer per story: the wire cluster's code, or a fresh one for an article without a cluster."""
    values = frame["cluster_id"]
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, size = values.cat.codes.to_numpy().astype(np.int64), len(values.cat.categories)
    else:
        factorized, labels = pd.factorize(values)
        codes, size = factorized.astype(np.int64), len(labels)
    missing = codes < 0
    if missing.any():
        codes = codes.copy()
        codes[missing] = size + np.arange(int(missing.sum()))
    return codes


def earliest_copies(frame: pd.DataFrame, keys: np.ndarray) -> np.ndarray:
    """Positions of the earliest published row of each story ``keys`` (lowest ``n`` on ties), ascending.

    This is the copy that stands for a wire story wherever copies are counted once.
    """
    if len(frame) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((frame["n"].to_numpy(), frame["published"].array.asi8, keys))
    sorted_keys = keys[order]
    return np.sort(order[np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))])


def _first_copies(articles: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    """Among the rows in ``mask``, the earliest copy of each wire story."""
    keep = np.zeros(len(articles), dtype=bool)
    rows = np.flatnonzero(mask)
    if len(rows):
        chosen = articles.iloc[rows]
        keep[rows[earliest_copies(chosen, story_keys(chosen))]] = True
    return keep


def selection_mask(articles: pd.DataFrame, dyads: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Rows the filters select: the context, narrowed to the pair or country and the themes."""
    mask = context_mask(articles, filters)
    if filters.dyad is not None:
        mask &= _member_mask(articles, dyads.loc[(dyads["dyad"] == filters.dyad).to_numpy(), "n"].to_numpy())
    elif filters.country is not None:
        values = dyads["dyad"].astype("category")
        wanted = [c for c in values.cat.categories if filters.country in str(c).split("-")]
        hit = values.isin(wanted).to_numpy()
        mask &= _member_mask(articles, dyads.loc[hit, "n"].to_numpy())
    if filters.themes:
        mask &= (articles["theme_mask"].to_numpy() & filters.theme_mask) != 0
    return mask


def select(articles: pd.DataFrame, dyads: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The articles the filters select (a new frame; the input is not changed)."""
    return articles.loc[selection_mask(articles, dyads, filters)]
