"""Spikes: periods whose coverage volume or tone breaks from the recent past, and what drove them.

The rule of :func:`find_spikes`, for a selection counted per day or per week:

- **Baseline.** A period is compared with the ``window`` periods just before it, itself excluded:
  28 days by default (four whole weeks, so every weekday weighs the same and the weekend dip does
  not read as news), or 8 weeks. The counts start ``window`` periods before the filters' start so
  the first periods of the range have a baseline too, but never before the first article the
  store holds in the context: earlier periods are unknown, not quiet. A period is judged only
  once half its window exists.
- **Volume spike.** Counts are first put on Anscombe's square-root scale, ``y = 2 * sqrt(x + 3/8)``,
  where Poisson counts of any mean have a standard deviation close to 1 and a nearly symmetric
  spread. With ``c`` the median of the window's ``y`` and ``MAD`` their median absolute deviation,
  the score is ``(y - c) / max(1.4826 * MAD, 1)``, and the period is a spike when the score
  exceeds ``z`` (3.5) and its count ``x >= min_articles`` (5).
  Median and MAD ignore earlier spikes as long as they fill less than half the window; 1.4826
  makes the MAD estimate a standard deviation; 3.5 is Iglewicz and Hoaglin's cut-off for this
  "modified z-score". The floor of 1 is the Poisson noise itself: a window that happens to be
  flat (MAD = 0, frequent at a few articles a day) cannot make a +1 or +2 look extreme. On the raw
  scale the same rule flagged steady Poisson noise about once a year per daily series (skewed
  small counts, and a spread guessed from 28 values); on the root scale, simulated Poisson series
  give 0.02-0.05 false alarms a year per daily series and about 0.01 per weekly one (more where
  coverage is burstier than Poisson: 0.7 a year daily for a negative binomial with mean 20 and
  dispersion 20). What it takes to be flagged: about 4x a median of 3, 3x a median of 6, 2x a
  median of 20, 1.4x a median of 100. Below ``min_articles`` nothing is news whatever the
  baseline (0 to 4 articles is not a story).
- **Tone shift.** With ``t`` the mean tone of the period's ``n`` scored articles and ``b``, ``sd``
  the mean and standard deviation of the ``n_b`` scored articles of the window, the score is
  ``(t - b) / (max(sd, 0.05) * sqrt(1/n + 1/n_b))``, the two-sample z of a period drawn from the
  baseline's distribution. It is a shift when ``|score| > z_tone`` (3.0, either direction),
  ``n >= min_scored`` and ``n_b >= min_scored`` (10: the mean of ten tones bounded in [-1, 1] is
  close enough to normal, and fewer say little). Unlike the volume score this one is a genuine z
  (standard normal when nothing happened), so it needs less margin than the volume cut-off, whose
  spread is guessed from a few skewed counts: 3.0 is a two-sided tail of 0.27%, about one false
  alarm in seven years of a weekly series. On the demo corpus it finds the tone of the state visit
  and of the copper tariffs and nothing else, where 2.0 adds two ordinary weeks. The 0.05 floor
  is the half-width of the neutral band of the sentiment labels: a baseline whose tones vary less
  than that (all neutral) is degenerate, not precise.

A multi-day event gives one row per period it lifts; the finder does not merge them.

:func:`spike_drivers` explains one spike against the ``baseline_days`` before it: its most
reprinted stories, the title words and bigrams that became frequent (log-odds with a
Haldane-Anscombe 0.5 added to every cell, scored as a z, after Monroe, Colaresi and Quinn's
"Fightin' Words"; English and Spanish stopwords excluded; each wire story counted once), its theme
mix and its outlets. Titles come in as a frame from the caller (see :func:`title_rows`), so
nothing here reads the store.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics.engine import Source
from analytics.filters import Filters
from analytics.measures.grouped import by_period, context_days
from analytics.periods import period_range, period_start, spread
from analytics.schema import (
    SPIKE_ARTICLE_COLUMNS,
    SPIKE_COLUMNS,
    SPIKE_OUTLET_COLUMNS,
    SPIKE_TERM_COLUMNS,
    SPIKE_THEME_COLUMNS,
    THEMES,
    empty_frame,
)
from analytics.selection import Selection, selected

DEFAULT_WINDOW: dict[str, int] = {"D": 28, "W": 8}
MAD_TO_SD = 1.4826
TONE_SD_FLOOR = 0.05
SMOOTHING = 0.5  # added to every cell of a term's 2x2 table (Haldane-Anscombe)
MIN_TERM_TITLES = 2  # a term in one spike title is an anecdote, not a driver

_STEP = {"D": 1, "W": 7}
_WORD = re.compile(r"[^\W\d_]+")


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


# Function words of English and Spanish news titles, accents folded; words under three letters
# are dropped anyway. Kept short on purpose: a content word wrongly listed here is a lost driver.
_STOPWORD_TEXT = """
    the and for with from into onto over under about after before again against among amid
    between during through until upon this that these those there their they them then than
    what which while who whom whose why how when where will would shall should can could may
    might must are was were been being have has had having does did doing not nor but yet
    its his her hers our ours your yours all any both each few more most other some such only
    own same too very just also out off down new says said say via per
    one two three first last next week weeks year years day days today monday tuesday
    wednesday thursday friday saturday sunday
    los las una uno unos unas del por para con sin sobre entre tras desde hasta hacia ante
    bajo contra durante mediante según segun que qué cual cuál cuales quien quién quienes como
    cómo cuando cuándo donde dónde este esta estos estas ese esa esos esas aquel aquella
    aquellos aquellas esto eso sus suyo suya nuestro nuestra nuestros nuestras más mas menos
    muy tan tanto también tambien pero sino aunque porque pues ya aún aun todo toda todos
    todas otro otra otros otras mismo misma ser son fue fueron era eran será serán sido está
    están estaba estar hay han había haber tiene tienen tenía dice dicen dijo nuevo nueva
    nuevos nuevas hoy año años día días semana semanas lunes martes miércoles jueves viernes
    sábado domingo les nos ella ellos ellas sea
