"""The spike finder and spike drivers: exact values on hand-made series, planted and absent spikes,
invariants on random series, and the scripted events of the demo corpus."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import demo
from analytics.filters import Filters
from analytics.measures import spikes
from analytics.periods import period_starts
from analytics.schema import (
    SPIKE_ARTICLE_COLUMNS,
    SPIKE_COLUMNS,
    SPIKE_KINDS,
    SPIKE_OUTLET_COLUMNS,
    SPIKE_TERM_COLUMNS,
    SPIKE_THEME_COLUMNS,
)
from analytics.selection import resolve
from tests.conftest import DEMO_END, make_frames, source_of

DAY0 = date(2025, 1, 6)  # a Monday


def series(counts, *, tones=None, start=DAY0, dyad="PER-USA"):
    """Frames with ``counts[i]`` articles on day i, all in ``dyad``; ``tones[i]`` is a list of the
    day's tones (cycled over its articles) or None for unscored articles."""
    rows, n = [], 0
    for i, count in enumerate(counts):
        day_tones = (tones[i] if tones is not None else None) or [None]
        for k in range(count):
            n += 1
            rows.append((n, f"{start + timedelta(days=i)}T12:00", "PER", "en", day_tones[k % len(day_tones)], ()))
    return make_frames(rows, [(r[0], dyad) for r in rows])


def find(frames, filters: Filters, freq: str = "D", **options) -> pd.DataFrame:
    """The spikes of ``filters`` per ``freq`` on a source over ``frames``."""
    src = source_of(frames)
    return spikes.find_spikes(src, resolve(src, filters, freq), **options)


def anscombe(x):
    return 2 * np.sqrt(np.asarray(x, dtype=float) + 0.375)


def volume_rows(frame):
    return frame.loc[frame["kind"] == "volume"]


# --- exact values ---------------------------------------------------------------------------------


def test_volume_spike_exact_values():
    frames = series([2, 2, 2, 2, 12, 2])
    result = find(frames, Filters(dyad="PER-USA"), "D", window=4)
    assert list(result.columns) == list(SPIKE_COLUMNS)
    assert result["period"].tolist() == [pd.Timestamp(DAY0 + timedelta(days=4))]
    row = result.iloc[0]
    assert (row["kind"], row["value"], row["baseline"], row["articles"]) == ("volume", 12.0, 2.0, 12)
    # A flat window has MAD 0: the Poisson floor of 1 on the root scale is the spread.
    assert row["score"] == pytest.approx(2 * math.sqrt(12.375) - 2 * math.sqrt(2.375))


def test_volume_spike_uses_the_robust_spread_of_a_noisy_window():
    counts = [2, 9, 4, 14, 20]
    frames = series(counts)
    result = find(frames, Filters(dyad="PER-USA"), "D", window=4, z=1.0)
    last = result.loc[result["period"] == pd.Timestamp(DAY0 + timedelta(days=4))].iloc[0]
    past = anscombe(counts[:4])
    centre = np.median(past)
    sd = max(1.4826 * np.median(np.abs(past - centre)), 1.0)
    assert sd > 1.0
    assert last["baseline"] == 6.5
    assert last["score"] == pytest.approx((anscombe(20) - centre) / sd)


def test_thresholds_and_history():
    frames = series([1, 12])
    # One period of history is less than half a window of 4: not judged.
    assert find(frames, Filters(dyad="PER-USA"), window=4).empty
    frames = series([1, 1, 12])
    assert len(find(frames, Filters(dyad="PER-USA"), window=4)) == 1
    assert find(frames, Filters(dyad="PER-USA"), window=4, min_articles=13).empty
    assert find(frames, Filters(dyad="PER-USA"), window=4, z=5.0).empty


def test_baseline_reaches_before_the_range_but_not_before_the_data():
    frames = series([3] * 5 + [20, 3])
    spike_day = DAY0 + timedelta(days=5)
    result = find(frames, Filters(dyad="PER-USA", start=spike_day, end=spike_day + timedelta(days=1)), window=10)
    # The window reaches 5 days before the first article: counted as zeros, the median would be 1.5.
    assert result[["period", "value", "baseline"]].values.tolist() == [[pd.Timestamp(spike_day), 20.0, 3.0]]
    later = Filters(dyad="PER-USA", start=spike_day + timedelta(days=1))
    assert find(frames, later, window=10).empty


