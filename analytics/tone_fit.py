"""Fit the news-tone lexicon to labelled training items (``bilat fit-tone``).

The scorers stay VADER's machinery: a sentence's tone is still the compound of its words' valences
with negation, boosters and contrast. What this module learns is which *valences* suit news as our
labellers read it. Each language's analyzer starts from its hand-made lexicon (VADER plus
``en_news.txt``, or ``es_sentiment.txt``); the fit then looks for single-word changes that make the
article labels (positive >= 0.05, negative <= -0.05, else neutral, on the mean sentence compound)
agree with more training items:

1. Candidate words are the tokens the analyzer looks up (its own tokenisation), found in at least
   ``min_items`` training items, that are not a rule word (negation, booster, contrast), a function
   word (listed, or in more than ``max_share`` of the items) or mostly a capitalised name
   mid-sentence.
2. For each candidate, most frequent first, every value of a fixed grid is tried (plus the current
   one); only the sentences holding the word are re-scored. The value that labels the most of
   those items correctly wins, the one nearest the hand-made value on a tie. It is kept only when
   it labels at least ``min_gain`` more items correctly than the current value.
3. Passes repeat until none changes a word (at most ``passes``).

``min_items`` and ``min_gain`` guard against fitting single sentences; :func:`cross_validate`
measures held-out accuracy on folds of the training items so they can be chosen without touching
the evaluation set. The result is an overlay file in VADER's format (``data/lexicons/*_fitted.txt``)
that the analyzers load after their hand-made lexicon; every entry says what it was and the items
it was fitted on, and can be edited like any lexicon line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SPECIAL_CASES, SentiText

from analytics.evaluate import Item
from analytics.schema import NEGATIVE_AT, POSITIVE_AT

# Valences tried for each word, on VADER's scale (its lexicon means run from about -3.9 to 3.4).
GRID = (-2.4, -1.6, -0.8, 0.0, 0.8, 1.6, 2.4)
_WORD = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")
_LABEL_VALUE = {"positive": 1, "neutral": 0, "negative": -1}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words are never fitted: given a valence they would only offset the content words of the
# sentences they happen to share (a small fit gave "its" -1.6 to cancel a positive verb).
FUNCTION_WORDS = {
    "en": _words(
        "a an the this that these those it its it's they them their there here he she his her him we our us "
        "you your i me my who whom whose which what when where why how and or nor so yet for with from into "
        "onto upon about above below over under after before during since until while than then as at by "
        "in on of off to up down out through across along around between among against per via is are was "
        "were be been being am has have had having do does did doing will would shall should can could may "
        "might must also only just even still very more most much many some any each every all both few "
        "other another such same own said says say told according other's one two three four five six seven "
        "eight nine ten first second third last next new now if because though although whether not"
    ),
    "es": _words(
        "el la los las lo un una unos unas este esta estos estas ese esa esos esas aquel aquella su sus mi "
        "mis tu tus nuestro nuestra nuestros nuestras suyo suya él ella ellos ellas le les se nos me te que "
        "quien quienes cual cuales cuyo cuya cuando donde como y e o u ni pero para por con sin sobre entre "
        "desde hasta hacia ante tras bajo durante según contra de del al a en es son fue fueron era eran ser "
        "sido siendo está están estaba estaban estar estado ha han había habían haber hay hubo será serán "
        "sería puede pueden podría debe deben también solo sólo aún ya todavía muy más menos mucho muchos "
        "mucha muchas poco otro otra otros otras todo toda todos todas cada mismo misma mismos dijo dijeron "
        "señaló indicó afirmó informó explicó agregó añadió uno dos tres cuatro cinco seis siete ocho nueve "
        "diez primer primero primera segundo segunda último última nuevo nueva nuevos nuevas ahora si porque "
        "aunque mientras cuando"
    ),
}


@dataclass(frozen=True)
class Change:
    """One fitted valence: ``before`` is None where the hand-made lexicon had no entry."""

    word: str
    before: float | None
    after: float
    items: int  # training items holding the word
    gold: tuple[int, int, int]  # of those, how many are labelled positive, neutral, negative
    gain: int  # items labelled correctly after the change minus before it


@dataclass(frozen=True)
class Settings:
    min_items: int = 5
    min_gain: int = 2
    max_share: float = 0.12
    passes: int = 3


def fresh_analyzer(language: str, *, fitted: bool = False):
    """A new analyzer for ``language`` with its hand-made lexicon (and the fitted overlay if asked).

    New instances, never the process-wide ones: the fit edits the lexicon dict in place.
    """
    from analytics import sentiment, tone_es

    if language == "en":
        return sentiment.news_analyzer(fitted=fitted)
    if language == "es":
        return tone_es.SpanishSentimentAnalyzer(fitted=sentiment.ES_FITTED if fitted else None)
    raise ValueError(f"no tone scorer for language {language!r}")


def _tokens(analyzer, language: str, sentence: str) -> list[tuple[str, bool]]:
    """(lexicon key, capitalised mid-sentence) for each token, as the analyzer looks it up."""
    if language == "es":
        from analytics.tone_es import _SpanishText

        st = _SpanishText(sentence)
        return [(t.lower(), t[:1].isupper() and not st.sentence_start[i]) for i, t in enumerate(st.tokens)]
    words = SentiText(sentence).words_and_emoticons
    return [(w.lower(), i > 0 and w[:1].isupper()) for i, w in enumerate(words)]


def _rule_words(language: str) -> frozenset[str]:
    if language == "es":
        from analytics import tone_es

        words = set(tone_es.NEGATE_ES) | set(tone_es.BOOSTER_DICT_ES) | set(tone_es.NEGATE_BEFORE_DE_ES)
        for group in (tone_es.CONTRAST_ES, tone_es.CONCESSIVE_ES, tone_es.NOT_NEGATIONS_ES):
            words.update(w for phrase in group for w in phrase)
        return frozenset(words)
    words = set(NEGATE) | set(BOOSTER_DICT) | {"but", "least", "kind", "of", "no", "never", "without"}
    words.update(w for phrase in SPECIAL_CASES for w in phrase.split())
    return frozenset(words)


class Corpus:
    """Training items of one language, split into sentences and indexed by the words they hold."""

    def __init__(self, items: list[Item], language: str, analyzer):
        from analytics.sentiment import split_sentences

        self.language = language
        self.analyzer = analyzer
        self.gold = [_LABEL_VALUE[i.tone] for i in items]
        self.sentences: list[list[str]] = [split_sentences(i.text) or [i.text] for i in items]
        self.scores: list[list[float]] = [[self._score(s) for s in sents] for sents in self.sentences]
        # word -> [(item, sentence), ...]; counts of capitalised mid-sentence uses for the name test.
        self.where: dict[str, list[tuple[int, int]]] = {}
        self._capitalised: dict[str, int] = {}
        self._uses: dict[str, int] = {}
        for k, sents in enumerate(self.sentences):
            for j, sentence in enumerate(sents):
                for key, capitalised in _tokens(analyzer, language, sentence):
                    places = self.where.setdefault(key, [])
                    if not places or places[-1] != (k, j):
                        places.append((k, j))
                    self._uses[key] = self._uses.get(key, 0) + 1
                    self._capitalised[key] = self._capitalised.get(key, 0) + capitalised

    def _score(self, sentence: str) -> float:
        return self.analyzer.polarity_scores(sentence)["compound"]

    def label(self, k: int) -> int:
        scores = self.scores[k]
        mean = round(sum(scores) / len(scores), 4)
        return 1 if mean >= POSITIVE_AT else -1 if mean <= NEGATIVE_AT else 0

    def correct(self) -> int:
        return sum(self.label(k) == g for k, g in enumerate(self.gold))

    def items_of(self, word: str) -> list[int]:
        return sorted({k for k, _ in self.where.get(word, ())})

    def candidates(self, settings: Settings) -> list[str]:
        rule_words = _rule_words(self.language)
        limit = settings.max_share * len(self.gold)
        chosen = []
        for word, places in self.where.items():
            n_items = len({k for k, _ in places})
            if n_items < settings.min_items or n_items > limit or not _WORD.match(word) or len(word) < 3:
                continue
            if word in rule_words or word in FUNCTION_WORDS[self.language]:
                continue
            if self._capitalised[word] > 0.5 * self._uses[word]:
                continue
            chosen.append((-n_items, word))
        return [w for _, w in sorted(chosen)]

    def trial(self, word: str, value: float) -> int:
        """Items holding ``word`` labelled correctly if its valence were ``value`` (state unchanged)."""
        lexicon = self.analyzer.lexicon
        had, old = word in lexicon, lexicon.get(word)
        lexicon[word] = value
        try:
            return self._correct_with(word)
        finally:
            if had:
                lexicon[word] = old
            else:
                del lexicon[word]

    def _correct_with(self, word: str) -> int:
        fresh: dict[tuple[int, int], float] = {(k, j): self._score(self.sentences[k][j]) for k, j in self.where[word]}
        correct = 0
        for k in self.items_of(word):
            scores = [fresh.get((k, j), s) for j, s in enumerate(self.scores[k])]
            mean = round(sum(scores) / len(scores), 4)
            label = 1 if mean >= POSITIVE_AT else -1 if mean <= NEGATIVE_AT else 0
            correct += label == self.gold[k]
        return correct

    def apply(self, word: str, value: float) -> None:
        self.analyzer.lexicon[word] = value
        for k, j in self.where[word]:
            self.scores[k][j] = self._score(self.sentences[k][j])


def fit(items: list[Item], language: str, settings: Settings = Settings()) -> list[Change]:
    """The valence changes that the training ``items`` of ``language`` support (see module doc)."""
    analyzer = fresh_analyzer(language)
    corpus = Corpus([i for i in items if i.language == language], language, analyzer)
    original = dict(analyzer.lexicon)
    fitted: dict[str, float] = {}
    for _ in range(settings.passes):
        changed = False
        for word in corpus.candidates(settings):
            current = analyzer.lexicon.get(word, 0.0)
            base = original.get(word, 0.0)
            now = corpus.trial(word, current)
            values = sorted(set(GRID) | {current, base}, key=lambda v: (abs(v - base), v))
            best, best_correct = current, now
            for value in values:
                got = corpus.trial(word, value)
                if got > best_correct or (got == best_correct and abs(value - base) < abs(best - base)):
                    best, best_correct = value, got
            if best != current and (best_correct - now >= settings.min_gain or best_correct >= now and best == base):
                corpus.apply(word, best)
                fitted[word] = best
                changed = True
        if not changed:
            break
    changes = []
    for word, value in sorted(fitted.items()):
        before = original.get(word)
        if value == (before if before is not None else 0.0):
            continue  # moved and came back
        ks = corpus.items_of(word)
        gold = tuple(sum(corpus.gold[k] == g for k in ks) for g in (1, 0, -1))
        analyzer.lexicon[word] = before if before is not None else 0.0
        was = corpus._correct_with(word)
        analyzer.lexicon[word] = value
        changes.append(Change(word, before, value, len(ks), gold, corpus._correct_with(word) - was))  # type: ignore[arg-type]
    return changes


def accuracy(items: list[Item], language: str, changes: Iterable[Change] = ()) -> float:
    """Tone accuracy on ``items`` of ``language`` with the hand-made lexicon plus ``changes``."""
    analyzer = fresh_analyzer(language)
    for change in changes:
        analyzer.lexicon[change.word] = change.after
    chosen = [i for i in items if i.language == language]
    corpus = Corpus(chosen, language, analyzer)
    return corpus.correct() / len(chosen) if chosen else 0.0


def cross_validate(items: list[Item], language: str, settings: Settings, folds: int = 5) -> tuple[float, float]:
    """Mean held-out accuracy over ``folds`` folds, before and after fitting on the other folds."""
    chosen = [i for i in items if i.language == language]
    before = after = 0.0
    for f in range(folds):
        held = [i for n, i in enumerate(chosen) if n % folds == f]
        train = [i for n, i in enumerate(chosen) if n % folds != f]
        before += accuracy(held, language)
        after += accuracy(held, language, fit(train, language, settings))
    return before / folds, after / folds


def format_overlay(changes: list[Change], language: str, settings: Settings, sources: list[str]) -> str:
    """The overlay file: a header on how it was made, then one commented entry per change."""
    lines = [
        f"# Fitted news-tone valences for {language!r} (bilat project), VADER file format:",
        "#   word<TAB>mean<TAB>sd<TAB>[ratings]",
        "# Written by `bilat fit-tone` (analytics/tone_fit.py); loaded after the hand-made lexicon, each",
        "# entry replaces that word's valence. Edit by hand or re-run the fit; do not fit on tests/eval.",
        f"# Training items: {', '.join(sources)}.",
        f"# Settings: min_items={settings.min_items} min_gain={settings.min_gain} "
        f"max_share={settings.max_share} passes={settings.passes}; grid {list(GRID)}.",
        f"# {len(changes)} entries. Above each: the hand-made value, and the training items holding the",
        "# word (positive/neutral/negative) with how many more of them the new value labels correctly.",
        "",
    ]
    for c in changes:
        was = "none" if c.before is None else f"{c.before:g}"
        lines.append(f"# was {was}; {c.items} items ({c.gold[0]}/{c.gold[1]}/{c.gold[2]}), +{c.gain} correct")
        lines.append(f"{c.word}\t{c.after:g}\t0.0\t[{c.after:g}]")
    return "\n".join(lines) + "\n"


def write_overlay(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
