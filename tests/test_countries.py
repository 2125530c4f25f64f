"""Tests for analytics.countries: gazetteer data, mention matching, traps and the dyad rule."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.countries import (
    DATA_DIR,
    GazetteerError,
    Mention,
    assign_dyads,
    countries_of,
    country_weights,
    find_mentions,
)


def codes(text: str, title: str = "", **kw) -> list[str]:
    return countries_of(find_mentions(text, title, **kw))


def matched(text: str, **kw) -> list[tuple[str, str]]:
    return [(m.code, m.matched) for m in find_mentions(text, **kw)]


def gazetteer_rows() -> list[list[str]]:
    lines = (DATA_DIR / "gazetteer" / "countries.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines[1:] if line and not line.startswith("#")]


# --- the data ---------------------------------------------------------------------------------


def test_every_iso_country_has_english_and_spanish_rows():
    rows = gazetteer_rows()
    langs: dict[str, set[str]] = {}
    for code, lang, *_ in rows:
        langs.setdefault(code, set()).update({"en", "es"} if lang == "*" else {lang})
    missing = [c.alpha_3 for c in pycountry.countries if langs.get(c.alpha_3, set()) != {"en", "es"}]
    assert missing == []
    assert set(langs) <= {c.alpha_3 for c in pycountry.countries}


def test_lower_case_words_are_exact_case_terms():
    cases = {(row[3], row[4]) for row in gazetteer_rows()}
    for term in [
        "China",
        "Turkey",
        "Chile",
        "Chad",
        "Jordan",
        "Guinea",
        "Niger",
        "US",
        "USA",
        "Oman",
    ]:
        assert (term, "exact") in cases, term


# --- matching ---------------------------------------------------------------------------------


def test_spanish_agreement_sentence_is_peru_us():
    mentions = find_mentions("EE.UU. y el Perú firmaron un acuerdo contra el narcotráfico.")
    assert [(m.code, m.matched, m.kind) for m in mentions] == [
        ("USA", "EE.UU.", "short"),
        ("PER", "Perú", "name"),
    ]
    assert countries_of(mentions) == ["PER", "USA"]
    assert assign_dyads(mentions) == ["PER-USA"]


def test_lower_case_food_and_pronouns_are_not_countries():
    assert find_mentions("Lima beans and chile peppers are on the menu for us.") == []
    assert find_mentions("She served turkey on fine china; join us.", lang="en") == []


def test_case_decides_us_turkey_china():
    assert codes("US and Turkey talk; China too.") == ["CHN", "TUR", "USA"]
    assert codes("Let us talk turkey about china.", lang="en") == []


def test_dollar_sign_is_not_the_united_states():
    assert find_mentions("Una inversión de US$ 500 millones y US$20 más.") == []


def test_new_mexico_is_not_mexico():
    text = "New Mexico officials met Mexican diplomats in Mexico City"
    assert matched(text) == [("MEX", "Mexican"), ("MEX", "Mexico City")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Niger and Nigeria", [("NER", "Niger"), ("NGA", "Nigeria")]),
        ("Níger y Nigeria", [("NER", "Níger"), ("NGA", "Nigeria")]),
        (
            "Dominica and the Dominican Republic",
            [("DMA", "Dominica"), ("DOM", "Dominican Republic")],
        ),
        ("Dominica y República Dominicana", [("DMA", "Dominica"), ("DOM", "República Dominicana")]),
        (
            "the Republic of the Congo and the Democratic Republic of the Congo",
            [("COG", "Republic of the Congo"), ("COD", "Democratic Republic of the Congo")],
        ),
        ("Congo-Brazzaville, not the DRC", [("COG", "Congo-Brazzaville"), ("COD", "DRC")]),
        ("North Korea and South Korea", [("PRK", "North Korea"), ("KOR", "South Korea")]),
        ("Corea del Norte y Corea del Sur", [("PRK", "Corea del Norte"), ("KOR", "Corea del Sur")]),
        ("Sudan and South Sudan", [("SDN", "Sudan"), ("SSD", "South Sudan")]),
        ("Sudán y Sudán del Sur", [("SDN", "Sudán"), ("SSD", "Sudán del Sur")]),
        (
            "Guinea, Guinea-Bissau, Equatorial Guinea and Papua New Guinea",
            [
                ("GIN", "Guinea"),
                ("GNB", "Guinea-Bissau"),
                ("GNQ", "Equatorial Guinea"),
                ("PNG", "Papua New Guinea"),
            ],
        ),
        (
            "Guinea Ecuatorial y Papúa Nueva Guinea",
            [("GNQ", "Guinea Ecuatorial"), ("PNG", "Papúa Nueva Guinea")],
        ),
    ],
)
def test_look_alike_countries_resolve(text, expected):
    assert matched(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Michael Jordan, Chad Smith and Paris Hilton were there.",
        "Washington State and George Washington",
        "the Washington state legislature",
        "Latin America and South America",
        "a guinea pig in New Guinea",
        "Native Americans and Latin Americans",
        "the Gulf of Mexico and the Indian Ocean",
        "Checo Pérez ganó en Santiago de Compostela",
        "Niños de Villa El Salvador y una empresa de British Columbia",
        "la Convención Americana; the American Convention on Human Rights",
        "la demora se ha vuelto una china en el zapato",
        "sombreros de Panamá y nuez de Brasil; clases de portugués",
        "mercurio en el río Santiago",
    ],
)
def test_traps_produce_nothing(text):
    assert find_mentions(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Israel Reyes scored twice for Alianza Lima.", []),
        ("La jueza Argentina Quispe dictó prisión preventiva.", []),
        ("La vicepresidenta Francia Márquez llegó a Lima.", [("PER", "Lima")]),
        ("Santiago Rojas pidió reabrir el paso; Santiago respondió.", [("CHL", "Santiago")]),
        ("Israel said on Monday that Israel Defense Forces would stay.", [("ISR", "Israel"), ("ISR", "Israel")]),
        ("Francia y Argentina firmaron; Argentina, Chile.", [("FRA", "Francia"), ("ARG", "Argentina"),
                                                          ("ARG", "Argentina"), ("CHL", "Chile")]),
    ],
)  # fmt: skip
def test_country_names_that_are_given_names(text, expected):
    assert matched(text) == expected


def test_torre_tagle_is_peru():
    assert matched("Torre Tagle expresó su preocupación.") == [("PER", "Torre Tagle")]


def test_given_name_rule_leaves_titles_alone():
    # English headlines capitalise every word: "Israel Strikes Back" is about Israel.
    assert [m.code for m in find_mentions("", "Israel Strikes Back")] == ["ISR"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("el Premio Nobel de la Paz, en La Paz", [("BOL", "La Paz")]),
        ("la moneda peruana; La Moneda", [("PER", "peruana"), ("CHL", "La Moneda")]),
        ("la Casa Blanca y el Kremlin", [("USA", "Casa Blanca"), ("RUS", "Kremlin")]),
        ("la línea del ecuador; Ecuador", [("ECU", "Ecuador")]),
        (
            "Estados Unidos Mexicanos y Estados Unidos",
            [("MEX", "Estados Unidos Mexicanos"), ("USA", "Estados Unidos")],
        ),
        ("Santiago Peña visitó Santiago de Chile", [("CHL", "Santiago de Chile")]),
        ("Real Madrid ganó en Madrid", [("ESP", "Madrid")]),
    ],
)
def test_spanish_words_that_look_like_places(text, expected):
    assert matched(text) == expected


def test_capitals_stand_for_their_states():
    assert matched("Washington and Lima") == [("USA", "Washington"), ("PER", "Lima")]
    assert codes("Talks between Beijing and Bogotá, Pekín y Moscú") == ["CHN", "COL", "RUS"]
    assert [m.kind for m in find_mentions("Ciudad de México")] == ["capital"]


def test_accented_and_unaccented_spanish():
    assert codes("Peru, Perú, Mexico, México, Panamá") == ["MEX", "PAN", "PER"]
    assert matched("Relaciones Peru-Mexico") == [("PER", "Peru"), ("MEX", "Mexico")]


def test_spanish_demonyms():
    assert matched("los peruanos y los estadounidenses") == [
        ("PER", "peruanos"),
        ("USA", "estadounidenses"),
    ]
    assert codes("empresas chinas y la cancillería peruana") == ["CHN", "PER"]
    assert codes("funcionarios norteamericanos") == ["USA"]


def test_english_demonyms():
    assert codes("Peruvian and American officials") == ["PER", "USA"]
    assert codes("american cheese") == []


def test_dotted_short_forms_at_sentence_end_and_before_space():
    assert matched("Aid came from the U.S. Peru thanked it.") == [("USA", "U.S."), ("PER", "Peru")]
    assert matched("It flew to the U.S.") == [("USA", "U.S.")]
    assert matched("Los EE. UU. y EEUU") == [("USA", "EE. UU."), ("USA", "EEUU")]
    assert matched("the U.S.-Peru accord") == [("USA", "U.S."), ("PER", "Peru")]


def test_word_boundaries_and_accented_letters():
    assert find_mentions("Perugia, Omanis-free Chileans") == [
        Mention("OMN", 9, 15, "Omanis", "demonym", False),
        Mention("CHL", 21, 29, "Chileans", "demonym", False),
    ]
    assert find_mentions("Perúa") == [] and find_mentions("áPeru") == []
    assert codes("Peru's envoy") == ["PER"]


def test_offsets_survive_characters_that_grow_when_lower_cased():
    text = "İİ Peru"
    [m] = find_mentions(text)
    assert text[m.start : m.end] == "Peru"


def test_title_is_searched_first_with_its_own_offsets():
    mentions = find_mentions("Chile and Peru.", title="Peru")
    assert mentions == [
        Mention("PER", 0, 4, "Peru", "name", True),
        Mention("CHL", 0, 5, "Chile", "name", False),
        Mention("PER", 10, 14, "Peru", "name", False),
    ]


def test_language_restricts_terms():
    assert codes("funcionarios chinos", lang="en") == []
    assert codes("funcionarios chinos", lang="es") == ["CHN"]
    assert codes("China and Qatar", lang="es") == ["CHN", "QAT"]
    assert codes("funcionarios chinos", lang="pt") == ["CHN"]


# --- weights and dyads ------------------------------------------------------------------------

CHILE_CHINA = (
    "Chile and China signed a new trade agreement on Monday. "
    "Chilean copper exports to China rose sharply last year. "
    "Santiago expects Chinese investment in lithium to double. "
    "Peru, which signed a similar deal years ago, was not part of the talks. "
    "Officials in Beijing called Chile a reliable partner."
)


def test_passing_mention_is_not_a_dyad():
    mentions = find_mentions(CHILE_CHINA)
    assert country_weights(mentions) == {"CHL": 4.0, "CHN": 4.0, "PER": 1.0}
    assert assign_dyads(mentions) == ["CHL-CHN"]


def test_title_mention_weighs_more_and_suffices():
    mentions = find_mentions(CHILE_CHINA, title="Peru watches as Chile and China sign trade pact")
    assert country_weights(mentions) == {"CHL": 7.0, "CHN": 7.0, "PER": 4.0}
    assert assign_dyads(mentions) == ["CHL-CHN", "CHL-PER", "CHN-PER"]
    assert country_weights(mentions, title_weight=1.0) == {"CHL": 5.0, "CHN": 5.0, "PER": 2.0}


def test_short_items_keep_single_mentions():
    text = "El Perú y EE.UU. firmaron un acuerdo. El Perú lo celebró."
    assert assign_dyads(find_mentions(text)) == ["PER-USA"]


def test_single_country_has_no_dyad():
    assert assign_dyads(find_mentions("Peru, Peru and Lima.")) == []
    assert assign_dyads([]) == []


def test_max_countries_keeps_the_strongest():
    text = "Peru, Peru, Peru. Chile, Chile. Bolivia, Bolivia. Ecuador, Ecuador. Brazil, Brazil."
    mentions = find_mentions(text)
    assert assign_dyads(mentions, max_countries=2) == ["BOL-PER"]
    assert len(assign_dyads(mentions)) == 6


# --- data loading -----------------------------------------------------------------------------


def write_gazetteer(root: Path, countries: str, traps: str | None = None) -> Path:
    (root / "gazetteer").mkdir()
    (root / "gazetteer" / "countries.tsv").write_text("code\tlang\tkind\tterm\tcase\n" + countries)
    if traps is not None:
        (root / "gazetteer" / "traps.tsv").write_text("phrase\tcase\tnote\n" + traps)
    return root


def test_data_dir_override(tmp_path):
    root = write_gazetteer(tmp_path, "# a comment\nPER\ten\tname\tPeru\tfold\n", "Peru Street\tfold\ta street\n")
    assert codes("Peru and Chile", data_dir=root) == ["PER"]
    assert codes("Peru Street", data_dir=str(root)) == []


@pytest.mark.parametrize(
    "rows, message",
    [
        ("PE\ten\tname\tPeru\tfold\n", "alpha-3"),
        ("PER\ten\tplace\tPeru\tfold\n", "kind one of"),
        ("PER\ten\tname\tPeru\n", "tab-separated"),
        ("PER\ten\tname\tPeru\tfold\nCHL\ten\tname\tperu\tfold\n", "both PER and CHL"),
    ],
)
def test_malformed_gazetteer_says_what_to_fix(tmp_path, rows, message):
    root = write_gazetteer(tmp_path, rows)
    with pytest.raises(GazetteerError, match=message):
        find_mentions("Peru", data_dir=root)


def test_missing_gazetteer_says_where_it_looked(tmp_path):
    with pytest.raises(GazetteerError, match="countries.tsv not found"):
        find_mentions("Peru", data_dir=tmp_path)


# --- invariants -------------------------------------------------------------------------------

TERMS = [row[3] for row in gazetteer_rows()][::7] + ["us", "U.S.", "EE.UU.", "New Mexico", "İ", "ß"]
texts = st.lists(
    st.one_of(st.sampled_from(TERMS), st.text(max_size=4), st.sampled_from([" ", ". ", "-", "'s "])),
    max_size=25,
).map("".join)


@given(texts, texts)
def test_offsets_point_at_the_matched_text(text, title):
    for m in find_mentions(text, title):
        source = title if m.in_title else text
        assert source[m.start : m.end] == m.matched
        assert m.start < m.end


@given(texts, texts)
def test_mentions_do_not_overlap_and_are_ordered(text, title):
    mentions = find_mentions(text, title)
    keys = [(not m.in_title, m.start) for m in mentions]
    assert keys == sorted(keys)
    for a, b in zip(mentions, mentions[1:], strict=False):
        if a.in_title == b.in_title:
            assert a.end <= b.start


@given(texts, texts)
def test_dyads_are_sorted_pairs_of_mentioned_countries(text, title):
    mentions = find_mentions(text, title)
    dyads = assign_dyads(mentions)
    countries = set(countries_of(mentions))
    assert dyads == sorted(set(dyads))
    assert len(dyads) <= 6
    for dyad in dyads:
        a, b = dyad.split("-")
        assert a < b and {a, b} <= countries


def test_spanish_lower_case_china_and_compound_prefixes():
    assert countries_of(find_mentions("La naviera estatal china inauguró el puerto.", lang="es")) == ["CHN"]
    assert countries_of(find_mentions("She served tea in fine china.", lang="en")) == []
    assert countries_of(find_mentions("La frontera colombo-venezolana sigue cerrada.", lang="es")) == ["COL", "VEN"]
    assert countries_of(find_mentions("A Sino-Peruvian mining venture.", lang="en")) == ["CHN", "PER"]
    assert countries_of(find_mentions("No fue eso, sino otra cosa.", lang="es")) == []
    assert countries_of(find_mentions("USAID funds the programme.", lang="en")) == ["USA"]


def test_products_clubs_and_towns_named_after_countries():
    for text in (
        "Brazil nuts from Madre de Dios",
        "Turkish Airlines adds flights",
        "Alianza Lima won 3-1",
        "Universidad de Chile goleó",
        "the Tour de France stage",
        "a plant in Peru, Indiana",
    ):
        assert find_mentions(text) == [], text
