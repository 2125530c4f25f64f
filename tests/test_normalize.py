"""Canonical URLs, plain-text titles and trusted dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.ingest.normalize import canonical_url, parse_date, plain_text, settle_date

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
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


@given(st.lists(st.sampled_from(["utm_source", "fbclid", "id", "page", "utm_term", "ref"]), max_size=5))
def test_canonical_url_is_idempotent(keys):
    url = "https://news.example.org/story?" + "&".join(f"{k}=1" for k in keys)
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("<b>Peru</b> &amp; the <i>U.S.</i>", "Peru & the U.S."),
        ("Talks <script>alert(1)</script>resume", "Talks resume"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Lima", "Lima"),
        ("&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;", "bold"),
        ("  Línea\n\n  nueva\t", "Línea nueva"),
        (None, ""),
    ],
)
def test_plain_text(raw, text):
    assert plain_text(raw) == text


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
