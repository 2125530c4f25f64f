"""Where the measures run: an Ibis backend holding the analysis dataset's two tables.

A :class:`Source` is the articles and dyads tables on one backend (DuckDB in-process by default;
PySpark, or any other Ibis backend, for a dataset on shared storage), the demo rule applied, and
a ``stamp`` that changes only when the data do. Measures build Ibis expressions on its tables and
hand them to :meth:`Source.run`, which returns a small pandas frame; every difference between
backends (how dates come back, how a Parquet folder is read) is handled here and nowhere else.

Tables (see :mod:`analytics.dataset`):

- ``articles``: ``n, published, day, outlet, source_country, language, tone, theme_mask, story_key``
- ``dyads``: ``n, dyad, relation_tone``
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics import dataset
from analytics.errors import InputError

ARTICLE_FIELDS = ("n", "published", "day", "outlet", "source_country", "language", "tone", "theme_mask", "story_key")
DYAD_FIELDS = ("n", "dyad", "relation_tone")
BACKENDS = ("duckdb", "pyspark")

_MEMO = 64  # expressions remembered per source (a page builds a handful per view)


class Source:
    """The analysis tables on one Ibis backend. Build one per dataset and share it; it is thread-safe
    for reading, and its memo of selection expressions is bounded."""

    def __init__(self, backend: Any, articles: Any, dyads: Any, *, stamp: str, demo: bool = False) -> None:
        self.backend = backend
        self.articles = articles
        self.dyads = dyads
        self.stamp = stamp
        self.demo = demo  # the tables hold the demo corpus (and nothing collected)
        self.name = backend.name
        self._memo: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        # One connection serves every dashboard session; a DuckDB connection must not run two
        # queries from two threads at once, so queries take turns (the engine parallelises each).
        self._query_lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Source({self.name}, stamp={self.stamp})"

    def remember(self, key: tuple, build) -> Any:
        """The expression stored under ``key``, built by ``build()`` the first time (bounded memo)."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = build()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > _MEMO:
                self._memo.popitem(last=False)
        return value

    def later_copies(self) -> Any:
        """Every copy of a wire story but its earliest: ``n, story_key, prev_day`` (the day of the copy
        published just before it, by publication time then row number), materialised once per source.

        Counting copies once then needs no window over the corpus for a date-only context: a copy is
        the earliest in the range ``[start, end]`` exactly when the copy before it falls before
        ``start`` (see :func:`analytics.selection.context`).
        """

        def build() -> Any:
            a = self.articles
            order = ibis.window(group_by=a.story_key, order_by=[a.published, a.n])
            ranked = a.select("n", "story_key", prev_day=a.day.lag().over(order))
            return ranked.filter(ranked.prev_day.notnull()).cache()

        return self.remember(("later_copies",), build)

    def run(self, expr: Any) -> pd.DataFrame:
        """Execute ``expr`` and return its rows as pandas, with dates as ``datetime64[ns]``.

        Columns named ``period`` or ``day`` come back as naive timestamps at midnight whatever the
        backend returns for a date (DuckDB: dates; Spark: timestamps); integer counts stay int64.
        """
        with self._query_lock:
            frame = self.backend.to_pandas(expr)
        for column in ("period", "day"):
            if column in frame.columns:
                values = pd.to_datetime(frame[column])
                if getattr(values.dt, "tz", None) is not None:
                    values = values.dt.tz_convert("UTC").dt.tz_localize(None)
                frame[column] = values.dt.floor("D").astype("datetime64[ns]")
        if "published" in frame.columns:
            published = pd.to_datetime(frame["published"])
            if getattr(published.dt, "tz", None) is None:
                published = published.dt.tz_localize("UTC")  # Spark hands back the session's (UTC) wall time
            frame["published"] = published.dt.tz_convert("UTC")
        return frame

    def scalar(self, expr: Any) -> Any:
        """Execute an expression that yields one value."""
        with self._query_lock:
            value = self.backend.execute(expr)
        if isinstance(value, pd.DataFrame | pd.Series):
            value = value.iloc[0] if len(value) else None
        return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _hide_demo(articles: Any, dyads: Any, real: bool, demo: bool) -> tuple[Any, Any]:
    """Leave demo articles out when collected ones are stored too (as ``Store.hides_demo``)."""
    if real and demo:
        articles = articles.filter(~articles.is_demo)
        dyads = dyads.filter(dyads.n.isin(articles.n))
    return articles.select(*ARTICLE_FIELDS), dyads.select(*DYAD_FIELDS)


