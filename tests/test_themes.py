"""Theme tagger: exact themes of real sentences, matching rules, offsets, lexicon validation."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import themes
from analytics.errors import InputError
from analytics.schema import THEME_LABELS, THEMES
from analytics.themes import LexiconError, load_lexicon, tag_themes

LEX = themes.default_lexicon()


def themes_of(text: str) -> tuple[str, ...]:
    return tag_themes(text).themes


# -- the examples of the brief ------------------------------------------------------------------


def test_narcotrafico_agreement_is_security_and_diplomacy():
    result = tag_themes("EE.UU. y el Perú firmaron un acuerdo contra el narcotráfico.")
    assert result.themes == ("security", "diplomacy")
    assert result.scores == {"security": 2.0, "diplomacy": 1.0}
    assert [(h.theme, h.term) for h in result.hits] == [
        ("diplomacy", "firmaron un acuerdo"),
        ("security", "narcotráfico"),
    ]


def test_tariffs_on_copper_exports_are_trade_and_energy():
    assert themes_of("Washington imposed new tariffs on Peruvian copper exports") == (
        "trade",
        "energy",
    )


def test_deportation_flights_are_migration():
    result = tag_themes("Deportation flights to Lima resumed")
    assert result.themes == ("migration",)
    assert [h.matched for h in result.hits] == ["Deportation flights"]


def test_trade_winds_are_not_trade():
    assert tag_themes("trade winds").hits == ()
    assert themes_of("Strong trade winds delayed the regatta off Callao.") == ()


def test_one_weak_term_alone_does_not_tag():
    result = tag_themes("The president will visit Lima next week.")
    assert result.themes == ()
    assert result.scores == {"diplomacy": 0.5}
    assert [h.term for h in result.hits] == ["visit"]


def test_a_repeated_weak_term_counts_once():
    result = tag_themes("A visit to Lima, then a visit to Cusco, then another visit.")
    assert result.themes == ()
    assert result.scores == {"diplomacy": 0.5}
    assert len(result.hits) == 3


def test_two_different_weak_terms_reach_the_threshold():
    result = tag_themes("She visited Lima on a visit arranged weeks ago.")
    assert result.themes == ("diplomacy",)
    assert result.scores == {"diplomacy": 1.0}


# -- one realistic sentence per theme and language ----------------------------------------------

ENGLISH = [
    (
        "Peruvian police seized two tonnes of cocaine bound for the United States in an operation backed by the DEA.",
        ("security",),
    ),
    (
        "Thousands of Venezuelan migrants crossed the border into Peru seeking asylum.",
        ("migration",),
    ),
    (
        "Peru's exports to China rose 12% as the free trade agreement cut tariffs on fishmeal.",
        ("trade",),
    ),
    (
        "The foreign minister met the US ambassador in Lima ahead of the APEC summit.",
        ("diplomacy",),
    ),
    (
        "Illegal logging and illegal fishing are accelerating deforestation in the Peruvian Amazon, scientists warned.",
        ("environment",),
    ),
    (
        "Health officials reported a surge in dengue cases as hospitals in Piura ran out of beds.",
        ("health",),
    ),
    (
        "The museum returned 40 pre-Columbian artifacts to Peru under a cultural heritage agreement.",
        ("culture",),
    ),
    (
        "Congress voted to remove the president amid corruption allegations, raising concerns about the rule of law.",
        ("governance",),
    ),
    (
        "USAID sent humanitarian aid to families displaced by floods in northern Peru.",
        ("humanitarian",),
    ),
    (
        "Rising fuel prices and a shortage of fertilizer hit farmers as the lithium and copper boom slowed.",
        ("energy",),
    ),
]

SPANISH = [
    (
        "La policía incautó una tonelada de cocaína en el VRAEM en un operativo contra el crimen organizado.",
        ("security",),
    ),
    (
        "Miles de migrantes venezolanos cruzaron la frontera; Migraciones anunció nuevas deportaciones.",
        ("migration",),
    ),
    (
        "Las exportaciones peruanas a Estados Unidos crecieron gracias al Tratado de Libre "
        "Comercio, pese a los nuevos aranceles.",
        ("trade",),
    ),
    (
        "El canciller se reunió con el embajador de Estados Unidos antes de la cumbre de APEC.",
        ("diplomacy",),
    ),
    # Illegal mining is both an environmental and a security story.
    (
        "La deforestación y la minería ilegal amenazan la Amazonía, advirtió el Ministerio del Ambiente.",
        ("security", "environment"),
    ),
    ("El Minsa inició la vacunación contra el dengue en los hospitales de Piura.", ("health",)),
    (
        "Estados Unidos devolvió al Perú piezas arqueológicas y huacos para proteger el patrimonio cultural.",
        ("culture",),
    ),
    (
        "El Congreso aprobó la vacancia presidencial en medio de denuncias de corrupción y críticas de la CIDH.",
        ("governance",),
    ),
    (
        "Estados Unidos donó alimentos y ayuda humanitaria a los damnificados por las lluvias.",
        ("humanitarian",),
    ),
    (
        "El alza del precio de los combustibles y de los fertilizantes golpea a los agricultores, dijo Petroperú.",
        ("energy",),
    ),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH, ids=[e[1][-1] for e in ENGLISH])
def test_english_sentence(text, expected):
    assert themes_of(text) == expected


@pytest.mark.parametrize(("text", "expected"), SPANISH, ids=[e[1][-1] for e in SPANISH])
def test_spanish_sentence(text, expected):
    assert themes_of(text) == expected


def test_the_sentences_cover_every_theme_in_both_languages():
    for sentences in (ENGLISH, SPANISH):
        assert {t for _, expected in sentences for t in expected} == set(THEMES)


# -- matching rules -----------------------------------------------------------------------------


def test_accents_do_not_matter():
    plain, accented = tag_themes("deportacion"), tag_themes("deportación")
    assert plain.themes == accented.themes == ("migration",)
    assert [h.term for h in plain.hits] == [h.term for h in accented.hits] == ["deportación"]
    assert plain.hits[0].matched == "deportacion"
    assert themes_of("NARCOTRÁFICO") == themes_of("narcotrafico") == ("security",)


def test_decomposed_accents_stay_inside_the_hit():
    text = unicodedata.normalize("NFD", "Más deportación.")
    (hit,) = tag_themes(text).hits
    assert hit.matched == text[hit.start : hit.end] == unicodedata.normalize("NFD", "deportación")


def test_soft_hyphens_and_zero_width_marks_are_ignored():
    text = "El narco\u00adtráfico y el crimen\u200b organizado"
    result = tag_themes(text)
    assert [(h.term, h.matched) for h in result.hits] == [
        ("narcotráfico", "narco\u00adtráfico"),
        ("crimen organizado", "crimen\u200b organizado"),
    ]


def test_star_matches_words_starting_with_the_stem():
    result = tag_themes("Refugees and narcotraficantes")
    assert [(h.term, h.matched) for h in result.hits] == [
        ("refugee*", "Refugees"),
        ("narcotraficante*", "narcotraficantes"),
    ]


def test_words_match_whole_only():
    # "deport*" would have matched Spanish "deportes" (sports): deportation is listed word by word.
    for text in (
        "Los deportes y el deportista",
        "It is important to hold a consultation",
        "He said the soil in Las Vegas is dry",
        "The hospitality sector",
    ):
        assert tag_themes(text).hits == (), text


@pytest.mark.parametrize(
    "text",
    [
        "Alianza Lima venció a Universitario en el clásico.",  # a football club
        "Inca Kola is sold in every shop in Lima.",  # a soft drink, not the Incas
        "Un cartel en la plaza decía: bienvenidos.",  # Spanish "cartel" is also a sign
        "Agua mineral para todos",
        "Hallaron un artefacto explosivo.",  # an explosive device, not an artefact
        "La homologación de títulos tarda meses.",  # not "homólogo" (counterpart)
        "The startup ecosystem is growing",
        "Coca-Cola raised prices",
        "The US embassy did not respond to a request for comment.",
        "Strong trade winds and a trade-off",
    ],
)
def test_false_friends_tag_nothing(text):
    assert themes_of(text) == ()


def test_capitalised_terms_match_only_that_case():
    assert [h.term for h in tag_themes("The UN envoy arrived").hits] == ["UN", "envoy*"]
    assert tag_themes("un tratado").scores == {"diplomacy": 0.5}  # "tratado", not "UN"
    assert "DEA" in [h.term for h in tag_themes("Agents of the DEA").hits]
    # Peru's newspaper El Comercio is not trade; el comercio bilateral is.
    assert themes_of("Según informó El Comercio, el presidente viajó.") == ()
    assert themes_of("El comercio con China creció.") == ("trade",)


def test_phrases_match_across_whitespace_runs_and_line_breaks():
    text = "Peru  signed a free\n  trade   agreement."
    result = tag_themes(text)
    assert result.themes == ("trade",)
    (hit,) = [h for h in result.hits if h.theme == "trade"]
    assert hit.term == "free trade agreement"
    assert hit.matched == text[hit.start : hit.end] == "free\n  trade   agreement"


def test_hyphens_and_spaces_are_the_same():
    for text in ("a free-trade zone", "a free trade zone", "a free\u2013trade zone"):
        assert [h.term for h in tag_themes(text).hits] == ["free trade"], text


def test_the_longer_hit_of_a_theme_wins():
    result = tag_themes("drug trafficking")
    assert [(h.theme, h.term) for h in result.hits] == [("security", "drug trafficking")]


def test_overlapping_hits_of_a_theme_count_once():
    # "free trade" and "trade deal" overlap on "trade": the leftmost, longest hit keeps it.
    result = tag_themes("a free trade deal")
    assert [(h.term, h.matched) for h in result.hits] == [
        ("free trade", "free trade"),
        ("deal", "deal"),
    ]
    assert result.scores == {"trade": 2.5}


def test_exclude_phrases_cancel_the_theme_they_belong_to():
    result = tag_themes("The UN Security Council met on Venezuela.")
    assert result.themes == ("diplomacy",)
    assert "security" not in result.scores
    result = tag_themes("La seguridad alimentaria preocupa a la FAO.")
    assert result.themes == ("humanitarian",)
    assert "security" not in result.scores
    assert "energy" not in tag_themes("Police used tear gas on protesters.").scores
    assert tag_themes("tear gas").hits == ()


def test_a_state_of_emergency_is_not_health():
    assert themes_of("The government declared a state of emergency in Lima.") == ()


def test_case_and_repetition_do_not_change_a_strong_term():
    result = tag_themes("COCAINE, cocaine and Cocaine")
    assert result.themes == ("security",)
    assert result.scores == {"security": 2.0}
    assert len(result.hits) == 3


def test_empty_text():
    assert tag_themes("") == themes.ThemeResult(themes=(), scores={}, hits=())


def test_hits_are_in_text_order_and_themes_in_schema_order():
    result = tag_themes("Copper exports and cocaine seizures")
    assert [h.start for h in result.hits] == sorted(h.start for h in result.hits)
    assert result.themes == tuple(t for t in THEMES if t in result.themes)


# -- offsets, on any text -------------------------------------------------------------------------

_TERMS = [t for t in LEX.terms]


@st.composite
def _term_piece(draw) -> str:
    term = draw(st.sampled_from(_TERMS))
    written = term.term.rstrip("*")
    if term.prefix:
        written += draw(st.text(alphabet="aeinost", max_size=4))
    if term.case_sensitive:
        return written
    written = draw(st.sampled_from([str.lower, str.upper, str.title, str]))(written)
    if draw(st.booleans()):
        written = "".join(c for c in unicodedata.normalize("NFD", written) if not unicodedata.combining(c))
    return written


_FILLER = st.text(alphabet="abcdeñóÁÉxyz .,-'\u0301\u00ad\u200b\u2019İßﬁ\n\t", max_size=10)
_SEPARATOR = st.sampled_from([" ", "  ", "\n", " \n\n ", ", ", ". ", " - ", "\t", "\u00a0"])


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.one_of(_term_piece(), _FILLER), max_size=12),
    separators=st.lists(_SEPARATOR, min_size=12, max_size=12),
)
def test_hit_offsets_point_into_the_original_text(pieces, separators):
    text = "".join(p + s for p, s in zip(pieces, separators, strict=False))
    result = tag_themes(text)
    for hit in result.hits:
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end] == hit.matched
        key = themes._fold_term(hit.matched, themes._FOLD_LOWER)
        assert key.startswith(themes._fold_term(hit.term.rstrip("*"), themes._FOLD_LOWER))
    for theme in result.themes:
        assert result.scores[theme] >= LEX.min_score
    assert set(result.scores) == {h.theme for h in result.hits}


# -- the shipped lexicon -----------------------------------------------------------------------


def test_every_theme_has_english_and_spanish_terms():
    for theme in THEMES:
        assert len(LEX.terms_of(theme, "en")) >= 40, theme
        assert len(LEX.terms_of(theme, "es")) >= 40, theme


def test_labels_agree_with_the_schema():
    assert dict(LEX.labels) == THEME_LABELS


def test_every_term_alone_is_found_for_its_theme():
    # Catches an exclude phrase that cancels one of its own theme's terms.
    lost = [
        f"{t.theme}: {t.term}"
        for t in LEX.terms
        if t.theme not in tag_themes(t.term.rstrip("*") + ("s" if t.prefix else "")).scores
    ]
    assert lost == []


def test_the_default_lexicon_is_built_once():
    assert themes.default_lexicon() is themes.default_lexicon()


def test_fingerprint_is_a_short_hash_of_the_file(tmp_path):
    assert themes.lexicon_fingerprint() == LEX.fingerprint
    assert len(LEX.fingerprint) == 12
    path = _write(tmp_path)
    before = themes.lexicon_fingerprint(path)
    assert load_lexicon(path).fingerprint == before
    path.write_text(path.read_text() + "\n# a comment\n", encoding="utf-8")
    assert themes.lexicon_fingerprint(path) != before


# -- validation of the lexicon file ---------------------------------------------------------------


def _write(tmp_path: Path, extra: str = "", *, skip: str = "", head: str = "min_score = 1.0") -> Path:
    lines = [head]
    for theme in THEMES:
        if theme != skip:
            lines += [
                f"[{theme}]",
                f'label = "{theme.title()}"',
                f"[{theme}.en]",
                f'"{theme}word" = 1.0',
            ]
    path = tmp_path / "themes.toml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(LexiconError) as info:
        load_lexicon(path)
    assert isinstance(info.value, ValueError) and isinstance(info.value, InputError)
    message = str(info.value)
    assert str(path) in message
    return message


def test_a_minimal_lexicon_loads_and_tags(tmp_path):
    lex = load_lexicon(_write(tmp_path, '[security.es]\n"narcotráfico" = 2.0\n'))
    assert tag_themes("el NARCOTRAFICO y tradeword", lexicon=lex).themes == ("security", "trade")


def test_unknown_theme_is_named(tmp_path):
    message = _error(_write(tmp_path, '[sports]\nlabel = "Sports"\n[sports.en]\n"football" = 1.0\n'))
    assert "unknown theme 'sports'" in message
    assert "security" in message  # lists the valid ids


@pytest.mark.parametrize("weight", ['"high"', "0", "-1.0", "true", "6"])
def test_bad_weight_names_theme_and_term(tmp_path, weight):
    message = _error(_write(tmp_path, f'[energy.es]\n"petróleo" = {weight}\n'))
    assert "theme 'energy'" in message
    assert "term 'petróleo'" in message
    assert "weight must be a number above 0 and at most 5" in message


def test_missing_theme_is_named(tmp_path):
    assert "theme 'health' is missing" in _error(_write(tmp_path, skip="health"))


def test_misspelt_key_is_named(tmp_path):
    message = _error(_write(tmp_path, '[culture.fr]\n"musée" = 1.0\n'))
    assert "theme 'culture'" in message and "unknown key 'fr'" in message


def test_star_only_at_the_end_of_a_long_enough_stem(tmp_path):
    message = _error(_write(tmp_path, '[migration.es]\n"de*port" = 1.0\n'))
    assert "theme 'migration', term 'de*port'" in message
    message = _error(_write(tmp_path, '[migration.es]\n"ex*" = 1.0\n'))
    assert "term 'ex*'" in message and "at least 4 letters" in message


def test_bad_exclude_is_named(tmp_path):
    path = _write(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        '[trade]\nlabel = "Trade"', '[trade]\nlabel = "Trade"\nexclude = ["trade winds", 3]'
    )
    path.write_text(text, encoding="utf-8")
    assert "theme 'trade', exclude 3" in _error(path)


def test_bad_min_score_is_named(tmp_path):
    assert "min_score" in _error(_write(tmp_path, head='min_score = "one"'))


def test_invalid_toml_and_duplicate_terms_are_reported(tmp_path):
    message = _error(_write(tmp_path, '[trade.es]\n"comercio" = 1.0\n"comercio" = 2.0\n'))
    assert "not valid TOML" in message


def test_a_missing_file_is_reported(tmp_path):
    assert "cannot read" in _error(tmp_path / "nope.toml")
