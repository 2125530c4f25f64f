"""Find the countries a news item mentions, and the country pairs (dyads) it is about.

Mentions come from a hand-curated English/Spanish gazetteer (``data/gazetteer/countries.tsv``:
names, short forms, demonyms, capitals and seats of government, each with an ISO alpha-3 code) and
a list of traps (``data/gazetteer/traps.tsv``: "New Mexico", "Lima beans", "Michael Jordan"...).
Matching runs a pyahocorasick automaton over the lower-cased text, keeps hits that stand as whole
words (a letter or digit on either side of a word-character edge means no match; accented letters
are letters), keeps ``exact`` terms only where the original text has exactly the listed casing
("US" but not "us", "Chile" but not "chile"), and then lets the longest span win: a trap or a
longer country term that overlaps a shorter hit suppresses it ("Papua New Guinea" is PNG, never
GIN; "New Mexico" yields nothing). Country names that are also given names
(``data/gazetteer/given_names.tsv``) are dropped in body text when a capitalised word follows
them ("la jueza Argentina Quispe"), unless that word is listed as still naming the country
("Israel Defense Forces"). Offsets always point into the text as given.

Dyad rule (``assign_dyads``). Each mention weighs 1 in the body and ``title_weight`` (3) in the
title; a country's weight is the sum over its mentions. A country is *principal* when its weight is
at least ``min_share`` (20%) of the strongest country's weight and at least ``min_weight`` (2: one
title mention, or two body mentions), except that the ``min_weight`` floor is waived for short
items, where even the strongest country weighs no more than ``min_weight``. The article's dyads are
all pairs among its principal countries (at most the ``max_countries`` strongest, ties broken by
code), written with the codes sorted, "PER-USA". Co-occurrence in a sentence adds nothing: so a
Chile-China trade story that names Peru once in passing is CHL-CHN only, while the one-sentence
"EE.UU. y el Perú firmaron un acuerdo" is PER-USA.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from analytics.errors import BilatError
from analytics.schema import dyad_of

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COUNTRIES_FILE = Path("gazetteer") / "countries.tsv"
TRAPS_FILE = Path("gazetteer") / "traps.tsv"
GIVEN_NAMES_FILE = Path("gazetteer") / "given_names.tsv"

KINDS = ("name", "short", "demonym", "capital")
LANGS = ("en", "es", "*")
CASES = ("exact", "fold")


class GazetteerError(BilatError):
    """A gazetteer file is malformed; the message names the file and line to fix."""


class Mention(NamedTuple):
    """One country mention: ``text[start:end] == matched`` in the text it was found in.

    A named tuple rather than a dataclass: articles yield many and this is the hot path.
    """

    code: str
    start: int
    end: int
    matched: str
    kind: str
    in_title: bool


@dataclass(frozen=True)
class _Entry:
    """One gazetteer row or trap; a trap has ``code`` None and suppresses what it covers."""

    code: str | None
    kind: str
    term: str
    lang: str
    exact: bool
    word_start: bool  # the term begins with a letter/digit, so a boundary is needed before it
    word_end: bool


def _entry(code: str | None, kind: str, term: str, lang: str, case: str) -> _Entry:
    return _Entry(code, kind, term, lang, case == "exact", term[0].isalnum(), term[-1].isalnum())


def _rows(path: Path, width: int, header: tuple[str, ...]) -> Iterable[tuple[int, list[str]]]:
    """(line number, fields) of a TSV file, skipping blank and ``#`` lines; checks the header."""
    if not path.is_file():
        raise GazetteerError(f"{path} not found: pass data_dir= the folder that holds gazetteer/")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != header:
        raise GazetteerError(f"{path}: the first line must be the header {'<TAB>'.join(header)}")
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != width or any(f != f.strip() or not f for f in fields[: width - 1]):
            raise GazetteerError(f"{path}:{number}: expected {width} tab-separated fields: {line!r}")
        yield number, fields


def _load_entries(data_dir: Path) -> list[_Entry]:
    """Country rows then traps, validated."""
    entries = []
    path = data_dir / COUNTRIES_FILE
    for number, (code, lang, kind, term, case) in _rows(path, 5, ("code", "lang", "kind", "term", "case")):
        if len(code) != 3 or not code.isascii() or not code.isupper():
            raise GazetteerError(f"{path}:{number}: {code!r} is not an ISO alpha-3 code")
        if lang not in LANGS or kind not in KINDS or case not in CASES:
            raise GazetteerError(
                f"{path}:{number}: lang must be one of {LANGS}, kind one of {KINDS}, case one of {CASES}"
            )
        entries.append(_entry(code, kind, term, lang, case))
    path = data_dir / TRAPS_FILE
    if path.exists():
        for number, (phrase, case, _note) in _rows(path, 3, ("phrase", "case", "note")):
            if case not in CASES:
                raise GazetteerError(f"{path}:{number}: case must be one of {CASES}")
            entries.append(_entry(None, "trap", phrase, "*", case))
    return entries


def _check_unambiguous(key: str, entries: list[_Entry], data_dir: Path) -> None:
    """Two countries may not claim the same spelling (a trap may share one with a country)."""
    codes: dict[tuple[bool, str], str] = {}
    for e in entries:
        if e.code is None:
            continue
        spelling = (e.exact, e.term if e.exact else key)
        if codes.setdefault(spelling, e.code) != e.code:
            raise GazetteerError(
                f"{data_dir / COUNTRIES_FILE}: {e.term!r} is listed for both {codes[spelling]} and {e.code}; keep one"
            )


