"""Hostile values from a feed, a file or a link never render as a link, an image or markup.

A store whose titles, outlets and addresses are attacks, and links whose every filter parameter is
one, are driven through every page; every Markdown body, label and help text on the page is
parsed as Streamlit would render it, and every plotly figure's text is checked for HTML tags.

The Markdown check uses markdown-it-py as a server-side stand-in for Streamlit's react-markdown:
links and images with any address (Streamlit passes ``javascript:`` and ``data:`` through, so the
parser is told to do the same), raw HTML, and what Streamlit and GFM find in the text after escapes
are resolved: bare links (``http://``, ``www.``), e-mail links, ``:material/...:`` icons, the
``:streamlit:`` logo and ``:colour[...]`` directives; plus ``$`` math, which Streamlit renders
with KaTeX.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from analytics import engine, views
from analytics.errors import InputError
from analytics.filters import Filters
from analytics.pipeline import store_records
from analytics.store import ArticleRecord, Store
from dashboard import tone_charts
from dashboard.briefing import BriefingView, summary_markdown
from dashboard.safe import WORD_JOINER, md_escape, plotly_text, safe_url
from dashboard.sidebar import ANY
from tests.conftest import APP, open_app

EVIL = "evil.example"
PAYLOADS = (
    f"[Re-authenticate](http://{EVIL}/login)",
    f"![](http://{EVIL}/pixel.png)",
    f'<img src="http://{EVIL}/tag.png">',
    f'<a href="http://{EVIL}/a">click</a>',
    f"read http://{EVIL}/bare now",
    f"HTTPS://{EVIL.upper()}/shout",
    f"see www.{EVIL}.com today",
    f"write to mail@{EVIL}.com",
    f"<http://{EVIL}/angle>",
    "[x](javascript:alert(1))",
    "[y](data:text/html;base64,PHNjcmlwdD4=)",
    ":material/warning: :streamlit: :red[alert] :help[tip]",
    f"$\\href{{http://{EVIL}}}{{x}}$ costs $5",
    f"\n\n# Heading\n\n[ref]: http://{EVIL}/ref\n\n[z][ref]",
    f"&#91;e&#93;(http://{EVIL}/entity)",
    "<!-- hidden --> *bold* _it_ ~~gone~~ `code` | a | b |",
    "- item\r\n1. item\u2028> quote",
)

# --- the checker -------------------------------------------------------------------------------

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Streamlit's react-markdown keeps every address as written (its urlTransform returns it unchanged).
_MD.validateLink = lambda url: True
_FOUND_IN_TEXT = (
    re.compile(r"(?:https?://|www(?=\.))[-.\w]+", re.I),  # GFM bare links, found after escapes
    re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),  # GFM e-mail links
    re.compile(r":(?:material_\w+|streamlit):"),  # Streamlit's icons and logo (an <img>)
    re.compile(r":[A-Za-z][\w-]*[\[{]"),  # directives: colours, badges, help icons
)
_PLOTLY_OWN_TAGS = {"br", "sup", "extra"}  # the tags our chart builders write themselves
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w-]*)")


def markup_in(source: str) -> list[str]:
    """What Streamlit would render from Markdown ``source`` beyond plain text, one line per find."""
    found = []
    # Streamlit rewrites icons before parsing; its icon finder then looks for :material_name:.
    tokens = _MD.parse(source.replace(":material/", ":material_"))
    for token in tokens:
        if token.type == "html_block":
            found.append(f"HTML block {token.content!r}")
        for child in token.children or []:
            if child.type in ("link_open", "image"):
                found.append(f"{child.type} to {child.attrs.get('href') or child.attrs.get('src')!r}")
            elif child.type == "html_inline":
                found.append(f"HTML {child.content!r}")
            elif child.type == "text":
                found += [f"{m.group(0)!r} in text" for rx in _FOUND_IN_TEXT for m in rx.finditer(child.content)]
    if re.search(r"(?<!\\)(?:\\\\)*\$", source):
        found.append("unescaped $ (KaTeX math)")
    return found


def tags_in_plotly(spec: dict) -> list[str]:
    """HTML tags in a figure's strings other than those our builders write (plotly renders a few)."""
    found = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.extend(f"<{m.group(1)}> in {value[:80]!r}" for m in _TAG.finditer(value)
                         if m.group(1).lower() not in _PLOTLY_OWN_TAGS)  # fmt: skip
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk({"data": spec.get("data"), "layout": spec.get("layout")})
    return found


