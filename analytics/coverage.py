"""Coverage views beyond the overview: the mirror view, story diversity, themes by source, theme
changes, and tone by distribution, theme, source and relation.

Like :mod:`analytics.metrics`, every function is pure pandas/numpy over the frames of
:meth:`analytics.store.Store.load_frames` and never mutates its inputs. Periods follow the
metrics' conventions (UTC days, Monday weeks, calendar months, labelled by their first day, every
period of the range present). When the input frame is empty the result is empty, with its columns.

Wire copies: articles sharing a ``cluster_id`` are copies of one story. An article without a
cluster is a story of its own.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from analytics.errors import InputError
from analytics.filters import Filters, context_mask, earliest_copies, select, selection_mask, story_keys
from analytics.metrics import (
    _check_freq,
    _counts,
    _positions,
    _range_of,
    _tone_table,
    empty_frame,
    period_range,
    theme_totals,
)
from analytics.schema import (
    DIVERSITY_COLUMNS,
    MIRROR_COLUMNS,
    RELATION_TONE_COLUMNS,
    SOURCE_TONE_TOTAL_COLUMNS,
    THEME_CHANGE_COLUMNS,
    THEME_SOURCE_COLUMNS,
    THEME_TONE_COLUMNS,
    THEMES,
    TONE_HISTOGRAM_COLUMNS,
)

UNKNOWN_SOURCE = "unknown"  # label of articles whose outlet's country is not known


def _codes(values: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes of a column (-1 where missing) and the labels they stand for."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), list(values.cat.categories)
    codes, labels = pd.factorize(values)
    return codes.astype(np.int64), list(labels)


def _source_codes(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Source-country codes with missing countries as one more code, labelled ``unknown``."""
    codes, labels = _codes(frame["source_country"])
    codes = np.where(codes < 0, len(labels), codes)
    return codes, [str(x) for x in labels] + [UNKNOWN_SOURCE]


def _distinct_per_period(pos: np.ndarray, keys: np.ndarray, size: int) -> np.ndarray:
    """How many distinct ``keys`` (non-negative ints) fall in each period ``pos`` (0..size-1)."""
    if len(pos) == 0:
        return np.zeros(size, dtype=np.int64)
    width = int(keys.max()) + 1
    pairs = np.unique(pos.astype(np.int64) * width + keys)
    return np.bincount(pairs // width, minlength=size)


def _span(frame: pd.DataFrame, span: tuple[date, date] | None) -> tuple[date, date] | None:
    if span is not None:
        return span
    if len(frame) == 0:
        return None
    return frame["day"].min().date(), frame["day"].max().date()


def _pair(filters: Filters, view: str) -> tuple[str, str]:
    if filters.dyad is None:
        raise InputError(f"the {view} needs a country pair; choose one, e.g. PER-USA")
    a, b = filters.dyad.split("-")
    return a, b


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)


def mirror(articles: pd.DataFrame, dyads: pd.DataFrame, filters: Filters, *, freq: str = "W") -> pd.DataFrame:
    """The pair as each side's media cover it: for a dyad A-B, A's and B's media per period.

    Columns ``period, source_country, articles, country_total, share``: one block of periods for
    A, then one for B (alphabetical, as in the dyad id). ``articles`` are the selected articles
    (pair, themes, dates, languages) from that country's outlets; ``country_total`` is everything
    that country's outlets published in the period (dates and languages only); ``share`` is their
    ratio, NaN when the country published nothing. The filters' source countries are ignored: the
    view sets them. Raises :class:`InputError` without a dyad.
    """
    _check_freq(freq)
    pair = _pair(filters, "mirror view")
    own = replace(filters, source_countries=pair)
    context = context_mask(articles, own)
    span = _range_of(articles.loc[context], own)
    if span is None or len(articles) == 0:
        return empty_frame(MIRROR_COLUMNS)
    selected = selection_mask(articles, dyads, own)
    index = period_range(*span, freq)
    days = articles["day"].to_numpy()
    sources = articles["source_country"]
    blocks = []
    for country in pair:
        mine = (sources == country).to_numpy()
        count = _counts(days[selected & mine], freq, index)
        total = _counts(days[context & mine], freq, index)
        blocks.append(
            pd.DataFrame(
                {"period": index, "source_country": country, "articles": count, "country_total": total,
                 "share": _ratio(count, total)}
            )
        )  # fmt: skip
    return pd.concat(blocks, ignore_index=True)[list(MIRROR_COLUMNS)]


