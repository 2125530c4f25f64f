"""The bilat command line: help, analyze, demo, enrich, status, and its error manners."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.cli import build_parser, main
from analytics.enrich import enrichment_version

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "EE.UU. y el Perú firmaron un acuerdo contra el narcotráfico."


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics.cli", *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
        timeout=300,
    )  # fmt: skip


def test_help_lists_every_command():
    out = run("--help")
    assert out.returncode == 0
    for command in ("demo", "analyze", "enrich", "serve", "status", "pull", "schedule", "import", "evaluate"):
        assert command in out.stdout


@pytest.mark.parametrize(
    "command", ["demo", "analyze", "enrich", "serve", "status", "pull", "schedule", "import", "evaluate"]
)
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
    monkeypatch.setattr(sys, "stdin", io.StringIO(doc + "\n"))
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
