"""Import of CSV and JSON Lines exports (analytics.ingest.files), on small recorded fixtures."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.errors import InputError
from analytics.ingest.dates import read_date
from analytics.ingest.files import FileImport, read_file
from analytics.ingest.normalize import canonical_url, plain_text
from analytics.store import ArticleRecord

FIXTURES = Path(__file__).parent / "fixtures" / "files"
SEEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def read(path: Path, **kw):
    kw.setdefault("source_id", "test-import")
    return read_file(path, seen_at=SEEN, **kw)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- recorded exports --------------------------------------------------------------------------


def test_media_cloud_csv():
    result = read(FIXTURES / "mediacloud.csv", country="USA", source_id="mc")
    assert result.rejected == []
    assert result.warnings == []
    assert result.records == [
        ArticleRecord(
            url="https://www.example-news.com/world/peru-us-port-security",
            title="Peru and the United States sign a port security agreement",
            text="",
            published=datetime(2026, 2, 20, 14, 5, tzinfo=UTC),
            outlet="Example News",
            source_country="USA",
            declared_language="en",
            source_id="mc",
        ),
        ArticleRecord(
            url="https://www.example-news.com/business/lima-talks",
            title="Lima hosts talks on trade, tariffs and copper",
            text="",
            published=datetime(2026, 2, 21, 9, 30, tzinfo=UTC),
            outlet="Example News",
            source_country="USA",
            declared_language="en",
            source_id="mc",
        ),
        ArticleRecord(
            url="https://wire.example.org/story/3?id=3",
            title='US envoy "optimistic" after meeting in Lima',
            text="",
            published=datetime(2026, 2, 22, 18, 0, tzinfo=UTC),
            outlet="Example Wire",
            source_country="USA",
            declared_language="en",
            source_id="mc",
        ),
    ]


def test_semicolon_csv_with_byte_order_mark():
    result = read(FIXTURES / "meltwater_semicolon_bom.csv")
    assert result.rejected == []
    first, second = result.records
    # The BOM would otherwise glue itself to "Date" and the dates would all be missing.
    assert (first.published, first.date_flag) == (datetime(2026, 2, 25, 15, 0, tzinfo=UTC), "ok")
    assert first.title == "Perú; EE.UU. y la cooperación antidrogas"
    assert first.text == "Resumen con acentos: áéíóú ñ"
    assert (first.outlet, first.source_country, first.declared_language) == ("Diario Ejemplo", "PER", "es")
    assert (second.source_country, second.declared_language, second.text) == ("USA", "es", "")


def test_jsonl_rejects_bad_lines_by_number_and_strips_html():
    result = read(FIXTURES / "talkwalker.jsonl")
    assert result.rejected == [
        (3, "not valid JSON (Unterminated string starting at: column 56)"),
        (4, "not a JSON object"),
    ]
    assert [r.title for r in result.records] == [
        "Perú y EE.UU. firman un acuerdo & amplían la cooperación",
        "Exportaciones de cobre a China crecen",
        "Canciller viaja a Washington",
    ]
    first = result.records[0]
    assert first.text == "El acuerdo fue firmado en Lima."
    assert first.url == "https://noticias.example.pe/mundo/acuerdo"
    assert first.published == datetime(2026, 2, 24, 12, 0, tzinfo=UTC)  # milliseconds since 1970
    assert [(r.source_country, r.declared_language) for r in result.records] == [
        ("PER", "es"),
        ("PER", "es"),
        (None, None),
    ]


def test_cp1252_csv_is_read_with_a_warning():
    result = read(FIXTURES / "windows_1252.csv")
    assert [r.title for r in result.records] == ["Perú y EE.UU.: acuerdo de 5 € por pasajero – según el canciller"]
    assert result.warnings == [
        "windows_1252.csv is not UTF-8; it was read as Windows-1252 (cp1252). Check accented letters in the "
        "titles, or save the file as UTF-8 and import it again."
    ]


def test_tab_separated_and_utf16_files(tmp_path):
    tsv = write(tmp_path, "export.tsv", "Headline\tLink\tPublisher\nUna nota, con coma\thttps://a.example/1\tA\n")
    assert [(r.title, r.url, r.outlet) for r in read(tsv).records] == [
        ("Una nota, con coma", "https://a.example/1", "A")
    ]
    utf16 = tmp_path / "excel.csv"
    utf16.write_text("title\turl\tsource\nCanciller en Lima\thttps://a.example/2\tB\n", encoding="utf-16")
    assert [(r.title, r.outlet) for r in read(utf16).records] == [("Canciller en Lima", "B")]


# --- columns -----------------------------------------------------------------------------------


def test_column_override_picks_the_named_columns(tmp_path):
    path = write(
        tmp_path,
        "custom.csv",
        "Enlace,Titular,title,Medio\nhttps://a.example/x,Titular bueno,old title,Medio Uno\n",
    )
    result = read(path, columns={"url": "enlace", "title": "TITULAR", "outlet": "Medio"})
    assert [(r.url, r.title, r.outlet) for r in result.records] == [
        ("https://a.example/x", "Titular bueno", "Medio Uno")
    ]


def test_missing_outlet_column_says_to_pass_outlet(tmp_path):
    path = write(tmp_path, "no_outlet.csv", "title,url\nA title,https://a.example/1\n")
    with pytest.raises(InputError) as error:
        read(path)
    assert str(error.value) == f"{path}: the file has no outlet column; pass --outlet NAME"
    assert [r.outlet for r in read(path, outlet="Given Outlet").records] == ["Given Outlet"]


def test_unknown_column_lists_the_file_columns(tmp_path):
    path = write(tmp_path, "cols.csv", "Headline,Link,Source\nA,https://a.example/1,S\n")
    with pytest.raises(InputError) as error:
        read(path, columns={"title": "Titulo"})
    assert str(error.value) == f"{path}: no column 'Titulo' (for title); the file's columns are: Headline, Link, Source"


def test_unknown_field_in_mapping(tmp_path):
    path = write(tmp_path, "cols.csv", "Headline,Link,Source\nA,https://a.example/1,S\n")
    with pytest.raises(InputError) as error:
        read(path, columns={"author": "Source"})
    assert str(error.value) == (
        f"{path}: 'author' is not a field that can be mapped; the fields are "
        "url, title, text, published, outlet, source_country, language"
    )


def test_missing_url_column(tmp_path):
    path = write(tmp_path, "nourl.csv", "title,source\nA,S\n")
    with pytest.raises(InputError) as error:
        read(path)
    assert str(error.value) == (
        f"{path}: no url column (looked for url, link, article_url); the file's columns are: title, source. "
        "Name the column with --map url=COLUMN"
    )


# --- rows --------------------------------------------------------------------------------------


def test_dates_are_flagged_missing_unparsable_or_future(tmp_path):
    path = write(
        tmp_path,
        "dates.csv",
        "title,url,source,date\n"
        "ok,https://a.example/1,S,2026-02-27T10:00:00Z\n"
        "missing,https://a.example/2,S,\n"
        "unparsable,https://a.example/3,S,last Tuesday\n"
        "future,https://a.example/4,S,2030-01-01\n",
    )
    records = read(path).records
    assert [(r.title, r.published, r.date_flag) for r in records] == [
        ("ok", datetime(2026, 2, 27, 10, 0, tzinfo=UTC), "ok"),
        ("missing", SEEN, "missing"),
        ("unparsable", SEEN, "unparsable"),
        ("future", SEEN, "future"),
    ]


def test_tracking_parameters_are_removed_from_urls(tmp_path):
    path = write(
        tmp_path,
        "urls.csv",
        "title,url,source\n"
        "a,HTTPS://News.Example.ORG/a?utm_source=x&id=7&fbclid=abc#top,S\n"
        "b,https://news.example.org/b?gclid=1&mc_cid=2&page=2&utm_campaign=y,S\n",
    )
    assert [r.url for r in read(path).records] == [
        "https://news.example.org/a?id=7",
        "https://news.example.org/b?page=2",
    ]


def test_unusable_rows_are_rejected_with_their_row_number(tmp_path):
    path = write(
        tmp_path,
        "mixed.csv",
        "title,url,source\n"
        "kept,https://a.example/1,S\n"
        "no url,,S\n"
        ",https://a.example/2,S\n"
        "ftp,ftp://a.example/3,S\n"
        "again,https://a.example/1?utm_source=rss,S\n"
        "\n"
        "extra,https://a.example/4,S,surplus\n"
        '"multi\nline title",https://a.example/5,S\n'
        "<b></b>,https://a.example/6,S\n",
    )
    result = read(path)
    assert [r.title for r in result.records] == ["kept", "multi line title"]
    assert result.rejected == [
        (3, "no url"),
        (4, "no title"),
        (5, "url 'ftp://a.example/3' is not an http(s) address"),
        (6, "same URL as row 2"),
        (8, "4 fields but the header has 3; a quote is probably missing"),
        (10, "no title"),
    ]


def test_row_values_win_over_arguments_and_unknown_codes_fall_back(tmp_path):
    path = write(
        tmp_path,
        "countries.csv",
        "title,url,source,country,language\n"
        "a,https://a.example/1,,PE,en-US\n"
        "b,https://a.example/2,Row Outlet,per,English\n"
        "c,https://a.example/3,,Atlantis,Klingon\n"
        "d,https://a.example/4,,Estados Unidos,ES\n"
        "e,https://a.example/5,,The United Kingdom,eng\n",
    )
    records = read(path, outlet="Arg Outlet", country="CHL", language="pt").records
    assert [(r.outlet, r.source_country, r.declared_language) for r in records] == [
        ("Arg Outlet", "PER", "en"),
        ("Row Outlet", "PER", "en"),
        ("Arg Outlet", "CHL", "pt"),
        ("Arg Outlet", "USA", "es"),
        ("Arg Outlet", "GBR", "en"),
    ]


def test_a_row_without_outlet_is_rejected_when_no_outlet_is_given(tmp_path):
    path = write(tmp_path, "o.csv", "title,url,media_name\na,https://a.example/1,M\nb,https://a.example/2,\n")
    result = read(path)
    assert [r.outlet for r in result.records] == ["M"]
    assert result.rejected == [(3, "no outlet in this row; pass --outlet NAME")]


# --- files that cannot be read -----------------------------------------------------------------


UNREADABLE = [
    (
        "a.xlsx",
        b"PK\x03\x04",
        ": cannot import a .xlsx file; export the articles as CSV (.csv, .tsv) or JSON Lines (.jsonl, .ndjson)",
    ),
    ("a.csv", b"", " is empty; export the articles again"),
    ("a.csv", b" \n\n", " is empty; export the articles again"),
    ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", " is not a text file; export the articles as CSV or JSON Lines"),
    ("a.csv", b"title,url,source\n", " has a header line but no article rows; export the articles again"),
    (
        "a.jsonl",
        b'[{"url": "https://a.example/1"}]',
        " holds one JSON array, not JSON Lines; write one article object per line (.jsonl)",
    ),
    (
        "a.jsonl",
        b"not json\nnor this\n",
        ": no line is a JSON object; a JSON Lines file has one article object per line",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), UNREADABLE)
def test_unreadable_files_raise_an_input_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        read(path, outlet="O")
    assert str(error.value) == f"{path}{message}"


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as error:
        read(tmp_path / "nope.csv")
    assert str(error.value) == f"{tmp_path / 'nope.csv'} does not exist or is not a file"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"country": "Atlantis"}, "country 'Atlantis' is not an ISO 3166-1 alpha-3 code such as PER"),
        ({"language": "Klingon"}, "language 'Klingon' is not an ISO 639-1 code such as es"),
    ],
)
def test_bad_country_or_language_argument(tmp_path, kw, message):
    path = write(tmp_path, "a.csv", "title,url,source\na,https://a.example/1,S\n")
    with pytest.raises(InputError) as error:
        read(path, **kw)
    assert str(error.value) == message


def test_long_article_texts_are_read(tmp_path):
    body = "palabra " * 40_000  # 320 000 characters: beyond the csv module's default field limit
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["title", "url", "source", "text"], ["t", "https://a.example/1", "S", body]])
    assert len(read(path).records[0].text) == len(body.strip())


# --- round trip --------------------------------------------------------------------------------

_titles = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(' \n\t<>&;,"'), max_size=60)
_segment = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
_params = st.lists(st.tuples(st.sampled_from(["id", "page", "utm_source", "fbclid", "ref", "q"]), _segment), max_size=3)


@st.composite
def _urls(draw) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    host = draw(st.sampled_from(["news.example.org", "Diario.Example.PE", "wire.example.com"]))
    path = "/".join(draw(st.lists(_segment, min_size=1, max_size=3)))
    query = "&".join(f"{k}={v}" for k, v in draw(_params))
    return f"{scheme}://{host}/{path}" + (f"?{query}" if query else "")


_rows = st.lists(
    st.tuples(_titles.filter(lambda t: plain_text(t) != ""), _urls()),
    min_size=1,
    max_size=8,
    unique_by=lambda row: canonical_url(row[1]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=_rows,
    delimiter=st.sampled_from([",", ";", "\t"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    bom=st.booleans(),
)
def test_csv_round_trip(tmp_path, rows, delimiter, quoting, bom):
    path = tmp_path / "round.csv"
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=quoting)
        writer.writerow(["url", "title", "outlet"])
        writer.writerows([url, title, "Outlet"] for title, url in rows)
    result = read(path)
    assert result.rejected == []
    assert [(r.title, r.url) for r in result.records] == [(plain_text(t), canonical_url(u)) for t, u in rows]


def test_jsonl_round_trip_keeps_every_object(tmp_path):
    objects = [
        {"link": f"https://a.example/{i}?utm_medium=x", "headline": f"Nota {i}", "publisher": "P"} for i in range(5)
    ]
    path = tmp_path / "round.ndjson"
    path.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in objects) + "\n", encoding="utf-8")
    assert [(r.url, r.title) for r in read(path).records] == [(f"https://a.example/{i}", f"Nota {i}") for i in range(5)]


# --- hostile and unusual input (issue 9) -------------------------------------------------------

OWN = Path(__file__).parent / "fixtures" / "input"


def test_an_unbalanced_quote_costs_one_row_not_the_rest_of_the_file():
    result = read(OWN / "unbalanced_quote.csv")
    assert [r.url for r in result.records] == [
        "https://a.example/1",
        "https://a.example/3",
        "https://a.example/4",
        "https://a.example/5",
    ]
    assert result.records[2].title == 'He said "yes" to Lima'
    assert result.rejected == [
        (
            3,
            "a quote opened on line 3 is not closed where its field ends (',' expected after '\"'); the row was "
            "skipped and the lines after it read as rows of their own. Check the quotes in this row",
        )
    ]


def test_a_quote_that_never_closes_keeps_the_rows_before_and_after(tmp_path):
    path = write(
        tmp_path,
        "open.csv",
        'title,url,source\nfirst,https://a.example/1,S\n"open,https://a.example/2,S\nlast,https://a.example/3,S\n',
    )
    result = read(path)
    assert [r.title for r in result.records] == ["first", "last"]
    assert result.rejected == [
        (
            3,
            "a quote opened on line 3 is not closed where its field ends (unexpected end of data); the row was "
            "skipped and the lines after it read as rows of their own. Check the quotes in this row",
        )
    ]


def test_a_stray_quote_inside_a_quoted_field_rejects_that_row(tmp_path):
    path = write(
        tmp_path,
        "stray.csv",
        'title,url,source\n"He said "hi" there",https://a.example/1,S\nok,https://a.example/2,S\n',
    )
    result = read(path)
    assert [r.title for r in result.records] == ["ok"]
    assert result.rejected == [
        (2, "bad quotes on line 2 (',' expected after '\"'); write a quote inside a quoted field as two quotes")
    ]


def test_jsonl_lines_that_would_break_the_store_or_the_parser_are_rejected(tmp_path):
    good = [json.dumps({"url": f"https://a.example/{i}", "title": f"Nota {i}", "source": "S"}) for i in range(3)]
    lines = [
        good[0],
        '{"url": "https://a.example/x", "title": "bad \\ud800 title", "source": "S"}',  # a lone surrogate
        '{"url": "https://a.example/y", "title": "t", "source": "S", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}",
        good[1],
        '{"url": "https://a.example/z", "title": "t", "source": "S", "n": ' + "9" * 5000 + "}",
        '{"url": "https://a.example/w", "ti\\udc00tle": "t", "source": "S"}',
        good[2],
    ]
    path = write(tmp_path, "hostile.jsonl", "\n".join(lines) + "\n")
    result = read(path)
    assert [r.title for r in result.records] == ["Nota 0", "Nota 1", "Nota 2"]
    surrogate = (
        "holds an unpaired surrogate escape (such as \\ud800), which is not a character; remove it from the export"
    )
    assert result.rejected == [
        (2, f"field 'title' {surrogate}"),
        (3, "JSON nested too deeply; write one flat article object per line"),
        (5, "holds a number too long to read; remove it"),
        (6, f"field name {surrogate}"),
    ]


def test_lines_over_the_limit_are_skipped_and_named(tmp_path, monkeypatch):
    monkeypatch.setattr("analytics.ingest.files.LINE_LIMIT", 200)
    long_title = "x" * 300
    csv_path = write(
        tmp_path,
        "long.csv",
        f"title,url,source\nshort,https://a.example/1,S\n{long_title},https://a.example/2,S\n"
        f'"open {long_title},https://a.example/3,S\nafter,https://a.example/4,S\n',
    )
    result = read(csv_path)
    assert [r.title for r in result.records] == ["short", "after"]
    assert result.rejected == [
        (3, "line 3 is longer than 0 MB and was skipped; split the text or shorten it"),
        (4, "line 4 is longer than 0 MB and was skipped; split the text or shorten it"),
    ]
    jsonl = write(
        tmp_path,
        "long.jsonl",
        json.dumps({"url": "https://a.example/1", "title": long_title, "source": "S"})
        + "\n"
        + json.dumps({"url": "https://a.example/2", "title": "short", "source": "S"})
        + "\n",
    )
    result = read(jsonl)
    assert [r.title for r in result.records] == ["short"]
    assert result.rejected == [(1, "line 1 is longer than 0 MB and was skipped; split the text or shorten it")]


def test_each_line_is_decoded_on_its_own(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "title,url,source\nPerú y EE.UU.,https://a.example/1,S\n".encode()
        + "Canciller en Perú,https://a.example/2,S\n".encode("cp1252")
        + "Señal de acuerdo,https://a.example/3,S\n".encode()
    )
    result = read(path)
    assert [r.title for r in result.records] == ["Perú y EE.UU.", "Canciller en Perú", "Señal de acuerdo"]
    assert result.warnings == [
        "mixed.csv is not UTF-8; it was read as Windows-1252 (cp1252). Check accented letters in the "
        "titles, or save the file as UTF-8 and import it again."
    ]


def test_old_mac_line_ends_still_separate_rows(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"title,url,source\ra,https://a.example/1,S\rb,https://a.example/2,S\r")
    assert [r.title for r in read(path).records] == ["a", "b"]


def test_dates_in_day_first_month_name_and_spanish_forms():
    result = read(OWN / "dates.csv")
    assert [(r.title, r.published, r.date_flag) for r in result.records] == [
        ("ISO", datetime(2025, 10, 3, 12, 0, tzinfo=UTC), "ok"),
        ("Day first", datetime(2025, 3, 10, tzinfo=UTC), "ok"),
        ("US style", datetime(2025, 10, 3, tzinfo=UTC), "ok"),
        ("English", datetime(2025, 10, 3, tzinfo=UTC), "ok"),
        ("Spanish", datetime(2025, 10, 3, tzinfo=UTC), "ok"),
        ("Abbreviated", datetime(2025, 10, 3, tzinfo=UTC), "ok"),
        ("Peruvian", datetime(2025, 9, 3, 14, 30, tzinfo=UTC), "ok"),
        ("Unreadable", SEEN, "unparsable"),
        ("No year", SEEN, "unparsable"),
    ]
    assert (result.undated, result.undated_example) == (2, (9, "hace 3 horas"))
    month_first = read(OWN / "dates.csv", dayfirst=False)
    assert month_first.records[1].published == datetime(2025, 10, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "dayfirst", "expected"),
    [
        ("10/03/2025", True, datetime(2025, 3, 10, tzinfo=UTC)),
        ("10/03/2025", False, datetime(2025, 10, 3, tzinfo=UTC)),
        ("25/10/2025", False, datetime(2025, 10, 25, tzinfo=UTC)),  # 25 cannot be a month
        ("10/25/2025", True, datetime(2025, 10, 25, tzinfo=UTC)),
        ("10.03.25", True, datetime(2025, 3, 10, tzinfo=UTC)),
        ("2025/10/03", False, datetime(2025, 10, 3, tzinfo=UTC)),
        ("10-03-2025 08:15:00", True, datetime(2025, 3, 10, 8, 15, tzinfo=UTC)),
        ("Oct 3rd, 2025 2:30 p.m.", True, datetime(2025, 10, 3, 14, 30, tzinfo=UTC)),
        ("Fri, 3 Oct 2025", True, datetime(2025, 10, 3, tzinfo=UTC)),
        ("1º de mayo de 2025", True, datetime(2025, 5, 1, tzinfo=UTC)),
        ("3 SET. 2025", True, datetime(2025, 9, 3, tzinfo=UTC)),
        ("Diciembre 24, 2025", True, datetime(2025, 12, 24, tzinfo=UTC)),
    ],
)
def test_read_date_forms(written, dayfirst, expected):
    assert read_date(written, datetime(2026, 3, 1, tzinfo=UTC), dayfirst=dayfirst) == (expected, "ok")


@pytest.mark.parametrize(
    "written", ["13/13/2025", "31/02/2025", "3 oct", "2025", "oct nov 3 2025", "3 oct 2025 banana", "3 oct 25",
                "12:00", "25:00 3 oct 2025", "13:00 pm 3 oct 2025", "3/oct/2025" * 20]
)  # fmt: skip
def test_read_date_leaves_doubtful_dates_unparsable(written):
    seen = datetime(2026, 3, 1, tzinfo=UTC)
    assert read_date(written, seen) == (seen, "unparsable")


def test_the_file_is_read_in_batches_without_holding_it(tmp_path):
    import tracemalloc

    path = tmp_path / "big.csv"
    text = "texto" * 1600  # one long word: few allocations, so tracemalloc stays quick
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "url", "source", "text"])
        writer.writerows([f"Nota {i}", f"https://a.example/{i}", "S", text] for i in range(600))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with FileImport(path, source_id="big", seen_at=SEEN) as reader:
            sizes = [len(batch) for batch in reader.batches(50)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sizes == [50] * 12 and reader.read == 600
    assert peak < size / 3, (peak, size)


def test_files_that_cannot_be_imported_fail_before_any_record(tmp_path):
    path = write(tmp_path, "bad.jsonl", "not json\n[1]\n")
    with pytest.raises(InputError, match="no line is a JSON object"):
        FileImport(path, source_id="x", seen_at=SEEN, outlet="O")


def test_a_stray_quote_closed_lines_later_does_not_swallow_the_rows_between(tmp_path):
    path = write(
        tmp_path,
        "two_quotes.csv",
        'title,url,source\n"first,https://a.example/1,S\nsecond,https://a.example/2,S\nthird",https://a.example/3,S\n'
        '"a\ntext, two lines",https://a.example/4,S\n',
    )
    result = read(path)
    assert [r.title for r in result.records] == ["second", 'third"', "a text, two lines"]
    assert result.rejected == [
        (
            2,
            "a quote opened on line 2 takes in lines that look like rows; the row was skipped and the lines after it "
            "read as rows of their own. Check the quotes in this row",
        )
    ]
    path = write(tmp_path, "short.csv", 'title,url,source\n"one\ntwo"\nok,https://a.example/1,S\n')
    result = read(path)
    assert [r.title for r in result.records] == ["ok"]
    assert result.rejected == [
        (
            2,
            "a quote opened on line 2 leaves 1 fields where the header has 3; the row was skipped and the lines "
            "after it read as rows of their own. Check the quotes in this row",
        ),
        (3, "no url"),  # the line after it, read again: 'two"'
    ]


def test_urls_that_cannot_be_parsed_reject_their_row(tmp_path):
    path = write(
        tmp_path,
        "urls.csv",
        "title,url,source\nport,http://example.org:99999/x,S\nv6,http://[oops/x,S\nok,https://a.example/1,S\n",
    )
    result = read(path)
    assert [r.title for r in result.records] == ["ok"]
    assert result.rejected == [
        (2, "url 'http://example.org:99999/x' is not a valid web address"),
        (3, "url 'http://[oops/x' is not a valid web address"),
    ]
