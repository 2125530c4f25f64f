"""Briefings outside the browser: ``bilat report``, the e-mail body, the reports file and its schedule."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import JAN

from analytics import dataset, engine, reports, views
from analytics.cli import _report_job, build_parser, main
from analytics.errors import InputError
from analytics.filters import Filters
from analytics.i18n import format_number, language
from analytics.store import Store
from dashboard import report

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JUNE = ["--start", "2026-06-01", "--end", "2026-06-30"]


def figures(db: Path, start: date, end: date) -> views.OverviewView:
    """The Overview bundle of PER-USA over the days, computed here, as the dashboard would."""
    with Store(db, create=False) as store:
        root = dataset.folder(store)
    source = engine.open_dataset(root)
    try:
        return views.overview(source, Filters(dyad="PER-USA", start=start, end=end), "W")
    finally:
        source.backend.disconnect()


def tiny_briefing(tiny, pages=("overview",)) -> report.Briefing:
    return report.build(
        engine.from_frames(*tiny), Filters(dyad="PER-USA", start=JAN[0], end=JAN[1]), list(pages), demo=True,
        data_timestamp="2026-01-19 06:00 UTC", enrichment_version="1-test", ui="en",
    )  # fmt: skip


# ---- bilat report -------------------------------------------------------------------------------


def test_report_writes_the_pairs_figures_in_html_with_its_language(demo_db, tmp_path):
    out = tmp_path / "brief.html"
    assert main(["report", "--db", str(demo_db), "--pair", "usa-per", *JUNE, "--ui", "es", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="es">' in page
    kpis = figures(demo_db, date(2026, 6, 1), date(2026, 6, 30)).kpis
    assert kpis.articles > 0
    with language("es"):  # the headline figures follow --ui (the rest of the report as its catalogue grows)
        assert f"<dt>Artículos</dt><dd>{format_number(kpis.articles)} " in page
        assert f"<dt>Artículos con puntaje de tono</dt><dd>{format_number(kpis.tone_n)}</dd>" in page
        tone = format_number(kpis.tone, 2)
        assert f"<dt>Tono medio</dt><dd>{tone if tone.startswith('-') else '+' + tone} (" in page
    assert "PER-USA; 1 jun 2026 a 30 jun 2026" in page  # the selection in Spanish, dates as Peru writes them
    assert [s for s in re.findall(r'<section id="([a-z-]+)">', page)] == ["volume", "themes", "tone"]
    assert '<p class="demo">' in page  # the demo store's report says so


def test_last_weeks_end_on_the_last_day_with_data(demo_db, tmp_path):
    out = tmp_path / "brief.html"
    argv = ["report", "--db", str(demo_db), "--pair", "PER-USA", "--last", "2w", "--page", "tone", "--out", str(out)]
    assert main(argv) == 0
    page = out.read_text(encoding="utf-8")
    assert "PER-USA; 2026-06-17 to 2026-06-30" in page  # the demo corpus ends on 2026-06-30
    assert '<html lang="en">' in page and "<dt>Mean tone</dt>" in page
    sections = re.findall(r'<section id="([a-z-]+)">', page)
    assert sections[:3] == ["tone", "net-tone", "tone-distribution"] and "volume" not in sections


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--last", "0d"], "'0d' is not a duration; write days or weeks, e.g. 7d or 2w"),
        (["--last", "7 days"], "'7 days' is not a duration"),
        (["--last", "9999w"], "'9999w' is too long; the longest report covers 3660 days"),
        (["--last", "7d", "--start", "2026-01-01"], "give either --last or --start and --end"),
        (["--start", "2026-06-30", "--end", "2026-06-01"], "the date range is reversed: 2026-06-30 is after"),
        (["--start", "2026-06-01"], "say which days to report"),
        (["--last", "7d", "--email", "desk@"], "'desk@' is not an e-mail address"),
        (["--last", "7d", "--pair", "PER-XYZ"], "no stored article is about PER-XYZ; the most covered pairs"),
        (["--last", "7d", "--pair", "PERU"], "'PERU' is not a country pair"),
    ],
)  # fmt: skip
def test_bad_values_are_one_line_and_exit_1(demo_db, tmp_path, capfd, flags, message):
    out = tmp_path / "brief.html"
    out.write_text("the previous report")
    argv = ["report", "--db", str(demo_db), "--pair", "PER-USA", "--out", str(out), *flags]
    assert main(argv) == 1
    err = capfd.readouterr().err
    assert err.startswith("bilat: error: ") and message in err and err.count("\n") == 1, err
    assert out.read_text() == "the previous report"  # nothing written over


def test_out_in_a_missing_folder_and_a_missing_store(demo_db, tmp_path, capfd):
    assert main(["report", "--db", str(demo_db), "--pair", "PER-USA", "--last", "7d",
                 "--out", str(tmp_path / "nope" / "r.html")]) == 1  # fmt: skip
    assert "the folder" in capfd.readouterr().err
    assert main(["report", "--db", str(tmp_path / "none.sqlite"), "--pair", "PER-USA", "--last", "7d",
                 "--out", str(tmp_path / "r.html")]) == 1  # fmt: skip
    assert capfd.readouterr().err.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--pair", "PER-USA", "--last", "7d"], "the following arguments are required: --out"),
        (["--pair", "PER-USA", "--last", "7d", "--out", "x.html", "--page", "compare"], "invalid choice: 'compare'"),
        (["--pair", "PER-USA", "--last", "7d", "--out", "x.html", "--ui", "fr"], "invalid choice: 'fr'"),
        (["--pair", "PER-USA", "--start", "June", "--end", "2026-06-30", "--out", "x.html"], "'June' is not a date"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_report_help_names_every_flag(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "--help"])
    text = capsys.readouterr().out
    for flag in ("--pair", "--last", "--start", "--end", "--page", "--ui", "--out", "--zip", "--email", "--db PATH"):
        assert flag in text


# ---- the e-mail body, without a browser -----------------------------------------------------------


def test_email_without_images_carries_tables_and_says_why(tiny):
    briefing = tiny_briefing(tiny, pages=("overview", "tone"))
    body = report.email_html(briefing, None, attached=["PER-USA_briefing.html"])
    assert "<script" not in body.lower() and "<style" not in body.lower() and "plotly" not in body.lower()
    assert "cid:" not in body and "<img" not in body
    assert "The charts could not be drawn as images" in body
    names = [p.name for p in briefing.panels]
    assert names[:3] == ["volume", "themes", "tone"] and names.count("tone") == 1  # shared panels kept once
    assert body.count("<h2 ") == len(briefing.panels)
    # Headline figures as text: articles about PER-USA in the tiny frames (1, 2, 5, 6).
    assert dict(briefing.headline)["Articles"].startswith("4")
    assert ">Articles</div>" in body and ">4" in body
    assert "PER-USA; 2026-01-05 to 2026-01-18" in body and "DEMO DATA" in body
    assert "Attached: PER-USA_briefing.html" in body
    assert '<html lang="en">' in body and '<table role="presentation"' in body
    text = report.email_text(briefing, charts_drawn=False, attached=["a.html"])
    assert "Articles: 4" in text and "could not be drawn" in text


def test_email_escapes_text_and_sets_the_language(tiny):
    briefing = tiny_briefing(tiny)
    hostile = report.Briefing(briefing.panels, briefing.view, (("<b>Articles</b>", "<script>x</script>"),), "es")
    body = report.email_html(hostile, None, attached=[])
    assert "<script>" not in body and "&lt;script&gt;x&lt;/script&gt;" in body and '<html lang="es">' in body


def test_every_inline_style_and_no_style_attribute_left_empty(tiny):
    body = report.email_html(tiny_briefing(tiny), None, attached=[])
    assert 'style=""' not in body and " class=" not in body  # classes need a <style> element mail clients drop


def test_chart_periods_follow_the_span():
    assert report.freq_for("overview", date(2026, 1, 1), date(2026, 1, 31)) == "D"
    assert report.freq_for("overview", date(2026, 1, 1), date(2026, 6, 30)) == "W"
    assert report.freq_for("spikes", date(2026, 1, 1), date(2026, 3, 31)) == "D"


# ---- the reports file and the schedule ------------------------------------------------------------

GOOD = """
[[report]]
id = "weekly"
pair = "usa-per"
last = "7d"
recipients = ["desk@example.org", "chief@example.org"]
cron = "MON 07:00"
timezone = "America/Lima"
"""


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "reports.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_job_and_its_trigger(tmp_path):
    (job,) = reports.load_reports(write(tmp_path, GOOD))
    assert (job.pair, job.days, job.hour, job.minute, job.pages, job.ui) == (
        "PER-USA",
        "mon",
        7,
        0,
        ("overview",),
        "en",
    )
    trigger = job.trigger()
    friday = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    fire = trigger.get_next_fire_time(None, friday)
    assert fire.astimezone(UTC) == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # Monday, 07:00 in Lima
    assert fire.astimezone(UTC).weekday() == 0
    after = trigger.get_next_fire_time(fire, fire.replace(minute=1))
    assert after.astimezone(UTC) == datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
    assert job.report_args(tmp_path) == [
        "report", "--pair", "PER-USA", "--last", "7d", "--ui", "en", "--out", str(tmp_path / "reports" / "weekly.html"),
        "--page", "overview", "--email", "desk@example.org", "--email", "chief@example.org",
    ]  # fmt: skip


def test_weekday_ranges_and_daily():
    assert reports.parse_cron("mon-fri 08:30") == ("mon-fri", 8, 30)
    assert reports.parse_cron("MON,THU 7:05") == ("mon,thu", 7, 5)
    assert reports.parse_cron("DAILY 23:59") == ("*", 23, 59)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('colour = "red"', "unknown key 'colour'"),
        ('timezone = "Mars/Olympus"', "timezone 'Mars/Olympus' is not a time zone"),
        ('cron = "MOON 07:00"', "'MOON' is not a day"),
        ('cron = "MON 25:00"', "'25:00' is not a time from 00:00 to 23:59"),
        ('cron = "MON"', "cron 'MON' is not a schedule"),
        ('cron = "FRI-MON 07:00"', "must run forward"),
        ('recipients = ["desk.example.org"]', "recipients: 'desk.example.org' is not an e-mail address"),
        ('recipients = "desk@example.org"', "recipients must be a list"),
        ('last = "a week"', "'a week' is not a duration"),
        ('pages = ["compare"]', "pages must be a list of one or more of overview"),
        ('ui = "fr"', "ui must be one of en, es"),
        ('enabled = "yes"', "'enabled' must be true or false"),
        ('id = "Weekly Report"', "id must be lower-case letters"),
    ],
)
def test_reports_file_mistakes_are_one_line(tmp_path, change, message):
    key = change.split(" = ")[0]
    lines = [line for line in GOOD.splitlines() if not line.startswith(f"{key} =")]
    path = write(tmp_path, "\n".join([*lines, change]) + "\n")
    with pytest.raises(InputError, match=re.escape(message)) as exc:
        reports.load_reports(path)
    assert str(exc.value).startswith(f"{path}: report 1") and "\n" not in str(exc.value)


def test_reports_file_level_mistakes(tmp_path):
    with pytest.raises(InputError, match="is used twice"):
        reports.load_reports(write(tmp_path, GOOD + GOOD))
    with pytest.raises(InputError, match="'cron' is required"):
        reports.load_reports(write(tmp_path, GOOD.replace('cron = "MON 07:00"', "")))
    with pytest.raises(InputError, match="not valid TOML"):
        reports.load_reports(write(tmp_path, "[[report]\n"))
    with pytest.raises(InputError, match="unknown table or key 'reports'"):
        reports.load_reports(write(tmp_path, "[[reports]]\nid = 'x'\n"))
    with pytest.raises(InputError, match="does not exist; pass --reports FILE"):
        reports.load_reports(tmp_path / "missing.toml")


def test_the_example_file_is_valid_and_sends_nothing():
    jobs = reports.load_reports(ROOT / "data" / "reports.toml")
    assert jobs and not any(job.enabled for job in jobs)
    weekly = next(job for job in jobs if job.id == "weekly-per-usa")
    assert (weekly.days, weekly.hour, weekly.minute, weekly.timezone) == ("mon", 7, 0, "America/Lima")


def test_a_failing_job_prints_one_line_and_the_schedule_goes_on(demo_db, tmp_path, capfd):
    no_mail = GOOD.replace('["desk@example.org", "chief@example.org"]', "[]")  # [] writes the file, sends nothing
    (job,) = reports.load_reports(write(tmp_path, no_mail.replace("usa-per", "ARG-CHL")))
    run = _report_job(job, str(demo_db), tmp_path)
    run()  # returns: the scheduler's thread carries on with the next job
    err = capfd.readouterr().err.strip().splitlines()
    assert err[-1] == "bilat: report weekly failed (1); the schedule goes on"
    assert "no stored article is about ARG-CHL" in err[0]
    assert not (tmp_path / "reports" / "weekly.html").exists()


def test_schedule_refuses_a_broken_reports_file_at_start(tmp_path, capfd):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "a"\nkind = "rss"\nurl = "https://example.org/feed"\noutlet = "A"\n')
    bad = write(tmp_path, GOOD.replace("America/Lima", "Lima"))
    argv = ["schedule", "--db", str(tmp_path / "s.sqlite"), "--sources", str(sources), "--reports", str(bad)]
    assert main(argv) == 1
    assert "timezone 'Lima' is not a time zone" in capfd.readouterr().err


# ---- with Chromium ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_zip_and_email_images(demo_db, tmp_path, tiny):
    out = tmp_path / "pack.zip"
    assert main(["report", "--db", str(demo_db), "--pair", "PER-USA", *JUNE, "--zip", "--out", str(out)]) == 0
    names = set(zipfile.ZipFile(out).namelist())
    for panel in ("volume", "themes", "tone"):
        for ext in ("png", "svg", "html", "csv"):
            assert f"PER-USA_{panel}_2026-06-01_2026-06-30.{ext}" in names
    assert {"summary.md", "report.html"} <= names
    briefing = tiny_briefing(tiny)
    images = report.chart_images(briefing)
    assert images is not None and set(images) == {f"{p.name}@bilat" for p in briefing.panels}
    assert all(png.startswith(PNG_SIGNATURE) for png in images.values())
    body = report.email_html(briefing, images, attached=[])
    assert sorted(re.findall(r'src="cid:([^"]+)"', body)) == sorted(images)
    assert "could not be drawn" not in body and "<script" not in body and "<style" not in body


@pytest.mark.browser
def test_report_is_sent_by_email(demo_db, tmp_path, monkeypatch):
    from mailserver import PASSWORD, USER, SmtpServer

    with SmtpServer(tmp_path) as smtp:
        monkeypatch.setenv("BILAT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BILAT_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("BILAT_SMTP_USER", USER)
        monkeypatch.setenv("BILAT_SMTP_PASSWORD", PASSWORD)
        monkeypatch.delenv("BILAT_SMTP_FROM", raising=False)
        monkeypatch.delenv("BILAT_SMTP_STARTTLS", raising=False)
        monkeypatch.setenv("SSL_CERT_FILE", smtp.cert)  # the report process trusts the test server
        out = tmp_path / "brief.html"
        argv = ["report", "--db", str(demo_db), "--pair", "PER-USA", *JUNE, "--out", str(out),
                "--email", "desk@example.org", "--email", "chief@example.org"]  # fmt: skip
        assert main(argv) == 0
    ((recipients, message),) = smtp.received
    assert recipients == ["desk@example.org", "chief@example.org"]
    assert message["Subject"] == "[DEMO DATA] Briefing PER-USA: Overview, 2026-06-01 to 2026-06-30"
    html = message.get_body(("html",)).get_content()
    assert "<script" not in html and "<style" not in html
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert cids == ["volume@bilat", "themes@bilat", "tone@bilat"]
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    images = {p["Content-ID"]: p.get_content() for p in related.iter_parts() if p.get_content_type() == "image/png"}
    assert set(images) == {f"<{cid}>" for cid in cids}
    assert all(png.startswith(PNG_SIGNATURE) for png in images.values())
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "PER-USA_briefing_2026-06-01_2026-06-30.html"
    assert attachment.get_payload(decode=True) == out.read_bytes()


def test_schedule_adds_each_enabled_report_job(tmp_path, monkeypatch, capfd):
    import signal

    from apscheduler.schedulers.blocking import BlockingScheduler

    pending = {}
    monkeypatch.setattr(BlockingScheduler, "start", lambda self: pending.update({j.id: j for j in self.get_jobs()}))
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # leave the test process's handlers alone
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "a"\nkind = "rss"\nurl = "https://example.org/feed"\noutlet = "A"\n')
    path = write(tmp_path, GOOD + GOOD.replace('"weekly"', '"paused"') + "enabled = false\n")
    argv = ["schedule", "--db", str(tmp_path / "s.sqlite"), "--sources", str(sources), "--reports", str(path)]
    assert main(argv) == 0
    assert len(pending) == 2 and "report-weekly" in pending  # the pull, and the one enabled report
    trigger = pending["report-weekly"].trigger
    fire = trigger.get_next_fire_time(None, datetime(2026, 12, 4, 3, 0, tzinfo=UTC))
    assert fire.astimezone(UTC) == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert "report weekly: mon at 07:00 America/Lima to 2 recipients" in capfd.readouterr().err


def test_email_without_an_smtp_server_is_refused_before_drawing(demo_db, tmp_path, monkeypatch, capfd):
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "STARTTLS"):
        monkeypatch.delenv(f"BILAT_SMTP_{name}", raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    out = tmp_path / "brief.html"
    argv = ["report", "--db", str(demo_db), "--pair", "PER-USA", "--last", "7d", "--out", str(out),
            "--email", "desk@example.org"]  # fmt: skip
    assert main(argv) == 1
    assert capfd.readouterr().err == "bilat: error: no SMTP server: set BILAT_SMTP_HOST (or host in the [smtp] " \
        "table of the secrets file)\n"  # fmt: skip
    assert not out.exists()


def test_a_scheduled_job_writes_its_report_next_to_the_reports_file(demo_db, tmp_path, capfd):
    no_mail = GOOD.replace('["desk@example.org", "chief@example.org"]', "[]") + 'pages = ["themes"]\n'
    (job,) = reports.load_reports(write(tmp_path, no_mail))
    _report_job(job, str(demo_db), tmp_path)()
    page = (tmp_path / "reports" / "weekly.html").read_text(encoding="utf-8")
    assert "PER-USA; 2026-06-24 to 2026-06-30" in page and '<section id="theme-periods">' in page
    assert "failed" not in capfd.readouterr().err
