"""Every page on a store filled by a real pull (feeds from the local server), not the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedserver import FeedServer, Reply, make_rss
from streamlit.testing.v1 import AppTest

from analytics.ingest.fetch import FetchSettings
from analytics.ingest.pull import pull_once
from analytics.ingest.sources import Source

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
PAGES = [
    "overview",
    "coverage",
    "themes",
    "tone",
    "spikes",
    "articles",
    "compare",
    "data",
]


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    db = tmp_path_factory.mktemp("pulled") / "bilat.sqlite"
    with FeedServer() as server:
        sources = [
            Source(
                id="per-en",
                kind="rss",
                url=server.route("/a.xml", Reply(body=make_rss("a", 40))),
                outlet="Lima Wire",
                country="PER",
                language="en",
            ),
            Source(
                id="usa-es",
                kind="rss",
                url=server.route("/b.xml", Reply(body=make_rss("b", 40, lang="es"))),
                outlet="Voz",
                country="USA",
                language="es",
            ),
            Source(id="wire-a", kind="rss", url=server.file("/wa.xml", "wire_a.xml"), outlet="A", country="PER"),
            Source(id="wire-b", kind="rss", url=server.file("/wb.xml", "wire_b.xml"), outlet="B", country="USA"),
        ]
        report = pull_once(db, sources, settings=FetchSettings(retries=0))
    assert report.status == "ok" and report.new > 80
    return db


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_pulled_data(pulled, use_db, page):
    use_db(pulled)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page != "overview":
        at.switch_page(f"dashboard/pages/{page}.py").run()
    assert not at.exception, at.exception
    assert not any("Demo data" in w.value for w in at.sidebar.warning)
    if page in ("overview", "coverage", "themes", "tone"):
        assert at.get("plotly_chart"), page  # pulled PER-USA coverage is charted
