"""Spanish tone: vaderSentiment's scoring machinery with a Spanish lexicon and Spanish rules.

VADER is English only and no maintained package ships an offline Spanish lexicon, so this module
subclasses ``SentimentIntensityAnalyzer``: the lexicon is ``data/lexicons/es_sentiment.txt`` (how it
was made is in its header) and every method that reads one of vaderSentiment's module-level English
constants (NEGATE, BOOSTER_DICT, SPECIAL_CASES, "but", "least", "kind of", "no") is replaced by one
that reads the Spanish constants below. vaderSentiment's globals are never touched: the English
scorer shares them. The compound score is VADER's: the same valence sum, punctuation emphasis and
normalisation, so it stays in [-1, 1] and reads on the same scale as English scores.

Spanish rules, and where they differ from VADER's English ones:

- Tokens: VADER splits on white space and strips ``string.punctuation``; here ``¿ ¡ « » “ ” ‘ ’ …``
  are stripped too, and short words lose their punctuation as well ("no," is "no"; VADER keeps
  tokens of two letters or fewer unstripped to protect emoticons, which Spanish news does not use).
- Lookup is lower-case, then accent-insensitive: a token written without accents and missing from
  the lexicon ("exito") is looked up among the folded lexicon entries, so feeds that drop accents
  still score. Accented tokens never fall back, or "irá" (will go) would read as "ira" (anger).
- Negation: no, nunca, jamás, ni, sin, tampoco, nadie, nada, ningún/ninguno/ninguna(s), and
  "falta/ausencia/carencia de", within the 3 tokens before a lexicon word (VADER's window and
  factor). Spanish has negative concord ("no hubo ningún avance" is one negation, not two), so a
  word is negated at most once however many negators its window holds; VADER multiplies per
  negator. Not negations: "sin embargo", "no obstante", "sin duda", "no cabe/hay duda",
  "no solo ... sino". "en absoluto" is left alone: after "no" it only repeats the negation.
- Boosters and dampeners as VADER's B_INCR/B_DECR (muy, sumamente, tan, gran, más, profundamente,
  gravemente...; poco, apenas, algo, casi, ligeramente, menos...), sign-adjusted for multi-word ones
  too ("un tanto", "sobre todo"; VADER adds "kind of" without adjusting the sign). "gravemente" is
  a booster only: the harm it stresses is in the word it modifies ("gravemente herido").
- "least": "el/la/lo menos exitoso" (superlative) negates like VADER's "least"; "al menos" and
  "por lo menos" ("at least") change nothing; plain "menos" dampens like "less".
- Contrast ("but"): pero, sin embargo, no obstante, sino (not "sino también") and literary "mas"
  (only after a comma and not before de/que, since feeds that drop accents write "más" as "mas"):
  words before the first contrast x0.5, after it x1.5, as VADER does for "but".
- Concession: aunque, si bien, pese a, a pesar de weaken the clause they introduce (up to the next
  comma, semicolon or colon) x0.5 and leave the rest alone: "Aunque hubo avances, la crisis
  continúa" is about the crisis. (VADER counts "despite" as a negation, which flips the clause.)
- Phrases and names: "de acuerdo con" (according to) is neutral unless an estar form precedes it
  ("está de acuerdo", agrees); "Buenos Aires", "libre comercio", "Perú Libre", "crimen organizado",
  "Marina de Guerra" (the Peruvian navy), "buena pro" and discourse markers ("si bien", "sin duda")
  carry no valence; "vale la pena" and "menos mal" are positive. Words that name places, parties
  and blocs when capitalised mid-sentence (La Paz, La Victoria, Alianza del Pacífico, Alianza para
  el Progreso) carry no valence there. "celebrar" meaning "to hold" ("la cumbre se celebrará",
  "celebrarán elecciones") is neutral, and "nunca tan exitoso" boosts (x1.25) like VADER's "never
  so good" instead of negating.
- All-caps emphasis, punctuation emphasis and emoji handling are VADER's. Emoji descriptions are
  English, so they carry no valence in Spanish text.
"""

from __future__ import annotations

import string
import unicodedata
from functools import lru_cache
from pathlib import Path

