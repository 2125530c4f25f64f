"""GDELT DOC 2.0: request URLs, parsing of recorded answers, window splitting and pacing.

No network and no real time: ``get``, ``sleep`` and the clock are fakes.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.errors import InputError
from analytics.ingest.gdelt import (
    API,
    MAX_RECORDS,
    MIN_INTERVAL,
    GdeltError,
    Pacer,
    build_url,
    country_code,
    fetch_source,
    fetch_window,
    language_code,
    parse,
)
from analytics.ingest.sources import Source
from analytics.store import article_id

FIXTURES = Path(__file__).parent / "fixtures" / "gdelt"
SEEN = datetime(2026, 1, 8, tzinfo=UTC)
QUERY = '("Peru" OR "Perú") "United States"'
SOURCE = Source(id="gdelt-per-usa", kind="gdelt", url=API, outlet="GDELT", query=QUERY, days=3)


def load(name: str, source: Source = SOURCE):
    return parse((FIXTURES / name).read_bytes(), source, seen_at=SEEN)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- build_url --------------------------------------------------------------------------------


def test_build_url_parameters_and_encoding():
    url = build_url(QUERY, utc(2026, 1, 5), utc(2026, 1, 8, 12, 30, 15))
    assert url == (
        "https://api.gdeltproject.org/api/v2/doc/doc?query=%28%22Peru%22%20OR%20%22Per%C3%BA%22%29%20"
        "%22United%20States%22&mode=ArtList&format=json&maxrecords=250&startdatetime=20260105000000"
        "&enddatetime=20260108123015&sort=DateAsc"
    )
    params = parse_qs(urlsplit(url).query)
    assert params["query"] == [QUERY]


def test_build_url_converts_to_utc_and_takes_naive_as_utc():
    lima = datetime(2026, 1, 5, 2, 0, tzinfo=ZoneInfo("America/Lima"))
    url = build_url("peru", lima, datetime(2026, 1, 6, 0, 0, 0, 999_999), max_records=10)
    params = parse_qs(urlsplit(url).query)
    assert params["startdatetime"] == ["20260105070000"]
    assert params["enddatetime"] == ["20260106000000"]
    assert params["maxrecords"] == ["10"]


@pytest.mark.parametrize(
    ("query", "start", "end", "max_records"),
    [
        ("  ", utc(2026, 1, 5), utc(2026, 1, 6), 250),
        ("peru", utc(2026, 1, 6), utc(2026, 1, 5), 250),
        ("peru", utc(2026, 1, 5), utc(2026, 1, 5), 250),
        ("peru", utc(2026, 1, 5), utc(2026, 1, 6), 251),
        ("peru", utc(2026, 1, 5), utc(2026, 1, 6), 0),
    ],
)
def test_build_url_rejects_what_gdelt_would_refuse(query, start, end, max_records):
    with pytest.raises(InputError):
        build_url(query, start, end, max_records=max_records)


# --- parse ------------------------------------------------------------------------------------


def test_parse_normal_page():
    page = load("artlist_normal.json")
    assert (page.raw_count, page.skipped) == (6, 0)
    got = [
        (r.url, r.title, r.published, r.date_flag, r.outlet, r.source_country, r.declared_language)
        for r in page.records
    ]
    assert got == [
        (
            "https://www.reuters.com/world/americas/us-peru-sign-security-cooperation-pact-2026-01-06/",
            "US, Peru sign security cooperation pact",
            utc(2026, 1, 6, 14, 30),
            "ok",
            "reuters.com",
            "USA",
            "en",
        ),
        (
            "https://elcomercio.pe/politica/peru-y-eeuu-firman-acuerdo-contra-el-narcotrafico-noticia/",
            "Perú y EE.UU. firman acuerdo contra el narcotráfico",
            utc(2026, 1, 6, 17, 15),
            "ok",
            "elcomercio.pe",
            "PER",
            "es",
        ),
        (
            "https://www.andina.gob.pe/agencia/noticia-canciller-destaca-alianza-estrategica-estados-unidos-1012345.aspx",
            'Canciller destaca "alianza estratégica" con Estados Unidos',
            utc(2026, 1, 7, 8, 15),
            "ok",
            "andina.gob.pe",
            "PER",
            "es",
        ),
        (
            "https://www1.folha.uol.com.br/mundo/2026/01/eua-e-peru-ampliam-cooperacao-em-seguranca.shtml",
            "EUA e Peru ampliam cooperação em segurança",
            utc(2026, 1, 7, 12),
            "ok",
            "folha.uol.com.br",
            "BRA",
            "pt",
        ),
        (
            "https://www.theguardian.com/world/2026/jan/07/peru-congress-debates-us-troop-presence",
            "Peru's congress debates US troop presence",
            utc(2026, 1, 7, 18, 45),
            "ok",
            "theguardian.com",
            "GBR",
            "en",
        ),
        (
            "https://www.infobae.com/america/america-latina/2026/01/07/estados-unidos-y-peru-una-relacion-en-transformacion/",
            "Estados Unidos y Perú: una relación en transformación",
            utc(2026, 1, 7, 22, 15),
            "ok",
            "infobae.com",
            "ARG",
            "es",
        ),
    ]
    assert [r.id for r in page.records][:2] == ["39d713a5fa1e42a20727", "87d0d78c1463a9365ed1"]
    assert all(r.id == article_id(r.url) for r in page.records)
    assert {(r.text, r.source_id, r.is_demo) for r in page.records} == {("", "gdelt-per-usa", False)}


def test_outlet_is_the_domain_not_the_source_name():
    named = Source(id="g", kind="gdelt", url=API, outlet="GDELT Peru watch", query="peru")
    assert {r.outlet for r in load("artlist_normal.json", named).records} >= {"reuters.com", "elcomercio.pe"}


@pytest.mark.parametrize("name", ["error_page.html", "query_too_long.txt"])
def test_refusal_with_status_200_is_a_readable_error(name):
    with pytest.raises(GdeltError) as info:
        load(name)
    message = str(info.value)
    assert "<" not in message and "font-family" not in message
    assert "gdelt-per-usa" in message and "Fix 'query' in the sources file" in message
    assert info.value.rate_limited is False


def test_error_page_message_quotes_gdelt():
    with pytest.raises(GdeltError, match="Your search contained a keyword that was too short"):
        load("error_page.html")


def test_rate_limit_text_is_an_error_flagged_as_rate_limited():
    with pytest.raises(GdeltError, match="Please limit requests to one every 5 seconds") as info:
        load("rate_limit.txt")
    assert info.value.rate_limited is True
    assert "Wait a few minutes" in str(info.value)


def test_long_refusal_is_shortened():
    with pytest.raises(GdeltError) as info:
        parse(b"<html><body><p>" + b"word " * 500 + b"</p></body></html>", SOURCE, seen_at=SEEN)
    assert len(str(info.value)) < 500 and "…" in str(info.value)


def test_invalid_escapes_and_control_characters_are_repaired():
    page = load("artlist_bad_escapes.json")
    assert (page.raw_count, page.skipped) == (4, 0)
    assert [(r.url, r.title) for r in page.records] == [
        ("https://www.bbc.com/news/world-latin-america-67890123", "Peru's foreign minister meets US envoy"),
        (
            "https://www.apnews.com/article/lima-summit-trade-migration-4f2a",
            "Lima summit: trade and migration on the agenda",
        ),
        (
            "https://www.elperuano.pe/noticia/240001-congreso-aprueba-ingreso-de-tropas",
            "Congreso aprueba ingreso de tropas estadounidenses",
        ),
        (
            "https://rpp.pe/mundo/cancilleria-eeuu-socio-clave-noticia-1550001",
            'Cancillería: "EE.UU. es un socio clave" - dice ministro',
        ),
    ]


def test_an_unreadable_item_costs_only_itself():
    page = load("artlist_broken_item.json")
    assert (page.raw_count, page.skipped) == (3, 1)
    assert [(r.outlet, r.source_country) for r in page.records] == [("latercera.com", "CHL"), ("eluniverso.com", "ECU")]


def test_empty_strings_are_missing_fields():
    page = load("artlist_missing_fields.json")
    assert (page.raw_count, page.skipped) == (7, 3)
    got = [
        (r.url, r.title, r.published, r.date_flag, r.outlet, r.source_country, r.declared_language)
        for r in page.records
    ]
    assert got == [
        (
            "https://larepublica.pe/mundo/2026/01/07/peru-y-eeuu-revisan-agenda-migratoria-1234567",
            "Peru y eeuu revisan agenda migratoria",
            utc(2026, 1, 7, 9, 15),
            "ok",
            "larepublica.pe",
            "PER",
            "es",
        ),
        (
            "https://diariocorreo.pe/politica/congreso-debate-acuerdo-con-estados-unidos-noticia/",
            "Congreso debate acuerdo con Estados Unidos",
            SEEN,
            "missing",
            "diariocorreo.pe",
            None,
            None,
        ),
        (
            "https://www.expreso.com.pe/politica/cancilleria-responde-a-washington/",
            "Cancillería responde a Washington",
            SEEN,
            "unparsable",
            "expreso.com.pe",
            None,
            None,
        ),
        (
            "https://www.peru21.pe/mundo/eeuu-extiende-programa-de-ayuda/",
            "EE.UU. extiende programa de ayuda",
            SEEN,
            "future",
            "peru21.pe",
            "PER",
            "es",
        ),
    ]


def test_source_country_and_language_fill_in_when_gdelt_gives_none():
    peruvian = Source(id="g-pe", kind="gdelt", url=API, outlet="GDELT", country="PER", language="es", query="peru")
    page = load("artlist_missing_fields.json", peruvian)
    assert [(r.source_country, r.declared_language) for r in page.records] == [("PER", "es")] * 4
    # GDELT's own value wins where it has one.
    countries = {r.source_country for r in load("artlist_normal.json", peruvian).records}
    assert countries == {"USA", "PER", "BRA", "GBR", "ARG"}


@pytest.mark.parametrize("body", [b"", b"  \n", b"{}", b"{}\n", b'{"articles": []}', b"\xef\xbb\xbf{}"])
def test_nothing_found_is_zero_records(body):
    page = parse(body, SOURCE, seen_at=SEEN)
    assert (page.records, page.raw_count, page.skipped) == ([], 0, 0)


def test_empty_object_fixture():
    assert load("empty_object.json").raw_count == 0


@pytest.mark.parametrize("body", [b"[1, 2]", b'{"articles": "none"}', b"{not json at all"])
def test_unexpected_json_is_an_error(body):
    with pytest.raises(GdeltError):
        parse(body, SOURCE, seen_at=SEEN)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("United States", "USA"),
        ("Peru", "PER"),
        ("United Kingdom", "GBR"),
        ("South Korea", "KOR"),
        ("Bosnia-Herzegovina", "BIH"),
        ("Georgia", "GEO"),
        ("The Bahamas", "BHS"),
        ("Curacao", "CUW"),
        ("Atlantis", None),
        ("", None),
        ("Korea, South", "KOR"),
        ("Southern Peru", None),  # a country inside the name is not the name
    ],
)
def test_country_names(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize(
    ("name", "code"), [("English", "en"), ("Spanish", "es"), (" portuguese ", "pt"), ("Klingon", None), ("", None)]
)
def test_language_names(name, code):
    assert language_code(name) == code


# --- fetch: fakes -----------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock that moves only when told to: by sleeps and by request latency."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def window_of(url: str) -> tuple[datetime, datetime]:
    params = parse_qs(urlsplit(url).query)
    read = lambda key: datetime.strptime(params[key][0], "%Y%m%d%H%M%S").replace(tzinfo=UTC)  # noqa: E731
    return read("startdatetime"), read("enddatetime")


def artlist(moments: list[datetime]) -> bytes:
    items = [
        {
            "url": f"https://news.example.pe/a/{m:%Y%m%d%H%M%S}",
            "url_mobile": "",
            "title": f"Peru and the United States, item {m:%H:%M:%S}",
            "seendate": f"{m:%Y%m%dT%H%M%SZ}",
            "socialimage": "",
            "domain": "news.example.pe",
            "language": "English",
            "sourcecountry": "Peru",
        }
        for m in moments
    ]
    return json.dumps({"articles": items} if items else {}).encode()


class FakeGdelt:
    """Answers like GDELT: the articles seen in [start, end] (both ends inclusive), oldest first,
    at most 250; advances the clock by the request's latency and logs every request."""

    def __init__(self, moments: list[datetime], clock: FakeClock, latency: float = 0.5) -> None:
        self.moments = sorted(moments)
        self.clock = clock
        self.latency = latency
        self.windows: list[tuple[datetime, datetime]] = []
        self.started: list[float] = []
        self.fail_at: int | None = None

    async def get(self, url: str) -> bytes:
        self.started.append(self.clock.t)
        self.clock.t += self.latency
        lo, hi = window_of(url)
        self.windows.append((lo, hi))
        if self.fail_at == len(self.windows):
            return (FIXTURES / "rate_limit.txt").read_bytes()
        return artlist([m for m in self.moments if lo <= m <= hi][:MAX_RECORDS])


