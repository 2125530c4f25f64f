"""Shared fixtures: tiny hand-made frames, and small real stores built through the pipeline."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from analytics.schema import THEMES

if TYPE_CHECKING:
    from analytics.engine import Source
    from analytics.filters import Filters


@pytest.fixture(autouse=True)
def _main_module_restored():
    """AppTest runs a page script as ``__main__`` and leaves it there. A process spawned afterwards
    (the enrichment's worker pools, a Dask cluster's workers) runs its parent's main module again
    on start, so it would run that page and die: give every test pytest's own main module back."""
    main = sys.modules.get("__main__")
    yield
    if sys.modules.get("__main__") is not main:
        sys.modules["__main__"] = main


def bits(*themes: str) -> int:
    mask = 0
    for theme in themes:
        mask |= 1 << THEMES.index(theme)
    return mask


def make_frames(rows: list[tuple], dyad_rows: list[tuple[int, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Analysis frames from ``(n, 'YYYY-MM-DD', source, language, sentiment|None, themes)`` rows."""
    published = pd.to_datetime([r[1] for r in rows], utc=True)
    articles = pd.DataFrame(
        {
            "n": np.array([r[0] for r in rows], dtype=np.int64),
            "published": published,
            "day": published.tz_localize(None).floor("D"),
            "outlet": pd.Categorical([f"Outlet {r[2]}" for r in rows]),
            "source_country": pd.Categorical([r[2] for r in rows]),
            "language": pd.Categorical([r[3] for r in rows]),
            "sentiment": np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=np.float64),
            "theme_mask": np.array([bits(*r[5]) for r in rows], dtype=np.int32),
            "cluster_id": pd.Categorical([f"c{r[0]}" for r in rows]),
        }
    )
    dyads = pd.DataFrame(
        {"n": np.array([d[0] for d in dyad_rows], dtype=np.int64), "dyad": pd.Categorical([d[1] for d in dyad_rows])}
    )
    return articles, dyads


def source_of(frames: tuple[pd.DataFrame, pd.DataFrame]) -> Source:
    """A DuckDB :class:`~analytics.engine.Source` over ``(articles, dyads)`` frames such as
    :func:`make_frames` returns (the frames are left as they are). Imported here, not at the top,
    so tests that never query do not load Ibis."""
    from analytics.engine import from_frames

    return from_frames(*frames)


def selected_rows(source: Source, filters: Filters) -> pd.DataFrame:
    """The articles ``filters`` select from ``source``, in row-number order."""
    from analytics.selection import selected

    return source.run(selected(source, filters)).sort_values("n", kind="stable").reset_index(drop=True)


@pytest.fixture
def tiny():
    """Eight articles over two weeks of January 2026 (weeks start Mon 5 and Mon 12)."""
    rows = [
        (1, "2026-01-05", "PER", "es", None, ("security",)),
        (2, "2026-01-06", "USA", "en", 0.5, ("security", "trade")),
        (3, "2026-01-07", "USA", "en", -0.3, ("migration",)),
        (4, "2026-01-08", "PER", "en", 0.1, ()),
        (5, "2026-01-12", "USA", "en", 0.7, ("trade",)),
        (6, "2026-01-13", "PER", "es", None, ("trade", "energy")),
        (7, "2026-01-14", "MEX", "es", None, ("migration",)),
        (8, "2026-01-18", "USA", "en", -0.9, ("migration", "security")),
    ]
    dyads = [(1, "PER-USA"), (2, "PER-USA"), (3, "MEX-USA"), (5, "PER-USA"), (6, "CHN-PER"), (6, "PER-USA"),
             (7, "MEX-USA"), (8, "MEX-USA")]  # fmt: skip
    return make_frames(rows, dyads)


JAN = (date(2026, 1, 5), date(2026, 1, 18))


DEMO_END = date(2026, 6, 30)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """A real store file holding a 3,000-article demo corpus ending 2026-06-30."""
    from analytics.pipeline import load_demo
    from analytics.store import Store

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    with Store(path) as store:
        load_demo(store, n=3000, seed=11, end=DEMO_END, months=12)
    return path


@pytest.fixture
def use_db(monkeypatch):
    """Point the dashboard (which reads $BILAT_DB) at a given store file."""

    def point(path) -> None:
        monkeypatch.setenv("BILAT_DB", str(path))

    return point


def plotly_values(array) -> list:
    """Values of a plotly JSON array: a plain list, or plotly's typed array {dtype, bdata[, shape]}."""
    import base64

    if isinstance(array, dict) and "bdata" in array:
        values = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:
            values = values.reshape([int(x) for x in str(array["shape"]).split(",")])
        return values.tolist()
    return list(array)


@pytest.fixture
def small_db(tmp_path):
    """A store of two pulled-style articles: one PER-USA in English, one COL-VEN in Spanish."""
    from datetime import UTC, datetime

    from analytics.pipeline import store_records
    from analytics.store import ArticleRecord, Store

    path = tmp_path / "small.sqlite"
    texts = [
        ("Peru and the United States sign a pact against drug trafficking", "Lima welcomed the deal with Washington."),
        (
            "Colombia y Venezuela reabren la frontera a los migrantes",
            "Bogotá y Caracas acordaron el paso de migrantes.",
        ),
    ]
    records = [
        ArticleRecord(url=f"https://news.example.org/{i}", title=t, text=x, outlet="Example Wire",
                      published=datetime(2026, 3, 2 + i, 9, tzinfo=UTC), source_country="USA")
        for i, (t, x) in enumerate(texts)
    ]  # fmt: skip
    with Store(path) as store:
        assert store_records(store, records) == 2
    return path


APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def open_app(query: dict | None = None, page: str | None = None):
    """Run the dashboard in AppTest with these URL parameters, then switch to ``page`` if given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def chart_specs(at) -> dict[str, dict]:
    """The page's plotly figures as dicts, by the first line of their title."""
    out = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        out[spec["layout"]["title"]["text"].split("<br>")[0]] = spec
    return out
