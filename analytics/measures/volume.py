"""Coverage volume: selected articles per period, their share of everything in the context, and the
headline figures of a selection against the period before it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analytics.engine import Source
from analytics.intervals import ratio
from analytics.measures.grouped import by_period, by_source, overall
from analytics.periods import spread
from analytics.schema import SOURCE_VOLUME_COLUMNS, VOLUME_COLUMNS, empty_frame
from analytics.selection import Selection

UNKNOWN_SOURCE = "unknown"  # label of articles whose outlet's country is not known


def volume(source: Source, sel: Selection) -> pd.DataFrame:
    """Selected articles per period, and their share of all stored coverage in that period.

    Columns ``period, articles, all_articles, share``. The denominator ``all_articles`` keeps the
    date, source-country, language and outlet filters but not the pair/country or theme filters, so
    a share reads "of everything these media published in that period". ``share`` is NaN where the
    period has no coverage at all.
    """
    if sel.span is None:
        return empty_frame(VOLUME_COLUMNS)
    frame = by_period(source, sel)
    chosen = spread(sel.index, sel.freq, frame["period"], frame["articles"])
    total = spread(sel.index, sel.freq, frame["period"], frame["all"])
    return pd.DataFrame({"period": sel.index, "articles": chosen, "all_articles": total, "share": ratio(chosen, total)})


def source_labels(values: pd.Series) -> pd.Series:
    """Source countries as text, ``unknown`` where the outlet's country is not known."""
    return values.astype("object").where(values.notna(), UNKNOWN_SOURCE)


def per_source(source: Source, sel: Selection) -> list[tuple[str, pd.DataFrame]]:
    """The rows of :func:`~analytics.measures.grouped.by_source` of each source country with selected
    articles, sorted by name (``unknown`` for outlets of unknown country)."""
    frame = by_source(source, sel).copy()
    frame["source_country"] = source_labels(frame["source_country"])
    parts = [(str(name), part) for name, part in frame.groupby("source_country", sort=False)]
    return sorted(((name, part) for name, part in parts if part["articles"].sum() > 0), key=lambda item: item[0])


def volume_by_source(source: Source, sel: Selection) -> pd.DataFrame:
    """Selected articles per period and source country. Columns ``period, source_country, articles``."""
    if sel.span is None:
        return empty_frame(SOURCE_VOLUME_COLUMNS)
    blocks = [
        pd.DataFrame(
            {
                "period": sel.index,
                "source_country": name,
                "articles": spread(sel.index, sel.freq, part["period"], part["articles"]),
            }
        )  # fmt: skip
        for name, part in per_source(source, sel)
    ]
    if not blocks:
        return empty_frame(SOURCE_VOLUME_COLUMNS)
    return pd.concat(blocks, ignore_index=True)[list(SOURCE_VOLUME_COLUMNS)]


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


def mean_tone(sums: pd.Series) -> float:
    """The mean tone of grouped sums (NaN when no article is scored)."""
    return float(sums["total"] / sums["n"]) if sums["n"] else math.nan


def kpis(source: Source, sel: Selection) -> Kpis:
    """Articles, share of coverage and mean tone of a selection, with the previous period's."""
    now = overall(by_period(source, sel))
    count, everything = int(now["articles"]), int(now["all"])
    previous = sel.previous
    prev_count: int | None = None
    prev_tone: float | None = None
    if previous is not None:
        before = overall(by_period(source, previous))
        prev_count, prev_tone = int(before["articles"]), mean_tone(before)
    return Kpis(
        articles=count,
        share=count / everything if everything else math.nan,
        tone=mean_tone(now),
        tone_n=int(now["n"]),
        previous_articles=prev_count,
        previous_tone=prev_tone,
    )
