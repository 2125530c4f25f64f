"""Local time: BILAT_TZ decides where days, weeks and months begin, everywhere a figure is counted."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analytics import dataset, engine, views
from analytics.cli import main
from analytics.errors import InputError
from analytics.filters import Filters
from analytics.measures import spikes
from analytics.pipeline import store_records
from analytics.selection import resolve
from analytics.settings import local_zone, shown_time
from analytics.store import ArticleRecord, Store

LIMA = "America/Lima"
MARCH = Filters(dyad="PER-USA", start=date(2026, 3, 1), end=date(2026, 3, 31))
# (slug, published in UTC): the day each falls on in Lima (UTC-5) is in the comment.
MOMENTS = {
    "evening": datetime(2026, 3, 3, 2, tzinfo=UTC),  # Mon 2 March 21:00 in Lima
    "monday": datetime(2026, 3, 9, 2, tzinfo=UTC),  # a Monday in UTC, Sunday 8 March in Lima
    "noon": datetime(2026, 3, 18, 17, tzinfo=UTC),  # 18 March in both
    "edge": datetime(2026, 4, 1, 2, tzinfo=UTC),  # in the April partition, 31 March in Lima
}


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.delenv("BILAT_TZ", raising=False)


@pytest.fixture
def lima(monkeypatch):
    monkeypatch.setenv("BILAT_TZ", LIMA)


@pytest.fixture
def db(tmp_path, utc):
    """A store of four PER-USA articles at the moments above, with its dataset built under UTC."""
    path = tmp_path / "local.sqlite"
    records = [
        ArticleRecord(
            url=f"https://news.example.org/{slug}", title=f"Peru and the United States sign a trade pact ({slug})",
            text="Lima and Washington agreed on tariffs.", published=moment, outlet="Wire", source_country="PER",
            declared_language="en",
        )
        for slug, moment in MOMENTS.items()
    ]  # fmt: skip
    with Store(path) as store:
        assert store_records(store, records) == 4
        dataset.rebuild(store)
        ns = dict(store.conn.execute("SELECT substr(url, 26), n FROM articles").fetchall())
    assert set(ns) == set(MOMENTS)
    return path, ns


def source_of(path):
    """The DuckDB source over the store's dataset, brought up to date under the current BILAT_TZ."""
    with Store(path) as store:
        dataset.bring_up_to_date(store)
        return engine.open_dataset(dataset.folder(store))


def counts(frame: pd.DataFrame) -> dict[str, int]:
    """The periods with articles, as ``{YYYY-MM-DD: articles}``."""
    kept = frame[frame["articles"] > 0]
    return {p.strftime("%Y-%m-%d"): int(a) for p, a in zip(kept["period"], kept["articles"], strict=True)}


# --- the setting ----------------------------------------------------------------------------


def test_unset_or_blank_is_utc(monkeypatch):
    monkeypatch.delenv("BILAT_TZ", raising=False)
    assert local_zone().key == "UTC"
    monkeypatch.setenv("BILAT_TZ", "  ")
    assert local_zone().key == "UTC"
    monkeypatch.setenv("BILAT_TZ", LIMA)
    assert local_zone().key == LIMA


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "Lima"])
def test_a_bad_zone_is_a_one_line_input_error_naming_the_setting(monkeypatch, bad):
    monkeypatch.setenv("BILAT_TZ", bad)
    with pytest.raises(InputError) as raised:
        local_zone()
    message = str(raised.value)
    assert message.startswith("BILAT_TZ=") and "America/Lima" in message and "\n" not in message


