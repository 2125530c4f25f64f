"""The Compare page: two pairs and two periods against the metrics computed directly, side B in
the URL, the empty states, and the page's chart builders."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import engine, views
from analytics.filters import Filters
from analytics.measures.compare import KPI_COLUMNS
from analytics.measures.volume import Kpis
from analytics.schema import THEME_LABELS, THEMES
from analytics.store import Store
from dashboard import compare_charts
from tests.conftest import DEMO_END, open_app, plotly_values
from tests.conftest import chart_specs as figures

PAGE = "dashboard/pages/compare.py"
Q2 = {"from": "2026-04-01", "to": DEMO_END.isoformat()}
Q2_DATES = {"start": date(2026, 4, 1), "end": DEMO_END}


def run(query: dict | None = None):
    return open_app(query, PAGE)


def direct_kpis(path, filters: Filters) -> Kpis:
    with Store(path) as store:
        articles, dyads = store.load_frames()
    return views.overview(engine.from_frames(articles, dyads), filters).kpis


def assert_side(at: AppTest, row: int, path, filters: Filters) -> None:
    """Row ``row`` of the KPI table, and that side's volume line, equal the metrics of ``filters``."""
    expected = direct_kpis(path, filters)
    shown = at.dataframe[0].value.iloc[row]
    assert shown["selection"] == filters.describe()
    assert int(shown["articles"]) == expected.articles
    assert int(shown["tone_n"]) == expected.tone_n
    assert shown["share"] == pytest.approx(expected.share)
    assert shown["tone"] == pytest.approx(expected.tone, nan_ok=True)
    line = figures(at)["Coverage volume per week"]["data"][row]
    assert line["name"].startswith("AB"[row] + ": ")
    assert int(sum(plotly_values(line["y"]))) == expected.articles


def test_two_pairs_side_by_side(demo_db, use_db):
    use_db(demo_db)
    at = run({**Q2, "pair2": "MEX-USA"})
    assert at.title[0].value == "Compare"
    assert at.radio(key="cmp").value == "two pairs" and at.selectbox(key="pair2").value == "MEX-USA"
    assert_side(at, 0, demo_db, Filters(dyad="PER-USA", **Q2_DATES))
    assert_side(at, 1, demo_db, Filters(dyad="MEX-USA", **Q2_DATES))
    charts = figures(at)
    assert set(charts) == {"Coverage volume per week", "Themes", "Tone per week"}
    assert [t["name"] for t in charts["Themes"]["data"]] == ["B: MEX-USA", "A: PER-USA"]
    assert "B: MEX-USA; 2026-04-01 to 2026-06-30" in charts["Themes"]["layout"]["title"]["text"]
    keys = {b.key for b in at.get("download_button")}
    panels = ("compare-volume", "compare-themes", "compare-tone")
    assert keys == {f"{ext}-{p}" for ext in ("png", "svg", "html", "csv", "xlsx") for p in panels} | {
        "briefing-zip-Compare", "briefing-html-Compare"}  # fmt: skip


def test_changing_pair_b_and_a_country_with_any_partner(demo_db, use_db):
    use_db(demo_db)
    at = run({**Q2, "theme": ["trade"]})
    at.selectbox(key="pair2").set_value("PER-any").run()
    assert not at.exception, at.exception
    assert_side(at, 0, demo_db, Filters(dyad="PER-USA", themes=("trade",), **Q2_DATES))
    assert_side(at, 1, demo_db, Filters(country="PER", themes=("trade",), **Q2_DATES))


def test_two_periods_default_to_the_previous_period(demo_db, use_db):
    use_db(demo_db)
    at = run(Q2)
    at.radio(key="cmp").set_value("two periods").run()
    assert not at.exception, at.exception
    previous = Filters(dyad="PER-USA", **Q2_DATES).previous()
    assert (at.date_input(key="from2").value, at.date_input(key="to2").value) == (previous.start, previous.end)
    assert_side(at, 0, demo_db, Filters(dyad="PER-USA", **Q2_DATES))
    assert_side(at, 1, demo_db, previous)
    volume = figures(at)["Coverage volume per week"]
    assert volume["layout"]["xaxis"]["title"]["text"] == "Week of each period (1 = first)"
    assert [plotly_values(t["x"])[0] for t in volume["data"]] == [1, 1]  # both periods start together


def test_two_periods_from_the_link(demo_db, use_db):
    use_db(demo_db)
    at = run({**Q2, "cmp": "two periods", "from2": "2025-10-01", "to2": "2025-12-31", "pair": "CHN-PER"})
    assert at.radio(key="cmp").value == "two periods"
    assert_side(at, 0, demo_db, Filters(dyad="CHN-PER", **Q2_DATES))
    assert_side(at, 1, demo_db, Filters(dyad="CHN-PER", start=date(2025, 10, 1), end=date(2025, 12, 31)))


def test_previous_period_before_the_data_is_cut_and_said(demo_db, use_db):
    use_db(demo_db)
    at = run({"from": "2025-09-01", "to": "2026-02-28", "cmp": "two periods"})
    assert at.date_input(key="from2").value == date(2025, 7, 1)  # the demo's first day
    assert any("reaches beyond the stored data" in c.value for c in at.caption)
    at.date_input(key="from2").set_value(date(2025, 8, 31)).run()
    at.date_input(key="to2").set_value(date(2025, 8, 1)).run()
    assert any("reversed" in w.value for w in at.warning)
    assert not at.exception


