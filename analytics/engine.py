"""Where the measures run: an Ibis backend holding the analysis dataset's two tables.

A :class:`Source` is the articles and dyads tables on one backend (DuckDB in-process by default;
PySpark, or any other Ibis backend, for a dataset on shared storage), the demo rule applied, and
a ``stamp`` that changes only when the data do. Measures build Ibis expressions on its tables and
hand them to :meth:`Source.run`, which returns a small pandas frame; every difference between
backends (how dates come back, how a Parquet folder is read) is handled here and nowhere else.

Tables (see :mod:`analytics.dataset`):

- ``articles``: ``n, published, day, outlet, source_country, language, tone, theme_mask, story_key,
  pairs, pairs_text, countries_text, relations, prev_day, shared``
- ``dyads``: ``n, dyad, relation_tone``
"""

from __future__ import annotations

import hashlib
import os
import re
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
from analytics.settings import local_dates

ARTICLE_FIELDS = (
    "n", "published", "day", "outlet", "source_country", "language", "tone", "theme_mask", "story_key", "pairs",
    "pairs_text", "countries_text", "relations", "prev_day", "shared",
)  # fmt: skip
DYAD_FIELDS = ("n", "dyad", "relation_tone")
BACKENDS = ("duckdb", "pyspark")

_MEMO = 64  # expressions remembered per source (a page builds a handful per view)


class Source:
    """The analysis tables on one Ibis backend. Build one per dataset and share it; it is thread-safe
    for reading, and its memo of selection expressions is bounded."""

    def __init__(self, backend: Any, articles: Any, dyads: Any, *, stamp: str) -> None:
        self.backend = backend
        self.articles = articles
        self.dyads = dyads
        self.stamp = stamp
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

    def run(self, expr: Any) -> pd.DataFrame:
        """Execute ``expr`` and return its rows as pandas, with dates as ``datetime64[ns]``.

        Columns named ``period``, ``day`` or ``prev_day`` come back as naive timestamps at midnight whatever the
        backend returns for a date (DuckDB: dates; Spark: timestamps); integer counts stay int64.
        """
        with self._query_lock:
            frame = self.backend.to_pandas(expr)
        for column in ("period", "day", "prev_day"):
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


def open_dataset(root: str | Path, *, backend: str = "duckdb", session: Any = None, cache: bool = True) -> Source:
    """A :class:`Source` over the dataset folder ``root`` (``X.sqlite.dataset``, local or mounted).

    ``backend`` is ``duckdb`` (in-process) or ``pyspark`` (``session``: a SparkSession, local mode
    or a cluster's; :func:`spark_session` builds one). On pyspark ``root`` may also be a URI the
    cluster reads (``s3a://bucket/bilat.sqlite.dataset``, ``hdfs://...``), and with ``cache`` the two
    tables are kept in the executors' memory once first read (they are small: no titles, no texts);
    open the dataset again after it changed, which reads its files anew. Raises :class:`InputError`
    when the folder holds no dataset (or, on pyspark, misses a month its manifest lists).
    """
    location = _location(root, backend)
    con = _connect(backend, session)
    manifest = _manifest(location, session if backend == "pyspark" else None)
    if manifest is None:
        raise InputError(f"{location} holds no analysis dataset; run: bilat dataset --rebuild --db STORE")
    months = manifest["months"]
    real = any(m.get("real", 0) for m in months.values())
    demo = any(m.get("real", 0) < m.get("articles", 0) for m in months.values())
    stamp = dataset.stamp(manifest)
    if not months:
        articles, dyads = _empty(dataset.ARTICLE_SCHEMA), _empty(dataset.DYAD_SCHEMA)
    elif backend == "duckdb":
        articles, dyads = _read_duckdb(con, location, "articles"), _read_duckdb(con, location, "dyads")
    else:
        articles = _read_spark(con, session, location, "articles", sorted(months), stamp, cache)
        dyads = _read_spark(con, session, location, "dyads", sorted(months), stamp, cache)
    articles, dyads = _hide_demo(articles, dyads, real, demo)
    return Source(con, articles, dyads, stamp=stamp)