def run(gdelt: FakeGdelt, clock: FakeClock, start: datetime, end: datetime, **kw):
    return asyncio.run(fetch_window(SOURCE, start, end, get=gdelt.get, sleep=clock.sleep, now=clock.now, **kw))


def assert_tiles(windows: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> None:
    """The leaf windows (those not split further) cover [start, end] with no gap and no overlap."""
    split = {w for w in windows if any(v != w and v[0] == w[0] and v[1] < w[1] for v in windows)}
    leaves = sorted(set(windows) - split)
    assert leaves[0][0] == start and leaves[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(leaves, leaves[1:], strict=False))


# --- fetch: window splitting ------------------------------------------------------------------


def test_a_window_under_the_cap_is_one_request():
    clock = FakeClock()
    start, end = utc(2026, 1, 5), utc(2026, 1, 8)
    gdelt = FakeGdelt([start + timedelta(hours=h) for h in range(72)], clock)
    records, warnings = run(gdelt, clock, start, end)
    assert (len(records), warnings, gdelt.windows, clock.sleeps) == (72, [], [(start, end)], [])


def test_a_full_window_is_halved_and_boundary_duplicates_removed():
    clock = FakeClock()
    start, end = utc(2026, 1, 5), utc(2026, 1, 8)
    # One article every 15 minutes, both ends included: 289 > 250, so the window is full.
    moments = [start + timedelta(minutes=15 * i) for i in range(289)]
    gdelt = FakeGdelt(moments, clock)
    records, warnings = run(gdelt, clock, start, end)
    mid = utc(2026, 1, 6, 12)
    assert gdelt.windows == [(start, end), (start, mid), (mid, end)]
    assert warnings == []
    # The article at exactly mid came in both halves; it is stored once. All 289 are found.
    assert len(records) == 289 == len({r.id for r in records})
    assert [r.published for r in records] == moments
    assert_tiles(gdelt.windows, start, end)


def test_splitting_stops_at_the_minimum_window_with_a_warning():
    clock = FakeClock()
    start, end = utc(2026, 1, 6), utc(2026, 1, 7)
    burst = [start + timedelta(seconds=s) for s in range(300)]  # 300 articles in the first 5 minutes
    gdelt = FakeGdelt(burst, clock)
    records, warnings = run(gdelt, clock, start, end)
    # Full windows: 24 h, 12 h, 6 h, 3 h, 90 min, 45 min, 22.5 min (its halves would be < 15 min).
    lefts = [start + timedelta(minutes=m) for m in (1440, 720, 360, 180, 90, 45, 22.5)]
    assert gdelt.windows[:7] == [(start, hi) for hi in lefts]
    # Then the right halves, nearest first: each empty, so none is split again.
    assert gdelt.windows[7:] == [(lo, hi) for lo, hi in zip(lefts[6:0:-1], lefts[5::-1], strict=True)]
    assert len(gdelt.windows) == 13
    assert warnings == [
        "window 2026-01-06 00:00:00–2026-01-06 00:22:30 UTC truncated at 250 articles; "
        "narrow the query of source 'gdelt-per-usa' to see the rest"
    ]
    assert [r.published for r in records] == burst[:250]
    assert_tiles(gdelt.windows, start, end)


def test_a_full_page_counts_items_dropped_in_parsing():
    clock = FakeClock()
    start, end = utc(2026, 1, 5), utc(2026, 1, 8)
    windows = []

    async def get(url: str) -> bytes:
        lo, hi = window_of(url)
        windows.append((lo, hi))
        if hi - lo < timedelta(days=3):
            return b"{}"
        page = json.loads(artlist([start + timedelta(minutes=i) for i in range(245)]))
        page["articles"] += [{"url": "", "title": "No address"}] * 5  # 250 items, 245 usable
        return json.dumps(page).encode()

    records, warnings = asyncio.run(fetch_window(SOURCE, start, end, get=get, sleep=clock.sleep, now=clock.now))
    assert len(records) == 245 and warnings == []
    assert len(windows) == 3  # the full page was split even though only 245 items were usable


def test_odd_windows_halve_to_the_second():
    clock = FakeClock()
    start, end = utc(2026, 1, 6), utc(2026, 1, 6, 1, 0, 1)  # 3,601 s
    gdelt = FakeGdelt([start + timedelta(seconds=s) for s in range(0, 3601, 10)], clock)
    run(gdelt, clock, start, end)
    assert gdelt.windows[:3] == [(start, end), (start, utc(2026, 1, 6, 0, 30)), (utc(2026, 1, 6, 0, 30), end)]


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=3 * 86400), max_size=700),
    burst=st.integers(min_value=0, max_value=400),
)
def test_without_warnings_every_article_is_found_once(offsets, burst):
    clock = FakeClock()
    start, end = utc(2026, 1, 5), utc(2026, 1, 8)
    moments = sorted(
        {start + timedelta(seconds=s) for s in offsets} | {start + timedelta(hours=30, seconds=s) for s in range(burst)}
    )
    gdelt = FakeGdelt(moments, clock)
    records, warnings = run(gdelt, clock, start, end)
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids))
    assert all(start <= r.published <= end for r in records)
    if not warnings:
        assert sorted(r.published for r in records) == moments
    else:
        assert all("truncated at 250 articles" in w for w in warnings)
    assert_tiles(gdelt.windows, start, end)
    starts = gdelt.started
    assert all(b - a >= MIN_INTERVAL for a, b in zip(starts, starts[1:], strict=False))


