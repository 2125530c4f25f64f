"""Coverage volume: selected articles per period, their share of everything in the context, and the
headline figures of a selection against the period before it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analytics.engine import Source
from analytics.intervals import ratio
from analytics.periods import bucket, spread
from analytics.schema import SOURCE_VOLUME_COLUMNS, VOLUME_COLUMNS, empty_frame
from analytics.selection import Selection, context, selected

UNKNOWN_SOURCE = "unknown"  # label of articles whose outlet's country is not known


def per_period(source: Source, rows, sel: Selection) -> pd.DataFrame:
    """Articles of ``rows`` per period of ``sel``: a frame ``period, articles`` over the whole index."""
    counts = source.run(rows.group_by(period=bucket(rows.day, sel.freq)).aggregate(articles=rows.count()))
    return pd.DataFrame(
        {
            "period": sel.index,
            "articles": spread(sel.index, sel.freq, counts["period"], counts["articles"].astype("int64")),
        }
    )


def volume(source: Source, sel: Selection) -> pd.DataFrame:
    """Selected articles per period, and their share of all stored coverage in that period.

    Columns ``period, articles, all_articles, share``. The denominator ``all_articles`` keeps the
    date, source-country, language and outlet filters but not the pair/country or theme filters, so
    a share reads "of everything these media published in that period". ``share`` is NaN where the
    period has no coverage at all.
    """
    if sel.span is None:
        return empty_frame(VOLUME_COLUMNS)
    chosen = per_period(source, selected(source, sel.filters), sel)["articles"].to_numpy()
    total = per_period(source, context(source, sel.filters), sel)["articles"].to_numpy()
    return pd.DataFrame({"period": sel.index, "articles": chosen, "all_articles": total, "share": ratio(chosen, total)})


def source_labels(values: pd.Series) -> pd.Series:
    """Source countries as text, ``unknown`` where the outlet's country is not known."""
    return values.astype("object").where(values.notna(), UNKNOWN_SOURCE)


def volume_by_source(source: Source, sel: Selection) -> pd.DataFrame:
    """Selected articles per period and source country. Columns ``period, source_country, articles``."""
    if sel.span is None:
        return empty_frame(SOURCE_VOLUME_COLUMNS)
    rows = selected(source, sel.filters)
    counts = source.run(
        rows.group_by(period=bucket(rows.day, sel.freq), source_country=rows.source_country).aggregate(
            articles=rows.count()
        )
    )
    if counts.empty:
        return empty_frame(SOURCE_VOLUME_COLUMNS)
    counts["source_country"] = source_labels(counts["source_country"])
    blocks = [
        pd.DataFrame({"period": sel.index, "source_country": name,
                      "articles": spread(sel.index, sel.freq, part["period"], part["articles"].astype("int64"))})
        for name, part in sorted(counts.groupby("source_country", sort=False), key=lambda item: item[0])
    ]  # fmt: skip
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


def totals(source: Source, rows) -> tuple[int, int, float]:
    """Articles of ``rows``, how many are scored, and their mean tone (NaN when none is)."""
    frame = source.run(rows.aggregate(articles=rows.count(), scored=rows.tone.count(), tone=rows.tone.mean()))
    articles, scored = int(frame["articles"].iloc[0]), int(frame["scored"].iloc[0])
    tone = frame["tone"].iloc[0]
    return articles, scored, float(tone) if scored and not pd.isna(tone) else math.nan


def kpis(source: Source, sel: Selection) -> Kpis:
    """Articles, share of coverage and mean tone of a selection, with the previous period's."""
    count, scored, tone = totals(source, selected(source, sel.filters))
    everything = int(source.scalar(context(source, sel.filters).count()) or 0)
    previous = sel.previous
    prev_count: int | None = None
    prev_tone: float | None = None
    if previous is not None:
        prev_count, _, prev_tone = totals(source, selected(source, previous.filters))
    return Kpis(
        articles=count,
        share=count / everything if everything else math.nan,
        tone=tone,
        tone_n=scored,
        previous_articles=prev_count,
        previous_tone=prev_tone,
    )
