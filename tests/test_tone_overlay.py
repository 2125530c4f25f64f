"""The English news overlay: its strict loader, its isolation from VADER, and the scores it changes."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from vaderSentiment import vaderSentiment as vader_module
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.errors import InputError
from analytics.sentiment import EN_NEWS_OVERLAY, english_analyzer, news_analyzer, read_overlay


def compound(text: str) -> float:
    return english_analyzer().polarity_scores(text)["compound"]


def vader(valence_sum: float) -> float:
    # VADER's normalisation of a sentence's summed valence (alpha 15), rounded as polarity_scores does.
    return round(valence_sum / math.sqrt(valence_sum**2 + 15), 4)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "overlay.txt"
    path.write_text(body, encoding="utf-8")
    return path


# -- the loader ------------------------------------------------------------------------------


def test_reads_entries_and_skips_comments_and_blank_lines(tmp_path):
    path = write(tmp_path, "# header\n\nrose\t1.1\t0.0\t[1.1]\n# group\nunited\t0.0\t0.0\t[0.0]\n")
    assert read_overlay(path) == {"rose": 1.1, "united": 0.0}


@pytest.mark.parametrize(
    "line, message",
    [
        ("rose 1.1 0.0 [1.1]", "got 1 field"),
        ("rose\t1.1\t0.0", "got 3 field"),
        ("Rose\t1.1\t0.0\t[1.1]", "lower-case"),
        ("two words\t1.1\t0.0\t[1.1]", "lower-case"),
        ("rose\thigh\t0.0\t[1.1]", "must be numbers"),
        ("rose\t4.5\t0.0\t[4.5]", "in [-4, 4]"),
        ("rose\tnan\t0.0\t[1.1]", "in [-4, 4]"),
        ("rose\t1.1\t-1\t[1.1]", "sd >= 0"),
        ("rose\t1.1\t0.0\t1.1", "bracketed"),
    ],
)
def test_bad_line_raises_naming_file_and_line(tmp_path, line, message):
    path = write(tmp_path, f"# header\nfell\t-1.1\t0.0\t[-1.1]\n{line}\n")
    with pytest.raises(InputError, match=re.escape(message)) as info:
        read_overlay(path)
    assert f"{path} line 3" in str(info.value)


def test_duplicate_word_is_an_error(tmp_path):
    path = write(tmp_path, "rose\t1.1\t0.0\t[1.1]\nrose\t1.2\t0.0\t[1.2]\n")
    with pytest.raises(InputError, match=r"line 2: 'rose' is listed twice"):
        read_overlay(path)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(InputError, match="cannot be read"):
        read_overlay(tmp_path / "absent.txt")


def test_project_overlay_loads_and_has_a_header():
    lines = EN_NEWS_OVERLAY.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#")
    entries = read_overlay(EN_NEWS_OVERLAY)
    assert len(entries) == sum(1 for line in lines if line and not line.startswith("#"))
    assert entries["united"] == 0.0 and entries["rose"] == 1.1 and entries["alert"] == -1.0


# -- isolation -------------------------------------------------------------------------------


def test_overlay_changes_only_the_instance_lexicon():
    lexicon_before = dict(SentimentIntensityAnalyzer().lexicon)
    constants = repr((vader_module.BOOSTER_DICT, vader_module.NEGATE, vader_module.SPECIAL_CASES))
    analyzer = news_analyzer()
    assert analyzer.lexicon["united"] == 0.0 and analyzer.lexicon["rose"] == 1.1
    fresh = SentimentIntensityAnalyzer()
    assert fresh.lexicon == lexicon_before
    assert fresh.lexicon["united"] == 1.8 and "rose" not in fresh.lexicon
    assert constants == repr((vader_module.BOOSTER_DICT, vader_module.NEGATE, vader_module.SPECIAL_CASES))


def test_english_analyzer_is_built_once_with_the_overlay():
    assert english_analyzer() is english_analyzer()
    assert english_analyzer().lexicon["security"] == 0.0


# -- scores the overlay changes (exact, VADER's arithmetic) ----------------------------------


def test_topic_words_no_longer_score():
    text = "Peru and the United States held a security dialogue in Lima."
    assert SentimentIntensityAnalyzer().polarity_scores(text)["compound"] == vader(1.8 + 1.4)  # united, security
    assert compound(text) == 0.0


def test_police_procedure_is_neutral():
    text = "Police arrested three men and destroyed a drug laboratory."
    assert SentimentIntensityAnalyzer().polarity_scores(text)["compound"] == vader(-2.1 - 2.2)
    assert compound(text) == 0.0


def test_direction_of_change_scores_like_vader_increase_and_drop():
    assert compound("Exports rose 9% in the first half.") == vader(1.1)
    assert compound("Exports fell 9% in the first half.") == vader(-1.1)
    # A harm noun outweighs the direction: deaths -2.9 + rose 1.1.
    assert compound("Deaths rose 9% in the first half.") == vader(-2.9 + 1.1) < 0


def test_alert_is_a_warning():
    assert SentimentIntensityAnalyzer().polarity_scores("Peru declared a health alert.")["compound"] > 0
    assert compound("Peru declared a health alert.") == vader(-1.0)


def test_benefit_given_is_positive():
    assert compound("The United States donated vaccines to Peru.") == vader(1.9)  # united 0, donated 1.9


def test_news_analyzer_scores_exactly_as_vader():
    from analytics.sentiment import split_sentences

    analyzer = english_analyzer()
    root = Path(__file__).resolve().parent.parent
    texts = [json.loads(line)["text"] for line in (root / "tests" / "eval" / "en.jsonl").open(encoding="utf-8")]
    for line in (root / "bench" / "corpus" / "en.jsonl").open(encoding="utf-8"):
        texts += split_sentences(json.loads(line)["text"])
    texts += ["Great deal 😀 for Peru!", "  KIND of a bad day, but not terrible.  ", "", "😡", "It was kind of good."]
    assert len(texts) > 2000
    for text in texts:
        # The base class's method on the same instance: VADER's own path, with the same lexicon.
        assert analyzer.polarity_scores(text) == SentimentIntensityAnalyzer.polarity_scores(analyzer, text), text
        assert analyzer.compound(text) == analyzer.polarity_scores(text)["compound"]