def shown(text: str) -> str:
    """The plain text a reader sees once Markdown ``text`` is rendered."""
    out = []
    for token in _MD.parse(text):
        out += [c.content for c in token.children or [] if c.type in ("text", "code_inline")]
    return "".join(out).replace(WORD_JOINER, "")


def test_the_checker_finds_each_attack_when_it_is_not_escaped():
    for payload in PAYLOADS[:-2]:
        assert markup_in(payload), payload
    assert markup_in("Peru and the United States: talks at 10:30, 5 km") == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_escape_leaves_no_markup_and_reads_as_typed(payload):
    escaped = md_escape(payload)
    assert markup_in(escaped) == []
    for start in ("", "- ", "1. **2×** "):  # as the pages place values: alone, in list items
        assert markup_in(start + escaped) == []
    typed = re.sub(r"[\r\n\u2028]", " ", payload).strip()  # a paragraph drops its outer spaces
    assert shown(escaped) == typed


def test_md_escape_keeps_ordinary_text_readable():
    assert md_escape("PER-USA; 2026-01-01 to 2026-03-31; themes: Trade & economy") == (
        "PER-USA; 2026-01-01 to 2026-03-31; themes: Trade & economy"
    )
    assert md_escape("El Comercio (Perú) 10:30") == "El Comercio (Perú) 10:30"


def test_plotly_text_escapes_tags_and_keeps_quotes():
    assert plotly_text('<a href="http://x">O\'Brien & "Sons"</a>') == (
        '&lt;a href="http://x"&gt;O\'Brien &amp; "Sons"&lt;/a&gt;'
    )


def test_chart_labels_from_the_data_are_escaped():
    frame = pd.DataFrame({"source_country": ["<b>X</b>"], "n": [3], "mean": [0.1], "ci_low": [0.0], "ci_high": [0.2]})
    figure = tone_charts.tone_by_chart(frame, category="source_country", subtitle="s", title="t")
    spec = json.loads(figure.to_json())
    assert tags_in_plotly(spec) == []
    assert spec["data"][0]["y"] == ["&lt;b&gt;X&lt;/b&gt;"]


def test_briefing_summary_escapes_the_selection():
    view = BriefingView(
        filters=Filters(dyad="PER-USA", outlets=(PAYLOADS[0], PAYLOADS[1])),
        view_name="Overview", data_timestamp="2026-01-19T06:00:00+00:00", enrichment_version="1",
        demo=False, first="2026-01-05", last="2026-01-12",
    )  # fmt: skip
    text = summary_markdown([], view).decode("utf-8")
    assert markup_in(text) == []
    assert f"[Re-authenticate](http://{EVIL}/login)" in shown(text)


# --- a hostile store ---------------------------------------------------------------------------

FIRST = date(2026, 1, 5)
BURST = date(2026, 4, 13)  # a Monday: the week of the attack stands out from the eight before it
OUTLET = PAYLOADS[0]  # the outlet a link selects: it goes into every page's caption and chart titles


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """PER-USA coverage from January to April 2026 with a burst of hostile articles in one week.

    The quiet weeks come from ordinary outlets; the burst's titles, outlets, texts and addresses
    are the attacks above."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    records = []
    for day in range((BURST - FIRST).days + 7):
        when = datetime.combine(FIRST + timedelta(days=day), datetime.min.time(), UTC) + timedelta(hours=9)
        records.append(
            ArticleRecord(url=f"https://news.example.org/{day}", title="Peru and the United States discuss trade",
                          text="Lima and Washington met.", outlet="Andina", published=when, source_country="PER",
                          declared_language="en")
        )  # fmt: skip
    addresses = ("javascript:alert({})", "data:text/html,<script>{}</script>", f"http://{EVIL}/story/{{}}")
    for i in range(60):
        payload = PAYLOADS[i % len(PAYLOADS)]
        when = datetime.combine(BURST, datetime.min.time(), UTC) + timedelta(days=i % 5, hours=i % 12)
        records.append(
            ArticleRecord(url=addresses[i % 3].format(i), title=f"Peru and the United States sign {payload} {i}",
                          text=f"{payload} Lima and Washington praised the security pact.", outlet=payload,
                          published=when, source_country="USA", declared_language="en")
        )  # fmt: skip
    with Store(path) as store:
        store_records(store, records)
    return path


PAGES = (
    None,  # the Overview, which opens first
    "dashboard/pages/coverage.py",
    "dashboard/pages/themes.py",
    "dashboard/pages/tone.py",
    "dashboard/pages/spikes.py",
    "dashboard/pages/articles.py",
    "dashboard/pages/compare.py",
    "dashboard/pages/data.py",
)
# An attack in every parameter a page reads from the link; the outlet is also one the store holds.
HOSTILE_LINK = {
    "pair": PAYLOADS[0],
    "from": PAYLOADS[1],
    "to": PAYLOADS[2],
    "theme": [PAYLOADS[3], "trade"],
    "source": [PAYLOADS[4]],
    "lang": [PAYLOADS[7]],
    "outlet": [OUTLET, PAYLOADS[5]],
    "once": PAYLOADS[9],
    "freq": PAYLOADS[11],
    "preset": PAYLOADS[12],
    "q": PAYLOADS[6],
    "article": PAYLOADS[8],
    "spike": PAYLOADS[10],
    "cmp": PAYLOADS[13],
    "pair2": PAYLOADS[14],
    "from2": PAYLOADS[15],
    "to2": PAYLOADS[16],
}
QUIET_LINK = {"from": FIRST.isoformat(), "to": (BURST + timedelta(days=6)).isoformat(), "outlet": [OUTLET]}


def _nodes(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


def rendered(at) -> tuple[list[str], list[dict], list[str]]:
    """The page's Markdown (bodies, labels, help, option labels), plotly specs and link-button URLs."""
    markdown, figures, links = [], [], []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        fields = {f.name: v for f, v in proto.ListFields()}
        if getattr(node, "type", None) == "plotly_chart":
            figures.append(json.loads(fields["spec"]))
            continue
        if getattr(node, "type", None) not in ("text", "code"):  # st.text and st.code show plain text
            markdown += [fields[k] for k in ("body", "label", "help") if isinstance(fields.get(k), str)]
        if getattr(node, "type", None) == "link_button":
            links.append(fields["url"])
        if getattr(node, "type", None) in ("button_group", "radio"):  # their options render Markdown
            markdown += [o if isinstance(o, str) else o.content for o in fields.get("options", [])]
    return markdown, figures, links


