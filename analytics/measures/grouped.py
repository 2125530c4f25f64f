"""The grouped tables several measures share, queried once per selection and source.

:func:`by_period` and :func:`by_source` group the selection's context by period (and source
country) and count, in one pass, everything the volume, theme and tone measures need: the
context's articles (the denominator of shares), the selected articles, the moments of their tone
and their count per theme. A page that draws five of those measures runs one query, not five; the
result is remembered by the source (whose stamp changes with the data), keyed by the Selection.
"""

from __future__ import annotations

import ibis
import pandas as pd

from analytics.engine import Source
from analytics.periods import bucket
from analytics.schema import THEMES
from analytics.selection import Selection, flagged

SUMS = ("all", "articles", "n", "total", "squares", *THEMES)


def _aggregates(rows) -> dict:
    chosen = rows.chosen
    tone = ibis.ifelse(chosen, rows.tone, ibis.null("float64"))
    out = {
        "all": rows.count(),
        "articles": chosen.cast("int64").sum(),
        "n": tone.count(),
        "total": tone.sum(),
        "squares": (tone * tone).sum(),
    }
    for bit, theme in enumerate(THEMES):
        out[theme] = (chosen & ((rows.theme_mask & (1 << bit)) != 0)).cast("int64").sum()
    return out


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    for column in SUMS:
        kind = "float64" if column in ("total", "squares") else "int64"
        frame[column] = frame[column].fillna(0).astype(kind)
    return frame


def by_period(source: Source, sel: Selection) -> pd.DataFrame:
    """Per period with coverage: ``period`` and :data:`SUMS` (``all`` counts the context; the rest the
    selection: ``articles``, tone ``n, total, squares``, one count per theme). Periods without
    coverage are absent; lay them out with :func:`analytics.periods.spread`."""

    def query() -> pd.DataFrame:
        rows = flagged(source, sel.filters)
        return _clean(source.run(rows.group_by(period=bucket(rows.day, sel.freq)).aggregate(**_aggregates(rows))))

    return source.remember(("by_period", sel), query)


def by_source(source: Source, sel: Selection) -> pd.DataFrame:
    """As :func:`by_period`, per period and ``source_country`` (None for outlets of unknown country)."""

    def query() -> pd.DataFrame:
        rows = flagged(source, sel.filters)
        grouped = rows.group_by(period=bucket(rows.day, sel.freq), source_country=rows.source_country)
        return _clean(source.run(grouped.aggregate(**_aggregates(rows))))

    return source.remember(("by_source", sel), query)


def overall(frame: pd.DataFrame) -> pd.Series:
    """The sums of a grouped table over all its rows (zeros when it has none)."""
    return frame[list(SUMS)].sum() if len(frame) else pd.Series(0, index=list(SUMS))
