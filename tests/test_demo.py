"""Tests of the demo corpus generator (analytics/demo.py) on a pinned end date."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics import demo
from analytics.schema import DEFAULT_DYADS, THEMES

END = date(2026, 6, 30)
ROOT = Path(__file__).resolve().parent.parent

# How a reader (or a naive keyword filter) spots each country in the copy.
MENTIONS = {
    "PER": re.compile(r"\bPer[uú]\b|\bLima\b|\bPeruvian|\bperuan", re.I),
    "USA": re.compile(
        r"United States|\bU\.S\.|\bUS\b|Washington|EE\.UU\.|Estados Unidos|"
        r"estadounidense"
    ),
    "CHN": re.compile(r"\bChina\b|\bBeijing\b|\bPekín\b|\bChinese\b|\bchin[oa]s?\b", re.I),
    "MEX": re.compile(r"\bM[eé]xico\b|\bMexican|\bmexican", re.I),
    "COL": re.compile(r"\bColombia|\bBogotá\b|\bcolombian", re.I),
    "VEN": re.compile(r"\bVenezuela|\bCaracas\b|\bvenezolan", re.I),
    "CHL": re.compile(r"\bChile|\bSantiago\b|\bchilen", re.I),
}
URL = re.compile(r"^https://demo\.bilat\.invalid/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/[a-z0-9-]+-\d+$")
# A sentence ends at a stop followed by the next sentence's capital, digit or quote, or the end.
SENTENCE_END = re.compile(r'[.!?]"?(?=\s+["¿¡A-ZÁÉÍÓÚÑ0-9]|$)')


@pytest.fixture(scope="module")
def corpus() -> list[demo.DemoArticle]:
    return list(demo.generate(n=10_000, seed=7, end=END))


def mentions(article: demo.DemoArticle, code: str) -> bool:
    return bool(MENTIONS[code].search(article.title + " " + article.text))


def weekly_counts(articles, start: date, first: date, last: date) -> dict[int, int]:
    """Counts per 7-day bin aligned on ``start``, for every complete bin between first and last."""
    counts = Counter((a.published.date() - start).days // 7 for a in articles)
    lo = -((start - first).days // 7)
    hi = (last - start).days // 7
    return {k: counts.get(k, 0) for k in range(lo, hi)}


# --- shape and determinism ------------------------------------------------------------------------


def test_same_arguments_same_articles_and_another_seed_differs():
    first = list(demo.generate(n=1500, seed=3, end=END))
    again = list(demo.generate(n=1500, seed=3, end=END))
    other = list(demo.generate(n=1500, seed=4, end=END))
    assert first == again
    assert first != other
    assert [a.title for a in first[:50]] != [a.title for a in other[:50]]


def test_output_does_not_depend_on_string_hashing():
    code = (
        "import hashlib, sys; from datetime import date; from analytics import demo;"
        "sys.stdout.write(hashlib.sha256(repr(list(demo.generate(n=800, seed=5,"
        " end=date(2026, 6, 30)))).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        digests.add(
            subprocess.run(
                [sys.executable, "-c", code],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    here = hashlib.sha256(repr(list(demo.generate(n=800, seed=5, end=END))).encode()).hexdigest()
    assert digests == {here}


def test_articles_carry_only_feed_fields():
    names = [f.name for f in dataclasses.fields(demo.DemoArticle)]
    assert names == ["url", "title", "text", "published", "outlet", "source_country", "language"]


@pytest.mark.parametrize("n", [0, 1, 2, 7, 333])
def test_exactly_n_articles(n):
    assert len(list(demo.generate(n=n, seed=1, end=END))) == n


def test_default_corpus_size_sorted_and_inside_the_window(corpus):
    assert len(corpus) == 10_000
    published = [a.published for a in corpus]
    assert published == sorted(published)
    assert all(p.utcoffset() == timedelta(0) for p in published)
    start = demo.window_start(END, 24)
    assert start == date(2024, 7, 1)
    assert min(published).date() >= start
    assert max(published).date() <= END
    # The window is filled: no month without coverage.
    months = {(p.year, p.month) for p in published}
    assert len(months) == 24


def test_window_start_clamps_month_ends():
    assert demo.window_start(date(2026, 3, 31), 1) == date(2026, 3, 1)
    assert demo.window_start(date(2024, 3, 31), 1) == date(2024, 3, 1)
    assert demo.window_start(date(2026, 1, 15), 1) == date(2025, 12, 16)
    assert demo.window_start(date(2026, 6, 30), 12) == date(2025, 7, 1)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n must be"):
        demo.generate(n=-1, end=END)
    with pytest.raises(ValueError, match="months must be"):
        demo.generate(months=0, end=END)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(0, 60),
    seed=st.integers(0, 2**32),
    months=st.integers(1, 30),
    end=st.dates(date(2001, 1, 1), date(2090, 12, 31)),
)
def test_any_arguments_give_n_sorted_articles_in_window(n, seed, months, end):
    articles = list(demo.generate(n=n, seed=seed, end=end, months=months))
    assert len(articles) == n
    assert [a.published for a in articles] == sorted(a.published for a in articles)
    start = demo.window_start(end, months)
    assert all(start <= a.published.date() <= end for a in articles)
    assert len({a.url for a in articles}) == n
    assert not any("{" in a.title + a.text for a in articles)


# --- outlets, languages, URLs ---------------------------------------------------------------------


def test_outlets_are_fictional_and_labelled(corpus):
    outlets = {a.outlet for a in corpus}
    assert len(outlets) >= 14
    assert all(o.endswith(" (demo)") for o in outlets)
    countries = {a.source_country for a in corpus}
    assert {"PER", "USA", "CHN", "MEX", "COL", "VEN", "CHL"} <= countries
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in countries)


def test_language_mix_and_outlets_write_their_language(corpus):
    share_en = sum(a.language == "en" for a in corpus) / len(corpus)
    assert 0.45 <= share_en <= 0.65
    assert {a.language for a in corpus} == {"en", "es"}
    by_outlet = defaultdict(set)
    for a in corpus:
        by_outlet[a.outlet].add(a.language)
    # Only the wire agency publishes in both languages.
    bilingual = sorted(o for o, langs in by_outlet.items() if len(langs) > 1)
    assert bilingual == ["Hemisphere Wire (demo)"]
    spanish = re.compile(r"\b(de|el|la|los|las|del|que|en|y|por)\b")
    english = re.compile(r"\b(the|and|of|in|on|to|for|said)\b")
    for a in corpus:
        words = spanish if a.language == "es" else english
        assert words.search(a.text), a


def test_urls_unique_on_the_demo_host_and_dated(corpus):
    assert len({a.url for a in corpus}) == len(corpus)
    slugs = {}
    for a in corpus:
        match = URL.match(a.url)
        assert match, a.url
        slug, yyyy, mm, dd = match.groups()
        assert date(int(yyyy), int(mm), int(dd)) == a.published.date()
        assert slugs.setdefault(a.outlet, slug) == slug  # one slug per outlet


def test_bodies_have_two_to_six_sentences(corpus):
    for a in corpus:
        assert 2 <= len(SENTENCE_END.findall(a.text)) <= 6, a.text


# --- wire copies ----------------------------------------------------------------------------------


def test_wire_copies_are_the_only_duplicates_and_about_five_percent(corpus):
    by_title = defaultdict(list)
    by_text = defaultdict(list)
    for a in corpus:
        by_title[a.title].append(a)
        by_text[a.text].append(a)
    clusters = [group for group in by_title.values() if len(group) > 1]
    assert clusters
    for group in clusters:
        assert len({a.published.date() for a in group}) == 1
        assert len({a.outlet for a in group}) == len(group)
        assert len({a.text for a in group}) == 1
        assert len({a.language for a in group}) == 1
        assert 3 <= len(group) <= 4
        assert min(group, key=lambda a: a.published).outlet == "Hemisphere Wire (demo)"
    # Identical text never happens outside those clusters.
    text_groups = sorted(len(g) for g in by_text.values() if len(g) > 1)
    assert text_groups == sorted(len(g) for g in clusters)
    reprints = sum(len(group) - 1 for group in clusters)
    assert 0.03 <= reprints / len(corpus) <= 0.08


# --- content --------------------------------------------------------------------------------------


def test_every_dyad_is_covered_and_background_keeps_shares_below_one(corpus):
    for dyad in DEFAULT_DYADS:
        a, b = dyad.split("-")
        both = sum(mentions(x, a) and mentions(x, b) for x in corpus)
        assert both >= 0.02 * len(corpus), dyad
    per_usa = sum(mentions(x, "PER") and mentions(x, "USA") for x in corpus) / len(corpus)
    assert 0.30 <= per_usa <= 0.50
    # Stories naming none of the dyads' countries (Brazil, Argentina, ...) exist.
    assert sum(not any(mentions(x, c) for c in MENTIONS) for x in corpus) >= 0.03 * len(corpus)


def test_country_names_vary(corpus):
    text = " ".join(a.title + " " + a.text for a in corpus)
    for form in (
        "Peru",
        "Perú",
        "el Perú",
        "Lima",
        "Peruvian",
        "peruano",
        "the United States",
        "the U.S.",
        "Washington",
        "EE.UU.",
        "Estados Unidos",
        "estadounidense",
        "China",
        "Beijing",
        "Pekín",
        "Mexico",
        "México",
        "Colombia",
        "Bogotá",
        "Venezuela",
        "Caracas",
        "Chile",
        "Santiago",
    ):
        assert form in text, form
    assert "de el " not in text and " a el " not in text


def test_theme_vocabulary_in_both_languages(corpus):
    text = " ".join(a.text for a in corpus)
    for word in (
        "cocaine",
        "narcotráfico",
        "DEA",
        "migrants",
        "deportación",
        "asylum",
        "tariffs",
        "aranceles",
        "free trade agreement",
        "Chancay",
        "APEC",
        "OEA",
        "Amazon",
        "dengue",
        "vacunas",
        "Fulbright",
        "corruption",
        "elecciones",
        "USAID",
        "floods",
        "copper",
        "litio",
        "fertiliser",
    ):
        assert word in text, word


def test_weekly_rhythm_and_growth(corpus):
    days = Counter(a.published.date() for a in corpus)
    weekday = statistics.mean(c for d, c in days.items() if d.weekday() < 5)
    weekend = statistics.mean(c for d, c in days.items() if d.weekday() >= 5)
    assert weekend < 0.8 * weekday
    first = sum(c for d, c in days.items() if d < date(2025, 1, 1))
    last = sum(c for d, c in days.items() if d >= date(2026, 1, 1))
    assert last > first  # the same six months' length, later is busier
    assert 12 <= len(corpus) / len(days) <= 16


# --- events ---------------------------------------------------------------------------------------


def event(key: str, dyad: str) -> demo.DemoEvent:
    return next(e for e in demo.EVENTS if e.key == key and e.dyad == dyad)


def test_event_table_is_documented_and_inside_the_window():
    start = demo.window_start(END, 24)
    assert {e.key for e in demo.EVENTS} == {"state_visit", "border_surge", "trade_dispute"}
    for e in demo.EVENTS:
        first, last = e.window(END)
        assert start <= first <= last <= END
        assert e.description and set(e.themes) <= set(THEMES)
    first, last = event("state_visit", "PER-USA").window(END)
    assert first.weekday() == 6 and (last - first).days == 6  # Sunday previews .. Saturday
    assert 140 <= (END - first).days <= 160


def test_state_visit_week_triples_peru_us_coverage(corpus):
    start, _ = event("state_visit", "PER-USA").window(END)
    both = [a for a in corpus if mentions(a, "PER") and mentions(a, "USA")]
    weeks = weekly_counts(both, start, demo.window_start(END, 24), END)
    assert weeks[0] >= 3 * statistics.median(weeks.values())


def test_border_surge_raises_mexico_us_coverage(corpus):
    start, _ = event("border_surge", "MEX-USA").window(END)
    both = [a for a in corpus if mentions(a, "MEX") and mentions(a, "USA")]
    weeks = weekly_counts(both, start, demo.window_start(END, 24), END)
    median = statistics.median(weeks.values())
    assert weeks[0] >= 2 * median and weeks[1] >= 2 * median


def _mean_tone(articles) -> float:
    analyzer = SentimentIntensityAnalyzer()
    scores = []
    for a in articles:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"0-9])", a.text)
        scores.append(statistics.mean(analyzer.polarity_scores(s)["compound"] for s in sentences))
    return statistics.mean(scores)


def test_events_shift_the_tone_of_english_coverage(corpus):
    english = [a for a in corpus if a.language == "en" and mentions(a, "PER") and mentions(a, "USA")]

    def inside(e: demo.DemoEvent, a) -> bool:
        first, last = e.window(END)
        return first <= a.published.date() <= last

    visit = event("state_visit", "PER-USA")
    dispute = event("trade_dispute", "PER-USA")
    usual = _mean_tone([a for a in english if not inside(visit, a) and not inside(dispute, a)])
    assert _mean_tone([a for a in english if inside(visit, a)]) >= usual + 0.15
    assert _mean_tone([a for a in english if inside(dispute, a)]) <= usual - 0.08


# --- phrase banks ---------------------------------------------------------------------------------


def test_phrase_banks_cover_every_theme_tone_and_event():
    bank = demo._bank()
    for lang, phrases in bank.phrases.items():
        assert set(phrases["themes"]) == set(THEMES), lang
        for theme, table in phrases["themes"].items():
            assert table["topics"], (lang, theme)
            for tone in demo.TONES:
                # Every country set must find a usable fact, including single-country stories.
                assert any(demo._usable(f, ("BRA",)) for f in table["facts"][tone]), (lang, theme)
        for kind in ("bilateral", "domestic"):
            for part in ("title", "lead", "quote"):
                assert set(phrases["frames"][kind][part]) == set(demo.TONES)
        for e in demo.EVENTS:
            story = phrases["events"][e.key][e.dyad]
            assert story["title"] and story["lead"] and story["facts"]
    assert [s for s in demo.STREAM_SHARES if s != demo.BACKGROUND] == list(DEFAULT_DYADS)
    assert sum(demo.STREAM_SHARES.values()) == pytest.approx(1)
    assert set(demo.THEME_MIX) == set(demo.STREAM_SHARES)
    for dyad, mix in demo.THEME_MIX.items():
        assert set(mix) <= set(THEMES), dyad
    assert set(demo.THEME_TONE) == set(THEMES)


def test_bilateral_leads_name_both_countries():
    for phrases in demo._bank().phrases.values():
        for leads in phrases["frames"]["bilateral"]["lead"].values():
            for lead in leads:
                assert "{a" in lead and "{b" in lead, lead
