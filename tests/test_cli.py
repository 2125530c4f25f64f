"""The bilat command line: help, analyze, demo, enrich, status, view, and its error manners."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics import dataset, engine, views
from analytics.cli import build_parser, main
from analytics.enrich import enrichment_version
from analytics.filters import Filters
from analytics.pipeline import load_demo
from analytics.store import Store

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "EE.UU. y el Perú firmaron un acuerdo contra el narcotráfico."


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics.cli", *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
        timeout=300,
    )  # fmt: skip


COMMANDS = ["demo", "analyze", "enrich", "serve", "status", "pull", "schedule", "import", "evaluate", "dataset", "view"]


def test_help_lists_every_command():
    out = run("--help")
    assert out.returncode == 0
    for command in COMMANDS:
        assert command in out.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_takes_db(command, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "--db PATH" in text
    assert len(text.splitlines()) > 4


def test_analyze_the_reference_sentence():
    out = run("analyze", stdin=SENTENCE + "\n")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["language"] == "es"
    assert record["countries"] == ["PER", "USA"]
    assert record["dyads"] == ["PER-USA"]
    assert "security" in record["themes"]
    assert record["sentiment"] > 0.05 and record["tone"] == "positive"  # "firmaron un acuerdo"
    assert record["version"] == enrichment_version()


def test_analyze_keeps_input_order_and_reads_jsonl(tmp_path, capsys):
    source = tmp_path / "docs.jsonl"
    source.write_text(
        json.dumps({"title": "Mexico and the U.S. agree on border migration plan", "text": "Officials welcomed it."})
        + "\n\n"
        + "China y el Perú inauguran el puerto de Chancay\n",
        encoding="utf-8",
    )
    assert main(["analyze", str(source)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["dyads"] for r in lines] == [["MEX-USA"], ["CHN-PER"]]
    assert [r["language"] for r in lines] == ["en", "es"]
    assert lines[0]["sentiment"] > 0 and "migration" in lines[0]["themes"]


def test_analyze_explain_shows_what_matched(capsys, monkeypatch):
    doc = json.dumps({"text": "Washington and Lima signed a trade pact."})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(doc.encode() + b"\n")))
    assert main(["analyze", "--explain"]) == 0
    record = json.loads(capsys.readouterr().out)
    matched = {(m["code"], m["matched"]) for m in record["explain"]["countries"]}
    assert {("USA", "Washington"), ("PER", "Lima")} <= matched
    assert any(h["theme"] == "trade" for h in record["explain"]["themes"])


def test_analyze_bad_input_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": oops}\n', encoding="utf-8")
    out = run("analyze", str(bad))
    assert out.returncode == 1
    assert out.stderr.strip().startswith(f"bilat: error: {bad} line 2: not valid JSON")
    assert "Traceback" not in out.stderr
    assert len(out.stdout.splitlines()) == 1  # the good first line was still answered
    missing = run("analyze", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    no_text = tmp_path / "notext.jsonl"
    no_text.write_text('{"title": "x"}\n', encoding="utf-8")
    assert 'needs a string field "text"' in run("analyze", str(no_text)).stderr


def test_bad_flags_exit_2_with_a_message(tmp_path):
    out = run("demo", "--db", str(tmp_path / "x.sqlite"), "--end", "2026-13-01")
    assert out.returncode == 2 and "'2026-13-01' is not a date; write it as YYYY-MM-DD" in out.stderr
    out = run("demo", "--articles", "0")
    assert out.returncode == 2 and "must be at least 1" in out.stderr
    out = run("frobnicate")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_demo_enrich_and_status(tmp_path):
    db = str(tmp_path / "demo.sqlite")
    out = run("demo", "--db", db, "--articles", "300", "--end", "2026-06-30", "--months", "6")
    assert out.returncode == 0, out.stderr
    # Quiet in a pipe: one summary line, no progress bar.
    assert out.stderr.strip().splitlines() == [f"added 300 demo articles to {db} (300 stored)"]
    again = run("demo", "--db", db, "--articles", "300", "--end", "2026-06-30", "--months", "6")
    assert again.stderr.strip() == f"added 0 demo articles to {db} (300 stored)"
    status = json.loads(run("status", "--db", db).stdout)
    assert status["articles"] == 300 and status["demo_data"] is True
    assert status["enrichment_versions"] == {enrichment_version(): 300}
    assert "already carry" in run("enrich", "--db", db).stderr
    rebuilt = run("enrich", "--db", db, "--rebuild")
    assert (
        rebuilt.returncode == 0 and f"re-enriched 300 articles with enrichment {enrichment_version()}" in rebuilt.stderr
    )


def test_demo_refuses_a_store_with_real_articles(tmp_path):
    from datetime import UTC, datetime

    from analytics.pipeline import store_records
    from analytics.store import ArticleRecord, Store

    db = tmp_path / "real.sqlite"
    with Store(db) as store:
        store_records(
            store, [ArticleRecord("https://news.example.org/1", "Peru and the US", "", datetime.now(UTC), "X")]
        )
    out = run("demo", "--db", str(db), "--articles", "10")
    assert out.returncode == 1 and "holds pulled articles" in out.stderr


def test_db_folder_that_does_not_exist(tmp_path):
    out = run("status", "--db", str(tmp_path / "missing" / "x.sqlite"))
    assert out.returncode == 1 and out.stderr.startswith("bilat: error: folder")


@pytest.mark.parametrize("command", ["pull", "schedule", "import"])
def test_writers_into_a_demo_store_offer_force(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    assert "--force" in capsys.readouterr().out


def test_store_failures_are_one_line_in_a_real_process(tmp_path):
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    out = run("status", "--db", str(damaged))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip() == (
        f"bilat: error: {damaged} is damaged or not a SQLite file: restore it from a backup, or choose another --db"
    )
    typo = tmp_path / "typo.sqlite"
    out = run("enrich", "--db", str(typo))
    assert out.returncode == 1 and out.stderr.startswith(f"bilat: error: no store at {typo}; check --db")
    assert not typo.exists()


# --- bad input: one line each, the right exit status, nothing read lost (issue 9) ---------------


def test_analyze_reports_each_bad_line_and_answers_the_others():
    deep = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    lines = [
        b"Peru and the US sign a trade pact",
        b"Lima \xff\xfe and Washington",
        b'{"text": "\\ud800 broken"}',
        deep,
        b'{"title": "x", "text": "ok", "n": ' + b"9" * 5000 + b"}",
        "EE.UU. y el Perú firmaron un acuerdo.".encode(),
    ]
    out = subprocess.run(
        [sys.executable, "-m", "analytics.cli", "analyze"], input=b"\n".join(lines) + b"\n", capture_output=True,
        cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert out.returncode == 1
    assert [json.loads(x)["dyads"] for x in out.stdout.splitlines()] == [["PER-USA"], ["PER-USA"]]
    assert out.stderr.decode().splitlines() == [
        "bilat: error: standard input line 2: not valid UTF-8 (byte 6 is 0xff); save the input as UTF-8",
        'bilat: error: standard input line 3: "text" holds an unpaired surrogate escape (such as \\ud800), '
        "which is not a character; remove it",
        'bilat: error: standard input line 4: JSON nested too deeply; write one flat object with a "text" field',
        "bilat: error: standard input line 5: holds a number too long to read; remove it",
    ]


def test_analyze_reads_a_file_line_by_line_without_replacing_bytes(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("analytics.cli.ANALYZE_LINE_LIMIT", 64)
    source = tmp_path / "docs.txt"
    source.write_bytes(
        "\ufeffPerú y Chile\n".encode() + b"caf\xe9 en Lima\n" + b"x" * 200 + b"\n" + b"Mexico and the US\n"
    )
    assert main(["analyze", str(source)]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(x)["dyads"] for x in out.splitlines()] == [["CHL-PER"], ["MEX-USA"]]
    assert err.splitlines() == [
        f"bilat: error: {source} line 2: not valid UTF-8 (byte 4 is 0xe9); save the input as UTF-8",
        f"bilat: error: {source} line 3: longer than 0 MB; split the document",
    ]


def test_analyze_names_twenty_bad_lines_then_counts_the_rest(tmp_path, capsys):
    source = tmp_path / "bad.txt"
    source.write_bytes(b"\xff\n" * 25 + b"Peru\n")
    assert main(["analyze", str(source)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1
    assert len(err.splitlines()) == 21
    assert err.splitlines()[-1] == f"bilat: error: 5 more lines of {source} could not be read"


BAD_FLAGS = [
    (["pull", "--retries", "-1"], "argument --retries: -1 must be at least 0"),
    (["pull", "--retries", "1000"], "argument --retries: 1000 must be at most 10"),
    (["pull", "--timeout", "0"], "argument --timeout: 0 must be a number of seconds above 0 and at most 600"),
    (["pull", "--timeout", "nan"], "argument --timeout: nan must be a number of seconds above 0 and at most 600"),
    (["schedule", "--timeout", "inf"], "argument --timeout: inf must be a number of seconds above 0 and at most 600"),
    (["schedule", "--timeout", "-3"], "argument --timeout: -3 must be a number of seconds above 0 and at most 600"),
    (["pull", "--timeout", "soon"], "argument --timeout: 'soon' is not a number of seconds"),
    (["pull", "--concurrency", "0"], "argument --concurrency: 0 must be at least 1"),
    (["schedule", "--every", "99999999999d"], "argument --every: '99999999999d' is too long an interval"),
    (["schedule", "--every", "\u00b2m"], "argument --every: '\u00b2m' is not an interval"),
    (["serve", "--port", "0"], "argument --port: 0 must be at least 1"),
    (["serve", "--port", "65536"], "argument --port: 65536 must be at most 65535"),
    (["demo", "--months", "100000"], "argument --months: 100000 must be at most 600"),
    (["demo", "--articles", "1" + "0" * 30], "must be at most 10000000"),
    (["demo", "--end", "0001-01-01"], "argument --end: 0001-01-01 is outside the demo's range"),
    (["demo", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_FLAGS)
def test_impossible_flag_values_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_import_keeps_good_rows_next_to_bad_ones_and_counts_unread_dates(tmp_path, capsys):
    from analytics.store import Store

    data = tmp_path / "export.jsonl"
    rows = [
        {"url": "https://a.example/1", "title": "Peru and the US sign a trade pact", "date": "10/03/2025"},
        {"url": "https://a.example/2", "title": "Broken \ud800 title", "date": "2025-03-11"},
        {"url": "https://a.example/3", "title": "Canciller viaja a Washington", "date": "3 de octubre de 2025"},
        {"url": "https://a.example/4", "title": "Exportaciones de cobre", "date": "hace 3 horas"},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    db = tmp_path / "bilat.sqlite"
    assert main(["import", str(data), "--db", str(db), "--outlet", "Example"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("read and stored in ")
    assert err[:-1] == [
        "  row 2 skipped: field 'title' holds an unpaired surrogate escape (such as \\ud800), which is not a "
        "character; remove it from the export",
        f"imported 3 new articles from {data} (3 read, 1 skipped); 1 dates could not be read (first: row 4, "
        "'hace 3 horas') and carry the import time; see bilat import --help for the date forms read",
    ]
    with Store(db) as store:
        published = dict(store.conn.execute("SELECT url, published FROM articles").fetchall())
    assert published["https://a.example/1"].startswith("2025-03-10")
    assert published["https://a.example/3"].startswith("2025-10-03")
    assert main(["import", str(data), "--db", str(tmp_path / "us.sqlite"), "--outlet", "E", "--month-first"]) == 0
    with Store(tmp_path / "us.sqlite") as store:
        first = store.conn.execute("SELECT published FROM articles WHERE url = 'https://a.example/1'").fetchone()
    assert first[0].startswith("2025-10-03")


def test_import_of_a_file_without_usable_rows_stores_nothing(tmp_path, capsys):
    data = tmp_path / "x.jsonl"
    data.write_text("not json\n", encoding="utf-8")
    db = tmp_path / "bilat.sqlite"
    assert main(["import", str(data), "--db", str(db), "--outlet", "E"]) == 1
    assert capsys.readouterr().err.startswith(f"bilat: error: {data}: no line is a JSON object")
    assert not db.exists()


def test_import_in_batches_records_the_whole_run(tmp_path, capsys, monkeypatch):
    from analytics.store import Store

    monkeypatch.setattr("analytics.ingest.files.BATCH", 2)
    data = tmp_path / "five.csv"
    data.write_text(
        "title,url,source\n" + "".join(f"Nota {n} sobre el Perú,https://a.example/{n},S\n" for n in range(5)),
        encoding="utf-8",
    )
    db = tmp_path / "bilat.sqlite"
    assert main(["import", str(data), "--db", str(db)]) == 0
    summary, rate = capsys.readouterr().err.splitlines()
    assert summary == f"imported 5 new articles from {data} (5 read, 0 skipped)"
    # A small file is enriched here, in one process; the rate counts the rows read.
    assert re.fullmatch(r"read and stored in \d+\.\d s \([\d,]+ articles/s\) with 1 worker", rate), rate
    with Store(db) as store:
        health = store.source_health()
        runs = store.last_runs()
    assert health[["source_id", "items_seen", "items_new"]].to_dict("records") == [
        {"source_id": "import-five", "items_seen": 5, "items_new": 5}
    ]
    assert runs[["status", "articles_seen", "articles_new"]].to_dict("records") == [
        {"status": "ok", "articles_seen": 5, "articles_new": 5}
    ]


def test_import_with_worker_processes_stores_what_one_process_stores(tmp_path):
    source = tmp_path / "source.sqlite"
    with Store(source) as store:
        load_demo(store, n=2400, seed=8, end=date(2026, 6, 30), months=3)
        rows = store.conn.execute("SELECT url, title, text, published, outlet FROM articles ORDER BY n").fetchall()
    lines = [json.dumps({"url": u, "title": t, "text": x, "date": p, "outlet": o}, ensure_ascii=False)
             for u, t, x, p, o in rows]  # fmt: skip
    # The first rows again at the end, in batches other than their first: each is stored once.
    data = tmp_path / "export.jsonl"
    data.write_text("\n".join(lines + lines[:300]) + "\n", encoding="utf-8")
    assert data.stat().st_size > 1_000_000  # large enough for worker processes
    one, two = tmp_path / "one.sqlite", tmp_path / "two.sqlite"
    for db, workers in ((one, "1"), (two, "2")):
        done = run("import", str(data), "--workers", workers, "--db", str(db))
        assert done.returncode == 0, done.stderr
        *_, summary, rate = done.stderr.splitlines()
        assert summary.startswith(f"imported 2400 new articles from {data} (2400 read, 300 skipped"), done.stderr
        assert rate.endswith(f"with {workers} worker{'s' if workers == '2' else ''}"), rate
    queries = [
        "SELECT url, title, published FROM articles ORDER BY url",
        "SELECT a.url, e.version, e.language, e.sentiment, e.sentences, e.theme_mask FROM enrichment e "
        "JOIN articles a USING (n) ORDER BY a.url",
        "SELECT a.url, d.dyad, d.relation_tone FROM article_dyads d JOIN articles a USING (n) ORDER BY a.url, d.dyad",
        "SELECT a.url, t.theme FROM article_themes t JOIN articles a USING (n) ORDER BY a.url, t.theme",
    ]
    for sql in queries:
        with Store(one) as a, Store(two) as b:
            found = a.conn.execute(sql).fetchall()
            assert len(found) >= 2000 and found == b.conn.execute(sql).fetchall(), sql


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("view") / "demo.sqlite"
    with Store(db) as store:
        load_demo(store, n=600, seed=3, end=date(2026, 6, 30), months=6)
    return db


def test_view_prints_the_numbers_the_page_shows(demo_db, capsys):
    filters = Filters(dyad="PER-USA", start=date(2026, 1, 1), end=date(2026, 3, 31), themes=("trade", "security"))
    argv = ["view", "tone", "--db", str(demo_db), "--pair", "usa-per", "--start", "2026-01-01", "--end", "2026-03-31",
            "--theme", "trade", "--theme", "security"]  # fmt: skip
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    source = engine.open_dataset(dataset.folder(Store(demo_db)))
    page = views.tone_view(source, filters, "W")
    assert printed["page"] == "tone" and printed["selection"] == filters.describe()
    assert printed["span"] == ["2026-01-01", "2026-03-31"]
    for name in ("tone", "distribution", "by_theme", "by_source", "relation"):
        expected = getattr(page, name)
        got = pd.DataFrame(printed[name], columns=list(expected.columns))
        if "period" in got:
            got["period"] = pd.to_datetime(got["period"]).astype(expected["period"].dtype)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)
    assert sum(row["n"] for row in printed["tone"]) == page.tone["n"].sum() > 0


def test_view_of_every_page_and_compare(demo_db, capsys):
    for page in ("overview", "coverage", "themes", "spikes"):
        assert main(["view", page, "--db", str(demo_db), "--country", "per", "--once", "--freq", "W"]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert printed["selection"].startswith("PER with any partner")
    assert main(["view", "compare", "--db", str(demo_db), "--pair", "PER-USA", "--vs", "MEX-USA"]) == 0
    printed = json.loads(capsys.readouterr().out)
    sides = {row["side"]: row for row in printed["comparison"]["kpis"]}
    assert sides["A"]["articles"] == printed["a"]["kpis"]["articles"] > 0
    assert sides["B"]["articles"] == printed["b"]["kpis"]["articles"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["overview", "--pair", "PER"], "'PER' is not a country pair"),
        (["overview", "--country", "PE1"], "'PE1' is not a country"),
        (["overview", "--theme", "sport"], "unknown theme 'sport'"),
        (["overview", "--start", "2026-03-01", "--end", "2026-02-01"], "the date range is reversed"),
        (["compare", "--pair", "PER-USA"], "the compare page needs a second pair"),
        (["tone", "--vs", "MEX-USA"], "--vs names the other side of the compare page"),
        (["spikes", "--freq", "M"], "spikes are found per day or week"),
    ],
)
def test_view_refuses_bad_selections_in_one_line(demo_db, argv, message, capsys):
    assert main(["view", *argv[:1], "--db", str(demo_db), *argv[1:]]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bilat: error: ") and message in err and len(err.strip().splitlines()) == 1


def test_view_brings_a_missing_dataset_up_to_date(tmp_path, capsys):
    db = tmp_path / "demo.sqlite"
    with Store(db) as store:
        load_demo(store, n=200, seed=4, end=date(2026, 6, 30), months=3)
        shutil.rmtree(dataset.folder(store))
    assert main(["view", "overview", "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert "the analysis dataset is missing; bringing it up to date first" in captured.err
    assert json.loads(captured.out)["kpis"]["articles"] == 200


def test_commands_without_analysis_start_without_pandas_or_numpy(demo_db):
    # pandas and numpy take most of a bare start (0.7 s of 1.1 s here); help and status need neither.
    code = (
        "import sys, contextlib, io\n"
        "from analytics.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['status', '--db', {str(demo_db)!r}]) == 0\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow', 'ibis') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_enrich_with_worker_processes_stores_what_one_process_stores(tmp_path):
    one, two = tmp_path / "one.sqlite", tmp_path / "two.sqlite"
    with Store(one) as store:
        load_demo(store, n=1200, seed=6, end=date(2026, 6, 30), months=3)
    shutil.copy(one, two)
    # In a process of its own, as a user runs it: workers are spawned, and a spawned worker imports
    # the parent's main module (in this test process that may be a page script run by AppTest).
    for db, workers in ((one, "1"), (two, "2")):
        done = run("enrich", "--rebuild", "--workers", workers, "--db", str(db))
        assert done.returncode == 0 and "re-enriched 1200 articles" in done.stderr, done.stderr
    queries = [
        "SELECT n, version, language, sentiment, sentences, theme_mask FROM enrichment ORDER BY n",
        "SELECT * FROM article_dyads ORDER BY n, dyad",
        "SELECT * FROM article_countries ORDER BY n, code",
        "SELECT * FROM article_themes ORDER BY n, theme",
    ]
    for sql in queries:
        with Store(one) as a, Store(two) as b:
            rows = a.conn.execute(sql).fetchall()
            assert rows and rows == b.conn.execute(sql).fetchall(), sql


def test_enrich_refuses_zero_workers(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["enrich", "--workers", "0"])
    assert stop.value.code == 2 and "must be at least 1" in capsys.readouterr().err
