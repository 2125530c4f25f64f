"""The whole enrichment of one article: relation tone, explanations, rule settings, batches."""

from __future__ import annotations

import pytest

from analytics.enrich import DyadRule, dyad_rule, enrich, enrich_many
from analytics.errors import InputError
from analytics.sentiment import english_analyzer

TEXT = (
    "Peru and the United States signed a successful agreement. Separately, China condemned violent protests in Chile."
)


def test_relation_tone_reads_only_the_sentences_about_the_pair():
    e = enrich("", TEXT, language="en")
    analyzer = english_analyzer()
    first = analyzer.polarity_scores("Peru and the United States signed a successful agreement.")["compound"]
    second = analyzer.polarity_scores("Separately, China condemned violent protests in Chile.")["compound"]
    tones = dict(zip(e.dyads, e.relation_tones, strict=True))
    assert tones["PER-USA"] == round(first, 4) and first > 0
    assert tones["CHL-CHN"] == round(second, 4) and second < 0
    assert tones["CHL-PER"] == round((first + second) / 2, 4)
    assert e.sentiment == round((first + second) / 2, 4)


def test_relation_tone_counts_title_sentences():
    e = enrich("Peru praises U.S. support", "The talks in Geneva were tense and bitter.", language="en")
    assert e.dyads == ("PER-USA",)
    praised = english_analyzer().polarity_scores("Peru praises U.S. support")["compound"]
    assert e.relation_tones == (round(praised, 4),)


def test_unscored_language_has_no_relation_tone():
    e = enrich("", "Perú y Estados Unidos firmaron un acuerdo.", language="xx")
    assert e.dyads == ("PER-USA",) and e.relation_tones == (None,) and e.sentiment is None


def test_explain_names_every_piece_of_evidence():
    record = enrich("Washington welcomes trade deal with Lima", "Officials praised the tariff cuts.").to_json(
        explain=True
    )
    explain = record["explain"]
    assert {(c["code"], c["matched"]) for c in explain["countries"]} == {("USA", "Washington"), ("PER", "Lima")}
    trade = next(t for t in explain["themes"] if t["theme"] == "trade")
    assert {term["matched"] for term in trade["terms"]} >= {"trade deal", "tariff"}
    words = {w["word"]: w["valence"] for s in explain["tone"] for w in s["words"]}
    assert words["welcomes"] > 0 and words["praised"] > 0
    assert [s["sentence"] for s in explain["tone"]] == ["Washington welcomes trade deal with Lima",
                                                         "Officials praised the tariff cuts."]  # fmt: skip
    assert record["relation_tone"]["PER-USA"] > 0


def test_batches_give_the_same_results_as_single_articles():
    docs = [("Peru and the US", "Lima welcomed it."), ("", "México y EE.UU. discuten la migración."), ("", "")]
    batch = enrich_many(docs)
    single = [enrich(t, x) for t, x in docs]
    assert [b.to_json(explain=True) for b in batch] == [s.to_json(explain=True) for s in single]


def test_dyad_rule_settings(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text("[dyads]\ntitle_weight = 2\nmin_share = 0.5\nmin_weight = 1.0\nmax_countries = 3\n")
    assert dyad_rule(good) == DyadRule(2, 0.5, 1.0, 3)
    bad = tmp_path / "bad.toml"
    bad.write_text("[dyads]\nmin_share = -1\n")
    with pytest.raises(InputError, match=r"\[dyads\] min_share must be a positive number"):
        dyad_rule(bad)
    bad.write_text("[dyads]\nmax_countries = 1\n")
    with pytest.raises(InputError, match="at least 2"):
        dyad_rule(bad)
    assert dyad_rule() == DyadRule()  # the shipped settings are the documented defaults


def test_a_batch_leaves_the_garbage_collector_as_it_found_it():
    import gc

    assert gc.isenabled()
    enrich_many([("Peru and Chile", "Lima, 3 May.")])
    assert gc.isenabled()
    with pytest.raises(ValueError):
        enrich_many([("a", "b")], languages=["en", "es"])  # one language too many
    assert gc.isenabled()
    gc.disable()
    try:
        enrich_many([("Peru and Chile", "Lima, 3 May.")])
        assert not gc.isenabled()
    finally:
        gc.enable()