@lru_cache(maxsize=4)
def _automaton(data_dir: Path) -> ahocorasick.Automaton:
    """The automaton over lower-cased terms; each value is (length, entries sharing the key)."""
    by_key: dict[str, list[_Entry]] = defaultdict(list)
    for e in _load_entries(data_dir):
        by_key[e.term.lower()].append(e)
    automaton = ahocorasick.Automaton()
    for key, entries in by_key.items():
        _check_unambiguous(key, entries, data_dir)
        # Traps first: when a trap and a country term match the same span, the trap wins.
        entries.sort(key=lambda e: e.code is not None)
        automaton.add_word(key, (len(key), tuple(entries)))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=4)
def _given_names(data_dir: Path) -> dict[str, frozenset[str]]:
    """Country terms that are also given names -> the next words after which they stay the country."""
    path = data_dir / GIVEN_NAMES_FILE
    names: dict[str, frozenset[str]] = {}
    if path.exists():
        for number, (term, before, _note) in _rows(path, 3, ("term", "country_before", "note")):
            if not term or not term[0].isupper() or " " in term:
                raise GazetteerError(f"{path}:{number}: {term!r} must be one capitalised word")
            names[term] = frozenset() if before == "-" else frozenset(before.split("|"))
    return names


def _is_given_name(text: str, end: int, names: dict[str, frozenset[str]], term: str) -> bool:
    """``term`` (ending at ``end``) starts a person's name: one space, then a capitalised word."""
    if term not in names or text[end : end + 1] != " " or not text[end + 1 : end + 2].isupper():
        return False
    following = text[end + 1 : end + 41].split(None, 1)[0].strip(".,;:!?\"'”’)")
    return following not in names[term]


def _lower(text: str) -> str:
    """``text.lower()`` with the same length, so offsets carry over ("İ" alone would grow)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _scan(
    text: str,
    in_title: bool,
    automaton: ahocorasick.Automaton,
    lang: str | None,
    names: dict[str, frozenset[str]] | None = None,
) -> list[Mention]:
    """Mentions in one text, sorted by start."""
    if not text:
        return []
    size = len(text)
    hits: list[tuple[int, int, _Entry]] = []
    for last, (length, entries) in automaton.iter(_lower(text)):
        start, end = last - length + 1, last + 1
        for e in entries:
            if e.word_start and start > 0 and text[start - 1].isalnum():
                continue
            if e.word_end and end < size and text[end].isalnum():
                continue
            if e.exact and text[start:end] != e.term:
                continue
            if lang is not None and e.lang != "*" and e.lang != lang:
                continue
            hits.append((start, end, e))
            break
    if not hits:
        return []
    # Longest first; on equal length the earlier span wins. Characters already taken are marked,
    # so each hit costs its own length (checking every hit against every span taken made
    # "Peru. " repeated 8,000 times take seconds).
    hits.sort(key=_longest_first)
    taken = bytearray(size)
    mentions = []
    for start, end, e in hits:
        if taken.find(1, start, end) != -1:
            continue
        taken[start:end] = b"\x01" * (end - start)
        if e.code is not None and names and not in_title and _is_given_name(text, end, names, text[start:end]):
            continue
        if e.code is not None:
            mentions.append(Mention(e.code, start, end, text[start:end], e.kind, in_title))
    mentions.sort(key=_by_start)
    return mentions


def _longest_first(hit: tuple[int, int, _Entry]) -> tuple[int, int]:
    return hit[0] - hit[1], hit[0]


def _by_start(mention: Mention) -> int:
    return mention.start


def find_mentions(
    text: str, title: str = "", *, lang: str | None = None, data_dir: Path | str | None = None
) -> list[Mention]:
    """Country mentions in ``title`` (``in_title=True``, offsets within the title), then ``text``.

    ``lang`` ("en" or "es") restricts the terms to those of that language plus the shared ones;
    ``None`` or any other value uses every term. ``data_dir`` overrides the repo's ``data/``.
    """
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    automaton = _automaton(folder)
    if lang not in ("en", "es"):
        lang = None
    return _scan(title, True, automaton, lang) + _scan(text, False, automaton, lang, _given_names(folder))


def country_weights(mentions: Iterable[Mention], *, title_weight: float = 3.0) -> dict[str, float]:
    """Weight per country, keyed by code in code order.

    Each body mention counts 1 and each title mention ``title_weight``.
    """
    weights: dict[str, float] = defaultdict(float)
    for m in mentions:
        weights[m.code] += title_weight if m.in_title else 1.0
    return dict(sorted(weights.items()))


def assign_dyads(
    mentions: Iterable[Mention],
    *,
    title_weight: float = 3.0,
    min_share: float = 0.2,
    min_weight: float = 2.0,
    max_countries: int = 4,
) -> list[str]:
    """The item's dyads ("AAA-BBB", sorted) under the rule in the module docstring."""
    weights = country_weights(mentions, title_weight=title_weight)
    if len(weights) < 2:
        return []
    top = max(weights.values())
    floor = min_share * top
    if top > min_weight:
        floor = max(floor, min_weight)
    principal = sorted((c for c, w in weights.items() if w >= floor), key=lambda c: (-weights[c], c))
    return sorted(dyad_of(a, b) for a, b in combinations(principal[:max_countries], 2))


def countries_of(mentions: Iterable[Mention]) -> list[str]:
    """The distinct country codes mentioned, sorted."""
    return sorted({m.code for m in mentions})
