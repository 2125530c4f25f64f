"""The analysis dataset: the store's analysis columns as Parquet, one folder per month.

Next to the store ``X.sqlite`` lives ``X.sqlite.dataset/``::

    manifest.json
    articles/month=YYYY-MM/part.parquet   n, published, day, outlet, source_country, language,
                                          tone, theme_mask, story_key, is_demo, pairs, pairs_text,
                                          countries_text, relations, prev_day, shared
    dyads/month=YYYY-MM/part.parquet      n, dyad, relation_tone

Months are months of ``published`` in UTC; ``day`` and ``prev_day`` are local dates, in the zone
of ``BILAT_TZ`` (:func:`analytics.settings.local_zone`), so an article's day may fall in the month
before its partition's (2026-04-01 02:00 UTC is 31 March in Lima). No reader picks partitions by
month (DuckDB and Spark read them all and filter on ``day``); one that did would have to read one
day more at both ends of a local date range. The manifest records the zone: a dataset built for
another zone is "behind" and rebuilt whole. Titles and texts stay in the store. Every file,
the manifest included, is written to a temporary file in its own folder and renamed over the old
one, so a reader sees either the previous file or the new one, never half of one. The manifest
records the store's ``data_version`` at the time of writing: when the store has moved on since,
the dataset is "behind" and :func:`refresh` (the months a write touched) or :func:`rebuild`
brings it up to date.

Demo articles are kept with ``is_demo`` set; hiding them (see ``Store.hides_demo``) is the
reader's choice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from datetime import UTC
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq

from analytics.settings import local_dates, local_zone
from analytics.store import ArticleRecord, Store

# Raise when the files' layout or meaning changes: older datasets are then "behind" and rebuilt.
FORMAT_VERSION = 6

_TEXT = pa.dictionary(pa.int32(), pa.string())
ARTICLE_SCHEMA = pa.schema(
    [
        ("n", pa.int64()),
        ("published", pa.timestamp("us", tz="UTC")),
        ("day", pa.date32()),
        ("outlet", _TEXT),
        ("source_country", _TEXT),
        ("language", _TEXT),
        ("tone", pa.float64()),
        ("theme_mask", pa.int32()),
        ("story_key", pa.int64()),
        ("is_demo", pa.bool_()),
        # The article's pairs and their countries, copied from the dyads table: selecting a pair or a
        # country is then a scan of this table, not a join with the dyads (5x faster at 10M articles).
        ("pairs", pa.list_(pa.string())),
        # The same pairs, and their countries, as one string each ("|CHN-PER|PER-USA|", "|CHN|PER|USA|"):
        # selecting a pair or a country is a substring test, 7x faster than a search of the list.
        ("pairs_text", _TEXT),
        ("countries_text", _TEXT),
        # The relation tone of each of the article's pairs, in the order of ``pairs`` (null where the
        # sentences about the pair were not scored): the relation figures need no join either.
        ("relations", pa.list_(pa.float64())),
        # Wire copies: the day of the copy of the same story published just before this one (null
        # for the earliest), and whether the story has other copies. Counting copies once is then
        # a filter, not a window over the corpus (see analytics.selection).
        ("prev_day", pa.date32()),
        ("shared", pa.bool_()),
    ]
)
DYAD_SCHEMA = pa.schema([("n", pa.int64()), ("dyad", _TEXT), ("relation_tone", pa.float64())])

Status = Literal["missing", "behind", "current"]
Progress = Callable[[Iterable, int | None], Iterable]

# Story keys of clustered articles fall in [0, 2**63) and those of unclustered ones are -n, so the
# two never meet. A cluster id is an article id (20 hex digits): its first 15 give 60 bits, which
# for a million stories collide with odds of about one in two million.
_HASHED_BASE = 1 << 60


def folder(store: Store) -> Path:
    """The dataset folder of a store: ``X.sqlite.dataset`` next to ``X.sqlite``."""
    return store.path.with_name(store.path.name + ".dataset")


def months_of(records: Iterable[ArticleRecord]) -> list[str]:
    """The months (``YYYY-MM``, UTC, sorted) that a batch of records falls in."""
    return sorted({r.published.astimezone(UTC).strftime("%Y-%m") for r in records})


def story_key(cluster_id: str) -> int:
    """The integer story key of a cluster id; the same id always gives the same key."""
    if len(cluster_id) == 20:
        try:
            return int(cluster_id[:15], 16)
        except ValueError:
            pass
    digest = int.from_bytes(hashlib.blake2b(cluster_id.encode("utf-8"), digest_size=8).digest(), "big")
    return _HASHED_BASE + digest % ((1 << 63) - _HASHED_BASE)


def story_keys(clusters: list, ns: np.ndarray) -> np.ndarray:
    """Story keys of articles with row numbers ``ns``: the cluster's key, or ``-n`` when unclustered."""
    codes, uniques = pd.factorize(pd.Series(clusters, dtype="object"))
    keys = np.fromiter((story_key(c) for c in uniques), dtype=np.int64, count=len(uniques))
    return np.where(codes >= 0, keys[np.maximum(codes, 0)] if len(keys) else 0, -ns)


