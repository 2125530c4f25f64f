"""Coverage metrics: pure pandas/numpy functions of the analysis frames.

Inputs are the frames of :meth:`analytics.store.Store.load_frames` (columns in
``schema.ARTICLE_COLUMNS`` and ``schema.DYAD_COLUMNS``); nothing here reads files or mutates its
inputs. Periods are UTC calendar days, weeks starting on Monday, or calendar months, labelled by
their first day; every period of the range is present, empty ones with zero counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.filters import Filters, context_mask, selection_mask
from analytics.schema import (
    FREQUENCIES,
    SOURCE_TONE_COLUMNS,
    SOURCE_VOLUME_COLUMNS,
    THEME_SHARE_COLUMNS,
    THEMES,
    TONE_COLUMNS,
    VOLUME_COLUMNS,
)

# Two-sided 95% Student t quantiles for 1..30 degrees of freedom, from the usual tables.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


_Z975 = 1.959963984540054  # the normal's 97.5% quantile


def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom.

    Up to 30 from the table; beyond, the Cornish-Fisher expansion of t around the normal quantile
    (terms to 1/df**4), within 1e-5 of the exact value from 31 on: 2.0395 at 31, 2.0003 at 60,
    1.9799 at 120, tending to 1.95996. Plain 1.96 past 30 made intervals 2-4% too narrow up to
    about 60 articles.
    """
    if df < 1:
        return math.nan
    if df <= 30:
        return _T975[df - 1]
    z = _Z975
    terms = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    return z + sum(term / df ** (k + 1) for k, term in enumerate(terms))


def _check_freq(freq: str) -> None:
    if freq not in FREQUENCIES:
        raise ValueError(f"frequency {freq!r} is not one of {', '.join(FREQUENCIES)}")


def period_starts(days: np.ndarray, freq: str) -> np.ndarray:
    """The first day of the period of each day (``datetime64[D]`` in, ``datetime64[D]`` out)."""
    _check_freq(freq)
    d = days.astype("datetime64[D]")
    if freq == "D":
        return d
    if freq == "W":
        # 1970-01-01 was a Thursday: shift by 3 so Monday is day 0 of the week.
        num = d.astype(np.int64)
        return (num - (num + 3) % 7).astype("datetime64[D]")
    return d.astype("datetime64[M]").astype("datetime64[D]")


def period_range(start: date, end: date, freq: str) -> pd.DatetimeIndex:
    """Every period start from the period holding ``start`` to the one holding ``end``."""
    bounds = period_starts(np.array([start, end], dtype="datetime64[D]"), freq)
    step = {"D": "D", "W": "W-MON", "M": "MS"}[freq]
    return pd.date_range(bounds[0], bounds[1], freq=step, name="period")


def _range_of(frame: pd.DataFrame, filters: Filters) -> tuple[date, date] | None:
    if filters.start is not None and filters.end is not None:
        return filters.start, filters.end
    if len(frame) == 0:
        return None
    days = frame["day"]
    return (filters.start or days.min().date(), filters.end or days.max().date())


def _positions(days: np.ndarray, freq: str, index: pd.DatetimeIndex) -> np.ndarray:
    """The position in ``index`` of each day's period (-1 when outside it)."""
    if len(index) == 0:
        return np.full(len(days), -1, dtype=np.int64)
    starts = period_starts(days, freq)
    if freq == "M":
        pos = (starts.astype("datetime64[M]") - index.values[0].astype("datetime64[M]")).astype(np.int64)
    else:
        pos = (starts - index.values[0].astype("datetime64[D]")).astype(np.int64)
        if freq == "W":
            pos //= 7
    pos[(pos < 0) | (pos >= len(index))] = -1
    return pos


def _counts(days: np.ndarray, freq: str, index: pd.DatetimeIndex) -> np.ndarray:
    """Article counts per period of ``index``."""
    pos = _positions(days, freq, index)
    return np.bincount(pos[pos >= 0], minlength=len(index))


_TEXT_COLUMNS = {"source_country", "theme", "label", "kind", "term", "outlet", "title"}
_COUNT_COLUMNS = {"n", "articles", "stories", "outlets", "country_total", "source_articles", "current_articles",
                  "previous_articles", "spike_titles", "baseline_titles", "spike_articles", "baseline_articles",
                  "copies"}  # fmt: skip


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    """A frame with no rows and the given columns, each with the dtype it has when filled."""

    def dtype(name: str) -> str:
        if name == "period":
            return "datetime64[ns]"
        if name == "published":
            return "datetime64[ns, UTC]"
        if name in _TEXT_COLUMNS:
            return "object"
        return "int64" if name in _COUNT_COLUMNS else "float64"

    return pd.DataFrame({c: pd.Series(dtype=dtype(c)) for c in columns})


