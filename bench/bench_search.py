"""Article search: building the full-text index on an existing store, and a few searches.

    python bench/bench_search.py [--db /tmp/bilat-bench/store-1m.sqlite] [--repeat 5]

Copies the store (the 1M-article store that bench/bench_scale.py builds, by default) to a temporary
file, so the original is only read, and takes the copy back to schema version 6 when it is newer
(drops the search index, its triggers and later tables). Then times opening it with
this bilat, which runs the migrations from 6 on (the index build is nearly all of it), and each
search of :data:`QUERIES` through ``Store.search_articles`` (ranked, with snippets, the first
``Store.SEARCH_LIMIT``), median of --repeat. Skips with a message when the store is absent.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.store import Store  # noqa: E402

DEFAULT_DB = Path("/tmp/bilat-bench/store-1m.sqlite")
V6_TABLES = {"meta", "articles", "enrichment", "article_countries", "article_dyads", "article_themes", "pull_runs",
             "source_state", "source_runs"}  # fmt: skip
QUERIES = ("peru", "trade", '"drug trafficking"', "migra*", "peru -china", "tariffs OR aranceles", "chancay puerto")


def copy_at_version_6(source: Path, target: Path) -> int:
    """Copy ``source`` to ``target`` and drop from the copy what schemas 7 and later added; the
    version it had."""
    # Plain file copies: even a read-only SQLite connection leaves -wal and -shm files next to the
    # original. A WAL left by a writer is copied with it, and replayed in the copy.
    shutil.copyfile(source, target)
    if Path(f"{source}-wal").exists():
        shutil.copyfile(f"{source}-wal", f"{target}-wal")
    dst = sqlite3.connect(target)
    try:
        version = dst.execute("PRAGMA user_version").fetchone()[0]
        if version > 6:
            objects = dst.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')").fetchall()
            for kind, name in objects:
                if kind == "trigger" or name not in V6_TABLES:
                    dst.execute(f"DROP {kind} IF EXISTS {name}")
            dst.execute("PRAGMA user_version = 6")
            dst.commit()
        return version
    finally:
        dst.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="the store to copy (never modified)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"skipped: {args.db} does not exist (bench/bench_scale.py builds it)")
        return
    with tempfile.TemporaryDirectory(prefix="bilat-search-") as folder:
        copy = Path(folder) / "store.sqlite"
        started = time.perf_counter()
        version = copy_at_version_6(args.db, copy)
        print(f"copied {args.db} (schema {version}) in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with Store(copy) as store:
            print(f"migration to schema {store.schema_version()} (index build): {time.perf_counter() - started:.1f} s")
            size = sum(p.stat().st_size for p in Path(folder).iterdir())
            print(f"articles: {store.count_articles():,}; store with its index: {size / 1e6:,.0f} MB (with the WAL)")
            for query in QUERIES:
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    found = store.search_articles(query)
                    times.append(time.perf_counter() - started)
                runs = ", ".join(f"{t:.3f}" for t in times)
                print(f"{query!r:<24} {len(found):>5} rows  median {statistics.median(times):.3f} s ({runs})")


if __name__ == "__main__":
    main()
