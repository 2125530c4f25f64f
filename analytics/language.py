"""Language detection: ISO 639-1 codes for article texts.

Detection looks at the title and the start of the text only: lingua costs 2.6-7.3 ms on a
1,000-word text but about 0.1 ms on a headline. Most news text is settled earlier still by its
function words ("the", "of" against "el", "los"), which costs microseconds; lingua decides the
rest. Returns ``"und"`` (undetermined) when neither can tell.

lingua's full models take about a second to load, which a process paid even to analyse one
sentence. A sample of :data:`LOW_ACCURACY_FROM` characters or more goes to lingua's low-accuracy
mode instead (trigram models only: 0.06 s to load), which gave the full mode's answer on every one
of the 336 such sentences of the evaluation set; only shorter samples load the full models, once
per process.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

# Languages the monitor expects in coverage of the Americas; anything else comes out as the
# nearest of these or "und", never silently as English.
_LANGUAGES = (
    Language.ENGLISH,
    Language.SPANISH,
    Language.PORTUGUESE,
    Language.FRENCH,
    Language.GERMAN,
    Language.ITALIAN,
    Language.CHINESE,
)
SAMPLE_CHARS = 400
# lingua's authors advise its low-accuracy mode for texts of this length and more.
LOW_ACCURACY_FROM = 120

# The function-word vote reads this much: enough for a dozen function words in news prose.
VOTE_CHARS = 250
_PUNCTUATION = ".,;:!?¿¡\"'“”‘’«»()[]—–-"
# Function words frequent in one language and absent (or rare) in the others considered here.
_EN = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "is",
        "was",
        "that",
        "with",
        "for",
        "from",
        "by",
        "has",
        "have",
        "are",
        "its",
        "their",
        "said",
        "will",
    ]
)
_ES = frozenset(
    [
        "el",
        "los",
        "las",
        "del",
        "y",
        "que",
        "por",
        "para",
        "con",
        "una",
        "según",
        "dijo",
        "sus",
        "está",
        "fue",
        "como",
        "más",
        "entre",
    ]
)
# Portuguese and Italian share much with Spanish: any of these sends the text to lingua.
_NOT_ES = frozenset(
    [
        "os",
        "do",
        "da",
        "dos",
        "das",
        "não",
        "em",
        "uma",
        "são",
        "foi",
        "pelo",
        "pela",
        "também",
        "il",
        "della",
        "degli",
        "gli",
        "che",
    ]
)


_VOTE = {**dict.fromkeys(_EN, "en"), **dict.fromkeys(_ES, "es"), **dict.fromkeys(_NOT_ES, "other")}


@lru_cache(maxsize=2)
def _detector(low_accuracy: bool):
    builder = LanguageDetectorBuilder.from_languages(*_LANGUAGES)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def detect_language(title: str, text: str = "") -> str:
    """The ISO 639-1 code of the language of an article, or ``"und"``."""
    sample = f"{title}\n{text[:SAMPLE_CHARS]}".strip()
    if not sample:
        return "und"
    en = es = other = 0
    # Splitting on white space is four times cheaper than a word regex on this hot path.
    for word in f"{title}\n{text[:VOTE_CHARS]}".lower().split():
        kind = _VOTE.get(word)
        if kind is None:
            kind = _VOTE.get(word.strip(_PUNCTUATION))
        if kind == "en":
            en += 1
        elif kind == "es":
            es += 1
        elif kind == "other":
            other += 1
    # A clear majority settles it: a "Los Angeles" in English or a quoted "the" in Spanish does not.
    if en >= 3 and en >= 5 * (es + other):
        return "en"
    if es >= 3 and es >= 5 * (en + other):
        return "es"
    found = _detector(len(sample) >= LOW_ACCURACY_FROM).detect_language_of(sample)
    if found is None:
        return "und"
    return found.iso_code_639_1.name.lower()