from vaderSentiment.vaderSentiment import (
    B_DECR,
    B_INCR,
    C_INCR,
    N_SCALAR,
    SentimentIntensityAnalyzer,
    normalize,
)

ES_LEXICON = str(Path(__file__).resolve().parent.parent / "data" / "lexicons" / "es_sentiment.txt")


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower-case ``word`` and drop its diacritics: ``"Éxito"`` -> ``"exito"``, ``"año"`` -> ``"ano"``."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _folded(words: str | list[str]) -> frozenset[str]:
    """Fold a word list, given as a list or as one white-space separated string."""
    return frozenset(fold(w) for w in (words.split() if isinstance(words, str) else words))


# All rule vocabularies are stored folded and matched against folded tokens, so accents never matter.
NEGATE_ES = _folded("no nunca jamás ni sin tampoco nadie nada ningún ninguno ninguna ningunos ningunas")
# "falta de transparencia" negates like VADER's "without"/"lack of".
NEGATE_BEFORE_DE_ES = _folded(["falta", "faltas", "ausencia", "carencia"])
# Phrases whose first word would otherwise negate.
NOT_NEGATIONS_ES = (
    ("sin", "embargo"),
    ("no", "obstante"),
    ("sin", "duda"),
    ("no", "cabe", "duda"),
    ("no", "hay", "duda"),
    ("no", "solo"),
    ("no", "solamente"),
    ("no", "unicamente"),
)

_INTENSIFIERS = (
    "muy sumamente extremadamente altamente totalmente completamente absolutamente tan bastante realmente "
    "increíblemente profundamente gravemente enormemente especialmente particularmente verdaderamente "
    "tremendamente considerablemente notablemente fuertemente seriamente duramente ampliamente "
    "enérgicamente firmemente categóricamente plenamente demasiado demasiada demasiados demasiadas más "
    "mucho mucha muchos muchas muchísimo muchísima muchísimos muchísimas mayor mayores gran grandes "
    "enorme enormes tremendo tremenda tremendos tremendas fuerte fuertes profundo profunda profundos "
    "profundas intenso intensa intensos intensas rotundo rotunda rotundos rotundas contundente "
    "contundentes total súper sumo suma"
)
_DAMPENERS = (
    "poco poca pocos pocas apenas ligeramente levemente algo casi parcialmente relativamente "
    "moderadamente medianamente escasamente marginalmente ocasionalmente menos ligero ligera ligeros "
    "ligeras leve leves"
)
BOOSTER_DICT_ES = dict.fromkeys(_folded(_INTENSIFIERS), B_INCR) | dict.fromkeys(_folded(_DAMPENERS), B_DECR)
# Multi-word modifiers: the scalar sits on the last word; every word of the phrase is a modifier.
BOOSTER_PHRASES_ES = {
    ("un", "tanto"): B_DECR,
    ("mas", "o", "menos"): B_DECR,
    ("sobre", "todo"): B_INCR,
}
# "al menos", "por lo menos", "a menos que": "at least" / "unless" modify nothing.
NOT_BOOSTERS_ES = (("al", "menos"), ("por", "lo", "menos"), ("a", "menos"))
ARTICLES_ES = _folded(["el", "la", "los", "las", "lo"])

CONTRAST_ES = (("pero",), ("sin", "embargo"), ("no", "obstante"), ("sino",))
CONCESSIVE_ES = (("aunque",), ("si", "bien"), ("pese", "a"), ("a", "pesar", "de"))
_CLAUSE_END = frozenset(",;:.!?…")
_SENTENCE_END = frozenset(".!?:")
_CLOSERS = "\"'”’»)]"

