"""Deterministic demo news corpus: invented articles for trying the monitor without live feeds.

Every article is invented. Outlets are fictional and named "... (demo)", URLs live on the
never-resolvable ``.invalid`` top-level domain, and the same arguments always give byte-identical
output. Articles carry only what a news feed gives (title, text, date, outlet, source country,
declared language): countries, themes and tone are left for the real enrichment to find, so the
demo also exercises the gazetteer, the theme lexicon and the sentiment scorers.

How the corpus is made:

- Volume: each day gets a weight per *stream* (one per dyad, plus "background" stories about
  other countries) = ``STREAM_SHARES`` x weekday rhythm x mild linear growth x day-to-day noise x
  the factor of any event in progress. Exactly ``n`` articles are spread over the (day, stream)
  cells by systematic sampling, so each cell gets its expected count rounded up or down.
- Content: a stream's article picks a primary theme from ``THEME_MIX`` (often a second one), a
  tone from ``THEME_TONE`` and an outlet from either side of the dyad; title and body are filled
  from the phrase banks in ``data/demo/`` (English and Spanish, one per outlet language).
- Events (``EVENTS``) raise one dyad's volume for a few days and replace its themes and tone.
- Wire copies: the wire agency's stories are sometimes reprinted verbatim, the same day, by 2-3
  other outlets writing in the same language; about 5 % of articles are such reprints.
"""

from __future__ import annotations

import functools
import random
import re
import tomllib
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from types import MappingProxyType

from analytics.schema import THEMES

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_HOST = "demo.bilat.invalid"
TONES: tuple[str, ...] = ("positive", "neutral", "negative")
BACKGROUND = "background"

# Share of all articles per stream outside events. PER-USA is the main dyad; background stories
# keep a dyad's share of coverage meaningful (below 1).
STREAM_SHARES: dict[str, float] = {
    "PER-USA": 0.35,
    "CHN-PER": 0.12,
    "MEX-USA": 0.12,
    "COL-USA": 0.10,
    "COL-VEN": 0.09,
    "CHL-PER": 0.07,
    BACKGROUND: 0.15,
}

# Country sets of background stories and their weights: single countries and one other pair.
BACKGROUND_TOPICS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("USA",), 0.30),
    (("PER",), 0.20),
    (("BRA",), 0.15),
    (("ARG",), 0.10),
    (("ECU",), 0.08),
    (("BOL",), 0.05),
    (("ARG", "BRA"), 0.12),
)

# Countries that may be named in passing ({c}) by any article about other countries.
PASSING_COUNTRIES: tuple[str, ...] = ("BRA", "ARG", "ECU", "BOL", "CHL", "COL", "MEX", "CHN")

# Weight of each primary theme per stream; a second theme is drawn from the same mix.
THEME_MIX: dict[str, dict[str, float]] = {
    "PER-USA": {
        "security": 20,
        "trade": 18,
        "diplomacy": 16,
        "migration": 12,
        "environment": 10,
        "governance": 6,
        "culture": 6,
        "health": 4,
        "humanitarian": 4,
        "energy": 4,
    },
    "CHN-PER": {
        "trade": 32,
        "energy": 25,
        "diplomacy": 18,
        "environment": 8,
        "culture": 6,
        "governance": 4,
        "health": 3,
        "security": 2,
        "humanitarian": 2,
    },
    "MEX-USA": {
        "migration": 30,
        "security": 25,
        "trade": 20,
        "diplomacy": 8,
        "governance": 5,
        "energy": 5,
        "health": 3,
        "environment": 2,
        "humanitarian": 1,
        "culture": 1,
    },
    "COL-USA": {
        "security": 35,
        "migration": 20,
        "trade": 10,
        "diplomacy": 10,
        "governance": 8,
        "humanitarian": 6,
        "environment": 5,
        "energy": 3,
        "health": 2,
        "culture": 1,
    },
    "COL-VEN": {
        "migration": 33,
        "security": 22,
        "diplomacy": 20,
        "humanitarian": 10,
        "trade": 6,
        "governance": 5,
        "energy": 2,
        "health": 2,
    },
    "CHL-PER": {
        "trade": 30,
        "diplomacy": 22,
        "energy": 18,
        "culture": 8,
        "environment": 6,
        "migration": 6,
        "security": 4,
        "governance": 3,
        "health": 3,
    },
    BACKGROUND: {theme: 10 for theme in THEMES},
}
SECOND_THEME_P = 0.5

