"""Sentence splitting, per-sentence VADER tone and language detection."""

from __future__ import annotations

import pytest

from analytics.language import detect_language
from analytics.sentiment import english_analyzer, score_sentences, split_sentences, tone_label


def test_split_keeps_abbreviations_inside_sentences():
    text = 'The U.S. and Peru signed a deal. Officials welcomed it! EE.UU. y el Perú firmaron. "Good," Mr. Lee said.'
    assert split_sentences(text) == [
        "The U.S. and Peru signed a deal.",
        "Officials welcomed it!",
        "EE.UU. y el Perú firmaron.",
        '"Good," Mr. Lee said.',
    ]


def test_split_on_blank_lines_and_keeps_tail():
    assert split_sentences("Headline without stop\n\nBody one. Body two") == [
        "Headline without stop",
        "Body one.",
        "Body two",
    ]
    assert split_sentences("") == []


def test_article_tone_is_the_mean_of_sentence_tones():
    sentences = [
        "Officials praised the successful summit.",
        "The talks were held in Lima.",
        "Protesters condemned the violent crackdown.",
    ]
    tone = score_sentences(sentences, "en")
    assert len(tone.sentences) == 3
    assert tone.sentences[0] > 0.5 and tone.sentences[1] == 0.0 and tone.sentences[2] < -0.5
    assert tone.compound == pytest.approx(sum(tone.sentences) / 3, abs=1e-4)


def test_spanish_has_its_own_scorer_and_other_languages_none():
    from analytics.tone_es import spanish_analyzer

    sentence = "El gobierno celebró un acuerdo exitoso."
    tone = score_sentences([sentence], "es")
    assert tone.compound == round(spanish_analyzer().polarity_scores(sentence)["compound"], 4) > 0.5
    assert english_analyzer().polarity_scores(sentence)["compound"] != tone.compound  # not the English lexicon
    unscored = score_sentences(["O governo celebrou um acordo."], "pt")
    assert unscored.compound is None and tone_label(unscored.compound) == "unscored"


@pytest.mark.parametrize(
    ("value", "label"), [(0.05, "positive"), (0.049, "neutral"), (-0.049, "neutral"), (-0.05, "negative")]
)
def test_labels_follow_the_thresholds(value, label):
    assert tone_label(value) == label


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        ("EE.UU. y el Perú firmaron un acuerdo contra el narcotráfico.", "", "es"),
        ("Peru and the United States sign a pact against drug trafficking", "", "en"),
        ("O Brasil e os Estados Unidos assinaram um acordo comercial", "", "pt"),
        ("La France et le Pérou signent un accord sur le commerce", "", "fr"),
        ("Washington y Lima", "El canciller dijo que la reunión fue productiva para ambos países.", "es"),
        ("", "", "und"),
    ],
)
def test_language_detection(title, text, language):
    assert detect_language(title, text) == language