# --- fetch: pacing and failures ---------------------------------------------------------------


def test_consecutive_requests_are_spaced_on_the_clock():
    clock = FakeClock()
    start, end = utc(2026, 1, 6), utc(2026, 1, 7)
    gdelt = FakeGdelt([start + timedelta(seconds=s) for s in range(300)], clock)
    run(gdelt, clock, start, end)
    # Each wait counts from the end of the previous request, so every sleep is the full interval.
    assert clock.sleeps == [MIN_INTERVAL] * (len(gdelt.windows) - 1)
    gaps = [b - a for a, b in zip(gdelt.started, gdelt.started[1:], strict=False)]
    assert gaps == [MIN_INTERVAL + gdelt.latency] * len(gaps)


def test_a_shared_pacer_keeps_the_spacing_across_sources():
    clock = FakeClock()
    pacer = Pacer(sleep=clock.sleep, now=clock.now)
    start, end = utc(2026, 1, 6), utc(2026, 1, 7)
    gdelt = FakeGdelt([start], clock)
    run(gdelt, clock, start, end, pacer=pacer)
    clock.t += 3.0  # parsing and storing the first source took 3 s
    run(gdelt, clock, start, end, pacer=pacer)
    assert clock.sleeps == [2.0]
    assert gdelt.started[1] - gdelt.started[0] == 0.5 + MIN_INTERVAL


