"""Tone: the mean tone of the scored articles with a 95% t-interval, per period, theme and source
country; its distribution; and the tone of what the articles say about the pair itself.

Only scored articles count (languages without a scorer have no tone). Intervals come from the
groups' n, sum and sum of squares (:func:`analytics.intervals.mean_interval`): NaN where n < 2.
"""

from __future__ import annotations

from dataclasses import replace

import ibis
import numpy as np
import pandas as pd

from analytics.engine import Source
from analytics.errors import InputError
from analytics.filters import Filters
from analytics.intervals import mean_interval, ratio
from analytics.measures.grouped import by_period, cube, of_themes, overall, selected_rows
from analytics.measures.volume import per_source
from analytics.periods import period_starts, spread
from analytics.schema import (
    NET_TONE_COLUMNS,
    RELATION_TONE_COLUMNS,
    SOURCE_TONE_COLUMNS,
    SOURCE_TONE_TOTAL_COLUMNS,
    THEME_TONE_COLUMNS,
    THEMES,
    TONE_COLUMNS,
    TONE_HISTOGRAM_COLUMNS,
    empty_frame,
)
from analytics.selection import Selection, selected

# Histogram bins are closed on the left: a tone within this of an edge counts in the bin it opens,
# as numpy's histogram counts a value equal to an edge (the edges are rounded, the products are not).
_EDGE_SLACK = 1e-9


def interval_over(index, freq, frame) -> dict[str, np.ndarray]:
    """``n, mean, ci_low, ci_high`` over the periods ``index`` from a grouped table's tone moments."""
    periods = frame["period"]
    n = spread(index, freq, periods, frame["n"])
    total = spread(index, freq, periods, frame["total"])
    squares = spread(index, freq, periods, frame["squares"])
    return mean_interval(n, total, squares)


def tone(source: Source, sel: Selection) -> pd.DataFrame:
    """Mean article tone per period with n and a 95% confidence interval.

    Columns ``period, n, mean, ci_low, ci_high``; ``n`` counts scored articles. The interval is
    mean ± t(n-1, 0.975)·sd/√n; NaN where n < 2.
    """
    if sel.span is None:
        return empty_frame(TONE_COLUMNS)
    return pd.DataFrame({"period": sel.index, **interval_over(sel.index, sel.freq, by_period(source, sel))})


def net_tone(source: Source, sel: Selection) -> pd.DataFrame:
    """Net tone per period: the share of scored articles that read positive (tone >= 0.05) minus
    the share that read negative (<= -0.05), with a 95% t-interval.

    Columns ``period, n, positive, negative, net, ci_low, ci_high``. The net tone is the mean of
    +1, 0 and -1 over the period's ``n`` scored articles, so its interval is that mean's: NaN where
    n < 2, and NaN net where n = 0. Where mean tone weighs how strongly articles are worded, net
    tone counts how many lean each way.
    """
    if sel.span is None:
        return empty_frame(NET_TONE_COLUMNS)
    frame = by_period(source, sel)
    index, freq, periods = sel.index, sel.freq, frame["period"]
    n = spread(index, freq, periods, frame["n"])
    positive = spread(index, freq, periods, frame["positive"]).astype(np.int64)
    negative = spread(index, freq, periods, frame["negative"]).astype(np.int64)
    table = mean_interval(n, positive - negative, positive + negative)
    return pd.DataFrame(
        {"period": index, "n": table["n"], "positive": positive, "negative": negative, "net": table["mean"],
         "ci_low": table["ci_low"], "ci_high": table["ci_high"]}
    )  # fmt: skip


def tone_by_source_over_time(source: Source, sel: Selection) -> pd.DataFrame:
    """Tone per period and source country. Columns ``period, source_country, n, mean, ci_low, ci_high``."""
    if sel.span is None:
        return empty_frame(SOURCE_TONE_COLUMNS)
    blocks = [
        pd.DataFrame({"period": sel.index, "source_country": name, **interval_over(sel.index, sel.freq, part)})
        for name, part in per_source(source, sel)
    ]
    if not blocks:
        return empty_frame(SOURCE_TONE_COLUMNS)
    return pd.concat(blocks, ignore_index=True)[list(SOURCE_TONE_COLUMNS)]


