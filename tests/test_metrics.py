"""Volume, theme and tone measures on hand-made frames with exact expected values, plus invariants
on random frames."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import views
from analytics.errors import InputError
from analytics.filters import Filters
from analytics.intervals import t975
from analytics.measures import themes, tone, volume
from analytics.periods import period_starts
from analytics.schema import (
    NET_TONE_COLUMNS,
    THEME_SHARE_COLUMNS,
    THEME_TOTAL_COLUMNS,
    THEMES,
    TONE_COLUMNS,
    VOLUME_COLUMNS,
)
from analytics.selection import resolve
from tests.conftest import JAN, make_frames, selected_rows, source_of

W1, W2 = pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12")


def volume_of(frames, filters: Filters, freq: str = "W") -> pd.DataFrame:
    src = source_of(frames)
    return volume.volume(src, resolve(src, filters, freq))


def selected_ns(frames, filters: Filters) -> list[int]:
    return selected_rows(source_of(frames), filters)["n"].tolist()


def test_weekly_volume_and_share(tiny):
    vol = volume_of(tiny, Filters(dyad="PER-USA", start=JAN[0], end=JAN[1]), "W")
    assert list(vol.columns) == list(VOLUME_COLUMNS)
    assert vol["period"].tolist() == [W1, W2]
    assert vol["articles"].tolist() == [2, 2]
    assert vol["all_articles"].tolist() == [4, 4]
    assert vol["share"].tolist() == [0.5, 0.5]


def test_daily_volume_fills_empty_days(tiny):
    vol = volume_of(tiny, Filters(dyad="MEX-USA", start=JAN[0], end=JAN[1]), "D")
    assert len(vol) == 14
    assert vol["articles"].sum() == 3
    assert vol.loc[vol["period"] == pd.Timestamp("2026-01-09"), "all_articles"].item() == 0
    assert math.isnan(vol.loc[vol["period"] == pd.Timestamp("2026-01-09"), "share"].item())


def test_monthly_volume(tiny):
    vol = volume_of(tiny, Filters(dyad="PER-USA"), "M")
    assert vol[["articles", "all_articles", "share"]].values.tolist() == [[4, 8, 0.5]]


def test_source_filter_narrows_the_denominator(tiny):
    vol = volume_of(tiny, Filters(dyad="PER-USA", source_countries=("USA",)), "W")
    assert vol["articles"].tolist() == [1, 1]
    assert vol["all_articles"].tolist() == [2, 2]


def test_country_with_any_partner(tiny):
    assert selected_ns(tiny, Filters(country="PER")) == [1, 2, 5, 6]
    assert selected_ns(tiny, Filters(country="CHN")) == [6]


def test_theme_and_language_filters(tiny):
    assert selected_ns(tiny, Filters(dyad="PER-USA", themes=("trade",))) == [2, 5, 6]
    assert selected_ns(tiny, Filters(themes=("energy", "migration"))) == [3, 6, 7, 8]
    assert selected_ns(tiny, Filters(languages=("es",))) == [1, 6, 7]


def test_theme_shares(tiny):
    src = source_of(tiny)
    shares = themes.theme_shares(src, resolve(src, Filters(dyad="PER-USA"), "W"))
    assert list(shares.columns) == list(THEME_SHARE_COLUMNS)
    assert len(shares) == 2 * len(THEMES)
    table = shares.set_index(["period", "theme"])["share"]
    assert table[(W1, "security")] == 1.0
    assert table[(W1, "trade")] == 0.5
    assert table[(W2, "trade")] == 1.0
    assert table[(W2, "energy")] == 0.5
    assert table[(W2, "security")] == 0.0
    assert shares["period_articles"].unique().tolist() == [2]


def test_tone_with_confidence_interval(tiny):
    src = source_of(tiny)
    result = tone.tone(src, resolve(src, Filters(start=JAN[0], end=date(2026, 1, 11)), "W"))
    assert list(result.columns) == list(TONE_COLUMNS)
    row = result.iloc[0]
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(0.1)
    half = 4.303 * 0.4 / math.sqrt(3)
    assert row["ci_low"] == pytest.approx(0.1 - half)
    assert row["ci_high"] == pytest.approx(0.1 + half)


def test_tone_of_one_article_has_no_interval(tiny):
    src = source_of(tiny)
    result = tone.tone(src, resolve(src, Filters(dyad="PER-USA"), "W"))
    assert result["n"].tolist() == [1, 1]
    assert result["mean"].tolist() == [0.5, 0.7]
    assert result["ci_low"].isna().all()


def test_net_tone_counts_articles_leaning_each_way(tiny):
    src = source_of(tiny)
    result = tone.net_tone(src, resolve(src, Filters(start=JAN[0], end=JAN[1]), "W"))
    assert list(result.columns) == list(NET_TONE_COLUMNS)
    # Week 1: 0.5 and 0.1 positive, -0.3 negative (article 1 is unscored). Week 2: 0.7 and -0.9.
    assert result["n"].tolist() == [3, 2]
    assert result["positive"].tolist() == [2, 1]
    assert result["negative"].tolist() == [1, 1]
    assert result["net"].tolist() == pytest.approx([1 / 3, 0.0])
    # The interval of the mean of +1, +1, -1: sd sqrt(4/3), t(2) = 4.303.
    half = t975(2) * math.sqrt(4 / 3) / math.sqrt(3)
    assert result["ci_low"].iloc[0] == pytest.approx(1 / 3 - half)
    assert result["ci_high"].iloc[1] == pytest.approx(t975(1) * math.sqrt(2) / math.sqrt(2))


def test_net_tone_thresholds_are_the_labels():
    rows = [(1, "2026-01-05", "USA", "en", 0.05, ()), (2, "2026-01-05", "USA", "en", -0.05, ()),
            (3, "2026-01-05", "USA", "en", 0.049, ()), (4, "2026-01-05", "USA", "en", 1.0, ())]  # fmt: skip
    src = source_of(make_frames(rows, []))
    result = tone.net_tone(src, resolve(src, Filters(), "D"))
    assert result[["n", "positive", "negative"]].values.tolist() == [[4, 2, 1]]
    assert result["net"].item() == pytest.approx(0.25)


def test_unscored_articles_do_not_count_in_tone(tiny):
    src = source_of(tiny)
    result = tone.tone(src, resolve(src, Filters(languages=("es",)), "M"))
    assert result["n"].tolist() == [0]
    assert math.isnan(result["mean"].item())


def test_by_source(tiny):
    src = source_of(tiny)
    sel = resolve(src, Filters(dyad="PER-USA"), "W")
    vol = volume.volume_by_source(src, sel)
    assert vol.values.tolist() == [[W1, "PER", 1], [W2, "PER", 1], [W1, "USA", 1], [W2, "USA", 1]]
    by_source = tone.tone_by_source_over_time(src, sel)
    usa = by_source.loc[by_source["source_country"] == "USA"]
    assert usa["mean"].tolist() == [0.5, 0.7]
    assert by_source.loc[by_source["source_country"] == "PER", "n"].tolist() == [0, 0]


def kpis_of(src, filters: Filters) -> volume.Kpis:
    return volume.kpis(src, resolve(src, filters))


def test_kpis_against_previous_period(tiny):
    src = source_of(tiny)
    k = kpis_of(src, Filters(dyad="PER-USA", start=W2.date(), end=JAN[1]))
    assert (k.articles, k.share, k.tone, k.tone_n) == (2, 0.5, 0.7, 1)
    assert (k.previous_articles, k.previous_tone, k.change) == (2, 0.5, 0.0)
    mex = kpis_of(src, Filters(dyad="MEX-USA", start=W2.date(), end=JAN[1]))
    assert mex.articles == 2 and mex.previous_articles == 1 and mex.change == 1.0


def test_open_range_has_no_previous_period(tiny):
    k = kpis_of(source_of(tiny), Filters(dyad="PER-USA"))
    assert k.previous_articles is None and k.change is None


def test_overview_on_empty_selection(tiny):
    src = source_of(tiny)
    ov = views.overview(src, Filters(dyad="COL-VEN", start=JAN[0], end=JAN[1]), "W")
    assert ov.kpis.articles == 0
    assert ov.volume["articles"].tolist() == [0, 0]
    assert themes.theme_shares(src, ov.selection)["articles"].sum() == 0
    assert ov.tone["n"].tolist() == [0, 0]
    assert volume.volume_by_source(src, ov.selection).empty


def test_empty_frames_give_empty_results_with_columns():
    src = source_of(make_frames([], []))
    ov = views.overview(src, Filters(dyad="PER-USA"), "W")
    shares = themes.theme_shares(src, resolve(src, Filters(), "W"))
    assert ov.volume.empty and list(ov.volume.columns) == list(VOLUME_COLUMNS)
    assert shares.empty and list(shares.columns) == list(THEME_SHARE_COLUMNS)
    assert ov.tone.empty and list(ov.tone.columns) == list(TONE_COLUMNS)
    assert ov.kpis.articles == 0 and math.isnan(ov.kpis.share)


def test_filters_refuse_bad_values():
    with pytest.raises(InputError, match="reversed"):
        Filters(start=date(2026, 2, 1), end=date(2026, 1, 1))
    with pytest.raises(InputError, match="alphabetical"):
        Filters(dyad="USA-PER")
    with pytest.raises(InputError, match="unknown theme"):
        Filters(themes=("sports",))
    with pytest.raises(ValueError, match="frequency"):
        period_starts(np.array(["2026-01-01"], dtype="datetime64[D]"), "Q")


def test_week_starts_on_monday():
    days = np.array(["2026-01-04", "2026-01-05", "2026-01-11", "2026-01-12"], dtype="datetime64[D]")
    starts = period_starts(days, "W").astype(str).tolist()
    assert starts == ["2025-12-29", "2026-01-05", "2026-01-05", "2026-01-12"]


def test_describe():
    f = Filters(dyad="PER-USA", start=date(2026, 1, 1), end=date(2026, 3, 31), themes=("security",), languages=("es",))
    assert f.describe() == "PER-USA; 2026-01-01 to 2026-03-31; themes: Security & drugs; languages: es"


row = st.tuples(
    st.dates(date(2025, 1, 1), date(2025, 12, 31)),
    st.sampled_from(["PER", "USA", "MEX"]),
    st.sampled_from(["en", "es"]),
    st.one_of(st.none(), st.floats(-1, 1)),
    st.lists(st.sampled_from(THEMES), max_size=3, unique=True),
    st.lists(st.sampled_from(["PER-USA", "MEX-USA", "CHN-PER"]), max_size=2, unique=True),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(row, max_size=40), freq=st.sampled_from(["D", "W", "M"]),
       start_offset=st.integers(0, 200), length=st.integers(0, 200))  # fmt: skip
def test_invariants_on_random_frames(rows, freq, start_offset, length):
    frame_rows = [(i + 1, d.isoformat(), s, lang, t, tuple(th)) for i, (d, s, lang, t, th, _) in enumerate(rows)]
    dyad_rows = [(i + 1, dy) for i, r in enumerate(rows) for dy in r[5]]
    src = source_of(make_frames(frame_rows, dyad_rows))
    start = date(2025, 1, 1) + timedelta(days=start_offset)
    filters = Filters(dyad="PER-USA", start=start, end=start + timedelta(days=length))
    ov = views.overview(src, filters, freq)
    vol = ov.volume
    assert (vol["articles"] >= 0).all() and (vol["articles"] <= vol["all_articles"]).all()
    assert vol["share"].dropna().between(0, 1).all()
    assert vol["articles"].sum() == ov.kpis.articles
    assert themes.theme_shares(src, ov.selection)["share"].dropna().between(0, 1).all()
    assert (ov.tone["n"] >= 0).all()
    means = ov.tone["mean"].dropna()
    assert means.between(-1, 1).all()
    assert ov.tone["n"].sum() == ov.kpis.tone_n
    assert int(volume.volume_by_source(src, ov.selection)["articles"].sum()) == ov.kpis.articles


def test_theme_totals(tiny):
    src = source_of(tiny)
    totals = themes.theme_totals(src, resolve(src, Filters(dyad="PER-USA")))
    assert list(totals.columns) == list(THEME_TOTAL_COLUMNS)
    table = totals.set_index("theme")
    assert table.loc["trade"].tolist() == [3, 0.75]
    assert table.loc["security"].tolist() == [2, 0.5]
    assert table.loc["energy"].tolist() == [1, 0.25]
    assert table.loc["health"].tolist() == [0, 0.0]
    empty = themes.theme_totals(src, resolve(src, Filters(dyad="COL-VEN")))
    assert empty["articles"].sum() == 0 and empty["share"].isna().all() and len(empty) == len(THEMES)


def test_outlet_filter_and_counting_wire_copies_once():
    rows = [
        (1, "2026-01-05", "USA", "en", 0.5, ("trade",)),
        (2, "2026-01-05", "PER", "en", 0.5, ("trade",)),
        (3, "2026-01-06", "PER", "es", None, ("trade",)),
        (4, "2026-01-06", "USA", "en", -0.5, ()),
    ]
    articles, dyads = make_frames(rows, [(1, "PER-USA"), (2, "PER-USA"), (3, "PER-USA"), (4, "MEX-USA")])
    # Articles 1-3 are one wire story reprinted three times.
    articles["cluster_id"] = pd.Categorical(["w", "w", "w", "c4"])
    src = source_of((articles, dyads))
    once = Filters(dyad="PER-USA", once=True)
    assert selected_rows(src, once)["n"].tolist() == [1]
    assert kpis_of(src, once).share == 0.5  # 1 story of 2 stories
    assert selected_rows(src, Filters(outlets=("Outlet PER",)))["n"].tolist() == [2, 3]
    assert once.describe() == "PER-USA; wire copies counted once"


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (30, 2.042), (31, 2.039513), (40, 2.021075), (60, 2.000298), (120, 1.979930), (1000, 1.962339)],
)
def test_t975_is_students_t_past_30_degrees_of_freedom(df, expected):
    # Exact quantiles (R's qt(0.975, df)); 1.96 past 30 made 95% intervals too narrow up to n of about 60.
    assert t975(df) == pytest.approx(expected, abs=2e-6 if df > 30 else 0)
    assert math.isnan(t975(0))


def test_the_mirror_says_when_the_sides_are_read_by_different_scorers():
    rows = [(1, "2026-01-05", "PER", "es", 0.2, ()), (2, "2026-01-05", "PER", "es", 0.1, ()),
            (3, "2026-01-05", "PER", "en", 0.1, ()), (4, "2026-01-06", "USA", "en", -0.2, ()),
            (5, "2026-01-06", "CHL", "es", 0.3, ()), (6, "2026-01-06", "CHL", "es", None, ())]  # fmt: skip
    src = source_of(make_frames(rows, [(n, "PER-USA") for n in range(1, 7)]))
    assert views.scorer_note(src, "PER-USA") == (
        "The two sides are read by different tone scorers (PER's outlets mostly in Spanish and USA's outlets "
        "mostly in English): compare their tone as trends rather than levels."
    )
    assert views.scorer_note(src, "CHL-PER") is None  # both mostly Spanish
    assert views.scorer_note(src, "MEX-USA") is None  # no Mexican outlet scored
    assert views.scorer_note(src, None) is None