def outlet_diversity(selected: pd.DataFrame, *, freq: str = "W", span: tuple[date, date] | None = None) -> pd.DataFrame:
    """Articles, distinct stories and distinct outlets per period.

    Columns ``period, articles, stories, outlets``. ``stories`` counts each wire cluster once
    (a cluster whose copies fall in two periods counts in both); articles without an outlet count
    as one outlet. ``stories <= articles`` and ``outlets <= articles`` in every period.
    """
    _check_freq(freq)
    span = _span(selected, span)
    if span is None:
        return empty_frame(DIVERSITY_COLUMNS)
    index = period_range(*span, freq)
    pos = _positions(selected["day"].to_numpy(), freq, index)
    keep = pos >= 0
    pos = pos[keep]
    outlet_codes, outlet_labels = _codes(selected["outlet"])
    outlet_codes = np.where(outlet_codes < 0, len(outlet_labels), outlet_codes)[keep]
    return pd.DataFrame(
        {
            "period": index,
            "articles": np.bincount(pos, minlength=len(index)),
            "stories": _distinct_per_period(pos, story_keys(selected)[keep], len(index)),
            "outlets": _distinct_per_period(pos, outlet_codes, len(index)),
        }
    )


def count_once(selected: pd.DataFrame) -> pd.DataFrame:
    """One article per story: the earliest published of each wire cluster (lowest ``n`` on ties).

    Same columns as the input (``schema.ARTICLE_COLUMNS``), rows in the input's order; articles
    without a cluster are kept, each being a story of its own.
    """
    return selected.iloc[earliest_copies(selected, story_keys(selected))]


def theme_by_source(selected: pd.DataFrame) -> pd.DataFrame:
    """Theme shares of each source country's articles, for a source x theme heat map.

    Columns ``source_country, theme, articles, source_articles, share``: for every source country
    with articles (sorted; ``unknown`` for outlets of unknown country) one row per theme in
    ``THEMES`` order. ``share = articles / source_articles``; themes overlap, so a source's
    shares can sum to more than 1.
    """
    if len(selected) == 0:
        return empty_frame(THEME_SOURCE_COLUMNS)
    codes, labels = _source_codes(selected)
    masks = selected["theme_mask"].to_numpy()
    totals = np.bincount(codes, minlength=len(labels))
    tagged = np.stack([np.bincount(codes, weights=(masks >> bit) & 1, minlength=len(labels)) for bit in
                       range(len(THEMES))], axis=1).astype(np.int64)  # fmt: skip
    present = sorted((labels[c], c) for c in np.flatnonzero(totals))
    rows = [c for _, c in present]
    k = len(THEMES)
    return pd.DataFrame(
        {
            "source_country": np.repeat([name for name, _ in present], k).astype(object),
            "theme": np.tile(np.asarray(THEMES, dtype=object), len(rows)),
            "articles": tagged[rows].ravel(),
            "source_articles": np.repeat(totals[rows], k),
            "share": (tagged[rows] / totals[rows][:, None]).ravel(),
        }
    )


