"""The Spanish tone scorer: lexicon file, Spanish rules, and isolation from the English scorer."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment import vaderSentiment as vader_module
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.tone_es import (
    BOOSTER_DICT_ES,
    ES_LEXICON,
    NEGATE_ES,
    SpanishSentimentAnalyzer,
    fold,
    spanish_analyzer,
)


def compound(text: str) -> float:
    return spanish_analyzer().polarity_scores(text)["compound"]


POSITIVE = [
    "El canciller celebró el exitoso acuerdo comercial con Estados Unidos.",
    "Perú y Estados Unidos acordaron fortalecer la cooperación en seguridad.",
    "El embajador elogió el compromiso del Gobierno peruano con la lucha antidrogas.",
    "La visita de Estado fue calificada de histórica por ambos gobiernos.",
    "Los exportadores celebraron el nuevo acceso al mercado estadounidense.",
    "La DEA destacó el éxito del operativo conjunto en el Vraem.",
    "Los empresarios valoraron positivamente el tratado de libre comercio.",
    "La cumbre terminó con un importante avance en materia migratoria.",
    "El programa beneficiará a miles de familias en Piura.",
    "Washington felicitó a Lima por unas elecciones libres y pacíficas.",
    "Las autoridades expresaron su satisfacción por los buenos resultados.",
    "El nuevo fondo climático fue recibido con optimismo en la Amazonía.",
    "Ambos países se comprometieron a mejorar el intercambio académico.",
    "La donación de vacunas fue bien recibida por los trabajadores de salud.",
    "Los inversionistas mostraron confianza en la economía peruana.",
]
NEGATIVE = [
    "Los manifestantes condenaron la violenta represión policial.",
    "Al menos doce personas murieron en violentos enfrentamientos en Puno.",
    "El Gobierno enfrenta una grave crisis política tras el escándalo de corrupción.",
    "Perú rechazó las sanciones impuestas por Washington.",
    "Crece la tensión entre ambos países por los aranceles al cobre.",
    "Organizaciones de derechos humanos denunciaron abusos contra los migrantes.",
    "El fracaso de las negociaciones dejó preocupados a los inversionistas.",
    "Los vecinos viven con temor ante la ola de asesinatos.",
    "La masacre de campesinos desató la indignación nacional.",
    "El ataque contra la comisaría dejó tres policías heridos.",
    "Los críticos advirtieron que la economía podría empeorar.",
    "El derrame de petróleo causó graves daños a la pesca artesanal.",
    "La amenaza de nuevos aranceles genera incertidumbre entre los exportadores.",
    "Los congresistas acusaron al ministro de mentir sobre el contrato.",
    "La deportación masiva provocó protestas frente a la embajada.",
]
NEUTRAL = [
    "La reunión se realizará el martes en Lima.",
    "El ministro viajará a Washington la próxima semana.",
    "Las exportaciones de arándanos sumaron 1.500 millones de dólares en 2024.",
    "La delegación estadounidense llegó a Lima el lunes por la tarde.",
    "El informe será presentado ante el Congreso en marzo.",
    "La embajada publicó un comunicado sobre los requisitos de visa.",
    "El puerto de Chancay está ubicado al norte de Lima.",
    "Según el INEI, la población de Lima supera los diez millones.",
    "La Cancillería informó que el canciller se reunirá con su par estadounidense.",
    "Las elecciones están previstas para abril, informó la autoridad electoral.",
    "Las autoridades reportaron 20 detenciones vinculadas al narcotráfico en Lima.",
    "De acuerdo con la Sunat, el comercio bilateral alcanzó 20.000 millones.",
    "La cumbre se celebrará en Buenos Aires.",
]


@pytest.mark.parametrize("text", POSITIVE)
def test_positive_newswire(text):
    assert compound(text) >= 0.05


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative_newswire(text):
    assert compound(text) <= -0.05


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_newswire_scores_exactly_zero(text):
    assert compound(text) == 0.0


def test_exact_scores_follow_vader_arithmetic():
    # celebró 2.7 + exitoso 2.8 + acuerdo 2.2 = 7.7; VADER: 7.7 / sqrt(7.7^2 + 15)
    assert compound("El canciller celebró el exitoso acuerdo comercial con Estados Unidos.") == round(
        7.7 / math.sqrt(7.7**2 + 15), 4
    )
    assert compound("fue un éxito") == 0.5719  # éxito 2.7, as English "success"
    assert compound("La reunión se realizará el martes en Lima.") == 0.0


# -- negation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plain, negated",
    [
        ("fue un éxito", "no fue un éxito"),
        ("fue un éxito", "nunca fue un éxito"),
        ("la reunión fue productiva", "la reunión no fue productiva"),
        ("hubo avances", "no hubo avances"),
        ("el plan es bueno", "el plan tampoco es bueno"),
    ],
)
def test_negation_flips_positive(plain, negated):
    assert compound(plain) > 0
    assert compound(negated) < 0


def test_negation_flips_negative_like_vader_without():
    assert compound("hubo violencia") < 0
    assert compound("sin violencia") > 0


def test_negative_concord_negates_once():
    # "no ... ningún" is one negation in Spanish; VADER would multiply twice and flip back.
    assert compound("No hubo ningún avance en las negociaciones.") == compound("No hubo avance en las negociaciones.")
    assert compound("No hubo ningún avance en las negociaciones.") < 0


def test_negation_window_is_three_tokens():
    assert compound("no fue un éxito") < 0
    assert compound("no lo fue en ese momento un éxito") > 0


@pytest.mark.parametrize(
    "text",
    [
        "Sin embargo, fue un éxito.",
        "No obstante, fue un éxito.",
        "Sin duda fue un éxito.",
        "No cabe duda: fue un éxito.",
    ],
)
def test_markers_that_look_like_negations_do_not_negate(text):
    assert compound(text) > 0


def test_lack_of_negates_only_the_noun_after_de():
    assert compound("La falta de transparencia preocupa.") < compound("La transparencia preocupa.")
    assert compound("La falta de transparencia.") < 0


def test_superlative_menos_negates_and_al_menos_does_nothing():
    assert compound("Es la propuesta menos exitosa del año.") < 0
    assert compound("Fue el menos exitoso.") < 0
    assert 0 < compound("Fue menos exitoso que el anterior.") < compound("Fue exitoso.")
    assert compound("Al menos 10 personas murieron.") == compound("10 personas murieron.")


# -- intensifiers and dampeners --------------------------------------------------------------


@pytest.mark.parametrize("booster", ["muy", "sumamente", "extremadamente", "realmente", "increíblemente", "tan"])
def test_intensifiers_increase_magnitude(booster):
    assert compound(f"{booster} exitoso") > compound("exitoso")
    assert compound(f"{booster} violento") < compound("violento")


@pytest.mark.parametrize("dampener", ["poco", "apenas", "ligeramente", "algo", "casi"])
def test_dampeners_decrease_magnitude(dampener):
    assert 0 < compound(f"{dampener} exitoso") < compound("exitoso")
    assert compound("preocupado") < compound(f"{dampener} preocupado") < 0


def test_gravemente_intensifies_harm():
    assert compound("gravemente herido") < compound("herido")


def test_multiword_dampener_respects_sign():
    assert compound("preocupado") < compound("un tanto preocupado") < 0


def test_booster_scores_exactly_like_vader():
    # VADER adds B_INCR (0.293) to the valence of the next word: exitoso 2.8 -> 3.093.
    assert compound("muy exitoso") == round(3.093 / math.sqrt(3.093**2 + 15), 4)


# -- contrast and concession -----------------------------------------------------------------


@pytest.mark.parametrize("marker", ["pero", "sin embargo", "no obstante"])
def test_contrast_shifts_weight_to_second_clause(marker):
    # avances 1.3 x0.5, crisis -3.1 x1.5: the second clause dominates.
    assert compound(f"Hubo avances, {marker} la crisis continúa.") == round(
        (0.65 - 4.65) / math.sqrt((0.65 - 4.65) ** 2 + 15), 4
    )
    assert compound(f"Hubo una crisis, {marker} se logró un éxito.") > 0


def test_contrast_beats_plain_sum():
    assert compound("Hubo avances, pero la crisis continúa.") < compound("Hubo avances, la crisis continúa.")


def test_aunque_weakens_only_its_own_clause():
    weak_first = compound("Aunque hubo avances, la crisis continúa.")
    plain = compound("Hubo avances, la crisis continúa.")
    assert weak_first < plain < 0
    assert compound("La crisis continúa, aunque hubo avances.") < plain


def test_sino_tambien_is_not_a_contrast():
    assert compound("No solo celebró el acuerdo sino también elogió el plan.") == compound(
        "Celebró el acuerdo y elogió el plan."
    )


def test_mas_without_accent_is_a_contrast_only_after_a_comma():
    assert compound("Hubo avances, mas la crisis continúa.") == compound("Hubo avances, pero la crisis continúa.")
    assert compound("mas exitoso") == compound("más exitoso") > compound("exitoso")


# -- Spanish phrases and names ---------------------------------------------------------------


def test_de_acuerdo_con_means_according_to_unless_estar_precedes():
    assert compound("De acuerdo con el informe, hubo cambios.") == 0.0
    assert compound("Perú está de acuerdo con la propuesta.") > 0
    assert compound("Perú no está de acuerdo con la propuesta.") < 0


def test_celebrar_meaning_hold_is_neutral():
    assert compound("La cumbre se celebrará en Lima.") == 0.0
    assert compound("Perú celebrará elecciones en abril.") == 0.0
    assert compound("Los gremios celebraron la medida.") > 0


def test_names_made_of_positive_words_are_neutral():
    assert compound("El presidente viajó a Buenos Aires.") == 0.0
    assert compound("Los cancilleres de la Alianza del Pacífico se reunieron en La Paz.") == 0.0
    assert compound("Se firmó el Tratado de Libre Comercio.") == 0.0
    assert compound("La paz es posible.") > 0


def test_vale_la_pena_is_positive_and_negatable():
    assert compound("Vale la pena.") > 0
    assert compound("No vale la pena.") < 0


# -- tokenisation and accents ----------------------------------------------------------------


@pytest.mark.parametrize(
    "accented, stripped",
    [
        ("El acuerdo fue un éxito histórico.", "El acuerdo fue un exito historico."),
        ("La represión dejó víctimas.", "La represion dejo victimas."),
        ("Crece la tensión por la crisis.", "Crece la tension por la crisis."),
    ],
)
def test_text_without_accents_scores_the_same(accented, stripped):
    assert compound(stripped) == compound(accented) != 0.0


def test_unlisted_unaccented_form_falls_back_to_the_accented_entry(tmp_path: Path):
    lexicon = tmp_path / "tiny.txt"
    lexicon.write_text("# a tiny lexicon\néxito\t2.7\t0.0\t[2.7]\n", encoding="utf-8")
    analyzer = SpanishSentimentAnalyzer(lexicon_file=str(lexicon))
    assert "exito" not in analyzer.lexicon
    assert (
        analyzer.polarity_scores("fue un exito")["compound"] == analyzer.polarity_scores("fue un éxito")["compound"] > 0
    )
    assert analyzer.lexicon_words("fue un EXITO") == [("exito", 2.7)]


def test_accented_token_does_not_fall_back_to_an_unaccented_entry(tmp_path: Path):
    lexicon = tmp_path / "tiny.txt"
    lexicon.write_text("ira\t-2.7\t0.0\t[-2.7]\n", encoding="utf-8")
    analyzer = SpanishSentimentAnalyzer(lexicon_file=str(lexicon))
    assert analyzer.polarity_scores("El presidente irá a Lima.")["compound"] == 0.0
    assert analyzer.polarity_scores("La ira crece.")["compound"] < 0


def test_spanish_opening_marks_and_quotes_are_stripped():
    assert compound("¡Éxito!") == compound("Éxito!")
    assert compound("¿Éxito?") == compound("Éxito?")
    assert compound("«éxito»") == compound("éxito") > 0
    assert compound("“Fue un éxito”, dijo.") == compound("Fue un éxito, dijo.")
    assert spanish_analyzer().lexicon_words("¡¿«Éxito»?!") == [("éxito", 2.7)]


def test_short_words_lose_punctuation():
    # VADER keeps "no," whole (it protects two-letter emoticons); Spanish needs it to negate.
    assert compound("no, un éxito") < 0


def test_allcaps_emphasis_as_vader():
    assert compound("fue un ÉXITO total") > compound("fue un éxito total")


# -- lexicon_words ---------------------------------------------------------------------------


def test_lexicon_words_lists_tone_words_with_raw_valence():
    words = spanish_analyzer().lexicon_words("El canciller no celebró el muy exitoso acuerdo.")
    assert words == [("celebró", 2.7), ("exitoso", 2.8), ("acuerdo", 2.2)]


def test_lexicon_words_skips_neutralised_words():
    assert spanish_analyzer().lexicon_words("De acuerdo con el informe, llegó a Buenos Aires.") == []
    assert spanish_analyzer().lexicon_words("La reunión se realizará el martes.") == []


# -- the lexicon file ------------------------------------------------------------------------


def _lexicon_lines() -> list[str]:
    return Path(ES_LEXICON).read_text(encoding="utf-8").splitlines()


def test_lexicon_file_is_well_formed():
    words = []
    for line in _lexicon_lines():
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        assert len(fields) == 4, line
        word, mean, sd, ratings = fields
        assert word == word.strip().lower() and word, line
        assert -4.0 <= float(mean) <= 4.0, line
        assert float(sd) >= 0.0
        assert ratings.startswith("[") and ratings.endswith("]"), line
        words.append(word)
    assert len(words) == len(set(words)), "duplicate words"
    assert 2500 <= len(words) <= 5000


def test_lexicon_header_is_skipped():
    lines = _lexicon_lines()
    assert lines[0].startswith("#")
    assert not any(w.startswith("#") for w in spanish_analyzer().lexicon)
    entries = sum(1 for line in lines if line and not line.startswith("#"))
    assert len(spanish_analyzer().lexicon) == entries


def test_lexicon_has_inflections_and_unaccented_forms():
    lex = spanish_analyzer().lexicon
    for word in [
        "celebrar",
        "celebra",
        "celebran",
        "celebró",
        "celebraron",
        "celebro",
        "condenó",
        "condenaron",
        "condena",
        "exitoso",
        "exitosa",
        "exitosos",
        "exitosas",
        "éxito",
        "exito",
        "tensión",
        "tension",
        "tensiones",
    ]:
        assert word in lex, word


def test_lexicon_mirrors_vader_english_for_the_same_concept():
    lex = spanish_analyzer().lexicon
    english = SentimentIntensityAnalyzer().lexicon
    for es, en in [
        ("asesinato", "murder"),
        ("crisis", "crisis"),
        ("éxito", "success"),
        ("violencia", "violence"),
        ("exitoso", "successful"),
        ("muerte", "death"),
        ("acuerdo", "agreement"),
    ]:
        assert lex[es] == english[en], es


def test_topic_words_carry_no_valence():
    lex = spanish_analyzer().lexicon
    for topic in [
        "narcotráfico",
        "droga",
        "migración",
        "migrantes",
        "deportación",
        "arancel",
        "aranceles",
        "comercio",
        "elecciones",
        "seguridad",
        "salud",
        "unidos",
        "ilegal",
        "recompensa",
        "destruyó",
        "tema",
    ]:
        assert topic not in lex, topic


def test_direction_of_change_is_a_small_valence_that_harm_outweighs():
    # crecer +1.1, aumento +1.3, caída -1.1 mirror VADER's "increased", "increase", "drop" (as en_news.txt).
    assert compound("Las exportaciones crecieron 9%.") > 0
    assert compound("La caída del sol peruano.") < 0
    assert compound("El aumento de muertes por dengue.") < 0
    assert compound("Crece la tensión entre ambos países.") < 0


def test_marina_de_guerra_is_a_name():
    assert compound("La Marina de Guerra del Perú intervino una embarcación.") == 0.0
    assert compound("La guerra dejó miles de muertos.") < 0


def test_rule_words_are_not_lexicon_entries():
    lex = spanish_analyzer().lexicon
    folded_lex = {fold(w) for w in lex}
    assert not (set(BOOSTER_DICT_ES) | set(NEGATE_ES)) & folded_lex


# -- isolation from the English scorer -------------------------------------------------------

ENGLISH = [
    "The agreement was a great success.",
    "Protesters condemned the violent crackdown.",
    "The meeting will take place on Tuesday.",
    "It was not a success, but the talks were very productive.",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "At least it isn't a horrible book.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Without a doubt, an excellent idea.",
]


def test_english_analyzer_is_unchanged_by_the_spanish_one():
    constants = {
        name: repr(getattr(vader_module, name))
        for name in [
            "NEGATE",
            "BOOSTER_DICT",
            "SPECIAL_CASES",
            "SENTIMENT_LADEN_IDIOMS",
            "B_INCR",
            "B_DECR",
            "C_INCR",
            "N_SCALAR",
        ]
    }
    before = [SentimentIntensityAnalyzer().polarity_scores(s) for s in ENGLISH]
    english = SentimentIntensityAnalyzer()
    spanish = SpanishSentimentAnalyzer()
    for s in POSITIVE + NEGATIVE + NEUTRAL:
        spanish.polarity_scores(s)
        spanish_analyzer().lexicon_words(s)
    after = [english.polarity_scores(s) for s in ENGLISH]
    fresh = [SentimentIntensityAnalyzer().polarity_scores(s) for s in ENGLISH]
    assert before == after == fresh
    assert before[0]["compound"] > 0 and before[1]["compound"] < 0
    assert constants == {name: repr(getattr(vader_module, name)) for name in constants}
    assert "éxito" not in english.lexicon and "success" not in spanish.lexicon


def test_spanish_analyzer_is_built_once():
    assert spanish_analyzer() is spanish_analyzer()


# -- invariants ------------------------------------------------------------------------------

_LEXICON_WORDS = sorted(spanish_analyzer().lexicon)
_RULE_WORDS = sorted(set(BOOSTER_DICT_ES) | set(NEGATE_ES)) + [
    "pero",
    "sin embargo",
    "aunque",
    "no obstante",
    "sino",
    "mas",
    "al menos",
    "la menos",
    "de acuerdo",
    "se",
    "¡",
    "¿",
    "!",
    "?",
    ",",
    "«",
    "»",
    "EXITO",
    "CRISIS",
    "y",
    "el",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LEXICON_WORDS + _RULE_WORDS), min_size=0, max_size=40))
def test_compound_is_always_within_bounds(words):
    scores = spanish_analyzer().polarity_scores(" ".join(words))
    assert -1.0 <= scores["compound"] <= 1.0
    assert all(0.0 <= scores[k] <= 1.0 for k in ("neg", "neu", "pos"))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from([w for w in _LEXICON_WORDS if spanish_analyzer().lexicon[w] > 0]), min_size=1, max_size=6)
)
def test_only_positive_words_never_score_negative(words):
    assert compound(" ".join(words)) > 0


def test_compound_is_the_compound_of_polarity_scores():
    import json
    from pathlib import Path

    analyzer = spanish_analyzer()
    root = Path(__file__).resolve().parent.parent
    texts = [json.loads(line)["text"] for line in (root / "tests" / "eval" / "es.jsonl").open(encoding="utf-8")]
    texts += [
        json.loads(line)["text"] for line in (root / "bench" / "corpus" / "es_sentences.jsonl").open(encoding="utf-8")
    ]
    texts += ["¡Qué gran acuerdo! 😀", "", "¿Un fracaso?", "MUY buena noticia para el Perú"]
    assert len(texts) > 1900
    for text in texts:
        assert analyzer.compound(text) == analyzer.polarity_scores(text)["compound"], text
