"""Fitting news-tone valences to labelled training items (analytics/tone_fit.py, `bilat fit-tone`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import tone_fit
from analytics.cli import main
from analytics.evaluate import Item
from analytics.sentiment import news_analyzer, read_overlay
from analytics.tone_es import SpanishSentimentAnalyzer

# "pledged" is 1.5 in VADER; in these procedural items it reports no outcome.
PLEDGED = [
    "Officials pledged to review the port contract next month.",
    "The ministry pledged to publish the tender rules on Monday.",
    "Lawmakers pledged to vote on the budget bill in March.",
    "The regulator pledged to issue its ruling by Friday.",
    "The company pledged to file its accounts within a week.",
    "The agency pledged to update its forecast in June.",
]
OTHERS = [
    ("The floods killed 12 people in the north.", "negative"),
    ("Exports hit a record, a great success for farmers.", "positive"),
    ("The customs office counted 400 containers in the port of Callao.", "neutral"),
    ("Two ministers met in Quito to discuss fisheries.", "neutral"),
]


def _items(language: str = "en") -> list[Item]:
    rows = [(t, "neutral") for t in PLEDGED] + OTHERS
    return [Item(f"{language}-{n}", language, t, frozenset(), frozenset(), tone, "dev") for n, (t, tone) in
            enumerate(rows)]  # fmt: skip


SMALL = tone_fit.Settings(min_items=3, min_gain=2, max_share=0.7)


def test_fit_neutralises_a_word_the_labels_call_procedural():
    items = _items()
    changes = tone_fit.fit(items, "en", SMALL)
    assert [(c.word, c.before, c.after, c.items, c.gold, c.gain) for c in changes] == [
        ("pledged", 1.5, 0.0, 6, (0, 6, 0), 6)
    ]
    assert tone_fit.accuracy(items, "en") == pytest.approx(4 / 10)
    assert tone_fit.accuracy(items, "en", changes) == 1.0


def test_fit_needs_enough_items_and_gain():
    items = _items()
    # "pledged" is in six items: fewer than seven, and fixing them gains six, not seven.
    assert tone_fit.fit(items, "en", tone_fit.Settings(min_items=7, max_share=0.9)) == []
    assert tone_fit.fit(items, "en", tone_fit.Settings(min_items=3, min_gain=7, max_share=0.9)) == []
    # Words in more than max_share of the items are function words and never fitted.
    assert tone_fit.fit(items, "en", tone_fit.Settings(min_items=3, max_share=0.5)) == []


def test_overlay_round_trips_and_is_loaded_after_the_hand_made_lexicon(tmp_path):
    changes = tone_fit.fit(_items(), "en", SMALL)
    path = tmp_path / "en_fitted.txt"
    tone_fit.write_overlay(path, tone_fit.format_overlay(changes, "en", SMALL, ["training/en.jsonl"]))
    assert read_overlay(path) == {"pledged": 0.0}
    assert "# was 1.5; 6 items (0/6/0), +6 correct" in path.read_text()
    sentence = "Officials pledged to review the port contract."
    assert news_analyzer().polarity_scores(sentence)["compound"] > 0.05
    assert news_analyzer(fitted=path).polarity_scores(sentence)["compound"] == 0.0


def test_spanish_overlay_reaches_unaccented_spellings(tmp_path):
    path = tmp_path / "es_fitted.txt"
    path.write_text("éxito\t0.0\t0.0\t[0.0]\n", encoding="utf-8")
    plain, fitted = SpanishSentimentAnalyzer(), SpanishSentimentAnalyzer(fitted=path)
    for text in ("Fue un éxito.", "Fue un exito."):
        assert plain.polarity_scores(text)["compound"] > 0.3
        assert fitted.polarity_scores(text)["compound"] == 0.0


def test_cross_validation_reports_held_out_accuracy():
    before, after = tone_fit.cross_validate(_items() * 2, "en", SMALL, folds=2)
    assert before == pytest.approx(0.4)
    assert after == 1.0  # each half holds all six "pledged" items, so each fold learns it


def _write_set(folder: Path) -> None:
    folder.mkdir()
    for language in ("en", "es"):
        with (folder / f"{language}.jsonl").open("w", encoding="utf-8") as out:
            for item in _items(language):
                row = {"id": item.id, "text": item.text, "countries": [], "themes": [], "tone": item.tone}
                out.write(json.dumps(row) + "\n")


def test_cli_writes_the_fitted_files(tmp_path, capsys):
    _write_set(tmp_path / "train")
    code = main(["fit-tone", "--train", str(tmp_path / "train"), "--out", str(tmp_path), "--min-items", "3",
                 "--language", "en"])  # fmt: skip
    # The default max_share (0.12) keeps "pledged", in 6 of 10 items, out: nothing to fit here.
    assert code == 0
    assert read_overlay(tmp_path / "en_fitted.txt") == {}
    assert "en: 10 training items, accuracy 0.400 -> 0.400 with 0 fitted words" in capsys.readouterr().out


def test_cli_refuses_to_train_on_the_evaluation_set(capsys):
    assert main(["fit-tone", "--train", str(Path(__file__).parent / "eval")]) != 0
    assert "must not train it" in capsys.readouterr().err
