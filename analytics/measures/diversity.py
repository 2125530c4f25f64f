"""Outlet and story diversity: how many distinct stories and outlets a period's coverage comes from."""

from __future__ import annotations

import ibis
import pandas as pd

from analytics.engine import Source
from analytics.periods import bucket, spread
from analytics.schema import DIVERSITY_COLUMNS, empty_frame
from analytics.selection import Selection, selected

_NO_OUTLET = "\x00no outlet"  # articles without an outlet count as one outlet


def outlet_diversity(source: Source, sel: Selection) -> pd.DataFrame:
    """Articles, distinct stories and distinct outlets per period.

    Columns ``period, articles, stories, outlets``. ``stories`` counts each wire story once (a
    story whose copies fall in two periods counts in both); articles without an outlet count as
    one outlet. ``stories <= articles`` and ``outlets <= articles`` in every period.
    """
    if sel.span is None:
        return empty_frame(DIVERSITY_COLUMNS)
    rows = selected(source, sel.filters)
    outlet = ibis.coalesce(rows.outlet, ibis.literal(_NO_OUTLET))
    # A story without other copies is one story per article: only shared stories need a distinct
    # count, which is the costly part (a hash of every key) and usually a small part of the rows.
    frame = source.run(
        rows.group_by(period=bucket(rows.day, sel.freq)).aggregate(
            articles=rows.count(),
            alone=(~rows.shared).cast("int64").sum(),
            shared=rows.story_key.nunique(where=rows.shared),
            outlets=outlet.nunique(),
        )
    )
    frame["stories"] = frame["alone"].fillna(0).astype("int64") + frame["shared"].fillna(0).astype("int64")
    index, freq = sel.index, sel.freq
    return pd.DataFrame(
        {column: index if column == "period" else spread(index, freq, frame["period"], frame[column].astype("int64"))
         for column in DIVERSITY_COLUMNS}
    )  # fmt: skip