def test_weekly_spike_is_labelled_by_its_monday():
    counts = [3] * 70
    for day in range(63, 68):
        counts[day] = 12  # week 10 (days 63-69): 66 articles instead of 21
    frames = series(counts)
    result = find(frames, Filters(dyad="PER-USA"), "W")
    assert result[["period", "kind", "value", "baseline"]].values.tolist() == [
        [pd.Timestamp(DAY0 + timedelta(days=63)), "volume", 66.0, 21.0]
    ]


def test_tone_shift_exact_values():
    calm, warm = [0.1, 0.0, -0.1], [0.9, 0.8, 0.7]
    frames = series([3] * 5, tones=[calm] * 4 + [warm])
    result = find(frames, Filters(dyad="PER-USA"), window=4, min_scored=3)
    assert result["kind"].tolist() == ["tone"]
    row = result.iloc[0]
    base_sd = math.sqrt(4 * (0.01 + 0.01) / 11)
    assert row["value"] == pytest.approx(0.8)
    assert row["baseline"] == pytest.approx(0.0, abs=1e-12)
    assert row["score"] == pytest.approx(0.8 / (base_sd * math.sqrt(1 / 3 + 1 / 12)))
    assert row["articles"] == 3
    # Three scored articles are too few under the default minimum of ten.
    assert find(frames, Filters(dyad="PER-USA"), window=4).empty


def test_tone_shift_floors_a_degenerate_baseline_and_reads_both_directions():
    frames = series([10] * 5, tones=[[0.0]] * 4 + [[-0.2]])
    result = find(frames, Filters(dyad="PER-USA"), window=4)
    assert result["kind"].tolist() == ["tone"]
    assert result["score"].iloc[0] == pytest.approx(-0.2 / (0.05 * math.sqrt(1 / 10 + 1 / 40)))


def test_refuses_bad_parameters():
    frames = series([1])
    with pytest.raises(ValueError, match="per day"):
        find(frames, Filters(), "M")
    with pytest.raises(ValueError, match="window"):
        find(frames, Filters(), window=1)


def test_empty_in_gives_empty_out_with_the_columns():
    frames = make_frames([], [])
    for filters in (Filters(dyad="PER-USA"), Filters(dyad="PER-USA", start=DAY0, end=DAY0 + timedelta(days=30))):
        result = find(frames, filters)
        assert result.empty and list(result.columns) == list(SPIKE_COLUMNS)
    frames = series([5, 5, 50])
    result = find(frames, Filters(dyad="COL-VEN"), window=2)
    assert result.empty and list(result.columns) == list(SPIKE_COLUMNS)


# --- planted and absent spikes ------------------------------------------------------------------


def test_planted_spike_is_found_exactly_once():
    counts = np.random.default_rng(42).poisson(6, 120)
    counts[90] = 30
    frames = series(counts.tolist())
    result = find(frames, Filters(dyad="PER-USA"), "D")
    assert result["period"].tolist() == [pd.Timestamp(DAY0 + timedelta(days=90))]
    assert result["baseline"].item() == np.median(counts[62:90])


def test_noisy_series_without_events_has_no_spike():
    counts = np.random.default_rng(7).poisson(6, 365)
    frames = series(counts.tolist())
    assert find(frames, Filters(dyad="PER-USA"), "D").empty
    assert find(frames, Filters(dyad="PER-USA"), "W").empty


@settings(max_examples=40, deadline=None)
@given(level=st.integers(0, 40), wiggle=st.lists(st.integers(-1, 1), min_size=1, max_size=60),
       freq=st.sampled_from(["D", "W"]))  # fmt: skip
