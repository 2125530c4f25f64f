"""Coverage, Themes and Tone pages through AppTest: figures equal the analytics, filters change them."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import engine, views
from analytics.filters import Filters
from analytics.store import Store
from tests.conftest import chart_specs as figures
from tests.conftest import open_app, plotly_values

RANGE = {"from": "2026-01-01", "to": "2026-06-30"}
FILTERS = Filters(dyad="PER-USA", start=date(2026, 1, 1), end=date(2026, 6, 30))


@pytest.fixture(scope="module")
def demo_source(demo_db):
    with Store(demo_db) as store:
        return engine.from_frames(*store.load_frames())


def test_coverage_page(demo_db, use_db, demo_source):
    use_db(demo_db)
    at = open_app(page="dashboard/pages/coverage.py", query=RANGE)
    charts = figures(at)
    # The demo's Peruvian outlets write in Spanish and the US ones in English.
    assert [c.value for c in at.caption if "different tone scorers" in c.value] == [
        views.scorer_note(demo_source, "PER-USA")
    ]
    assert set(charts) == {
        "Coverage volume per week", "Coverage by source country per week",
        "Mirror view: each side's media on the relationship", "Outlet diversity per week",
    }  # fmt: skip
    selected = views.overview(demo_source, FILTERS, "W").kpis.articles
    stacked = sum(sum(plotly_values(t["y"])) for t in charts["Coverage by source country per week"]["data"])
    assert stacked == selected
    mirror = views.coverage(demo_source, FILTERS, "W").mirror
    per_trace = {
        t["name"]: plotly_values(t["y"]) for t in charts["Mirror view: each side's media on the relationship"]["data"]
    }
    assert per_trace["PER media"] == pytest.approx(
        mirror.loc[mirror["source_country"] == "PER", "share"].tolist(), nan_ok=True
    )
    assert len(at.get("download_button")) == 4 * 5 + 2


def test_mirror_view_needs_a_pair(demo_db, use_db):
    use_db(demo_db)
    at = open_app(page="dashboard/pages/coverage.py", query={**RANGE, "pair": "PER-any"})
    assert "Mirror view: each side's media on the relationship" not in figures(at)
    assert any("needs a country pair" in c.value for c in at.caption)


def test_themes_page(demo_db, use_db, demo_source):
    use_db(demo_db)
    at = open_app(page="dashboard/pages/themes.py", query=RANGE)
    charts = figures(at)
    assert set(charts) == {"Themes per week", "Themes by source country",
                           "Themes rising and falling against the previous period"}  # fmt: skip
    changes = views.theme_view(demo_source, FILTERS, "W").changes
    bars = charts["Themes rising and falling against the previous period"]["data"][0]
    assert sorted(plotly_values(bars["x"])) == pytest.approx(sorted(changes["change"].tolist()))


def test_tone_page(demo_db, use_db, demo_source):
    use_db(demo_db)
    at = open_app(page="dashboard/pages/tone.py", query={**RANGE, "theme": ["trade"]})
    charts = figures(at)
    assert {"Tone per week", "Net tone per week", "Distribution of article tone", "Tone by theme",
            "Tone by source country", "Relation tone and article tone per week"} == set(charts)  # fmt: skip
    assert any(c.value.startswith("Tone is for trends") for c in at.caption)
    filters = Filters(dyad="PER-USA", start=date(2026, 1, 1), end=date(2026, 6, 30), themes=("trade",))
    histogram = charts["Distribution of article tone"]["data"][0]
    assert sum(plotly_values(histogram["y"])) == views.overview(demo_source, filters, "W").kpis.tone_n
    expected = views.tone_view(demo_source, filters, "W").tone
    line = next(t for t in charts["Tone per week"]["data"] if t["name"] == "Mean tone")
    assert plotly_values(line["y"]) == pytest.approx(expected["mean"].tolist(), nan_ok=True)
    net = views.tone_view(demo_source, filters, "W").net
    line = next(t for t in charts["Net tone per week"]["data"] if t["name"] == "Net tone")
    assert plotly_values(line["y"]) == pytest.approx(net["net"].tolist(), nan_ok=True)
    assert net["n"].sum() == views.overview(demo_source, filters, "W").kpis.tone_n


@pytest.mark.parametrize("page", [f"dashboard/pages/{name}.py" for name in ("coverage", "themes", "tone")])
def test_empty_filters_show_the_message(demo_db, use_db, page):
    use_db(demo_db)
    at = open_app(page=page, query={**RANGE, "pair": "COL-VEN", "lang": "en", "source": "CHN"})
    assert any("No articles match" in i.value for i in at.info)
    assert not at.get("plotly_chart")