def tone_distribution(source: Source, sel: Selection, *, bins: int = 20) -> pd.DataFrame:
    """How many scored articles fall in each of ``bins`` equal bins of tone over [-1, 1].

    Columns ``bin_start, bin_end, articles, label``; bins are closed on the left, the last also on
    the right (a tone of exactly 1 counts). ``label`` reads "-1.00 to -0.90". Empty when no
    article of the selection is scored.
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    filters = sel.filters
    # From the table the relation tone shares, summed over days: a choice of themes is a sum of it.
    table = _scored_table(source, filters, bins)
    frame = table.loc[of_themes(table, filters)]
    if frame.empty:
        return empty_frame(TONE_HISTOGRAM_COLUMNS)
    counts = np.bincount(frame["bin"].to_numpy(dtype=np.int64), weights=frame["articles"].to_numpy(), minlength=bins)
    edges = np.round(np.linspace(-1.0, 1.0, bins + 1), 12) + 0.0  # + 0.0 turns -0.0 into 0.0
    return pd.DataFrame(
        {
            "bin_start": edges[:-1],
            "bin_end": edges[1:],
            "articles": counts.astype(np.int64),
            "label": [f"{lo:.2f} to {hi:.2f}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)],
        }
    )


def _scored_table(source: Source, filters: Filters, bins: int = 20) -> pd.DataFrame:
    """The scored articles of the pair or country per day, theme mask and tone bin, one query for
    the distribution and the relation tone: ``day, theme_mask, bin, articles`` and, over the
    articles that also have the pair's relation tone, ``n, article, relation`` (their count and
    sums of both tones; zero without a pair). The source remembers it, so neither a choice of
    themes nor the period length needs another query."""
    return source.remember(("scored", replace(filters, themes=()), bins), lambda: _scored_query(source, filters, bins))


def _scored_query(source: Source, filters: Filters, bins: int) -> pd.DataFrame:
    rows = selected(source, replace(filters, themes=()))
    scored = rows.filter(rows.tone.notnull())
    if filters.dyad is not None:
        # The relation tone of the pair sits at the pair's place in ``pairs`` (every row here has it).
        place = scored.pairs.index(filters.dyad).cast("int32")  # Spark indexes arrays with an INT
        scored = scored.mutate(relation=scored.relations[place])
    else:
        scored = scored.mutate(relation=ibis.null("float64"))
    clipped = ibis.greatest(ibis.least(scored.tone, 1.0), -1.0)
    position = ((clipped + 1.0) * (bins / 2.0) + _EDGE_SLACK).floor().cast("int64")
    grouped = scored.group_by(day=scored.day, theme_mask=scored.theme_mask, bin=ibis.least(position, bins - 1))
    frame = source.run(
        grouped.aggregate(
            articles=scored.count(),
            n=scored.relation.count(),
            article=scored.tone.sum(where=scored.relation.notnull()),
            relation=scored.relation.sum(),
        )
    )
    frame["theme_mask"] = frame["theme_mask"].astype(np.int64)
    frame["bin"] = frame["bin"].astype(np.int64)
    frame["articles"] = frame["articles"].astype(np.int64)
    frame["n"] = frame["n"].fillna(0).astype(np.int64)
    frame["article"] = frame["article"].fillna(0.0).astype(np.float64)
    frame["relation"] = frame["relation"].fillna(0.0).astype(np.float64)
    return frame


def tone_by_theme(source: Source, sel: Selection) -> pd.DataFrame:
    """Mean tone of the scored articles tagged with each theme, with a 95% t-interval.

    Columns ``theme, n, mean, ci_low, ci_high``, one row per theme in ``THEMES`` order; an article
    counts for each of its themes. NaN mean where n = 0, NaN interval where n < 2.
    """
    frame = cube(source, sel.filters)
    chosen = selected_rows(frame, sel.filters)
    if not frame["articles"].to_numpy()[chosen].sum():
        return empty_frame(THEME_TONE_COLUMNS)
    masks = frame["theme_mask"].to_numpy()[chosen]
    values = {name: frame[name].to_numpy()[chosen] for name in ("n", "total", "squares")}
    tagged = [(masks & (1 << bit)) != 0 for bit in range(len(THEMES))]
    table = mean_interval(
        np.asarray([values["n"][t].sum() for t in tagged], dtype=np.int64),
        np.asarray([values["total"][t].sum() for t in tagged], dtype=np.float64),
        np.asarray([values["squares"][t].sum() for t in tagged], dtype=np.float64),
    )
    return pd.DataFrame({"theme": list(THEMES), **table})


def tone_by_source(source: Source, sel: Selection) -> pd.DataFrame:
    """Mean tone per source country over the whole selection, with a 95% t-interval.

    Columns ``source_country, n, mean, ci_low, ci_high``: one row per source country with
    articles (sorted; ``unknown`` for outlets of unknown country), ``n`` counting scored ones.
    """
    parts = per_source(source, sel)
    if not parts:
        return empty_frame(SOURCE_TONE_TOTAL_COLUMNS)
    sums = pd.DataFrame([overall(part) for _, part in parts])
    table = mean_interval(sums["n"].to_numpy(), sums["total"].to_numpy(), sums["squares"].to_numpy())
    return pd.DataFrame({"source_country": np.asarray([name for name, _ in parts], dtype=object), **table})


def relation_vs_article_tone(source: Source, sel: Selection) -> pd.DataFrame:
    """Per period, the mean tone of the selected articles and of what they say about the pair.

    Columns ``period, n, article_tone, relation_tone``. The relation tone is the tone of the
    sentences about the pair; both means are over the same ``n`` articles, those with both tones,
    so a gap between them is not a sampling artefact. Means are NaN where n = 0. Raises
    :class:`InputError` without a dyad.
    """
    if sel.filters.dyad is None:
        raise InputError("the relation tone needs a country pair; choose one, e.g. PER-USA")
    if sel.span is None:
        return empty_frame(RELATION_TONE_COLUMNS)
    filters = sel.filters
    table = _scored_table(source, filters)
    both = table.loc[of_themes(table, filters) & (table["n"].to_numpy() > 0)]
    frame = pd.DataFrame(
        {
            "period": period_starts(both["day"].to_numpy(), sel.freq),
            "n": both["n"].to_numpy(),
            "article": both["article"].to_numpy(),
            "relation": both["relation"].to_numpy(),
        }
    )
    frame = frame.groupby("period", sort=True).sum().reset_index()
    index, freq = sel.index, sel.freq
    n = spread(index, freq, frame["period"], frame["n"].astype("int64"))
    article = spread(index, freq, frame["period"], frame["article"].astype("float64"))
    relation = spread(index, freq, frame["period"], frame["relation"].astype("float64"))
    return pd.DataFrame(
        {"period": index, "n": n, "article_tone": ratio(article, n), "relation_tone": ratio(relation, n)}
    )
