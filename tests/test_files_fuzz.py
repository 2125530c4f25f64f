"""Property-based fuzzing of the file reader (analytics.ingest.files): whatever bytes a file holds,
reading it ends in records and numbered rejections or in one BilatError, and good rows next to bad
ones are kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.errors import BilatError
from analytics.ingest.files import read_file

SEEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def read(path):
    return read_file(path, source_id="fuzz", outlet="Outlet", seen_at=SEEN)


def assert_sound(result) -> None:
    """Every rejection names a row; every record can be stored and shown."""
    for number, reason in result.rejected:
        assert isinstance(number, int) and number >= 1
        assert isinstance(reason, str) and reason.strip()
    for record in result.records:
        for text in (record.url, record.title, record.text, record.outlet):
            text.encode("utf-8")  # no lone surrogates: SQLite and UTF-8 output refuse them
        assert record.url.startswith(("http://", "https://")) and record.title
        assert record.published.tzinfo is not None


# Pieces that steer random bytes towards what trips CSV and JSON readers.
_PIECES = st.sampled_from(
    [b'"', b'""', b",", b";", b"\t", b"\n", b"\r", b"\r\n", b"title", b"url", b"source", b"https://a.example/",
     b"{", b"}", b"[", b"]", b'"url": ', b'"title": ', b"\\ud800", b"\\u0000", b"\xff", b"\xef\xbb\xbf",
     b"\xfe\xff", b"\xc3", b"\xa9", b"9" * 30, b":99999", b"http://[", b"\x00", b"10/03/2025",
     b"3 de octubre de 2025", b" "]
)  # fmt: skip
_BYTES = st.lists(_PIECES | st.binary(max_size=6), max_size=80).map(b"".join)
_HEADERS = st.sampled_from([b"", b"title,url,source\n", b"url;title\n", b"headline\tlink\n"])


@FUZZ
@given(header=_HEADERS, body=_BYTES, suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]))
def test_arbitrary_bytes_never_crash_the_reader(tmp_path, header, body, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(header + body)
    try:
        result = read(path)
    except BilatError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        return
    assert_sound(result)


# --- good rows next to bad ones ------------------------------------------------------------------

_CSV_BAD = {
    "no url": "no url here,,S",
    "ftp": "ftp address,ftp://b.example/{n},S",
    "extra fields": "too many,https://b.example/{n},S,surplus,more",
    "open quote": '"never closed {n},https://b.example/{n},S',
    "stray quote": '"He said "hi" {n}",https://b.example/{n},S',
    "no title": ",https://b.example/{n},S",
}
_JSONL_BAD = {
    "not json": '{"url": "https://b.example/{n}", "title": ',
    "surrogate": '{"url": "https://b.example/{n}", "title": "bad \\ud800"}',
    "deep": '{"url": "https://b.example/{n}", "title": "t", "x": ' + "[" * 3000 + "]" * 3000 + "}",
    "huge number": '{"url": "https://b.example/{n}", "title": "t", "x": ' + "7" * 6000 + "}",
    "not an object": '"a string"',
    "no url": '{"title": "no url {n}"}',
}
_PLAN = st.lists(st.one_of(st.just("good"), st.sampled_from(sorted(_CSV_BAD))), min_size=1, max_size=25)
_JSONL_PLAN = st.lists(st.one_of(st.just("good"), st.sampled_from(sorted(_JSONL_BAD))), min_size=1, max_size=25)


@FUZZ
@given(plan=_PLAN, crlf=st.booleans())
def test_csv_good_rows_next_to_bad_ones_are_kept(tmp_path, plan, crlf):
    lines = ["title,url,source"]
    for n, kind in enumerate(plan):
        lines.append(f"Nota {n},https://a.example/{n},S" if kind == "good" else _CSV_BAD[kind].replace("{n}", str(n)))
    path = tmp_path / "rows.csv"
    path.write_bytes(("\r\n" if crlf else "\n").join(lines).encode() + b"\n")
    result = read(path)
    assert_sound(result)
    assert [r.title for r in result.records] == [f"Nota {n}" for n, kind in enumerate(plan) if kind == "good"]
    assert [number for number, _ in result.rejected] == [n + 2 for n, kind in enumerate(plan) if kind != "good"]


@FUZZ
@given(plan=_JSONL_PLAN)
def test_jsonl_good_rows_next_to_bad_ones_are_kept(tmp_path, plan):
    lines = [
        json.dumps({"url": f"https://a.example/{n}", "title": f"Nota {n}"})
        if kind == "good"
        else _JSONL_BAD[kind].replace("{n}", str(n))
        for n, kind in enumerate(plan)
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        result = read(path)
    except BilatError as exc:  # only when no line at all is a JSON object
        assert "no line is a JSON object" in str(exc)
        assert all(kind in ("not json", "deep", "huge number", "not an object") for kind in plan)
        return
    assert_sound(result)
    assert [r.title for r in result.records] == [f"Nota {n}" for n, kind in enumerate(plan) if kind == "good"]
    assert [number for number, _ in result.rejected] == [n + 1 for n, kind in enumerate(plan) if kind != "good"]
