"""Portability: every page's bundle computed on PySpark (local mode) equals DuckDB's over the same dataset.

One local Spark session serves the module. The dataset is the demo store's, read by DuckDB from its
folder and by Spark through a ``file://`` URI, as a cluster reads object storage.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from analytics import dataset, engine, views
from analytics.filters import Filters
from analytics.pipeline import load_demo, store_records
from analytics.store import ArticleRecord, Store

pytestmark = [
    pytest.mark.slow,
    # pyspark's toPandas passes pandas a copy= argument that pandas 3 deprecates, once a column.
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and (Path(home) / "bin" / "java").exists())


needs_java = pytest.mark.skipif(
    not _java_found(), reason="Spark needs a Java runtime (17): no java on PATH nor in $JAVA_HOME; "
    "scripts/test.sh installs Debian's default-jre-headless"
)  # fmt: skip

# (filters, the frequencies at which the DuckDB reference finds spikes): the pages' four kinds of
# selection, chosen so that spikes, theme changes and the relation tone are not all empty.
FILTER_SETS = {
    "pair-closed-range": (Filters(dyad="PER-USA", start=date(2026, 1, 5), end=date(2026, 3, 1)), "DW"),
    "pair-open-ended": (Filters(dyad="CHN-PER", start=date(2025, 11, 3)), ""),
    "country-any-partner-once": (Filters(country="USA", once=True), "DW"),
    "themes-and-languages": (Filters(themes=("trade", "security"), languages=("es",)), "W"),
}


@pytest.fixture(scope="module")
def spark():
    # The JVM lives a minute: its quick compiler alone starts Spark and warms it up in about half the
    # time, and compiles the same Spark, so the results are those of any other setting.
    session = engine.spark_session("local[2]", conf={"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"})
    yield session
    session.stop()


def dataset_of(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".dataset")


@pytest.fixture(scope="module")
def sources(demo_db, spark):
    """The demo dataset on DuckDB and on Spark."""
    with Store(demo_db) as store:
        assert dataset.status(store) == "current"
    root = dataset_of(demo_db)
    return engine.open_dataset(root), engine.open_dataset(root.as_uri(), backend="pyspark", session=spark)


def assert_same(duck, spark, where: str) -> None:
    """Frames equal to a relative 1e-9 with the same dtypes, floats likewise (the engines add in
    another order, so a mean may differ in its last bits), everything else exactly."""
    if isinstance(duck, pd.DataFrame):
        assert isinstance(spark, pd.DataFrame), where
        pd.testing.assert_frame_equal(spark, duck, check_exact=False, rtol=1e-9, obj=where)
    elif dataclasses.is_dataclass(duck):
        assert type(spark) is type(duck), where
        for field in dataclasses.fields(duck):
            assert_same(getattr(duck, field.name), getattr(spark, field.name), f"{where}.{field.name}")
    elif isinstance(duck, float):
        assert spark == pytest.approx(duck, rel=1e-9, nan_ok=True), where
    else:
        assert spark == duck, where


@needs_java
@pytest.mark.parametrize("name", FILTER_SETS)
def test_every_page_bundle_is_the_same_on_spark_and_duckdb(sources, name):
    duck, spark = sources
    filters, spikes_at = FILTER_SETS[name]
    for page, build in views.BUNDLES.items():
        for freq in ("D", "W") if build is views.spike_view else ("W",):
            reference = build(duck, filters, freq)
            assert_same(reference, build(spark, filters, freq), f"{name}/{page}/{freq}")
            if build is views.spike_view:
                assert (len(reference.spikes) > 0) is (freq in spikes_at), f"{name}/{page}/{freq}"
            if build is views.overview:
                assert reference.kpis.articles > 100
                assert reference.volume["articles"].sum() == reference.kpis.articles


@needs_java
def test_compare_and_choices_are_the_same_on_spark_and_duckdb(sources):
    duck, spark = sources
    a, b = FILTER_SETS["pair-closed-range"][0], FILTER_SETS["themes-and-languages"][0]
    assert_same(views.compare(duck, a, b), views.compare(spark, a, b), "compare")
    reference = views.choices(duck)
    assert reference.dyads[0] == "PER-USA"
    assert reference.languages == ("en", "es")
    assert (reference.first_day, reference.last_day) == (date(2025, 7, 1), date(2026, 6, 30))
    assert_same(reference, views.choices(spark), "choices")


def small_demo(tmp_path) -> tuple[Path, int]:
    """A demo store of two months (May and June 2026) with its dataset, and how many articles it holds."""
    path = tmp_path / "demo.sqlite"
    with Store(path) as store:
        load_demo(store, n=200, seed=3, end=date(2026, 6, 30), months=2)
        return path, store.count_articles()


@needs_java
def test_a_dataset_opened_again_after_a_refresh_is_read_anew_on_spark(tmp_path, spark):
    path, stored = small_demo(tmp_path)
    before = engine.open_dataset(dataset_of(path), backend="pyspark", session=spark)
    assert before.scalar(before.articles.count()) == stored
    record = ArticleRecord(
        url="https://demo.example.org/extra", title="Peru and Chile sign a water accord",
        text="Lima and Santiago agreed on the shared basin.", published=datetime(2026, 6, 10, 12, tzinfo=UTC),
        outlet="Demo Wire", is_demo=True,
    )  # fmt: skip
    with Store(path) as store:
        assert store_records(store, [record]) == 1
        assert dataset.refresh(store, dataset.months_of([record]))["written"] == ["2026-06"]
    # The month's file is replaced under the same name: Spark must not answer from what it cached.
    after = engine.open_dataset(dataset_of(path), backend="pyspark", session=spark)
    assert after.stamp != before.stamp
    assert after.scalar(after.articles.count()) == stored + 1
    duck = engine.open_dataset(dataset_of(path))
    assert duck.scalar(duck.articles.count()) == stored + 1


@needs_java
def test_a_month_missing_from_the_folder_is_an_input_error_on_spark(tmp_path, spark):
    from analytics.errors import InputError

    path, _ = small_demo(tmp_path)
    shutil.rmtree(dataset_of(path) / "dyads" / "month=2026-05")
    with pytest.raises(InputError, match="month the manifest lists is missing"):
        engine.open_dataset(dataset_of(path), backend="pyspark", session=spark)


@needs_java
def test_an_empty_dataset_gives_empty_bundles_on_spark(tmp_path, spark):
    path = tmp_path / "empty.sqlite"
    with Store(path) as store:
        assert dataset.rebuild(store)["months"] == 0
    source = engine.open_dataset(dataset_of(path).as_uri(), backend="pyspark", session=spark)
    assert views.choices(source) == views.Choices((), (), (), (), None, None)
    overview = views.overview(source, Filters(dyad="PER-USA"))
    assert overview.selection.span is None
    assert (overview.kpis.articles, overview.kpis.tone_n, len(overview.volume)) == (0, 0, 0)
    assert_same(views.overview(engine.open_dataset(dataset_of(path)), Filters(dyad="PER-USA")), overview, "empty")


def test_a_missing_dataset_or_a_uri_for_duckdb_is_an_input_error(tmp_path):
    from analytics.errors import InputError

    with pytest.raises(InputError, match="holds no analysis dataset"):
        engine.open_dataset(tmp_path)
    with pytest.raises(InputError, match="only the pyspark backend"):
        engine.open_dataset(tmp_path.as_uri())
    with pytest.raises(InputError, match="needs a SparkSession"):
        engine.open_dataset(tmp_path, backend="pyspark")


def test_bilat_without_spark_never_imports_pyspark(demo_db):
    code = (
        "import sys\n"
        "from analytics import cli, engine, views\n"
        f"source = engine.open_dataset({str(dataset_of(demo_db))!r})\n"
        "assert views.choices(source).dyads\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pyspark'))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