# (phrase, index of the lexicon word inside it) -> valence that replaces the word's own.
SPECIAL_CASES_ES = {
    (("buenos", "aires"), 0): 0.0,
    (("libre", "comercio"), 0): 0.0,
    (("peru", "libre"), 1): 0.0,
    (("crimen", "organizado"), 0): 0.0,
    (("marina", "de", "guerra"), 2): 0.0,
    (("buena", "pro"), 0): 0.0,
    (("sin", "duda"), 1): 0.0,
    (("cabe", "duda"), 1): 0.0,
    (("hay", "duda"), 1): 0.0,
    (("si", "bien"), 1): 0.0,
    (("mas", "bien"), 1): 0.0,
    (("o", "bien"), 1): 0.0,
    (("vale", "la", "pena"), 2): 1.3,
    (("menos", "mal"), 1): 1.5,
}
_SPECIAL_BY_WORD: dict[str, list[tuple[tuple[str, ...], int, float]]] = {}
for (_phrase, _at), _value in SPECIAL_CASES_ES.items():
    _SPECIAL_BY_WORD.setdefault(_phrase[_at], []).append((_phrase, _at, _value))

ESTAR_FORMS_ES = _folded(
    "estar estoy está están estamos estaba estaban estuvo estuvieron estará estarán esté estén estaría "
    "estando estado quedar quedó quedaron queda quedan ponerse pusieron puso"
)
EVENTS_ES = _folded(
    "reunión reuniones cumbre cumbres sesión sesiones elecciones comicios encuentro encuentros audiencia "
    "audiencias asamblea conferencia foro ceremonia misa consulta referéndum votación conversaciones "
    "negociaciones juicio congreso debate cita ronda primarias segunda vuelta jornada mesa diálogo"
)
AGREES = 1.5  # "está de acuerdo": VADER's "agree"
# Lexicon words that name places, parties or blocs when capitalised mid-sentence.
NAME_WORDS_ES = _folded(
    "paz victoria esperanza pacífico pacífica triunfo progreso alianza amistad solidaridad honor "
    "integridad libre gloria"
)

PUNCTUATION_ES = string.punctuation + "¿¡«»“”‘’…–—"


def _strip_token(token: str) -> str:
    stripped = token.strip(PUNCTUATION_ES)
    return stripped if stripped else token


def _starts_at(words: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    return words[i : i + len(phrase)] == list(phrase)


def _by_first_word(phrases) -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(group) for first, group in index.items()}


def _phrase_at(words: list[str], i: int, index: dict[str, tuple[tuple[str, ...], ...]]) -> tuple[str, ...] | None:
    # Indexed by first word: a sentence costs one dict lookup per token, not one slice per phrase.
    for phrase in index.get(words[i], ()):
        if _starts_at(words, i, phrase):
            return phrase
    return None


_BOOSTER_PHRASES = _by_first_word(BOOSTER_PHRASES_ES)
_NOT_BOOSTERS = _by_first_word(NOT_BOOSTERS_ES)
_NOT_NEGATIONS = _by_first_word(NOT_NEGATIONS_ES)
_CONTRASTS = _by_first_word(CONTRAST_ES)
_CONCESSIONS = _by_first_word(CONCESSIVE_ES)
# The words a rule can start at: every other token is passed over with one set lookup.
_MODIFIER_STARTS = frozenset(_BOOSTER_PHRASES) | frozenset(_NOT_BOOSTERS) | {"menos"}
_CONTRAST_STARTS = frozenset(_CONTRASTS) | {"mas"}
_CONCESSION_STARTS = frozenset(_CONCESSIONS)


def _is_superlative_menos(words: list[str], i: int) -> bool:
    # "el menos", "la propuesta menos": an article up to two words before "menos".
    return words[i] == "menos" and any(words[k] in ARTICLES_ES for k in range(max(0, i - 2), i))


def _is_held(words: list[str], i: int) -> bool:
    # "celebrar" also means "to hold": "la cumbre se celebrará", "celebraron elecciones".
    if not words[i].startswith("celebr") or words[i].startswith("celebraci"):
        return False
    return (i > 0 and words[i - 1] == "se") or any(w in EVENTS_ES for w in words[i + 1 : i + 4])


# What a white-space token gives the rules, remembered: news repeats its words, so most tokens of a
# sentence are found here with one lookup instead of four string operations.
_TOKEN_INFO: dict[str, tuple[str, str, str, str, bool]] = {}
_TOKEN_INFO_MAX = 200_000


