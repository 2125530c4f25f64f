"""A Source over in-memory frames: every store the frames can come from, including those with a
column that holds no value yet."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.engine import ARTICLE_FIELDS, DYAD_FIELDS
from analytics.filters import Filters
from tests.conftest import make_frames, selected_rows, source_of

ROWS = [(1, "2026-01-05", "PER", "es", None, ()), (2, "2026-01-06", "USA", "en", 0.5, ())]


def frames_of(case: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    if case == "an empty store":
        return make_frames([], [])
    if case == "articles without a pair":
        return make_frames(ROWS, [])
    articles, dyads = make_frames(ROWS, [(1, "PER-USA"), (2, "PER-USA")])
    unknown = pd.Categorical([None, None], categories=["x"])
    return articles.assign(outlet=unknown, source_country=unknown, language=unknown), dyads


@pytest.mark.parametrize("case", ["an empty store", "articles without a pair", "outlets of unknown country"])
def test_from_frames_takes_columns_without_a_value(case):
    articles, dyads = frames_of(case)
    src = source_of((articles, dyads))
    assert src.run(src.articles).columns.tolist() == list(ARTICLE_FIELDS)
    assert src.run(src.dyads).columns.tolist() == list(DYAD_FIELDS)
    assert int(src.scalar(src.articles.count())) == len(articles)
    assert int(src.scalar(src.dyads.count())) == len(dyads)
    assert selected_rows(src, Filters(dyad="PER-USA"))["n"].tolist() == dyads["n"].tolist()


def test_from_frames_keeps_the_values_and_makes_story_keys():
    articles, dyads = make_frames(ROWS, [(1, "PER-USA"), (2, "MEX-USA")])
    articles["cluster_id"] = pd.Categorical(["w", None])
    src = source_of((articles, dyads))
    rows = selected_rows(src, Filters())
    assert rows[["n", "outlet", "source_country", "language"]].values.tolist() == [
        [1, "Outlet PER", "PER", "es"],
        [2, "Outlet USA", "USA", "en"],
    ]
    assert rows["day"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-06")]
    assert rows["tone"].isna().tolist() == [True, False] and rows["tone"].iloc[1] == 0.5
    assert rows["story_key"].iloc[1] == -2  # an article without a cluster is a story of its own
    assert rows["story_key"].iloc[0] != rows["story_key"].iloc[1]
    assert str(rows["published"].dt.tz) == "UTC"
