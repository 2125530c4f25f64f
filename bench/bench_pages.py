"""Each dashboard page's computation at 1,000,000 stored articles (and 100,000 for reference).

    python bench/bench_pages.py [--sizes 100000 1000000] [--repeat 5]

The frames are the synthetic ones of bench_overview.py (24 months, the six default dyads); the
filters are the default view (PER-USA, the last 12 months, weekly). Prints the median and the
minimum of each page's computation: what the page asks of analytics/ on a cache miss.
Target: every page under 1 s (median) at 1,000,000 articles.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_overview import END, synthetic_frames  # noqa: E402

from analytics import coverage, metrics, spikes  # noqa: E402
from analytics.filters import Filters, selection_mask  # noqa: E402


def pages(articles, dyads, filters: Filters) -> dict:
    def selected():
        return articles.loc[selection_mask(articles, dyads, filters)]

    span = (filters.start, filters.end)
    return {
        "Overview": lambda: metrics.overview(articles, dyads, filters, freq="W"),
        "Coverage": lambda: (
            metrics.volume(articles, dyads, filters, freq="W"),
            metrics.volume_by_source(selected(), freq="W", span=span),
            coverage.mirror(articles, dyads, filters, freq="W"),
            coverage.outlet_diversity(selected(), freq="W", span=span),
        ),
        "Themes": lambda: (
            metrics.theme_shares(selected(), freq="W", span=span),
            coverage.theme_by_source(selected()),
            coverage.theme_changes(articles, dyads, filters),
        ),
        "Tone": lambda: (
            metrics.tone(selected(), freq="W", span=span),
            coverage.tone_distribution(selected()),
            coverage.tone_by_theme(selected()),
            coverage.tone_by_source(selected()),
            coverage.relation_vs_article_tone(articles, dyads, filters, freq="W"),
        ),
        "Spikes": lambda: (
            spikes.find_spikes(articles, dyads, filters, freq="D"),
            spikes.find_spikes(articles, dyads, filters, freq="W"),
        ),
        "Articles": lambda: articles.loc[selection_mask(articles, dyads, filters), ["n", "published"]].sort_values(
            ["published", "n"], ascending=False
        ),
        "Compare": lambda: (
            metrics.overview(articles, dyads, filters, freq="W"),
            metrics.overview(articles, dyads, replace(filters, dyad="MEX-USA"), freq="W"),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    filters = Filters(dyad="PER-USA", start=END - timedelta(days=364), end=END)
    for n in args.sizes:
        articles, dyads = synthetic_frames(n)
        dyads = dyads.assign(relation_tone=0.0)
        print(f"{n:,} articles")
        for name, compute in pages(articles, dyads, filters).items():
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                compute()
                times.append(time.perf_counter() - t0)
            print(f"  {name:<9} median {statistics.median(times):6.3f} s   min {min(times):6.3f} s", flush=True)


if __name__ == "__main__":
    main()
