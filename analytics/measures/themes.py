"""Themes: how much of a selection each theme holds, over time, by source country, and how that
changed against the period before. An article may carry several themes, so shares overlap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.engine import Source
from analytics.errors import InputError
from analytics.intervals import ratio
from analytics.measures.volume import source_labels
from analytics.periods import bucket, spread
from analytics.schema import THEME_CHANGE_COLUMNS, THEME_SHARE_COLUMNS, THEME_SOURCE_COLUMNS, THEMES, empty_frame
from analytics.selection import Selection, selected


def tagged(rows, bit: int):
    """The Ibis flag (1 or 0) of rows tagged with theme number ``bit``."""
    return ((rows.theme_mask & (1 << bit)) != 0).cast("int64")


def theme_sums(rows) -> dict:
    """Aggregates counting each theme's articles of ``rows``, named by theme id, plus ``articles``."""
    sums = {theme: tagged(rows, bit).sum() for bit, theme in enumerate(THEMES)}
    return {"articles": rows.count(), **sums}


def theme_totals_of(source: Source, rows) -> pd.DataFrame:
    """Columns ``theme, articles, share`` for the articles of ``rows``, one row per theme in order."""
    frame = source.run(rows.aggregate(**theme_sums(rows)))
    total = int(frame["articles"].iloc[0])
    counts = [int(frame[t].iloc[0]) if total else 0 for t in THEMES]
    return pd.DataFrame(
        {
            "theme": list(THEMES),
            "articles": np.asarray(counts, dtype=np.int64),
            "share": [c / total if total else math.nan for c in counts],
        }
    )


def theme_totals(source: Source, sel: Selection) -> pd.DataFrame:
    """For each theme: selected articles tagged with it, and their share of the selection.

    Columns ``theme, articles, share``, one row per theme in ``THEMES`` order; ``share`` is NaN
    when the selection is empty. Themes overlap, so shares can sum to more than 1.
    """
    return theme_totals_of(source, selected(source, sel.filters))


def theme_shares(source: Source, sel: Selection) -> pd.DataFrame:
    """For each period and theme: articles tagged with the theme and their share of the period.

    Columns ``period, theme, articles, period_articles, share``, one row per period and theme in
    ``THEMES`` order; ``share`` is NaN for periods without articles.
    """
    if sel.span is None:
        return empty_frame(THEME_SHARE_COLUMNS)
    rows = selected(source, sel.filters)
    frame = source.run(rows.group_by(period=bucket(rows.day, sel.freq)).aggregate(**theme_sums(rows)))
    index, freq = sel.index, sel.freq
    per_period = spread(index, freq, frame["period"], frame["articles"].astype("int64"))
    blocks = []
    for theme in THEMES:
        count = spread(index, freq, frame["period"], frame[theme].fillna(0).astype("int64"))
        blocks.append(pd.DataFrame({"period": index, "theme": theme, "articles": count,
                                    "period_articles": per_period, "share": ratio(count, per_period)}))  # fmt: skip
    return pd.concat(blocks, ignore_index=True).sort_values(["period"], kind="stable").reset_index(drop=True)


def theme_by_source(source: Source, sel: Selection) -> pd.DataFrame:
    """Theme shares of each source country's selected articles, for a source x theme heat map.

    Columns ``source_country, theme, articles, source_articles, share``: for every source country
    with articles (sorted; ``unknown`` for outlets of unknown country) one row per theme in
    ``THEMES`` order. Themes overlap, so a source's shares can sum to more than 1.
    """
    rows = selected(source, sel.filters)
    frame = source.run(rows.group_by(source_country=rows.source_country).aggregate(**theme_sums(rows)))
    if frame.empty:
        return empty_frame(THEME_SOURCE_COLUMNS)
    frame["source_country"] = source_labels(frame["source_country"])
    frame = frame.sort_values("source_country", kind="stable").reset_index(drop=True)
    k = len(THEMES)
    counts = frame[list(THEMES)].to_numpy(dtype=np.int64)
    totals = frame["articles"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "source_country": np.repeat(frame["source_country"].to_numpy(dtype=object), k),
            "theme": np.tile(np.asarray(THEMES, dtype=object), len(frame)),
            "articles": counts.ravel(),
            "source_articles": np.repeat(totals, k),
            "share": (counts / totals[:, None]).ravel(),
        }
    )


def compare_totals(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Two :func:`theme_totals` frames side by side: ``theme, current_share, previous_share, change,
    current_articles, previous_articles``, rising themes first, NaN changes last."""
    frame = pd.DataFrame(
        {
            "theme": now["theme"],
            "current_share": now["share"],
            "previous_share": before["share"],
            "change": now["share"] - before["share"],
            "current_articles": now["articles"],
            "previous_articles": before["articles"],
        }
    )
    return frame.sort_values("change", ascending=False, kind="stable", na_position="last").reset_index(drop=True)


def theme_changes(source: Source, sel: Selection) -> pd.DataFrame:
    """Theme shares of the selected range against the range of equal length just before it.

    Columns ``theme, current_share, previous_share, change, current_articles, previous_articles``;
    ``change = current_share - previous_share`` (a difference of shares: 0.1 = ten points). Sorted
    by change, rising themes first; NaN changes (a range without articles) last. Raises
    :class:`InputError` when the range is open-ended, as there is then no previous range.
    """
    previous = sel.previous
    if previous is None:
        raise InputError("theme changes compare two date ranges; choose both a start and an end date")
    now = theme_totals(source, sel)
    before = theme_totals(source, previous)
    if now["articles"].sum() == 0 and before["articles"].sum() == 0 and not source.scalar(source.articles.count()):
        return empty_frame(THEME_CHANGE_COLUMNS)
    return compare_totals(now, before)
