"""Rendering text that comes from the internet: never as markup, links only to http(s).

Streamlit renders Markdown in the browser (react-markdown with GFM, directives and math) and lets
any link or image address through, ``javascript:`` and ``data:`` included, so every value that
comes from a feed, a file or a URL goes through :func:`md_escape` before it reaches a Markdown
element, and through :func:`plotly_text` before it reaches a chart's title, legend or hover.
"""

from __future__ import annotations

import html
import re

from analytics.search import snippet_parts

# Inline syntax anywhere in a line: emphasis, code, links and images, HTML, tables, math.
_INLINE = re.compile(r"([\\`*_~\[\]<>|$])")
# An entity reference (&amp; &#91;) would be decoded into the character it names.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Block syntax counts only at the start of a line: headings, list items, thematic breaks.
_BLOCK_START = re.compile(r"^(\s*)([#+-])")
_LIST_NUMBER = re.compile(r"^(\s*\d{1,9})([.)])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Streamlit and GFM find these in the text after escapes are resolved, so a backslash does not stop
# them: bare links (http://, www.), e-mail links, and :shortcodes: (:material/icon:, :streamlit:,
# emoji) and directives (:red[...]). An invisible word joiner after the colon, the "www" or the
# "@" breaks each pattern and leaves the text as it reads.
_JOIN = re.compile(r"(:(?=[A-Za-z_/+-])|(?i:www)(?=\.)|@(?=[\w-]))")
WORD_JOINER = "\u2060"


def md_escape(text: str) -> str:
    """Text safe to pass to a Streamlit element that renders Markdown, shown as typed.

    Escapes every Markdown and HTML character that could make markup (``[x](javascript:...)``,
    ``![](http://...)``, ``<img>``, ``$...$``, ``# heading``), turns line breaks and other control
    characters into spaces so the value cannot start a new block, and puts a word joiner (U+2060,
    invisible) where a bare link, an e-mail address, an icon shortcode or a colour directive would
    start.
    """
    text = _CONTROL.sub(" ", text)
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    text = _BLOCK_START.sub(r"\1\\\2", text)
    text = _LIST_NUMBER.sub(r"\1\\\2", text)
    return _JOIN.sub(lambda m: m.group(0) + WORD_JOINER, text)


def plotly_text(text: str) -> str:
    """Text safe to put in a plotly title, legend entry or hover label.

    plotly draws a few HTML tags there (``<a href>``, ``<b>``, ``<br>``) and decodes the entities
    ``&lt;``, ``&gt;``, ``&amp;`` and numeric ones, not ``&quot;``: so only ``<``, ``>`` and ``&``
    are escaped.
    """
    return html.escape(text, quote=False)


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a ``javascript:`` or ``data:`` link is never offered."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def md_snippet(snippet: str) -> str:
    """A search snippet (hits between :data:`analytics.search.HIT_START` and ``HIT_END``) as
    Markdown: every piece escaped with :func:`md_escape` first, then each hit made bold."""
    return "".join(f"**{md_escape(text)}**" if hit else md_escape(text) for text, hit in snippet_parts(snippet))
