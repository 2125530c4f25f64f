"""Sidebar filters: presets, any-partner scope, outlets, wire copies once, reset, bad links."""

from __future__ import annotations

from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from analytics import engine, views
from analytics.filters import Filters
from analytics.store import Store
from tests.conftest import open_app as run


def articles_shown(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Articles").replace(",", ""))


def expected(db, filters: Filters) -> int:
    with Store(db) as store:
        articles, dyads = store.load_frames()
    return views.overview(engine.from_frames(articles, dyads), filters).kpis.articles


def last_day(db) -> date:
    with Store(db) as store:
        return date.fromisoformat(store.conn.execute("SELECT MAX(published) FROM articles").fetchone()[0][:10])


def test_country_with_any_partner(demo_db, use_db):
    use_db(demo_db)
    at = run({"pair": "PER-any", "from": "2026-01-01", "to": "2026-03-31"})
    assert at.caption[0].value.startswith("PER with any partner; 2026-01-01 to 2026-03-31")
    assert articles_shown(at) == expected(
        demo_db, Filters(country="PER", start=date(2026, 1, 1), end=date(2026, 3, 31))
    )


def test_count_wire_copies_once_and_outlets(demo_db, use_db):
    use_db(demo_db)
    every = articles_shown(run({"from": "2026-01-01", "to": "2026-06-30"}))
    at = run({"from": "2026-01-01", "to": "2026-06-30", "once": "true"})
    assert "wire copies counted once" in at.caption[0].value
    once = articles_shown(at)
    assert once == expected(demo_db, Filters(dyad="PER-USA", start=date(2026, 1, 1), end=date(2026, 6, 30), once=True))
    assert once < every  # the demo corpus reprints wire stories
    outlet = at.multiselect(key="outlet").options[0]
    at.multiselect(key="outlet").set_value([outlet]).run()
    assert f"outlets: {outlet}" in at.caption[0].value


def test_presets_set_the_dates(demo_db, use_db):
    use_db(demo_db)
    at = run()
    at.segmented_control(key="preset").set_value("30 days").run()
    end = last_day(demo_db)
    assert at.date_input(key="from").value == end - timedelta(days=29)
    assert at.date_input(key="to").value == end
    assert f"{end - timedelta(days=29)} to {end}" in at.caption[0].value


def test_reset_returns_to_the_default_view(demo_db, use_db):
    use_db(demo_db)
    at = run({"pair": "MEX-USA", "theme": ["migration"], "once": "true"})
    assert at.selectbox(key="pair").value == "MEX-USA"
    at.button(key="reset").click().run()
    assert at.selectbox(key="pair").value == "PER-USA"
    assert at.multiselect(key="theme").value == [] and at.toggle(key="once").value is False


def test_bad_links_fall_back_with_a_note(demo_db, use_db):
    use_db(demo_db)
    at = run({"pair": "XXX-YYY", "theme": ["sports", "trade"], "from": "1999-01-01", "lang": "klingon"})
    notes = " ".join(w.value for w in at.sidebar.warning)
    assert "'XXX-YYY' has no coverage" in notes
    assert "Unknown theme 'sports'" in notes
    assert "'from' date 1999-01-01 is outside the data" in notes
    assert "language 'klingon' is not in this store" in notes
    assert at.selectbox(key="pair").value == "PER-USA"
    reversed_ = run({"from": "2026-05-01", "to": "2026-02-01"})
    assert any("reversed" in w.value for w in reversed_.sidebar.warning)
    assert not reversed_.exception and articles_shown(reversed_) > 0


def test_link_notes_show_the_links_values_as_text_cut_short():
    from dashboard.data import Choices
    from dashboard.sidebar import Defaults, link_notes
    from tests.test_safe_rendering import markup_in, shown

    jan, mar = date(2026, 1, 1), date(2026, 3, 31)
    choices = Choices(("PER-USA",), ("PER",), ("en",), ("Andina",), jan, mar)
    attack = "[Re-authenticate](http://evil.example/) ![](http://evil.example/x.png) www.evil.example.com"
    params = {"pair": [attack], "from": ["<img src=x>"], "theme": [":red[x]"], "source": ["$x$"], "lang": ["a@b.com"]}
    notes = link_notes(params, ["PER-USA"], choices, Defaults("PER-USA", jan, mar, jan, mar))
    assert len(notes) == 5
    assert [markup_in(note) for note in notes] == [[]] * 5
    assert f"pair '{attack[:60]}…' has no coverage" in shown(notes[0])
    long = link_notes({"pair": ["x" * 5000]}, ["PER-USA"], choices, Defaults("PER-USA", jan, mar, jan, mar))
    assert f"'{'x' * 60}…'" in long[0] and len(long[0]) < 200