def test_a_flat_series_never_spikes_on_one_more_article(level, wiggle, freq):
    counts = [max(level + w, 0) for w in wiggle]
    if freq == "W":
        counts = [c if day == 0 else 0 for c in counts for day in range(7)]  # each week's articles on its Monday
    frames = series(counts)
    assert volume_rows(find(frames, Filters(dyad="PER-USA"), freq)).empty


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(0, 25), max_size=70), freq=st.sampled_from(["D", "W"]),
       tone=st.lists(st.floats(-1, 1), min_size=1, max_size=3), shift=st.integers(0, 69),
       start_offset=st.integers(0, 70), length=st.integers(0, 70))  # fmt: skip
def test_invariants_on_random_series(counts, freq, tone, shift, start_offset, length):
    tones = [tone if i >= shift else [0.0, 0.1] for i in range(len(counts))]
    articles, dyads = series(counts, tones=tones)
    start = DAY0 + timedelta(days=start_offset)
    filters = Filters(dyad="PER-USA", start=start, end=start + timedelta(days=length))
    before = articles.copy(deep=True)
    result = find((articles, dyads), filters, freq, min_scored=3)
    pd.testing.assert_frame_equal(articles, before)
    assert list(result.columns) == list(SPIKE_COLUMNS)
    assert set(result["kind"]) <= set(SPIKE_KINDS)
    assert result["period"].is_monotonic_increasing
    assert (result["articles"] >= 0).all()
    first = pd.Timestamp(period_starts(np.array([start], dtype="datetime64[D]"), freq)[0])
    assert result["period"].between(first, pd.Timestamp(filters.end)).all()
    volume = volume_rows(result)
    assert (volume["value"] == volume["articles"]).all() and (volume["articles"] >= 5).all()
    assert (volume["score"] > 3.5).all() and (volume["value"] > volume["baseline"]).all()
    tone_rows = result.loc[result["kind"] == "tone"]
    assert (tone_rows["score"].abs() > 3.0).all() and tone_rows["value"].between(-1, 1).all()
    assert not result.duplicated(["period", "kind"]).any()


# --- drivers -----------------------------------------------------------------------------------------

SPIKE_DAY = date(2026, 1, 29)


@pytest.fixture
def story():
    """Four baseline articles in January, then a two-day spike: a wire story printed three times."""
    rows = [  # n, published, title, outlet, cluster, themes, dyad
        (1, "2026-01-03T09:00", "Ministers discuss fishing quotas", "A", "b1", ("environment",), "PER-USA"),
        (2, "2026-01-10T09:00", "Peru and US discuss trade", "B", "b2", ("trade",), "PER-USA"),
        (3, "2026-01-17T09:00", "Peru US trade talks continue", "A", "b3", ("trade",), "PER-USA"),
        (4, "2026-01-24T09:00", "Border security talks", "C", "b4", ("security",), "PER-USA"),
        (5, "2026-01-29T08:00", "State visit begins in Washington", "A", "s", ("diplomacy",), "PER-USA"),
        (6, "2026-01-29T09:00", "State visit begins in Washington", "B", "s", ("diplomacy",), "PER-USA"),
        (7, "2026-01-29T10:00", "State visit begins in Washington", "C", "s", ("diplomacy",), "PER-USA"),
        (8, "2026-01-29T07:00", "President hails state visit", "A", "t", ("diplomacy",), "PER-USA"),
        (9, "2026-01-30T09:00", "State visit ends with trade deal", "B", "u", ("diplomacy", "trade"), "PER-USA"),
        (10, "2026-01-30T12:00", "Peru and US discuss trade", "A", None, ("trade",), "PER-USA"),
        (11, "2026-01-30T12:00", "State visit state visit", "C", "m", ("diplomacy",), "MEX-USA"),
    ]
    articles, dyads = make_frames([(r[0], r[1], "PER", "en", 0.1, r[5]) for r in rows], [(r[0], r[6]) for r in rows])
    articles = articles.assign(outlet=pd.Categorical([r[3] for r in rows]),
                               cluster_id=pd.Categorical([r[4] for r in rows]))  # fmt: skip
    titles = pd.DataFrame({"n": [r[0] for r in rows], "title": [r[2] for r in rows], "outlet": [r[3] for r in rows],
                           "cluster_id": [r[4] for r in rows]})  # fmt: skip
    return articles, dyads, titles


