"""The dashboard through Streamlit's AppTest: filters, deep links and the empty state."""

from __future__ import annotations

from datetime import datetime

from streamlit.testing.v1 import AppTest

from analytics import engine, views
from analytics.filters import Filters
from analytics.store import Store
from tests.conftest import APP, DEMO_END, plotly_values
from tests.conftest import chart_specs as figures
from tests.conftest import open_app as run_app


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def bar_total(spec: dict) -> int:
    bars = next(t for t in spec["data"] if t["type"] == "bar")
    return int(sum(plotly_values(bars["y"])))


def expected_count(path, filters: Filters) -> int:
    with Store(path) as store:
        articles, dyads = store.load_frames()
    return views.overview(engine.from_frames(articles, dyads), filters).kpis.articles


def test_overview_renders_demo_data(demo_db, use_db):
    use_db(demo_db)
    at = run_app()
    assert at.title[0].value == "Overview"
    charts = figures(at)
    assert set(charts) == {"Coverage volume per week", "Themes", "Tone per week"}
    assert "DEMO DATA" in charts["Themes"]["layout"]["title"]["text"]
    articles = int(metric(at, "Articles").replace(",", ""))
    default = Filters(dyad="PER-USA", start=datetime(2025, 7, 1).date(), end=DEMO_END)
    assert articles == expected_count(demo_db, default) > 100
    assert bar_total(charts["Coverage volume per week"]) == articles
    assert any("Demo data" in w.value for w in at.sidebar.warning)
    keys = {b.key for b in at.get("download_button")}
    expected = {
        f"{ext}-{name}" for ext in ("png", "svg", "html", "csv", "xlsx") for name in ("volume", "themes", "tone")
    }
    assert keys == expected | {"briefing-zip-Overview", "briefing-html-Overview"}


def test_changing_the_pair_changes_the_charts(demo_db, use_db):
    use_db(demo_db)
    at = run_app()
    before = bar_total(figures(at)["Coverage volume per week"])
    at.selectbox(key="pair").set_value("MEX-USA").run()
    assert not at.exception
    after = bar_total(figures(at)["Coverage volume per week"])
    expected = expected_count(demo_db, Filters(dyad="MEX-USA", start=datetime(2025, 7, 1).date(), end=DEMO_END))
    assert after == expected and after != before
    assert "MEX-USA" in at.caption[0].value


def test_theme_filter_narrows_the_count(demo_db, use_db):
    use_db(demo_db)
    at = run_app()
    total = int(metric(at, "Articles").replace(",", ""))
    at.multiselect(key="theme").set_value(["trade"]).run()
    narrowed = int(metric(at, "Articles").replace(",", ""))
    assert 0 < narrowed < total
    bars = figures(at)["Themes"]["data"][0]
    shares = dict(zip(bars["y"], plotly_values(bars["x"]), strict=True))
    assert shares["Trade & economy"] == 1.0  # every article of a trade-only selection has the theme


def test_deep_link_restores_the_view(demo_db, use_db):
    use_db(demo_db)
    at = run_app({"pair": "CHN-PER", "theme": ["trade", "energy"], "from": "2026-01-01", "to": "2026-03-31"})
    assert at.selectbox(key="pair").value == "CHN-PER"
    assert at.multiselect(key="theme").value == ["trade", "energy"]
    assert at.caption[0].value.startswith("CHN-PER; 2026-01-01 to 2026-03-31; themes: Trade & economy, Energy")
    expected = expected_count(
        demo_db,
        Filters(dyad="CHN-PER", start=datetime(2026, 1, 1).date(), end=datetime(2026, 3, 31).date(),
                themes=("trade", "energy")),
    )  # fmt: skip
    assert int(metric(at, "Articles").replace(",", "")) == expected


def test_filters_that_match_nothing_say_so(small_db, use_db):
    use_db(small_db)
    at = run_app({"pair": "COL-VEN", "theme": ["security"]})
    assert at.selectbox(key="pair").value == "COL-VEN"
    assert any("No articles match these filters" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert not at.sidebar.warning  # real data: no demo banner


def test_an_empty_store_says_how_to_fill_it_and_seeds_nothing(tmp_path, use_db):
    # Seeding is `bilat serve`'s job, before any visitor: a page view must never start it.
    db = tmp_path / "fresh.sqlite"
    Store(db).close()
    use_db(db)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    notice = at.info[0].value
    assert all(command in notice for command in ("bilat pull", "bilat import", "bilat demo"))
    assert not at.get("plotly_chart") and not at.metric and not at.sidebar.selectbox
    with Store(db) as store:
        assert store.count_articles() == 0