def test_a_side_without_coverage_is_named(small_db, use_db):
    use_db(small_db)
    at = run({"pair": "COL-VEN", "theme": ["security"], "pair2": "PER-USA"})
    assert any("Side A (COL-VEN" in w.value and "no articles" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert table["articles"].tolist() == [0, 1]
    assert len(at.get("plotly_chart")) == 3


def test_no_coverage_on_either_side_says_so(small_db, use_db):
    use_db(small_db)
    at = run({"pair": "COL-VEN", "theme": ["health"], "pair2": "PER-USA"})
    assert any("No articles match these filters" in i.value for i in at.info)
    assert not at.get("plotly_chart")


# --- chart builders ----------------------------------------------------------------------------------


A_WEEKS = pd.date_range("2026-01-05", periods=3, freq="W-MON")
B_WEEKS = pd.date_range("2025-10-06", periods=2, freq="W-MON")


def side_rows(dyad: str, weeks: pd.DatetimeIndex, volume: list[int], tones: list[float]) -> list[tuple]:
    """``(dyad, day, tone)`` rows: ``volume[k]`` articles on week ``k``'s Monday, the first of them scored
    ``tones[k]`` (NaN: none scored), so each week's mean tone is exactly ``tones[k]``."""
    return [(dyad, week, tone if i == 0 and not math.isnan(tone) else math.nan)
            for week, count, tone in zip(weeks, volume, tones, strict=True) for i in range(count)]  # fmt: skip


@pytest.fixture(scope="module")
def comparison():
    """Side A: PER-USA, 3, 4, 5 articles in three weeks, tone 0.1, 0.2, 0.3, theme ``k`` on ``k`` of its
    articles; side B: MEX-USA, 7 and 8 articles in two weeks, tone -0.1 then none scored, no theme."""
    rows = side_rows("PER-USA", A_WEEKS, [3, 4, 5], [0.1, 0.2, 0.3]) + side_rows(
        "MEX-USA", B_WEEKS, [7, 8], [-0.1, math.nan]
    )
    a_count = 12
    masks = [sum(1 << k for k in range(len(THEMES)) if k > j) if j < a_count else 0 for j in range(len(rows))]
    articles = pd.DataFrame(
        {"n": range(1, len(rows) + 1), "published": pd.to_datetime([r[1] for r in rows], utc=True),
         "outlet": "Outlet", "source_country": "USA", "language": "en", "sentiment": [r[2] for r in rows],
         "theme_mask": masks, "cluster_id": [f"c{n}" for n in range(1, len(rows) + 1)]}
    )  # fmt: skip
    dyads = pd.DataFrame({"n": range(1, len(rows) + 1), "dyad": [r[0] for r in rows]})
    a = Filters(dyad="PER-USA", start=A_WEEKS[0].date(), end=A_WEEKS[-1].date())
    b = Filters(dyad="MEX-USA", start=B_WEEKS[0].date(), end=B_WEEKS[-1].date())
    return views.compare(engine.from_frames(articles, dyads), a, b, "W", ("A: one", "B: two")).comparison


def test_compare_frames_number_each_sides_periods(comparison):
    assert comparison.volume["step"].tolist() == [1, 2, 3, 1, 2]
    assert comparison.volume["side"].tolist() == ["A"] * 3 + ["B"] * 2
    assert list(comparison.volume.columns[:3]) == ["side", "label", "step"]
    assert comparison.kpis["articles"].tolist() == [12, 15]
    assert list(comparison.kpis.columns) == list(KPI_COLUMNS)
    assert len(comparison.themes) == 2 * len(THEMES)


@pytest.mark.parametrize("aligned", [True, False])
def test_compare_volume_chart(comparison, aligned):
    data = comparison.volume
    spec = compare_charts.compare_volume_chart(data, subtitle="S", freq="W", aligned=aligned).to_dict()
    assert [t["name"] for t in spec["data"]] == ["A: one", "B: two"]
    assert plotly_values(spec["data"][1]["y"]) == [7, 8]
    x = plotly_values(spec["data"][1]["x"])
    expected_x = [1, 2] if aligned else list(B_WEEKS)
    assert (x if aligned else pd.to_datetime(x).tolist()) == expected_x
    assert spec["data"][1]["line"]["dash"] == "dash"
    assert spec["layout"]["xaxis"]["title"]["text"] == ("Week of each period (1 = first)" if aligned else "Week")
    assert spec["layout"]["yaxis"]["title"]["text"] == "Articles"


def test_compare_theme_chart(comparison):
    data = comparison.themes
    spec = compare_charts.compare_theme_chart(data, subtitle="S").to_dict()
    assert [t["name"] for t in spec["data"]] == ["B: two", "A: one"]  # A is the upper bar of each pair
    assert spec["layout"]["legend"]["traceorder"] == "reversed"
    assert list(spec["data"][1]["y"]) == [THEME_LABELS[t] for t in reversed(THEMES)]
    assert plotly_values(spec["data"][1]["customdata"]) == list(reversed(range(len(THEMES))))
    assert spec["layout"]["barmode"] == "group"


def test_compare_tone_chart(comparison):
    data = comparison.tone
    spec = compare_charts.compare_tone_chart(data, subtitle="S", freq="W", aligned=True).to_dict()
    assert plotly_values(spec["data"][0]["y"]) == [0.1, 0.2, 0.3]
    second = plotly_values(spec["data"][1]["y"])
    assert second[0] == -0.1 and math.isnan(second[1])
    assert spec["layout"]["yaxis"]["title"]["text"].startswith("Tone")
    assert spec["layout"]["yaxis"]["range"] == [-1, 1]
