"""The fault corpus: ill-formed and hostile feeds, HTTP answers, article links and files.

Each case is a function that puts its hostile thing on the local feed server (or in a file) and
returns the source that reads it (:class:`Served`), registered with what it is, which pull batch
it runs in and what bilat must do with it. The README of this folder lists every case; a test
keeps the two in step.

Expectations (``Case.expect``):

- ``failed``: the source's run is 'failed' with an error (matching ``note`` when given).
- ``noted``: the run is 'ok', the good items are stored and a note line matches ``note``.
- ``refused``: the run is 'ok', a note line says the link was refused (and matches ``note``),
  the forbidden paths got no request and the forbidden addresses no connection.
- ``stored``: the run is 'ok' and the good items are stored (plus the case's own ``check``).
- ``empty``: the run is 'ok' with nothing seen.
- ``not_modified``: the run is 'not_modified'.
- ``recorded``: either 'failed' with an error, or 'ok' with the good items stored: both are
  right (feedparser raises on some inputs, and a fix may repair them instead).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from feedserver import FeedServer, Reply, gzip_bomb, make_rss, redirect

GOOD = "https://fault.example.org"
SECRET = "SECRET-ADMIN-PAGE"  # on every page no pull may fetch; never in a stored article
RSS = {"Content-Type": "application/rss+xml"}
SUMMARY = "Peru and the United States discussed trade, migration and security in Lima."

FAILED, NOTED, REFUSED, STORED, EMPTY, NOT_MODIFIED, RECORDED = (
    "failed", "noted", "refused", "stored", "empty", "not_modified", "recorded",
)  # fmt: skip
# A full-text page the guard refuses is noted with the item's link: "<link>: page refused: <why>".
REFUSED_PAGE = r": page refused: "
# A title or text cut at ingest is noted with the item's link: "<link>: title cut to 1,000 characters".
CUT = r"/1: (title|text) cut to "


@dataclass(frozen=True)
class Served:
    """A case's source as the pull sees it, and what the case's checks look for."""

    source: dict[str, object]  # [[source]] keys besides id, outlet and country
    stored: tuple[str, ...] = ()  # URLs that must be stored when the source is 'ok'
    forbidden: tuple[str, ...] = ()  # server paths that must get no request
    untouched: tuple[tuple[str, int | None], ...] = ()  # (host, port or None) never connected to


@dataclass(frozen=True)
class Case:
    name: str  # the test id and the source id
    batch: str  # the pull it runs in (see test_fault_suite.BATCHES)
    expect: str
    what: str  # what it serves, one line
    must: str  # what bilat must do, one line
    setup: Callable[[Env, str], Served]
    note: str | None = None  # regex a note line (for 'failed': the error) must match
    check: Callable[[View], list[str]] | None = None


@dataclass
class Env:
    """What a case may use to serve itself: the server, a folder for files, a closed port."""

    server: FeedServer
    folder: Path
    closed_port: int  # nothing listens here, on 127.0.0.1 or ::1

    @property
    def port(self) -> int:
        return int(self.server.base_url.rsplit(":", 1)[1])

    def local(self, path: str) -> str:
        """``path`` on this server through the host name ``localhost`` (the allowed host)."""
        return f"http://localhost:{self.port}{path}"

    def feed(self, name: str, body: str | bytes, *, headers: dict[str, str] | None = None,
             stored: tuple[str, ...] = (), forbidden: tuple[str, ...] = (),
             untouched: tuple[tuple[str, int | None], ...] = (), **source: object) -> Served:  # fmt: skip
        data = body.encode("utf-8") if isinstance(body, str) else body
        url = self.server.route(f"/{name}", Reply(body=data, headers=RSS if headers is None else headers))
        return Served({"kind": "rss", "url": url, **source}, stored, forbidden, untouched)

    def reply(self, name: str, *replies: Reply) -> Served:
        return Served({"kind": "rss", "url": self.server.route(f"/{name}", *replies)})

    def gdelt(self, name: str, body: bytes, *, stored: tuple[str, ...] = (), **source: object) -> Served:
        url = self.server.route(f"/gdelt/{name}", Reply(body=body, headers={"Content-Type": "application/json"}))
        return Served({"kind": "gdelt", "url": url, "query": '"peru" "united states"', **source}, stored)

    def file(self, name: str, suffix: str, data: bytes, *, stored: tuple[str, ...] = (), **source: object) -> Served:
        path = self.folder / f"{name}{suffix}"
        path.write_bytes(data)
        return Served({"kind": "file", "url": str(path), **source}, stored)

    def story(self, path: str, marker: str) -> str:
        """An article page that full-text extraction reads; its URL through ``localhost``."""
        self.server.route(path, Reply(body=article_page(marker), headers={"Content-Type": "text/html; charset=utf-8"}))
        return self.local(path)

    def admin(self, path: str) -> str:
        """An internal page no pull may fetch; its URL through 127.0.0.1."""
        self.server.route(path, Reply(body=article_page(SECRET), headers={"Content-Type": "text/html; charset=utf-8"}))
        return self.server.url(path)


@dataclass(frozen=True)
class View:
    """What a case's own check sees after its pull."""

    run: object  # harness.Run or None
    articles: list  # harness.Article rows of this source
    requests: list[str]  # every request target the server received


def article_page(marker: str) -> bytes:
    sentence = (
        "Officials in Lima and Washington met on Tuesday to review the trade promotion agreement, the fight "
        "against drug trafficking and the migration of Venezuelans through the Andes."
    )
    body = " ".join([sentence] * 3)
    return (
        "<html><head><title>Peru and US review trade pact</title></head><body><nav>Home | World</nav>"
        f"<article><h1>Peru and US review trade pact</h1><p>{marker}. {body}</p><p>{body}</p><p>{body}</p>"
        "</article><footer>(c) Example</footer></body></html>"
    ).encode()


def link(name: str, n: int) -> str:
    return f"{GOOD}/{name}/{n}"