def open_page(query: dict, page: str | None):
    """``page`` opened from a link holding ``query``: the page reads the link on its first run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    if page:
        at.run()  # AppTest knows the pages only once st.navigation has run
        at.switch_page(page)
        at.query_params.clear()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def assert_nothing_renders(at) -> int:
    """Fail on any link, image, HTML, shortcode or math rendered on the page; return how many texts
    were checked."""
    markdown, figures, links = rendered(at)
    problems = [f"{p} <- {text[:120]!r}" for text in markdown for p in markup_in(text)]
    problems += [p for spec in figures for p in tags_in_plotly(spec)]
    problems += [f"link button to {url!r}" for url in links if safe_url(url) != url]
    assert problems == [], "\n".join(problems)
    return len(markdown) + len(figures)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: (p or "overview").split("/")[-1])
def test_hostile_link_renders_nothing(hostile_db, use_db, page):
    use_db(hostile_db)
    at = open_page(HOSTILE_LINK, page)
    assert assert_nothing_renders(at) > 5
    notes = " ".join(w.value for w in at.sidebar.warning)
    assert "has no coverage in this store" in notes and "is not a date" in notes
    assert f"'[Re-authenticate](http://{EVIL}/login)'" in shown(notes)  # shown as typed, not as a link


@pytest.mark.parametrize("page", PAGES, ids=lambda p: (p or "overview").split("/")[-1])
def test_hostile_store_renders_nothing(hostile_db, use_db, page):
    use_db(hostile_db)
    at = open_app(QUIET_LINK, page)
    assert assert_nothing_renders(at) > 5
    if page not in ("dashboard/pages/data.py", "dashboard/pages/compare.py"):
        assert any("outlets: " in shown(c.value) and OUTLET in shown(c.value) for c in at.caption)


def test_hostile_article_explained_renders_nothing(hostile_db, use_db):
    use_db(hostile_db)
    with Store(hostile_db) as store:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM articles WHERE outlet != 'Andina' ORDER BY n")]
    for article_id in ids[: len(PAYLOADS)]:
        at = open_app({**QUIET_LINK, "outlet": [], "article": article_id, "q": "Peru"}, "dashboard/pages/articles.py")
        assert at.subheader, "the article is explained"
        assert_nothing_renders(at)
    table = at.dataframe[0].value
    offered = [url for url in table["url"] if isinstance(url, str)]
    assert all(safe_url(url) == url for url in offered)
    assert 0 < len(offered) < len(table)  # the javascript: and data: addresses are not offered


def test_hostile_spike_drivers_render_nothing(hostile_db, use_db):
    use_db(hostile_db)
    with Store(hostile_db) as store:
        articles, dyads = store.load_frames()
    link = {"from": FIRST.isoformat(), "to": (BURST + timedelta(days=6)).isoformat()}
    pair = Filters(dyad="PER-USA", start=FIRST, end=BURST + timedelta(days=6))
    found = views.spike_view(engine.from_frames(articles, dyads), pair, "D").spikes
    assert BURST in {p.date() for p in found["period"]}
    at = open_app({**link, "spike": BURST.isoformat()}, "dashboard/pages/spikes.py")
    assert any("Top stories" in m.value for m in at.markdown)
    assert assert_nothing_renders(at) > 5
    assert any(OUTLET in shown(m.value) for m in at.markdown)  # the outlets are shown, as text


def test_hostile_comparison_renders_nothing(hostile_db, use_db):
    use_db(hostile_db)
    for mode in ("two pairs", "two periods"):
        at = open_app({**QUIET_LINK, "cmp": mode, "pair2": f"PER{ANY}"}, "dashboard/pages/compare.py")
        assert assert_nothing_renders(at) > 5


# --- article search ----------------------------------------------------------------------------


def test_search_limits_are_input_errors_and_thirty_terms_run(hostile_db):
    with Store(hostile_db) as store:
        with pytest.raises(InputError, match="at most 300 characters"):
            store.search_articles(" ".join(f"w{i}" for i in range(1000)))
        with pytest.raises(InputError, match="at most 30 terms"):
            store.search_articles(" ".join(f"w{i}" for i in range(31)))
        hits = store.search_articles(" ".join(["Peru", "trade"] * 15))
        assert len(hits) > 0 and hits["n"].tolist() == store.search_articles("trade Peru")["n"].tolist()


def test_search_page_with_a_thousand_words(hostile_db, use_db):
    use_db(hostile_db)
    words = " ".join(f"w{i}" for i in range(1000))
    at = open_app({**QUIET_LINK, "outlet": [], "q": words}, "dashboard/pages/articles.py")
    assert any("The search did not run" in w.value and "at most 300 characters" in w.value for w in at.warning)
    assert not at.exception
    assert "At most 300 characters and 30 terms" in at.text_input(key="q").help


def test_search_snippets_of_hostile_articles_render_nothing(hostile_db, use_db):
    use_db(hostile_db)
    query = "authenticate OR pixel OR img OR href OR javascript OR material OR heading OR entity OR hidden"
    at = open_app({**QUIET_LINK, "outlet": [], "q": query}, "dashboard/pages/articles.py")
    assert not at.exception
    snippets = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert len(snippets) == 1 and snippets[0].count("\n1. ") == 4  # the five best matches
    assert "**" in snippets[0]  # the hits are marked
    assert assert_nothing_renders(at) > 5


# --- in a real browser -------------------------------------------------------------------------

_ADDRESSES = """Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)
    .filter(a => /^(href|src|xlink:href|srcset|action|formaction|poster)$/i.test(a.name)).map(a => a.value))"""


@pytest.mark.browser
def test_browser_neither_links_to_nor_fetches_from_hostile_values(hostile_db):
    from urllib.parse import urlencode, urlsplit

    from tests.appserver import chromium, dashboard, settle

    with Store(hostile_db) as store:
        # Its title is an image and its address a data: URL, so the page offers no link to it.
        article = store.conn.execute(
            "SELECT id FROM articles WHERE title LIKE '%![](http%' AND url LIKE 'data:%'"
        ).fetchone()
    views = [
        ("", HOSTILE_LINK, "Coverage volume"),
        ("spikes", {"from": FIRST.isoformat(), "to": (BURST + timedelta(days=6)).isoformat(),
                    "spike": BURST.isoformat()}, "Top stories"),
        ("articles", {**QUIET_LINK, "article": article[0]}, "Countries"),
    ]  # fmt: skip
    requested: list[str] = []

    def hostile(url: str) -> bool:  # the pages' own addresses carry the attacks in their query
        return EVIL in (urlsplit(url).hostname or "").lower()

    with dashboard(hostile_db) as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        page.route(hostile, lambda route: route.abort())  # nothing leaves the machine
        for path, query, marker in views:
            page.goto(f"{server}/{path}?{urlencode(query, doseq=True)}")
            settle(page)
            page.get_by_text(marker).first.wait_for(timeout=60_000)
            page.wait_for_timeout(1000)  # images and charts that would load after the text
            addresses = page.evaluate(_ADDRESSES)
            assert [a for a in addresses if EVIL in a.lower() or a.lower().startswith("javascript:")] == []
            assert OUTLET in page.inner_text("body").replace(WORD_JOINER, "")  # the attack is there, as text
    assert [url for url in requested if hostile(url)] == []
