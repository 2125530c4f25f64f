"""The Spikes page: flagged periods on the demo corpus, their drivers, the jump to the articles,
the empty and quiet states, and the page's chart builders."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from analytics import demo, engine, views
from analytics.filters import Filters
from analytics.measures.spikes import mark_spikes
from analytics.schema import THEME_LABELS
from analytics.store import Store
from dashboard import spike_charts, theme_charts
from tests.conftest import DEMO_END, open_app, plotly_values
from tests.conftest import chart_specs as figures

PAGE = "dashboard/pages/spikes.py"
YEAR = {"from": "2025-07-01", "to": DEMO_END.isoformat()}
FILTERS = Filters(dyad="PER-USA", start=date(2025, 7, 1), end=DEMO_END)
VISIT_START, VISIT_END = next(e for e in demo.EVENTS if e.key == "state_visit").window(DEMO_END)
VISIT_WEEK = VISIT_START + timedelta(days=(7 - VISIT_START.weekday()) % 7)  # the Monday of the busy days


def run(query: dict | None = None):
    return open_app(query, PAGE)


def trace(spec: dict, name: str) -> dict:
    return next(t for t in spec["data"] if t.get("name") == name)


def source_of(path) -> engine.Source:
    with Store(path) as store:
        return engine.from_frames(*store.load_frames())


def test_weekly_spikes_of_the_demo_year_include_the_state_visit(demo_db, use_db):
    use_db(demo_db)
    at = run(YEAR)
    assert at.title[0].value == "Spikes"
    table = at.dataframe[0].value
    expected = views.spike_view(source_of(demo_db), FILTERS, "W").spikes
    assert len(table) == len(expected) > 0
    assert list(pd.to_datetime(table["period"])) == list(expected["period"])
    visit = table.loc[pd.to_datetime(table["period"]) == pd.Timestamp(VISIT_WEEK)]
    assert set(visit["kind"]) >= {"volume"}
    assert VISIT_WEEK.isoformat() in at.selectbox(key="spike").options

    charts = figures(at)
    volume = charts["Coverage volume per week, spikes marked"]
    bars = trace(volume, "Articles")
    assert int(sum(plotly_values(bars["y"]))) == views.overview(source_of(demo_db), FILTERS).kpis.articles
    marked = [pd.Timestamp(x).date() for x in plotly_values(trace(volume, "Volume spike")["x"])]
    assert VISIT_WEEK in marked
    assert marked == [p.date() for p in expected.loc[expected["kind"] == "volume", "period"]]
    tone_marks = trace(charts["Tone per week, shifts marked"], "Tone shift")
    assert VISIT_WEEK in [pd.Timestamp(x).date() for x in plotly_values(tone_marks["x"])]
    assert "a robust z-score" in " ".join(c.value for c in at.caption)


def test_choosing_the_visit_shows_what_drove_it(demo_db, use_db):
    use_db(demo_db)
    at = run(YEAR)
    at.selectbox(key="spike").set_value(VISIT_WEEK.isoformat()).run()
    assert not at.exception, at.exception
    assert at.subheader[-1].value == f"What drove {VISIT_WEEK} to {VISIT_WEEK + timedelta(days=6)}"
    text = " ".join(m.value for m in at.markdown).lower()
    assert "state visit" in text and "visita" in text
    outlets = at.dataframe[1].value
    assert int(outlets["articles"].sum()) == int(at.dataframe[0].value.query("kind == 'volume'").loc[
        lambda f: pd.to_datetime(f["period"]) == pd.Timestamp(VISIT_WEEK), "articles"].item())  # fmt: skip
    mix = figures(at)["Theme mix: spike vs baseline"]
    spike_bars = trace(mix, "Spike")
    # The themes that rose most are drawn on top: the visit's diplomacy and trade.
    assert set(spike_bars["y"][-2:]) == {THEME_LABELS["diplomacy"], THEME_LABELS["trade"]}
    assert {b.key for b in at.get("download_button")} >= {"csv-spikes-themes", "briefing-zip-Spikes"}


def test_a_spike_in_the_link_is_chosen(demo_db, use_db):
    use_db(demo_db)
    at = run({**YEAR, "spike": VISIT_WEEK.isoformat()})
    assert at.selectbox(key="spike").value == VISIT_WEEK.isoformat()
    assert at.button(key="spike-articles")


@pytest.mark.parametrize(("freq", "period", "days"), [("week", VISIT_WEEK, 7), ("day", VISIT_WEEK, 1)])
def test_open_these_articles_goes_to_the_articles_of_the_spike(demo_db, use_db, freq, period, days):
    use_db(demo_db)
    at = run({**YEAR, "freq": freq})
    at.selectbox(key="spike").set_value(period.isoformat()).run()
    at.button(key="spike-articles").click().run()
    assert not at.exception, at.exception
    end = period + timedelta(days=days - 1)
    assert at.title[0].value == "Articles"
    assert at.date_input(key="from").value == period and at.date_input(key="to").value == end
    assert f"{period} to {end}" in at.caption[0].value
    shown = Filters(dyad="PER-USA", start=period, end=end)
    assert f"— {views.overview(source_of(demo_db), shown).kpis.articles} articles" in at.caption[0].value
    assert at.selectbox(key="pair").value == "PER-USA"  # the other filters are kept


def test_monthly_setting_falls_back_to_weeks(demo_db, use_db):
    use_db(demo_db)
    at = run({**YEAR, "freq": "month"})
    assert "shown per week here" in " ".join(c.value for c in at.caption)
    assert "Coverage volume per week, spikes marked" in figures(at)


def test_a_quiet_pair_says_no_spike(demo_db, use_db):
    use_db(demo_db)
    at = run({**YEAR, "pair": "COL-VEN"})
    assert any("stands out" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 2
    assert not trace(figures(at)["Coverage volume per week, spikes marked"], "Volume spike").get("x")


def test_a_pair_without_coverage_says_so(small_db, use_db):
    use_db(small_db)
    at = run({"pair": "COL-VEN", "theme": ["security"]})
    assert any("No articles match these filters" in i.value for i in at.info)
    assert not at.get("plotly_chart") and not at.dataframe


# --- chart builders ----------------------------------------------------------------------------------

WEEKS = pd.date_range("2026-01-05", periods=4, freq="W-MON")
FOUND = pd.DataFrame(
    {"period": [WEEKS[2], WEEKS[2], WEEKS[3]], "kind": ["volume", "tone", "tone"], "value": [30.0, 0.4, -0.5],
     "baseline": [8.0, 0.0, 0.1], "score": [5.1, 3.4, -4.2], "articles": [30, 30, 9]}
)  # fmt: skip


def test_mark_spikes_flags_only_its_kind():
    volume = pd.DataFrame({"period": WEEKS, "articles": [8, 9, 30, 9], "all_articles": [20] * 4, "share": [0.4] * 4})
    marked = mark_spikes(volume, FOUND, "volume")
    assert marked["flagged"].tolist() == [False, False, True, False]
    assert marked["score"].iloc[2] == 5.1 and marked["score"].isna().sum() == 3
    assert "flagged" not in volume.columns  # the input is not changed
    empty = mark_spikes(volume, FOUND.iloc[0:0], "volume")
    assert not empty["flagged"].any()


def test_spike_volume_chart():
    volume = pd.DataFrame({"period": WEEKS, "articles": [8, 9, 30, 9], "all_articles": [20] * 4, "share": [0.4] * 4})
    fig = spike_charts.spike_volume_chart(mark_spikes(volume, FOUND, "volume"), subtitle="S", freq="W")
    spec = fig.to_dict()
    assert [t["name"] for t in spec["data"]] == ["Articles", "Volume spike"]
    assert plotly_values(spec["data"][0]["y"]) == [8, 9, 30, 9]
    assert plotly_values(spec["data"][1]["y"]) == [30]
    assert pd.Timestamp(plotly_values(spec["data"][1]["x"])[0]) == WEEKS[2]
    assert spec["layout"]["yaxis"]["title"]["text"] == "Articles"
    assert spec["layout"]["title"]["text"] == "Coverage volume per week, spikes marked<br><sup>S</sup>"


def test_spike_tone_chart_points_shifts_up_or_down():
    tone = pd.DataFrame({"period": WEEKS, "n": [10, 12, 30, 9], "mean": [0.0, 0.1, 0.4, -0.5],
                         "ci_low": [-0.2] * 4, "ci_high": [0.2] * 4})  # fmt: skip
    spec = spike_charts.spike_tone_chart(mark_spikes(tone, FOUND, "tone"), subtitle="S", freq="D").to_dict()
    shifts = trace(spec, "Tone shift")
    assert plotly_values(shifts["y"]) == [0.4, -0.5]
    assert shifts["marker"]["symbol"] == ["triangle-up", "triangle-down"]
    assert plotly_values(trace(spec, "Mean tone")["y"]) == [0.0, 0.1, 0.4, -0.5]
    assert spec["layout"]["yaxis"]["title"]["text"].startswith("Tone")
    assert spec["layout"]["xaxis"]["title"]["text"] == "Day"


def test_theme_mix_chart():
    mix = pd.DataFrame(
        {"theme": ["diplomacy", "security"], "spike_articles": [30, 2], "spike_share": [0.6, 0.04],
         "baseline_articles": [10, 20], "baseline_share": [0.1, 0.2], "change": [0.5, -0.16]}
    )  # fmt: skip
    spec = theme_charts.theme_mix_chart(mix, subtitle="S").to_dict()
    assert [t["name"] for t in spec["data"]] == ["Baseline", "Spike"]
    spike = trace(spec, "Spike")
    assert list(spike["y"]) == [THEME_LABELS["security"], THEME_LABELS["diplomacy"]]  # rising themes on top
    assert plotly_values(spike["x"]) == [0.04, 0.6]
    assert plotly_values(trace(spec, "Baseline")["x"]) == [0.2, 0.1]
    assert spec["layout"]["xaxis"]["title"]["text"] == "Share of articles with the theme"