def spark_session(master: str = "local[2]", *, conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for :func:`open_dataset`, or the one already running in this process.

    ``master`` is ``local[N]`` (N cores of this machine) or a cluster's (``spark://host:7077``,
    ``yarn``, ``k8s://...``); ``conf`` adds or overrides Spark settings. The session's time zone is
    UTC. In local mode the driver listens on 127.0.0.1 only, without its web UI, and a query's
    shuffle has one partition per core: Spark's default of 200 makes every small query slow.
    pyspark is imported here and only here, so bilat without Spark never needs it.
    """
    from pyspark.sql import SparkSession

    settings = {"spark.sql.session.timeZone": "UTC", "spark.ui.showConsoleProgress": "false"}
    cores = _local_cores(master)
    if cores is not None:
        settings |= {
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": str(cores),
        }
    builder = SparkSession.builder.master(master).appName("bilat")
    for key, value in (settings | (conf or {})).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _local_cores(master: str) -> int | None:
    """The cores of a local master (``local``, ``local[4]``, ``local[*]``, ``local[4,2]``); None for a cluster."""
    found = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\d+)?\])?", master)
    if found is None:
        return None
    cores = found.group(1)
    if cores is None:
        return 1
    return (os.cpu_count() or 1) if cores == "*" else int(cores)


def _is_uri(location: str) -> bool:
    return "://" in location


def _location(root: str | Path, backend: str) -> str:
    """``root`` as the text the backend reads: a local path, or (pyspark only) a URI kept as written."""
    if isinstance(root, str) and _is_uri(root):
        if backend != "pyspark":
            raise InputError(f"{root}: only the pyspark backend reads a dataset from a URI; give DuckDB a local folder")
        return root.rstrip("/")
    return str(Path(root))


def _manifest(location: str, session: Any) -> dict | None:
    import json

    try:
        manifest = json.loads(_manifest_text(location, session))
    except (OSError, ValueError, TypeError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("months"), dict) else None


def _manifest_text(location: str, session: Any) -> str | None:
    if not _is_uri(location):
        return (Path(location) / "manifest.json").read_text(encoding="utf-8")
    # Object storage is read through Spark, with the credentials and file systems the session has.
    from pyspark.errors import AnalysisException

    try:
        rows = session.read.text(f"{location}/manifest.json", wholetext=True).collect()
    except AnalysisException:  # the path does not exist
        return None
    return rows[0][0] if rows else None


def _connect(backend: str, session: Any) -> Any:
    if backend == "duckdb":
        return ibis.duckdb.connect()
    if backend == "pyspark":
        if session is None:
            raise InputError("the pyspark backend needs a SparkSession (see the README: Running on a cluster)")
        # Ibis sets the session's time zone to UTC. Days, weeks and months still follow BILAT_TZ: every
        # measure buckets the dataset's ``day`` column (local dates), never a timestamp.
        return ibis.pyspark.connect(session)
    raise InputError(f"unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")


def _read_duckdb(con: Any, location: str, name: str) -> Any:
    # A view over the files: a refreshed month is read anew by the next query, nothing is copied.
    # Only the month files: a writer's temporary file in the same folder is never read.
    parts = f"{location}/{name}/month=*/part.parquet"
    return con.read_parquet(parts, table_name=name, hive_partitioning=False)


def _read_spark(con: Any, session: Any, location: str, name: str, months: list[str], stamp: str, cache: bool) -> Any:
    from pyspark.errors import AnalysisException

    # A view name of its own per dataset and content: sources over two datasets can share a session.
    view = f"bilat_{name}_{hashlib.sha256(f'{location}|{stamp}'.encode()).hexdigest()[:12]}"
    if cache:
        # Spark matches cached data by the files' paths, not their content: without this, a dataset
        # opened again after a refresh would be answered from the copy cached before it.
        session.catalog.refreshByPath(f"{location}/{name}")
    # The files the manifest lists, named one by one: nothing to list or glob on object storage.
    try:
        frame = session.read.parquet(*(f"{location}/{name}/month={month}/part.parquet" for month in months))
    except AnalysisException as exc:
        raise InputError(
            f"{location}: a month the manifest lists is missing; run: bilat dataset --rebuild --db STORE"
        ) from exc
    if cache:
        frame = frame.cache()
    frame.createOrReplaceTempView(view)
    return con.table(view)


def _empty(schema: pa.Schema) -> Any:
    """An empty in-memory table of ``schema`` (strings plain): the tables of a dataset without months."""
    return ibis.memtable(pa.Table.from_pylist([], schema=_plain(schema)))


def _plain(schema: pa.Schema, fields: tuple[str, ...] | None = None) -> pa.Schema:
    """``schema`` with dictionary-encoded text as plain strings, limited to ``fields`` (in that order)."""
    plain = {f.name: pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type) for f in schema}
    return pa.schema([plain[name] for name in (fields or schema.names)])


def from_frames(articles: pd.DataFrame, dyads: pd.DataFrame, *, stamp: str = "frames") -> Source:
    """A DuckDB :class:`Source` over in-memory frames in the store's frame layout.

    ``articles`` has ``n, published, outlet, source_country, language, sentiment, theme_mask,
    cluster_id`` (as ``Store.load_frames`` and the tests' hand-made frames); ``dyads`` has ``n,
    dyad`` and optionally ``relation_tone``. Story keys, and days (local dates, ``BILAT_TZ``),
    are made as the dataset makes them.
    """
    published = pd.to_datetime(articles["published"], utc=True)
    ns = articles["n"].to_numpy(dtype=np.int64)
    clusters = articles["cluster_id"].astype("object").where(articles["cluster_id"].notna(), None).tolist()
    table = pd.DataFrame(
        {
            "n": ns,
            "published": published,
            "day": local_dates(published),
            "outlet": articles["outlet"].astype("object"),
            "source_country": articles["source_country"].astype("object"),
            "language": articles["language"].astype("object"),
            "tone": articles["sentiment"].astype(np.float64),
            "theme_mask": articles["theme_mask"].astype(np.int32),
            "story_key": dataset.story_keys(clusters, ns),
        }
    )
    relation = dyads["relation_tone"] if "relation_tone" in dyads else pd.Series(np.nan, index=dyads.index)
    lists = dataset.pair_lists(
        ns, dyads["n"].tolist(), dyads["dyad"].astype("object").tolist(), relation.astype(np.float64).tolist()
    )
    clustered = [(int(n), p, c, 0) for n, p, c in zip(ns, published, clusters, strict=True) if c is not None]
    lists |= dataset.copy_links(ns, clustered)
    pairs = pd.DataFrame(
        {"n": dyads["n"].to_numpy(dtype=np.int64), "dyad": dyads["dyad"].astype("object"),
         "relation_tone": relation.astype(np.float64).to_numpy()}
    )  # fmt: skip
    con = ibis.duckdb.connect()
    # Explicit types: a column with no value (an empty store, no pairs, every country unknown) would
    # otherwise be inferred as Arrow's null type, which DuckDB cannot store.
    flat = tuple(name for name in ARTICLE_FIELDS if name not in lists)
    arrow_articles = pa.Table.from_pandas(table, schema=_plain(dataset.ARTICLE_SCHEMA, flat), preserve_index=False)
    for name, values in lists.items():
        arrow_articles = arrow_articles.append_column(name, values)
    arrow_dyads = pa.Table.from_pandas(pairs, schema=_plain(dataset.DYAD_SCHEMA, DYAD_FIELDS), preserve_index=False)
    a = con.create_table("articles", arrow_articles, temp=True)
    d = con.create_table("dyads", arrow_dyads, temp=True)
    return Source(con, a.select(*ARTICLE_FIELDS), d.select(*DYAD_FIELDS), stamp=stamp)
