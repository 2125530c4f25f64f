"""One-off seed of ``data/gazetteer/countries.tsv`` from pycountry + babel plus curated lists.

It was run once to create the file; from then on the TSV is the source of truth and is edited by
hand (that is where case choices, omissions and new variants belong). The script refuses to
overwrite an existing file so that hand edits are never lost; pass another path to compare a fresh
seed against the curated file:

    python scripts/build_gazetteer.py /tmp/seed.tsv
    diff /tmp/seed.tsv data/gazetteer/countries.tsv

Every ISO 3166-1 country gets its English and Spanish names (babel's territory names, pycountry's
name, official and common names), Spanish names with and without accents. Short forms, demonyms
and capitals come from the hand-written lists below, for the Americas, the major powers and many
others.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pycountry
from babel import Locale

OUT = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "countries.tsv"

# Lower-case spellings of these are ordinary words (or the term is a common first name), so they
# only count with exactly this casing.
EXACT = {
    "China",
    "Turkey",
    "Chile",
    "Chad",
    "Jordan",
    "Guinea",
    "Niger",
    "Níger",
    "Oman",
    "Cuba",
    "Malta",
    "India",
    "Jamaica",
    "Dominica",
    "Ecuador",
    "El Salvador",
    "Jersey",
    "Panama",
    "US",
    "USA",
    "UK",
    "DRC",
    "RDC",
    "PRC",
    "RPC",
    "ROK",
    "DPRK",
    "RPDC",
    "UAE",
    "EAU",
    "EUA",
    "KSA",
    "NZ",
    "Lima",
    "La Paz",
    "Santiago",
    "Washington",
    "Paris",
    "París",
    "Manila",
    "Casa Blanca",
    "Casa Rosada",
    "La Moneda",
    "Buenos Aires",
    "America",
    "American",
    "Americans",
    "Chinese",
    "French",
    "Danish",
    "Polish",
    "Swiss",
    "Dutch",
    "Greek",
    "Indian",
    "Indians",
    "Turkish",
    "Thai",
    "Dominican",
    "Dominicans",
    "Afghan",
    "Swede",
    "Roma",
}

# Capitals that are other words in English ("Roma" is also the Romani people).
ES_ONLY = {"Roma", "Pekín", "Pekin", "Moscú", "Moscu", "Londres", "Tokio", "Seúl", "Seul"}

# Spanish names to leave out: the same word names a better-known place or thing.
SKIP_NAMES = {
    "GRD": {"Granada"},  # the Spanish city and province, far more often than Grenada
    "GEO": {"Georgia"},  # in US and Latin American news mostly the US state: see traps.tsv
    "COG": {"Congo"},  # bare "Congo" is mapped to COD below: the DRC dominates the news
    "SHN": {"Santa Elena"},  # a Peruvian district, an Ecuadorian province, many towns
    "MAF": {"San Martín"},  # a Peruvian region and the Argentine hero
    "BLM": {"San Bartolomé"},
    "GLP": {"Guadalupe"},  # a first name, the Virgin of Guadalupe, towns across the Americas
    "REU": {"Reunión"},  # Spanish for "meeting"
}

# Short forms and alternative names: code -> [(lang, term)].
SHORT = {
    "USA": [
        ("en", "U.S."),
        ("en", "U.S"),
        ("en", "US"),
        ("*", "USA"),
        ("en", "U.S.A."),
        ("en", "America"),
        ("en", "United States of America"),
        ("es", "EE.UU."),
        ("es", "EE. UU."),
        ("es", "EE.UU"),
        ("es", "EEUU"),
        ("es", "EE UU"),
        ("es", "EUA"),
        ("es", "Estados Unidos de América"),
        ("es", "Estados Unidos de America"),
        ("es", "Unión Americana"),
        ("es", "Union Americana"),
    ],
    "GBR": [
        ("*", "UK"),
        ("en", "U.K."),
        ("en", "Britain"),
        ("en", "Great Britain"),
        ("en", "England"),
        ("en", "Northern Ireland"),
        ("es", "Gran Bretaña"),
        ("es", "Gran Bretana"),
        ("es", "Inglaterra"),
        ("es", "Irlanda del Norte"),
    ],
    "ARE": [("en", "UAE"), ("en", "U.A.E."), ("es", "EAU")],
    "COD": [
        ("*", "Congo"),
        ("en", "DRC"),
        ("en", "DR Congo"),
        ("es", "RDC"),
        ("es", "RD Congo"),
        ("en", "Democratic Republic of the Congo"),
        ("en", "Democratic Republic of Congo"),
        ("en", "Congo-Kinshasa"),
        ("es", "República Democrática del Congo"),
        ("es", "Republica Democratica del Congo"),
        ("es", "Congo-Kinsasa"),
    ],
    "COG": [
        ("en", "Republic of the Congo"),
        ("en", "Republic of Congo"),
        ("en", "Congo-Brazzaville"),
        ("es", "República del Congo"),
        ("es", "Republica del Congo"),
        ("es", "Congo-Brazzaville"),
    ],
    "CHN": [
        ("en", "PRC"),
        ("es", "RPC"),
        ("en", "People's Republic of China"),
        ("es", "República Popular China"),
        ("es", "Republica Popular China"),
        ("en", "mainland China"),
        ("es", "China continental"),
    ],
    "PRK": [("en", "DPRK"), ("es", "RPDC"), ("en", "North Korea"), ("es", "Corea del Norte")],
    "KOR": [
        ("en", "ROK"),
        ("en", "Korea"),
        ("es", "Corea"),
        ("en", "Republic of Korea"),
        ("es", "República de Corea"),
    ],
    "RUS": [
        ("en", "Russian Federation"),
        ("es", "Federación Rusa"),
        ("es", "Federacion Rusa"),
        ("es", "Federación de Rusia"),
    ],
    "NLD": [("en", "Holland"), ("es", "Holanda")],
    "CZE": [("en", "Czech Republic"), ("es", "República Checa"), ("es", "Republica Checa")],
    "CIV": [
        ("en", "Ivory Coast"),
        ("es", "Costa de Marfil"),
        ("*", "Côte d'Ivoire"),
        ("*", "Cote d'Ivoire"),
        ("*", "Cote d’Ivoire"),
    ],
    "MMR": [("en", "Burma"), ("es", "Birmania")],
    "SWZ": [("en", "Swaziland"), ("es", "Suazilandia")],
    "CPV": [("en", "Cape Verde"), ("es", "Cabo Verde")],
    "TLS": [("en", "East Timor"), ("es", "Timor Oriental")],
    "MKD": [("en", "Macedonia"), ("es", "Macedonia")],
    "TUR": [("*", "Türkiye"), ("*", "Turkiye")],
    "VAT": [("en", "Vatican"), ("es", "Vaticano"), ("en", "Holy See"), ("es", "Santa Sede")],
    "GEO": [
        ("en", "Republic of Georgia"),
        ("es", "República de Georgia"),
        ("es", "Republica de Georgia"),
    ],
    "PSE": [
        ("en", "Palestine"),
        ("es", "Palestina"),
        ("en", "State of Palestine"),
        ("es", "Estado de Palestina"),
    ],
    "SAU": [("en", "KSA"), ("es", "Arabia Saudita")],
    "NZL": [("en", "NZ")],
    "BLR": [("es", "Belarús"), ("es", "Belarus")],
    "KGZ": [("es", "Kirguizistán")],
    "MDA": [("es", "Moldova")],
    "GMB": [("en", "The Gambia")],
    "TWN": [("en", "Chinese Taipei"), ("es", "China Taipéi"), ("es", "Taipéi Chino")],
    "HKG": [("en", "Hong Kong"), ("es", "Hong Kong")],
    "MAC": [("en", "Macau"), ("es", "Macao")],
    "MEX": [("es", "Estados Unidos Mexicanos")],
    "VNM": [("en", "Viet Nam")],
    "STP": [("en", "São Tomé and Príncipe"), ("en", "Sao Tome and Principe")],
    "BIH": [("en", "Bosnia")],
    "TTO": [("en", "Trinidad and Tobago")],
    "NGA": [("en", "Niger Delta"), ("es", "delta del Níger")],
}

# Capitals and seats of government used for the state.
CAPITALS = {
    "USA": [
        "Washington",
        "Washington, D.C.",
        "Washington D.C.",
        "White House",
        "Casa Blanca",
        "Capitol Hill",
        "Pentagon",
        "Pentágono",
        "Pentagono",
    ],
    "PER": ["Lima"],
    "CHN": ["Beijing", "Pekín", "Pekin", "Zhongnanhai"],
    "COL": ["Bogotá", "Bogota"],
    "VEN": ["Caracas", "Palacio de Miraflores"],
    "MEX": ["Mexico City", "Ciudad de México", "Ciudad de Mexico", "CDMX"],
    "CHL": ["Santiago", "Santiago de Chile", "La Moneda"],
    "RUS": ["Moscow", "Moscú", "Moscu", "Kremlin"],
    "BRA": ["Brasília", "Brasilia", "Planalto"],
    "ARG": ["Buenos Aires", "Casa Rosada"],
    "CAN": ["Ottawa"],
    "GBR": ["London", "Londres", "Downing Street"],
    "FRA": ["Paris", "París", "Elysée", "Élysée", "Elíseo"],
    "DEU": ["Berlin", "Berlín"],
    "ESP": ["Madrid", "La Moncloa"],
    "JPN": ["Tokyo", "Tokio"],
    "ECU": ["Quito"],
    "BOL": ["La Paz"],
    "URY": ["Montevideo"],
    "PRY": ["Asunción", "Asuncion"],
    "CUB": ["Havana", "La Habana"],
    "PAN": ["Panama City", "Ciudad de Panamá", "Ciudad de Panama"],
    "CRI": ["San José, Costa Rica"],
    "NIC": ["Managua"],
    "HND": ["Tegucigalpa"],
    "SLV": ["San Salvador"],
    "GTM": ["Guatemala City", "Ciudad de Guatemala"],
    "DOM": ["Santo Domingo"],
    "HTI": ["Port-au-Prince", "Puerto Príncipe", "Puerto Principe"],
    "JAM": ["Kingston, Jamaica"],
    "GUY": ["Georgetown, Guyana"],
    "SUR": ["Paramaribo"],
    "BLZ": ["Belmopan"],
    "ITA": ["Rome", "Roma"],
    "IND": ["New Delhi", "Nueva Delhi"],
    "KOR": ["Seoul", "Seúl", "Seul"],
    "PRK": ["Pyongyang"],
    "TWN": ["Taipei", "Taipéi"],
    "UKR": ["Kyiv", "Kiev"],
    "IRN": ["Tehran", "Teherán", "Teheran"],
    "TUR": ["Ankara"],
    "SAU": ["Riyadh", "Riad"],
    "EGY": ["Cairo", "El Cairo"],
    "AUS": ["Canberra"],
    "ZAF": ["Pretoria"],
    "NGA": ["Abuja"],
    "KEN": ["Nairobi"],
    "PRT": ["Lisbon", "Lisboa"],
    "CHE": ["Bern", "Berna"],
    "AUT": ["Vienna", "Viena"],
    "SWE": ["Stockholm", "Estocolmo"],
    "NOR": ["Oslo"],
    "DNK": ["Copenhagen", "Copenhague"],
    "FIN": ["Helsinki"],
    "POL": ["Warsaw", "Varsovia"],
    "GRC": ["Athens", "Atenas"],
    "IRL": ["Dublin", "Dublín"],
    "HUN": ["Budapest"],
    "CZE": ["Prague", "Praga"],
    "ROU": ["Bucharest", "Bucarest"],
    "PAK": ["Islamabad"],
    "AFG": ["Kabul"],
    "IRQ": ["Baghdad", "Bagdad"],
    "SYR": ["Damascus", "Damasco"],
    "LBN": ["Beirut"],
    "JOR": ["Amman", "Ammán"],
    "ARE": ["Abu Dhabi", "Abu Dabi"],
    "QAT": ["Doha"],
    "IDN": ["Jakarta", "Yakarta"],
    "PHL": ["Manila"],
    "VNM": ["Hanoi", "Hanói"],
    "THA": ["Bangkok"],
    "MYS": ["Kuala Lumpur"],
    "SGP": ["Singapore", "Singapur"],
    "NZL": ["Wellington"],
    "GEO": ["Tbilisi", "Tiflis"],
    "BLR": ["Minsk"],
    "SRB": ["Belgrade", "Belgrado"],
    "ETH": ["Addis Ababa", "Adís Abeba"],
    "DZA": ["Algiers", "Argel"],
    "MAR": ["Rabat"],
}

# English demonyms/adjectives (each form listed) and Spanish masculine singulars, inflected below.
DEMONYMS = {
    "USA": (["American", "Americans"], ["estadounidense", "norteamericano"]),
    "PER": (["Peruvian", "Peruvians"], ["peruano"]),
    "MEX": (["Mexican", "Mexicans"], ["mexicano"]),
    "COL": (["Colombian", "Colombians"], ["colombiano"]),
    "VEN": (["Venezuelan", "Venezuelans"], ["venezolano"]),
    "CHL": (["Chilean", "Chileans"], ["chileno"]),
    "ARG": (
        ["Argentine", "Argentines", "Argentinian", "Argentinians", "Argentinean"],
        ["argentino"],
    ),
    "BRA": (["Brazilian", "Brazilians"], ["brasileño", "brasilero"]),
    "BOL": (["Bolivian", "Bolivians"], ["boliviano"]),
    "ECU": (["Ecuadorian", "Ecuadorians", "Ecuadorean"], ["ecuatoriano"]),
    "URY": (["Uruguayan", "Uruguayans"], ["uruguayo"]),
    "PRY": (["Paraguayan", "Paraguayans"], ["paraguayo"]),
    "CAN": (["Canadian", "Canadians"], ["canadiense"]),
    "GTM": (["Guatemalan", "Guatemalans"], ["guatemalteco"]),
    "HND": (["Honduran", "Hondurans"], ["hondureño"]),
    "SLV": (["Salvadoran", "Salvadorans", "Salvadorean"], ["salvadoreño"]),
    "NIC": (["Nicaraguan", "Nicaraguans"], ["nicaragüense"]),
    "CRI": (["Costa Rican", "Costa Ricans"], ["costarricense"]),
    "PAN": (["Panamanian", "Panamanians"], ["panameño"]),
    "CUB": (["Cuban", "Cubans"], ["cubano"]),
    "HTI": (["Haitian", "Haitians"], ["haitiano"]),
    "DOM": (["Dominican", "Dominicans"], ["dominicano"]),
    "JAM": (["Jamaican", "Jamaicans"], ["jamaiquino", "jamaicano"]),
    "PRI": (["Puerto Rican", "Puerto Ricans"], ["puertorriqueño"]),
    "GUY": (["Guyanese"], ["guyanés"]),
    "SUR": (["Surinamese"], ["surinamés"]),
    "BLZ": (["Belizean", "Belizeans"], ["beliceño"]),
    "TTO": (["Trinidadian", "Trinidadians"], ["trinitense"]),
    "BRB": (["Barbadian", "Barbadians", "Bajan"], ["barbadense"]),
    "BHS": (["Bahamian", "Bahamians"], ["bahameño"]),
    "GRD": (["Grenadian", "Grenadians"], []),
    "ATG": (["Antiguan", "Antiguans"], []),
    "VCT": (["Vincentian", "Vincentians"], ["sanvicentino"]),
    "KNA": (["Kittitian", "Kittitians"], ["sancristobaleño"]),
    "LCA": (["Saint Lucian", "Saint Lucians", "St. Lucian"], ["santalucense"]),
    "DMA": ([], ["dominiqués"]),
    "CHN": (["Chinese"], ["chino"]),
    "RUS": (["Russian", "Russians"], ["ruso"]),
    "JPN": (["Japanese"], ["japonés"]),
    "IND": (["Indian", "Indians"], []),
    "GBR": (["British", "Briton", "Britons"], ["británico"]),
    "FRA": (["French"], ["francés"]),
    "DEU": (["German", "Germans"], ["alemán"]),
    "ITA": (["Italian", "Italians"], ["italiano"]),
    "ESP": (["Spaniard", "Spaniards"], ["español"]),
    "PRT": (["Portuguese"], ["portugués"]),
    "NLD": (["Dutch"], ["holandés", "neerlandés"]),
    "BEL": (["Belgian", "Belgians"], ["belga"]),
    "CHE": (["Swiss"], ["suizo"]),
    "AUT": (["Austrian", "Austrians"], ["austriaco", "austríaco"]),
    "SWE": (["Swedish", "Swede", "Swedes"], ["sueco"]),
    "NOR": (["Norwegian", "Norwegians"], ["noruego"]),
    "DNK": (["Danish", "Danes"], ["danés"]),
    "FIN": (["Finnish", "Finns"], ["finlandés"]),
    "POL": (["Polish"], ["polaco"]),
    "UKR": (["Ukrainian", "Ukrainians"], ["ucraniano"]),
    "TUR": (["Turkish", "Turk", "Turks"], ["turco"]),
    "GRC": (["Greek", "Greeks"], ["griego"]),
    "IRL": (["Irish"], ["irlandés"]),
    "HUN": (["Hungarian", "Hungarians"], ["húngaro"]),
    "CZE": (["Czech", "Czechs"], ["checo"]),
    "ROU": (["Romanian", "Romanians"], ["rumano"]),
    "BGR": (["Bulgarian", "Bulgarians"], ["búlgaro"]),
    "SRB": (["Serbian", "Serbians", "Serb", "Serbs"], ["serbio"]),
    "HRV": (["Croatian", "Croatians", "Croat", "Croats"], ["croata"]),
    "BLR": (["Belarusian", "Belarusians"], ["bielorruso"]),
    "ARM": (["Armenian", "Armenians"], ["armenio"]),
    "AZE": (["Azerbaijani", "Azerbaijanis"], ["azerbaiyano"]),
    "KAZ": (["Kazakh", "Kazakhs", "Kazakhstani"], ["kazajo"]),
    "UZB": (["Uzbek", "Uzbeks"], ["uzbeko"]),
    "MNG": (["Mongolian", "Mongolians"], ["mongol"]),
    "ISR": (["Israeli", "Israelis"], ["israelí"]),
    "PSE": (["Palestinian", "Palestinians"], ["palestino"]),
    "IRN": (["Iranian", "Iranians"], ["iraní"]),
    "IRQ": (["Iraqi", "Iraqis"], ["iraquí"]),
    "SYR": (["Syrian", "Syrians"], ["sirio"]),
    "SAU": (["Saudi", "Saudis"], ["saudí", "saudita"]),
    "EGY": (["Egyptian", "Egyptians"], ["egipcio"]),
    "LBN": (["Lebanese"], ["libanés"]),
    "JOR": (["Jordanian", "Jordanians"], ["jordano"]),
    "ARE": (["Emirati", "Emiratis"], ["emiratí"]),
    "QAT": (["Qatari", "Qataris"], ["catarí"]),
    "KWT": (["Kuwaiti", "Kuwaitis"], ["kuwaití"]),
    "YEM": (["Yemeni", "Yemenis"], ["yemení"]),
    "OMN": (["Omani", "Omanis"], ["omaní"]),
    "AFG": (["Afghan", "Afghans"], ["afgano"]),
    "PAK": (["Pakistani", "Pakistanis"], ["paquistaní", "pakistaní"]),
    "BGD": (["Bangladeshi", "Bangladeshis"], ["bangladesí"]),
    "LKA": (["Sri Lankan", "Sri Lankans"], ["esrilanqués", "ceilandés"]),
    "NPL": (["Nepali", "Nepalese"], ["nepalí"]),
    "IDN": (["Indonesian", "Indonesians"], ["indonesio"]),
    "MYS": (["Malaysian", "Malaysians"], ["malasio"]),
    "SGP": (["Singaporean", "Singaporeans"], ["singapurense"]),
    "PHL": (["Filipino", "Filipinos", "Philippine"], ["filipino"]),
    "VNM": (["Vietnamese"], ["vietnamita"]),
    "THA": (["Thai"], ["tailandés"]),
    "MMR": (["Burmese"], ["birmano"]),
    "KHM": (["Cambodian", "Cambodians"], ["camboyano"]),
    "LAO": (["Laotian", "Laotians"], ["laosiano"]),
    "KOR": (["Korean", "Koreans", "South Korean", "South Koreans"], ["coreano", "surcoreano"]),
    "PRK": (["North Korean", "North Koreans"], ["norcoreano"]),
    "TWN": (["Taiwanese"], ["taiwanés"]),
    "AUS": (["Australian", "Australians"], ["australiano"]),
    "NZL": (["New Zealander", "New Zealanders"], ["neozelandés"]),
    "ZAF": (["South African", "South Africans"], ["sudafricano"]),
    "NGA": (["Nigerian", "Nigerians"], ["nigeriano"]),
    "NER": (["Nigerien", "Nigeriens"], ["nigerino"]),
    "KEN": (["Kenyan", "Kenyans"], ["keniano", "keniata"]),
    "ETH": (["Ethiopian", "Ethiopians"], ["etíope"]),
    "MAR": (["Moroccan", "Moroccans"], ["marroquí"]),
    "DZA": (["Algerian", "Algerians"], ["argelino"]),
    "TUN": (["Tunisian", "Tunisians"], ["tunecino"]),
    "LBY": (["Libyan", "Libyans"], ["libio"]),
    "SDN": (["Sudanese"], ["sudanés"]),
    "SSD": (["South Sudanese"], ["sursudanés"]),
    "COD": (["Congolese"], ["congoleño"]),
    "GHA": (["Ghanaian", "Ghanaians"], ["ghanés"]),
    "SEN": (["Senegalese"], ["senegalés"]),
    "CIV": (["Ivorian", "Ivorians"], ["marfileño"]),
    "CMR": (["Cameroonian", "Cameroonians"], ["camerunés"]),
    "MLI": (["Malian", "Malians"], ["maliense"]),
    "SOM": (["Somali", "Somalis"], ["somalí"]),
    "RWA": (["Rwandan", "Rwandans"], ["ruandés"]),
    "UGA": (["Ugandan", "Ugandans"], ["ugandés"]),
    "TZA": (["Tanzanian", "Tanzanians"], ["tanzano"]),
    "ZWE": (["Zimbabwean", "Zimbabweans"], ["zimbabuense"]),
    "ZMB": (["Zambian", "Zambians"], ["zambiano"]),
    "AGO": (["Angolan", "Angolans"], ["angoleño"]),
    "MOZ": (["Mozambican", "Mozambicans"], ["mozambiqueño"]),
    "SVK": (["Slovak", "Slovaks", "Slovakian"], ["eslovaco"]),
    "SVN": (["Slovenian", "Slovenians", "Slovene"], ["esloveno"]),
    "EST": (["Estonian", "Estonians"], ["estonio"]),
    "LVA": (["Latvian", "Latvians"], ["letón"]),
    "LTU": (["Lithuanian", "Lithuanians"], ["lituano"]),
    "ISL": (["Icelandic", "Icelander", "Icelanders"], ["islandés"]),
    "CYP": (["Cypriot", "Cypriots"], ["chipriota"]),
    "LUX": (["Luxembourgish"], ["luxemburgués"]),
}

# Demonyms left out on purpose: "English"/"inglés" and "Spanish" are languages first; Spanish
# "americano" means "of the Americas" as often as "of the US"; "indio" is mostly "indigenous";
# "Georgian" is the US state's too; "Pole"/"Dane"/"Finn" are words or names. Capitals left out:
# Brussels and The Hague (mostly the EU and the international courts), Jerusalem (contested).


def strip_accents(term: str) -> str:
    """The term without combining accents ("Perú" -> "Peru"); "ñ" becomes "n" too."""
    return "".join(c for c in unicodedata.normalize("NFD", term) if not unicodedata.combining(c))


def inflect_es(word: str) -> list[str]:
    """Masculine/feminine singular/plural of a Spanish demonym given in the masculine singular."""
    if word.endswith("o"):
        stem = word[:-1]
        return [stem + "o", stem + "a", stem + "os", stem + "as"]
    if word.endswith(("e", "a")):
        return [word, word + "s"]
    if word.endswith(("í", "ú")):
        return [word, word + "es", word + "s"]
    plain = word[:-2] + strip_accents(word[-2:])  # francés -> frances-
    return [word, plain + "a", plain + "es", plain + "as"]


def clean_babel(name: str) -> list[str]:
    """Usable free-text names from a babel territory name ("Myanmar (Burma)" -> both)."""
    if " - " in name or "SAR" in name or name.startswith("RAE "):
        return []
    names = []
    inner = re.search(r"\(([^)]*)\)", name)
    base = re.sub(r"\s*\([^)]*\)", "", name).strip()
    names.append(base)
    if inner:
        names.append(inner.group(1))
    out = []
    for n in names:
        out.append(n.replace(" & ", " and "))
        if n.startswith("St. "):
            out.append("Saint " + n[4:].replace(" & ", " and "))
    return out


def rows() -> list[list[str]]:
    """All seed rows [code, lang, kind, term, case]; a spelling shared by en and es is "*"."""
    en_names, es_names = Locale("en").territories, Locale("es").territories
    index: dict[str, int] = {}
    out: list[list[str]] = []

    def add_one(code: str, lang: str, kind: str, term: str, case: str) -> None:
        key = term.lower()
        if key in index:
            row = out[index[key]]
            if row[0] != code:
                raise SystemExit(f"{term!r} is both {row[0]} and {code}: resolve by hand")
            if row[1] != lang:
                row[1] = "*"
            return
        index[key] = len(out)
        out.append([code, lang, kind, term, case])

    def add(code: str, lang: str, kind: str, term: str) -> None:
        case = "exact" if term in EXACT else "fold"
        add_one(code, lang, kind, term, case)
        # Spanish is often written without accents; English names keep theirs ("Réunion").
        plain = strip_accents(term)
        if lang != "en" and plain != term:
            add_one(code, lang, kind, plain, "exact" if plain in EXACT else case)

    for country in pycountry.countries:
        code, a2 = country.alpha_3, country.alpha_2
        skip = SKIP_NAMES.get(code, set())
        for lang, term in SHORT.get(code, []):
            kind = "short" if " " not in term or not any(c.islower() for c in term) else "name"
            add(code, lang, kind, term)
        english = clean_babel(en_names[a2]) + [
            re.sub(r"^the ", "", n)
            for n in (
                country.name,
                getattr(country, "official_name", None),
                getattr(country, "common_name", None),
            )
            if n and "," not in n and "(" not in n
        ]
        for term in english:
            if term not in skip:
                add(code, "en", "name", term)
        for term in clean_babel(es_names[a2]):
            if term not in skip:
                add(code, "es", "name", term)
        for term in CAPITALS.get(code, []):
            add(code, "es" if term in ES_ONLY else "*", "capital", term)
        en_dem, es_dem = DEMONYMS.get(code, ([], []))
        for term in en_dem:
            add(code, "en", "demonym", term)
        for word in es_dem:
            for form in inflect_es(word):
                add(code, "es", "demonym", form)
    return out


HEADER = """\
code\tlang\tkind\tterm\tcase
# Country gazetteer: hand-curated. Seeded once by scripts/build_gazetteer.py; edit here.
# Columns: ISO 3166-1 alpha-3, language (en/es/*), kind (name/short/demonym/capital), the term as
# written, case (exact = only with this casing; fold = any casing). Accented and unaccented
# Spanish spellings are separate rows. Phrases that must NOT count are in traps.tsv.
# Decisions: bare "Congo" is COD (the DRC dominates the news; COG is "Republic of the Congo",
# "Congo-Brazzaville"); bare "Korea"/"Korean"/"Corea"/"coreano" are KOR; bare "Georgia" is left
# out (in our sources mostly the US state), GEO is found by "Republic of Georgia" and Tbilisi;
# Spanish "Granada" is left out (the Spanish city); "America" is USA in English only, with the
# continental phrases in traps.tsv; Spanish "América"/"americano" are left out.
# Spanish names left out because they are mostly something else: "Mauricio" (a first name; use
# "Isla Mauricio"), "Santa Lucía", "Santa Elena", "San Martín", "Guadalupe", "Reunión" (meeting).
# The Spanish feminine "china" is left out (in English it is porcelain): "China", "chino(s)" and
# "chinas" still count. Exact-case rows are words in English or Spanish when lower-case
# ("Chile", "Cuba", "Malta", "Jamaica", "Ecuador", "La Moneda") or common names ("Jordan", "Chad").
"""


def main(argv: list[str]) -> int:
    """Write the seed to the given path (default: the repo's TSV, only if it does not exist)."""
    path = Path(argv[1]) if len(argv) > 1 else OUT
    if path == OUT and OUT.exists():
        print(f"{OUT} exists and is hand-curated; write the seed elsewhere to compare.")
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["\t".join(r) for r in rows()]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} rows written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