def test_title_rows_are_the_spike_and_its_baseline(story):
    src = source_of(story[:2])
    sel = resolve(src, Filters(dyad="PER-USA"), "D")
    ns = spikes.title_rows(src, sel, SPIKE_DAY, SPIKE_DAY + timedelta(days=1))
    assert ns.tolist() == list(range(1, 11))
    short = spikes.title_rows(src, sel, SPIKE_DAY, SPIKE_DAY, baseline_days=10)
    assert short.tolist() == [4, 5, 6, 7, 8]  # baseline 19-28 January


def test_spike_drivers_exact(story):
    articles, dyads, titles = story
    before = articles.copy(deep=True)
    src = source_of((articles, dyads))
    sel = resolve(src, Filters(dyad="PER-USA"), "D")
    drivers = spikes.spike_drivers(src, sel, SPIKE_DAY, SPIKE_DAY + timedelta(days=1), titles=titles)
    pd.testing.assert_frame_equal(articles, before)
    assert (drivers.start, drivers.end) == (SPIKE_DAY, date(2026, 1, 30))
    assert (drivers.baseline_start, drivers.baseline_end) == (date(2026, 1, 1), date(2026, 1, 28))
    assert (drivers.articles, drivers.baseline_articles) == (6, 4)

    top = drivers.top_articles
    assert list(top.columns) == list(SPIKE_ARTICLE_COLUMNS)
    assert top[["n", "outlet", "title", "copies"]].values.tolist() == [
        [5, "A", "State visit begins in Washington", 3],
        [8, "A", "President hails state visit", 1],
        [9, "B", "State visit ends with trade deal", 1],
        [10, "A", "Peru and US discuss trade", 1],
    ]
    assert top["published"].iloc[0] == pd.Timestamp("2026-01-29T08:00", tz="UTC")

    # Stories in the spike: 4 titles (the wire story once); baseline: 4. "state" and "visit" only
    # occur inside "state visit"; "trade" is as frequent in both (z = 0) and drops out.
    terms = drivers.new_terms
    assert list(terms.columns) == list(SPIKE_TERM_COLUMNS)
    assert terms["term"].tolist() == ["state visit"]
    row = terms.iloc[0]
    log_odds = math.log(3.5 / 1.5) - math.log(0.5 / 4.5)
    assert (row["spike_titles"], row["baseline_titles"], row["spike_share"], row["baseline_share"]) == (3, 0, 0.75, 0)
    assert row["log_odds"] == pytest.approx(log_odds)
    assert row["z"] == pytest.approx(log_odds / math.sqrt(1 / 3.5 + 1 / 1.5 + 1 / 0.5 + 1 / 4.5))

    mix = drivers.theme_mix
    assert list(mix.columns) == list(SPIKE_THEME_COLUMNS)
    assert mix["theme"].tolist() == ["diplomacy", "migration", "health", "culture", "governance", "humanitarian",
                                     "energy", "trade", "security", "environment"]  # fmt: skip
    assert mix.iloc[0][["spike_articles", "baseline_articles"]].tolist() == [5, 0]
    assert mix.iloc[0]["change"] == pytest.approx(5 / 6)
    assert mix.set_index("theme").loc["trade", "change"] == pytest.approx(2 / 6 - 0.5)

    outlets = drivers.outlets
    assert list(outlets.columns) == list(SPIKE_OUTLET_COLUMNS)
    assert outlets.values.tolist() == [["A", 3, 3], ["B", 2, 2], ["C", 1, 1]]


def test_spike_drivers_without_titles_or_articles(story):
    articles, dyads, titles = story
    src = source_of((articles, dyads))
    bare = spikes.spike_drivers(src, resolve(src, Filters(dyad="PER-USA"), "D"), SPIKE_DAY, SPIKE_DAY,
                                titles=titles.iloc[:0])  # fmt: skip
    assert bare.new_terms.empty and list(bare.new_terms.columns) == list(SPIKE_TERM_COLUMNS)
    assert bare.top_articles["n"].tolist() == [5, 8] and bare.top_articles["title"].isna().all()
    empty = spikes.spike_drivers(src, resolve(src, Filters(dyad="COL-VEN"), "D"), SPIKE_DAY, SPIKE_DAY, titles=titles)
    assert empty.articles == 0
    for frame, columns in ((empty.top_articles, SPIKE_ARTICLE_COLUMNS), (empty.new_terms, SPIKE_TERM_COLUMNS),
                           (empty.theme_mix, SPIKE_THEME_COLUMNS), (empty.outlets, SPIKE_OUTLET_COLUMNS)):  # fmt: skip
        assert frame.empty and list(frame.columns) == list(columns)