def test_a_bad_zone_stops_the_cli_in_one_line_and_loses_nothing(db, monkeypatch, capsys):
    path, _ = db
    folder = path.with_name(path.name + ".dataset")
    before = {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    monkeypatch.setenv("BILAT_TZ", "Mars/Olympus_Mons")
    for argv in (["view", "coverage", "--db", str(path)], ["dataset", "--rebuild", "--db", str(path)]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith("bilat: error: BILAT_TZ='Mars/Olympus_Mons'") and err.count("\n") == 1
    assert {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} == before


def test_times_are_shown_in_the_zone_with_its_abbreviation(monkeypatch):
    monkeypatch.delenv("BILAT_TZ", raising=False)
    assert shown_time("2026-03-03T02:00:00Z") == "2026-03-03 02:00 UTC"
    monkeypatch.setenv("BILAT_TZ", LIMA)
    assert shown_time("2026-03-03T02:00:00Z") == "2026-03-02 21:00 -05"
    assert shown_time(pd.Timestamp("2026-03-03 02:00", tz="UTC")) == "2026-03-02 21:00 -05"
    monkeypatch.setenv("BILAT_TZ", "America/New_York")  # summer time has its own abbreviation
    assert shown_time("2026-07-01T02:00:00Z") == "2026-06-30 22:00 EDT"
    assert shown_time(None) == "" and shown_time("not a time") == ""


# --- the dataset ----------------------------------------------------------------------------


def test_a_dataset_built_under_utc_is_behind_under_lima_and_rebuilt(db, monkeypatch, capsys):
    path, ns = db
    with Store(path) as store:
        assert dataset.status_reason(store) == ("current", "up to date with the store (days in UTC)")
        monkeypatch.setenv("BILAT_TZ", LIMA)
        assert dataset.status_reason(store) == ("behind", "built for time zone UTC; BILAT_TZ is America/Lima")
        assert main(["dataset", "--db", str(path)]) == 0
        info = json.loads(capsys.readouterr().out)
        assert (info["status"], info["zone"]) == ("behind", "UTC") and "BILAT_TZ is America/Lima" in info["why"]
        # A refresh naming no month cannot patch a dataset of another zone: every month is rewritten.
        assert dataset.bring_up_to_date(store)[1]["written"] == ["2026-03", "2026-04"]
        assert dataset.status(store) == "current"
        assert dataset.read_manifest(store)["zone"] == LIMA
    # The April partition holds the edge article, on its Lima day: 31 March.
    april = pq.read_table(path.with_name(path.name + ".dataset") / "articles" / "month=2026-04" / "part.parquet")
    assert dict(zip(april["n"].to_pylist(), april["day"].to_pylist(), strict=True)) == {ns["edge"]: date(2026, 3, 31)}
    march = pq.read_table(path.with_name(path.name + ".dataset") / "articles" / "month=2026-03" / "part.parquet")
    days = dict(zip(march["n"].to_pylist(), march["day"].to_pylist(), strict=True))
    assert days[ns["evening"]] == date(2026, 3, 2) and days[ns["monday"]] == date(2026, 3, 8)
    monkeypatch.delenv("BILAT_TZ")
    with Store(path) as store:
        assert dataset.status(store) == "behind"


def test_a_writer_under_another_zone_rebuilds_instead_of_patching_a_month(db, monkeypatch):
    path, _ = db
    monkeypatch.setenv("BILAT_TZ", LIMA)
    with Store(path) as store:
        since = store.data_version()
        summary = dataset.update(store, ["2026-03"], since=since)
        assert summary["written"] == ["2026-03", "2026-04"] and dataset.status(store) == "current"


def test_the_stamp_moves_with_the_zone_and_keeps_old_utc_datasets_stamps():
    manifest = {"format_version": dataset.FORMAT_VERSION, "months": {"2026-03": {"articles": 4}}}
    old = dataset.stamp(manifest)
    assert dataset.stamp(manifest | {"zone": "UTC"}) == old
    assert dataset.stamp(manifest | {"zone": LIMA}) != old


def test_wire_copies_know_the_local_day_of_the_copy_before(tmp_path, monkeypatch):
    monkeypatch.setenv("BILAT_TZ", LIMA)
    path = tmp_path / "copies.sqlite"
    copies = [
        ArticleRecord(
            url=f"https://news.example.org/copy-{i}", title="Peru and the United States sign a trade pact",
            text="Lima and Washington agreed on tariffs.", published=moment, outlet=f"Outlet {i}",
            source_country="PER", declared_language="en",
        )
        for i, moment in enumerate([datetime(2026, 3, 3, 1, tzinfo=UTC), datetime(2026, 3, 3, 3, tzinfo=UTC)])
    ]  # fmt: skip
    with Store(path) as store:
        store_records(store, copies)
        dataset.rebuild(store)
        second = store.conn.execute("SELECT n FROM articles WHERE url LIKE '%copy-1'").fetchone()[0]
    table = pq.read_table(path.with_name(path.name + ".dataset") / "articles" / "month=2026-03" / "part.parquet")
    rows = {n: (d, p) for n, d, p in zip(*(table[c].to_pylist() for c in ("n", "day", "prev_day")), strict=True)}
    # Both copies were published on 2 March in Lima: the second's copy before is of that day.
    assert rows[second] == (date(2026, 3, 2), date(2026, 3, 2))


# --- the figures ----------------------------------------------------------------------------


def test_coverage_counts_lima_days_and_reads_the_partition_past_the_month(db, lima):
    path, _ = db
    bundle = views.coverage(source_of(path), MARCH, "D")
    assert bundle.selection.span == (date(2026, 3, 1), date(2026, 3, 31))
    # The evening article counts on 2 March; the edge one, stored in April's partition, on 31 March.
    assert counts(bundle.volume) == {"2026-03-02": 1, "2026-03-08": 1, "2026-03-18": 1, "2026-03-31": 1}
    # A range of that one day finds it, and the UTC day after finds nothing.
    last = replace(MARCH, start=date(2026, 3, 31))
    assert counts(views.coverage(source_of(path), last, "D").volume) == {"2026-03-31": 1}
    april = replace(MARCH, start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert counts(views.coverage(source_of(path), april, "D").volume) == {}


def test_coverage_under_utc_is_unchanged(db, utc):
    path, _ = db
    bundle = views.coverage(source_of(path), MARCH, "D")
    assert counts(bundle.volume) == {"2026-03-03": 1, "2026-03-09": 1, "2026-03-18": 1}


@pytest.mark.parametrize(
    ("zone", "freq", "expected"),
    [
        (LIMA, "W", {"2026-03-02": 2, "2026-03-16": 1, "2026-03-30": 1}),
        (None, "W", {"2026-03-02": 1, "2026-03-09": 1, "2026-03-16": 1, "2026-03-30": 1}),
        (LIMA, "M", {"2026-03-01": 4}),
        (None, "M", {"2026-03-01": 3, "2026-04-01": 1}),
    ],
)
def test_weeks_and_months_begin_at_local_midnight(db, monkeypatch, zone, freq, expected):
    path, _ = db
    if zone:
        monkeypatch.setenv("BILAT_TZ", zone)
    open_range = Filters(dyad="PER-USA")
    assert counts(views.coverage(source_of(path), open_range, freq).volume) == expected


def test_view_coverage_prints_lima_days(db, lima, capsys):
    path, _ = db
    argv = ["view", "coverage", "--db", str(path), "--pair", "PER-USA", "--start", "2026-03-01", "--end", "2026-03-31"]
    assert main([*argv, "--freq", "D"]) == 0
    captured = capsys.readouterr()
    assert "bringing it up to date first (built for time zone UTC; BILAT_TZ is America/Lima)" in captured.err
    rows = {row["period"]: row["articles"] for row in json.loads(captured.out)["volume"] if row["articles"]}
    assert rows == {"2026-03-02": 1, "2026-03-08": 1, "2026-03-18": 1, "2026-03-31": 1}
    assert main([*argv, "--freq", "M"]) == 0
    assert [(r["period"], r["articles"]) for r in json.loads(capsys.readouterr().out)["volume"]] == [("2026-03-01", 4)]


def test_the_frames_path_agrees_with_the_dataset(db, lima):
    path, _ = db
    with Store(path) as store:
        articles, dyads = store.load_frames()
    by_n = dict(zip(articles["n"], articles["day"].dt.strftime("%Y-%m-%d"), strict=True))
    assert sorted(by_n.values()) == ["2026-03-02", "2026-03-08", "2026-03-18", "2026-03-31"]
    frames = views.coverage(engine.from_frames(articles, dyads), MARCH, "D").volume
    pd.testing.assert_frame_equal(frames, views.coverage(source_of(path), MARCH, "D").volume)


def test_a_spike_day_lists_the_stories_of_its_local_day(db, monkeypatch):
    path, ns = db
    day = date(2026, 3, 2)
    sel = resolve(source_of(path), MARCH, "D")
    assert ns["evening"] not in spikes.title_rows(source_of(path), sel, day, day, baseline_days=1)
    monkeypatch.setenv("BILAT_TZ", LIMA)
    source = source_of(path)
    sel = resolve(source, MARCH, "D")
    assert spikes.title_rows(source, sel, day, day, baseline_days=1).tolist() == [ns["evening"]]


def test_the_articles_page_shows_lima_times(db, lima, use_db):
    from tests.conftest import open_app

    path, _ = db
    use_db(path)
    at = open_app({"from": "2026-03-02", "to": "2026-03-02"}, "dashboard/pages/articles.py")
    table = at.dataframe[0].value
    assert table["published"].tolist() == ["2026-03-02 21:00 -05"]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_counts_the_same_lima_days_weeks_and_months(db, lima):
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs a Java runtime (17)")
    path, _ = db
    duck = source_of(path)
    session = engine.spark_session("local[1]", conf={"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"})
    try:
        # A cluster's session may be set to any zone (Ibis resets it to UTC): the buckets come from
        # the dataset's local days either way.
        session.conf.set("spark.sql.session.timeZone", "Asia/Tokyo")
        folder = path.with_name(path.name + ".dataset")
        spark = engine.open_dataset(folder, backend="pyspark", session=session, cache=False)
        for freq in "DWM":
            expected = views.coverage(duck, MARCH, freq).volume
            pd.testing.assert_frame_equal(views.coverage(spark, MARCH, freq).volume, expected, check_dtype=False)
        assert counts(views.coverage(spark, MARCH, "M").volume) == {"2026-03-01": 4}
    finally:
        session.stop()
