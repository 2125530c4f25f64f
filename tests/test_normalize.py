"""Canonical URLs, plain-text titles and trusted dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.ingest.normalize import (
    MARKUP_MAX,
    URL_MAX,
    canonical_url,
    cap_text,
    parse_date,
    plain_text,
    settle_date,
)

SEEN = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.ORG:443/a/b?utm_source=rss&id=3&fbclid=x#top", "https://example.org/a/b?id=3"),
        ("http://example.org:80/x?utm_medium=feed&utm_campaign=y", "http://example.org/x"),
        ("https://example.org:8443/x?b=2&a=1", "https://example.org:8443/x?b=2&a=1"),
        ("https://example.org", "https://example.org/"),
        ("  https://example.org/nota?gclid=1&mc_cid=2&pk_source=3  ", "https://example.org/nota"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        # A feed or file that escaped its links once too often; only "&" is decoded, never "&copy".
        ("https://example.org/a?a=1&amp;b=2&amp;utm_source=x", "https://example.org/a?a=1&b=2"),
        ("https://example.org/a?a=1&#038;b=2&copy=3", "https://example.org/a?a=1&b=2&copy=3"),
        ("http://[2001:DB8::1]:8080/x?utm_source=1", "http://[2001:db8::1]:8080/x"),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org:99999/x",  # port out of range
        "http://example.org:http/x",  # port not a number
        "http://[::1/x",  # broken IPv6 address
        "https://example.org/\ud800",  # lone surrogate, cannot be stored
        "https://example.org/?q=" + "a" * URL_MAX,
    ],
)
def test_canonical_url_of_what_is_not_a_url_is_empty(url):
    assert canonical_url(url) == ""


@given(st.lists(st.sampled_from(["utm_source", "fbclid", "id", "page", "utm_term", "ref"]), max_size=5))
def test_canonical_url_is_idempotent(keys):
    url = "https://news.example.org/story?" + "&".join(f"{k}=1" for k in keys)
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("<b>Peru</b> &amp; the <i>U.S.</i>", "Peru & the U.S."),
        ("Talks <script>alert(1)</script>resume", "Talks resume"),
        ("  Línea\n\n  nueva\t", "Línea nueva"),
        (None, ""),
        # A "<" that opens no tag is text.
        ("Inflation <5% and exports >3%", "Inflation <5% and exports >3%"),
        ("<p>Inflation <5% and exports >3%</p>", "Inflation <5% and exports >3%"),
        ("a < b and c > d", "a < b and c > d"),
        # Block tags separate words, inline tags do not.
        ("<p>One</p><p>Two<br>three</p>", "One Two three"),
        ("Per<b>ú</b> y <a href='x'>EE.UU.</a>, hoy", "Perú y EE.UU., hoy"),
        # Hidden elements go with their content, whatever their case and however they are left open.
        ("<STYLE>p {}</STYLE>Lima<iframe><p>framed</p></iframe> hoy", "Lima hoy"),
        ("Lima <script>document.write('<p>x</p>')", "Lima"),
        ("<!-- a comment --><![CDATA[data]]>text", "text"),
        # Entities are decoded once; markup escaped once too often is still markup and goes.
        ("Trade &amp;amp; investment", "Trade &amp; investment"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Lima", "Lima"),
        ("&lt;p&gt;Inflation &amp;lt;5% and &lt;b&gt;more&lt;/b&gt; &gt;3%", "Inflation &lt;5% and more >3%"),
        ("&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;", "&lt;b&gt;bold&lt;/b&gt;"),
        ("<p>&amp;lt;b&amp;gt;bold</p>", "&lt;b&gt;bold"),
        ("caf&eacute; &#1114112; &#0;x", "café \ufffd \ufffdx"),
        # A lone surrogate (a JSON escape such as \\ud800) cannot be stored: it becomes U+FFFD.
        ("Lima \ud800 <b>hoy</b>", "Lima \ufffd hoy"),
    ],
)
def test_plain_text(raw, text):
    assert plain_text(raw) == text


def test_plain_text_reads_only_the_first_markup_max_characters():
    value = "<p>" + "a" * MARKUP_MAX + "</p><p>tail</p>"
    assert plain_text(value) == "a" * (MARKUP_MAX - 3)
    assert plain_text("b" * (MARKUP_MAX + 10)) == "b" * MARKUP_MAX


@pytest.mark.parametrize(
    ("value", "limit", "expected", "cut"),
    [
        ("short", 10, "short", False),
        ("exactly 10", 10, "exactly 10", False),
        ("one two three four", 12, "one two […]", True),
        ("abcdefghijklmnop", 12, "abcdefgh […]", True),
        ("alpha beta gamma", 14, "alpha beta […]", True),
        ("alpha betagamma", 14, "alpha […]", True),  # never half a word
    ],
)
def test_cap_text(value, limit, expected, cut):
    assert cap_text(value, limit) == (expected, cut)
    assert len(cap_text(value, limit)[0]) <= limit


@pytest.mark.parametrize(
    ("raw", "expected", "flag"),
    [
        ("Tue, 03 Mar 2026 09:30:00 -0500", datetime(2026, 3, 3, 14, 30, tzinfo=UTC), "ok"),
        ("Tue, 03 Mar 2026 09:30:00 EST", datetime(2026, 3, 3, 14, 30, tzinfo=UTC), "ok"),
        ("2026-03-03T09:30:00+02:00", datetime(2026, 3, 3, 7, 30, tzinfo=UTC), "ok"),
        ("20260303T093000Z", datetime(2026, 3, 3, 9, 30, tzinfo=UTC), "ok"),
        ("2026-03-05", datetime(2026, 3, 5, tzinfo=UTC), "ok"),
        ("yesterday afternoon", SEEN, "unparsable"),
        ("", SEEN, "missing"),
        (None, SEEN, "missing"),
        ("2031-01-01T00:00:00Z", SEEN, "future"),
        ("2026-03-10T12:30:00Z", datetime(2026, 3, 10, 12, 30, tzinfo=UTC), "ok"),  # within the hour's tolerance
    ],
)
def test_settle_date(raw, expected, flag):
    assert settle_date(raw, SEEN) == (expected, flag)


def test_parse_date_of_feedparser_struct_time():
    import time

    assert parse_date(time.struct_time((2026, 3, 3, 9, 30, 0, 1, 62, 0))) == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)


def test_a_date_past_the_calendar_after_conversion_is_unreadable_not_a_crash():
    assert parse_date("Fri, 31 Dec 9999 23:59:59 -1400") is None
    seen = datetime(2026, 3, 20, tzinfo=UTC)
    assert settle_date("Fri, 31 Dec 9999 23:59:59 -1400", seen) == (seen, "unparsable")
