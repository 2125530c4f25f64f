"""The Data page and the freshness warning every page shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from feedserver import FeedServer, Reply, make_rss

from analytics.ingest.fetch import FetchSettings
from analytics.ingest.pull import pull_once
from analytics.ingest.sources import Source
from dashboard.data import StoreInfo, freshness_warning
from tests.conftest import open_app

QUICK = FetchSettings(timeout=1.5, retries=0)
PARTLY = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Partly</title>
<item><title>Peru and the US meet in Lima</title><link>https://partly.example.org/1</link></item>
<item><title>An item without a link</title></item></channel></rss>"""


@pytest.fixture(scope="module")
def pulled_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("pulled") / "bilat.sqlite"
    with FeedServer() as server:
        good = server.route("/good.xml", Reply(body=make_rss("good", 6)))
        bad = server.route("/bad.xml", Reply(503))
        partly = server.route("/partly.xml", Reply(body=PARTLY))
        sources = [
            Source(id="good", kind="rss", url=good, outlet="Good News", country="PER"),
            Source(id="bad", kind="rss", url=bad, outlet="Bad News", country="USA"),
            Source(id="partly", kind="rss", url=partly, outlet="Partly News", country="PER"),
        ]
        pull_once(db, sources, settings=QUICK)
    return db


def test_data_page_shows_source_health(pulled_db, use_db):
    use_db(pulled_db)
    at = open_app(page="dashboard/pages/data.py")
    assert at.title[0].value == "Data"
    health = at.dataframe[0].value.set_index("source_id")
    assert health.loc["good", "items_new"] == 6 and health.loc["good", "last_status"] == "ok"
    assert health.loc["bad", "last_status"] == "failed"
    assert health.loc["bad", "last_error"].startswith("HTTP 503 Service Unavailable")
    assert health.loc["partly", "items_new"] == 1 and health.loc["partly", "notes"] == "item 2: no http(s) link"
    runs = at.dataframe[1].value
    assert runs.loc[0, "status"] == "partial" and runs.loc[0, "articles_new"] == 7
    assert next(m.value for m in at.metric if m.label == "Store") == "pulled data"
    assert not at.warning  # a pull just succeeded: fresh


def test_every_page_warns_when_the_data_is_stale(pulled_db, use_db, monkeypatch):
    use_db(pulled_db)
    monkeypatch.setenv("BILAT_STALE_HOURS", "0")
    at = open_app()
    assert any("The data may be stale" in w.value for w in at.warning)
    at.switch_page("dashboard/pages/data.py").run()
    assert any("The data may be stale" in w.value for w in at.warning)


def test_data_page_on_demo_data(demo_db, use_db):
    use_db(demo_db)
    at = open_app(page="dashboard/pages/data.py")
    assert next(m.value for m in at.metric if m.label == "Store") == "demo data"
    assert any("No source has been pulled" in i.value for i in at.info)


def test_freshness_rule():
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    info = StoreInfo("x", 1, 10, False, {}, now - timedelta(hours=2))
    assert freshness_warning(info, now) is None
    assert "7 hours ago" in freshness_warning(replace(info, last_success=now - timedelta(hours=7)), now)
    assert "No pull has succeeded" in freshness_warning(replace(info, last_success=None), now)
    assert freshness_warning(replace(info, demo=True, last_success=None), now) is None