def pair_lists(ns, dyad_ns, dyads, relation_tones=None) -> dict[str, pa.Array]:
    """``pairs``, ``pairs_text``, ``countries_text`` and ``relations`` of the articles ``ns`` (pairs
    sorted, empty lists for none) from their dyad rows ``(n, dyad, relation_tone)`` (tones None when
    not given)."""
    tones = relation_tones if relation_tones is not None else [None] * len(dyads)
    pairs: dict[int, dict[str, float | None]] = {}
    for n, dyad, tone in zip(dyad_ns, dyads, tones, strict=True):
        pairs.setdefault(int(n), {})[str(dyad)] = None if tone is None or tone != tone else float(tone)
    listed = [sorted(pairs.get(int(n), {})) for n in ns]
    countries = [sorted({code for pair in found for code in pair.split("-")}) for found in listed]
    relations = [[pairs[int(n)][pair] for pair in found] for n, found in zip(ns, listed, strict=True)]
    kind = pa.list_(pa.string())
    return {
        "pairs": pa.array(listed, type=kind),
        "pairs_text": pa.array([marked(found) for found in listed], type=pa.string()).dictionary_encode(),
        "countries_text": pa.array([marked(found) for found in countries], type=pa.string()).dictionary_encode(),
        "relations": pa.array(relations, type=pa.list_(pa.float64())),
    }


def marked(codes: Iterable[str]) -> str:
    """Pair or country codes as one string with a ``|`` before and after each ("|PER|USA|"; "|" for
    none), so that ``"|" + code + "|"`` occurs in it exactly when the code is one of them."""
    return "|" + "".join(f"{code}|" for code in codes)


def copy_links(ns: np.ndarray, copies: list[tuple]) -> dict[str, pa.Array]:
    """``prev_day`` and ``shared`` of the articles ``ns`` from every copy of their stories.

    ``copies`` are ``(n, published, cluster_id, is_demo)`` rows; ``prev_day`` is a local date
    (``BILAT_TZ``), as ``day``. Copies are ordered by publication
    time, then row number; demo and collected copies are never each other's (demo articles are
    hidden when collected ones are stored). Unclustered articles have no copies.
    """
    if not copies:
        return {"prev_day": pa.nulls(len(ns), type=pa.date32()), "shared": pa.array(np.zeros(len(ns), dtype=bool))}
    frame = pd.DataFrame(copies, columns=["n", "published", "cluster", "is_demo"])
    frame["published"] = pd.to_datetime(frame["published"], utc=True, format="ISO8601")
    frame = frame.sort_values(["cluster", "is_demo", "published", "n"], kind="stable")
    story = frame.groupby(["cluster", "is_demo"], sort=False)
    frame["prev_day"] = local_dates(story["published"].shift())
    frame["shared"] = story["n"].transform("size") > 1
    linked = frame.set_index("n").reindex(ns)
    prev = linked["prev_day"].astype("object").where(linked["prev_day"].notna(), None)
    return {
        "prev_day": pa.array(prev.tolist(), type=pa.date32()),
        "shared": pa.array(linked["shared"].fillna(False).astype(bool).to_numpy()),
    }


def _column(rows: list[tuple], i: int) -> list:
    return [row[i] for row in rows]


