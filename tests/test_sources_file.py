"""The shipped sources file (data/sources.toml) and the errors load_sources reports."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from analytics.errors import InputError
from analytics.ingest.sources import DEFAULT_SOURCES, load_sources
from analytics.schema import DEFAULT_DYADS

# A word of each country every GDELT query for a pair with it must contain.
_COUNTRY_WORD = {
    "PER": "Peru",
    "USA": '"United States"',
    "CHN": "China",
    "MEX": "Mexico",
    "COL": "Colombia",
    "VEN": "Venezuela",
    "CHL": "Chile",
}


@pytest.fixture(scope="module")
def shipped():
    return load_sources()


def enabled_feeds(sources, country: str, language: str | None = None) -> list[str]:
    return [
        s.id
        for s in sources
        if s.enabled and s.kind == "rss" and s.country == country and (language is None or s.language == language)
    ]


# --- the shipped file --------------------------------------------------------------------------


def test_shipped_file_is_the_default_and_validates(shipped):
    assert DEFAULT_SOURCES.name == "sources.toml"
    assert 20 <= len(shipped) <= 40


def test_ids_and_enabled_urls_are_unique(shipped):
    ids = [s.id for s in shipped]
    assert len(ids) == len(set(ids))
    urls = [s.url for s in shipped if s.enabled and s.kind == "rss"]
    assert len(urls) == len(set(urls))


@pytest.mark.parametrize("dyad", DEFAULT_DYADS)
def test_every_default_dyad_has_enabled_feeds_on_both_sides(shipped, dyad):
    for country in dyad.split("-"):
        assert enabled_feeds(shipped, country), f"no enabled feed from {country} for {dyad}"


@pytest.mark.parametrize("country", ["PER", "USA"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_peru_and_us_have_english_and_spanish_feeds(shipped, country, language):
    assert enabled_feeds(shipped, country, language)


def test_one_gdelt_search_per_default_dyad(shipped):
    gdelt = [s for s in shipped if s.kind == "gdelt"]
    assert sorted(s.id.removeprefix("gdelt-").upper() for s in gdelt) == sorted(DEFAULT_DYADS)
    for source in gdelt:
        assert (source.url, source.outlet, source.days, source.enabled) == (
            "https://api.gdeltproject.org/api/v2/doc/doc",
            "GDELT",
            3,
            True,
        )
        for code in source.id.removeprefix("gdelt-").upper().split("-"):
            assert _COUNTRY_WORD[code] in source.query, (source.id, code)


def _gdelt_syntax_problem(query: str) -> str | None:
    """What GDELT would refuse in a query: OR outside parentheses, unbalanced or nested
    parentheses or quotes, or a word under three letters."""
    if query.count('"') % 2:
        return "unbalanced quotes"
    depth = 0
    for token in re.findall(r'"[^"]*"|\(|\)|[^\s()"]+', query):
        if token == "(":
            depth += 1
            if depth > 1:
                return "nested parentheses"
        elif token == ")":
            depth -= 1
            if depth < 0:
                return "unbalanced parentheses"
        elif token == "OR" and depth == 0:
            return "OR outside parentheses"
        elif not token.startswith('"') and token != "OR" and len(token) < 3:
            return f"word {token!r} is too short"
    return "unbalanced parentheses" if depth else None


def test_gdelt_queries_are_valid_gdelt_syntax(shipped):
    for source in shipped:
        if source.kind == "gdelt":
            assert _gdelt_syntax_problem(source.query) is None, source.id


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("Peru OR Perú", "OR outside parentheses"),
        ("(Peru OR (Perú))", "nested parentheses"),
        ('(Peru OR "Estados Unidos)', "unbalanced quotes"),
        ("(Peru OR US)", "word 'US' is too short"),
        ("(Peru OR Perú", "unbalanced parentheses"),
    ],
)
def test_the_gdelt_syntax_check_catches_mistakes(query, problem):
    assert _gdelt_syntax_problem(query) == problem


def test_every_feed_says_where_its_address_was_found():
    lines = DEFAULT_SOURCES.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == "[[source]]"]
    for start in starts:
        block = lines[start + 1 : start + 4]
        if 'kind = "rss"' not in block:
            continue
        comment = []
        i = start - 1
        while i >= 0 and lines[i].startswith("#"):
            comment.insert(0, lines[i])
            i -= 1
        assert any("listed" in line.lower() or "feeds" in line.lower() for line in comment), lines[start + 1]


# --- load_sources errors -----------------------------------------------------------------------

GOOD = '[[source]]\nid = "a"\nkind = "rss"\nurl = "https://a.example/feed"\noutlet = "A"\ncountry = "PER"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as error:
        load_sources(path)
    return str(error.value)


def test_a_good_file_loads(tmp_path):
    (source,) = load_sources(write(tmp_path, GOOD))
    assert (source.id, source.kind, source.country, source.enabled, source.days) == ("a", "rss", "PER", True, 3)


def test_unknown_key(tmp_path):
    path = write(tmp_path, GOOD + 'colour = "red"\n')
    assert error_of(path) == (
        f"{path}: source 1 ('a'): unknown key 'colour'; keys are "
        "columns, country, days, enabled, fulltext, id, kind, language, outlet, query, url"
    )


def test_bad_kind(tmp_path):
    path = write(tmp_path, GOOD.replace('kind = "rss"', 'kind = "atom"'))
    assert error_of(path) == f"{path}: source 1 ('a'): kind 'atom' is not one of rss, gdelt, file"


def test_bad_country(tmp_path):
    path = write(tmp_path, GOOD.replace('"PER"', '"PE"'))
    assert error_of(path) == (
        f"{path}: source 1 ('a'): country must be an ISO 3166-1 alpha-3 code such as PER (got 'PE')"
    )


def test_bad_language(tmp_path):
    path = write(tmp_path, GOOD + 'language = "Spanish"\n')
    assert error_of(path) == (f"{path}: source 1 ('a'): language must be an ISO 639-1 code such as es (got 'Spanish')")


def test_duplicate_id(tmp_path):
    path = write(tmp_path, GOOD + GOOD.replace("a.example", "b.example"))
    assert error_of(path) == f"{path}: source 2 ('a'): id 'a' is used twice; ids must be unique"


def test_gdelt_without_query(tmp_path):
    text = (
        '[[source]]\nid = "g"\nkind = "gdelt"\nurl = "https://api.gdeltproject.org/api/v2/doc/doc"\noutlet = "GDELT"\n'
    )
    path = write(tmp_path, text)
    assert error_of(path) == f"{path}: source 1 ('g'): a gdelt source needs a 'query'"


def test_days_out_of_range(tmp_path):
    path = write(tmp_path, GOOD + "days = 365\n")
    assert error_of(path) == f"{path}: source 1 ('a'): days must be a whole number from 1 to 90"


def test_invalid_toml(tmp_path):
    text = GOOD + 'outlet = "twice"\n'
    path = write(tmp_path, text)
    with pytest.raises(tomllib.TOMLDecodeError) as parse_error:
        tomllib.loads(text)
    assert error_of(path) == f"{path}: not valid TOML ({parse_error.value})"


def test_no_sources(tmp_path):
    path = write(tmp_path, "# nothing here yet\n")
    assert error_of(path) == f"{path}: no [[source]] entries"


def test_missing_file(tmp_path):
    path = tmp_path / "missing.toml"
    assert error_of(path) == f"sources file {path} does not exist; pass --sources FILE"