def open_dataset(root: str | Path, *, backend: str = "duckdb", session: Any = None) -> Source:
    """A :class:`Source` over the dataset folder ``root`` (``X.sqlite.dataset``, local or mounted).

    ``backend`` is ``duckdb`` (in-process) or ``pyspark`` (``session``: a SparkSession; local mode
    or a cluster's). Raises :class:`InputError` when the folder holds no dataset.
    """
    root = Path(root)
    manifest = _manifest(root)
    if manifest is None:
        raise InputError(f"{root} holds no analysis dataset; run: bilat dataset --rebuild --db STORE")
    months = manifest["months"]
    real = any(m.get("real", 0) for m in months.values())
    demo = any(m.get("real", 0) < m.get("articles", 0) for m in months.values())
    con = _connect(backend, session)
    if months:
        articles = _read(con, backend, root / "articles", "articles")
        dyads = _read(con, backend, root / "dyads", "dyads")
    else:
        articles = con.create_table("articles", schema=_ibis_schema(dataset.ARTICLE_SCHEMA), temp=backend == "duckdb")
        dyads = con.create_table("dyads", schema=_ibis_schema(dataset.DYAD_SCHEMA), temp=backend == "duckdb")
    articles, dyads = _hide_demo(articles, dyads, real, demo)
    return Source(con, articles, dyads, stamp=dataset.stamp(manifest), demo=demo and not real)


def _manifest(root: Path) -> dict | None:
    import json

    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("months"), dict) else None


def _connect(backend: str, session: Any) -> Any:
    if backend == "duckdb":
        return ibis.duckdb.connect()
    if backend == "pyspark":
        if session is None:
            raise InputError("the pyspark backend needs a SparkSession (see the README: Running on a cluster)")
        return ibis.pyspark.connect(session)
    raise InputError(f"unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")


def _read(con: Any, backend: str, folder: Path, name: str) -> Any:
    if backend == "duckdb":
        # A view over the files: a refreshed month is read anew by the next query, nothing is copied.
        return con.read_parquet(str(folder / "month=*" / "part.parquet"), table_name=name, hive_partitioning=False)
    return con.read_parquet(str(folder), table_name=name)


def _plain(schema: pa.Schema, fields: tuple[str, ...] | None = None) -> pa.Schema:
    """``schema`` with dictionary-encoded text as plain strings, limited to ``fields`` (in that order)."""
    plain = {f.name: pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type) for f in schema}
    return pa.schema([plain[name] for name in (fields or schema.names)])


def _ibis_schema(schema: pa.Schema) -> ibis.Schema:
    return ibis.Schema.from_pyarrow(_plain(schema))


def from_frames(articles: pd.DataFrame, dyads: pd.DataFrame, *, stamp: str = "frames") -> Source:
    """A DuckDB :class:`Source` over in-memory frames in the store's frame layout.

    ``articles`` has ``n, published, outlet, source_country, language, sentiment, theme_mask,
    cluster_id`` (as ``Store.load_frames`` and the tests' hand-made frames); ``dyads`` has ``n,
    dyad`` and optionally ``relation_tone``. Story keys are made as the dataset makes them.
    """
    published = pd.to_datetime(articles["published"], utc=True)
    ns = articles["n"].to_numpy(dtype=np.int64)
    clusters = articles["cluster_id"].astype("object").where(articles["cluster_id"].notna(), None).tolist()
    table = pd.DataFrame(
        {
            "n": ns,
            "published": published,
            "day": published.dt.date,
            "outlet": articles["outlet"].astype("object"),
            "source_country": articles["source_country"].astype("object"),
            "language": articles["language"].astype("object"),
            "tone": articles["sentiment"].astype(np.float64),
            "theme_mask": articles["theme_mask"].astype(np.int32),
            "story_key": dataset.story_keys(clusters, ns),
        }
    )
    relation = dyads["relation_tone"] if "relation_tone" in dyads else pd.Series(np.nan, index=dyads.index)
    pairs = pd.DataFrame(
        {"n": dyads["n"].to_numpy(dtype=np.int64), "dyad": dyads["dyad"].astype("object"),
         "relation_tone": relation.astype(np.float64).to_numpy()}
    )  # fmt: skip
    con = ibis.duckdb.connect()
    # Explicit types: a column with no value (an empty store, no pairs, every country unknown) would
    # otherwise be inferred as Arrow's null type, which DuckDB cannot store.
    arrow_articles = pa.Table.from_pandas(
        table, schema=_plain(dataset.ARTICLE_SCHEMA, ARTICLE_FIELDS), preserve_index=False
    )
    arrow_dyads = pa.Table.from_pandas(pairs, schema=_plain(dataset.DYAD_SCHEMA, DYAD_FIELDS), preserve_index=False)
    a = con.create_table("articles", arrow_articles, temp=True)
    d = con.create_table("dyads", arrow_dyads, temp=True)
    return Source(con, a.select(*ARTICLE_FIELDS), d.select(*DYAD_FIELDS), stamp=stamp)
