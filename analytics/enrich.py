"""Enrichment: language, countries and dyads, themes and tone of one article.

The same function serves ``bilat analyze``, the demo corpus, pulls and ``bilat enrich``: what the
dashboard shows is exactly what ``analyze`` prints for the same text. Every stored result carries
:func:`enrichment_version`, which changes whenever the rules or a lexicon file change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analytics import countries, themes
from analytics.language import detect_language
from analytics.sentiment import score_sentences, split_sentences, tone_label
from analytics.store import EnrichmentRow

# Bump when the code rules change in a way that changes results (lexicon edits are hashed).
RULES_VERSION = "1"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def enrichment_version() -> str:
    """``<rules>-<hash of the lexicon files>``, e.g. ``1-3f9a2c1b``."""
    digest = hashlib.sha256()
    files = sorted((DATA_DIR / "gazetteer").glob("*.tsv")) + [DATA_DIR / "themes.toml"]
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
    sentences: int
    mentions: tuple[countries.Mention, ...]
    theme_result: themes.ThemeResult
    sentence_scores: tuple[float, ...]

    def to_row(self) -> EnrichmentRow:
        """The form the store keeps."""
        by_code: dict[str, list[countries.Mention]] = {}
        for mention in self.mentions:
            by_code.setdefault(mention.code, []).append(mention)
        weights = countries.country_weights(self.mentions)
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
        )

    def to_json(self, *, explain: bool = False) -> dict[str, Any]:
        """The record ``bilat analyze`` prints."""
        out: dict[str, Any] = {
            "language": self.language,
            "countries": list(self.countries),
            "dyads": list(self.dyads),
            "themes": list(self.themes),
            "sentiment": self.sentiment,
            "tone": tone_label(self.sentiment),
            "version": enrichment_version(),
        }
        if explain:
            out["explain"] = {
                "countries": [
                    {"code": m.code, "matched": m.matched, "kind": m.kind, "in_title": m.in_title, "start": m.start}
                    for m in self.mentions
                ],
                "themes": [
                    {"theme": h.theme, "term": h.term, "matched": h.matched, "weight": h.weight}
                    for h in self.theme_result.hits
                ],
                "sentences": list(self.sentence_scores),
            }
        return out


def enrich(title: str, text: str, *, language: str | None = None) -> Enrichment:
    """Enrich one article. ``language`` skips detection when the caller already knows it."""
    return enrich_many([(title, text)], languages=[language])[0]


def enrich_many(docs: Sequence[tuple[str, str]], *, languages: Sequence[str | None] | None = None) -> list[Enrichment]:
    """Enrich a batch of (title, text) pairs; the same results as :func:`enrich` on each.

    Each step runs over the whole batch before the next starts, so the gazetteer automaton, the
    theme automaton and VADER's lexicon each stay in the processor's cache while they work: on
    batches of a few hundred short articles this is measurably faster than article by article.
    """
    given = list(languages) if languages is not None else [None] * len(docs)
    langs = [lang or detect_language(title, text) for (title, text), lang in zip(docs, given, strict=True)]
    # Language-specific terms only in their language: English text must not match "chinos".
    mentions = [
        tuple(countries.find_mentions(text, title, lang=lang)) for (title, text), lang in zip(docs, langs, strict=True)
    ]
    theme_results = [themes.tag_themes(f"{title}\n{text}" if title else text) for title, text in docs]
    # A blank line keeps the title a sentence of its own even without end punctuation.
    sentences = [split_sentences(f"{title}\n\n{text}" if title and text else title or text) for title, text in docs]
    tones = [score_sentences(s, lang) for s, lang in zip(sentences, langs, strict=True)]
    return [
        Enrichment(
            language=lang,
            countries=tuple(countries.countries_of(found)),
            dyads=tuple(countries.assign_dyads(found)),
            themes=tuple(result.themes),
            sentiment=tone.compound,
            sentences=len(sents),
            mentions=found,
            theme_result=result,
            sentence_scores=tone.sentences,
        )
        for lang, found, result, sents, tone in zip(langs, mentions, theme_results, sentences, tones, strict=True)
    ]
