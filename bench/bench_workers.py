"""Throughput of ``bilat enrich`` and ``bilat import`` with one worker process and with several.

    python bench/bench_workers.py [--articles 40000] [--workers 2] [--repeat 3]

A store of --articles demo articles (``bilat demo``) is made once under a temporary folder, and
its articles are written out as a JSON-lines export. Then, --repeat times, each command runs as a
user runs it (its own process, start-up included):

- ``bilat enrich --rebuild --workers N`` on a copy of the store: every article enriched again;
- ``bilat import FILE --workers N`` into a new store: every article read, enriched and stored.

It prints, with the machine's core count, two speed-ups of N workers over one (medians):

- throughput: articles per second while the command enriches and stores, as the command itself
  reports it (worker start-up included; the interpreter's start and the dataset refresh, which
  cost the same however many workers, left out). Target: at least 1.8x on 2 cores. This is what a
  backfill of a large archive gets.
- the whole command, wall time from launch to exit, for what a user waits on this size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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

# What bilat enrich and bilat import print at the end: "... in 3.1 s (3,226 articles/s) ..."
_RATE = re.compile(r" in (\d+\.\d) s \(([\d,]+) articles/s\)")


def bilat(*args: str) -> tuple[float, float]:
    """Wall seconds of one bilat command in a process of its own, and the seconds it reports for
    enriching and storing; a failure stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "analytics.cli", *args], cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bilat {' '.join(args)} failed:\n{done.stderr}")
    found = _RATE.search(done.stderr.splitlines()[-1])
    if found is None:
        raise SystemExit(f"bilat {' '.join(args)} printed no rate:\n{done.stderr}")
    return took, float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=40_000)
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
        times: dict[tuple[str, int], list[tuple[float, float]]] = {}
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
            for label, i in (("throughput", 1), ("whole command", 0)):
                one = statistics.median(t[i] for t in times[command, 1])
                many = statistics.median(t[i] for t in times[command, args.workers])
                target = " (target >= 1.8x)" if i == 1 else ""
                print(
                    f"{command:7s} {label:13s} 1 worker {one:6.1f} s ({len(rows) / one:5.0f} articles/s); "
                    f"{args.workers} workers {many:6.1f} s ({len(rows) / many:5.0f} articles/s); "
                    f"speed-up {one / many:.2f}x{target}"
                )
        print(f"load {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