# (positive, neutral, negative) weights of an article's tone by primary theme.
THEME_TONE: dict[str, tuple[float, float, float]] = {
    "security": (0.20, 0.35, 0.45),
    "migration": (0.20, 0.35, 0.45),
    "trade": (0.35, 0.35, 0.30),
    "diplomacy": (0.50, 0.35, 0.15),
    "environment": (0.30, 0.30, 0.40),
    "health": (0.35, 0.40, 0.25),
    "culture": (0.60, 0.30, 0.10),
    "governance": (0.30, 0.35, 0.35),
    "humanitarian": (0.45, 0.30, 0.25),
    "energy": (0.35, 0.40, 0.25),
}

# Volume rhythm: Monday..Sunday (mean 1), and growth from the first to the last day of the window.
WEEKDAY_FACTOR: tuple[float, ...] = (1.12, 1.12, 1.12, 1.12, 1.12, 0.75, 0.65)
GROWTH: tuple[float, float] = (0.9, 1.1)
DAY_NOISE = 0.10  # sigma of the log-normal day-to-day noise, shared by all streams
CELL_NOISE = 0.10  # sigma of the extra noise of one stream on one day

# Share of the stories not reprinted that the wire writes itself.
WIRE_SHARE = 0.08
# Chance that a story starting in a cell with room for it is a wire story reprinted 2-3 times.
WIRE_CLUSTER_P = 0.10
REPRINT_HOME_BIAS = 3.0  # outlets of the story's countries reprint it more often

SENTENCES = (2, 3, 4, 5, 6)
SENTENCE_WEIGHTS = (0.12, 0.30, 0.30, 0.18, 0.10)
PASSING_P = 0.12
# Hours of the day (UTC) when Americas newsrooms publish most.
HOUR_WEIGHTS = tuple(0.6 if h < 5 else 0.25 if h < 11 else 1.0 if h < 23 else 0.8 for h in range(24))


@dataclass(frozen=True)
class DemoArticle:
    """One invented article, as a news feed would deliver it: no countries, themes or tone."""

    url: str
    title: str
    text: str
    published: datetime
    outlet: str
    source_country: str
    language: str


@dataclass(frozen=True)
class DemoEvent:
    """A scripted news event that must show in the demo as a volume spike and a tone shift.

    It starts ``days_before_end`` days before the window's end (moved back to the previous
    ``weekday`` when one is given, 0 = Monday) and lasts ``len(profile)`` days; ``profile[i]``
    multiplies the dyad's usual daily volume on day i. Of a day's articles on the dyad, the share
    ``1 - 1/factor`` are event stories: their themes are ``themes`` (the first always, the second
    usually) and their tone follows ``tone`` (positive, neutral, negative weights).
    """

    key: str
    dyad: str
    description: str
    days_before_end: int
    profile: tuple[float, ...]
    themes: tuple[str, ...]
    tone: tuple[float, float, float]
    weekday: int | None = None

    def window(self, end: date) -> tuple[date, date]:
        """First and last day of the event for a corpus ending on ``end``."""
        start = end - timedelta(days=self.days_before_end)
        if self.weekday is not None:
            start -= timedelta(days=(start.weekday() - self.weekday) % 7)
        return start, start + timedelta(days=len(self.profile) - 1)

    def factor(self, day: date, end: date) -> float:
        """Volume multiplier of the event's dyad on ``day`` (1 outside the event)."""
        start, last = self.window(end)
        return self.profile[(day - start).days] if start <= day <= last else 1.0


