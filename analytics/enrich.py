"""Enrichment: language, countries and dyads, themes and tone of one article.

The same function serves ``bilat analyze``, the demo corpus, pulls and ``bilat enrich``: what the
dashboard shows is exactly what ``analyze`` prints for the same text. Every stored result carries
:func:`enrichment_version`, which changes whenever the rules or a lexicon file change.

Every step runs in time linear in the text, and the text is capped first: a title beyond
``TITLE_MAX`` and a text beyond ``TEXT_MAX`` characters (analytics.ingest.normalize) are cut, as at
ingest, and the result says so (``truncated``). Stored articles were cut at ingest already.
"""

from __future__ import annotations

import gc
import hashlib
import tomllib
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analytics import countries, themes
from analytics.errors import InputError
from analytics.ingest.normalize import TEXT_MAX, TITLE_MAX, cap_text, without_surrogates
from analytics.language import detect_language
from analytics.sentiment import score_sentences, sentence_spans, tone_label, tone_words
from analytics.store import EnrichmentRow

# Bump when the code rules change in a way that changes results (data files are hashed).
# 3: sentences longer than sentiment.SENTENCE_MAX_WORDS words are scored in parts; texts are capped.
RULES_VERSION = "3"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SETTINGS_FILE = DATA_DIR / "enrichment.toml"


@dataclass(frozen=True)
class DyadRule:
    """The parameters of the dyad rule (see analytics.countries and data/enrichment.toml)."""

    title_weight: float = 3.0
    min_share: float = 0.2
    min_weight: float = 2.0
    max_countries: int = 4


