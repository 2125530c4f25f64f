"""Bilateral agenda themes of a text, from the bilingual lexicon in ``data/themes.toml``.

Matching runs one Aho-Corasick automaton over a folded copy of the text: every character is
mapped to exactly one character (accents stripped, lower-cased, dashes and whitespace made a
space), so offsets into the folded copy are offsets into the original. Only runs of spaces,
decomposed accents and invisible format characters (soft hyphens) are squeezed out, and a short
table of breakpoints maps those positions back.

A term matches on word boundaries; a term ending in ``*`` matches any word starting with it; a
term written with a capital letter (``UN``, ``DEA``, ``El Comercio``) matches only that exact
capitalisation. An ``exclude`` phrase of a theme cancels the theme's hits it covers; then, within
a theme, overlapping hits give way to the leftmost and longest. A theme is assigned when the
weights of its distinct matched terms add up to ``min_score``: repeating one weak word does not
tag a text.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick

from analytics.errors import InputError
from analytics.schema import THEMES

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "themes.toml"
LANGUAGES: tuple[str, ...] = ("en", "es")
MAX_WEIGHT = 5.0
MIN_STEM = 4  # a shorter prefix stem ("ex*") would match half the dictionary
_EPSILON = 1e-9  # 0.7 + 0.3 must reach a threshold of 1.0
_ORDER = {theme: i for i, theme in enumerate(THEMES)}

_SPACE = " "
_DROP = "\x00"  # marks removed from the folded text, with the offset bookkeeping
_APOSTROPHES = "\u2018\u2019\u02bc\u00b4`"


class LexiconError(InputError, ValueError):
    """The theme lexicon file cannot be used; the message names the file, theme and term."""


class _FoldTable(dict):
    """A ``str.translate`` table mapping each character to exactly one character, built lazily."""

    def __init__(self, *, lower: bool) -> None:
        super().__init__()
        self.lower = lower

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isspace() or unicodedata.category(char) == "Pd":
            out = _SPACE  # "free-trade" and "free trade", line breaks inside phrases
        elif char in _APOSTROPHES:
            out = "'"
        elif unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            out = _DROP  # accents of decomposed text; soft hyphens and zero-width marks
        else:
            base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            out = base if len(base) == 1 else char
            if self.lower:
                low = out.lower()
                out = low if len(low) == 1 else out
        self[code] = out
        return out


_FOLD_LOWER = _FoldTable(lower=True)
_FOLD_CASE = _FoldTable(lower=False)
# Characters the lower-casing fold may change beyond ``str.lower``: ASCII controls (white space
# among them), the dash, the backquote, and anything outside ASCII. A negated class of printable
# ASCII scans 40% faster than the same set listed as ranges.
_FOLD_CANDIDATES = re.compile("[^ -,.-_a-~]")
_MAX_REPLACED = 40  # English news shows about 10 such characters a text, Spanish about 17
# A literal-prefix pattern runs 15x faster than the alternation, and marks are rare.
_SPACES = re.compile("  +")
_SPACES_AND_MARKS = re.compile("  +|\x00+")


@lru_cache(maxsize=1)
def _latin1_fold() -> bytes:
    """``_FOLD_LOWER`` on the 256 Latin-1 code points, as a ``bytes.translate`` table: each maps to
    one Latin-1 character (tests/test_enrich_fast_paths.py checks it)."""
    return "".join(_FOLD_LOWER[code] for code in range(256)).encode("latin-1")


def _fold_lower(text: str) -> str:
    """``text.translate(_FOLD_LOWER)``, computed without a Python lookup per character.

    ``str.translate`` with a dict looks every character up in Python objects unless the text is
    ASCII: 0.15 s for 1,500 Spanish news documents of 2,600 characters. Latin-1 text (all of that
    Spanish, half the English) goes through a bytes table instead: 7 ms. Other text (curly quotes,
    long dashes) takes ``str.lower`` and a ``str.replace`` for each distinct character that leaves
    unfolded, a third of the time of the table: for every code point ``c`` whose ``c.lower()`` is
    one character, the table maps ``c.lower()`` as it maps ``c`` (tests/test_enrich_fast_paths.py
    checks every code point). Exceptions take the table: "İ" lower-cases to two characters, a
    capital sigma lower-cases by context, and two Greek accents fold to a backquote and an acute
    that fold on, so replacing them one after the other would fold them twice.
    """
    try:
        return text.encode("latin-1").translate(_latin1_fold()).decode("latin-1")
    except UnicodeEncodeError:
        pass
    if "\u03a3" in text:
        return text.translate(_FOLD_LOWER)
    low = text.lower()
    candidates = set(_FOLD_CANDIDATES.findall(low))
    # Each replacement scans the whole text: past a few dozen distinct characters, use the table.
    if len(low) != len(text) or len(candidates) > _MAX_REPLACED:
        return text.translate(_FOLD_LOWER)
    for char in candidates:
        folded = _FOLD_LOWER[ord(char)]
        if folded != char:
            if _FOLD_LOWER[ord(folded)] != folded:
                return text.translate(_FOLD_LOWER)
            low = low.replace(char, folded)
    return low


def _fold(text: str, table: _FoldTable) -> tuple[str, Callable[[int], int] | None]:
    """The folded text and a map from its positions to positions in ``text`` (None: identity)."""
    folded = _fold_lower(text) if table is _FOLD_LOWER else text.translate(table)
    has_marks = _DROP in folded
    if "  " not in folded and not has_marks:
        return folded, None
    pieces: list[str] = []
    cuts: list[int] = []  # first folded position after each removal
    shifts: list[int] = []  # characters removed before that position, cumulative
    last = removed = 0
    for m in (_SPACES_AND_MARKS if has_marks else _SPACES).finditer(folded):
        keep = m.start() + 1 if m.group()[0] == _SPACE else m.start()
        pieces.append(folded[last:keep])
        removed += m.end() - keep
        last = m.end()
        cuts.append(m.end() - removed)
        shifts.append(removed)
    pieces.append(folded[last:])

    def to_original(pos: int) -> int:
        k = bisect_right(cuts, pos)
        return pos + (shifts[k - 1] if k else 0)

    return "".join(pieces), to_original


def _fold_term(term: str, table: _FoldTable) -> str:
    folded, _ = _fold(term, table)
    return " ".join(folded.split())


@dataclass(frozen=True)
class Term:
    """One lexicon entry, as written and as matched."""

    theme: str
    lang: str  # "en", "es", or "exclude"
    term: str  # as written in the lexicon, e.g. "refugee*" or "narcotráfico"
    weight: float
    key: str  # folded and lower-cased, without the trailing "*"
    prefix: bool
    case_sensitive: bool


class ThemeHit(NamedTuple):
    """One surviving match of a lexicon term (a named tuple: cheap to make by the thousand)."""

    theme: str
    term: str  # the lexicon term (as written in the lexicon) that matched
    matched: str  # the text as it appears
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class ThemeResult:
    """The themes of one text and the evidence for them."""

    themes: tuple[str, ...]  # assigned theme ids, in THEMES order
    scores: dict[str, float]  # summed weight of distinct matched terms, per theme with any hit
    hits: tuple[ThemeHit, ...]  # every surviving hit, including those of themes below threshold


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon with its automaton built."""

    path: str
    fingerprint: str
    min_score: float
    labels: Mapping[str, str]
    terms: tuple[Term, ...]
    excludes: tuple[Term, ...]
    automaton: Any = field(repr=False, compare=False)

    def terms_of(self, theme: str, lang: str | None = None) -> tuple[Term, ...]:
        """The terms of a theme, optionally of one language."""
        return tuple(t for t in self.terms if t.theme == theme and lang in (None, t.lang))