def test_a_refused_first_request_raises():
    clock = FakeClock()
    gdelt = FakeGdelt([], clock)
    gdelt.fail_at = 1
    with pytest.raises(GdeltError) as info:
        run(gdelt, clock, utc(2026, 1, 6), utc(2026, 1, 7))
    assert info.value.rate_limited


def test_a_refused_later_piece_keeps_what_came_and_warns():
    clock = FakeClock()
    start, end = utc(2026, 1, 5), utc(2026, 1, 8)
    moments = [start + timedelta(minutes=15 * i) for i in range(289)]
    gdelt = FakeGdelt(moments, clock)
    gdelt.fail_at = 3  # the second half
    records, warnings = run(gdelt, clock, start, end)
    assert len(gdelt.windows) == 3
    # The whole window gave the first 250; its first half (145 articles) added nothing new.
    assert len(records) == 250
    assert len(warnings) == 1
    assert warnings[0].startswith("window 2026-01-06 12:00:00–2026-01-08 00:00:00 UTC not fully fetched")
    assert "limit requests" in warnings[0]


def test_fetch_source_looks_back_the_source_days():
    clock = FakeClock()
    now = datetime(2026, 1, 8, 9, 41, 7, 500_000, tzinfo=UTC)
    gdelt = FakeGdelt([utc(2026, 1, 7), utc(2026, 1, 8, 9, 45)], clock)
    source = Source(id="g", kind="gdelt", url=API, outlet="GDELT", query="peru", days=2)
    records, warnings = asyncio.run(
        fetch_source(source, get=gdelt.get, sleep=clock.sleep, now=clock.now, clock_now=now)
    )
    assert gdelt.windows == [(utc(2026, 1, 6, 9, 41, 7), utc(2026, 1, 8, 9, 41, 7))]
    assert [r.published for r in records] == [utc(2026, 1, 7)]
    assert warnings == []


def test_fetch_source_refuses_other_kinds():
    clock = FakeClock()
    rss = Source(id="r", kind="rss", url="https://example.org/feed", outlet="Example")
    with pytest.raises(InputError, match="not gdelt"):
        asyncio.run(fetch_source(rss, get=FakeGdelt([], clock).get, sleep=clock.sleep, now=clock.now, clock_now=SEEN))
