"""The faster forms used on enrichment's hot path give exactly what the plain forms give.

Each fast path (analytics/themes.py's fold, analytics/sentiment.py's sentence boundaries and
abbreviation shortcut, analytics/enrich.py's surrogate check) is compared with the slow form it
replaces on every code point, on the benchmark corpus and on generated text.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import themes
from analytics.enrich import _without_surrogates, enrich_many
from analytics.ingest.normalize import without_surrogates
from analytics.sentiment import _BOUNDARY, sentence_spans, split_sentences
from analytics.themes import _FOLD_LOWER, _fold_lower, _latin1_fold, tag_themes

CORPUS = Path(__file__).resolve().parent.parent / "bench" / "corpus"
# Every code point but the surrogates, which no text handed to the tagger holds.
ALL_CHARS = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
# The code points whose fold the fast path leaves to the table (see _fold_lower).
TABLE_ONLY = "\u03a3\u0130\u1fef\u1ffd"


def corpus_texts() -> list[str]:
    texts = []
    for language in ("en", "es"):
        for line in (CORPUS / f"{language}.jsonl").read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            texts += [article["title"], article["text"]]
    return texts


def test_latin1_table_is_the_fold_of_each_latin1_code_point():
    table = _latin1_fold()
    assert len(table) == 256
    assert [chr(b) for b in table] == [_FOLD_LOWER[c] for c in range(256)]
    assert table[ord("É")] == ord("e") and table[ord("\t")] == ord(" ") and table[ord("`")] == ord("'")


def test_fast_fold_equals_the_table_on_every_code_point():
    # In slices of so few distinct characters that they take str.lower and the replacements (without
    # the table-only characters), whole, and one by one in context up to U+3000.
    plain = ALL_CHARS.translate({ord(c): None for c in TABLE_ONLY})
    for i in range(0, len(plain), 30):
        chunk = plain[i : i + 30]
        assert _fold_lower(chunk) == chunk.translate(_FOLD_LOWER), hex(ord(chunk[0]))
    assert _fold_lower(ALL_CHARS) == ALL_CHARS.translate(_FOLD_LOWER)
    for char in ALL_CHARS[:0x3000] + TABLE_ONLY:
        text = f"Ab{char}ü—{char}Σ"[:-1]
        assert _fold_lower(text) == text.translate(_FOLD_LOWER), hex(ord(char))


def test_fast_fold_keeps_length_and_folds_the_hard_cases():
    assert _fold_lower("Ünïón—Perú’s\tEE.UU.") == "union peru's ee.uu."
    # A capital sigma lower-cases by context in str.lower ("ς" at a word's end); the table gives σ.
    assert "ΟΔΟΣ".lower() == "οδος" and _fold_lower("ΟΔΟΣ — ü") == "οδοσ   u"
    # "İ" lower-cases to two characters; the fold keeps one so offsets carry over.
    assert _fold_lower("İstanbul’da") == "istanbul'da"
    # A Greek varia folds to a backquote, which itself folds to an apostrophe: the table's answer.
    assert _fold_lower("\u1fefé") == "`e" == "\u1fefé".translate(_FOLD_LOWER)


def test_fast_fold_equals_the_table_on_the_corpus():
    texts = corpus_texts()
    assert any(not t.isascii() and max(t) <= "\xff" for t in texts)  # the Latin-1 path
    assert any(max(t, default="a") > "\xff" for t in texts)  # the lower-and-replace path
    for text in texts:
        assert _fold_lower(text) == text.translate(_FOLD_LOWER)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
def test_fast_fold_equals_the_table_on_generated_text(text):
    assert _fold_lower(text) == text.translate(_FOLD_LOWER)


def test_case_sensitive_terms_after_squeezed_spaces_still_match_exactly():
    # Double spaces give the folded text an offset map: "UN" must still match, "un" must not.
    result = tag_themes("Talks  at the UN  reached un acuerdo; the DEA  said")
    found = [(h.term, h.matched, h.start, h.end) for h in result.hits]
    assert ("UN", "UN", 14, 16) in found and ("DEA", "DEA", 42, 45) in found
    assert [h for h in result.hits if h.matched == "un"] == []


# The boundary pattern as it was, an alternation of two branches.
_TWO_BRANCHES = re.compile(r"[.!?…](?<![.!?…][.!?…])[.!?…]*+[\"'”’)\]]*+\s+|\n\s*\n")
_PIECES = [".", "!", "?", "…", " ", "\n", "\t", '"', "'", ")", "]", "’", "”", "a", "B", "é", "Dr", "U.S", "word"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_one_class_boundary_pattern_finds_what_the_alternation_found(text):
    assert [m.span() for m in _BOUNDARY.finditer(text)] == [m.span() for m in _TWO_BRANCHES.finditer(text)]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("The talks ended. Next they left", ["The talks ended.", "Next they left"]),
        ("He met Dr. Smith. Then he left", ["He met Dr. Smith.", "Then he left"]),
        ("Abcdef. Ghi", ["Abcdef.", "Ghi"]),  # six letters: settled without the look-back
        ("Officials in the U.S. said so. Then", ["Officials in the U.S. said so.", "Then"]),
        ("Llegó el Sr. Pérez. Luego", ["Llegó el Sr. Pérez.", "Luego"]),
        ("A. Lincoln spoke.  Then\n \n  more", ["A. Lincoln spoke.", "Then", "more"]),
        ("  Leading space. Trailing  ", ["Leading space.", "Trailing"]),
    ],
)
def test_sentence_ends(text, sentences):
    assert split_sentences(text) == sentences


def test_long_sentences_are_still_cut_into_parts():
    text = "palabra " * 250 + ". Corta."
    spans = sentence_spans(text)
    assert [len(text[a:b].split()) for a, b in spans] == [100, 100, 51, 1]


def test_surrogate_check_gives_what_the_replacement_gives():
    for text in ["plain", "Perú—’", "a\ud800b", "\udfff", "é\ud83d"]:
        assert _without_surrogates(text) == without_surrogates(text)
    found = enrich_many([("", "Perú\ud800 y EE.UU. firmaron un acuerdo comercial.")], languages=["es"])[0]
    assert found.countries == ("PER", "USA")


def test_tagging_a_text_uses_the_fast_fold():
    # A Latin-1 Spanish text and a text with curly quotes: accents and quotes are folded away.
    assert themes.tag_themes("El narcotráfico y la DEA").themes == ("security",)
    assert "security" in themes.tag_themes("The DEA’s drug-trafficking case — “narcotráfico”").themes
