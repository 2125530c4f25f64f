"""Tone: VADER compound scores per sentence, aggregated per article.

Whole long texts saturate VADER's compound score (about -0.998 for 1,000 words) and score 7.5x
slower, so articles are split into sentences, each sentence is scored, and the article's tone is
the mean of its sentence scores. VADER is English only: Spanish is scored by our own scorer built
on VADER's machinery (analytics.tone_es); other languages get ``None`` (unscored), never a score
from the English lexicon.

VADER's time grows with the square of a sentence's length (it lower-cases the whole sentence again
for each word it looks up), and so does our Spanish scorer's concession rule; so a sentence longer
than :data:`SENTENCE_MAX_WORDS` words (a list or a page without full stops, never a real news
sentence) is split into parts of at most that many words, each scored as a sentence.
"""

from __future__ import annotations

import math
import re
import string
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

from analytics.errors import InputError
from analytics.schema import NEGATIVE_AT, POSITIVE_AT

EN_NEWS_OVERLAY = Path(__file__).resolve().parent.parent / "data" / "lexicons" / "en_news.txt"

SCORED_LANGUAGES = frozenset({"en", "es"})

# Abbreviations whose final full stop does not end a sentence in news text.
_ABBREVIATIONS = frozenset(
    [
        "u.s",
        "u.s.a",
        "u.k",
        "u.n",
        "ee.uu",
        "ee.",
        "uu",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sr",
        "sra",
        "srta",
        "gen",
        "col",
        "lt",
        "sgt",
        "gov",
        "sen",
        "rep",
        "jr",
        "st",
        "inc",
        "corp",
        "co",
        "ltd",
        "no",
        "nº",
        "vs",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "ene",
        "abr",
        "ago",
        "dic",
        "dept",
        "prof",
        "pres",
        "av",
    ]
)
# A candidate boundary: end punctuation, optional closing quotes/brackets, then white space. It
# starts only where a run of end punctuation starts and never gives back what it took, or a long
# run of full stops with no space after it would be retried from every one of its positions.
# Both alternatives open with one character class, so the regex engine skips ahead to those
# characters (an alternation of two has no such prefix and took twice as long on news text).
_BOUNDARY = re.compile(r"[.!?…\n](?:(?<=[.!?…])(?<![.!?…][.!?…])[.!?…]*+[\"'”’)\]]*+\s+|(?<=\n)\s*\n)")
# The longest sentence in the evaluation sets and the demo corpus has 45 words.
SENTENCE_MAX_WORDS = 100
_PART = re.compile(rf"\S+(?:\s+\S+){{0,{SENTENCE_MAX_WORDS - 1}}}")  # up to that many words
# How far back from a candidate boundary the word before it is looked for: a word this long is
# neither an abbreviation nor an initial.
_LOOK_BACK = 64


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of news text, white space trimmed; "U.S." and "EE.UU." do
    not end a sentence, nor does a full stop followed by a lower-case letter. A sentence of more
    than :data:`SENTENCE_MAX_WORDS` words is split into parts of that many words. Linear time."""
    spans: list[tuple[int, int]] = []
    start = 0
    size = len(text)
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end < size and text[end].islower():
            continue
        stop = match.start()
        # Six letters before the full stop make a word longer than any abbreviation: that settles
        # most sentence ends without the look-back. With the single-class pattern above, splitting
        # 1,500 Spanish news documents went from 0.13 s to 0.09 s.
        if (
            text[stop] == "."
            and not (stop - start >= 6 and text[stop - 6 : stop].isalpha())
            and _before_is_abbreviation(text, start, stop)
        ):
            continue
        # _add_span inlined for the usual sentence, which starts at ``start`` and is short.
        piece = text[start:end]
        stripped = piece.rstrip()
        if stripped and not piece[0].isspace() and len(stripped) < 2 * SENTENCE_MAX_WORDS:
            spans.append((start, start + len(stripped)))
        else:
            _add_span(text, start, end, spans)
        start = end
    _add_span(text, start, len(text), spans)
    return spans


def _before_is_abbreviation(text: str, start: int, stop: int) -> bool:
    """The word ending with the full stop at ``stop`` is an abbreviation or an initial."""
    # Only that word matters: look back a bounded stretch, never to the sentence start, or a run
    # of skipped boundaries ("a. a. a. ...") costs quadratic time.
    reach = stop + 1 - _LOOK_BACK
    before = text[max(start, reach) : stop + 1]
    last_word = before.rsplit(None, 1)[-1] if before.strip() else ""
    if reach > start and len(last_word) == len(before):
        return False  # a word of _LOOK_BACK characters or more
    token = last_word.rstrip(".").lower().lstrip("(\"'“‘¿¡")
    return token in _ABBREVIATIONS or len(token) == 1


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    first = start + (len(piece) - len(piece.lstrip()))
    last = first + len(stripped)
    # A sentence of fewer characters than twice the cap cannot hold more words than the cap.
    if last - first < 2 * SENTENCE_MAX_WORDS or len(stripped.split(None, SENTENCE_MAX_WORDS)) <= SENTENCE_MAX_WORDS:
        spans.append((first, last))
        return
    spans.extend(part.span() for part in _PART.finditer(text, first, last))


def split_sentences(text: str) -> list[str]:
    """The sentences of news text (see :func:`sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def read_overlay(path: Path) -> dict[str, float]:
    """The entries of a lexicon overlay in VADER's file format: ``word<TAB>mean<TAB>sd<TAB>[ratings]``.

    ``#`` lines and blank lines are skipped. The file is strict because a silently skipped line
    would silently change tone: a malformed line, a mean outside [-4, 4], an upper-case word or a
    word listed twice raises :class:`InputError` naming the file and line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"tone overlay {path} cannot be read ({exc.strerror})") from None
    entries: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{path} line {number}"
        fields = line.split("\t")
        if len(fields) != 4:
            raise InputError(f"{where}: expected word<TAB>mean<TAB>sd<TAB>[ratings], got {len(fields)} field(s)")
        word, mean, sd, ratings = fields
        if not word or word != word.strip() or word != word.lower() or " " in word:
            raise InputError(f"{where}: the word {word!r} must be one lower-case token")
        try:
            value, spread = float(mean), float(sd)
        except ValueError:
            raise InputError(f"{where}: mean {mean!r} and sd {sd!r} must be numbers") from None
        if not (math.isfinite(value) and -4.0 <= value <= 4.0) or not (math.isfinite(spread) and spread >= 0.0):
            raise InputError(f"{where}: mean must be in [-4, 4] and sd >= 0 (got {mean}, {sd})")
        if not (ratings.startswith("[") and ratings.endswith("]")):
            raise InputError(f"{where}: ratings {ratings!r} must be a bracketed list")
        if word in entries:
            raise InputError(f"{where}: {word!r} is listed twice")
        entries[word] = value
    return entries


class NewsAnalyzer(SentimentIntensityAnalyzer):
    """VADER, scoring exactly as vaderSentiment does, without its emoji pass on text that has none.

    ``polarity_scores`` first spells out emoji one character at a time in Python, about a quarter
    of its time on news sentences, which hold none: such text goes straight to VADER's own steps
    (its tokens, ``sentiment_valence`` per word with its modifier checks, the "but" rule and
    ``score_valence``). Text with emoji takes VADER's whole path. A test checks the scores are
    VADER's on the evaluation set and the benchmark corpus.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._emoji_chars = frozenset(e for e in self.emojis if len(e) == 1)

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not self._emoji_chars.isdisjoint(text):
            return super().polarity_scores(text)
        text = text.strip()
        return self.score_valence(self._valences(text), text)

    def compound(self, text: str) -> float:
        """``polarity_scores(text)["compound"]``."""
        return self.polarity_scores(text)["compound"]

    def _valences(self, text: str) -> list[float]:
        sentitext = SentiText(text)
        words = sentitext.words_and_emoticons
        valences: list[float] = []
        for i, word in enumerate(words):
            lowered = word.lower()
            # Modifiers carry no valence of their own ("kind of" as one).
            if lowered in BOOSTER_DICT or (lowered == "kind" and i + 1 < len(words) and words[i + 1].lower() == "of"):
                valences.append(0)
            else:
                valences = self.sentiment_valence(0, sentitext, word, i, valences)
        return self._but_check(words, valences)


def news_analyzer(overlay: Path = EN_NEWS_OVERLAY) -> SentimentIntensityAnalyzer:
    """A new VADER analyzer (:class:`NewsAnalyzer`) whose own lexicon dict is updated from a news
    overlay file.

    Only the instance's dict changes: vaderSentiment's module globals and other analyzers keep
    VADER's values. The overlay only replaces and adds dict entries.
    """
    analyzer = NewsAnalyzer()
    analyzer.lexicon.update(read_overlay(overlay))
    return analyzer


@lru_cache(maxsize=1)
def english_analyzer() -> SentimentIntensityAnalyzer:
    """The process-wide English analyzer: VADER with the news overlay ``data/lexicons/en_news.txt``."""
    return news_analyzer()


class Tone(NamedTuple):
    """An article's tone: the mean sentence compound, or None where the language is unscored."""

    compound: float | None
    sentences: tuple[float, ...]


def analyzer_for(language: str) -> SentimentIntensityAnalyzer | None:
    """VADER for English, our Spanish scorer (analytics.tone_es) for Spanish, else None."""
    if language == "en":
        return english_analyzer()
    if language == "es":
        from analytics.tone_es import spanish_analyzer

        return spanish_analyzer()
    return None


def score_sentences(sentences: list[str], language: str) -> Tone:
    """Score each sentence with the scorer of ``language`` and take the mean."""
    analyzer = analyzer_for(language)
    if analyzer is None or not sentences:
        return Tone(None, ())
    compound = getattr(analyzer, "compound", None)  # our Spanish scorer's cheaper path to the same number
    if compound is not None:
        scores = tuple(compound(s) for s in sentences)
    else:
        scores = tuple(analyzer.polarity_scores(s)["compound"] for s in sentences)
    return Tone(round(sum(scores) / len(scores), 4), scores)


def tone_words(sentence: str, language: str) -> list[tuple[str, float]]:
    """The words of a sentence found in the tone lexicon of ``language``, with their valence.

    This explains a score: the compound also reflects negation, intensifiers and "but", which
    scale these valences. Empty for unscored languages.
    """
    analyzer = analyzer_for(language)
    if analyzer is None:
        return []
    if language == "es":
        return analyzer.lexicon_words(sentence)
    words = []
    for token in sentence.split():
        stripped = token.strip(string.punctuation)
        word = (stripped if len(stripped) > 2 else token).lower()
        if word in analyzer.lexicon:
            words.append((word, analyzer.lexicon[word]))
    return words


def tone_label(compound: float | None) -> str:
    """``positive`` (>= 0.05), ``negative`` (<= -0.05), ``neutral``, or ``unscored``."""
    if compound is None:
        return "unscored"
    if compound >= POSITIVE_AT:
        return "positive"
    if compound <= NEGATIVE_AT:
        return "negative"
    return "neutral"
