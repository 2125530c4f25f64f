"""Article search: what a user types, turned into a safe SQLite FTS5 query.

The syntax, kept small so a help line can state it: words (every one must appear, in the title or
the text), ``"quoted phrases"``, ``OR`` between two terms, ``-word`` or ``-"a phrase"`` to leave
out, ``word*`` for words that start so. Accents and case never matter (the index folds both).

Every term reaches the engine as an FTS5 string, never as syntax: ``NEAR(``, ``^``, ``title:``,
parentheses and stray quotes are searched as the words they hold, or dropped when they hold none.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from analytics.errors import InputError

MAX_QUERY_CHARS = 300
MAX_TERMS = 30
# A one-letter prefix matches a large part of the vocabulary, and every article that uses it.
MIN_PREFIX_CHARS = 2
OR = "OR"

# What Store.search_articles asks snippet() to put around each hit; private-use characters, which
# news text does not use. snippet_parts splits on them.
HIT_START = "\ue000"
HIT_END = "\ue001"


@dataclass(frozen=True)
class Term:
    """One searched word or phrase: ``text`` as typed (quotes removed)."""

    text: str
    phrase: bool = False
    prefix: bool = False

    def fts(self) -> str:
        """The term as an FTS5 string (a phrase when it holds several words), ``*`` when a prefix."""
        return '"' + self.text.replace('"', '""') + '"' + (" *" if self.prefix else "")

    def shown(self) -> str:
        """The term as a user would type it."""
        return f'"{self.text}"' if self.phrase else self.text + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    """A parsed search: every group must match (a group is one term, or terms joined by OR), and
    none of ``excluded`` may."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def match(self) -> str:
        """The FTS5 MATCH expression."""
        parts = []
        for group in self.groups:
            inner = " OR ".join(t.fts() for t in group)
            parts.append(f"({inner})" if len(group) > 1 else inner)
        expression = " AND ".join(parts)
        if self.excluded:
            expression = f"({expression}) NOT ({' OR '.join(t.fts() for t in self.excluded)})"
        return expression

    def describe(self) -> str:
        """The search in words, for a caption: ``peru, "trade deal" or tariffs, not china``."""
        parts = [" or ".join(t.shown() for t in group) for group in self.groups]
        parts += [f"not {t.shown()}" for t in self.excluded]
        return ", ".join(parts)


def _searchable(text: str) -> bool:
    # The index's tokenizer (unicode61) keeps letters and digits and splits on everything else.
    return any(ch.isalnum() for ch in text)


def _tokens(text: str) -> list[tuple[str, bool, bool]]:
    """(text, quoted, negated) for each token: quoted runs (closed at the end when unbalanced) and
    runs of characters between spaces and quotes."""
    tokens = []
    i, size = 0, len(text)
    while i < size:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        negated = ch == "-" and i + 1 < size and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = size if end < 0 else end
            tokens.append((text[i + 1 : end], True, negated))
            i = end + 1
            continue
        start = i
        while i < size and not text[i].isspace() and text[i] != '"':
            i += 1
        tokens.append((text[start:i], False, negated))
    return tokens


def parse_query(text: str) -> Query:
    """The search a user typed, parsed; raises :class:`InputError` when it is too long, has too
    many terms, or has nothing to search for (only exclusions, or only punctuation)."""
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(f"the search is {len(text):,} characters long; use at most {MAX_QUERY_CHARS} characters")
    # FTS5 reads its query as a C string: a NUL would cut it short. No control character is a word.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    after_term = False  # the last token was a searched term, which an OR may join to the next
    joining = False
    terms = 0
    for raw, quoted, negated in _tokens(text):
        if not quoted and not negated and raw == OR:
            joining, after_term = after_term, False
            continue
        prefix = not quoted and raw.endswith("*")
        word = raw.rstrip("*") if prefix else raw
        after_term = not negated
        if not _searchable(word):
            joining = after_term = False
            continue
        if prefix and sum(ch.isalnum() for ch in word) < MIN_PREFIX_CHARS:
            raise InputError(f"{raw!r} is too short a prefix; give at least {MIN_PREFIX_CHARS} letters before the *")
        terms += 1
        if terms > MAX_TERMS:
            raise InputError(f"the search has more than {MAX_TERMS} terms; use at most {MAX_TERMS} terms")
        term = Term(word, phrase=quoted, prefix=prefix)
        if negated:
            excluded.append(term)
            joining = False
        elif joining:
            groups[-1].append(term)
            joining = False
        else:
            groups.append([term])
    if not groups:
        if excluded:
            raise InputError("the search only leaves words out; add a word or phrase that must appear")
        raise InputError("the search has no word to look for; type letters or digits")
    return Query(tuple(tuple(dict.fromkeys(g)) for g in groups), tuple(dict.fromkeys(excluded)))


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """A snippet made with :data:`HIT_START` / :data:`HIT_END` markers as (text, is_hit) pieces.

    Markers that pair up badly (the article's own text could hold those characters) are dropped,
    so the pieces are the snippet's text exactly, ready to escape and then mark up.
    """
    parts: list[tuple[str, bool]] = []
    hit = False
    piece = ""
    for ch in snippet:
        if ch in (HIT_START, HIT_END):
            if piece:
                parts.append((piece, hit))
            piece = ""
            hit = ch == HIT_START
            continue
        piece += ch
    if piece:
        parts.append((piece, False))
    return parts


def snippet_text(snippet: str) -> str:
    """A snippet's plain text, its markers removed (for a table cell, which shows no markup)."""
    return "".join(text for text, _hit in snippet_parts(snippet))