EVENTS: tuple[DemoEvent, ...] = (
    DemoEvent(
        "state_visit",
        "PER-USA",
        "Peruvian president's state visit to Washington: agreements on trade and investment. "
        "Previews on Sunday, the visit Monday to Friday (x4), wrap-ups on Saturday.",
        days_before_end=150,
        weekday=6,
        profile=(2, 4, 4, 4, 4, 4, 2),
        themes=("diplomacy", "trade"),
        tone=(0.80, 0.15, 0.05),
    ),
    DemoEvent(
        "border_surge",
        "MEX-USA",
        "Record migrant crossings at the US-Mexico border, overwhelmed shelters, troops deployed.",
        days_before_end=335,
        profile=(2,) + (3,) * 16 + (2,),
        themes=("migration", "security"),
        tone=(0.05, 0.25, 0.70),
    ),
    DemoEvent(
        "trade_dispute",
        "PER-USA",
        "US tariffs on Peruvian copper: Lima protests, talks fail, exporters fear job losses.",
        days_before_end=243,
        profile=(3.0,) * 14,
        themes=("trade", "energy"),
        tone=(0.05, 0.15, 0.80),
    ),
    DemoEvent(
        "trade_dispute",
        "CHN-PER",
        "Peru reviews Chinese investment in the Chancay port, in the same fortnight as the copper tariffs.",
        days_before_end=243,
        profile=(2.0,) * 14,
        themes=("trade", "energy"),
        tone=(0.05, 0.15, 0.80),
    ),
)


def generate(*, n: int = 10_000, seed: int = 7, end: date | None = None, months: int = 24) -> Iterator[DemoArticle]:
    """Exactly ``n`` demo articles published in the ``months`` months up to ``end``, by date.

    ``end`` defaults to today (UTC) and is included; the window starts the day after the same
    date ``months`` months earlier. The same arguments always give the same articles; events
    that fall before the window (short windows) are simply absent.
    """
    if n < 0:
        raise ValueError(f"n must be zero or more, got {n}")
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    end = end or datetime.now(UTC).date()
    rng = random.Random(seed)
    bank = _bank()
    days = _window_days(end, months)
    cells = [(day, stream) for day in days for stream in STREAM_SHARES]
    counts = _allocate(n, _cell_weights(days, end, rng), rng)
    writer = _Writer(rng, bank, end)
    for (day, stream), count in zip(cells, counts, strict=True):
        if count:
            writer.fill_cell(day, stream, count)
    return iter(sorted(writer.articles, key=lambda a: (a.published, a.url)))


def window_start(end: date, months: int) -> date:
    """First day of a ``months``-month window ending on ``end`` (inclusive)."""
    total = end.year * 12 + end.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(end.day, last_day)) + timedelta(days=1)


def _window_days(end: date, months: int) -> list[date]:
    start = window_start(end, months)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _cell_weights(days: list[date], end: date, rng: random.Random) -> list[float]:
    """Expected relative volume of every (day, stream) cell, in ``generate``'s cell order."""
    span = max(len(days) - 1, 1)
    weights = []
    for i, day in enumerate(days):
        growth = GROWTH[0] + (GROWTH[1] - GROWTH[0]) * i / span
        day_w = WEEKDAY_FACTOR[day.weekday()] * growth * rng.lognormvariate(0, DAY_NOISE)
        for stream, share in STREAM_SHARES.items():
            factor = max((e.factor(day, end) for e in EVENTS if e.dyad == stream), default=1.0)
            weights.append(share * day_w * factor * rng.lognormvariate(0, CELL_NOISE))
    return weights


def _allocate(n: int, weights: list[float], rng: random.Random) -> list[int]:
    """Spread exactly ``n`` items over cells in proportion to ``weights`` (systematic sampling)."""
    counts = [0] * len(weights)
    if n == 0:
        return counts
    cumulative = list(accumulate(weights))
    step = cumulative[-1] / n
    offset = rng.random() * step
    for k in range(n):
        index = min(bisect_right(cumulative, offset + k * step), len(weights) - 1)
        counts[index] += 1
    return counts


