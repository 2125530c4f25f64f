"""Pull throughput: 200 feeds of 50 items each from a local server, then the unchanged re-pull.

    python bench/bench_pull.py [--feeds 200] [--items 50] [--repeat 3]

Each round uses a fresh store. Prints, per round, the first pull's wall time and articles/s
(fetch, parse, enrich, store) and the second pull's wall time, where every feed answers 304.
Targets on this machine's 2 cores: first pull under 30 s, unchanged re-pull under 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from feedserver import FeedServer, Reply, make_rss  # noqa: E402

from analytics.ingest.pull import pull_once  # noqa: E402
from analytics.ingest.sources import Source  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    firsts, seconds = [], []
    with FeedServer() as server:
        sources = [
            Source(
                id=f"feed{i:03d}",
                kind="rss",
                url=server.route(f"/feed{i:03d}.xml", Reply(body=make_rss(f"feed{i:03d}", args.items), etag=f'"{i}"')),
                outlet=f"Outlet {i}",
                country="PER" if i % 2 else "USA",
                language="en",
            )
            for i in range(args.feeds)
        ]
        for round_ in range(1, args.repeat + 1):
            with tempfile.TemporaryDirectory() as folder:
                db = Path(folder) / "bench.sqlite"
                t0 = time.perf_counter()
                first = pull_once(db, sources)
                t1 = time.perf_counter()
                second = pull_once(db, sources)
                t2 = time.perf_counter()
            assert first.new == args.feeds * args.items and second.new == 0, (first.new, second.new)
            assert all(o.status == "not_modified" for o in second.outcomes)
            firsts.append(t1 - t0)
            seconds.append(t2 - t1)
            print(f"round {round_}: first pull {t1 - t0:6.2f} s ({first.new / (t1 - t0):6.0f} articles/s), "
                  f"unchanged re-pull {t2 - t1:5.2f} s", flush=True)  # fmt: skip
    n = args.feeds * args.items
    print(f"median of {args.repeat}: first pull {statistics.median(firsts):.2f} s "
          f"({n / statistics.median(firsts):.0f} articles/s, target < 30 s); "
          f"unchanged re-pull {statistics.median(seconds):.2f} s (target < 3 s)")  # fmt: skip


if __name__ == "__main__":
    main()
