"""The ``bilat`` command line: a thin layer over the analytics functions.

Every command takes ``--db PATH`` (default ``data/bilat.sqlite`` or ``$BILAT_DB``). Errors a user
can act on print one line to stderr and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import codecs
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from tqdm import tqdm

from analytics.errors import BilatError, InputError
from analytics.filters import Filters
from analytics.schema import THEMES
from analytics.store import Store, default_db_path

if TYPE_CHECKING:
    import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def _progress(items: Iterable, *, total: int | None, desc: str) -> Iterable:
    """A progress bar on a terminal; silent when stderr is a pipe or a file."""
    return tqdm(items, total=total, desc=desc, unit=" articles", disable=not sys.stderr.isatty(), leave=False)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _demo_end(text: str) -> date:
    day = _parse_date(text)
    if not date(1970, 1, 1) <= day <= date(2100, 12, 31):
        raise argparse.ArgumentTypeError(f"{text} is outside the demo's range; choose a day from 1970 to 2100")
    return day


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{text} must be at least {low}")
        if value > high:
            raise argparse.ArgumentTypeError(f"{text} must be at most {high}")
        return value

    return parse


MAX_TIMEOUT = 600.0  # seconds; a request that needs longer is better retried


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0 and at most MAX_TIMEOUT ("nan" and "inf" refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"{text} must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}")
    return value


def _refuse_demo_store(args: argparse.Namespace) -> None:
    """Stop a pull or import into a store of demo articles, before anything is fetched or written.

    Real articles next to invented ones would make every figure mix both; ``--force`` allows it
    (the dashboard then leaves the demo articles out).
    """
    if args.force or not Path(args.db).exists():
        return
    with Store(args.db, create=False) as store:
        if store.has_demo_data():
            raise InputError(
                f"{args.db} holds demo articles, which real ones would mix with; start a real store with "
                "--db data/real.sqlite, or pass --force to add them to this one"
            )


# --- commands ---------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from analytics.pipeline import load_demo

    with Store(args.db) as store:
        added = load_demo(
            store,
            n=args.articles,
            seed=args.seed,
            end=args.end,
            months=args.months,
            progress=lambda it, total: _progress(it, total=total, desc="demo"),
        )
        total = store.count_articles()
    print(f"added {added} demo articles to {args.db} ({total} stored)", file=sys.stderr)
    return 0


# The longest input line `bilat analyze` reads, in bytes; a longer one is reported and skipped
# unread. (The enrichment caps the part of a text it scores on its own.)
ANALYZE_LINE_LIMIT = 4 * 1024 * 1024
_BAD_LINES_SHOWN = 20  # of the lines analyze cannot read, how many are named one by one


def _input_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; None for a line over ANALYZE_LINE_LIMIT."""
    number = 0
    while raw := stream.readline(ANALYZE_LINE_LIMIT + 1):
        number += 1
        if len(raw) > ANALYZE_LINE_LIMIT:
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(1 << 20)
            yield number, None
        else:
            yield number, raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw


def _read_documents(stream: BinaryIO, name: str) -> Iterator[tuple[str, str] | InputError]:
    """(title, text) for each non-blank line: plain text, or a JSON object with ``text``.

    A line that cannot be read gives an InputError naming it instead, and reading goes on: each
    line is decoded on its own, so one bad line does not spoil the rest.
    """
    for number, raw in _input_lines(stream):
        where = f"{name} line {number}"
        if raw is None:
            yield InputError(f"{where}: longer than {ANALYZE_LINE_LIMIT // 2**20} MB; split the document")
            continue
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            yield InputError(
                f"{where}: not valid UTF-8 (byte {exc.start + 1} is 0x{raw[exc.start]:02x}); save the input as UTF-8"
            )
            continue
        if not line:
            continue
        yield _document(line, where) if line.startswith("{") else ("", line)