@dataclass(frozen=True)
class _Bank:
    """The phrase banks and outlets from ``data/demo``, read once per process."""

    outlets: tuple[Mapping, ...]
    countries: Mapping
    phrases: Mapping  # language -> parsed phrase bank


@functools.cache
def _bank() -> _Bank:
    def load(name: str) -> dict:
        with open(DEMO_DIR / name, "rb") as fh:
            return tomllib.load(fh)

    return _Bank(
        outlets=_freeze(load("outlets.toml")["outlet"]),
        countries=_freeze(load("countries.toml")),
        phrases=_freeze({lang: load(f"phrases_{lang}.toml") for lang in ("en", "es")}),
    )


def _freeze(value):
    """Read-only copy of parsed TOML: the cached bank is shared by every caller in the process."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


_SLOT = re.compile(r"\{([A-Za-z_]+)\}")
_NAMED_CODE = re.compile(r"\{([A-Z]{3})")
_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}
_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}


@functools.cache
def _named_codes(template: str) -> frozenset[str]:
    return frozenset(_NAMED_CODE.findall(template))


def _usable(template: str, countries: tuple[str, ...]) -> bool:
    """A template fits an article if every country it names is one of the article's, and it
    only names a second country ({b}) when the article has one."""
    if len(countries) < 2 and "{b" in template:
        return False
    return _named_codes(template) <= set(countries)


def _number(value: float, lang: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    # Spanish newswire swaps the separators: 1.250 and 3,5.
    return text.translate(str.maketrans(",.", ".,")) if lang == "es" else text


class _Writer:
    """Writes the articles of each (day, stream) cell; keeps the running state of one corpus."""

    def __init__(self, rng: random.Random, bank: _Bank, end: date) -> None:
        self.rng = rng
        self.bank = bank
        self.end = end
        self.articles: list[DemoArticle] = []
        self.titles: set[str] = set()
        self.texts: set[str] = set()
        self.wire = next(o for o in bank.outlets if o.get("wire"))
        self.by_country: dict[str, list[Mapping]] = {}
        for outlet in bank.outlets:
            if not outlet.get("wire"):
                self.by_country.setdefault(outlet["country"], []).append(outlet)

    # --- volume and outlets -------------------------------------------------------------------

    def fill_cell(self, day: date, stream: str, count: int) -> None:
        """Add ``count`` articles of ``stream`` published on ``day``."""
        event = self._event(day, stream)
        remaining = count
        while remaining:
            countries = self._countries(stream)
            story_event = None
            if event is not None and self.rng.random() < 1 - 1 / event.factor(day, self.end):
                story_event = event
            copies = 0
            if remaining >= 3 and self.rng.random() < WIRE_CLUSTER_P:
                copies = min(self.rng.choice((2, 3)), remaining - 1)
                outlet = self.wire
            else:
                outlet = self._outlet(countries)
            wire = outlet.get("wire", False)
            lang = self.rng.choice(outlet["languages"]) if wire else outlet["language"]
            remaining -= self._story(day, stream, countries, outlet, lang, story_event, copies)

    def _event(self, day: date, stream: str) -> DemoEvent | None:
        active = [e for e in EVENTS if e.dyad == stream and e.factor(day, self.end) > 1]
        return max(active, key=lambda e: e.factor(day, self.end)) if active else None

    def _countries(self, stream: str) -> tuple[str, ...]:
        if stream == BACKGROUND:
            topics, weights = zip(*BACKGROUND_TOPICS, strict=True)
            return self.rng.choices(topics, weights)[0]
        return tuple(stream.split("-"))

    def _outlet(self, countries: tuple[str, ...]) -> Mapping:
        # Both sides' outlets compete by weight: the bigger press covers the pair more.
        pool = [o for c in countries for o in self.by_country.get(c, ())]
        if not pool:
            pool = [o for group in self.by_country.values() for o in group]
        if self.rng.random() < WIRE_SHARE:
            return self.wire
        return self.rng.choices(pool, [o["weight"] for o in pool])[0]

    def _reprinters(self, lang: str, countries: tuple[str, ...], k: int) -> list[Mapping]:
        pool = [o for group in self.by_country.values() for o in group if o["language"] == lang]
        chosen: list[Mapping] = []
        while pool and len(chosen) < k:
            weights = [o["weight"] * (REPRINT_HOME_BIAS if o["country"] in countries else 1.0) for o in pool]
            pick = self.rng.choices(range(len(pool)), weights)[0]
            chosen.append(pool.pop(pick))
        return chosen

    # --- one story and its copies -------------------------------------------------------------

    def _story(
        self,
        day: date,
        stream: str,
        countries: tuple[str, ...],
        outlet: Mapping,
        lang: str,
        event: DemoEvent | None,
        copies: int,
    ) -> int:
        """Write one story (and ``copies`` same-day reprints of it); return how many were added."""
        # Wire stories go out early enough in the day for same-day reprints.
        hour = self.rng.choices(range(24), HOUR_WEIGHTS)[0]
        if copies:
            hour = min(hour, 19)
        published = datetime(
            day.year,
            day.month,
            day.day,
            hour,
            self.rng.randrange(60),
            self.rng.randrange(60),
            tzinfo=UTC,
        )
        title, text = self._compose(stream, countries, outlet["country"], lang, event, day)
        self._add(title, text, published, outlet, lang)
        end_of_day = published.replace(hour=23, minute=59, second=59)
        reprinters = self._reprinters(lang, countries, copies)
        for reprinter in reprinters:
            delay = timedelta(minutes=self.rng.randint(10, 240))
            self._add(title, text, min(published + delay, end_of_day), reprinter, lang)
        return 1 + len(reprinters)

    def _add(self, title: str, text: str, published: datetime, outlet: Mapping, lang: str) -> None:
        n = len(self.articles) + 1
        url = f"https://{DEMO_HOST}/{outlet['slug']}/{published:%Y/%m/%d}/{_slug(title)}-{n}"
        self.articles.append(DemoArticle(url, title, text, published, outlet["name"], outlet["country"], lang))

    def _compose(
        self,
        stream: str,
        countries: tuple[str, ...],
        home: str,
        lang: str,
        event: DemoEvent | None,
        day: date,
    ) -> tuple[str, str]:
        rng = self.rng
        if event is not None:
            themes = (event.themes[0],) + (event.themes[1:2] if rng.random() < 0.8 else ())
            tone = rng.choices(TONES, event.tone)[0]
        else:
            mix = THEME_MIX[stream]
            first = rng.choices(list(mix), list(mix.values()))[0]
            themes = (first,)
            if rng.random() < SECOND_THEME_P:
                rest = {t: w for t, w in mix.items() if t != first}
                themes += (rng.choices(list(rest), list(rest.values()))[0],)
            tone = rng.choices(TONES, THEME_TONE[first])[0]
        # Outlets put their own country first when the story is about it.
        if home in countries and len(countries) == 2:
            order = (home, next(c for c in countries if c != home))
        else:
            order = tuple(rng.sample(countries, len(countries)))
        others = [c for c in PASSING_COUNTRIES if c not in countries]
        binding = {"a": order[0], "b": order[-1], "c": rng.choice(others)}
        ctx = _Context(rng, self.bank, lang, countries, binding, themes[0], day)
        # An event story in the event's dominant tone is told with the event's own phrases.
        story = None
        if event is not None and TONES[max(range(3), key=event.tone.__getitem__)] == tone:
            story = self.bank.phrases[lang]["events"][event.key][event.dyad]
        title = self._unique_title(ctx, tone, story)
        return title, self._unique_body(ctx, tone, themes, story)

    def _unique_title(self, ctx: _Context, tone: str, story: Mapping | None) -> str:
        """A headline not used before, so that only wire copies share one.

        Event headlines have few slots and run out first; then the theme frames take over, and
        in the end a dateline-style suffix makes the headline unique.
        """
        for source in (story, None) if story else (None,):
            for _ in range(30):
                title = ctx.title(tone, source)
                if title not in self.titles:
                    self.titles.add(title)
                    return title
        base = ctx.title(tone, None)
        title, k = base, 1
        while title in self.titles:
            title, k = f"{base} ({ctx.fill('{a_city}', theme=ctx.theme)}, {k})", k + 1
        self.titles.add(title)
        return title

    def _unique_body(self, ctx: _Context, tone: str, themes: tuple[str, ...], story: Mapping | None) -> str:
        """A body text not used before: short bodies from few slots can otherwise repeat."""
        for _ in range(30):
            text = ctx.body(tone, themes, story)
            if text not in self.texts:
                break
        while text in self.texts:
            text += " " + ctx.fill(ctx.pick(ctx.frames["context"]), theme=ctx.theme)
        self.texts.add(text)
        return text


class _Context:
    """Fills templates for one article: its language, countries, theme and random source."""

    def __init__(
        self,
        rng: random.Random,
        bank: _Bank,
        lang: str,
        countries: tuple[str, ...],
        binding: dict[str, str],
        theme: str,
        day: date,
    ) -> None:
        self.rng = rng
        self.bank = bank
        self.lang = lang
        self.countries = countries
        self.binding = binding
        self.theme = theme
        self.day = day
        self.phrases = bank.phrases[lang]
        self.frames = self.phrases["frames"]["bilateral" if len(countries) > 1 else "domestic"]
        self.topic: str | None = None

    def title(self, tone: str, story: Mapping | None) -> str:
        source = story["title"] if story else self.frames["title"][tone]
        return self.fill(self.pick(source), theme=self.theme)

    def body(self, tone: str, themes: tuple[str, ...], story: Mapping | None) -> str:
        rng = self.rng
        size = rng.choices(SENTENCES, SENTENCE_WEIGHTS)[0]
        lead = self.pick(story["lead"] if story else self.frames["lead"][tone])
        parts = [(lead, themes[0])]
        if story:
            parts.append((self.pick(story["facts"]), themes[0]))
        used = set()
        for theme in themes:
            parts.append((self._fact(theme, self._tone_near(tone), used), theme))
        if rng.random() < 0.5:
            parts.append((self.pick(self.frames["quote"][self._tone_near(tone)]), themes[0]))
        if rng.random() < PASSING_P:
            parts.append((self.pick(self.phrases["passing"]), themes[0]))
        while len(parts) < size:
            fact = self._fact(themes[0], self._tone_near(tone), used, fresh_only=True)
            if fact is None:
                break
            parts.append((fact, themes[0]))
        parts = parts[:size]
        if size >= 4 and rng.random() < 0.4:
            parts[-1] = (self.pick(self.frames["context"]), themes[0])
        return " ".join(self.fill(t, theme=th) for t, th in parts)

    def _tone_near(self, tone: str) -> str:
        """Body sentences mostly keep the article's tone, sometimes neutral, rarely the other."""
        roll = self.rng.random()
        if roll < 0.6 or tone == "neutral" and roll < 0.8:
            return tone
        if roll < 0.9:
            return "neutral" if tone != "neutral" else self.rng.choice(("positive", "negative"))
        return {"positive": "negative", "negative": "positive"}.get(tone, "neutral")

    def _fact(self, theme: str, tone: str, used: set[str], fresh_only: bool = False) -> str | None:
        facts = self.phrases["themes"][theme]["facts"][tone]
        fact = self.pick(facts, avoid=used, fresh_only=fresh_only)
        if fact is not None:
            used.add(fact)
        return fact

    def pick(self, templates, avoid: set[str] = frozenset(), fresh_only: bool = False):
        """A random template that fits the article's countries, preferring ones not in ``avoid``
        (with ``fresh_only``, None when every fitting template is in ``avoid``)."""
        usable = [t for t in templates if _usable(t, self.countries)]
        fresh = [t for t in usable if t not in avoid]
        if not fresh and fresh_only:
            return None
        return self.rng.choice(fresh or usable)

    def fill(self, template: str, *, theme: str) -> str:
        """The template with every slot filled, tidied as a sentence or headline."""
        return _tidy(self._expand(template, theme), self.lang)

    def _expand(self, template: str, theme: str) -> str:
        # Slot values may hold slots themselves (roles, topics): expand a few levels deep.
        text = template
        for _ in range(4):
            if "{" not in text:
                break
            text = _SLOT.sub(lambda m: self._slot(m.group(1), theme), text)
        return text

    def _slot(self, name: str, theme: str) -> str:
        head, _, field = name.partition("_")
        if head in self.binding:
            return self._country(self.binding[head], field)
        if head in self.bank.countries:
            return self._country(head, field)
        rng, lang = self.rng, self.lang
        if name == "topic":
            # One topic per article, so the headline and the lead tell the same story.
            if self.topic is None:
                topics = self.phrases["themes"][theme]["topics"]
                self.topic = self._expand(rng.choice(topics), theme)
            return self.topic
        if name == "num":
            return str(rng.randint(2, 60))
        if name == "few":
            return str(rng.randint(2, 12))
        if name == "num_big":
            return _number(rng.randint(12, 980) * 10, lang)
        if name == "pct":
            return f"{rng.randint(3, 45)}%"
        if name == "tonnes":
            tenths = rng.randint(12, 120)
            return _number(tenths / 10, lang, 0 if tenths % 10 == 0 else 1)
        if name == "usd":
            millions = rng.choice((rng.randint(12, 95), rng.randint(10, 99) * 10, rng.randint(11, 49) * 100))
            if lang == "es":
                return f"{_number(millions, lang)} millones de dólares"
            if millions >= 1000:
                return f"${_number(millions / 1000, lang, 1)} billion"
            return f"${millions} million"
        if name == "year":
            return str(rng.randint(2006, 2016))
        if name == "year_future":
            return str(self.day.year + rng.randint(3, 6))
        if name == "month":
            return rng.choice(_MONTHS[lang])
        if name == "weekday":
            return _WEEKDAYS[lang][rng.choice((0, 1, 2, 3, 4, self.day.weekday()))]
        return rng.choice(self.phrases["themes"][theme][name])

    def _country(self, code: str, field: str) -> str:
        forms = self.bank.countries[code][self.lang]
        if field == "":
            return self.rng.choice(forms["name"])
        if field == "official":
            return self.rng.choice(self.phrases["roles"]).replace("{X", "{" + code)
        if field in ("city", "capital"):
            return self.rng.choice(forms["cities"]) if field == "city" else forms["capital"]
        adjectives = forms["adj"]
        if self.lang == "en":
            return self.rng.choice(adjectives)
        return adjectives[("adj", "adj_f", "adj_mp", "adj_fp").index(field)]


_ES_CONTRACTIONS = ((" de el ", " del "), (" a el ", " al "), ("De el ", "Del "), ("A el ", "Al "))


def _tidy(text: str, lang: str) -> str:
    """Newswire surface: contractions, "an" before a vowel, no doubled stop, capital first."""
    if lang == "es":
        for old, new in _ES_CONTRACTIONS:
            text = text.replace(old, new)
    else:
        text = re.sub(r"\b([Aa]) (?=[AEIO])", r"\1n ", text)
    text = text.replace("..", ".")
    for i, ch in enumerate(text):
        if ch.isalnum():
            return text[:i] + ch.upper() + text[i + 1 :]
    return text


def _slug(title: str, words: int = 8) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    parts = re.sub(r"[^a-z0-9]+", " ", ascii_title.lower()).split()
    return "-".join(parts[:words]) or "story"
