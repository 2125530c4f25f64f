"""Wire copies: the same agency story reprinted by several outlets, grouped into one cluster.

Two articles are copies when their titles are the same once case, accents and punctuation are
set aside, they were published within :data:`WINDOW` of each other, and the openings of their
texts share at least :data:`MIN_OVERLAP` of their words (Jaccard). Titles of fewer than
:data:`MIN_TITLE_WORDS` words ("Briefs", "En breve") never group. A reprint under a rewritten
headline is missed: counts that treat clusters as one story are a lower bound on duplication.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

WINDOW = timedelta(days=2)
MIN_OVERLAP = 0.5
MIN_TITLE_WORDS = 4
OPENING_CHARS = 400
_WORD = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def title_key(title: str) -> str | None:
    """The grouping key of a title, or None when the title is too short to group on."""
    words = _WORD.findall(_fold(title))
    if len(words) < MIN_TITLE_WORDS:
        return None
    return " ".join(words)


def opening_words(text: str) -> frozenset[str]:
    """The distinct words of the opening of a text."""
    return frozenset(_WORD.findall(_fold(text[:OPENING_CHARS])))


def same_story(a_text: str, b_text: str) -> bool:
    """Whether two texts under the same title key tell the same story."""
    a, b = opening_words(a_text), opening_words(b_text)
    if not a or not b:
        # A title-only copy (GDELT, a bare feed) has no text to compare, with another title-only
        # copy or with the full copy of the same story: the title decides.
        return True
    return len(a & b) / len(a | b) >= MIN_OVERLAP