def volume(articles: pd.DataFrame, dyads: pd.DataFrame, filters: Filters, *, freq: str = "W") -> pd.DataFrame:
    """Selected articles per period, and their share of all stored coverage in that period.

    Columns ``period, articles, all_articles, share``. The denominator ``all_articles`` keeps the
    date, source-country and language filters but not the pair/country or theme filters, so a
    share reads "of everything these media published in that period". ``share`` is NaN where the
    period has no coverage at all.
    """
    _check_freq(freq)
    context = context_mask(articles, filters)
    selected = selection_mask(articles, dyads, filters)
    span = _range_of(articles.loc[context], filters)
    if span is None:
        return empty_frame(VOLUME_COLUMNS)
    index = period_range(*span, freq)
    days = articles["day"].to_numpy()
    sel = _counts(days[selected], freq, index)
    total = _counts(days[context], freq, index)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, sel / np.maximum(total, 1), np.nan)
    return pd.DataFrame({"period": index, "articles": sel, "all_articles": total, "share": share}).reset_index(
        drop=True
    )


def theme_shares(selected: pd.DataFrame, *, freq: str = "W", span: tuple[date, date] | None = None) -> pd.DataFrame:
    """For each period and theme: articles tagged with the theme and their share of the period.

    Columns ``period, theme, articles, period_articles, share``, one row per period and theme in
    ``THEMES`` order. An article may carry several themes, so shares of a period can sum to more
    than 1; ``share`` is NaN for periods without articles.
    """
    _check_freq(freq)
    if span is None:
        if len(selected) == 0:
            return empty_frame(THEME_SHARE_COLUMNS)
        span = (selected["day"].min().date(), selected["day"].max().date())
    index = period_range(*span, freq)
    pos = _positions(selected["day"].to_numpy(), freq, index)
    keep = pos >= 0
    pos, masks = pos[keep], selected["theme_mask"].to_numpy()[keep]
    per_period = np.bincount(pos, minlength=len(index))
    blocks = []
    for bit, theme in enumerate(THEMES):
        tagged = np.bincount(pos[(masks >> bit) & 1 == 1], minlength=len(index))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(per_period > 0, tagged / np.maximum(per_period, 1), np.nan)
        blocks.append(
            pd.DataFrame(
                {"period": index, "theme": theme, "articles": tagged, "period_articles": per_period, "share": share}
            )
        )
    return pd.concat(blocks, ignore_index=True).sort_values(["period"], kind="stable").reset_index(drop=True)


def theme_totals(selected: pd.DataFrame) -> pd.DataFrame:
    """For each theme: articles of the selection tagged with it, and their share of the selection.

    Columns ``theme, articles, share``, one row per theme in ``THEMES`` order; ``share`` is NaN
    when the selection is empty. Themes overlap, so shares can sum to more than 1.
    """
    masks = selected["theme_mask"].to_numpy()
    total = len(masks)
    counts = [int(((masks >> bit) & 1).sum()) for bit in range(len(THEMES))]
    return pd.DataFrame(
        {
            "theme": list(THEMES),
            "articles": np.asarray(counts, dtype=np.int64),
            "share": [c / total if total else math.nan for c in counts],
        }
    )