def _document(line: str, where: str) -> tuple[str, str] | InputError:
    """(title, text) of a JSON document line, or what is wrong with it."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})")
    except RecursionError:
        return InputError(f'{where}: JSON nested too deeply; write one flat object with a "text" field')
    except ValueError:  # an integer beyond Python's digit limit
        return InputError(f"{where}: holds a number too long to read; remove it")
    text = obj.get("text") if isinstance(obj, dict) else None
    if not isinstance(text, str):
        return InputError(f'{where}: a JSON document needs a string field "text"')
    title = obj.get("title") or ""
    if not isinstance(title, str):
        return InputError(f'{where}: "title" must be a string')
    for field, value in (("title", title), ("text", text)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return InputError(
                f'{where}: "{field}" holds an unpaired surrogate escape (such as \\ud800), which is not a '
                "character; remove it"
            )
    return title, text


def cmd_analyze(args: argparse.Namespace) -> int:
    from analytics.enrich import enrich

    if args.file in (None, "-"):
        stream, name = sys.stdin.buffer, "standard input"
    else:
        path = Path(args.file)
        if not path.is_file():
            raise InputError(f"{path} does not exist or is not a file")
        stream, name = path.open("rb"), str(path)
    bad = 0
    with stream:
        for document in _read_documents(stream, name):
            if isinstance(document, InputError):
                bad += 1
                if bad <= _BAD_LINES_SHOWN:
                    print(f"bilat: error: {document}", file=sys.stderr, flush=True)
                continue
            record = enrich(*document).to_json(explain=args.explain)
            print(json.dumps(record, ensure_ascii=False), flush=True)
    if bad > _BAD_LINES_SHOWN:
        print(f"bilat: error: {bad - _BAD_LINES_SHOWN} more lines of {name} could not be read", file=sys.stderr)
    return 1 if bad else 0


def cmd_enrich(args: argparse.Namespace) -> int:
    from analytics import backfill, dataset
    from analytics.enrich import enrichment_version
    from analytics.workers import default_workers

    version = enrichment_version()
    with Store(args.db, create=False) as store:
        since = store.data_version()
        stale = store.count_articles() if args.rebuild else store.count_stale(version)
        if stale == 0:
            print(f"all articles already carry enrichment {version}", file=sys.stderr)
            return 0
        after = backfill.rebuild_resume_point(store, version) if args.rebuild else 0
        if after:
            print(f"continuing the interrupted rebuild after article {after}", file=sys.stderr)
        workers = min(args.workers or default_workers(), -(-stale // backfill.BATCH))
        started = time.perf_counter()
        with tqdm(total=stale, desc="enrich", unit=" articles", disable=not sys.stderr.isatty(), leave=False) as bar:
            # Each batch is one transaction and a rerun continues after the last one: see analytics.backfill.
            # The same inputs as when the articles were first stored, feeds' declared languages included;
            # worker processes (or a Dask cluster's workers) enrich, this one alone writes the store.
            done = backfill.run(
                store, version=version, rebuild=args.rebuild, after=after, scheduler=args.scheduler,
                workers=workers, progress=bar.update,
            )  # fmt: skip
        took = time.perf_counter() - started
        # Stale articles may sit in any month: every month is rewritten.
        dataset.update(store, store.month_counts(), since=since)
    print(f"re-enriched {done} articles with enrichment {version} {_rate(done, took, workers, args.scheduler)}",
          file=sys.stderr)  # fmt: skip
    return 0


def _rate(count: int, seconds: float, workers: int, scheduler: str | None = None) -> str:
    """How long the enrichment and storing took, start-up and dataset refresh left out, and where
    it ran, as ``bilat enrich`` and ``bilat import`` report it (bench/bench_workers.py reads it)."""
    where = f"on {scheduler}" if scheduler else f"with {workers} worker{'s' if workers > 1 else ''}"
    return f"in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f} articles/s) {where}"


def _settings(args: argparse.Namespace):
    """The pull's limits: the flags, then the [pull] table of the sources file."""
    from analytics.ingest.fetch import FetchSettings
    from analytics.ingest.sources import load_pull_limits

    limits = load_pull_limits(args.sources)
    return FetchSettings(timeout=args.timeout, concurrency=args.concurrency, retries=args.retries, **limits)


def _print_outcome(outcome) -> None:
    mark = {"ok": "ok  ", "not_modified": "304 ", "failed": "FAIL"}[outcome.status]
    detail = outcome.error if outcome.error else f"{outcome.seen} items, {outcome.new} new"
    notes = outcome.run.notes  # items left out and links refused, also listed on the Data page
    if notes:
        detail += f", {len(notes)} note{'s' if len(notes) > 1 else ''} (first: {notes[0][:160]})"
    print(f"  {mark} {outcome.source_id:<28} {detail} ({outcome.duration:.1f} s)", file=sys.stderr)


EXIT_SOURCES_FAILED = 3
EXIT_LOCKED = 75  # EX_TEMPFAIL: another pull holds the lock; try again later


