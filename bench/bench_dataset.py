"""Analysis dataset rebuild and refresh: time and size for a store of N demo articles.

    python bench/bench_dataset.py [--articles 10000] [--months 24] [--db PATH]

Builds a demo store (in a temporary folder unless --db names one that already exists), then
times ``analytics.dataset.rebuild`` (median of 3) and one ``refresh`` of a single month, and
prints the dataset's size on disk next to the store's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import dataset  # noqa: E402
from analytics.pipeline import load_demo  # noqa: E402
from analytics.store import Store  # noqa: E402


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def run(path: Path, articles: int, months: int) -> None:
    with Store(path) as store:
        if not store.count_articles():
            started = time.perf_counter()
            load_demo(store, n=articles, seed=7, end=date(2026, 6, 30), months=months)
            print(f"demo store of {articles} articles built in {time.perf_counter() - started:.1f} s")
        times = []
        for _ in range(3):
            started = time.perf_counter()
            summary = dataset.rebuild(store)
            times.append(time.perf_counter() - started)
        month = summary["written"][-1]
        started = time.perf_counter()
        dataset.refresh(store, [month])
        refresh = time.perf_counter() - started
        root = dataset.folder(store)
    print(f"articles: {summary['articles']}, dyad rows: {summary['dyads']}, months: {summary['months']}")
    print(f"rebuild: median {statistics.median(times):.3f} s (runs: {', '.join(f'{t:.3f}' for t in times)})")
    print(f"refresh of one month ({month}): {refresh:.3f} s")
    print(f"dataset: {size(root) / 1e6:.2f} MB of Parquet; store: {size(path) / 1e6:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--db", type=Path, help="an existing store to use instead of a new demo store")
    args = parser.parse_args()
    if args.db:
        run(args.db, args.articles, args.months)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp) / "bench.sqlite", args.articles, args.months)


if __name__ == "__main__":
    main()
