"""Scale: the dataset rebuild, every page's bundle and the incremental refresh at 1M and 10M articles.

    python bench/bench_scale.py [--sizes 1m,10m] [--repeat 5] [--work /tmp/bilat-bench]

Stores up to 1M articles are real SQLite stores: the demo corpus (``bilat demo``, 10,000
articles) replicated in SQL, each copy with new ids, URLs, clusters and row numbers and the same
dates, enrichment, dyads, themes and countries. Every row is marked collected (not demo), as in a
store that pulls filled, so no query pays for hiding demo rows. Larger sizes are analysis
datasets only: the 1M dataset's month files replicated as Parquet with shifted row numbers and
story keys (the same months, ten times as dense at 10M), and a manifest. Stores and the 10M
dataset are kept under --work, so a rerun skips building them.

Per size it prints: the rebuild of the dataset from the store (store sizes only), every page's
bundle from analytics/views.py for three filter sets, cold (a new ``engine.open_dataset`` and its
first call) and warm (the same Source and filters again), medians of --repeat; the measures of any
bundle over its target, each timed alone on a new Source with its slowest query; and the peak RSS of the process
that computed the bundles (a child process per size, so the build does not count). At a store
size it then adds 1,000 articles over the last two months through ``Store.add_articles`` (as a
pull does), times ``dataset.update`` and the first Overview after it, and removes them again.

Targets: every bundle <= 0.3 s at 1M and <= 1 s at 10M; the process <= 1 GB at 10M.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import dataset, engine, views  # noqa: E402
from analytics.filters import Filters  # noqa: E402
from analytics.measures import diversity, sides, spikes, themes, tone, volume  # noqa: E402
from analytics.selection import resolve  # noqa: E402
from analytics.store import SCHEMA_VERSION, ArticleRecord, EnrichmentRow, Store  # noqa: E402

END = date(2026, 6, 30)  # last day of the demo window: fixed, so a cached store stays valid
DEMO = 10_000
STORE_MAX = 1_000_000  # larger sizes are generated as Parquet from the store of this size
ADDED = 1_000
MEMORY_TARGET_MB = 1024


def target_of(size: int) -> float:
    """The bundle target in seconds: 0.3 s up to 1M articles, 1 s above."""
    return 0.3 if size <= STORE_MAX else 1.0


def parse_sizes(text: str) -> list[int]:
    """``1m,10m`` (or ``100k``, ``250000``) as article counts; store sizes must be multiples of the demo."""
    sizes = []
    for part in text.split(","):
        word = part.strip().lower()
        scale = {"k": 1_000, "m": 1_000_000}.get(word[-1:], 1)
        size = int(float(word.rstrip("km")) * scale)
        if size <= STORE_MAX and size % DEMO:
            raise argparse.ArgumentTypeError(f"{part}: a store size must be a multiple of {DEMO:,}")
        if size > STORE_MAX and size % STORE_MAX:
            raise argparse.ArgumentTypeError(f"{part}: sizes above {STORE_MAX:,} must be multiples of it")
        sizes.append(size)
    return sizes


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1_000}k"


def disk_mb(path: Path) -> float:
    files = path.rglob("*") if path.is_dir() else [path]
    return sum(p.stat().st_size for p in files if p.is_file()) / 1e6


# --- building ------------------------------------------------------------------------------


def demo_store(work: Path) -> Path:
    """The demo store under ``work``, made by ``bilat demo`` the first time."""
    path = work / "demo.sqlite"
    with Store(path) as store:
        complete = store.count_articles() == DEMO
    if not complete:  # new, or left half-made by an interrupted run
        for old in work.glob("demo.sqlite*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        started = time.perf_counter()
        root = Path(__file__).resolve().parent.parent
        subprocess.run(
            [sys.executable, "-m", "analytics.cli", "demo", "--db", str(path), "--end", END.isoformat()],
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        print(f"demo store ({DEMO:,} articles) built by bilat demo in {time.perf_counter() - started:.1f} s")
    with Store(path) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so that copying the file copies everything
    return path


MAX_COPIES = 255


def _recoded(column: str) -> str:
    """SQL for an article id (20 hex digits) with its first two digits plus the copy number, mod 256:
    never the id itself, and another for every copy, so ids and story keys stay distinct."""
    digit = "(instr('0123456789abcdef', substr({c}, {i}, 1)) - 1)"
    byte = f"({digit.format(c=column, i=1)} * 16 + {digit.format(c=column, i=2)})"
    return f"printf('%02x', ({byte} + k.v) % 256) || substr({column}, 3)"


# Copies 1..? of rows n <= base, shifted by copy * base.
_COPIES = "WITH RECURSIVE k(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM k WHERE v < ?) "
_REPLICATE = {
    "articles": _COPIES
    + "INSERT INTO articles(n, id, url, title, text, published, outlet, source_country, declared_language, "
    "source_id, cluster_id, seen_at, is_demo, date_flag, title_key) "
    f"SELECT a.n + k.v * ?, {_recoded('a.id')}, a.url || '#copy-' || k.v, a.title, a.text, "
    "a.published, a.outlet, a.source_country, a.declared_language, a.source_id, "
    f"CASE WHEN length(a.cluster_id) = 20 THEN {_recoded('a.cluster_id')} "
    "ELSE a.cluster_id || '#' || k.v END, a.seen_at, 0, a.date_flag, a.title_key "
    "FROM k JOIN articles a ON a.n <= ? ORDER BY k.v, a.n",
    "enrichment": _COPIES + "INSERT INTO enrichment SELECT e.n + k.v * ?, e.version, e.language, e.sentiment, "
    "e.sentences, e.theme_mask, e.enriched_at FROM k JOIN enrichment e ON e.n <= ? ORDER BY k.v, e.n",
    "article_dyads": _COPIES + "INSERT INTO article_dyads(n, dyad, relation_tone) SELECT d.n + k.v * ?, d.dyad, "
    "d.relation_tone FROM k JOIN article_dyads d ON d.n <= ? ORDER BY k.v, d.n, d.dyad",
    "article_themes": _COPIES + "INSERT INTO article_themes SELECT t.n + k.v * ?, t.theme, t.score, t.terms "
    "FROM k JOIN article_themes t ON t.n <= ? ORDER BY k.v, t.n, t.theme",
    "article_countries": _COPIES + "INSERT INTO article_countries SELECT c.n + k.v * ?, c.code, c.mentions, "
    "c.weight, c.matched FROM k JOIN article_countries c ON c.n <= ? ORDER BY k.v, c.n, c.code",
}


def scale_store(work: Path, size: int) -> Path:
    """A store of ``size`` articles under ``work`` (the demo replicated), built the first time."""
    path = work / f"store-{label(size)}.sqlite"
    if path.exists():
        return path
    demo = demo_store(work)
    tmp = work / f"store-{label(size)}-building.sqlite"
    for stale in work.glob(tmp.name + "*"):
        stale.unlink()
    tmp.write_bytes(demo.read_bytes())
    with Store(tmp) as store:
        # A million rows into tables with random-order unique indexes: a large page cache keeps it in memory.
        store.conn.execute("PRAGMA cache_size = -1000000")
        base = store.count_articles()
        if size // base - 1 > MAX_COPIES:
            raise SystemExit(f"a store of {size:,} articles needs more than {MAX_COPIES} copies of the demo")
        if store.conn.execute("SELECT max(n) FROM articles").fetchone()[0] != base:
            raise SystemExit(f"{demo}: row numbers are not 1..{base}; delete it and run again")
        started = time.perf_counter()
        with store.transaction() as tx:
            tx.execute("UPDATE articles SET is_demo = 0")
            for table, sql in _REPLICATE.items():
                t0 = time.perf_counter()
                tx.execute(sql, (size // base - 1, base, base))
                print(f"  {table:<18} {time.perf_counter() - t0:6.1f} s", flush=True)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = store.count_articles()
    tmp.rename(path)
    print(
        f"store of {stored:,} articles replicated in SQL in {time.perf_counter() - started:.1f} s "
        f"({disk_mb(path):,.0f} MB)"
    )
    return path


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


def copy_keys(keys: np.ndarray, ns: np.ndarray, copy: int, bits: int) -> np.ndarray:
    """Story keys of a copy: a clustered key with the copy in its low bits, an unclustered one ``-n``."""
    low = (1 << bits) - 1
    return np.where(keys >= 0, (keys & ~low) | copy, -ns)


def replicate_dataset(source: Path, root: Path, factor: int) -> None:
    """Write a dataset ``factor`` times the one at ``source``: each month's rows again with row numbers
    shifted past the largest, and the copies' stories kept apart from each other."""
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    shift = max(pq.read_table(p, columns=["n"])["n"].to_numpy().max() for p in source.glob("articles/*/*.parquet"))
    bits = max(1, (factor - 1).bit_length())
    months = {}
    started = time.perf_counter()
    for month in manifest["months"]:
        articles = pq.read_table(source / "articles" / f"month={month}" / "part.parquet")
        dyads = pq.read_table(source / "dyads" / f"month={month}" / "part.parquet")
        a_parts, d_parts = [articles], [dyads]
        ns, keys, dns = articles["n"].to_numpy(), articles["story_key"].to_numpy(), dyads["n"].to_numpy()
        for copy in range(1, factor):
            shifted = ns + copy * shift
            part = articles.set_column(0, "n", pa.array(shifted, pa.int64()))
            index = part.schema.get_field_index("story_key")
            a_parts.append(part.set_column(index, "story_key", pa.array(copy_keys(keys, shifted, copy, bits))))
            d_parts.append(dyads.set_column(0, "n", pa.array(dns + copy * shift, pa.int64())))
        a, d = pa.concat_tables(a_parts), pa.concat_tables(d_parts)
        write_parquet(a, root / "articles" / f"month={month}" / "part.parquet")
        write_parquet(d, root / "dyads" / f"month={month}" / "part.parquet")
        real = a.num_rows - int(pc.sum(a["is_demo"].cast(pa.int64())).as_py() or 0)
        months[month] = {"articles": a.num_rows, "dyads": d.num_rows, "real": real, "written": 0}
    out = {
        "format_version": dataset.FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "data_version": 0,
        "months": months,
    }
    # The manifest last: a dataset without one is unfinished, and the next run writes it again.
    (root / "manifest.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    total = sum(m["articles"] for m in months.values())
    print(
        f"dataset of {total:,} articles written as Parquet in {time.perf_counter() - started:.1f} s "
        f"({len(months)} months, {disk_mb(root):,.0f} MB)"
    )


def remove_added(store: Store, size: int) -> list[str]:
    """Delete articles past the first ``size`` (a bench run's additions); the months they were in."""
    months = [
        m for (m,) in store.conn.execute("SELECT DISTINCT substr(published, 1, 7) FROM articles WHERE n > ?", (size,))
    ]
    if months:
        with store.transaction() as tx:
            tx.execute("DELETE FROM articles WHERE n > ?", (size,))  # the rest cascades
    return months


# --- bundles ---------------------------------------------------------------------------------


def filter_sets(last: date) -> dict[str, Filters]:
    """The views timed: a pair over the last year, the pair over everything, a country counting
    wire stories once over the last year."""
    start = last - timedelta(days=364)
    return {
        "PER-USA, 1 year": Filters(dyad="PER-USA", start=start, end=last),
        "PER-USA, open": Filters(dyad="PER-USA"),
        "PER, once, 1 year": Filters(country="PER", start=start, end=last, once=True),
    }


def partner(filters: Filters) -> Filters:
    """The other side of the Compare page."""
    return replace(filters, dyad="MEX-USA") if filters.dyad else replace(filters, country="USA")


BUNDLES: dict[str, Callable] = {
    "Overview": lambda s, f: views.overview(s, f, "W"),
    "Coverage": lambda s, f: views.coverage(s, f, "W"),
    "Themes": lambda s, f: views.theme_view(s, f, "W"),
    "Tone": lambda s, f: views.tone_view(s, f, "W"),
    "Spikes D": lambda s, f: views.spike_view(s, f, "D"),
    "Spikes W": lambda s, f: views.spike_view(s, f, "W"),
    "Compare": lambda s, f: views.compare(s, f, partner(f), "W"),
    "Choices": lambda s, f: views.choices(s),
}


def measures(bundle: str, filters: Filters) -> dict[str, Callable]:
    """The measures a bundle computes, each callable alone on a Source (after its Selection)."""
    freq = {"Spikes D": "D", "Spikes W": "W"}.get(bundle, "W")

    def on(measure: Callable, f: Filters = filters) -> Callable:
        return lambda s: measure(s, resolve(s, f, freq))

    prior = filters.previous() is not None
    parts = {
        "Overview": {"resolve": on(lambda s, sel: sel), "kpis": on(volume.kpis), "volume": on(volume.volume),
                     "theme_totals": on(themes.theme_totals), "tone": on(tone.tone)},
        "Coverage": {"resolve": on(lambda s, sel: sel), "volume": on(volume.volume),
                     "volume_by_source": on(volume.volume_by_source),
                     **({"mirror": on(sides.mirror)} if filters.dyad else {}),
                     "outlet_diversity": on(diversity.outlet_diversity)},
        "Themes": {"resolve": on(lambda s, sel: sel), "theme_shares": on(themes.theme_shares),
                   "theme_by_source": on(themes.theme_by_source),
                   **({"theme_changes": on(themes.theme_changes)} if prior else {})},
        "Tone": {"resolve": on(lambda s, sel: sel), "tone": on(tone.tone),
                 "tone_distribution": on(tone.tone_distribution), "tone_by_theme": on(tone.tone_by_theme),
                 "tone_by_source": on(tone.tone_by_source),
                 **({"relation_vs_article_tone": on(tone.relation_vs_article_tone)} if filters.dyad else {})},
        "Spikes D": {"resolve": on(lambda s, sel: sel), "find_spikes": on(spikes.find_spikes),
                     "volume": on(volume.volume)},
        "Compare": {"overview a": lambda s: views.overview(s, filters), "overview b": lambda s: views.overview(
                    s, partner(filters))},
        "Choices": {"choices": lambda s: views.choices(s)},
    }  # fmt: skip
    parts["Spikes W"] = parts["Spikes D"]
    return parts[bundle]


class QueryClock:
    """While in use, times every query a Source runs and, apart, compiling it to SQL, so a slow
    measure can be traced to its slowest query, or to Ibis rather than the engine."""

    def __init__(self, source: engine.Source) -> None:
        self.source = source
        self.runs: list[float] = []
        self.compiles: list[float] = []

    def __enter__(self) -> QueryClock:
        for name in ("run", "scalar"):
            setattr(self.source, name, self._timed(getattr(self.source, name)))
        return self

    def __exit__(self, *exc: object) -> None:
        del self.source.run, self.source.scalar  # the class's methods again

    def _timed(self, call: Callable) -> Callable:
        def timed(expr):
            t0 = time.perf_counter()
            self.source.backend.compile(expr)
            self.compiles.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            try:
                return call(expr)
            finally:
                self.runs.append(time.perf_counter() - t0)

        return timed


def load() -> str:
    """The machine's load average over the last minute: on a shared machine, what the times mean."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def peak_rss_mb() -> float:
    """The process's peak resident memory in MB.

    Read from /proc where there is one: ``getrusage`` reports the larger of this process's peak and
    that of the process it was forked from before its exec, here the parent that built the store.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kilobytes = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return kilobytes / 1024


def seconds(call: Callable, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return times


def days(source: engine.Source) -> tuple[date, date]:
    """The first and last day of the source's articles."""
    a = source.articles
    bounds = source.run(a.aggregate(day=a.day.min(), last=a.day.max()))
    return bounds["day"].iloc[0].date(), bounds["last"].iloc[0].date()


def time_bundles(root: str, size: int, repeat: int) -> None:
    """Time every bundle on the dataset at ``root`` and print the table (run in a child process)."""
    target = target_of(size)
    t0 = time.perf_counter()
    shared = engine.open_dataset(Path(root))
    opened = time.perf_counter() - t0
    first, last = days(shared)
    threads = shared.backend.raw_sql("SELECT current_setting('threads')").fetchall()[0][0]
    print(f"open_dataset: {opened:.3f} s; days {first} to {last}; DuckDB threads: {threads}; {load()}")
    print(f"{'bundle':<9} {'filters':<18} {'cold s':>7} {'warm s':>7} {'min s':>7}  target {target:.1f} s")
    over = []
    for name, compute in BUNDLES.items():
        sets = filter_sets(last) if name != "Choices" else {"-": Filters()}
        for title, filters in sets.items():
            try:
                compute(shared, filters)
            except Exception as exc:  # one broken bundle should not hide the others' figures
                print(f"{name:<9} {title:<18} failed: {type(exc).__name__}: {str(exc)[:160]}", flush=True)
                continue
            cold = []
            for _ in range(repeat):
                fresh = engine.open_dataset(Path(root))
                cold += seconds(partial(compute, fresh, filters), 1)
                fresh.backend.disconnect()
            warm = seconds(partial(compute, shared, filters), repeat)
            worst = max(statistics.median(cold), statistics.median(warm))
            verdict = "ok" if worst <= target else "OVER"
            print(
                f"{name:<9} {title:<18} {statistics.median(cold):7.3f} {statistics.median(warm):7.3f} "
                f"{min(warm):7.3f}  {verdict}",
                flush=True,
            )
            if worst > target:
                over.append((name, title, filters))
    peak = peak_rss_mb()
    for name, title, filters in over:
        print(f"{name} ({title}) over target; its measures, each alone on a new Source, median of {repeat}:")
        for part, call in measures(name, filters).items():
            times = []
            for _ in range(repeat):
                fresh = engine.open_dataset(Path(root))
                times += seconds(partial(call, fresh), 1)
                fresh.backend.disconnect()
            fresh = engine.open_dataset(Path(root))
            with QueryClock(fresh) as clock:
                call(fresh)
            fresh.backend.disconnect()
            print(
                f"  {part:<26} {statistics.median(times):7.3f} s  {len(clock.runs)} queries, slowest "
                f"{max(clock.runs, default=0.0):.3f} s; compiling them to SQL {sum(clock.compiles):.3f} s",
                flush=True,
            )
    verdict = "" if size <= STORE_MAX else ("  ok" if peak <= MEMORY_TARGET_MB else "  OVER")
    print(f"peak RSS of this process after every bundle: {peak:,.0f} MB{verdict}; {load()}", flush=True)


def in_child(call: Callable, *args) -> None:
    """Run ``call`` in a new process, so its peak RSS is its own."""
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=call, args=args)
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(f"the timing process failed (exit code {child.exitcode})")


# --- incremental refresh ----------------------------------------------------------------------


def recent_records(store: Store, count: int) -> list[tuple[ArticleRecord, EnrichmentRow]]:
    """``count`` new articles over the last two months of the window, copied from demo articles
    (titles, texts, outlets and their enrichment), as a pull would hand them to the store."""
    rows = store.conn.execute(
        "SELECT a.n, a.url, a.title, a.text, a.published, a.outlet, a.source_country, a.declared_language, "
        "e.version, e.language, e.sentiment, e.sentences FROM articles a JOIN enrichment e USING (n) "
        "WHERE a.n <= ? ORDER BY a.published DESC, a.n LIMIT ?",
        (DEMO, count),
    ).fetchall()

    def children(sql: str, n: int) -> list[tuple]:
        return store.conn.execute(sql, (n,)).fetchall()

    items = []
    for i, row in enumerate(rows):
        n, url, title, text, published, outlet, country, declared, version, lang, score, sentences = row
        moment = datetime.fromisoformat(published.replace("Z", "+00:00"))
        day = END - timedelta(days=i % 61)
        record = ArticleRecord(
            url=f"{url}#added-{i}", title=title, text=text, outlet=outlet, source_country=country,
            declared_language=declared, source_id="bench",
            published=datetime(day.year, day.month, day.day, moment.hour, moment.minute, tzinfo=UTC),
        )  # fmt: skip
        countries = children("SELECT code, mentions, weight, matched FROM article_countries WHERE n = ?", n)
        pairs = children("SELECT dyad, relation_tone FROM article_dyads WHERE n = ? ORDER BY dyad", n)
        tagged = children("SELECT theme, score, terms FROM article_themes WHERE n = ?", n)
        enrichment = EnrichmentRow(
            version=version, language=lang, sentiment=score, sentences=sentences,
            countries=tuple((c, m, w, tuple(json.loads(t))) for c, m, w, t in countries),
            dyads=tuple(d for d, _ in pairs), relation_tones=tuple(t for _, t in pairs),
            themes=tuple((t, s, tuple(json.loads(terms))) for t, s, terms in tagged),
        )  # fmt: skip
        items.append((record, enrichment))
    return items


def time_refresh(store: Store, size: int) -> None:
    """Add ``ADDED`` articles as a pull does, then time the dataset update and the first Overview."""
    items = recent_records(store, ADDED)
    months = dataset.months_of(record for record, _ in items)
    since = store.data_version()
    t0 = time.perf_counter()
    added = store.add_articles(items)
    written = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = dataset.update(store, months, since=since)
    updated = time.perf_counter() - t0
    root = dataset.folder(store)
    t0 = time.perf_counter()
    source = engine.open_dataset(root)
    opened = time.perf_counter() - t0
    last = days(source)[1]
    t0 = time.perf_counter()
    views.overview(source, filter_sets(last)["PER-USA, 1 year"], "W")
    first = time.perf_counter() - t0
    source.backend.disconnect()
    rewritten = ", ".join(summary["written"]) if summary else "failed"
    print(
        f"incremental: {added:,} articles added in {written:.2f} s (store write, as a pull); "
        f"dataset.update {updated:.3f} s (months rewritten: {rewritten}); "
        f"then open_dataset {opened:.3f} s and first Overview {first:.3f} s"
    )
    # The months of every copy of the added articles' stories, read before they go: removing a copy
    # changes its story's links in those months too.
    linked = store.months_sharing_stories(months)
    dataset.refresh(store, sorted(linked | set(remove_added(store, size))))


# --- main ------------------------------------------------------------------------------------


def store_size(work: Path, size: int, repeat: int) -> None:
    path = scale_store(work, size)
    with Store(path) as store:
        stale = remove_added(store, size)  # left by an interrupted run
        if stale:
            print(f"removed articles an earlier run added (months {', '.join(stale)})")
        t0 = time.perf_counter()
        summary = dataset.rebuild(store)
        rebuilt = time.perf_counter() - t0
        root = dataset.folder(store)
        print(
            f"dataset.rebuild: {rebuilt:.1f} s for {summary['articles']:,} articles, {summary['dyads']:,} dyad rows, "
            f"{summary['months']} months ({disk_mb(root):,.0f} MB of Parquet; store {disk_mb(path):,.0f} MB)"
        )
        in_child(time_bundles, str(root), size, repeat)
        time_refresh(store, size)


def parquet_size(work: Path, size: int, repeat: int) -> None:
    root = work / f"dataset-{label(size)}"
    try:
        made = json.loads((root / "manifest.json").read_text(encoding="utf-8")).get("format_version")
    except (OSError, ValueError):
        made = None
    if made != dataset.FORMAT_VERSION:  # none yet, or written by an older bilat
        shutil.rmtree(root, ignore_errors=True)
        with Store(scale_store(work, STORE_MAX)) as store:
            remove_added(store, STORE_MAX)
            if dataset.status(store) != "current":
                dataset.rebuild(store)
            replicate_dataset(dataset.folder(store), root, size // STORE_MAX)
    in_child(time_bundles, str(root), size, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("1m,10m"), help="e.g. 1m,10m")
    parser.add_argument("--repeat", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bilat-bench"), help="where built stores are kept")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}; repeat: {args.repeat}; work: {args.work}", flush=True)
    for size in args.sizes:
        print(f"\n== {size:,} articles ==", flush=True)
        (store_size if size <= STORE_MAX else parquet_size)(args.work, size, args.repeat)


if __name__ == "__main__":
    main()