def test_new_terms_skip_stopwords_in_both_languages():
    spike = ["La visita de Estado a Washington", "Visita de Estado: acuerdos de comercio", "The visit of the year"]
    terms = spikes.new_terms(spike, ["Otra noticia sobre pesca"], top=5)
    assert set(terms["term"]) == {"visita", "estado"}  # "visit" is in one title only; "de", "the" are stopwords
    assert terms["spike_titles"].tolist() == [2, 2]


def test_spike_window():
    assert spikes.spike_window(pd.Timestamp("2026-01-26"), "W") == (date(2026, 1, 26), date(2026, 2, 1))
    assert spikes.spike_window(date(2026, 1, 26), "D") == (date(2026, 1, 26), date(2026, 1, 26))


# --- the demo corpus ---------------------------------------------------------------------------------


def _event_days(dyad: str) -> set[date]:
    days: set[date] = set()
    for event in demo.EVENTS:
        if event.dyad == dyad:
            first, last = event.window(DEMO_END)
            days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return days


@pytest.fixture(scope="module")
def demo_source(demo_db):
    from analytics.store import Store

    with Store(demo_db) as store:
        return source_of(store.load_frames())


@pytest.mark.parametrize("freq", ["D", "W"])
def test_demo_state_visit_is_flagged_and_nothing_outside_the_events(demo_source, freq):
    visit = next(e for e in demo.EVENTS if e.key == "state_visit")
    first, last = visit.window(DEMO_END)
    result = spikes.find_spikes(demo_source, resolve(demo_source, Filters(dyad="PER-USA"), freq))
    volume = volume_rows(result)
    flagged = [p.date() for p in volume["period"]]
    step = 1 if freq == "D" else 7
    in_visit = [p for p in flagged if p <= last and p + timedelta(days=step - 1) >= first]
    # The visit runs Sunday to Saturday at four times the usual volume from Monday to Friday.
    if freq == "W":
        assert in_visit == [first + timedelta(days=1)]
    else:
        assert len(in_visit) >= 3
    events = _event_days("PER-USA")
    for p in flagged:
        assert any(p + timedelta(days=i) in events for i in range(step)), f"false alarm on {p}"


def test_demo_state_visit_drivers(demo_source, demo_db):
    from analytics.store import Store

    sel = resolve(demo_source, Filters(dyad="PER-USA"), "W")
    week = spikes.find_spikes(demo_source, sel)
    visit_start = next(e for e in demo.EVENTS if e.key == "state_visit").window(DEMO_END)[0]
    period = volume_rows(week).loc[lambda f: f["period"] == pd.Timestamp(visit_start + timedelta(days=1)), "period"]
    start, end = spikes.spike_window(period.item(), "W")
    with Store(demo_db) as store:
        titles = store.article_rows(spikes.title_rows(demo_source, sel, start, end))
    drivers = spikes.spike_drivers(demo_source, sel, start, end, titles=titles)
    assert set(drivers.theme_mix["theme"].iloc[:2]) == {"diplomacy", "trade"}
    assert drivers.theme_mix["change"].iloc[0] > 0.15
    assert {"state visit", "visita", "estado"} & set(drivers.new_terms["term"])
    assert drivers.top_articles["copies"].iloc[0] >= 2
    assert drivers.outlets["articles"].sum() == drivers.articles
    assert drivers.top_articles["title"].notna().all()


@pytest.mark.parametrize("dyad", ["COL-USA", "COL-VEN", "CHL-PER"])
@pytest.mark.parametrize("freq", ["D", "W"])
def test_demo_pairs_without_events_are_quiet(demo_source, dyad, freq):
    assert spikes.find_spikes(demo_source, resolve(demo_source, Filters(dyad=dyad), freq)).empty