def _token_info(raw: str) -> tuple[str, str, str, str, bool]:
    """(token without its punctuation, lower-cased, folded, the last character before any closing
    quote or bracket, whether it is in capitals) of a white-space token."""
    token = _strip_token(raw)
    info = (token, token.lower(), fold(token), raw.rstrip(_CLOSERS)[-1:], token.isupper())
    if len(_TOKEN_INFO) >= _TOKEN_INFO_MAX:
        _TOKEN_INFO.clear()
    _TOKEN_INFO[raw] = info
    return info


class _SpanishText:
    """A sentence split into tokens, with what the Spanish rules need to know about each."""

    __slots__ = ("tokens", "lower", "folded", "clause_end", "sentence_start", "is_cap_diff")

    def __init__(self, text: str):
        known = _TOKEN_INFO
        rows = [known.get(t) or _token_info(t) for t in text.split()]
        if not rows:
            self.tokens, self.lower, self.folded = [], [], []
            self.clause_end, self.sentence_start, self.is_cap_diff = [], [], False
            return
        tokens, lower, folded, last, upper = zip(*rows, strict=True)
        self.tokens, self.lower, self.folded = list(tokens), list(lower), list(folded)
        self.clause_end = [c in _CLAUSE_END for c in last]
        # A capitalised word right after a full stop is not evidence of a proper name.
        self.sentence_start = [True, *(c in _SENTENCE_END for c in last[:-1])]
        # VADER's allcap_differential: some tokens in capitals, not all.
        self.is_cap_diff = 0 < sum(upper) < len(upper)


