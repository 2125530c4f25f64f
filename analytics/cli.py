"""The ``bilat`` command line: a thin layer over the analytics functions.

Every command takes ``--db PATH`` (default ``data/bilat.sqlite`` or ``$BILAT_DB``). Errors a user
can act on print one line to stderr and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from analytics.errors import BilatError, InputError
from analytics.store import Store, default_db_path

ROOT = Path(__file__).resolve().parent.parent


def _progress(items: Iterable, *, total: int | None, desc: str) -> Iterable:
    """A progress bar on a terminal; silent when stderr is a pipe or a file."""
    return tqdm(items, total=total, desc=desc, unit=" articles", disable=not sys.stderr.isatty(), leave=False)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


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


def _read_documents(stream: TextIO, name: str) -> Iterator[tuple[str, str]]:
    """(title, text) for each non-blank line: plain text, or a JSON object with ``text``."""
    for number, line in enumerate(stream, start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{name} line {number}: not valid JSON ({exc.msg}, column {exc.colno})") from None
            text = obj.get("text") if isinstance(obj, dict) else None
            if not isinstance(text, str):
                raise InputError(f'{name} line {number}: a JSON document needs a string field "text"')
            title = obj.get("title") or ""
            if not isinstance(title, str):
                raise InputError(f'{name} line {number}: "title" must be a string')
            yield title, text
        else:
            yield "", line


def cmd_analyze(args: argparse.Namespace) -> int:
    from analytics.enrich import enrich

    if args.file in (None, "-"):
        stream, name = sys.stdin, "standard input"
    else:
        path = Path(args.file)
        if not path.is_file():
            raise InputError(f"{path} does not exist or is not a file")
        stream, name = path.open(encoding="utf-8", errors="replace"), str(path)
    with stream:
        for title, text in _read_documents(stream, name):
            record = enrich(title, text).to_json(explain=args.explain)
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def cmd_enrich(args: argparse.Namespace) -> int:
    from analytics.enrich import enrich_many, enrichment_version

    version = enrichment_version()
    with Store(args.db) as store:
        stale = store.count_articles() if args.rebuild else store.count_stale(version)
        if stale == 0:
            print(f"all articles already carry enrichment {version}", file=sys.stderr)
            return 0
        done = 0
        with tqdm(total=stale, desc="enrich", unit=" articles", disable=not sys.stderr.isatty(), leave=False) as bar:
            # Each batch is one transaction: an interrupted rebuild keeps the batches it finished.
            for batch in store.iter_texts(stale_for=None if args.rebuild else version, batch=500):
                found = enrich_many([(title, text) for _, title, text in batch])
                done += store.replace_enrichment([(n, e.to_row()) for (n, _, _), e in zip(batch, found, strict=True)])
                bar.update(len(batch))
    print(f"re-enriched {done} articles with enrichment {version}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    env = dict(os.environ, BILAT_DB=str(Path(args.db).resolve()))
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
        "--server.port", str(args.port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    return subprocess.call(command, env=env)


def cmd_status(args: argparse.Namespace) -> int:
    from analytics.enrich import enrichment_version

    with Store(args.db) as store:
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


# --- parser -----------------------------------------------------------------------------------


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
    p.add_argument("--articles", type=_positive_int, default=10_000, metavar="N", help="how many (default 10000)")
    p.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default 7)")
    p.add_argument(
        "--end",
        type=_parse_date,
        default=None,
        metavar="DATE",
        help="last day of the window, YYYY-MM-DD (default: today, UTC)",
    )
    p.add_argument("--months", type=_positive_int, default=24, metavar="M", help="window length (default 24)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "analyze",
        parents=[db_parent],
        help="enrich documents and print one JSON object each",
        description='Read documents, one per line: plain text, or JSON objects with "text" '
        'and an optional "title". Print one JSON object per document, in input order.',
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="input file, or - for standard input")
    p.add_argument("--explain", action="store_true", help="also print the matched terms and sentence scores")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser(
        "enrich",
        parents=[db_parent],
        help="re-enrich stored articles",
        description="Re-enrich the stored articles whose enrichment version is not the current "
        "one (all of them with --rebuild), in batches of one transaction each.",
    )
    p.add_argument("--rebuild", action="store_true", help="re-enrich every article")
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser(
        "serve",
        parents=[db_parent],
        help="run the dashboard",
        description="Run the Streamlit dashboard on the store; an empty store gets the demo corpus.",
    )
    p.add_argument("--port", type=_positive_int, default=8501, help="port (default 8501)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "status",
        parents=[db_parent],
        help="print what the store holds",
        description="Print the store's schema version, article count and enrichment versions.",
    )
    p.set_defaults(func=cmd_status)
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
