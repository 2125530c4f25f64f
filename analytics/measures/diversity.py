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
    frame = source.remember(("diversity", sel), lambda: _counts(source, sel))
    index, freq = sel.index, sel.freq
    return pd.DataFrame(
        {column: index if column == "period" else spread(index, freq, frame["period"], frame[column].astype("int64"))
         for column in DIVERSITY_COLUMNS}
    )  # fmt: skip


def _counts(source: Source, sel: Selection) -> pd.DataFrame:
    """``period, articles, stories, outlets`` of the periods with articles."""
    rows = selected(source, sel.filters)
    rows = rows.mutate(period=bucket(rows.day, sel.freq), outlet=ibis.coalesce(rows.outlet, ibis.literal(_NO_OUTLET)))
    # Per period and outlet: the outlets are the groups. A story without other copies is one story
    # per article, so only shared stories need a distinct count (a hash of every key, the costly
    # part), done as its own grouping over them, usually a small part of the rows.
    outlets = source.run(
        rows.group_by(["period", "outlet"]).aggregate(articles=rows.count(), alone=(~rows.shared).cast("int64").sum())
    )
    per = outlets.groupby("period").agg(
        articles=("articles", "sum"), alone=("alone", "sum"), outlets=("outlet", "size")
    )
    if sel.filters.once:
        # Counting copies once leaves one copy of each story: every article is a story of its own.
        per["stories"] = per["articles"].astype("int64")
        return per.reset_index()[["period", "articles", "stories", "outlets"]]
    shared = rows.filter(rows.shared).select("period", "story_key").distinct()
    stories = source.run(shared.group_by("period").aggregate(shared=shared.count()))
    per = per.join(stories.set_index("period")["shared"], how="left")
    per["stories"] = per["alone"].fillna(0).astype("int64") + per["shared"].fillna(0).astype("int64")
    return per.reset_index()[["period", "articles", "stories", "outlets"]]