"""
STOPWORDS: frozenset[str] = frozenset(_fold(w) for w in _STOPWORD_TEXT.split())


# --- the spike finder ----------------------------------------------------------------------


def find_spikes(
    source: Source,
    sel: Selection,
    *,
    window: int | None = None,
    z: float = 3.5,
    min_articles: int = 5,
    z_tone: float = 3.0,
    min_scored: int = 10,
) -> pd.DataFrame:
    """Periods of the selection whose volume spikes or whose tone shifts (see the module's rule).

    Columns ``period, kind, value, baseline, score, articles``, sorted by period (volume before
    tone). ``kind`` is ``volume`` (value = articles, baseline = the window's median count, score =
    the robust z on the square-root scale) or ``tone`` (value = mean tone, baseline = the
    window's mean tone, score = the signed z). ``articles`` is the period's count of selected
    articles, scored or not. Only periods in the filters' range are reported; the selection's
    frequency is ``"D"`` or ``"W"``.
    """
    freq, filters = sel.freq, sel.filters
    if freq not in DEFAULT_WINDOW:
        raise ValueError(f"spikes are found per day ('D') or week ('W'), not {freq!r}")
    window = DEFAULT_WINDOW[freq] if window is None else window
    if window < 2:
        raise ValueError(f"window must be at least 2 periods, got {window}")
    report_from = None if filters.start is None else period_start(filters.start, freq)
    lead = filters
    if report_from is not None:
        lead = replace(filters, start=report_from - timedelta(days=window * _STEP[freq]))
    bounds = context_days(source, lead)
    if bounds is None:
        return empty_frame(SPIKE_COLUMNS)
    first = max(bounds[0], lead.start or date.min)
    last = filters.end or bounds[1]
    if first > last:
        return empty_frame(SPIKE_COLUMNS)
    index = period_range(first, last, freq)
    frame = by_period(source, Selection(lead, freq, (first, last)))
    periods = frame["period"]
    counts = spread(index, freq, periods, frame["articles"])
    tone_n = spread(index, freq, periods, frame["n"])
    tone_sum = spread(index, freq, periods, frame["total"])
    tone_sq = spread(index, freq, periods, frame["squares"])

    history = np.minimum(np.arange(len(index)), window)
    judged = history >= math.ceil(window / 2)
    if report_from is not None:
        judged &= index.values >= np.datetime64(report_from, "ns")
    found = [_volume_spikes(index, counts, judged, window, z, min_articles)]
    found.append(_tone_shifts(index, counts, tone_n, tone_sum, tone_sq, judged, window, z_tone, min_scored))
    out = pd.concat(found, ignore_index=True)
    if out.empty:
        return empty_frame(SPIKE_COLUMNS)
    out["kind"] = out["kind"].astype(object)
    return out.sort_values(["period", "order"], kind="stable").reset_index(drop=True)[list(SPIKE_COLUMNS)]


def _windows(values: np.ndarray, window: int) -> np.ndarray:
    """Row i holds the ``window`` values before i, NaN where the series has not begun."""
    padded = np.concatenate([np.full(window, np.nan), values.astype(np.float64)])
    return np.lib.stride_tricks.sliding_window_view(padded[:-1], window)


def _anscombe(counts: np.ndarray) -> np.ndarray:
    return 2.0 * np.sqrt(counts + 0.375)


def _volume_spikes(index, counts, judged, window, z, min_articles) -> pd.DataFrame:
    candidates = np.flatnonzero(judged & (counts >= min_articles))
    past = _windows(counts, window)[candidates]
    if len(candidates):
        median = np.nanmedian(past, axis=1)
        scaled = _anscombe(past)
        centre = np.nanmedian(scaled, axis=1)
        mad = np.nanmedian(np.abs(scaled - centre[:, None]), axis=1)
    else:
        median = centre = mad = np.zeros(0)
    score = (_anscombe(counts[candidates]) - centre) / np.maximum(MAD_TO_SD * mad, 1.0)
    hit = score > z
    at = candidates[hit]
    return pd.DataFrame(
        {"period": index[at], "kind": "volume", "value": counts[at].astype(np.float64), "baseline": median[hit],
         "score": score[hit], "articles": counts[at], "order": 0}
    )  # fmt: skip


def _rolling_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Sum of the ``window`` values before each position (fewer at the start)."""
    total = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    i = np.arange(len(values))
    return total[i] - total[np.maximum(i - window, 0)]


def _tone_shifts(index, counts, n, total, squares, judged, window, z_tone, min_scored) -> pd.DataFrame:
    base_n = _rolling_sum(n, window)
    base_total = _rolling_sum(total, window)
    base_sq = _rolling_sum(squares, window)
    ok = judged & (n >= min_scored) & (base_n >= min_scored)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / np.maximum(n, 1)
        base_mean = base_total / np.maximum(base_n, 1)
        base_var = (base_sq - base_n * base_mean**2) / np.maximum(base_n - 1, 1)
        sd = np.maximum(np.sqrt(np.clip(base_var, 0, None)), TONE_SD_FLOOR)
        score = (mean - base_mean) / (sd * np.sqrt(1 / np.maximum(n, 1) + 1 / np.maximum(base_n, 1)))
    at = np.flatnonzero(ok & (np.abs(score) > z_tone))
    return pd.DataFrame(
        {"period": index[at], "kind": "tone", "value": mean[at], "baseline": base_mean[at], "score": score[at],
         "articles": counts[at], "order": 1}
    )  # fmt: skip


def mark_spikes(series: pd.DataFrame, found: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``series`` (one row per ``period``) with ``flagged`` and ``score`` from the spike rows of ``kind``.

    ``flagged`` is True where the finder reported a ``kind`` spike for the period; ``score`` is its
    score there and NaN elsewhere. The input frames are not changed.
    """
    rows = found.loc[found["kind"] == kind, ["period", "score"]]
    score = series["period"].map(dict(zip(rows["period"], rows["score"], strict=True)))
    return series.assign(flagged=score.notna().to_numpy(), score=score.astype("float64").to_numpy())


# --- what drove a spike ----------------------------------------------------------------------


@dataclass(frozen=True)
class SpikeDrivers:
    """What a spike was made of, against the days just before it.

    ``top_articles``: ``n, published, outlet, title, copies``, the first copy of the stories
    reprinted most in the spike (earliest first among equals). ``new_terms``: ``term,
    spike_titles, baseline_titles, spike_share, baseline_share, log_odds, z``, title words and
    bigrams far more frequent than in the baseline, strongest first (counts are of stories, each
    wire cluster once). ``theme_mix``: ``theme, spike_articles, spike_share, baseline_articles,
    baseline_share, change``, rising themes first. ``outlets``: ``outlet, articles, stories`` in
    the spike, busiest first.
    """

    start: date
    end: date
    baseline_start: date
    baseline_end: date
    articles: int
    baseline_articles: int
    top_articles: pd.DataFrame
    new_terms: pd.DataFrame
    theme_mix: pd.DataFrame
    outlets: pd.DataFrame


def spike_window(period: date | pd.Timestamp, freq: str) -> tuple[date, date]:
    """First and last day of a spike row's period (a day, or the Monday-to-Sunday week)."""
    if freq not in _STEP:
        raise ValueError(f"spikes are found per day ('D') or week ('W'), not {freq!r}")
    start = pd.Timestamp(period).date()
    return start, start + timedelta(days=_STEP[freq] - 1)


def _windows_of(filters: Filters, start: date, end: date, baseline_days: int) -> tuple[Filters, Filters]:
    if baseline_days < 1:
        raise ValueError(f"baseline_days must be at least 1, got {baseline_days}")
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    spike = replace(filters, start=start, end=end)
    baseline = replace(filters, start=start - timedelta(days=baseline_days), end=start - timedelta(days=1))
    return spike, baseline


_ROW_FIELDS = ("n", "published", "outlet", "story_key", "theme_mask")


def _rows(source: Source, filters: Filters) -> pd.DataFrame:
    """The selected articles of a short window, as rows: ``n, published, outlet, story_key, theme_mask``."""

    def query() -> pd.DataFrame:
        rows = selected(source, filters)
        return source.run(rows.select(*_ROW_FIELDS).order_by(rows.n))

    # title_rows and spike_drivers read the same two windows: query each once.
    return source.remember(("rows", filters), query)


def title_rows(
    source: Source, sel: Selection, period_start: date, period_end: date, *, baseline_days: int = 28
) -> np.ndarray:
    """Row numbers ``n`` whose titles :func:`spike_drivers` reads: the spike's and the baseline's."""
    spike, baseline = _windows_of(sel.filters, period_start, period_end, baseline_days)
    ns = np.concatenate([_rows(source, spike)["n"].to_numpy(), _rows(source, baseline)["n"].to_numpy()])
    return np.unique(ns.astype(np.int64))


def spike_drivers(
    source: Source,
    sel: Selection,
    period_start: date,
    period_end: date,
    *,
    titles: pd.DataFrame,
    baseline_days: int = 28,
    top: int = 10,
) -> SpikeDrivers:
    """The stories, title terms, themes and outlets behind the selection's coverage from
    ``period_start`` to ``period_end`` (inclusive), against the ``baseline_days`` before it.

    ``titles`` has columns ``n, title`` for (at least) the rows of :func:`title_rows`; articles
    missing from it have no title and count in no term. The selection's own dates are replaced by
    the two windows. See :class:`SpikeDrivers` for the frames.
    """
    spike_f, base_f = _windows_of(sel.filters, period_start, period_end, baseline_days)
    spike = _rows(source, spike_f)
    base = _rows(source, base_f)
    title_of = titles.drop_duplicates("n").set_index("n")["title"]
    return SpikeDrivers(
        start=spike_f.start,
        end=spike_f.end,
        baseline_start=base_f.start,
        baseline_end=base_f.end,
        articles=len(spike),
        baseline_articles=len(base),
        top_articles=_top_articles(spike, title_of, top),
        new_terms=new_terms(_titles(count_once(spike), title_of), _titles(count_once(base), title_of), top=top),
        theme_mix=_theme_mix(spike, base),
        outlets=_outlets(spike),
    )


def earliest_copies(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Story codes of ``rows`` (0..k-1) and the positions of the earliest published copy of each
    story (lowest ``n`` on ties), ascending: the copy that stands for a wire story."""
    codes, _ = pd.factorize(rows["story_key"])
    codes = codes.astype(np.int64)
    if len(rows) == 0:
        return codes, np.zeros(0, dtype=np.int64)
    order = np.lexsort((rows["n"].to_numpy(), pd.to_datetime(rows["published"], utc=True).array.asi8, codes))
    ordered = codes[order]
    return codes, np.sort(order[np.concatenate(([True], ordered[1:] != ordered[:-1]))])


def count_once(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per story: the earliest published copy of each (see :func:`earliest_copies`)."""
    return rows.iloc[earliest_copies(rows)[1]]


def _titles(rows: pd.DataFrame, title_of: pd.Series) -> list[str]:
    found = title_of.reindex(rows["n"].to_numpy())
    return [t for t in found.tolist() if isinstance(t, str)]


def _top_articles(spike: pd.DataFrame, title_of: pd.Series, top: int) -> pd.DataFrame:
    if len(spike) == 0:
        return empty_frame(SPIKE_ARTICLE_COLUMNS)
    codes, at = earliest_copies(spike)
    first = spike.iloc[at]
    frame = pd.DataFrame(
        {
            "n": first["n"].to_numpy(),
            "published": pd.to_datetime(first["published"], utc=True),
            "outlet": first["outlet"].astype(object).to_numpy(),
            "title": title_of.reindex(first["n"].to_numpy()).to_numpy(dtype=object),
            "copies": np.bincount(codes)[codes[at]],
        }
    ).reset_index(drop=True)
    frame = frame.sort_values(["copies", "published", "n"], ascending=[False, True, True], kind="stable")
    return frame.head(top).reset_index(drop=True)


def _terms(title: str) -> set[str]:
    """Distinct words (3+ letters) and bigrams of adjacent such words of a title, stopwords out."""
    words = _WORD.findall(title.lower())
    keep = [len(w) >= 3 and _fold(w) not in STOPWORDS for w in words]
    found = {w for w, k in zip(words, keep, strict=True) if k}
    found.update(f"{a} {b}" for a, b, ka, kb in zip(words, words[1:], keep, keep[1:], strict=False) if ka and kb)
    return found


def new_terms(spike_titles: list[str], baseline_titles: list[str], *, top: int = 10) -> pd.DataFrame:
    """Title words and bigrams far more frequent in the spike's titles than in the baseline's.

    Columns ``term, spike_titles, baseline_titles, spike_share, baseline_share, log_odds, z``:
    per term, how many titles of each side hold it and what share of the side's titles that is;
    ``log_odds`` is the difference of the two sides' log-odds of a title holding the term, with
    0.5 added to every count, and ``z`` divides it by its standard error. Terms in at least two
    spike titles with z > 0, the ``top`` highest z first (ties alphabetically); a word that
    only ever occurs inside the same bigram is left out for the bigram.
    """
    spike = Counter(t for title in spike_titles for t in _terms(title))
    base = Counter(t for title in baseline_titles for t in _terms(title))
    # A word found only inside one bigram, in both sides' titles, is reported as the bigram.
    inside = {w for t in spike if " " in t for w in t.split(" ") if (spike[w], base[w]) == (spike[t], base[t])}
    terms = sorted(t for t, k in spike.items() if k >= MIN_TERM_TITLES and t not in inside)
    if not terms:
        return empty_frame(SPIKE_TERM_COLUMNS)
    n1, n0 = len(spike_titles), len(baseline_titles)
    k1 = np.array([spike[t] for t in terms], dtype=np.float64)
    k0 = np.array([base.get(t, 0) for t in terms], dtype=np.float64)
    a = SMOOTHING
    log_odds = np.log((k1 + a) / (n1 - k1 + a)) - np.log((k0 + a) / (n0 - k0 + a))
    se = np.sqrt(1 / (k1 + a) + 1 / (n1 - k1 + a) + 1 / (k0 + a) + 1 / (n0 - k0 + a))
    frame = pd.DataFrame(
        {
            "term": np.asarray(terms, dtype=object),
            "spike_titles": k1.astype(np.int64),
            "baseline_titles": k0.astype(np.int64),
            "spike_share": k1 / n1,
            "baseline_share": k0 / n0 if n0 else np.full(len(terms), np.nan),
            "log_odds": log_odds,
            "z": log_odds / se,
        }
    )
    frame = frame.loc[frame["z"] > 0].sort_values(["z", "term"], ascending=[False, True], kind="stable")
    return frame.head(top).reset_index(drop=True)


def _theme_counts(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    masks = rows["theme_mask"].to_numpy()
    counts = np.array([int(((masks >> bit) & 1).sum()) for bit in range(len(THEMES))], dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / len(masks) if len(masks) else np.full(len(THEMES), np.nan)
    return counts, shares


def _theme_mix(spike: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    if len(spike) == 0 and len(base) == 0:
        return empty_frame(SPIKE_THEME_COLUMNS)
    (now, now_share), (before, before_share) = _theme_counts(spike), _theme_counts(base)
    frame = pd.DataFrame(
        {
            "theme": np.asarray(THEMES, dtype=object),
            "spike_articles": now,
            "spike_share": now_share,
            "baseline_articles": before,
            "baseline_share": before_share,
            "change": now_share - before_share,
        }
    )
    return frame.sort_values("change", ascending=False, kind="stable", na_position="last").reset_index(drop=True)


def _outlets(spike: pd.DataFrame) -> pd.DataFrame:
    if len(spike) == 0:
        return empty_frame(SPIKE_OUTLET_COLUMNS)
    names = spike["outlet"].astype(object).where(spike["outlet"].notna(), "unknown")
    stories = spike.assign(outlet=names).groupby("outlet", sort=False)["story_key"].nunique()
    articles = names.value_counts(sort=False)
    frame = pd.DataFrame(
        {"outlet": articles.index.to_numpy(dtype=object), "articles": articles.to_numpy(dtype=np.int64),
         "stories": stories.reindex(articles.index).to_numpy(dtype=np.int64)}
    )  # fmt: skip
    return frame.sort_values(["articles", "outlet"], ascending=[False, True], kind="stable").reset_index(drop=True)
