"""The evaluation: exact metric arithmetic, the set's integrity, and floors that catch regressions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from analytics.errors import InputError
from analytics.evaluate import Item, Scores, _macro_f1, evaluate, format_report, load_second_tones, load_set
from analytics.schema import THEMES


def test_scores_arithmetic():
    s = Scores.of(tp=8, fp=2, fn=4)
    assert (s.precision, s.recall, s.support) == (0.8, 8 / 12, 12)
    assert s.f1 == pytest.approx(2 * 0.8 * (8 / 12) / (0.8 + 8 / 12))
    assert Scores.of(0, 0, 0).f1 == 1.0  # nothing to find and nothing found
    assert Scores.of(0, 3, 0).precision == 0.0


def test_macro_f1():
    pairs = [("positive", "positive"), ("negative", "positive"), ("neutral", "neutral"), ("negative", "negative")]
    # positive: P 1/2 R 1 F 2/3; neutral: F 1; negative: P 1 R 1/2 F 2/3
    assert _macro_f1(pairs) == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)


def test_evaluate_counts_on_a_tiny_set():
    items = [
        Item("en-1", "en", "Peru and the United States signed a successful trade agreement.", frozenset({"PER", "USA"}),
             frozenset({"trade", "diplomacy"}), "positive", "dev"),
        Item("en-2", "en", "Let us talk about the weather.", frozenset(), frozenset(), "neutral", "dev"),
    ]  # fmt: skip
    report = evaluate(items, "en")
    assert report.items == 2
    assert (report.countries.precision, report.countries.recall) == (1.0, 1.0)
    assert report.themes["trade"].recall == 1.0
    assert report.tone_accuracy == 1.0
    assert report.tone_confusion == {("positive", "positive"): 1, ("neutral", "neutral"): 1}
    table = format_report(report)
    assert "    positive                      1        0         0         0" in table
    assert report.to_json()["tone"]["confusion"]["neutral"] == {"neutral": 1}
    # Net tone (share positive - share negative) of the trade and diplomacy items, labelled and scored.
    assert report.tone_by_theme == {"trade": (1, 1.0, 1.0), "diplomacy": (1, 1.0, 1.0)}
    assert "      trade        +1.00 / +1.00  (n=1)" in table


def test_the_set_is_well_formed_and_covers_every_theme():
    items = load_set()
    for language in ("en", "es"):
        chosen = [i for i in items if i.language == language]
        assert len(chosen) >= 150
        for theme in THEMES:
            assert sum(theme in i.themes for i in chosen) >= 15, (language, theme)
        assert {i.tone for i in chosen} == {"positive", "neutral", "negative"}
        assert {i.split for i in chosen} == {"dev", "test"}
    assert len({i.id for i in items}) == len(items)


def test_a_broken_set_is_reported(tmp_path):
    (tmp_path / "en.jsonl").write_text(json.dumps({"id": "x", "text": "t"}) + "\n")
    (tmp_path / "es.jsonl").write_text("")
    with pytest.raises(InputError, match="en.jsonl line 1: not a valid evaluation item"):
        load_set(tmp_path)


# Floors a little below the figures reached (2026-11-27), on the evaluation set and on the larger
# tuning set; a change that lowers any of them is a regression to look at. The tone figures are
# below the 0.75 target: see the README's methodology section.
FLOORS = {
    "eval": {
        "en": {"countries_precision": 0.99, "countries_recall": 0.99, "themes_f1": 0.93, "tone_accuracy": 0.66},
        "es": {"countries_precision": 0.98, "countries_recall": 0.99, "themes_f1": 0.91, "tone_accuracy": 0.71},
    },
    "tuning": {
        "en": {"countries_precision": 0.99, "countries_recall": 0.99, "themes_f1": 0.85, "tone_accuracy": 0.65},
        "es": {"countries_precision": 0.99, "countries_recall": 0.99, "themes_f1": 0.84, "tone_accuracy": 0.68},
    },
}


@pytest.mark.parametrize("which", ["eval", "tuning"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_figures_stay_above_their_floors(language, which):
    items = load_set() if which == "eval" else load_set(TUNING)
    report = evaluate(items, language)
    floor = FLOORS[which][language]
    assert report.countries.precision >= floor["countries_precision"]
    assert report.countries.recall >= floor["countries_recall"]
    assert report.themes_micro.f1 >= floor["themes_f1"]
    assert report.tone_accuracy >= floor["tone_accuracy"]


TUNING = Path(__file__).resolve().parent.parent / "data" / "training"


def _words_of(text: str) -> frozenset[str]:
    return frozenset(w.strip(".,;:\"'()¿?¡!").lower() for w in text.split())


def test_tuning_set_is_well_formed_and_apart_from_the_evaluation_set():
    tuning = load_set(TUNING)
    evaluation = load_set()
    for language in ("en", "es"):
        chosen = [i for i in tuning if i.language == language]
        assert len(chosen) >= 400
        tones = Counter(i.tone for i in chosen)
        assert min(tones.values()) >= 0.25 * len(chosen), tones
        for theme in THEMES:
            assert sum(theme in i.themes for i in chosen) >= 40, (language, theme)
        # No tuning item repeats an evaluation item, even loosely (shared words over all words).
        held = [_words_of(i.text) for i in evaluation if i.language == language]
        for item in chosen:
            words = _words_of(item.text)
            assert max(len(words & other) / len(words | other) for other in held) < 0.5, item.id
    assert len({i.id for i in tuning}) == len(tuning)


def test_agreement_with_a_second_annotator(tmp_path):
    items = [
        Item("en-1", "en", "Peru and Chile signed a successful agreement.", frozenset({"PER", "CHL"}),
             frozenset({"diplomacy"}), "positive", "dev"),
        Item("en-2", "en", "Let us talk about the weather.", frozenset(), frozenset(), "neutral", "dev"),
    ]  # fmt: skip
    report = evaluate(items, "en", {"en-1": "positive", "en-2": "negative"})
    assert report.annotator_agreement == 0.5
    assert "a second annotator, labelling blind, agrees on 0.500 of these items" in format_report(report)
    assert evaluate(items, "en", {"en-1": "positive"}).annotator_agreement is None  # not every item labelled
    (tmp_path / "en_tone_second.jsonl").write_text('{"id": "en-1", "tone": "cheerful"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown tone 'cheerful'"):
        load_second_tones(tmp_path)


def test_the_shipped_second_annotation_covers_the_set():
    second = load_second_tones()
    items = load_set()
    assert {i.id for i in items} == set(second)
    for language in ("en", "es"):
        report = evaluate(items, language, second)
        # Measured when the labels were written: 0.929 (en) and 0.920 (es).
        assert report.annotator_agreement == pytest.approx({"en": 0.929, "es": 0.920}[language], abs=0.001)
