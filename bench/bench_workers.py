"""Throughput of ``bilat enrich`` and ``bilat import`` with one worker process and with several.

    python bench/bench_workers.py [--articles 10000] [--workers 2] [--repeat 3]

A store of --articles demo articles (``bilat demo``) is made once under a temporary folder, and
its articles are written out as a JSON-lines export. Then, --repeat times, each command runs as a
user runs it (its own process, start-up included):

- ``bilat enrich --rebuild --workers N`` on a copy of the store: every article enriched again;
- ``bilat import FILE --workers N`` into a new store: every article read, enriched and stored.

It prints the median seconds, articles per second and the speed-up of N workers over one, with the
machine's core count. Target: at least 1.8x on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.pipeline import load_demo  # noqa: E402
from analytics.store import Store  # noqa: E402


def bilat(*args: str) -> float:
    """Seconds one bilat command takes in a process of its own; a failure stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "analytics.cli", *args], cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bilat {' '.join(args)} failed:\n{done.stderr}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "source.sqlite"
        with Store(source) as store:
            load_demo(store, n=args.articles, seed=11, end=date(2026, 6, 30), months=12)
            rows = store.conn.execute("SELECT url, title, text, published, outlet FROM articles ORDER BY n").fetchall()
        export = work / "export.jsonl"
        with export.open("w", encoding="utf-8") as out:
            for url, title, text, published, outlet in rows:
                out.write(json.dumps({"url": url, "title": title, "text": text, "date": published, "outlet": outlet},
                                     ensure_ascii=False) + "\n")  # fmt: skip
        print(f"{len(rows):,} demo articles; export {export.stat().st_size / 1e6:.1f} MB; {os.cpu_count()} cores; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        times: dict[tuple[str, int], list[float]] = {}
        for _ in range(args.repeat):
            for workers in (1, args.workers):
                copy = work / f"enrich-{workers}.sqlite"
                shutil.copy(source, copy)
                times.setdefault(("enrich", workers), []).append(
                    bilat("enrich", "--rebuild", "--workers", str(workers), "--db", str(copy))
                )
                target = work / f"import-{workers}.sqlite"
                for leftover in work.glob(f"import-{workers}.sqlite*"):
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
                times.setdefault(("import", workers), []).append(
                    bilat("import", str(export), "--workers", str(workers), "--db", str(target))
                )
        for command in ("enrich", "import"):
            one = statistics.median(times[command, 1])
            many = statistics.median(times[command, args.workers])
            print(
                f"{command:7s} 1 worker {one:6.1f} s ({len(rows) / one:5.0f} articles/s); "
                f"{args.workers} workers {many:6.1f} s ({len(rows) / many:5.0f} articles/s); speed-up {one / many:.2f}x"
            )
        print(f"load {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