# -- loading -----------------------------------------------------------------------------------


def lexicon_fingerprint(path: str | Path | None = None) -> str:
    """A short sha256 of the lexicon file bytes, for the enrichment version."""
    return hashlib.sha256(Path(path or DEFAULT_PATH).read_bytes()).hexdigest()[:12]


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Parse and validate a theme lexicon and build its automaton.

    Raises :class:`LexiconError` (a ``ValueError``) naming the file, theme and term at fault.
    """
    path = Path(path or DEFAULT_PATH)
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise LexiconError(f"{where}: cannot read the theme lexicon ({err.strerror})") from err
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise LexiconError(f"{where}: not valid TOML, fix the file: {err}") from err

    min_score = _check_weight(data.pop("min_score", 1.0), f"{where}: min_score")
    terms: list[Term] = []
    excludes: list[Term] = []
    labels: dict[str, str] = {}
    for theme, section in data.items():
        if not isinstance(section, dict):
            raise LexiconError(f"{where}: unknown setting {theme!r}; the only setting is min_score")
        if theme not in THEMES:
            raise LexiconError(f"{where}: unknown theme {theme!r}; theme ids are: {', '.join(THEMES)}")
        labels[theme], theme_terms, theme_excludes = _parse_theme(where, theme, section)
        terms += theme_terms
        excludes += theme_excludes
    missing = [t for t in THEMES if t not in labels]
    if missing:
        raise LexiconError(f"{where}: theme {missing[0]!r} is missing; add a [{missing[0]}] section")
    return Lexicon(
        path=where,
        fingerprint=hashlib.sha256(raw).hexdigest()[:12],
        min_score=min_score,
        labels=labels,
        terms=tuple(terms),
        excludes=tuple(excludes),
        automaton=_build_automaton(terms + excludes),
    )


def _parse_theme(where: str, theme: str, section: dict) -> tuple[str, list[Term], list[Term]]:
    unknown = sorted(set(section) - {"label", "exclude", *LANGUAGES})
    if unknown:
        raise LexiconError(
            f"{where}: theme {theme!r}: unknown key {unknown[0]!r}; expected label, exclude, {', '.join(LANGUAGES)}"
        )
    label = section.get("label")
    if not isinstance(label, str) or not label.strip():
        raise LexiconError(f'{where}: theme {theme!r}: needs a label, e.g. label = "Security"')
    terms: list[Term] = []
    for lang in LANGUAGES:
        table = section.get(lang, {})
        if not isinstance(table, dict):
            raise LexiconError(f'{where}: theme {theme!r}: [{theme}.{lang}] must list terms as "term" = weight')
        for text, weight in table.items():
            ctx = f"{where}: theme {theme!r}, term {text!r}"
            terms.append(_make_term(ctx, theme, lang, text, _check_weight(weight, ctx)))
    if not terms:
        raise LexiconError(f"{where}: theme {theme!r} has no terms; add [{theme}.en] or [{theme}.es]")
    phrases = section.get("exclude", [])
    if not isinstance(phrases, list):
        raise LexiconError(f"{where}: theme {theme!r}: exclude must be a list of phrases")
    excludes = []
    for text in phrases:
        ctx = f"{where}: theme {theme!r}, exclude {text!r}"
        if not isinstance(text, str):
            raise LexiconError(f"{ctx}: exclude phrases must be quoted text")
        excludes.append(_make_term(ctx, theme, "exclude", text, 0.0))
    return label.strip(), terms, excludes


def _check_weight(weight: object, ctx: str) -> float:
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= MAX_WEIGHT:
        raise LexiconError(f"{ctx}: weight must be a number above 0 and at most {MAX_WEIGHT:g}, got {weight!r}")
    return float(weight)


def _make_term(ctx: str, theme: str, lang: str, text: str, weight: float) -> Term:
    written = text.strip()
    prefix = written.endswith("*")
    body = written[:-1] if prefix else written
    if "*" in body:
        raise LexiconError(f"{ctx}: '*' may only end a term (\"deportat*\")")
    key = _fold_term(body, _FOLD_LOWER)
    if len(key) < 2:
        raise LexiconError(f"{ctx}: a term needs at least two letters")
    if prefix and (len(key) < MIN_STEM or not key[-1].isalnum()):
        raise LexiconError(f"{ctx}: a stem before '*' needs at least {MIN_STEM} letters")
    return Term(
        theme=theme,
        lang=lang,
        term=written,
        weight=weight,
        key=key,
        prefix=prefix,
        case_sensitive=body != body.lower(),
    )


# Each automaton value is (key length, a tuple of these, whether any of them is a prefix), one
# entry per lexicon term sharing the folded key: (theme, term, weight, prefix, case_key or None,
# is_exclude).
_Entry = tuple[str, str, float, bool, str | None, bool]


def _build_automaton(entries: list[Term]) -> Any:
    by_key: dict[str, list[_Entry]] = {}
    for t in entries:
        case_key = _fold_term(t.term.rstrip("*"), _FOLD_CASE) if t.case_sensitive else None
        by_key.setdefault(t.key, []).append((t.theme, t.term, t.weight, t.prefix, case_key, t.lang == "exclude"))
    automaton = ahocorasick.Automaton()
    for key, values in by_key.items():
        automaton.add_word(key, (len(key), tuple(values), any(v[3] for v in values)))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """``data/themes.toml``, loaded once per process."""
    return load_lexicon(DEFAULT_PATH)


# -- tagging -----------------------------------------------------------------------------------


def tag_themes(text: str, *, lexicon: Lexicon | None = None) -> ThemeResult:
    """The themes of ``text``, with their scores and the hits behind them."""
    lex = lexicon or default_lexicon()
    folded, to_original = _fold(text, _FOLD_LOWER)
    found: dict[str, list[tuple[int, int, str, float]]] = {}
    cancelled: dict[str, list[tuple[int, int]]] = {}
    size = len(folded)
    # The word-boundary checks are inlined (not a generator): this loop is the tagger's hot path.
    for last, (length, entries, any_prefix) in lex.automaton.iter(folded):
        start, end = last + 1 - length, last + 1
        if start > 0 and folded[start - 1].isalnum():
            continue
        open_right = end < size and folded[end].isalnum()
        if open_right and not any_prefix:
            continue  # inside a longer word ("un" in "una"): a quarter of all hits
        for theme, term, weight, prefix, case_key, is_exclude in entries:
            stop = end
            if prefix:  # the hit runs to the end of the word
                while stop < size and folded[stop].isalnum():
                    stop += 1
            elif open_right:
                continue
            if case_key is not None:
                # A first letter of the wrong case settles it cheaply ("un" against "UN"). The
                # letter folds to the key's first letter, so an ASCII one is that letter itself.
                first = text[start] if to_original is None else text[to_original(start)]
                if first.isascii() and first.isalnum() and first != case_key[0]:
                    continue
                if not _same_case(text, to_original, start, stop, case_key, prefix):
                    continue
            if is_exclude:
                cancelled.setdefault(theme, []).append((start, stop))
            else:
                found.setdefault(theme, []).append((start, stop, term, weight))

    hits: list[ThemeHit] = []
    scores: dict[str, float] = {}
    for theme in sorted(found, key=_ORDER.__getitem__):
        kept = _resolve(found[theme], cancelled.get(theme, ()))
        if not kept:
            continue
        best: dict[str, float] = {}
        for start, end, term, weight in kept:
            if weight > best.get(term, 0.0):
                best[term] = weight
            if to_original is not None:
                start, end = _span(text, to_original, start, end)
            hits.append(ThemeHit(theme, term, text[start:end], start, end, weight))
        scores[theme] = round(sum(best.values()), 6)
    hits.sort(key=lambda h: (h.start, h.end, _ORDER[h.theme]))
    themes = tuple(t for t in scores if scores[t] >= lex.min_score - _EPSILON)
    return ThemeResult(themes=themes, scores=scores, hits=tuple(hits))


def _same_case(
    text: str,
    to_original: Callable[[int], int] | None,
    start: int,
    end: int,
    case_key: str,
    prefix: bool,
) -> bool:
    o_start, o_end = _span(text, to_original, start, end)
    written = text[o_start:o_end]
    # One plain ASCII word folds to itself: skip the fold ("un" in Spanish text against "UN").
    if not (written.isascii() and written.isalnum()):
        written = _fold_term(written, _FOLD_CASE)
    return written.startswith(case_key) if prefix else written == case_key


def _span(text: str, to_original: Callable[[int], int] | None, start: int, end: int) -> tuple[int, int]:
    if to_original is None:
        return start, end
    o_end = to_original(end - 1) + 1
    while o_end < len(text) and unicodedata.combining(text[o_end]):
        o_end += 1  # keep a decomposed accent on the last letter inside the hit
    return to_original(start), o_end


def _hit_order(hit: tuple[int, int, str, float]) -> tuple[int, int, float]:
    return hit[0], -hit[1], -hit[3]


def _resolve(
    hits: list[tuple[int, int, str, float]], cancelled: Sequence[tuple[int, int]]
) -> list[tuple[int, int, str, float]]:
    """Drop hits an exclude phrase covers, then overlapping hits: leftmost, then longest, wins.

    So a word counts once per theme: "free trade deal" is "free trade", not also "trade deal".
    """
    live = [h for h in hits if not any(s <= h[0] and h[1] <= e for s, e in cancelled)] if cancelled else hits
    live.sort(key=_hit_order)
    kept: list[tuple[int, int, str, float]] = []
    reach = 0
    for hit in live:
        if hit[0] >= reach:
            kept.append(hit)
            reach = hit[1]
    return kept
