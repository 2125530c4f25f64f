"""Rendering text that comes from the internet: never as HTML, links only to http(s)."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_escape(text: str) -> str:
    """Text safe to pass to a Streamlit element that renders Markdown: every Markdown and HTML
    character is escaped, so a title like ``[x](javascript:...)`` or ``<script>`` shows as typed."""
    return _MARKDOWN.sub(r"\\\1", text)


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a ``javascript:`` or ``data:`` link is never offered."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None