def cmd_pull(args: argparse.Namespace) -> int:
    from analytics.ingest.pull import PullLocked, pull_once
    from analytics.ingest.sources import load_sources

    sources = load_sources(args.sources)
    if args.only:
        unknown = sorted(set(args.only) - {s.id for s in sources})
        if unknown:
            raise InputError(f"no source with id {unknown[0]!r} in {args.sources or 'data/sources.toml'}")
        sources = [s for s in sources if s.id in args.only]
    _refuse_demo_store(args)
    verbose = sys.stderr.isatty()
    try:
        report = pull_once(
            Path(args.db), sources, settings=_settings(args), on_source=_print_outcome if verbose else None
        )
    except PullLocked as exc:
        print(f"bilat: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    if not verbose:
        for outcome in report.failed:
            _print_outcome(outcome)
    print(
        f"pull {report.run_id} {report.status}: {len(report.outcomes)} sources, {report.seen} items seen, "
        f"{report.new} new, {len(report.failed)} failed",
        file=sys.stderr,
    )
    check_alerts_after_pull(args)  # never changes the exit status
    return 0 if not report.failed else EXIT_SOURCES_FAILED


MAX_INTERVAL = 31 * 86400  # seconds between scheduled pulls, at most


def parse_interval(text: str) -> int:
    """Seconds in an interval such as ``90s``, ``30m``, ``6h`` or ``1d``, from 1 s to 31 days."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    number = text[:-1]
    if len(text) < 2 or text[-1] not in units or not (number.isascii() and number.isdigit()) or int(number) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an interval; write e.g. 90s, 30m, 6h or 1d")
    # Compared as text first: int() refuses numbers of more than 4,300 digits.
    if len(number.lstrip("0")) > 8 or int(number) * units[text[-1]] > MAX_INTERVAL:
        raise argparse.ArgumentTypeError(f"{text!r} is too long an interval; the longest is 31d")
    return int(number) * units[text[-1]]


def cmd_schedule(args: argparse.Namespace) -> int:
    import signal
    from datetime import UTC, datetime

    from apscheduler.schedulers.blocking import BlockingScheduler

    from analytics.ingest.sources import load_sources

    load_sources(args.sources)  # fail now, not at the first run, on a broken sources file
    _refuse_demo_store(args)
    jobs, base = _report_jobs(args.reports)  # checked now too, like the sources file
    scheduler = BlockingScheduler(timezone=UTC)

    def job() -> None:
        try:
            cmd_pull(args)
        except BilatError as exc:  # a broken file or store: report it and try again next time
            print(f"bilat: error: {exc}", file=sys.stderr)

    scheduler.add_job(
        job, "interval", seconds=args.every, next_run_time=datetime.now(UTC), max_instances=1, coalesce=True
    )
    for report in jobs:
        # A report whose time passed while a pull held the thread still runs within the hour.
        scheduler.add_job(_report_job(report, args.db, base), report.trigger(), id=f"report-{report.id}",
                          max_instances=1, coalesce=True, misfire_grace_time=3600)  # fmt: skip
        print(f"report {report.id}: {report.days} at {report.hour:02d}:{report.minute:02d} {report.timezone} "
              f"to {len(report.recipients)} recipients", file=sys.stderr)  # fmt: skip

    def stop(signum, frame) -> None:
        if not scheduler.running:  # a second signal while the first is being handled
            return
        print("bilat: stopping the schedule; a pull under way finishes first", file=sys.stderr)
        # Waiting here, not after start() returns: a job the scheduler hands its thread pool while
        # the interpreter is already shutting down leaves a worker that is never told to stop, and
        # the process hangs on exit. A pull under way ends within its deadline.
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"pulling every {args.every} s; stop with Ctrl-C or SIGTERM", file=sys.stderr)
    scheduler.start()
    return 0


# Files smaller than this (about 500 articles with their texts) are enriched by the importing process.
_IMPORT_PARALLEL_FROM = 1_000_000


def cmd_import(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from analytics import dataset
    from analytics.ingest.files import FileImport
    from analytics.pipeline import enrich_new_batches
    from analytics.store import SourceRun
    from analytics.workers import check_workers, default_workers

    _refuse_demo_store(args)
    columns = {}
    for item in args.map or []:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            raise InputError(f"--map {item!r}: write it as FIELD=COLUMN, e.g. --map title=headline")
        columns[field] = column
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file")
    workers = check_workers(args.workers or default_workers())
    if path.stat().st_size < _IMPORT_PARALLEL_FROM:
        workers = 1  # starting worker processes costs more than a small file's enrichment
    source_id = args.source_id or f"import-{path.stem.lower()}"[:64]
    reader = FileImport(
        path, source_id=source_id, outlet=args.outlet, country=args.country, language=args.language,
        columns=columns or None, seen_at=datetime.now(UTC).replace(microsecond=0), dayfirst=args.dayfirst,
    )  # fmt: skip
    with reader, Store(args.db) as store:
        since = store.data_version()
        run_id = store.start_run("import")
        new = 0
        months: set[str] = set()
        notes: list[str] = []
        started = time.perf_counter()
        try:
            # A batch at a time, each in its own transaction: memory stays flat however long the
            # file, and an interrupted import keeps the batches it stored (importing again adds the rest).
            # Worker processes enrich the next batches while this one, alone, writes the store.
            # Notes: titles and texts cut, articles the enrichment could not read.
            for enriched, batch_notes in enrich_new_batches(store, reader.batches(), workers=workers):
                months.update(dataset.months_of(r for r, _ in enriched))
                notes += batch_notes
                run = SourceRun(source_id, "ok", None, reader.read, notes=tuple(notes[:50]))
                new += store.record_source(run_id, run, enriched, new_before=new)
            if not reader.read:
                store.record_source(run_id, SourceRun(source_id, "ok", None, 0), [])
        except BilatError as exc:
            store.finish_run(run_id, "failed", reader.read, new, str(exc))
            raise
        took = time.perf_counter() - started
        store.finish_run(run_id, "ok", reader.read, new, f"{reader.rejected_count} rows skipped")
        dataset.update(store, months, since=since)
    for warning in reader.warnings:
        print(f"bilat: warning: {warning}", file=sys.stderr)
    for number, reason in reader.rejected[:_BAD_LINES_SHOWN]:
        print(f"  row {number} skipped: {reason}", file=sys.stderr)
    for note in notes[:_BAD_LINES_SHOWN]:
        print(f"  {note}", file=sys.stderr)
    if reader.rejected_count > _BAD_LINES_SHOWN:
        print(f"  ... and {reader.rejected_count - _BAD_LINES_SHOWN} more rows skipped", file=sys.stderr)
    summary = f"imported {new} new articles from {path} ({reader.read} read, {reader.rejected_count} skipped)"
    if reader.undated_example is not None:
        row, written = reader.undated_example
        summary += (
            f"; {reader.undated} dates could not be read (first: row {row}, {written!r}) and carry the import "
            "time; see bilat import --help for the date forms read"
        )
    print(summary, file=sys.stderr)
    print(f"read and stored {_rate(reader.read, took, workers)}", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from analytics.evaluate import DEFAULT_SET, evaluate, format_report, load_second_tones, load_set

    folder = Path(args.set) if args.set else DEFAULT_SET
    items = load_set(folder)
    second = load_second_tones(folder)
    languages = [language for language in ("en", "es") if any(i.language == language for i in items)]
    reports = [evaluate(items, language, second, split=args.split) for language in languages]
    if args.json:
        print(json.dumps([r.to_json() for r in reports], indent=2))
    else:
        for report in reports:
            print(format_report(report))
    if args.errors:
        for report in reports:
            for error in report.errors:
                print(json.dumps(error, ensure_ascii=False), file=sys.stderr)
    return 0


def _seed_for_serve(db: Path) -> None:
    """Give a new store the demo corpus before the dashboard starts, so visitors never trigger it.

    Only the default store may be missing (a fresh checkout); any other missing path is refused,
    since it is most likely a typo. A store that is empty but has seen a pull stays empty.
    """
    from analytics.pipeline import load_demo

    if not db.exists() and db != default_db_path().resolve():
        raise InputError(
            f"there is no store at {db}: check the path, or fill it first with "
            f"`bilat demo --db {db}`, `bilat pull --db {db}` or `bilat import FILE --db {db}`"
        )
    with Store(db) as store:
        if store.count_articles() or not store.last_runs(1).empty:
            return
        print(f"bilat: {db} is empty: filling it with the demo corpus (about 10,000 invented articles, "
              "under a minute)...", file=sys.stderr, flush=True)  # fmt: skip
        added = load_demo(store, progress=lambda it, total: _progress(it, total=total, desc="demo"))
    print(f"bilat: added {added} demo articles; starting the dashboard", file=sys.stderr, flush=True)


def serve_command(args: argparse.Namespace) -> list[str]:
    """The ``streamlit run`` command line that ``bilat serve`` replaces itself with (through
    ``dashboard.serve``, which imports the dashboard before the server takes its first visitor)."""
    command = [
        sys.executable, "-m", "dashboard.serve", "run", str(ROOT / "streamlit_app.py"),
        "--server.address", args.host, "--server.port", str(args.port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        # Visitors see that an error happened, never its message, traceback or the server's paths;
        # the details go to the server's log.
        "--client.showErrorDetails", "none",
        # Nor the developer menu (deploy, rerun, clear cache): clearing the caches is a developer's
        # tool, and on a shared server one visitor's click would slow every other visitor down.
        "--client.toolbarMode", "viewer",
        # No watching of source files: a served dashboard is not edited live, and the watcher re-walks
        # every imported module's path on each run (measured: most of the server's CPU for a new view).
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    if args.secrets:
        command += ["--secrets.files", str(Path(args.secrets).resolve())]
    return command


def cmd_serve(args: argparse.Namespace) -> int:
    db = Path(args.db).resolve()
    if args.secrets and not (Path(args.secrets).is_file() and args.secrets.endswith(".toml")):
        raise InputError(f"{args.secrets} is not a .toml file; see the README's Security section for the secrets file")
    _seed_for_serve(db)
    env = dict(os.environ, BILAT_DB=str(db))
    # Replace this process rather than wait on a child: the pid that a service manager or a shell
    # signals is Streamlit's own, so SIGTERM and Ctrl-C stop the dashboard.
    os.execve(sys.executable, serve_command(args), env)


def cmd_status(args: argparse.Namespace) -> int:
    from analytics.enrich import enrichment_version

    with Store(args.db, create=False) as store:
        info = {
            "db": str(store.path),
            "schema_version": store.schema_version(),
            "articles": store.count_articles(),
            "demo_data": store.has_demo_data(),
            "enrichment_versions": store.enrichment_versions(),
            "current_enrichment_version": enrichment_version(),
        }
    print(json.dumps(info, indent=2))
    return 0


def cmd_dataset(args: argparse.Namespace) -> int:
    from analytics import dataset

    with Store(args.db, create=False) as store:
        if args.rebuild:
            summary = dataset.rebuild(
                store,
                progress=lambda it, total: tqdm(
                    it, total=total, desc="dataset", unit=" months", disable=not sys.stderr.isatty(), leave=False
                ),
            )
            print(
                f"wrote {summary['months']} months, {summary['articles']} articles to {summary['dataset']}",
                file=sys.stderr,
            )
        manifest = dataset.read_manifest(store) or {}
        months = manifest.get("months", {})
        state, why = dataset.status_reason(store)
        info = {
            "dataset": str(dataset.folder(store)),
            "status": state,
            "why": why,
            "zone": dataset.manifest_zone(manifest) if manifest else None,
            "months": len(months),
            "articles": sum(m.get("articles", 0) for m in months.values() if isinstance(m, dict)),
            "data_version": manifest.get("data_version"),
            "store_data_version": store.data_version(),
        }
    print(json.dumps(info, indent=2))
    return 0


VIEW_PAGES = ("overview", "coverage", "themes", "tone", "spikes", "compare")


def _view_filters(args: argparse.Namespace, pair: str | None) -> Filters:
    dyad = country = None
    if pair is not None:
        parts = pair.upper().split("-")
        dyad = "-".join(sorted(parts)) if len(parts) == 2 else pair
    elif args.country:
        country = args.country.upper()
        if len(country) != 3 or not country.isalpha():
            raise InputError(f"{args.country!r} is not a country; write an ISO alpha-3 code, e.g. PER")
    return Filters(
        dyad=dyad,
        country=country,
        start=args.start,
        end=args.end,
        themes=tuple(args.theme or ()),
        source_countries=tuple(c.upper() for c in args.source_country or ()),
        languages=tuple(args.language or ()),
        outlets=tuple(args.outlet or ()),
        once=args.once,
    )


def _frame_records(frame: pd.DataFrame) -> list[dict]:
    """A frame as JSON-ready records: dates as YYYY-MM-DD, NaN as null."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return json.loads(out.to_json(orient="records", force_ascii=False, double_precision=15))


def cmd_view(args: argparse.Namespace) -> int:
    from dataclasses import fields, is_dataclass

    import pandas as pd

    from analytics import dataset, engine, views

    if args.vs and args.page != "compare":
        raise InputError("--vs names the other side of the compare page; use it with: bilat view compare")
    if args.page == "compare" and not args.vs:
        raise InputError("the compare page needs a second pair: --vs PAIR, e.g. --vs MEX-USA")
    if args.page == "spikes" and args.freq == "M":
        raise InputError("spikes are found per day or week; choose --freq D or W")
    if args.start and args.end and args.start > args.end:
        raise InputError(f"the date range is reversed: {args.start} is after {args.end}")
    filters = _view_filters(args, args.pair)
    with Store(args.db, create=False) as store:
        state, why = dataset.status_reason(store)
        if state != "current":
            print(f"bilat: the analysis dataset is {state}; bringing it up to date first ({why})", file=sys.stderr)
        dataset.bring_up_to_date(store)
        root = dataset.folder(store)
    source = engine.open_dataset(root)
    try:
        if args.page == "compare":
            bundle = views.compare(source, filters, _view_filters(args, args.vs), args.freq)
        else:
            bundle = views.BUNDLES[args.page.capitalize()](source, filters, args.freq)
    finally:
        source.backend.disconnect()

    def plain(value):
        """Frames as rows, bundles and headline figures as objects (their Selection left out), NaN as null."""
        if isinstance(value, pd.DataFrame):
            return _frame_records(value)
        if is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in fields(value) if f.name != "selection"}
        if isinstance(value, float) and value != value:
            return None
        return value

    out = {"page": args.page, "selection": filters.describe(), "freq": args.freq}
    if args.page != "compare":
        span = bundle.selection.span
        out["span"] = [d.isoformat() for d in span] if span else None
    print(json.dumps(out | plain(bundle), ensure_ascii=False, indent=1, default=str))
    return 0


