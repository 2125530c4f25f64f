"""Time everything the Overview page computes, at 100,000 and 1,000,000 stored articles.

The frames are synthetic (random days over 24 months, the six default dyads plus background
coverage, random themes and tones) and built in memory: this measures the analytics, not
enrichment. ``--sqlite`` also times loading the same number of rows from a real store file.

    python bench/bench_overview.py [--sizes 100000 1000000] [--repeat 7] [--sqlite]

Prints, per size: median and min of metrics.overview over the repeats, and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import metrics  # noqa: E402
from analytics.filters import Filters  # noqa: E402
from analytics.schema import DEFAULT_DYADS  # noqa: E402

END = date(2026, 6, 30)


def synthetic_frames(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    days = np.datetime64(END) - rng.integers(0, 730, n).astype("timedelta64[D]")
    seconds = rng.integers(0, 86400, n).astype("timedelta64[s]")
    published = pd.to_datetime(days.astype("datetime64[s]") + seconds).tz_localize("UTC")
    sources = np.array(["PER", "USA", "CHN", "MEX", "COL", "VEN", "CHL", "BRA"])
    langs = np.array(["en", "es"])
    lang = langs[rng.integers(0, 2, n)]
    sentiment = np.where(lang == "en", np.clip(rng.normal(0, 0.4, n), -1, 1), np.nan)
    articles = pd.DataFrame(
        {
            "n": np.arange(1, n + 1, dtype=np.int64),
            "published": published,
            "day": published.tz_localize(None).floor("D"),
            "outlet": pd.Categorical.from_codes(rng.integers(0, 40, n), [f"Outlet {i}" for i in range(40)]),
            "source_country": pd.Categorical(sources[rng.integers(0, len(sources), n)]),
            "language": pd.Categorical(lang),
            "sentiment": sentiment,
            "theme_mask": rng.integers(0, 1 << 10, n).astype(np.int32) & rng.integers(0, 1 << 10, n).astype(np.int32),
            "cluster_id": pd.Categorical.from_codes(np.arange(n) % 1000, [f"c{i}" for i in range(1000)]),
        }
    )
    # 85% of articles belong to one dyad, 10% of those to a second one; 15% to none.
    with_dyad = np.flatnonzero(rng.random(n) < 0.85)
    first = rng.choice(len(DEFAULT_DYADS), len(with_dyad), p=[0.35, 0.15, 0.15, 0.13, 0.12, 0.10])
    second_rows = with_dyad[rng.random(len(with_dyad)) < 0.10]
    ns = np.concatenate([with_dyad, second_rows]) + 1
    codes = np.concatenate([first, rng.integers(0, len(DEFAULT_DYADS), len(second_rows))])
    dyads = pd.DataFrame({"n": ns, "dyad": pd.Categorical.from_codes(codes, list(DEFAULT_DYADS))})
    dyads = dyads.drop_duplicates().reset_index(drop=True)
    return articles, dyads


def time_overview(articles, dyads, repeat: int) -> list[float]:
    filters = Filters(dyad="PER-USA", start=END - timedelta(days=364), end=END)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        metrics.overview(articles, dyads, filters, freq="W")
        times.append(time.perf_counter() - t0)
    return times


def time_sqlite_load(n: int) -> float:
    from analytics.store import Store

    articles, dyads = synthetic_frames(n)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.sqlite") as store:
        iso = articles["published"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
        with store.transaction() as tx:
            tx.executemany(
                "INSERT INTO articles(n, id, url, title, published, outlet, source_country, cluster_id, seen_at) "
                "VALUES (?, ?, ?, '', ?, ?, ?, ?, ?)",
                (
                    (int(k), f"id{k}", f"https://x.example/{k}", iso[i], str(articles["outlet"].iat[i]),
                     str(articles["source_country"].iat[i]), f"c{k}", iso[i])
                    for i, k in enumerate(articles["n"])
                ),
            )  # fmt: skip
            tx.executemany(
                "INSERT INTO enrichment VALUES (?, 'bench', ?, ?, 1, ?, '')",
                zip(
                    articles["n"].tolist(), articles["language"].astype(str).tolist(),
                    [None if np.isnan(s) else s for s in articles["sentiment"]], articles["theme_mask"].tolist(),
                    strict=True,
                ),
            )  # fmt: skip
            tx.executemany(
                "INSERT INTO article_dyads VALUES (?, ?)",
                zip(dyads["n"].tolist(), dyads["dyad"].astype(str), strict=True),
            )
        t0 = time.perf_counter()
        store.load_frames()
        return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sqlite", action="store_true", help="also time loading the rows from SQLite")
    args = parser.parse_args()
    print(f"{'articles':>10} {'median s':>9} {'min s':>7} {'peak RSS MB':>12}")
    for n in args.sizes:
        articles, dyads = synthetic_frames(n)
        times = time_overview(articles, dyads, args.repeat)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>10,} {statistics.median(times):>9.3f} {min(times):>7.3f} {peak:>12.0f}", flush=True)
    if args.sqlite:
        for n in args.sizes:
            print(f"load_frames from SQLite, {n:,} articles: {time_sqlite_load(n):.2f} s", flush=True)


if __name__ == "__main__":
    main()