def theme_changes(articles: pd.DataFrame, dyads: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Theme shares of the selected range against the range of equal length just before it.

    Columns ``theme, current_share, previous_share, change, current_articles, previous_articles``;
    ``change = current_share - previous_share`` (a difference of shares: 0.1 = ten points). Sorted
    by change, rising themes first; NaN changes (a range without articles) last. Raises
    :class:`InputError` when the range is open-ended, as there is then no previous range.
    """
    previous = filters.previous()
    if previous is None:
        raise InputError("theme changes compare two date ranges; choose both a start and an end date")
    if len(articles) == 0:
        return empty_frame(THEME_CHANGE_COLUMNS)
    now = theme_totals(select(articles, dyads, filters))
    before = theme_totals(select(articles, dyads, previous))
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


def tone_distribution(selected: pd.DataFrame, *, bins: int = 20) -> pd.DataFrame:
    """How many scored articles fall in each of ``bins`` equal bins of tone over [-1, 1].

    Columns ``bin_start, bin_end, articles, label``; bins are closed on the left, the last also on
    the right (a tone of exactly 1 counts). ``label`` reads "-1.00 to -0.90". Empty when no
    article of the selection is scored.
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    tones = selected["sentiment"].to_numpy()
    tones = tones[~np.isnan(tones)]
    if len(tones) == 0:
        return empty_frame(TONE_HISTOGRAM_COLUMNS)
    edges = np.round(np.linspace(-1.0, 1.0, bins + 1), 12) + 0.0  # + 0.0 turns -0.0 into 0.0
    counts, _ = np.histogram(np.clip(tones, -1.0, 1.0), bins=edges)
    return pd.DataFrame(
        {
            "bin_start": edges[:-1],
            "bin_end": edges[1:],
            "articles": counts.astype(np.int64),
            "label": [f"{lo:.2f} to {hi:.2f}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)],
        }
    )


def tone_by_theme(selected: pd.DataFrame) -> pd.DataFrame:
    """Mean tone of the scored articles tagged with each theme, with a 95% t-interval.

    Columns ``theme, n, mean, ci_low, ci_high``, one row per theme in ``THEMES`` order; an article
    counts for each of its themes. As in :func:`analytics.metrics.tone`: NaN mean where n = 0,
    NaN interval where n < 2.
    """
    if len(selected) == 0:
        return empty_frame(THEME_TONE_COLUMNS)
    tones = selected["sentiment"].to_numpy()
    scored = ~np.isnan(tones)
    tones, masks = tones[scored], selected["theme_mask"].to_numpy()[scored]
    pos, values = [], []
    for bit in range(len(THEMES)):
        tagged = (masks >> bit) & 1 == 1
        pos.append(np.full(int(tagged.sum()), bit, dtype=np.int64))
        values.append(tones[tagged])
    table = _tone_table(np.concatenate(pos), np.concatenate(values), len(THEMES))
    return pd.DataFrame({"theme": list(THEMES), **table})


def tone_by_source(selected: pd.DataFrame) -> pd.DataFrame:
    """Mean tone per source country over the whole selection, with a 95% t-interval.

    Columns ``source_country, n, mean, ci_low, ci_high``: one row per source country with
    articles (sorted; ``unknown`` for outlets of unknown country), ``n`` counting scored ones.
    """
    if len(selected) == 0:
        return empty_frame(SOURCE_TONE_TOTAL_COLUMNS)
    codes, labels = _source_codes(selected)
    tones = selected["sentiment"].to_numpy()
    scored = ~np.isnan(tones)
    table = _tone_table(codes[scored], tones[scored], len(labels))
    present = np.flatnonzero(np.bincount(codes, minlength=len(labels)))
    frame = pd.DataFrame({"source_country": labels, **table}).iloc[present]
    return frame.sort_values("source_country", kind="stable").reset_index(drop=True)


def relation_vs_article_tone(
    articles: pd.DataFrame, dyads: pd.DataFrame, filters: Filters, *, freq: str = "W"
) -> pd.DataFrame:
    """Per period, the mean tone of the selected articles and of what they say about the pair.

    Columns ``period, n, article_tone, relation_tone``. The relation tone is the dyad frame's
    ``relation_tone`` (the tone of the sentences about the pair); both means are over the same
    ``n`` articles, those with both tones, so a gap between them is not a sampling artefact. The
    periods span the filters' range (or the coverage's), as in :func:`analytics.metrics.volume`;
    means are NaN where n = 0. Raises :class:`InputError` without a dyad.
    """
    _check_freq(freq)
    _pair(filters, "relation tone")
    span = _range_of(articles.loc[context_mask(articles, filters)], filters)
    if span is None or len(articles) == 0:
        return empty_frame(RELATION_TONE_COLUMNS)
    rows = articles.loc[selection_mask(articles, dyads, filters)]
    pair = dyads.loc[(dyads["dyad"] == filters.dyad).to_numpy()]
    ns = rows["n"].to_numpy()
    lookup = np.full(int(max(ns.max(initial=0), pair["n"].max() if len(pair) else 0)) + 1, np.nan)
    lookup[pair["n"].to_numpy()] = pair["relation_tone"].to_numpy()
    relation = lookup[ns]
    tones = rows["sentiment"].to_numpy()
    both = ~np.isnan(relation) & ~np.isnan(tones)
    index = period_range(*span, freq)
    pos = _positions(rows["day"].to_numpy()[both], freq, index)
    keep = pos >= 0
    pos = pos[keep]
    n = np.bincount(pos, minlength=len(index))
    return pd.DataFrame(
        {
            "period": index,
            "n": n,
            "article_tone": _ratio(np.bincount(pos, weights=tones[both][keep], minlength=len(index)), n),
            "relation_tone": _ratio(np.bincount(pos, weights=relation[both][keep], minlength=len(index)), n),
        }
    )
