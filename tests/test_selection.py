"""What every measure relies on: the Selection's span, the context that counts wire copies once,
and a Selection usable as a cache key."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import dataset, engine, views
from analytics.filters import Filters
from analytics.measures import themes, volume
from analytics.schema import VOLUME_COLUMNS
from analytics.selection import Selection, resolve
from analytics.store import Store
from tests.conftest import JAN, make_frames, selected_rows, source_of

W1, W2 = pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12")


# --- wire copies counted once ---------------------------------------------------------------------


@pytest.fixture
def copies():
    """Story w printed four times (first by Peru's outlet at 08:00, then by US outlets), story v
    twice at the same minute, and one article of its own in another pair."""
    rows = [
        (1, "2026-01-05T10:00", "USA", "en", 0.5, ("trade",)),
        (2, "2026-01-05T08:00", "PER", "es", None, ("trade",)),
        (3, "2026-01-06T09:00", "USA", "en", -0.5, ("trade",)),
        (4, "2026-01-06T09:00", "USA", "en", 0.1, ()),
        (5, "2026-01-06T09:00", "USA", "en", 0.3, ()),
        (6, "2026-01-13T09:00", "USA", "en", 0.2, ("trade",)),
        (7, "2026-01-14T09:00", "USA", "en", 0.0, ()),
    ]
    articles, dyads = make_frames(rows, [(n, "PER-USA") for n in range(1, 7)] + [(7, "MEX-USA")])
    articles["cluster_id"] = pd.Categorical(["w", "w", "w", "v", "v", "w", None])
    return source_of((articles, dyads))


def test_once_keeps_the_earliest_copy_of_each_story(copies):
    once = Filters(dyad="PER-USA", start=JAN[0], end=JAN[1], once=True)
    # w: 2 is the earliest copy (08:00); v: 4 and 5 tie, the lower row number stands for it.
    assert selected_rows(copies, once)["n"].tolist() == [2, 4]
    sel = resolve(copies, once, "W")
    vol = volume.volume(copies, sel)
    assert vol[["articles", "all_articles"]].values.tolist() == [[2, 2], [0, 1]]
    assert vol["share"].tolist() == [1.0, 0.0]
    k = volume.kpis(copies, sel)
    assert (k.articles, k.share, k.tone, k.tone_n) == (2, pytest.approx(2 / 3), pytest.approx(0.1), 1)
    assert themes.theme_totals(copies, sel).set_index("theme").loc["trade"].tolist() == [1, 0.5]
    every = volume.volume(copies, resolve(copies, replace(once, once=False), "W"))
    assert every[["articles", "all_articles"]].values.tolist() == [[5, 5], [1, 2]]


def test_once_picks_the_earliest_copy_within_the_context(copies):
    # Peru's outlet printed w first; among US media only, 1 is the earliest copy.
    usa = Filters(dyad="PER-USA", source_countries=("USA",), once=True)
    assert selected_rows(copies, usa)["n"].tolist() == [1, 4]
    k = volume.kpis(copies, resolve(copies, usa))
    assert (k.articles, k.tone, k.tone_n) == (2, pytest.approx(0.3), 2)
    # In the second week alone, w's copy of the 13th stands for it: its earlier copies are outside the range.
    later = Filters(dyad="PER-USA", start=W2.date(), end=JAN[1], once=True)
    assert selected_rows(copies, later)["n"].tolist() == [6]
    # From the 6th: w's copy of that day is its first in range, the one of the 13th repeats it; so does 5 for v.
    assert selected_rows(copies, Filters(start=date(2026, 1, 6), once=True))["n"].tolist() == [3, 4, 7]
    assert volume.volume(copies, resolve(copies, later, "W"))[["articles", "all_articles"]].values.tolist() == [[1, 2]]


copy_row = st.tuples(
    st.integers(0, 9),  # day
    st.integers(0, 3),  # hour: copies of one day tie or not
    st.sampled_from(["PER", "USA", "MEX"]),
    st.sampled_from(["a", "b", "c", None]),  # wire story; None is a story of its own
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(copy_row, min_size=1, max_size=30), start=st.one_of(st.none(), st.integers(0, 9)),
       length=st.one_of(st.none(), st.integers(0, 9)),
       sources=st.sampled_from([(), ("USA",), ("PER", "MEX")]))  # fmt: skip
def test_once_agrees_with_the_earliest_copy_of_each_story_in_the_context(rows, start, length, sources):
    day0 = date(2026, 1, 5)
    frame_rows = [(i + 1, f"{day0 + timedelta(days=d)}T0{h}:00", s, "en", None, ()) for i, (d, h, s, _) in
                  enumerate(rows)]  # fmt: skip
    articles, dyads = make_frames(frame_rows, [(r[0], "PER-USA") for r in frame_rows])
    articles["cluster_id"] = pd.Categorical([r[3] for r in rows])
    first = None if start is None else day0 + timedelta(days=start)
    last = None if length is None else (first or day0) + timedelta(days=length)
    filters = Filters(start=first, end=last, source_countries=sources, once=True)
    # The reference: the context's rows, then per story the earliest published, the lowest n among equals.
    days = articles["published"].dt.date
    keep = pd.Series(True, index=articles.index)
    if first is not None:
        keep &= days >= first
    if last is not None:
        keep &= days <= last
    if sources:
        keep &= articles["source_country"].isin(sources)
    context = articles.loc[keep]
    story = [c if isinstance(c, str) else f"own {n}" for c, n in zip(context["cluster_id"], context["n"], strict=True)]
    earliest = context.assign(story=story).sort_values(["published", "n"]).drop_duplicates("story")
    expected = sorted(earliest["n"].tolist())
    assert selected_rows(source_of((articles, dyads)), filters)["n"].tolist() == expected


# --- the span ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "span"),
    [
        (Filters(dyad="PER-USA"), (date(2026, 1, 5), date(2026, 1, 18))),
        (Filters(dyad="PER-USA", start=date(2026, 1, 7)), (date(2026, 1, 7), date(2026, 1, 18))),
        (Filters(end=date(2026, 1, 10)), (date(2026, 1, 5), date(2026, 1, 10))),
        # The bounds are the context's, not the selection's: nothing is selected here.
        (Filters(dyad="COL-VEN"), (date(2026, 1, 5), date(2026, 1, 18))),
        (Filters(dyad="PER-USA", source_countries=("MEX",)), (date(2026, 1, 14), date(2026, 1, 14))),
        (Filters(dyad="PER-USA", languages=("en",), end=date(2026, 1, 12)), (date(2026, 1, 6), date(2026, 1, 12))),
        # Closed ranges are the filters' dates, whatever the store holds.
        (Filters(start=date(2026, 1, 6), end=date(2026, 3, 1)), (date(2026, 1, 6), date(2026, 3, 1))),
        (Filters(start=date(2027, 1, 1), end=date(2027, 1, 2)), (date(2027, 1, 1), date(2027, 1, 2))),
    ],
)
def test_resolve_closes_open_bounds_with_the_context(tiny, filters, span):
    sel = resolve(source_of(tiny), filters, "D")
    assert sel.span == span
    assert sel.index.tolist() == list(pd.date_range(*span, freq="D"))


def test_a_span_is_whole_periods_of_the_context(tiny):
    src = source_of(tiny)
    sel = resolve(src, Filters(dyad="COL-VEN"), "W")
    assert sel.index.tolist() == [W1, W2]
    assert volume.volume(src, sel)[["articles", "all_articles"]].values.tolist() == [[0, 4], [0, 4]]
    mex = resolve(src, Filters(dyad="PER-USA", source_countries=("MEX",)), "W")
    assert volume.volume(src, mex)[["period", "articles", "all_articles"]].values.tolist() == [[W2, 0, 1]]


@pytest.mark.parametrize(
    "filters", [Filters(languages=("fr",)), Filters(start=date(2026, 2, 1)), Filters(end=date(2026, 1, 4))]
)
def test_an_empty_context_has_no_span(tiny, filters):
    src = source_of(tiny)
    sel = resolve(src, filters, "W")
    assert sel.span is None and len(sel.index) == 0 and sel.previous is None
    result = volume.volume(src, sel)
    assert result.empty and list(result.columns) == list(VOLUME_COLUMNS)


def test_resolve_refuses_an_unknown_frequency(tiny):
    with pytest.raises(ValueError, match="frequency"):
        resolve(source_of(tiny), Filters(), "Q")


def test_previous_is_the_range_of_equal_length_before(tiny):
    sel = resolve(source_of(tiny), Filters(dyad="PER-USA", start=W2.date(), end=JAN[1]), "D")
    before = Filters(dyad="PER-USA", start=JAN[0], end=date(2026, 1, 11))
    assert sel.previous == Selection(before, "D", (before.start, before.end))


# --- a cache key ------------------------------------------------------------------------------------


def test_selection_is_hashable_and_equal_for_equal_values(tiny):
    a = Selection(Filters(dyad="PER-USA", themes=("trade",), start=JAN[0], end=JAN[1]), "W", JAN)
    b = Selection(Filters(dyad="PER-USA", themes=("trade",), start=date(2026, 1, 5), end=date(2026, 1, 18)), "W",
                  (date(2026, 1, 5), date(2026, 1, 18)))  # fmt: skip
    assert a is not b and a == b and hash(a) == hash(b)
    assert {a: "cached"}[b] == "cached"
    assert len(a.index) == 2  # a computed index leaves equality and hash as they were
    assert a == b and hash(a) == hash(b)
    for other in (replace(a, freq="D"), replace(a, span=None), replace(a, filters=replace(a.filters, once=True)),
                  replace(a, span=(JAN[0], date(2026, 1, 19)))):  # fmt: skip
        assert other != a
    assert len({a, b, replace(a, freq="M")}) == 2
    with pytest.raises(FrozenInstanceError):
        a.freq = "D"  # type: ignore[misc]


def test_resolved_selections_are_equal_across_sources(tiny):
    one = resolve(source_of(tiny), Filters(dyad="PER-USA"), "W")
    two = resolve(source_of(tiny), Filters(dyad="PER-USA"), "W")
    assert one == two and hash(one) == hash(two)
    built = Selection(Filters(dyad="PER-USA"), "W", (date(2026, 1, 5), date(2026, 1, 18)))
    assert one == built and hash(one) == hash(built)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (Filters(dyad="PER-USA", start=date(2026, 1, 1), end=date(2026, 6, 30)),
         Filters(dyad="MEX-USA", start=date(2026, 1, 1), end=date(2026, 6, 30))),
        (Filters(dyad="PER-USA"), Filters(country="USA")),
        (Filters(dyad="PER-USA", start=date(2026, 2, 1), end=date(2026, 5, 31), once=True, themes=("trade",)),
         Filters(country="PER", start=date(2026, 2, 1), end=date(2026, 5, 31), once=True)),
        (Filters(dyad="PER-USA", source_countries=("USA",), languages=("en",), start=date(2026, 3, 1)),
         Filters(dyad="COL-USA", source_countries=("USA",), languages=("en",), start=date(2026, 3, 1))),
    ],
)  # fmt: skip
def test_compare_scans_once_for_two_pairs_and_gets_what_each_alone_gets(demo_db, a, b):
    shared = engine.open_dataset(dataset.folder(Store(demo_db)))
    runs = []
    real_run = shared.run
    shared.run = lambda expr: runs.append(expr) or real_run(expr)
    together = views.compare(shared, a, b)
    alone = [views.overview(engine.open_dataset(dataset.folder(Store(demo_db))), f) for f in (a, b)]
    for view, single in zip((together.a, together.b), alone, strict=True):
        for name, value in vars(single.kpis).items():  # sums regrouped: equal to the last bits
            got = getattr(view.kpis, name)
            assert got == value or got == pytest.approx(value, rel=1e-12, nan_ok=True), name
        for name in ("volume", "theme_totals", "tone"):
            pd.testing.assert_frame_equal(getattr(view, name), getattr(single, name), rtol=1e-12)
    assert together.a.kpis.articles > 0
    cubes = [e for e in runs if "theme_mask" in e.schema() and "articles" in e.schema()]
    assert len(cubes) == 1, "one scan of the articles for both sides' figures"