def month_tables(store: Store, month: str) -> tuple[pa.Table, pa.Table]:
    """The articles and dyads tables of one month, read from the store."""
    rows, dyad_rows, copies = store.month_rows(month)
    ns = np.asarray(_column(rows, 0), dtype=np.int64)
    published = pd.to_datetime(pd.Series(_column(rows, 1), dtype="object"), utc=True, format="ISO8601")
    published_us = pa.array(published.astype("datetime64[us, UTC]"), type=pa.timestamp("us", tz="UTC"))
    articles = pa.table(
        {
            "n": pa.array(ns, type=pa.int64()),
            "published": published_us,
            "day": pa.array(local_dates(published), type=pa.date32()),
            "outlet": pa.array(_column(rows, 2), type=pa.string()).dictionary_encode(),
            "source_country": pa.array(_column(rows, 3), type=pa.string()).dictionary_encode(),
            "language": pa.array(_column(rows, 4), type=pa.string()).dictionary_encode(),
            "tone": pa.array(_column(rows, 5), type=pa.float64()),
            "theme_mask": pa.array(_column(rows, 6), type=pa.int32()),
            "story_key": pa.array(story_keys(_column(rows, 7), ns), type=pa.int64()),
            "is_demo": pa.array([bool(v) for v in _column(rows, 8)], type=pa.bool_()),
            **pair_lists(ns, _column(dyad_rows, 0), _column(dyad_rows, 1), _column(dyad_rows, 2)),
            **copy_links(ns, copies),
        },
        schema=ARTICLE_SCHEMA,
    )
    dyads = pa.table(
        {
            "n": pa.array(_column(dyad_rows, 0), type=pa.int64()),
            "dyad": pa.array(_column(dyad_rows, 1), type=pa.string()).dictionary_encode(),
            "relation_tone": pa.array(_column(dyad_rows, 2), type=pa.float64()),
        },
        schema=DYAD_SCHEMA,
    )
    return articles, dyads


