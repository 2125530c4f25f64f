"""Property-based fuzzing of the pure text functions: hostile input never crashes them.

What is guaranteed, and asserted here:
- ``plain_text`` returns a str that can be stored as UTF-8, with white space collapsed and trimmed,
  holding no tag (no "<" followed by an ASCII letter, "!" or "?", and "</" only as its last two
  characters), at most ``MARKUP_MAX`` characters long. It is idempotent on its own output whenever
  that output holds no "&": entities are decoded once per call, so "&amp;lt;" becomes "&lt;" and,
  read again, "<".
- ``canonical_url`` never raises; it returns "" or a str that can be stored, and an http(s) result
  can be split again with its port readable.
- ``parse_feed`` returns a FeedPage or raises FeedError, for any bytes; its records have http(s)
  URLs and tag-free titles.
- ``enrich`` returns a result whose JSON can be written, for any title and text.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.enrich import enrich
from analytics.ingest import rss
from analytics.ingest.normalize import MARKUP_MAX, canonical_url, plain_text
from analytics.ingest.rss import FeedError, FeedPage, parse_feed
from analytics.ingest.sources import Source

SOURCE = Source(id="fuzz", kind="rss", url="https://feeds.example.org/rss", outlet="Fuzz Wire", country="PER")
SEEN = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
# The start of a tag, comment or declaration; "</" is text only at the very end.
TAG = re.compile(r"<[A-Za-z!?]|</.")

# Pieces that parsers are known to choke on, mixed with arbitrary text (lone surrogates included).
MARKUP = [
    "<script>", "</script>", "<style>", "<b>", "</b>", "<p>", "</p>", "<br/>", "<a href='x'>", "</a>", "<",
    ">", "&", "&amp;", "&amp;amp;", "&lt;", "&gt;", "&lt;script&gt;", "&#1114112;", "&#0;", "&#xD800;",
    "&copy", "&lt;/", "&lt;!", "<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<!DOCTYPE html>",
    "<iframe>", "<plaintext>", "<textarea>", "<title>", "<svg><script>", "</", "<5%", " >3%", "\x00", "\ud800", "\n\n",
    "Peru", "EE.UU.", "U.S. ", ". ", "aunque ", "not good ", "\u2028", "\xa0",
]  # fmt: skip
hostile = st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=12)), max_size=40).map("".join)
any_text = st.one_of(hostile, st.text(alphabet=st.characters(codec=None), max_size=200))

FAST = settings(max_examples=300, deadline=500)


@FAST
@given(any_text)
def test_plain_text_never_fails_and_leaves_no_tag(value):
    text = plain_text(value)
    assert isinstance(text, str) and len(text) <= MARKUP_MAX
    text.encode("utf-8")
    assert not TAG.search(text), text
    assert text == text.strip() and "  " not in text and "\n" not in text
    if "&" not in text:
        assert plain_text(text) == text


@FAST
@given(st.one_of(any_text, st.builds(lambda a, b: f"http://{a}/{b}", st.text(max_size=30), any_text)))
def test_canonical_url_never_raises(value):
    url = canonical_url(value)
    assert isinstance(url, str)
    url.encode("utf-8")
    if url.lower().startswith(("http://", "https://")):
        assert urlsplit(url).port is None or 0 <= urlsplit(url).port <= 65535


def rss_page(title: str, description: str, link: str) -> bytes:
    item = f"<item><title>{title}</title><description>{description}</description><link>{link}</link></item>"
    page = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{item}</channel></rss>'
    return page.encode("utf-8", "surrogatepass")


def check_page(body: bytes) -> None:
    try:
        page = parse_feed(body, SOURCE, seen_at=SEEN)
    except FeedError:
        return
    assert isinstance(page, FeedPage)
    for record in page.records:
        assert record.url.startswith(("http://", "https://"))
        assert isinstance(record.title, str) and not TAG.search(record.title)
        record.title.encode("utf-8")
        record.text.encode("utf-8")


@settings(max_examples=150, deadline=1000)
@given(st.binary(max_size=400))
def test_parse_feed_of_any_bytes(body):
    check_page(body)


@settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(any_text, any_text, st.one_of(st.just("https://example.org/a"), any_text))
def test_parse_feed_of_any_text_in_an_rss_skeleton(title, description, link):
    check_page(rss_page(title, description, link))


@pytest.fixture(scope="module", autouse=True)
def warm_enrichment():
    # The language detector and the lexicons are built once per process (about 2 s): not per example.
    enrich("Peru", "Lima y Washington firmaron un acuerdo. The deal was signed.")


@settings(max_examples=120, deadline=2000)
@given(any_text, any_text)
def test_enrich_never_fails(title, text):
    record = enrich(title, text).to_json(explain=True)
    json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert record["sentiment"] is None or -1.0 <= record["sentiment"] <= 1.0
    assert record["countries"] == sorted(record["countries"])


# -- what feedparser and one bad item used to do to a whole pull ----------------------------------


def test_feedparser_raising_is_the_feed_failing():
    # feedparser raises ValueError: chr() arg not in range(0x110000) on this reference.
    body = rss_page("Peru &#1114112; talks", "text", "https://example.org/a")
    with pytest.raises(FeedError, match="chr"):
        parse_feed(body, SOURCE, seen_at=SEEN)


def test_an_item_whose_reading_raises_is_skipped_with_the_reason(monkeypatch):
    def fragile(value):
        if value and "boom" in value:
            raise RuntimeError("cannot read boom")
        return plain_text(value)

    monkeypatch.setattr(rss, "plain_text", fragile)
    items = "".join(
        f"<item><title>{title}</title><link>https://example.org/{n}</link></item>"
        for n, title in enumerate(["Peru one", "boom", "Peru three"])
    )
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    page = parse_feed(body, SOURCE, seen_at=SEEN)
    assert [r.title for r in page.records] == ["Peru one", "Peru three"]
    assert page.skipped == ["item 2: could not be read (RuntimeError: cannot read boom)"]


def test_an_item_link_with_a_port_out_of_range_is_skipped():
    items = (
        "<item><title>Bad port</title><link>http://example.org:99999/x</link></item>"
        "<item><title>Escaped</title><link>https://example.org/a?id=1&amp;amp;page=2</link></item>"
    )
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    page = parse_feed(body, SOURCE, seen_at=SEEN)
    assert page.skipped == ["item 1: link 'http://example.org:99999/x' is not a usable URL"]
    assert [r.url for r in page.records] == ["https://example.org/a?id=1&page=2"]


def test_enrich_of_a_lone_surrogate():
    # A JSON "\ud800" reaches enrich as a lone surrogate, which the language detector cannot take.
    found = enrich("Peru \ud800", "Lima \ud800 y Washington.")
    assert found.countries == ("PER", "USA") and found.sentence_texts[0] == "Peru \ufffd"
