"""The evaluation: exact metric arithmetic, the set's integrity, and floors that catch regressions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.errors import InputError
from analytics.evaluate import (
    Item,
    Scores,
    _macro_f1,
    evaluate,
    format_report,
    load_second_tones,
    load_set,
    tone_over_periods,
)
from analytics.schema import THEMES


@pytest.fixture(scope="module")
def shipped():
    """Reports on the shipped evaluation set, enriched once for the module: language -> Report."""
    items, second = load_set(), load_second_tones()
    return {language: evaluate(items, language, second) for language in ("en", "es")}


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
def test_figures_stay_above_their_floors(language, which, shipped):
    report = shipped[language] if which == "eval" else evaluate(load_set(TUNING), language)
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


def test_the_shipped_second_annotation_covers_the_set(shipped):
    assert {i.id for i in load_set()} == set(load_second_tones())
    for language, report in shipped.items():
        # Measured when the labels were written: 0.929 (en) and 0.920 (es).
        assert report.annotator_agreement == pytest.approx({"en": 0.929, "es": 0.920}[language], abs=0.001)


# (labelled tone, scored label, compound score) of six test items: two read one step too high, one
# unscored (which counts as neutral in net tone and as 0 in mean tone).
KNOWN = [
    ("positive", "positive", 0.6),
    ("positive", "positive", 0.2),
    ("neutral", "positive", 0.3),
    ("neutral", "unscored", None),
    ("negative", "neutral", 0.0),
    ("negative", "negative", -0.5),
]


def test_net_tone_and_bias_of_known_labels():
    aggregate = tone_over_periods(KNOWN)
    assert aggregate.items == 6
    assert aggregate.net_labelled == 0.0  # two positive, two negative
    assert aggregate.net_scored == pytest.approx(2 / 6)  # three positive, one negative
    assert aggregate.net_bias == pytest.approx(2 / 6)
    assert (aggregate.periods, aggregate.period_size, aggregate.seed) == (1000, 100, 2026)
    assert 0 < aggregate.net_r < 1 and 0 < aggregate.net_mae < 1
    assert tone_over_periods(KNOWN) == aggregate  # the seed fixes the periods
    assert tone_over_periods(KNOWN, seed=1) != aggregate


def test_tone_over_periods_at_the_extremes():
    perfect = tone_over_periods([("positive", "positive", 1.0), ("neutral", "neutral", 0.0),
                                 ("negative", "negative", -1.0)])  # fmt: skip
    assert (perfect.net_r, perfect.net_mae) == (pytest.approx(1.0), 0.0)
    assert (perfect.mean_r, perfect.mean_mae) == (pytest.approx(1.0), 0.0)
    assert perfect.net_bias == 0.0
    # A scorer that swaps positive and negative reads every period's net tone exactly backwards.
    swapped = tone_over_periods([("positive", "negative", -0.5), ("neutral", "neutral", 0.0),
                                 ("negative", "positive", 0.5)], periods=200, period_size=50)  # fmt: skip
    assert swapped.net_r == pytest.approx(-1.0)
    assert swapped.mean_r == pytest.approx(-1.0)
    assert swapped.net_mae > 0.5 and (swapped.periods, swapped.period_size) == (200, 50)
    with pytest.raises(ValueError, match="none is negative"):
        tone_over_periods(KNOWN[:4])


# Measured on the test half (seed 2026, 2026-12-03): net tone r 0.899 / 0.955, MAE 0.230 / 0.158,
# bias +0.18 / -0.04 (en / es); the floors sit just below (above, for the errors).
AGGREGATE_FLOORS = {
    "en": {"net_r": 0.92, "net_mae": 0.21, "bias": 0.15},
    "es": {"net_r": 0.94, "net_mae": 0.18, "bias": 0.06},
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_tone_over_periods_on_the_shipped_set(language, shipped):
    aggregate = shipped[language].aggregate
    floor = AGGREGATE_FLOORS[language]
    assert aggregate.items == 106
    # The labels' net tone on the test half: 36 - 38 of 106 (en) and 38 - 37 of 106 (es).
    assert aggregate.net_labelled == pytest.approx({"en": -2 / 106, "es": 1 / 106}[language])
    assert aggregate.net_r >= floor["net_r"]
    assert aggregate.net_mae <= floor["net_mae"]
    assert abs(aggregate.net_bias) <= floor["bias"]
    assert aggregate.mean_r >= 0.9
    table = format_report(shipped[language])
    assert "  tone over periods of 100 (1,000 Dirichlet mixes, test half): net tone r " in table
    assert "  net tone on the test half (106 items): scored " in table


REAL_LABELS = Path(__file__).resolve().parent.parent / "bench" / "corpus" / "labels"


@pytest.fixture(scope="module")
def real():
    """Reports on the labelled sentences of real news (bench/corpus/labels): language -> Report."""
    items = load_set(REAL_LABELS)
    return {language: evaluate(items, language) for language in ("en", "es")}


@pytest.mark.parametrize(("language", "floor"), [("en", 0.95), ("es", 0.80)])
def test_net_tone_of_real_news_is_read_without_bias(language, floor, real):
    # Real sentences labelled by the same guidelines (test half: 46 English, 50 Spanish): the scored
    # net tone stays within 0.10 of the labelled one in each language, so the mirror view's two
    # sides, read in two languages, are not pushed apart by the scorers.
    aggregate = real[language].aggregate
    assert aggregate.items == {"en": 46, "es": 50}[language]
    assert abs(aggregate.net_bias) <= 0.10 + 1e-9
    assert aggregate.net_r >= floor
    assert real[language].tone_accuracy >= {"en": 0.64, "es": 0.55}[language]


def _write_tone_only(folder: Path, rows: list[dict]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "en.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


TONE_ONLY = [
    {"id": "t-1", "text": "Peru and the United States signed a successful trade agreement.", "tone": "positive",
     "split": "test"},
    {"id": "t-2", "text": "Let us talk about the weather.", "tone": "neutral", "split": "test"},
    {"id": "t-3", "text": "Floods killed dozens of people and destroyed thousands of homes in the north.",
     "tone": "negative", "split": "test"},
    # Read as positive by the scorer: the test half's net tone is scored +0.25 against labelled 0.
    {"id": "t-4", "text": "Officials celebrated a record harvest of coffee.", "tone": "neutral", "split": "test"},
    {"id": "t-5", "text": "The ministry published its monthly statistics on Tuesday.", "tone": "neutral",
     "split": "dev"},
]  # fmt: skip


def test_a_tone_only_set_is_measured_on_tone_alone(tmp_path, capsys):
    _write_tone_only(tmp_path, TONE_ONLY)
    items = load_set(tmp_path)  # no es.jsonl: skipped
    assert [(i.id, i.countries, i.themes) for i in items][:1] == [("t-1", None, None)]
    assert main(["evaluate", "--set", str(tmp_path), "--split", "dev"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("en: 1 items\n  countries    not labelled in this set\n  themes       not labelled")
    assert "  tone over periods of 100 (1,000 Dirichlet mixes, test half): net tone r " in out
    assert "  net tone on the test half (4 items): scored +0.25, labelled +0.00 (bias +0.25)" in out
    assert "es:" not in out and "by theme" not in out
    assert main(["evaluate", "--set", str(tmp_path), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert (report["items"], report["countries"], report["themes"]) == (5, None, None)
    aggregate = report["tone"]["aggregate"]
    assert (aggregate["items"], aggregate["net_scored"], aggregate["net_labelled"]) == (4, 0.25, 0.0)
    assert (aggregate["periods"], aggregate["period_size"], aggregate["seed"]) == (1000, 100, 2026)


def test_a_set_without_every_tone_in_its_test_half_says_so(tmp_path):
    _write_tone_only(tmp_path, TONE_ONLY[1:])
    report = evaluate(load_set(tmp_path), "en")
    assert report.aggregate is None
    assert "  tone over periods: not measured (the 3 test items do not cover every tone)" in format_report(report)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"id": "x", "text": "t", "split": "test"},
            r"en.jsonl line 2: not a valid evaluation item \(no field 'tone'\)",
        ),
        ({"id": "x", "text": "t", "tone": "glad", "split": "test"}, r"en.jsonl line 2: unknown tone 'glad' in x"),
        ({"id": "x", "text": "t", "tone": "neutral", "split": "train"}, r"en.jsonl line 2: unknown split 'train'"),
    ],
)
def test_a_tone_only_set_is_still_checked(tmp_path, row, message):
    _write_tone_only(tmp_path, [TONE_ONLY[0], row])
    with pytest.raises(InputError, match=message):
        load_set(tmp_path)


def test_countries_and_themes_stay_required_where_the_set_labels_them(tmp_path):
    labelled = {"id": "a", "text": "t", "countries": [], "themes": [], "tone": "neutral", "split": "dev"}
    _write_tone_only(tmp_path, [labelled, {"id": "b", "text": "t", "tone": "neutral", "split": "dev"}])
    with pytest.raises(InputError, match=r"en.jsonl line 2: not a valid evaluation item \(no field 'countries'\)"):
        load_set(tmp_path)
    (tmp_path / "en.jsonl").unlink()
    with pytest.raises(InputError, match="holds neither en.jsonl nor es.jsonl"):
        load_set(tmp_path)