def _replace(path: Path, data: bytes | pa.Table) -> None:
    """Write ``path`` whole or not at all: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                pq.write_table(data, out, compression="zstd")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _part(root: Path, table: str, month: str) -> Path:
    return root / table / f"month={month}" / "part.parquet"


def read_manifest(store: Store) -> dict | None:
    """The dataset's manifest, or None when there is none (or it cannot be read)."""
    try:
        manifest = json.loads((folder(store) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("months"), dict) else None


def stamp(manifest: dict) -> str:
    """A short digest of what the dataset holds: it moves when a month is rewritten and only then.

    The dashboard keys its caches on it, so a pull that brings nothing new (every feed answering
    304) leaves every cached figure in place, while the store's ``data_version`` moves anyway.
    """
    months = json.dumps(manifest.get("months", {}), sort_keys=True).encode("utf-8")
    zone = manifest_zone(manifest)
    # The zone counts only when it is not UTC: datasets written before it was recorded keep their stamp.
    version = str(manifest.get("format_version")) + ("" if zone == "UTC" else f"|{zone}")
    return hashlib.sha256(months + version.encode()).hexdigest()[:16]


def manifest_zone(manifest: dict) -> str:
    """The time zone a dataset's days are in; datasets written before the zone was recorded are UTC."""
    zone = manifest.get("zone", "UTC")
    return zone if isinstance(zone, str) else repr(zone)


def _fits(manifest: dict | None) -> bool:
    """Whether a dataset of this manifest can be refreshed month by month: this format, this zone."""
    return (
        manifest is not None
        and manifest.get("format_version") == FORMAT_VERSION
        and manifest_zone(manifest) == local_zone().key
    )


def _write_month(store: Store, root: Path, month: str, data_version: int) -> dict[str, int]:
    """Write one month's files; its manifest entry: row counts, real (not demo) articles, and the
    store's data version it was read at (what makes :func:`stamp` move)."""
    articles, dyads = month_tables(store, month)
    _replace(_part(root, "articles", month), articles)
    _replace(_part(root, "dyads", month), dyads)
    real = articles.num_rows - int(pa.compute.sum(articles["is_demo"].cast(pa.int64())).as_py() or 0)
    return {"articles": articles.num_rows, "dyads": dyads.num_rows, "real": real, "written": data_version}


def _drop_month(root: Path, month: str) -> None:
    for table in ("articles", "dyads"):
        shutil.rmtree(root / table / f"month={month}", ignore_errors=True)


def _finish(store: Store, root: Path, months: dict, data_version: int, written: list[str]) -> dict:
    manifest = {
        "format_version": FORMAT_VERSION,
        "zone": local_zone().key,
        "schema_version": store.schema_version(),
        "data_version": data_version,
        "months": dict(sorted(months.items())),
    }
    _replace(root / "manifest.json", json.dumps(manifest, indent=2).encode("utf-8"))
    return {
        "dataset": str(root),
        "data_version": data_version,
        "months": len(months),
        "articles": sum(m["articles"] for m in months.values()),
        "dyads": sum(m["dyads"] for m in months.values()),
        "written": written,
    }


def rebuild(store: Store, *, progress: Progress | None = None) -> dict:
    """Write every month of the store anew and remove the months it no longer has.

    ``progress(months, total)`` wraps the iteration over months (a progress bar). Returns a
    summary: ``dataset, data_version, months, articles, dyads, written``.
    """
    root = folder(store)
    local_zone()  # a bad BILAT_TZ stops here, before any file is written
    # Read before the rows: a write that lands meanwhile leaves the dataset "behind", never wrong.
    data_version = store.data_version()
    counts = store.month_counts()
    wanted = list(counts)
    months: dict[str, dict[str, int]] = {}
    for month in progress(wanted, len(wanted)) if progress else wanted:
        months[month] = _write_month(store, root, month, data_version)
    for old in _stored_months(root):
        if old not in months:
            _drop_month(root, old)
    return _finish(store, root, months, data_version, wanted)


def _stored_months(root: Path) -> set[str]:
    tables = [root / t for t in ("articles", "dyads") if (root / t).is_dir()]
    return {p.name.removeprefix("month=") for table in tables for p in table.iterdir()}


def refresh(store: Store, months: Iterable[str]) -> dict:
    """Rewrite only the given months (``YYYY-MM``), after a write that added articles to those or
    changed their enrichment, and the months holding other copies of their stories (whose
    ``prev_day`` or ``shared`` a new copy may change).

    A month the caller did not name whose article count no longer matches the manifest means the
    store was changed outside bilat (articles deleted, say, whose copies elsewhere would keep stale
    links): the dataset is then rebuilt whole, as is one missing, of an older format or built for
    another time zone. Returns the summary of :func:`rebuild`.
    """
    manifest = read_manifest(store)
    if not _fits(manifest):
        return rebuild(store)
    root = folder(store)
    data_version = store.data_version()
    counts = store.month_counts()
    known = manifest["months"]
    named = {m for m in months if m in counts}
    changed = {m for m, c in counts.items() if not isinstance(known.get(m), dict) or known[m].get("articles") != c}
    if changed - named or set(known) - set(counts):
        return rebuild(store)
    todo = sorted((named | store.months_sharing_stories(sorted(named))) & set(counts))
    kept = {m: known[m] for m in counts if m not in todo}
    for month in todo:
        kept[month] = _write_month(store, root, month, data_version)
    for gone in set(known) - set(counts):
        _drop_month(root, gone)
    return _finish(store, root, kept, data_version, todo)


def status(store: Store) -> Status:
    """``missing`` (no manifest), ``behind`` (the store moved on, an older format, another time
    zone) or ``current``; :func:`status_reason` says why."""
    return status_reason(store)[0]


def status_reason(store: Store) -> tuple[Status, str]:
    """The dataset's status and why, in a few words ("built for time zone UTC; BILAT_TZ is
    America/Lima"). Raises :class:`~analytics.errors.InputError` for a bad ``BILAT_TZ``."""
    zone = local_zone().key
    manifest = read_manifest(store)
    if manifest is None:
        return "missing", "no dataset has been written next to this store"
    if manifest.get("format_version") != FORMAT_VERSION:
        return "behind", f"written in format {manifest.get('format_version')}; this bilat writes {FORMAT_VERSION}"
    if manifest_zone(manifest) != zone:
        return "behind", f"built for time zone {manifest_zone(manifest)}; BILAT_TZ is {zone}"
    if manifest.get("schema_version") != store.schema_version():
        return "behind", "the store's schema changed since it was written"
    if manifest.get("data_version") != store.data_version():
        return "behind", "the store changed since it was written"
    root = folder(store)
    for month in manifest["months"]:
        if not (_part(root, "articles", month).is_file() and _part(root, "dyads", month).is_file()):
            return "behind", f"the files of month {month} are missing"
    return "current", f"up to date with the store (days in {zone})"


def bring_up_to_date(store: Store) -> tuple[Status, dict | None]:
    """Build a missing dataset, refresh one behind the store; the status found and the summary
    (None when it was current). For readers (the dashboard, ``bilat view``); OSError passes through."""
    state = status(store)
    if state == "current":
        return state, None
    return state, rebuild(store) if state == "missing" else refresh(store, [])


def update(store: Store, months: Iterable[str], *, since: int) -> dict | None:
    """Bring the dataset up to date after a writer's commits; never raises.

    ``since`` is the store's ``data_version`` before the writer's first commit and ``months`` the
    months its writes touched. When the dataset was current at ``since``, only those months are
    rewritten (:func:`refresh`); otherwise (missing, behind already, older format, another time
    zone) it is rebuilt.
    A failure is a one-line warning on stderr: the dataset then stays "behind" until
    ``bilat dataset --rebuild`` or the next writer rebuilds it. Returns the summary, or None.
    """
    try:
        manifest = read_manifest(store)
        if _fits(manifest) and manifest.get("data_version") == since:
            return refresh(store, months)
        return rebuild(store)
    except Exception as exc:  # the writer's commits stand; only the derived copy is late
        print(
            f"bilat: warning: the analysis dataset could not be updated ({type(exc).__name__}: {str(exc)[:200]}); "
            "run bilat dataset --rebuild",
            file=sys.stderr,
        )
        return None