@lru_cache(maxsize=4)
def dyad_rule(path: Path = SETTINGS_FILE) -> DyadRule:
    """The dyad rule of the settings file; a missing or wrong value is an error naming the fix."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("dyads", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the enrichment settings ({exc})") from None
    rule = DyadRule()
    values = {}
    for name in ("title_weight", "min_share", "min_weight", "max_countries"):
        value = table.get(name, getattr(rule, name))
        kind = int if name == "max_countries" else (int, float)
        if not isinstance(value, kind) or isinstance(value, bool) or value <= 0:
            raise InputError(f"{path}: [dyads] {name} must be a positive number (got {value!r})")
        values[name] = value
    if values["max_countries"] < 2:
        raise InputError(f"{path}: [dyads] max_countries must be at least 2")
    return DyadRule(**values)


@lru_cache(maxsize=1)
def enrichment_version() -> str:
    """``<rules>-<hash of the lexicon files>``, e.g. ``1-3f9a2c1b``."""
    digest = hashlib.sha256()
    files = (
        sorted((DATA_DIR / "gazetteer").glob("*.tsv"))
        + sorted((DATA_DIR / "lexicons").glob("*.txt"))
        + [DATA_DIR / "themes.toml", SETTINGS_FILE]
    )
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{RULES_VERSION}-{digest.hexdigest()[:8]}"


@dataclass(frozen=True)
class Enrichment:
    """What enrichment found in one article."""

    language: str
    countries: tuple[str, ...]
    dyads: tuple[str, ...]
    themes: tuple[str, ...]
    sentiment: float | None
    mentions: tuple[countries.Mention, ...]
    theme_result: themes.ThemeResult
    sentence_texts: tuple[str, ...]
    sentence_scores: tuple[float, ...]
    # Per dyad: the mean tone of the sentences that mention either of its two countries.
    relation_tones: tuple[float | None, ...]
    # The title or text was longer than TITLE_MAX / TEXT_MAX: only their start was enriched.
    truncated: bool = False

    @property
    def sentences(self) -> int:
        return len(self.sentence_texts)

    def to_row(self) -> EnrichmentRow:
        """The form the store keeps."""
        by_code: dict[str, list[countries.Mention]] = {}
        for mention in self.mentions:
            by_code.setdefault(mention.code, []).append(mention)
        weights = countries.country_weights(self.mentions, title_weight=dyad_rule().title_weight)
        terms: dict[str, list[str]] = {}
        for hit in self.theme_result.hits:
            if hit.theme in self.themes and hit.term not in terms.setdefault(hit.theme, []):
                terms[hit.theme].append(hit.term)
        return EnrichmentRow(
            version=enrichment_version(),
            language=self.language,
            sentiment=self.sentiment,
            sentences=self.sentences,
            countries=tuple(
                (code, len(ms), weights[code], tuple(dict.fromkeys(m.matched for m in ms)))
                for code, ms in sorted(by_code.items())
            ),
            dyads=self.dyads,
            themes=tuple((t, self.theme_result.scores[t], tuple(terms.get(t, ()))) for t in self.themes),
            relation_tones=self.relation_tones,
        )

    def to_json(self, *, explain: bool = False) -> dict[str, Any]:
        """The record ``bilat analyze`` prints; with ``explain``, the evidence for every tag.

        ``"truncated": true`` appears only when the title or text was cut before enrichment.
        """
        out: dict[str, Any] = {
            "language": self.language,
            "countries": list(self.countries),
            "dyads": list(self.dyads),
            "themes": list(self.themes),
            "sentiment": self.sentiment,
            "tone": tone_label(self.sentiment),
            "relation_tone": dict(zip(self.dyads, self.relation_tones, strict=True)),
            "version": enrichment_version(),
        }
        if self.truncated:
            out["truncated"] = True
        if explain:
            scored = self.sentence_scores or (None,) * len(self.sentence_texts)
            out["explain"] = {
                "countries": [
                    {"code": m.code, "matched": m.matched, "kind": m.kind, "in_title": m.in_title, "start": m.start}
                    for m in self.mentions
                ],
                "themes": [
                    {
                        "theme": t,
                        "score": self.theme_result.scores[t],
                        "terms": [
                            {"term": h.term, "matched": h.matched, "weight": h.weight}
                            for h in self.theme_result.hits
                            if h.theme == t
                        ],
                    }
                    for t in self.theme_result.scores
                ],  # fmt: skip
                "tone": [
                    {
                        "sentence": text,
                        "compound": score,
                        "words": [{"word": w, "valence": v} for w, v in tone_words(text, self.language)],
                    }
                    for text, score in zip(self.sentence_texts, scored, strict=True)
                ],  # fmt: skip
            }
        return out


def enrich(title: str, text: str, *, language: str | None = None) -> Enrichment:
    """Enrich one article. ``language`` skips detection when the caller already knows it."""
    return enrich_many([(title, text)], languages=[language])[0]


def _relation_tones(
    dyads: list[str], mentions: tuple[countries.Mention, ...], spans: list[tuple[int, int]],
    scores: tuple[float, ...], title_shift: int,
) -> tuple[float | None, ...]:  # fmt: skip
    """Mean tone of the sentences that mention either country of each dyad (None if unscored)."""
    if not scores:
        return (None,) * len(dyads)
    starts = [a for a, _ in spans]
    where: dict[str, set[int]] = {}
    for m in mentions:
        offset = m.start if m.in_title else m.start + title_shift
        where.setdefault(m.code, set()).add(bisect_right(starts, offset) - 1)
    out: list[float | None] = []
    for dyad in dyads:
        a, b = dyad.split("-")
        chosen = sorted((where.get(a, set()) | where.get(b, set())) - {-1})
        out.append(round(sum(scores[i] for i in chosen) / len(chosen), 4) if chosen else None)
    return tuple(out)


def enrich_many(docs: Sequence[tuple[str, str]], *, languages: Sequence[str | None] | None = None) -> list[Enrichment]:
    """Enrich a batch of (title, text) pairs; the same results as :func:`enrich` on each.

    Each step runs over the whole batch before the next starts, so the gazetteer automaton, the
    theme automaton and VADER's lexicon each stay in the processor's cache while they work: on
    batches of a few hundred short articles this is measurably faster than article by article.
    """
    with _collector_paused():
        return _enrich_batch(docs, languages)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch, then restore it as it was.

    A batch makes tens of thousands of small objects (mentions, theme hits, tuples) that hold no
    reference cycles, so the collector frees nothing while it runs; yet it walks them again each
    time the batch's growing results cross its thresholds, which measured 8% of enrichment time on
    the demo corpus. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _enrich_batch(docs: Sequence[tuple[str, str]], languages: Sequence[str | None] | None) -> list[Enrichment]:
    rule = dyad_rule()
    docs, cut = _capped(docs)
    given = list(languages) if languages is not None else [None] * len(docs)
    langs = [lang or detect_language(title, text) for (title, text), lang in zip(docs, given, strict=True)]
    # Language-specific terms only in their language: English text must not match "chinos".
    mentions = [
        tuple(countries.find_mentions(text, title, lang=lang)) for (title, text), lang in zip(docs, langs, strict=True)
    ]
    theme_results = [themes.tag_themes(f"{title}\n{text}" if title else text) for title, text in docs]
    # A blank line keeps the title a sentence of its own even without end punctuation.
    bodies = [f"{title}\n\n{text}" if title and text else title or text for title, text in docs]
    spans = [sentence_spans(body) for body in bodies]
    texts = [tuple(body[a:b] for a, b in sp) for body, sp in zip(bodies, spans, strict=True)]
    tones = [score_sentences(list(t), lang) for t, lang in zip(texts, langs, strict=True)]
    out = []
    for (title, text), lang, found, result, sp, sents, tone, was_cut in zip(
        docs, langs, mentions, theme_results, spans, texts, tones, cut, strict=True
    ):
        dyads = countries.assign_dyads(
            found, title_weight=rule.title_weight, min_share=rule.min_share, min_weight=rule.min_weight,
            max_countries=rule.max_countries,
        )  # fmt: skip
        shift = len(title) + 2 if title and text else 0
        out.append(
            Enrichment(
                language=lang,
                countries=tuple(countries.countries_of(found)),
                dyads=tuple(dyads),
                themes=tuple(result.themes),
                sentiment=tone.compound,
                mentions=found,
                theme_result=result,
                sentence_texts=sents,
                sentence_scores=tone.sentences,
                relation_tones=_relation_tones(dyads, found, sp, tone.sentences, shift),
                truncated=was_cut,
            )
        )
    return out


def _capped(docs: Sequence[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[bool]]:
    """The documents with titles and texts capped and lone surrogates replaced (the language
    detector cannot take them), and per document whether either was cut."""
    capped, cut = [], []
    for title, text in docs:
        title, title_cut = cap_text(_without_surrogates(title), TITLE_MAX)
        text, text_cut = cap_text(_without_surrogates(text), TEXT_MAX)
        capped.append((title, text))
        cut.append(title_cut or text_cut)
    return capped, cut


def _without_surrogates(text: str) -> str:
    """``without_surrogates(text)``; only a lone surrogate makes UTF-8 encoding fail, and encoding
    is checked 4x faster than the regex that replaces them scans non-ASCII text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return without_surrogates(text)
    return text
