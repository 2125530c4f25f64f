"""Themes: how much of a selection each theme holds, over time, by source country, and how that
changed against the period before. An article may carry several themes, so shares overlap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.engine import Source
from analytics.errors import InputError
from analytics.intervals import ratio
from analytics.measures.grouped import by_period, overall
from analytics.measures.volume import per_source
from analytics.periods import spread
from analytics.schema import THEME_CHANGE_COLUMNS, THEME_SHARE_COLUMNS, THEME_SOURCE_COLUMNS, THEMES, empty_frame
from analytics.selection import Selection


def totals_of(sums: pd.Series) -> pd.DataFrame:
    """Columns ``theme, articles, share`` from grouped sums (``articles`` and one count per theme)."""
    total = int(sums["articles"])
    counts = np.asarray([int(sums[t]) for t in THEMES], dtype=np.int64)
    return pd.DataFrame(
        {"theme": list(THEMES), "articles": counts, "share": [c / total if total else math.nan for c in counts]}
    )


def theme_totals(source: Source, sel: Selection) -> pd.DataFrame:
    """For each theme: selected articles tagged with it, and their share of the selection.

    Columns ``theme, articles, share``, one row per theme in ``THEMES`` order; ``share`` is NaN
    when the selection is empty. Themes overlap, so shares can sum to more than 1.
    """
    return totals_of(overall(by_period(source, sel)))


def theme_shares(source: Source, sel: Selection) -> pd.DataFrame:
    """For each period and theme: articles tagged with the theme and their share of the period.

    Columns ``period, theme, articles, period_articles, share``, one row per period and theme in
    ``THEMES`` order; ``share`` is NaN for periods without articles.
    """
    if sel.span is None:
        return empty_frame(THEME_SHARE_COLUMNS)
    frame = by_period(source, sel)
    index, freq = sel.index, sel.freq
    per_period = spread(index, freq, frame["period"], frame["articles"])
    blocks = []
    for theme in THEMES:
        count = spread(index, freq, frame["period"], frame[theme])
        blocks.append(pd.DataFrame({"period": index, "theme": theme, "articles": count,
                                    "period_articles": per_period, "share": ratio(count, per_period)}))  # fmt: skip
    return pd.concat(blocks, ignore_index=True).sort_values(["period"], kind="stable").reset_index(drop=True)


def theme_by_source(source: Source, sel: Selection) -> pd.DataFrame:
    """Theme shares of each source country's selected articles, for a source x theme heat map.

    Columns ``source_country, theme, articles, source_articles, share``: for every source country
    with articles (sorted; ``unknown`` for outlets of unknown country) one row per theme in
    ``THEMES`` order. Themes overlap, so a source's shares can sum to more than 1.
    """
    parts = per_source(source, sel)
    if not parts:
        return empty_frame(THEME_SOURCE_COLUMNS)
    k = len(THEMES)
    sums = [overall(part) for _, part in parts]
    counts = np.asarray([[int(s[t]) for t in THEMES] for s in sums], dtype=np.int64)
    totals = np.asarray([int(s["articles"]) for s in sums], dtype=np.int64)
    return pd.DataFrame(
        {
            "source_country": np.repeat(np.asarray([name for name, _ in parts], dtype=object), k),
            "theme": np.tile(np.asarray(THEMES, dtype=object), len(parts)),
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