class SpanishSentimentAnalyzer(SentimentIntensityAnalyzer):
    """VADER for Spanish news sentences; ``polarity_scores`` returns VADER's neg/neu/pos/compound dict."""

    def __init__(self, lexicon_file: str = ES_LEXICON, emoji_lexicon: str = "emoji_utf8_lexicon.txt"):
        super().__init__(lexicon_file=lexicon_file, emoji_lexicon=emoji_lexicon)
        # VADER replaces emoji one character at a time: a text holding none is passed over whole.
        self._emoji_chars = frozenset(e for e in self.emojis if len(e) == 1)

    # -- lexicon ------------------------------------------------------------------------------
    def make_lex_dict(self) -> dict[str, float]:
        """Read the lexicon, skipping ``#`` comments, and index it by folded spelling too.

        A folded spelling shared by entries of different valence is left out of the fallback
        index (it is ambiguous); the lexicon lists the unaccented forms it wants to score.
        """
        lex_dict: dict[str, float] = {}
        for line in self.lexicon_full_filepath.split("\n"):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            word, measure = line.split("\t")[0:2]
            lex_dict[word.lower()] = float(measure)
        by_fold: dict[str, set[float]] = {}
        for word, measure in lex_dict.items():
            by_fold.setdefault(fold(word), set()).add(measure)
        self.folded_lexicon = {f: next(iter(v)) for f, v in by_fold.items() if len(v) == 1}
        return lex_dict

    def _lookup(self, token: str, folded: str) -> float | None:
        return self._lookup_lower(token.lower(), folded)

    def _lookup_lower(self, lower: str, folded: str) -> float | None:
        valence = self.lexicon.get(lower)
        if valence is None and lower == folded:
            # Only text written without accents falls back: folding "irá" (will go) would find "ira".
            valence = self.folded_lexicon.get(folded)
        return valence

    # -- scoring ------------------------------------------------------------------------------
    def polarity_scores(self, text: str) -> dict[str, float]:
        """Score one Spanish sentence: ``{"neg", "neu", "pos", "compound"}`` as VADER does."""
        sentiments, text = self._sentiments(text)
        return self.score_valence(sentiments, text)

    def compound(self, text: str) -> float:
        """``polarity_scores(text)["compound"]`` without the neg/neu/pos shares nobody reads."""
        sentiments, text = self._sentiments(text)
        total = float(sum(sentiments))
        if total == 0:
            return 0.0
        # VADER's score_valence: "!" and "?" push a non-zero sum further from zero.
        emphasis = self._punctuation_emphasis(text)
        return round(normalize(total + emphasis if total > 0 else total - emphasis), 4)

    def _sentiments(self, text: str) -> tuple[list[float], str]:
        """The valence of each token of a sentence, and the sentence with its emoji spelled out."""
        text = self._emojis_to_text(text)
        st = _SpanishText(text)
        # As _lookup_lower, inlined: this runs for every token of every Spanish sentence.
        lexicon, by_fold = self.lexicon, self.folded_lexicon
        found = [
            lexicon[lower] if lower in lexicon else by_fold.get(folded) if lower == folded else None
            for lower, folded in zip(st.lower, st.folded, strict=True)
        ]
        if found.count(None) == len(found):
            return [0.0] * len(found), text  # no lexicon word: nothing to modify, negate or weigh
        modifiers = self._modifier_scalars(st.folded)
        if "mas" in st.folded:
            for i, w in enumerate(st.folded):
                if w == "mas" and self._is_literary_mas(st, i):
                    modifiers[i] = 0.0  # a contrast here, not "más"
        negators = self._negators(st.folded)
        sentiments = [
            0.0
            if found[i] is None or modifiers[i] is not None
            else self._word_valence(st, i, modifiers, negators, found)
            for i in range(len(found))
        ]
        weights = self._contrast_weights(st)
        return [s * w for s, w in zip(sentiments, weights, strict=True)], text

    def lexicon_words(self, sentence: str) -> list[tuple[str, float]]:
        """The sentence's tokens found in the lexicon, lower-cased, with their raw lexicon valence.

        Raw means before boosters, negation and contrast. Tokens that a phrase or name rule
        neutralises ("Buenos Aires", "de acuerdo con") are left out: they did not drive the tone.
        """
        st = _SpanishText(self._emojis_to_text(sentence))
        found = []
        for i, token in enumerate(st.tokens):
            valence = self._lookup(token, st.folded[i])
            if valence is None:
                continue
            base, _ = self._base_valence(st, i, valence)
            if base != 0.0:
                found.append((token.lower(), valence))
        return found

    def _emojis_to_text(self, text: str) -> str:
        # VADER's own conversion, kept so that emoji split tokens the same way in both languages.
        if self._emoji_chars.isdisjoint(text):
            return text.strip()
        out = []
        prev_space = True
        for ch in text:
            if ch in self.emojis:
                if not prev_space:
                    out.append(" ")
                out.append(self.emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out).strip()

    @staticmethod
    def _modifier_scalars(words: list[str]) -> list[float | None]:
        """Per token: its booster scalar (unsigned) if it is a modifier, else None."""
        scalars: list[float | None] = list(map(BOOSTER_DICT_ES.get, words))
        if _MODIFIER_STARTS.isdisjoint(words):
            return scalars
        for i, w in enumerate(words):
            if w not in _MODIFIER_STARTS:
                continue
            phrase = _phrase_at(words, i, _BOOSTER_PHRASES)
            if phrase:
                for k in range(len(phrase) - 1):
                    scalars[i + k] = 0.0
                scalars[i + len(phrase) - 1] = BOOSTER_PHRASES_ES[phrase]
            phrase = _phrase_at(words, i, _NOT_BOOSTERS)
            if phrase:
                for k in range(len(phrase)):
                    scalars[i + k] = 0.0
            if _is_superlative_menos(words, i):
                scalars[i] = 0.0  # negates instead, in _word_valence
        return scalars

    @staticmethod
    def _negators(words: list[str]) -> list[int]:
        """Per token: the last position it can negate (3 words on, VADER's window), or -1."""
        reach = [i + 3 if w in NEGATE_ES else -1 for i, w in enumerate(words)]
        for i, w in enumerate(words):
            if reach[i] < 0 and w not in NEGATE_BEFORE_DE_ES:
                continue
            if w in NEGATE_BEFORE_DE_ES and i + 1 < len(words) and words[i + 1] == "de":
                # "falta de (la) transparencia": only the noun after "de" is negated.
                has_article = i + 2 < len(words) and words[i + 2] in ARTICLES_ES
                reach[i] = i + 3 if has_article else i + 2
            if _phrase_at(words, i, _NOT_NEGATIONS):
                reach[i] = -1
        return reach

    def _base_valence(self, st: _SpanishText, i: int, valence: float) -> tuple[float, int]:
        """The word's valence after phrase and name rules, and where its modifier window starts."""
        words = st.folded
        w = words[i]
        for phrase, at, value in _SPECIAL_BY_WORD.get(w, ()):
            start = i - at
            if start >= 0 and _starts_at(words, start, phrase):
                return value, start
        if _is_held(words, i):
            return 0.0, i
        if w == "acuerdo" and i > 0 and words[i - 1] == "de":
            agrees = i > 1 and words[i - 2] in ESTAR_FORMS_ES
            return (AGREES if agrees else 0.0), i - 1
        token = st.tokens[i]
        if w in NAME_WORDS_ES and token[:1].isupper() and token[1:].islower() and not st.sentence_start[i]:
            return 0.0, i
        return valence, i

    def _word_valence(
        self, st: _SpanishText, i: int, modifiers: list, negators: list[int], found: list[float | None]
    ) -> float:
        """The valence of lexicon word ``i`` (``found``: each token's lexicon valence or None)."""
        raw = found[i]
        if raw is None:
            return 0.0
        valence, start = self._base_valence(st, i, raw)
        if valence == 0.0:
            return 0.0
        token, words = st.tokens[i], st.folded
        if token.isupper() and st.is_cap_diff:
            valence += C_INCR if valence > 0 else -C_INCR
        negated = False
        for distance in range(3):
            j = start - distance - 1
            if j < 0:
                break
            if found[j] is not None:
                continue  # VADER: lexicon words neither boost nor negate their neighbours
            scalar = self._scalar(st, j, modifiers[j], valence)
            valence += scalar * (1.0, 0.95, 0.9)[distance]
            if negators[j] >= i and not negated:
                negated = True
                if words[j] in ("nunca", "jamas") and "tan" in words[j + 1 : i]:
                    valence *= 1.25  # "nunca tan exitoso": VADER's "never so good"
                else:
                    valence *= N_SCALAR
        if start > 0 and _is_superlative_menos(words, start - 1):
            valence *= N_SCALAR  # "la (propuesta) menos exitosa": VADER's "least"
        return valence

    @staticmethod
    def _scalar(st: _SpanishText, j: int, scalar: float | None, valence: float) -> float:
        if not scalar:
            return 0.0
        scalar = scalar if valence > 0 else -scalar
        if st.tokens[j].isupper() and st.is_cap_diff:
            scalar += C_INCR if valence > 0 else -C_INCR
        return scalar

    @staticmethod
    def _contrast_weights(st: _SpanishText) -> list[float]:
        """VADER's "but" rule for the first contrast word, and x0.5 on concessive clauses."""
        words = st.folded
        n = len(words)
        weights = [1.0] * n
        if _CONTRAST_STARTS.isdisjoint(words) and _CONCESSION_STARTS.isdisjoint(words):
            return weights
        for i in range(n):
            if words[i] not in _CONTRAST_STARTS:
                continue
            marker = _phrase_at(words, i, _CONTRASTS)
            if marker == ("sino",) and i + 1 < n and words[i + 1] == "tambien":
                marker = None
            if marker is None and SpanishSentimentAnalyzer._is_literary_mas(st, i):
                marker = ("mas",)
            if marker is not None:
                weights = [0.5] * i + [1.0] * len(marker) + [1.5] * (n - i - len(marker))
                break
        for i in range(n):
            if words[i] not in _CONCESSIONS:
                continue
            marker = _phrase_at(words, i, _CONCESSIONS)
            if marker is None:
                continue
            for k in range(i + len(marker), n):
                weights[k] *= 0.5
                if st.clause_end[k]:
                    break
        return weights

    @staticmethod
    def _is_literary_mas(st: _SpanishText, i: int) -> bool:
        # Unaccented "mas" is "but" only after a comma and not before de/que ("más de", "más que").
        if st.folded[i] != "mas" or st.tokens[i].lower() != "mas" or i == 0 or not st.clause_end[i - 1]:
            return False
        return i + 1 < len(st.folded) and st.folded[i + 1] not in ("de", "que", "del")


@lru_cache(maxsize=1)
def spanish_analyzer() -> SpanishSentimentAnalyzer:
    """The process-wide Spanish analyzer (the lexicon is read once)."""
    return SpanishSentimentAnalyzer()