def item(title: str, url: str, desc: str = SUMMARY, extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{url}</link><description>{desc}</description>{extra}</item>"


def rss(*items: str, decl: str = '<?xml version="1.0" encoding="utf-8"?>', doctype: str = "") -> str:
    return (
        f'{decl}\n{doctype}<rss version="2.0"><channel><title>Fault feed</title><link>{GOOD}/</link>'
        "<description>A hostile feed</description>\n" + "\n".join(items) + "\n</channel></rss>\n"
    )


def good_item(name: str, n: int) -> str:
    return item(f"Peru and US hold trade talks, round {n}", link(name, n))


CASES: list[Case] = []


def case(batch: str, expect: str, what: str, must: str, *, note: str | None = None,
         check: Callable[[View], list[str]] | None = None):  # fmt: skip
    """Register the decorated setup function as a case named after it (``_`` -> ``-``)."""

    def register(setup: Callable[[Env, str], Served]) -> Callable[[Env, str], Served]:
        CASES.append(Case(setup.__name__.replace("_", "-"), batch, expect, what, must, setup, note, check))
        return setup

    return register


# --- checks shared by several cases ---------------------------------------------------------------


def titles_shorter_than(limit: int) -> Callable[[View], list[str]]:
    def check(view: View) -> list[str]:
        long = [len(a.title) for a in view.articles if len(a.title) >= limit]
        return [f"stored titles of {long} characters; titles must be capped below {limit}"] if long else []

    return check


def texts_shorter_than(limit: int) -> Callable[[View], list[str]]:
    def check(view: View) -> list[str]:
        long = [len(a.text) for a in view.articles if len(a.text) >= limit]
        return [f"stored texts of {long} characters; texts must be capped below {limit}"] if long else []

    return check


def repaired_or_noted(url: str, label: str) -> Callable[[View], list[str]]:
    """The item with a lone surrogate is stored (repaired: SQLite cannot hold a surrogate) or a
    note line matching ``label`` says why it was left out."""

    def check(view: View) -> list[str]:
        if view.run is None or view.run.status != "ok" or any(a.url == url for a in view.articles):
            return []
        if any(re.search(label, line) for line in view.run.note_lines):
            return []
        return [f"{url} is neither stored nor named in a note matching {label!r}"]

    return check


def no_text_containing(*needles: str) -> Callable[[View], list[str]]:
    def check(view: View) -> list[str]:
        return [
            f"stored article {a.url} holds {needle!r}"
            for a in view.articles
            for needle in needles
            if needle in a.title or needle in a.text
        ]

    return check


def stored_urls_exactly(*urls: str) -> Callable[[View], list[str]]:
    def check(view: View) -> list[str]:
        got = sorted(a.url for a in view.articles)
        return [] if got == sorted(urls) else [f"stored URLs {got}, expected {sorted(urls)}"]

    return check


def at_most_stored(limit: int) -> Callable[[View], list[str]]:
    def check(view: View) -> list[str]:
        n = len(view.articles)
        return [f"{n} items stored; max_items is {limit}"] if n > limit else []

    return check


# --- feeds: encodings, entities, markup, sizes ------------------------------------------------------


@case("feeds", RECORDED, "an item title holding &#1114112; (one past the last code point)",
      "record it: source failed with the parser's error, or the good item stored")  # fmt: skip
def ncr_out_of_range(env: Env, name: str) -> Served:
    bad = item("Peru &#1114112; trade", link(name, 1))
    return env.feed(name, rss(bad, good_item(name, 2)), stored=(link(name, 2),))


@case("feeds", RECORDED, "&#1114112; inside an item description", "record it as above; never a crash")
def ncr_in_description(env: Env, name: str) -> Served:
    bad = item("Peru trade talks resume", link(name, 1), desc="Lima &#1114112; Washington")
    return env.feed(name, rss(bad, good_item(name, 2)), stored=(link(name, 2),))


@case("feeds", RECORDED, "&#xD800; (a lone surrogate) in an item title",
      "record it; a stored title never holds a surrogate")  # fmt: skip
def surrogate_reference(env: Env, name: str) -> Served:
    bad = item("Peru &#xD800; trade", link(name, 1))
    return env.feed(
        name,
        rss(bad, good_item(name, 2)),
        stored=(link(name, 2),),
    )


@case("feeds", STORED, "the bytes of a UTF-16 surrogate (CESU-8 \\xed\\xa0\\x80) in a UTF-8 title",
      "store the feed; the bad bytes never reach the store as a surrogate")  # fmt: skip
def surrogate_bytes(env: Env, name: str) -> Served:
    body = rss(item("Peru SURROGATE trade", link(name, 1)), good_item(name, 2)).encode()
    return env.feed(name, body.replace(b"SURROGATE", b"\xed\xa0\x80"), stored=(link(name, 2),))


@case("feeds", NOTED, "an item link with port 99999 (http://example.org:99999/x)",
      "skip that item with the reason noted; store the rest", note=r"item 1\b")  # fmt: skip
def port_out_of_range(env: Env, name: str) -> Served:
    return env.feed(name, rss(item("Peru port talks", "http://example.org:99999/x"), good_item(name, 2)),
                    stored=(link(name, 2),))  # fmt: skip


@case("feeds", STORED, "item links with &amp; escaped twice (&amp;amp;) and &amp; inside CDATA",
      "store the links with a plain & (?a=1&b=2), never 'amp;' in a parameter name",
      check=stored_urls_exactly(f"{GOOD}/amp?a=1&b=2", f"{GOOD}/amp?c=3&d=4"))  # fmt: skip
def amp_in_links(env: Env, name: str) -> Served:
    first = item("Peru and US sign pact", f"{GOOD}/amp?a=1&amp;amp;b=2")
    second = item("Peru and US renew pact", f"<![CDATA[{GOOD}/amp?c=3&amp;d=4]]>")
    return env.feed(name, rss(first, second), stored=(f"{GOOD}/amp?a=1&b=2", f"{GOOD}/amp?c=3&d=4"))


@case("feeds", NOTED, "an item title of 1 MB", "store the item with its title capped, the cut noted",
      note=CUT, check=titles_shorter_than(100_000))  # fmt: skip
def title_of_one_megabyte(env: Env, name: str) -> Served:
    title = "Peru and US " + "trade " * 170_000
    return env.feed(name, rss(item(title, link(name, 1)), good_item(name, 2)), stored=(link(name, 1), link(name, 2)))


@case("feeds", NOTED, "an item description of 4 MB of words", "store the item with its text capped, the cut noted",
      note=CUT, check=texts_shorter_than(1_000_000))  # fmt: skip
def description_of_four_megabytes(env: Env, name: str) -> Served:
    text = "Peru and the United States talk about trade. " * 90_000
    return env.feed(name, rss(item("Peru and US talk", link(name, 1), desc=text)), stored=(link(name, 1),))


@case("feeds", STORED, '"<script>" * 8000 in a description (CDATA)',
      "store the item in linear time (no stall of the pull); no '<script' in the stored text",
      check=no_text_containing("<script"))  # fmt: skip
def script_flood(env: Env, name: str) -> Served:
    desc = "<![CDATA[Peru and US talk. " + "<script>" * 8000 + "]]>"
    return env.feed(name, rss(item("Peru and US talk", link(name, 1), desc=desc)), stored=(link(name, 1),))


@case("feeds", STORED, '"&lt;script&gt;" * 8000 in a description (entity-escaped)',
      "the same: linear time, no '<script' stored", check=no_text_containing("<script"))  # fmt: skip
def script_flood_escaped(env: Env, name: str) -> Served:
    desc = "Peru and US talk. " + "&lt;script&gt;" * 8000
    return env.feed(name, rss(item("Peru and US talk", link(name, 1), desc=desc)), stored=(link(name, 1),))


@case("feeds", STORED, "a description of 100,000 nested <div> (CDATA)", "store the item within the deadline")
def nested_markup(env: Env, name: str) -> Served:
    desc = "<![CDATA[" + "<div>" * 100_000 + "Peru and US" + "</div>" * 100_000 + "]]>"
    return env.feed(name, rss(item("Peru and US talk", link(name, 1), desc=desc), good_item(name, 2)),
                    stored=(link(name, 1), link(name, 2)))  # fmt: skip


@case("feeds", RECORDED, "20,000 nested unclosed elements inside an item", "record it within the deadline")
def nested_elements(env: Env, name: str) -> Served:
    deep = "<a>" * 20_000
    bad = f"<item><title>Peru deep</title><link>{link(name, 1)}</link><description>{deep}</description></item>"
    return env.feed(name, rss(good_item(name, 2), bad), stored=(link(name, 2),))


@case(
    "feeds",
    STORED,
    "declared UTF-8, bytes in Latin-1",
    "store it, read as Windows-1252: 'Perú' stays 'Perú'",
    check=lambda v: [] if any(a.title.startswith("Perú: año") for a in v.articles) else ["'Perú: año' not stored"],
)
def latin1_declared_utf8(env: Env, name: str) -> Served:
    body = rss(item("Perú: año récord de exportaciones", link(name, 1))).encode("latin-1")
    return env.feed(name, body, stored=(link(name, 1),))


@case(
    "feeds",
    STORED,
    "UTF-16 (little-endian) without a byte-order mark, declared utf-16",
    "store it with its accents",
    check=lambda v: [] if any(a.title.startswith("Perú") for a in v.articles) else ["'Perú' not stored"],
)
def utf16_without_bom(env: Env, name: str) -> Served:
    body = rss(item("Perú y EE.UU. firman acuerdo", link(name, 1)), decl='<?xml version="1.0" encoding="utf-16"?>')
    return env.feed(name, body.encode("utf-16-le"), stored=(link(name, 1),))


@case("feeds", FAILED, "UTF-16 without a byte-order mark and without an XML declaration",
      "source failed: not a readable feed")  # fmt: skip
def utf16_undeclared(env: Env, name: str) -> Served:
    return env.feed(name, rss(good_item(name, 1), decl="").encode("utf-16-le"))


@case("feeds", STORED, "UTF-8 and Latin-1 bytes mixed in one feed", "store every item (accents may be lost)")
def mixed_encodings(env: Env, name: str) -> Served:
    body = rss(item("Perú firma acuerdo", link(name, 1)), "MIXED").encode()
    body = body.replace(b"MIXED", item("Perú amplía acuerdo", link(name, 2)).encode("latin-1"))
    return env.feed(name, body, stored=(link(name, 1), link(name, 2)))


@case("feeds", STORED, "undefined entities (&nbsp; &foo;), a bad reference (&#xZZ;) and a bare &",
      "store the items the parser recovers")  # fmt: skip
def broken_entities(env: Env, name: str) -> Served:
    bad = item("Peru &nbsp; and &foo; US &#xZZ; trade & more", link(name, 1))
    return env.feed(name, rss(bad, good_item(name, 2)), stored=(link(name, 2),))


@case("feeds", STORED, "nested CDATA sections in a description", "store the items the parser recovers")
def nested_cdata(env: Env, name: str) -> Served:
    bad = item("Peru and US talk", link(name, 1), desc="<![CDATA[ outer <![CDATA[ inner ]]> rest ]]>")
    return env.feed(name, rss(bad, good_item(name, 2)), stored=(link(name, 1), link(name, 2)))


@case("feeds", STORED, "an attribute of 5 MB on an item's title", "store the item")
def huge_attribute(env: Env, name: str) -> Served:
    bad = f'<item><title class="{"A" * 5_000_000}">Peru and US talk</title><link>{link(name, 1)}</link></item>'
    return env.feed(name, rss(bad, good_item(name, 2)), stored=(link(name, 1), link(name, 2)))


@case("feeds", RECORDED, "nine levels of nested entities (billion laughs) in a title",
      "record it without expanding the entities", check=titles_shorter_than(10_000))  # fmt: skip
def billion_laughs(env: Env, name: str) -> Served:
    levels = ['<!ENTITY l0 "laugh">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = f"<!DOCTYPE rss [{''.join(levels)}]>\n"
    body = rss(item("&l9;", link(name, 1)), good_item(name, 2), decl='<?xml version="1.0"?>', doctype=doctype)
    return env.feed(name, body, stored=(link(name, 2),))


@case("feeds", RECORDED, "an external entity naming file:///etc/passwd (XXE)",
      "never read the file: nothing of it stored", check=no_text_containing("root:"))  # fmt: skip
def external_entity_file(env: Env, name: str) -> Served:
    doctype = '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    body = rss(item("Peru &xxe; trade", link(name, 1)), good_item(name, 2), decl='<?xml version="1.0"?>',
               doctype=doctype)  # fmt: skip
    return env.feed(name, body, stored=(link(name, 2),))


@case("feeds", RECORDED, "an external entity naming http://127.0.0.1:PORT/xxe", "never fetch it")
def external_entity_http(env: Env, name: str) -> Served:
    target = env.admin("/xxe")
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>\n'
    body = rss(item("Peru &xxe; trade", link(name, 1)), good_item(name, 2), decl='<?xml version="1.0"?>',
               doctype=doctype)  # fmt: skip
    return env.feed(name, body, stored=(link(name, 2),), forbidden=("/xxe",))


@case("feeds", STORED, "pubDate 'Fri, 31 Dec 9999 23:59:59 -1400' (overflows when made UTC)",
      "store the item, its date flagged; never a crash")  # fmt: skip
def date_overflow(env: Env, name: str) -> Served:
    bad = item("Peru and US talk", link(name, 1), extra="<pubDate>Fri, 31 Dec 9999 23:59:59 -1400</pubDate>")
    return env.feed(name, rss(bad, good_item(name, 2)), stored=(link(name, 1), link(name, 2)))


@case("feeds", STORED, "&#0; and &#1; (control characters) in a title", "store the item")
def control_references(env: Env, name: str) -> Served:
    return env.feed(name, rss(item("Peru &#0; and &#1; US", link(name, 1)), good_item(name, 2)),
                    stored=(link(name, 2),))  # fmt: skip


@case("feeds", STORED, "a feed cut off in the middle of its second item", "store the first item")
def truncated_feed(env: Env, name: str) -> Served:
    body = rss(good_item(name, 1), good_item(name, 2))
    return env.feed(name, body[: body.index(link(name, 2)) - 10], stored=(link(name, 1),))


@case("feeds", NOTED, "items linking to javascript:, data: and file: URLs",
      "skip them with the reason noted; store the good item", note=r"item 1\b")  # fmt: skip
def non_http_links(env: Env, name: str) -> Served:
    items = [item("Peru js", "javascript:alert(1)"), item("Peru data", "data:text/html,hi"),
             item("Peru file", "file:///etc/passwd"), good_item(name, 4)]  # fmt: skip
    return env.feed(name, rss(*items), stored=(link(name, 4),))


@case("feeds", NOTED, "items with neither title nor text", "skip them with the reason noted", note=r"item 1\b")
def items_without_text(env: Env, name: str) -> Served:
    bare = f"<item><link>{link(name, 1)}</link></item>"
    return env.feed(name, rss(bare, good_item(name, 2)), stored=(link(name, 2),))


@case("feeds", NOTED, "1,000 items in one feed", "store at most max_items (200) and note the cut",
      note=r"200|max_items", check=at_most_stored(200))  # fmt: skip
def many_items(env: Env, name: str) -> Served:
    return env.feed(name, make_rss(name, 1000, base=GOOD))


@case("feeds", RECORDED, "an 8 MB feed of 150,000 tiny items (under the 10 MB size cap)",
      "within the deadline: store at most max_items (200), or fail with the reason",
      check=at_most_stored(200))  # fmt: skip
def items_150k(env: Env, name: str) -> Served:
    items = "".join(f"<item><title>{i}</title><link>http://t.pe/{i}</link></item>" for i in range(150_000))
    return env.feed(name, rss(items))


@case("feeds", STORED, "a valid RSS feed served as image/png", "store it: the bytes decide, not the label")
def wrong_content_type(env: Env, name: str) -> Served:
    return env.feed(name, rss(good_item(name, 1)), headers={"Content-Type": "image/png"}, stored=(link(name, 1),))


@case("feeds", FAILED, "an HTML error page with status 200", "source failed: not a readable feed")
def html_error_page_200(env: Env, name: str) -> Served:
    page = "<html><head><title>503 Service Unavailable</title></head><body><h1>Try later</h1></body></html>"
    return env.feed(name, page, headers={"Content-Type": "text/html"})


@case("feeds", FAILED, "an empty body with status 200", "source failed: not a readable feed")
def empty_body(env: Env, name: str) -> Served:
    return env.feed(name, b"")


@case("feeds", FAILED, "a JSON body with status 200", "source failed: not a readable feed")
def json_body(env: Env, name: str) -> Served:
    body = json.dumps({"items": [{"title": "Peru", "url": link(name, 1)}]})
    return env.feed(name, body, headers={"Content-Type": "application/json"})


@case("feeds", EMPTY, "a valid RSS channel with no items", "source ok with nothing seen (a quiet feed is no error)")
def no_items(env: Env, name: str) -> Served:
    return env.feed(name, rss())


@case("feeds", REFUSED, "a full-text item link to http://localhost:PORT/admin, no allow_hosts",
      "refuse the link (loopback), note it, never request it", note=REFUSED_PAGE)  # fmt: skip
def localhost_not_allowed(env: Env, name: str) -> Served:
    env.admin("/admin-localhost")
    # One item only: a full-text link to any other name would be looked up, and the suite makes no
    # lookup outside this machine.
    body = rss(item("Peru and US talk", env.local("/admin-localhost")))
    return env.feed(name, body, fulltext=True, forbidden=("/admin-localhost",))


@case("feeds", STORED, "a GDELT answer with \\ud800 in one title, next to a good article",
      "store the good article; the bad one repaired or skipped with a note",
      check=repaired_or_noted(f"{GOOD}/gdelt/bad", r"(article|item) 1\b|gdelt/bad"))  # fmt: skip
def gdelt_surrogate_title(env: Env, name: str) -> Served:
    articles = [
        {"url": f"{GOOD}/gdelt/bad", "title": "Peru \ud800 trade", "seendate": "20260301T120000Z",
         "domain": "fault.example.org", "language": "English", "sourcecountry": "Peru"},
        {"url": f"{GOOD}/gdelt/good", "title": "Peru and US sign a trade deal", "seendate": "20260301T130000Z",
         "domain": "fault.example.org", "language": "English", "sourcecountry": "Peru"},
    ]  # fmt: skip
    return env.gdelt(name, json.dumps({"articles": articles}).encode(), stored=(f"{GOOD}/gdelt/good",))


# --- HTTP: statuses, storms, slowness, endless bodies, redirects, broken answers --------------------


@case("http", FAILED, "404 Not Found", "source failed, the status in the error", note=r"404")
def status_404(env: Env, name: str) -> Served:
    return env.reply(name, Reply(404, body=b"not here"))


@case("http", FAILED, "500 on every attempt, no Retry-After", "source failed within the deadline", note=r"500")
def storm_500(env: Env, name: str) -> Served:
    return env.reply(name, Reply(500, body=b"oops"))


@case("http", FAILED, "503 with Retry-After: 30 on every attempt (longer than the source deadline)",
      "source failed within the source deadline, not after 90 s of waiting")  # fmt: skip
def storm_503_retry_after(env: Env, name: str) -> Served:
    return env.reply(name, Reply(503, headers={"Retry-After": "30"}))


@case("http", FAILED, "429 with Retry-After: 999999999", "source failed at once: no waiting", note=r"429")
def storm_429_huge_retry_after(env: Env, name: str) -> Served:
    return env.reply(name, Reply(429, headers={"Retry-After": "999999999"}))


@case("http", FAILED, "429 with a Retry-After date in the year 2999", "source failed at once", note=r"429")
def storm_429_retry_after_date(env: Env, name: str) -> Served:
    return env.reply(name, Reply(429, headers={"Retry-After": "Wed, 01 Jan 2999 00:00:00 GMT"}))


@case("http", STORED, "one 429 with Retry-After: 1, then the feed", "wait, retry and store the feed")
def storm_429_then_ok(env: Env, name: str) -> Served:
    served = env.reply(name, Reply(429, headers={"Retry-After": "1"}), Reply(body=rss(good_item(name, 1)).encode()))
    return Served(served.source, stored=(link(name, 1),))


@case("http", STORED, "two 500s, then the feed", "retry and store the feed")
def storm_500_then_ok(env: Env, name: str) -> Served:
    good = Reply(body=rss(good_item(name, 1)).encode(), headers=RSS)
    return Served(env.reply(name, Reply(500), Reply(502), good).source, stored=(link(name, 1),))


@case("http", FAILED, "headers held back for 60 s", "source failed within the deadline")
def slow_headers(env: Env, name: str) -> Served:
    return env.reply(name, Reply(body=rss(good_item(name, 1)).encode(), delay=60))


@case("http", FAILED, "a 600-byte feed dripped one byte a second", "source failed within the deadline")
def slow_drip(env: Env, name: str) -> Served:
    return env.reply(name, Reply(body=rss(good_item(name, 1)).encode(), headers=RSS, trickle=1.0))


@case("http", FAILED, "an endless chunked body, as fast as it is read", "stop at the size cap; source failed")
def endless_fast(env: Env, name: str) -> Served:
    return env.reply(name, Reply(body=good_item(name, 1).encode() * 200, headers=RSS, endless=True))


@case("http", FAILED, "an endless chunked body, 1 kB every 0.2 s", "source failed within the deadline")
def endless_slow(env: Env, name: str) -> Served:
    return env.reply(name, Reply(body=b"<!-- " + b"x" * 1000 + b" -->", headers=RSS, endless=True, trickle=0.2))


@case("http", FAILED, "a redirect to itself", "source failed: redirect loop")
def redirect_loop(env: Env, name: str) -> Served:
    return env.reply(name, redirect(f"/{name}"))


@case("http", FAILED, "a chain of 40 redirects", "source failed: too many redirects")
def redirect_chain_40(env: Env, name: str) -> Served:
    for hop in range(1, 40):
        env.server.route(f"/{name}/{hop}", redirect(f"/{name}/{hop + 1}"))
    env.server.route(f"/{name}/40", Reply(body=rss(good_item(name, 1)).encode(), headers=RSS))
    return env.reply(name, redirect(f"/{name}/1"))


@case("http", FAILED, "a redirect to file:///etc/passwd", "source failed; the file is never read")
def redirect_to_file(env: Env, name: str) -> Served:
    return env.reply(name, redirect("file:///etc/passwd"))


@case("http", FAILED, "garbage instead of an HTTP answer", "source failed")
def garbage_answer(env: Env, name: str) -> Served:
    return env.reply(name, Reply(raw=b"SPDY/9 banana\r\n\r\n<rss>"))


@case("http", FAILED, "the connection closed without an answer", "source failed")
def hang_up(env: Env, name: str) -> Served:
    return env.reply(name, Reply(raw=b""))


@case("http", FAILED, "Content-Length 100000, then 40 bytes and a close", "source failed: incomplete body")
def short_body(env: Env, name: str) -> Served:
    head = b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"
    return env.reply(name, Reply(raw=head + b'<?xml version="1.0"?><rss version="2.0">'))


@case("http", FAILED, "a response header line of 1 MB", "source failed")
def huge_header(env: Env, name: str) -> Served:
    head = b"HTTP/1.0 200 OK\r\nX-Junk: " + b"j" * (1 << 20) + b"\r\nContent-Length: 0\r\n\r\n"
    return env.reply(name, Reply(raw=head))


@case("http", FAILED, "Content-Encoding: gzip on a body that is not gzip", "source failed")
def bad_gzip(env: Env, name: str) -> Served:
    body = rss(good_item(name, 1)).encode()
    return env.reply(name, Reply(body=body, headers={**RSS, "Content-Encoding": "gzip"}))


@case("http", NOT_MODIFIED, "304 Not Modified to a request that asked for nothing conditional",
      "source recorded as not_modified")  # fmt: skip
def unasked_304(env: Env, name: str) -> Served:
    return env.reply(name, Reply(304))


@case("http", FAILED, "GDELT's 'Please limit requests to one every 5 seconds' with status 200",
      "source failed, saying GDELT asked to slow down")  # fmt: skip
def gdelt_rate_limit_200(env: Env, name: str) -> Served:
    return env.gdelt(name, b"Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com")


@case("http", NOTED, "a full-text source of 60 items on the allowed host (page flood)",
      "store all 60 items but fetch at most max_pages (10) pages, the cut noted",
      note=r"max_pages|pages?\b",
      check=lambda v: [f"{n} pages fetched; max_pages is 10"]
      if (n := sum(r.startswith("/flood/") for r in v.requests)) > 10 else [])  # fmt: skip
def page_flood(env: Env, name: str) -> Served:
    items = [item(f"Peru and US talk, part {i}", env.story(f"/flood/{i}", f"FLOOD-{i}")) for i in range(60)]
    return env.feed(name, rss(*items), fulltext=True,
                    stored=tuple(env.local(f"/flood/{i}") for i in range(60)))  # fmt: skip


# --- links: full-text fetches of item links that point inside ---------------------------------------


def _link_case(env: Env, name: str, target: str, *, forbidden: tuple[str, ...] = (),
               untouched: tuple[tuple[str, int | None], ...] = ()) -> Served:  # fmt: skip
    """A full-text feed: item 1 a real page on the allowed host, item 2 the hostile link."""
    story = env.story(f"/story/{name}", f"STORY-{name}")
    body = rss(item("Peru and US review trade pact", story), item("Peru and US talk again", target))
    return env.feed(name, body, fulltext=True, stored=(story,), forbidden=forbidden, untouched=untouched)


@case("links", REFUSED, "item link http://127.0.0.1:PORT/admin", "refuse (loopback), note it, never request it",
      note=REFUSED_PAGE)  # fmt: skip
def link_loopback(env: Env, name: str) -> Served:
    return _link_case(env, name, env.admin("/admin-ip"), forbidden=("/admin-ip",))


@case("links", REFUSED, "item link to an allowed page that 302s to http://127.0.0.1:PORT/admin",
      "refuse the redirect hop, note it, never request the target", note=REFUSED_PAGE)  # fmt: skip
def link_redirect_to_loopback(env: Env, name: str) -> Served:
    env.server.route("/hop", redirect(env.admin("/admin-hop")))
    return _link_case(env, name, env.local("/hop"), forbidden=("/admin-hop",))


@case("links", REFUSED, "three allowed redirects, then one to http://127.0.0.1:PORT/admin",
      "refuse the last hop, note it, never request it", note=REFUSED_PAGE)  # fmt: skip
def link_redirect_chain(env: Env, name: str) -> Served:
    env.server.route("/chain/1", redirect(env.local("/chain/2")))
    env.server.route("/chain/2", redirect("/chain/3"))
    env.server.route("/chain/3", redirect(env.admin("/admin-chain")))
    return _link_case(env, name, env.local("/chain/1"), forbidden=("/admin-chain",))


@case("links", REFUSED, "item link http://[::1]:PORT/admin", "refuse (loopback), never connect", note=REFUSED_PAGE)
def link_ipv6_loopback(env: Env, name: str) -> Served:
    port = env.closed_port
    return _link_case(env, name, f"http://[::1]:{port}/admin-v6", untouched=(("::1", port),))


@case("links", REFUSED, "item link http://[::ffff:127.0.0.1]:PORT/admin (IPv4-mapped IPv6)",
      "refuse (loopback), never connect", note=REFUSED_PAGE)  # fmt: skip
def link_ipv4_mapped(env: Env, name: str) -> Served:
    env.admin("/admin-mapped")
    target = f"http://[::ffff:127.0.0.1]:{env.port}/admin-mapped"
    return _link_case(env, name, target, forbidden=("/admin-mapped",), untouched=(("::ffff:127.0.0.1", None),))


@case("links", REFUSED, "item link http://2130706433:PORT/admin (127.0.0.1 as one decimal number)",
      "resolve, refuse (loopback), never request it", note=REFUSED_PAGE)  # fmt: skip
def link_decimal_address(env: Env, name: str) -> Served:
    env.admin("/admin-decimal")
    return _link_case(env, name, f"http://2130706433:{env.port}/admin-decimal", forbidden=("/admin-decimal",))


@case("links", REFUSED, "item link http://0.0.0.0:PORT/admin (reaches this machine on Linux)",
      "refuse (unspecified address), never connect", note=REFUSED_PAGE)  # fmt: skip
def link_zero_address(env: Env, name: str) -> Served:
    env.admin("/admin-zero")
    target = f"http://0.0.0.0:{env.port}/admin-zero"
    return _link_case(env, name, target, forbidden=("/admin-zero",), untouched=(("0.0.0.0", None),))


@case("links", REFUSED, "item link http://news.example.org@127.0.0.1:PORT/admin (user-info trick)",
      "refuse (the host is 127.0.0.1), never request it", note=REFUSED_PAGE)  # fmt: skip
def link_userinfo(env: Env, name: str) -> Served:
    env.admin("/admin-userinfo")
    target = f"http://news.example.org@127.0.0.1:{env.port}/admin-userinfo"
    return _link_case(env, name, target, forbidden=("/admin-userinfo",))


@case("links", REFUSED, "item link http://169.254.169.254/latest/meta-data/ (cloud metadata)",
      "refuse (link-local) before any connection", note=REFUSED_PAGE)  # fmt: skip
def link_metadata(env: Env, name: str) -> Served:
    target = "http://169.254.169.254/latest/meta-data/"
    return _link_case(env, name, target, untouched=(("169.254.169.254", None),))


@case("links", REFUSED, "item link to an allowed page that 302s to http://169.254.169.254/",
      "refuse the hop before any connection", note=REFUSED_PAGE)  # fmt: skip
def link_redirect_to_metadata(env: Env, name: str) -> Served:
    env.server.route("/meta-hop", redirect("http://169.254.169.254/latest/meta-data/iam/"))
    return _link_case(env, name, env.local("/meta-hop"), untouched=(("169.254.169.254", None),))


@case("links", REFUSED, "item link http://10.0.0.1/admin (private)", "refuse before any connection",
      note=REFUSED_PAGE)  # fmt: skip
def link_private(env: Env, name: str) -> Served:
    return _link_case(env, name, "http://10.0.0.1/admin", untouched=(("10.0.0.1", None),))


@case("links", REFUSED, "item link to an allowed page that 302s to http://10.1.2.3:8080/",
      "refuse the hop before any connection", note=REFUSED_PAGE)  # fmt: skip
def link_redirect_to_private(env: Env, name: str) -> Served:
    env.server.route("/ten-hop", redirect("http://10.1.2.3:8080/"))
    return _link_case(env, name, env.local("/ten-hop"), untouched=(("10.1.2.3", None),))


@case("links", REFUSED, "item link to an allowed page that 302s to file:///etc/passwd",
      "refuse the hop (not http/https), note it", note=REFUSED_PAGE,
      check=no_text_containing("root:"))  # fmt: skip
def link_redirect_to_file(env: Env, name: str) -> Served:
    env.server.route("/file-hop", redirect("file:///etc/passwd"))
    return _link_case(env, name, env.local("/file-hop"))


@case("links", REFUSED, "a full-text GDELT source whose answer links to http://127.0.0.1:PORT/admin",
      "refuse the link, note it, never request it")  # fmt: skip
def gdelt_link_loopback(env: Env, name: str) -> Served:
    target = env.admin("/admin-gdelt")
    articles = [{"url": target, "title": "Peru and US sign a trade deal", "seendate": "20260301T120000Z",
                 "domain": "fault.example.org", "language": "English", "sourcecountry": "Peru"}]  # fmt: skip
    served = env.gdelt(name, json.dumps({"articles": articles}).encode(), fulltext=True)
    return Served(served.source, forbidden=("/admin-gdelt",))


# --- files: kind = "file" sources --------------------------------------------------------------------


def _csv(*rows: str) -> bytes:
    return ("url,title,published\n" + "\n".join(rows) + "\n").encode()


def _jsonl(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _row(name: str, n: int) -> str:
    return json.dumps({"url": link(name, n), "title": f"Peru and US trade talks, round {n}", "published": "2026-03-01"})


@case("files", NOTED, "a CSV whose row 3 opens a quote it never closes",
      "store row 2, note the row where the quote opened", note=r"row 3\b")  # fmt: skip
def csv_unbalanced_quote(env: Env, name: str) -> Served:
    data = _csv(f"{link(name, 2)},Peru and US talk,2026-03-01", f'{link(name, 3)},"Peru and US, again,2026-03-02',
                f"{link(name, 4)},Peru and US talk more,2026-03-03")  # fmt: skip
    return env.file(name, ".csv", data, stored=(link(name, 2),))


@case("files", NOTED, "a CSV in Latin-1 (invalid UTF-8)", "store the rows and note the encoding guessed",
      note=r"(?i)utf-?8|1252|encoding")  # fmt: skip
def csv_invalid_utf8(env: Env, name: str) -> Served:
    data = f"url,title,published\n{link(name, 2)},Perú y EE.UU. firman,2026-03-01\n".encode("latin-1")
    return env.file(name, ".csv", data, stored=(link(name, 2),))


@case("files", FAILED, "a CSV in UTF-16 without a byte-order mark", "source failed, saying to save it as UTF-8")
def csv_utf16_without_bom(env: Env, name: str) -> Served:
    return env.file(name, ".csv", _csv(f"{link(name, 2)},Peru and US talk,2026-03-01").decode().encode("utf-16-le"))


@case("files", FAILED, "an empty CSV file", "source failed: the file is empty")
def csv_empty(env: Env, name: str) -> Served:
    return env.file(name, ".csv", b"")


@case("files", STORED, "a CSV with 100,000 columns", "store its rows")
def csv_100k_columns(env: Env, name: str) -> Served:
    extra = ",".join(f"c{i}" for i in range(100_000))
    row = ",".join("x" for _ in range(100_000))
    data = f"url,title,published,{extra}\n{link(name, 2)},Peru and US talk,2026-03-01,{row}\n".encode()
    return env.file(name, ".csv", data, stored=(link(name, 2),))


@case("files", NOTED, "a CSV row whose URL has port 99999", "skip that row with the reason; store the rest",
      note=r"row 3\b")  # fmt: skip
def csv_port_out_of_range(env: Env, name: str) -> Served:
    data = _csv(f"{link(name, 2)},Peru and US talk,2026-03-01", "http://example.org:99999/x,Peru port,2026-03-01",
                f"{link(name, 4)},Peru and US talk more,2026-03-03")  # fmt: skip
    return env.file(name, ".csv", data, stored=(link(name, 2), link(name, 4)))


@case("files", STORED, 'a JSON Lines file with "\\ud800" in a title',
      "store the good lines; the bad one repaired or skipped with a note",
      check=repaired_or_noted(f"{GOOD}/jsonl-lone-surrogate/2", r"(row|line) 2\b"))  # fmt: skip
def jsonl_lone_surrogate(env: Env, name: str) -> Served:
    bad = json.dumps({"url": link(name, 2), "title": "Peru \ud800 trade", "published": "2026-03-01"})
    return env.file(name, ".jsonl", _jsonl(_row(name, 1), bad, _row(name, 3)), stored=(link(name, 1), link(name, 3)))


@case("files", STORED, "a JSON Lines row whose URL holds &amp; (https://.../amp?x=1&amp;y=2)",
      "store the URL with a plain & (?x=1&y=2), never 'amp;' in a parameter name",
      check=stored_urls_exactly(f"{GOOD}/file-amp?x=1&y=2"))  # fmt: skip
def jsonl_amp_in_url(env: Env, name: str) -> Served:
    row = json.dumps({"url": f"{GOOD}/file-amp?x=1&amp;y=2", "title": "Peru and US talk", "published": "2026-03-01"})
    return env.file(name, ".jsonl", _jsonl(row), stored=(f"{GOOD}/file-amp?x=1&y=2",))


@case("files", NOTED, "a JSON Lines file with a line cut in half", "skip that line with the reason; store the rest",
      note=r"(row|line) 2\b")  # fmt: skip
def jsonl_cut_line(env: Env, name: str) -> Served:
    return env.file(name, ".jsonl", _jsonl(_row(name, 1), _row(name, 2)[:30], _row(name, 3)),
                    stored=(link(name, 1), link(name, 3)))  # fmt: skip


@case("files", NOTED, "a JSON Lines title of 1 MB", "store it capped, the cut noted", note=CUT,
      check=titles_shorter_than(100_000))  # fmt: skip
def jsonl_title_of_one_megabyte(env: Env, name: str) -> Served:
    big = json.dumps({"url": link(name, 1), "title": "Peru and US " + "trade " * 170_000})
    return env.file(name, ".jsonl", _jsonl(big, _row(name, 2)), stored=(link(name, 1), link(name, 2)))


@case("files", REFUSED, "a full-text file source whose row links to http://10.9.8.7/ (private)",
      "refuse before any connection, note it")  # fmt: skip
def file_link_private(env: Env, name: str) -> Served:
    row = json.dumps({"url": "http://10.9.8.7/internal", "title": "Peru and US talk", "published": "2026-03-01"})
    served = env.file(name, ".jsonl", _jsonl(row), fulltext=True)
    return Served(served.source, untouched=(("10.9.8.7", None),))


@case("files", FAILED, "an HTML error page from GDELT with status 200",
      "source failed, quoting GDELT's words")  # fmt: skip
def gdelt_html_error_200(env: Env, name: str) -> Served:
    page = b"<html><body><p>Your query was too short or too long.</p></body></html>"
    return env.gdelt(name, page)


# --- bombs: answers that inflate (their pull runs alone, memory traced) ------------------------------


@case("bombs", FAILED, "Content-Encoding: gzip, 2 MB inflating to 2 GiB of zeros",
      "stop at the size cap without inflating past it; source failed")  # fmt: skip
def gzip_bomb_2gib(env: Env, name: str) -> Served:
    return env.reply(name, Reply(body=gzip_bomb(2 << 30), headers={**RSS, "Content-Encoding": "gzip"}))


@case("bombs", FAILED, "Content-Encoding: gzip, gzip: 700 bytes inflating to 256 MiB",
      "stop at the size cap without inflating past it; source failed")  # fmt: skip
def gzip_in_gzip_bomb(env: Env, name: str) -> Served:
    headers = {**RSS, "Content-Encoding": "gzip, gzip"}
    return env.reply(name, Reply(body=gzip_bomb(256 << 20, layers=2), headers=headers))


# --- process: a real `bilat pull` (loopback targets only: no tripwire in another process) -----------
# The two deep-nesting cases above run in it too: a RecursionError inside the test process leaves
# CPython 3.11 unable to compile the next test module ("AST constructor recursion depth mismatch").


@case("process", RECORDED, "&#1114112; in a title, in a real bilat pull", "exit 0 or 3, no traceback; recorded")
def process_ncr(env: Env, name: str) -> Served:
    body = rss(item("Peru &#1114112; trade", link(name, 1)), good_item(name, 2))
    return env.feed(name, body, stored=(link(name, 2),))


@case("process", NOTED, "an item link with port 99999, in a real bilat pull", "skip the item, note it",
      note=r"item 1\b")  # fmt: skip
def process_port(env: Env, name: str) -> Served:
    return env.feed(name, rss(item("Peru port talks", "http://example.org:99999/x"), good_item(name, 2)),
                    stored=(link(name, 2),))  # fmt: skip


@case("process", REFUSED, "a full-text item link that 302s to http://127.0.0.1:PORT/admin, in a real bilat pull",
      "refuse the hop, note it, never request it", note=REFUSED_PAGE)  # fmt: skip
def process_redirect_to_loopback(env: Env, name: str) -> Served:
    env.server.route("/process-hop", redirect(env.admin("/admin-process")))
    return _link_case(env, name, env.local("/process-hop"), forbidden=("/admin-process",))


@case("process", FAILED, "a slow-drip feed, in a real bilat pull", "source failed within the deadline")
def process_slow_drip(env: Env, name: str) -> Served:
    return env.reply(name, Reply(body=rss(good_item(name, 1)).encode(), headers=RSS, trickle=1.0))


@case("process", NOTED, "a JSON Lines line nested 100,000 arrays deep",
      "skip that line with the reason; store the rest", note=r"(row|line) 2\b")  # fmt: skip
def jsonl_deep_nesting(env: Env, name: str) -> Served:
    deep = '{"url": "' + link(name, 2) + '", "title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    return env.file(name, ".jsonl", _jsonl(_row(name, 1), deep, _row(name, 3)), stored=(link(name, 1), link(name, 3)))


@case("process", FAILED, "a GDELT answer nested 100,000 arrays deep", "source failed with the reason")
def gdelt_deep_nesting(env: Env, name: str) -> Served:
    return env.gdelt(name, b'{"articles": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")


def readme_lines() -> list[str]:
    """The README's case list: one line a case."""
    return [f"- `{c.name}` ({c.batch}): {c.what} -> {c.must}" for c in CASES]


@dataclass
class Healthy:
    """A healthy source next to the hostile ones: every item of it must be stored."""

    name: str
    served: Served
    markers: dict[str, str] = field(default_factory=dict)  # URL -> text its full text must hold


def healthy_feeds(env: Env, batch: str, count: int, *, fulltext: bool = False) -> list[Healthy]:
    """``count`` healthy RSS feeds (make_rss, 20 items; the second in Spanish) and, with
    ``fulltext``, one more whose 3 items are pages on the allowed host."""
    out = []
    for i in range(count):
        name = f"healthy-{batch}-{i}"
        body = make_rss(name, 20, base=GOOD, lang="es" if i == 1 else "en")
        urls = tuple(f"{GOOD}/{name}/{n}" for n in range(20))
        out.append(Healthy(name, env.feed(name, body, stored=urls)))
    if fulltext:
        name = f"healthy-{batch}-fulltext"
        urls = [env.story(f"/{name}/{n}", f"FULLTEXT-{name}-{n}") for n in range(3)]
        body = rss(*(item(f"Peru and US review trade pact, part {n}", u) for n, u in enumerate(urls)))
        served = env.feed(name, body, fulltext=True, stored=tuple(urls))
        out.append(Healthy(name, served, {u: f"FULLTEXT-{name}-{n}" for n, u in enumerate(urls)}))
    return out