# --- report: briefings from the command line, by e-mail and on a schedule ---------------------

REPORT_TIMEOUT = 900  # seconds one report may take to be drawn and sent; a longer one is stopped


def cmd_report(args: argparse.Namespace) -> int:
    import subprocess
    from datetime import UTC, datetime

    from analytics import dataset, engine, reports, views
    from analytics.enrich import enrichment_version

    if args.last is not None and (args.start or args.end):
        raise InputError("--last names the period itself: give either --last or --start and --end")
    if args.last is None and not (args.start and args.end):
        raise InputError("say which days to report: --last 7d (or 2w), or --start DATE and --end DATE")
    if args.start and args.end and args.start > args.end:
        raise InputError(f"the date range is reversed: {args.start} is after {args.end}")
    days = reports.parse_last(args.last) if args.last is not None else None
    pair = reports.check_pair(args.pair)
    recipients = list(dict.fromkeys(reports.check_address(a) for a in args.email or []))
    if recipients:
        from analytics.mail import smtp_settings

        smtp_settings()  # no server set, or a malformed setting: say so before any drawing
    out = Path(args.out).resolve()
    if out.is_dir():
        raise InputError(f"--out {args.out} is a folder; name the file to write, e.g. {Path(args.out) / 'report.html'}")
    if not out.parent.is_dir():
        raise InputError(f"--out {args.out}: the folder {out.parent} does not exist")
    with Store(args.db, create=False) as store:
        dataset.bring_up_to_date(store)
        root = dataset.folder(store)
        real, demo = store.holdings()
        last_success = store.last_success()
    source = engine.open_dataset(root)
    try:
        stored = views.choices(source)
    finally:
        source.backend.disconnect()
    if pair not in stored.dyads:
        known = ", ".join(stored.dyads[:8]) or "none"
        raise InputError(f"no stored article is about {pair}; the most covered pairs are: {known}")
    today = datetime.now(UTC).date()
    start, end = (args.start, args.end) if days is None else reports.window(days, stored.last_day, today)
    stamp = None  # the report says "not pulled" in its own language
    if last_success:
        stamp = datetime.fromisoformat(last_success.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M UTC")
    request = {
        "dataset": str(root), "pair": pair, "start": start.isoformat(), "end": end.isoformat(),
        "pages": list(dict.fromkeys(args.page or ["overview"])), "ui": args.ui, "out": str(out), "zip": args.zip,
        "email": recipients, "demo": not real and bool(demo), "data_timestamp": stamp,
        "enrichment_version": enrichment_version(),
    }  # fmt: skip
    # Drawn by the dashboard package in a process of its own: analytics never imports the dashboard,
    # and a scheduler's process keeps no Chromium between reports.
    try:
        done = subprocess.run([sys.executable, "-m", "dashboard.report", json.dumps(request)], timeout=REPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BilatError(f"the report took longer than {REPORT_TIMEOUT // 60} minutes and was stopped") from None
    return done.returncode


def _report_jobs(path: str | None) -> tuple[list, Path]:
    """The enabled jobs of the reports file (``path``, else data/reports.toml when it exists; none
    without either), and the file's folder, which their report paths are relative to."""
    from analytics.reports import DEFAULT_REPORTS, load_reports

    if path is None and not DEFAULT_REPORTS.is_file():
        return [], DEFAULT_REPORTS.parent
    file = Path(path) if path is not None else DEFAULT_REPORTS
    return [job for job in load_reports(file) if job.enabled], file.resolve().parent


def _report_job(job, db: str, base: Path) -> Callable[[], None]:
    """One scheduled report run: `bilat report` with the job's arguments; a failure is one line and
    the schedule goes on."""

    def run() -> None:
        job.out_path(base).parent.mkdir(parents=True, exist_ok=True)
        try:
            code = main([*job.report_args(base), "--db", db])
        except SystemExit as exc:  # a usage error, already printed by argparse
            code = exc.code
        except Exception as exc:  # whatever it was, the next job still runs
            code = f"{type(exc).__name__}: {exc}"
        if code != 0:
            print(f"bilat: report {job.id} failed ({code}); the schedule goes on", file=sys.stderr)

    return run


# --- alerts (analytics.alerts) ----------------------------------------------------------------


def _alerts_file(args: argparse.Namespace):
    """The rules file of ``--alerts``, or data/alerts.toml; None when the default does not exist."""
    from analytics.alerts import DEFAULT_ALERTS, load_alerts

    path = getattr(args, "alerts", None)
    if path is None and not DEFAULT_ALERTS.is_file():
        return None
    return load_alerts(path)


def check_alerts_after_pull(args: argparse.Namespace) -> None:
    """Check the alert rules after a pull. Whatever happens is printed, one line each, and never
    changes the pull's exit status."""
    from analytics.alerts import check_alerts

    try:
        settings = _alerts_file(args)
        if settings is None or not any(rule.enabled for rule in settings.rules):
            return
        with Store(args.db, create=False) as store:
            report = check_alerts(store, settings)
        _print_alerts(report)
    except Exception as exc:  # alerts are a side effect of the pull: report, never fail it
        print(f"bilat: alerts not checked: {' '.join(str(exc).split()) or type(exc).__name__}", file=sys.stderr)


def _print_alerts(report) -> None:
    for rule_id, headline in report.fired:
        print(f"alert {rule_id} fired: {headline}", file=sys.stderr)
    for rule_id, channel, status, error in report.deliveries:
        print(f"  {status:<8} {rule_id} -> {channel}" + (f": {error}" if error else ""), file=sys.stderr)
    for error in report.errors:
        print(f"bilat: alert {error}", file=sys.stderr)


def cmd_alerts(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from analytics import alert_messages, dataset, engine
    from analytics.alerts import check_alerts, load_alerts, sample_finding

    settings = load_alerts(args.alerts)
    if args.action == "check":
        with Store(args.db, create=False) as store:
            report = check_alerts(store, settings)
        _print_alerts(report)
        sent = sum(status == "sent" for *_, status, _ in report.deliveries)
        print(f"alerts checked: {len(settings.rules)} rules, {len(report.fired)} fired, "
              f"{sent} of {len(report.deliveries)} deliveries sent", file=sys.stderr)  # fmt: skip
        return 0 if not report.errors and sent == len(report.deliveries) else EXIT_SOURCES_FAILED
    rule = settings.rule(args.rule)
    now = datetime.now(UTC)
    with Store(args.db, create=False) as store:
        dataset.bring_up_to_date(store)
        source = engine.open_dataset(dataset.folder(store))
        try:
            finding = sample_finding(source, rule, now)
            summary = alert_messages.summary(store, source, rule, finding, alert_messages.base_url(),
                                             now.strftime("%Y-%m-%dT%H:%M:%SZ"))  # fmt: skip
        finally:
            source.backend.disconnect()
    sender = alert_messages.Sender(timeout=settings.timeout)
    failed = 0
    for channel in rule.channels:
        error = sender.send(channel, summary)
        failed += error is not None
        print(f"  {'sent' if error is None else 'FAILED':<7} {channel.label}" + (f": {error}" if error else ""))
    print(f"test of rule {rule.id}: {len(rule.channels) - failed} of {len(rule.channels)} channels reached")
    return 0 if not failed else EXIT_SOURCES_FAILED


def _alerts_parser(sub, db_parent) -> None:
    p = sub.add_parser(
        "alerts",
        help="check the alert rules now, or send a test alert",
        description="Alert rules (data/alerts.toml) send an e-mail or call a webhook when a pair's coverage "
        "spikes, its tone shifts or a figure crosses a threshold. Every pull checks them at its end.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    file_parent = argparse.ArgumentParser(add_help=False)
    file_parent.add_argument(
        "--alerts", metavar="FILE", default=None, help="the alerts file (default data/alerts.toml)"
    )
    check = actions.add_parser(
        "check",
        parents=[db_parent, file_parent],
        help="check every rule now, send what fired and retry failed deliveries",
        description="Check every rule of the alerts file on the stored data now, send what newly fired and "
        "retry failed deliveries (every pull does the same at its end). Exit status 0 when everything was "
        "delivered, 3 when a rule or a delivery failed, 1 on any other error.",
    )
    check.set_defaults(func=cmd_alerts, rule=None)
    test = actions.add_parser(
        "test",
        parents=[db_parent, file_parent],
        help="send a sample message of one rule to each of its channels",
        description="Send a sample message of the rule (its real finding when its condition holds now) to "
        "each of its channels, and print what happened to each. Exit status 0 when every channel was "
        "reached, 3 when one failed, 1 on any other error.",
    )
    test.add_argument("rule", metavar="RULE", help="the id of the rule in the alerts file")
    test.set_defaults(func=cmd_alerts)


# --- parser -----------------------------------------------------------------------------------


def _workers_flag(parser, more: str = "") -> None:
    """``--workers N``: the processes that enrich while this one writes the store."""
    parser.add_argument(
        "--workers",
        type=_whole(1, 256),
        metavar="N",
        help=f"processes that enrich, 1 to 256 (default: the number of cores, now {os.cpu_count() or 1}); "
        f"this one writes{more}",
    )


def build_parser() -> argparse.ArgumentParser:
    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument(
        "--db",
        default=str(default_db_path()),
        metavar="PATH",
        help="the store file (default: $BILAT_DB or data/bilat.sqlite; now %(default)s)",
    )
    parser = argparse.ArgumentParser(
        prog="bilat",
        description="Media monitor for bilateral relations: build the store, analyse texts, serve the dashboard.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "demo",
        parents=[db_parent],
        help="fill the store with a deterministic demo corpus",
        description="Generate the demo corpus (invented articles from fictional outlets, "
        "labelled as demo data) and store it through the real enrichment.",
    )
    p.add_argument(
        "--articles",
        type=_whole(1, 10_000_000),
        default=10_000,
        metavar="N",
        help="how many, 1 to 10000000 (default 10000)",
    )
    p.add_argument("--seed", type=int, default=7, metavar="S", help="random seed, any whole number (default 7)")
    p.add_argument(
        "--end",
        type=_demo_end,
        default=None,
        metavar="DATE",
        help="last day of the window, YYYY-MM-DD from 1970 to 2100 (default: today, UTC)",
    )
    p.add_argument(
        "--months", type=_whole(1, 600), default=24, metavar="M", help="window length, 1 to 600 (default 24)"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "analyze",
        parents=[db_parent],
        help="enrich documents and print one JSON object each",
        description='Read documents, one per line: plain text, or JSON objects with "text" '
        'and an optional "title". Print one JSON object per document, in input order. A line that '
        f"cannot be read (not UTF-8, not valid JSON, over {ANALYZE_LINE_LIMIT // 2**20} MB...) is named on "
        "stderr and skipped; the other lines are still printed, and the exit status is then 1.",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="input file, or - for standard input")
    p.add_argument("--explain", action="store_true", help="also print the matched terms and sentence scores")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser(
        "enrich",
        parents=[db_parent],
        help="re-enrich stored articles",
        description="Re-enrich the stored articles whose enrichment version is not the current "
        "one (all of them with --rebuild), in batches of one transaction each. Interrupted, the same "
        "command continues where it stopped. With --scheduler the workers of a Dask cluster enrich "
        "(README: Backfills on a Dask cluster); this process alone writes the store.",
    )
    p.add_argument("--rebuild", action="store_true", help="re-enrich every article")
    where = p.add_mutually_exclusive_group()
    # No default value here: argparse takes a flag whose value equals the default for an absent one,
    # and "--workers 2 --scheduler ..." on two cores would then pass unseen.
    _workers_flag(where)
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="send the batches to the workers of this Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(needs the cluster extra: pip install 'bilat[cluster]')",
    )
    p.set_defaults(func=cmd_enrich)

    fetch_parent = argparse.ArgumentParser(add_help=False)
    fetch_parent.add_argument(
        "--sources", metavar="FILE", default=None, help="sources file (default data/sources.toml)"
    )
    fetch_parent.add_argument("--only", nargs="+", metavar="ID", help="pull only these source ids")
    fetch_parent.add_argument(
        "--timeout", type=_seconds, default=20.0, metavar="S", help=f"seconds per request, up to {MAX_TIMEOUT:g} (20)"
    )
    fetch_parent.add_argument(
        "--concurrency", type=_whole(1, 100), default=8, metavar="N", help="sources at once, 1 to 100 (8)"
    )
    fetch_parent.add_argument(
        "--retries", type=_whole(0, 10), default=3, metavar="N", help="retries on 5xx, 429 and errors, 0 to 10 (3)"
    )
    force_help = "add real articles to a store that holds demo articles (the dashboard then hides the demo ones)"
    fetch_parent.add_argument("--force", action="store_true", help=force_help)
    fetch_parent.add_argument("--alerts", metavar="FILE", default=None,
                              help="check the alert rules of this file after each pull "
                              "(default data/alerts.toml when it exists)")  # fmt: skip

    p = sub.add_parser(
        "pull",
        parents=[db_parent, fetch_parent],
        help="pull every enabled source once",
        description="Fetch every enabled source of the sources file once, store the new articles with their "
        "enrichment, and exit. Exit status 0 when every source worked, 3 when some failed (each is "
        "reported), 75 when another pull of the same store is running, 1 on any other error.",
    )
    p.set_defaults(func=cmd_pull)

    p = sub.add_parser(
        "schedule",
        parents=[db_parent, fetch_parent],
        help="pull on an interval until stopped",
        description="Run a pull now and then every interval until SIGTERM or Ctrl-C. A pull never "
        "overlaps another one of the same store, whoever started it.",
    )
    p.add_argument("--every", type=parse_interval, default=parse_interval("30m"), metavar="INTERVAL",
                   help="e.g. 90s, 30m, 6h, at most 31d (default 30m)")  # fmt: skip
    p.add_argument("--reports", metavar="FILE", default=None,
                   help="also run the report jobs of this file (default data/reports.toml when it exists)")  # fmt: skip
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser(
        "import",
        parents=[db_parent],
        help="import a CSV or JSONL file of articles",
        description="Import articles from a CSV or JSONL file, such as an export from another monitoring "
        "tool. Columns are recognised by name (url, title, text/summary, published/date, "
        "outlet/media_name, source_country, language); --map sets others. The file is read and stored "
        "a batch at a time. Rows that cannot be used are listed with their row number and skipped. Dates "
        "are read as ISO 8601, RFC 822, Unix times, numbers day first (10/03/2025 is 10 March; see "
        "--month-first) or year first, and with English or Spanish month names (Oct 3, 2025; 3 oct. 2025; "
        "3 de octubre de 2025); a date that cannot be read is replaced by the import time and counted "
        "in the summary.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--outlet", help="outlet name when the file has no outlet column")
    p.add_argument("--country", help="ISO alpha-3 country of the outlet when the file has none")
    p.add_argument("--language", help="ISO 639-1 language when the file has none")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="take FIELD from COLUMN (repeatable)")
    p.add_argument("--source-id", help="the source id recorded with the articles (default import-<file name>)")
    p.add_argument("--force", action="store_true", help=force_help)
    _workers_flag(p, "; a file under 1 MB is enriched by this one alone")
    order = p.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first", dest="dayfirst", action="store_true", default=True,
        help="read 10/03/2025 as 10 March, as Peru and most of the world write dates (the default)",
    )  # fmt: skip
    order.add_argument(
        "--month-first", dest="dayfirst", action="store_false", help="read 10/03/2025 as October 3, as in US exports"
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "evaluate",
        parents=[db_parent],
        help="measure the enrichment on the labelled evaluation set",
        description="Run the enrichment on the labelled English and Spanish evaluation set and print, per "
        "language, precision/recall/F1 for countries and for each theme, and accuracy and macro-F1 for tone; "
        "then tone as it is read, over many articles: how closely scored net tone and mean tone follow the "
        "labels over 1,000 random periods of 100 test items, and the net-tone bias on the test half.",
    )
    p.add_argument(
        "--set",
        metavar="DIR",
        help="folder with en.jsonl and/or es.jsonl (default tests/eval); a set whose items carry only id, text, "
        "tone and split is measured on tone alone",
    )
    p.add_argument(
        "--split",
        choices=["all", "dev", "test"],
        default="all",
        help="which items the per-item figures use (default all); tone over periods always uses the test half",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--errors", action="store_true", help="also list every item the enrichment got wrong (stderr)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "serve",
        parents=[db_parent],
        help="run the dashboard",
        description="Run the Streamlit dashboard on the store, on this machine only unless --host says otherwise. "
        "A new default store (or an empty one no pull has touched) first gets the demo corpus.",
    )
    p.add_argument("--port", type=_whole(1, 65535), default=8501, help="port, 1 to 65535 (default 8501)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="HOST",
        help="address to listen on (default 127.0.0.1: this machine only); 0.0.0.0 opens it to the network, "
        "which needs login or a reverse proxy in front (README, Security)",
    )
    p.add_argument(
        "--secrets",
        metavar="FILE",
        help="the secrets file with the login settings (default: .streamlit/secrets.toml in the current "
        "folder or in your home folder)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "status",
        parents=[db_parent],
        help="print what the store holds",
        description="Print the store's schema version, article count and enrichment versions.",
    )
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "dataset",
        parents=[db_parent],
        help="show or rebuild the analysis dataset (Parquet next to the store)",
        description="Print the analysis dataset's status (missing, behind or current) and why, the time zone of "
        "its days (BILAT_TZ when it was built), months, articles and the "
        "store data version it was written at. The dataset is the store's analysis columns as Parquet files, "
        "one folder per month, in PATH.dataset next to the store.",
    )
    p.add_argument("--rebuild", action="store_true", help="rewrite every month from the store first")
    p.set_defaults(func=cmd_dataset)

    p = sub.add_parser(
        "view",
        parents=[db_parent],
        help="print the figures a dashboard page shows, as JSON",
        description="Compute one page's figures (the same bundle the dashboard draws) for a selection and print "
        "them as JSON: every table as a list of rows, dates as YYYY-MM-DD, missing values as null.",
    )
    p.add_argument("page", choices=VIEW_PAGES, help="the page")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--pair", metavar="PAIR", help="a country pair, e.g. PER-USA")
    which.add_argument("--country", metavar="CODE", help="a country with any partner, e.g. PER")
    p.add_argument("--vs", metavar="PAIR", help="compare only: the other side, e.g. MEX-USA")
    p.add_argument("--start", type=_parse_date, metavar="DATE", help="first day, YYYY-MM-DD (default: the first)")
    p.add_argument("--end", type=_parse_date, metavar="DATE", help="last day, YYYY-MM-DD (default: the last)")
    p.add_argument("--theme", action="append", metavar="THEME", help=f"repeatable; one of: {', '.join(THEMES)}")
    p.add_argument("--source-country", action="append", metavar="CODE", help="outlets' country, repeatable")
    p.add_argument("--language", action="append", metavar="LANG", help="article language (en, es, ...), repeatable")
    p.add_argument("--outlet", action="append", metavar="NAME", help="an outlet's name, repeatable")
    p.add_argument("--once", action="store_true", help="count each wire story once")
    p.add_argument("--freq", choices=("D", "W", "M"), default="W", help="period length: day, week, month (W)")
    p.set_defaults(func=cmd_view)

    p = sub.add_parser(
        "report",
        parents=[db_parent],
        help="write a briefing report (HTML or ZIP) and e-mail it",
        description="Build the panels the dashboard draws for a pair and period, write them as one HTML report "
        "(--zip: the briefing pack) and, with --email, send it as an HTML e-mail with the charts inline and the "
        "report attached (SMTP settings: BILAT_SMTP_* or the [smtp] table of the secrets file; README, Briefings "
        "by e-mail). Exit status 0 when written (and sent), 1 on an error.",
    )
    p.add_argument("--pair", required=True, metavar="PAIR", help="a country pair, e.g. PER-USA")
    when = p.add_argument_group("period: --last, or --start and --end")
    when.add_argument("--last", metavar="DURATION",
                      help="days (7d) or weeks (2w) ending on the last day with data, or today")  # fmt: skip
    when.add_argument("--start", type=_parse_date, metavar="DATE", help="first day, YYYY-MM-DD")
    when.add_argument("--end", type=_parse_date, metavar="DATE", help="last day, YYYY-MM-DD")
    p.add_argument("--page", action="append", choices=("overview", "coverage", "themes", "tone", "spikes"),
                   help="a page whose panels the report holds, repeatable (default overview)")  # fmt: skip
    p.add_argument("--ui", choices=("en", "es"), default="en", help="the report's language (default en)")
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write (replaced only once complete)")
    p.add_argument("--zip", action="store_true", help="write the briefing pack (PNG, SVG, HTML, CSV per chart)")
    p.add_argument("--email", action="append", metavar="ADDRESS", help="send the report to this address, repeatable")
    p.set_defaults(func=cmd_report)
    _alerts_parser(sub, db_parent)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BilatError as exc:
        print(f"bilat: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bilat: interrupted; what was committed before stays stored", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