def _tone_table(pos: np.ndarray, values: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """n, mean and 95% t-interval of ``values`` grouped by ``pos`` (0..size-1)."""
    n = np.bincount(pos, minlength=size).astype(np.int64)
    total = np.bincount(pos, weights=values, minlength=size)
    squares = np.bincount(pos, weights=values * values, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        var = np.where(n > 1, (squares - n * mean * mean) / np.maximum(n - 1, 1), np.nan)
        half = np.array([t975(int(k) - 1) for k in n]) * np.sqrt(np.clip(var, 0, None) / np.maximum(n, 1))
    return {"n": n, "mean": mean, "ci_low": mean - half, "ci_high": mean + half}


def tone(selected: pd.DataFrame, *, freq: str = "W", span: tuple[date, date] | None = None) -> pd.DataFrame:
    """Mean article tone per period with n and a 95% confidence interval.

    Columns ``period, n, mean, ci_low, ci_high``. Only scored articles count (``n`` excludes
    unscored languages). The interval is mean ± t(n-1, 0.975)·sd/√n; NaN where n < 2.
    """
    _check_freq(freq)
    if span is None:
        if len(selected) == 0:
            return empty_frame(TONE_COLUMNS)
        span = (selected["day"].min().date(), selected["day"].max().date())
    index = period_range(*span, freq)
    scored = selected.loc[selected["sentiment"].notna()]
    pos = _positions(scored["day"].to_numpy(), freq, index)
    keep = pos >= 0
    table = _tone_table(pos[keep], scored["sentiment"].to_numpy()[keep], len(index))
    return pd.DataFrame({"period": index, **table}).reset_index(drop=True)


def volume_by_source(selected: pd.DataFrame, *, freq: str = "W", span: tuple[date, date] | None = None) -> pd.DataFrame:
    """Selected articles per period and source country. Columns ``period, source_country, articles``."""
    return _by_source(selected, freq, span, with_tone=False)


def tone_by_source(selected: pd.DataFrame, *, freq: str = "W", span: tuple[date, date] | None = None) -> pd.DataFrame:
    """Tone per period and source country. Columns ``period, source_country, n, mean, ci_low, ci_high``."""
    return _by_source(selected, freq, span, with_tone=True)


def _by_source(selected: pd.DataFrame, freq: str, span: tuple[date, date] | None, *, with_tone: bool) -> pd.DataFrame:
    _check_freq(freq)
    columns = SOURCE_TONE_COLUMNS if with_tone else SOURCE_VOLUME_COLUMNS
    if span is None:
        if len(selected) == 0:
            return empty_frame(columns)
        span = (selected["day"].min().date(), selected["day"].max().date())
    index = period_range(*span, freq)
    sources = selected["source_country"].astype("object").fillna("unknown").to_numpy()
    blocks = []
    for source in sorted(set(sources)):
        rows = selected.loc[sources == source]
        if with_tone:
            rows = rows.loc[rows["sentiment"].notna()]
            pos = _positions(rows["day"].to_numpy(), freq, index)
            keep = pos >= 0
            data = _tone_table(pos[keep], rows["sentiment"].to_numpy()[keep], len(index))
        else:
            data = {"articles": _counts(rows["day"].to_numpy(), freq, index)}
        blocks.append(pd.DataFrame({"period": index, "source_country": source, **data}))
    if not blocks:
        return empty_frame(columns)
    return pd.concat(blocks, ignore_index=True)[list(columns)]


@dataclass(frozen=True)
class Kpis:
    """The headline figures of a selection, and the same for the period of equal length before."""

    articles: int
    share: float  # of all coverage in the same context; NaN when there is none
    tone: float  # mean of scored articles; NaN when none is scored
    tone_n: int
    previous_articles: int | None  # None when the range is open-ended
    previous_tone: float | None

    @property
    def change(self) -> float | None:
        """Relative change of the article count against the previous period (0.25 = +25%)."""
        if self.previous_articles is None or self.previous_articles == 0:
            return None
        return self.articles / self.previous_articles - 1


def kpis(articles: pd.DataFrame, dyads: pd.DataFrame, filters: Filters) -> Kpis:
    """Articles, share of coverage and mean tone of a selection, with the previous period's."""
    selected_mask = selection_mask(articles, dyads, filters)
    total = int(context_mask(articles, filters).sum())
    count = int(selected_mask.sum())
    sentiment = articles["sentiment"].to_numpy()[selected_mask]
    scored = sentiment[~np.isnan(sentiment)]
    previous = filters.previous()
    prev_count: int | None = None
    prev_tone: float | None = None
    if previous is not None:
        prev_mask = selection_mask(articles, dyads, previous)
        prev_count = int(prev_mask.sum())
        prev_sent = articles["sentiment"].to_numpy()[prev_mask]
        prev_sent = prev_sent[~np.isnan(prev_sent)]
        prev_tone = float(prev_sent.mean()) if len(prev_sent) else math.nan
    return Kpis(
        articles=count,
        share=count / total if total else math.nan,
        tone=float(scored.mean()) if len(scored) else math.nan,
        tone_n=len(scored),
        previous_articles=prev_count,
        previous_tone=prev_tone,
    )


@dataclass(frozen=True)
class Overview:
    """Everything the Overview page shows, computed in one pass over the frames."""

    filters: Filters
    freq: str
    kpis: Kpis
    volume: pd.DataFrame
    theme_totals: pd.DataFrame
    tone: pd.DataFrame


def overview(articles: pd.DataFrame, dyads: pd.DataFrame, filters: Filters, *, freq: str = "W") -> Overview:
    """KPIs, volume and share, theme shares over the range, and tone per period for a selection."""
    selected = articles.loc[selection_mask(articles, dyads, filters)]
    vol = volume(articles, dyads, filters, freq=freq)
    span = None
    if len(vol):
        span = (vol["period"].iloc[0].date(), vol["period"].iloc[-1].date())
    return Overview(
        filters=filters,
        freq=freq,
        kpis=kpis(articles, dyads, filters),
        volume=vol,
        theme_totals=theme_totals(selected),
        tone=tone(selected, freq=freq, span=span),
    )
