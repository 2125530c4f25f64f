"""Spreadsheet-ready downloads: the XLSX workbook, the CSV's byte-order mark, and the briefing pack's .xlsx files."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.errors import InputError
from analytics.filters import Filters
from analytics.pipeline import store_records
from analytics.store import ArticleRecord, Store
from dashboard import briefing, export
from dashboard.briefing import BriefingView, Panel, briefing_zip, data_time
from dashboard.export import article_download, csv_bytes, xlsx_bytes

HYPERLINK = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-19"]),
            "articles": np.array([1200, 3, 0], dtype="int64"),
            "share": [0.125, np.nan, 1.0],
            "mean": [-0.25, 0.4567, np.nan],
            "title": [HYPERLINK, "Perú y EE.UU.", None],
            "source_country": pd.Categorical(["PER", "USA", "PER"]),
            "label": pd.Categorical([1, 2, 1]),  # categories that look like numbers are still labels
            "seen": pd.to_datetime(["2026-01-05T09:30:00-05:00", None, "2026-01-19T23:15:00+00:00"], utc=True),
        }
    )


def sheet_of(data: bytes, name: str = "data"):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return book, book[name]


def column(ws, header: str) -> list:
    headers = [c.value for c in ws[1]]
    index = headers.index(header)
    return [row[index] for row in ws.iter_rows(min_row=2)]


def test_numbers_stay_numbers_with_formats(frame):
    _, ws = sheet_of(xlsx_bytes(frame))
    articles = column(ws, "articles")
    assert [c.value for c in articles] == [1200, 3, 0]
    assert all(c.data_type == "n" and c.number_format == "#,##0" for c in articles)
    share = column(ws, "share")
    assert share[0].value == 0.125 and share[0].number_format == "0.0%" and share[2].value == 1
    mean = column(ws, "mean")
    assert mean[0].value == -0.25 and mean[1].value == pytest.approx(0.4567)
    assert mean[0].data_type == "n" and mean[0].number_format == "0.000"


def test_nan_none_and_nat_are_empty_cells(frame):
    _, ws = sheet_of(xlsx_bytes(frame))
    assert column(ws, "share")[1].value is None
    assert column(ws, "mean")[2].value is None
    assert column(ws, "title")[2].value is None
    assert column(ws, "seen")[1].value is None


def test_dates_are_excel_dates(frame):
    _, ws = sheet_of(xlsx_bytes(frame))
    period = column(ws, "period")
    assert [c.value for c in period] == [datetime(2026, 1, 5), datetime(2026, 1, 12), datetime(2026, 1, 19)]
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in period)
    seen = column(ws, "seen")  # time-zone aware: written in UTC, with the time of day
    assert seen[0].value == datetime(2026, 1, 5, 14, 30) and seen[2].value == datetime(2026, 1, 19, 23, 15)
    assert seen[0].is_date and seen[0].number_format == "yyyy-mm-dd hh:mm"


def test_text_is_neutralised_and_never_a_formula(frame):
    _, ws = sheet_of(xlsx_bytes(frame))
    title = column(ws, "title")
    assert title[0].value == "'" + HYPERLINK and title[0].data_type == "s"
    assert title[1].value == "Perú y EE.UU."
    assert [c.value for c in column(ws, "source_country")] == ["PER", "USA", "PER"]
    label = column(ws, "label")
    assert [c.value for c in label] == ["1", "2", "1"] and label[0].data_type == "s"
    # Excel is told to keep strings as strings: nothing in the sheet is a formula or a hyperlink.
    plain = pd.DataFrame({"note": ["=1+1", "http://example.org/a", "0042"]})
    _, ws = sheet_of(xlsx_bytes(plain))
    assert [c.value for c in column(ws, "note")] == ["'=1+1", "http://example.org/a", "0042"]
    assert all(c.data_type == "s" and c.hyperlink is None for c in column(ws, "note"))


def test_layout_header_frozen_widths_fitted_and_properties(frame):
    created = datetime(2026, 1, 19, 6, 0, tzinfo=UTC)
    book, ws = sheet_of(xlsx_bytes(frame, sheet="volume", title="Coverage volume", created=created), "volume")
    assert book.sheetnames == ["volume"]
    assert [c.value for c in ws[1]] == list(frame.columns) and ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    assert widths["title"] > len(HYPERLINK) > widths["articles"] >= len("articles")
    assert book.properties.title == "Coverage volume"
    assert book.properties.created == datetime(2026, 1, 19, 6, 0)


def test_same_frame_same_bytes_and_input_untouched(frame):
    before = frame.copy()
    first = xlsx_bytes(frame, title="t")
    assert first == xlsx_bytes(frame, title="t")
    assert first != xlsx_bytes(frame, title="t", created=datetime(2026, 1, 19, 6, 0))
    pd.testing.assert_frame_equal(frame, before)


def test_empty_frame_gives_a_header_only_sheet():
    _, ws = sheet_of(xlsx_bytes(pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "articles": []})))
    assert [c.value for c in ws[1]] == ["period", "articles"] and ws.max_row == 1


def test_more_rows_than_a_sheet_holds_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 2)
    with pytest.raises(InputError, match="3 rows are more than an Excel sheet holds \\(2\\); download the CSV"):
        xlsx_bytes(pd.DataFrame({"articles": [1, 2, 3]}))
    assert xlsx_bytes(pd.DataFrame({"articles": [1, 2]}))[:2] == b"PK"


def test_csv_starts_with_a_bom_and_reads_back_in_utf8(frame):
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == list(frame.columns)  # no BOM glued to the first header
    assert back["title"].tolist()[:2] == ["'" + HYPERLINK, "Perú y EE.UU."]
    assert back["period"].tolist() == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert back["seen"].tolist()[0] == "2026-01-05 14:30:00"  # times of day kept, in UTC
    assert back["articles"].tolist() == [1200, 3, 0]


def test_article_table_download(tmp_path):
    path = tmp_path / "articles.sqlite"
    records = [
        ArticleRecord(
            url="https://news.example.org/1", title="Perú y EE.UU. firman un acuerdo", text="Lima y Washington.",
            outlet="=HYPERLINK(1)", published=datetime(2026, 3, 2, 9, 45, tzinfo=UTC), source_country="PER",
            declared_language="es",
        ),
    ]  # fmt: skip
    with Store(path) as store:
        store_records(store, records)
        rows = store.article_rows([n for (n,) in store.conn.execute("SELECT n FROM articles")])
    listed = article_download(rows)
    assert list(listed.columns) == [
        "published", "outlet", "source_country", "title", "url", "language", "themes", "countries", "tone"
    ]  # fmt: skip
    _, ws = sheet_of(xlsx_bytes(listed, sheet="articles"), "articles")
    assert column(ws, "published")[0].value == datetime(2026, 3, 2, 9, 45)
    assert column(ws, "published")[0].is_date
    assert column(ws, "outlet")[0].value == "'=HYPERLINK(1)"
    assert column(ws, "title")[0].value == "Perú y EE.UU. firman un acuerdo"
    assert column(ws, "url")[0].value == "https://news.example.org/1"
    back = pd.read_csv(io.BytesIO(csv_bytes(listed)), encoding="utf-8-sig")
    assert back["published"].tolist() == ["2026-03-02 09:45:00"]
    assert back["title"].tolist() == ["Perú y EE.UU. firman un acuerdo"]


def test_data_timestamp_as_the_pages_and_the_cli_write_it():
    assert data_time("2026-01-19 06:00 UTC") == datetime(2026, 1, 19, 6, 0, tzinfo=UTC)
    assert data_time("2026-01-19T06:00:00Z") == datetime(2026, 1, 19, 6, 0, tzinfo=UTC)
    assert data_time("not pulled") is None


def test_briefing_zip_carries_an_xlsx_next_to_each_csv(monkeypatch):
    # The images need Chromium; their bytes are not what this test is about.
    monkeypatch.setattr(briefing, "png_bytes", lambda fig: b"\x89PNG\r\n\x1a\n")
    monkeypatch.setattr(briefing, "svg_bytes", lambda fig: b"<svg/>")
    data = pd.DataFrame({"period": pd.to_datetime(["2026-01-05", "2026-01-12"]), "articles": [4, 7]})
    panels = [
        Panel("volume", "Coverage volume", go.Figure(go.Bar(x=data["period"], y=data["articles"])), data, "Counts."),
        Panel("themes", "Themes", go.Figure(), pd.DataFrame({"theme": ["trade"], "share": [0.5]}), "Shares."),
    ]
    view = BriefingView(
        filters=Filters(dyad="PER-USA", start=date(2026, 1, 5), end=date(2026, 1, 18)),
        view_name="Overview",
        data_timestamp="2026-01-19 06:00 UTC",
        enrichment_version="1-test",
        demo=False,
        first="2026-01-05",
        last="2026-01-12",
    )
    pack = zipfile.ZipFile(io.BytesIO(briefing_zip(panels, view)))
    names = set(pack.namelist())
    for name in ("volume", "themes"):
        stem = f"PER-USA_{name}_2026-01-05_2026-01-18"
        assert {f"{stem}.csv", f"{stem}.xlsx"} <= names
        assert pack.read(f"{stem}.csv").startswith(b"\xef\xbb\xbf")
    book, ws = sheet_of(pack.read("PER-USA_volume_2026-01-05_2026-01-18.xlsx"), "volume")
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["period", "articles"],
        [datetime(2026, 1, 5), 4],
        [datetime(2026, 1, 12), 7],
    ]
    assert book.properties.title == "Coverage volume" and book.properties.created == datetime(2026, 1, 19, 6, 0)
    _, ws = sheet_of(pack.read("PER-USA_themes_2026-01-05_2026-01-18.xlsx"), "themes")
    assert ws["B2"].value == 0.5 and ws["B2"].number_format == "0.0%"
    assert "PER-USA_volume_2026-01-05_2026-01-18.xlsx" in pack.read("summary.md").decode()
    assert pack.getinfo("summary.md").date_time == (2026, 1, 19, 6, 0, 0)
