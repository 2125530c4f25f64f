"""Each side's media on the pair: the mirror view."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analytics.engine import Source
from analytics.errors import InputError
from analytics.intervals import ratio
from analytics.measures.grouped import by_source
from analytics.periods import spread
from analytics.schema import MIRROR_COLUMNS, empty_frame
from analytics.selection import Selection, resolve


def pair_of(sel: Selection, view: str) -> tuple[str, str]:
    """The two countries of the selection's pair; InputError when the selection is not one pair."""
    if sel.filters.dyad is None:
        raise InputError(f"the {view} needs a country pair; choose one, e.g. PER-USA")
    a, b = sel.filters.dyad.split("-")
    return a, b


def mirror(source: Source, sel: Selection) -> pd.DataFrame:
    """The pair as each side's media cover it: for a dyad A-B, A's and B's media per period.

    Columns ``period, source_country, articles, country_total, share``: one block of periods for
    A, then one for B (alphabetical, as in the dyad id). ``articles`` are the selected articles
    (pair, themes, dates, languages) from that country's outlets; ``country_total`` is everything
    that country's outlets published in the period (dates and languages only); ``share`` is their
    ratio, NaN when the country published nothing. The selection's source countries are ignored:
    the view sets them. Raises :class:`InputError` without a dyad.
    """
    pair = pair_of(sel, "mirror view")
    own = resolve(source, replace(sel.filters, source_countries=pair), sel.freq)
    if own.span is None:
        return empty_frame(MIRROR_COLUMNS)
    frame = by_source(source, own)
    blocks = []
    for country in pair:
        mine = frame.loc[frame["source_country"] == country]
        count = spread(own.index, own.freq, mine["period"], mine["articles"])
        total = spread(own.index, own.freq, mine["period"], mine["all"])
        blocks.append(pd.DataFrame({"period": own.index, "source_country": country, "articles": count,
                                    "country_total": total, "share": ratio(count, total)}))  # fmt: skip
    return pd.concat(blocks, ignore_index=True)[list(MIRROR_COLUMNS)]
