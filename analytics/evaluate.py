"""Measure the enrichment against a labelled evaluation set.

The set (``tests/eval/en.jsonl`` and ``es.jsonl``) holds newswire sentences with the countries,
themes and tone a careful analyst gives them. Each text goes through :func:`analytics.enrich.enrich`
exactly as an article would (language detected, no title). Reported per language:

- countries: micro precision, recall and F1 over (item, country) pairs;
- themes: precision, recall and F1 per theme, and micro-averaged over all themes;
- tone: accuracy and macro-F1 over positive / neutral / negative (an unscored text counts as wrong);
- tone in aggregate, as policy staff read it (over many articles, never one verdict): how well the
  scored net tone and mean tone of random "periods" of test items follow the labelled ones, and
  the scorer's net-tone bias over the whole test half (see :func:`tone_over_periods`).

A set whose files carry only tone labels (no countries or themes) is scored for tone alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analytics.enrich import enrich_many
from analytics.errors import InputError
from analytics.schema import THEMES
from analytics.sentiment import tone_label

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "eval"
TONES = ("positive", "neutral", "negative")
SPLITS = ("dev", "test")
# What a tone adds to a net tone (share positive - share negative); an unscored item counts as neutral.
NET = {"positive": 1, "neutral": 0, "negative": -1, "unscored": 0}


@dataclass(frozen=True)
class Item:
    """One labelled sentence; ``countries`` and ``themes`` are None where the set labels tone only."""

    id: str
    language: str
    text: str
    countries: frozenset[str] | None
    themes: frozenset[str] | None
    tone: str
    split: str


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # gold positives

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> Scores:
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, tp + fn)


@dataclass(frozen=True)
class Aggregate:
    """How far tone read over many items at once can be trusted, for one language's test half.

    ``net_r`` / ``net_mae``: Pearson correlation and mean absolute error between the scored and the
    labelled net tone (share positive - share negative) of ``periods`` random periods of
    ``period_size`` items; ``mean_r`` / ``mean_mae``: the same for the mean tone (the mean compound
    score against the mean label, positive 1, neutral 0, negative -1). ``net_scored`` and
    ``net_labelled`` are the net tones of all ``items`` test items; ``net_bias`` is how far the
    scorer reads them above (+) or below (-) the analysts.
    """

    net_r: float
    net_mae: float
    mean_r: float
    mean_mae: float
    periods: int
    period_size: int
    seed: int
    items: int
    net_scored: float
    net_labelled: float

    @property
    def net_bias(self) -> float:
        return self.net_scored - self.net_labelled

    def to_json(self) -> dict:
        def figure(value: float) -> float | None:
            return None if math.isnan(value) else round(value, 4)

        return {
            "periods": self.periods, "period_size": self.period_size, "seed": self.seed, "items": self.items,
            "net_r": figure(self.net_r), "net_mae": figure(self.net_mae),
            "mean_r": figure(self.mean_r), "mean_mae": figure(self.mean_mae),
            "net_scored": figure(self.net_scored), "net_labelled": figure(self.net_labelled),
            "net_bias": figure(self.net_bias),
        }  # fmt: skip


@dataclass(frozen=True)
class Report:
    language: str
    items: int
    # None (and no per-theme scores) where the set does not label countries and themes.
    countries: Scores | None
    themes: dict[str, Scores]
    themes_micro: Scores | None
    tone_accuracy: float
    tone_macro_f1: float
    errors: list[dict] = field(default_factory=list)
    # (gold, predicted) -> items; predicted may be "unscored".
    tone_confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    # Per theme: (items, labelled net tone, scored net tone); net tone = share positive - share negative.
    tone_by_theme: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    # Share of items where a second annotator, labelling blind, gave the same tone (None: no file).
    annotator_agreement: float | None = None
    # Tone over periods of test items (None: the test half lacks items of some tone).
    aggregate: Aggregate | None = None
    # Test items the aggregate would be drawn from, to say why it is missing.
    test_items: int = 0

    def to_json(self) -> dict:
        def scores(s: Scores | None) -> dict | None:
            if s is None:
                return None
            return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                    "support": s.support}  # fmt: skip

        return {
            "language": self.language,
            "items": self.items,
            "countries": scores(self.countries),
            "themes_micro": scores(self.themes_micro),
            "themes": {t: scores(s) for t, s in self.themes.items()} if self.themes_micro else None,
            "tone": {
                "accuracy": round(self.tone_accuracy, 4),
                "macro_f1": round(self.tone_macro_f1, 4),
                "confusion": {g: {p: n for (g2, p), n in self.tone_confusion.items() if g2 == g} for g in TONES},
                "by_theme": {
                    t: {"items": n, "labelled_net": round(g, 4), "scored_net": round(p, 4)}
                    for t, (n, g, p) in self.tone_by_theme.items()
                },  # fmt: skip
                "annotator_agreement": None if self.annotator_agreement is None else round(self.annotator_agreement, 4),
                "aggregate": None if self.aggregate is None else self.aggregate.to_json(),
            },
        }


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) of each non-blank line of a JSON-lines file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} line {number}: not a valid evaluation item ({exc})") from None
        if not isinstance(row, dict):
            raise InputError(f"{path} line {number}: not a valid evaluation item (not a JSON object)")
        yield number, row


def load_set(folder: Path = DEFAULT_SET, *, split: str = "all") -> list[Item]:
    """The items of ``en.jsonl`` and ``es.jsonl`` in ``folder`` (one split, or all).

    Either file may be absent, not both. Every item needs an id, a text, a tone (positive, neutral
    or negative) and, unless the set labels tone only, its countries and themes; ``split`` (dev or
    test) defaults to dev. A folder where no item carries countries or themes labels tone only:
    its items get None for both, and the figures on them are left out rather than measured
    against empty labels. A broken item is reported with its file and line.
    """
    files = {language: folder / f"{language}.jsonl" for language in ("en", "es")}
    present = {language: path for language, path in files.items() if path.is_file()}
    if not present:
        raise InputError(f"evaluation folder {folder} holds neither en.jsonl nor es.jsonl")
    rows = {language: list(_rows(path)) for language, path in present.items()}
    tone_only = not any("countries" in row or "themes" in row for found in rows.values() for _, row in found)
    items: list[Item] = []
    for language, found in rows.items():
        path = present[language]
        for number, row in found:
            try:
                item = Item(
                    id=row["id"],
                    language=language,
                    text=row["text"],
                    countries=None if tone_only else frozenset(row["countries"]),
                    themes=None if tone_only else frozenset(row["themes"]),
                    tone=row["tone"],
                    split=row.get("split", "dev"),
                )
            except KeyError as exc:
                raise InputError(f"{path} line {number}: not a valid evaluation item (no field {exc})") from None
            except TypeError as exc:
                raise InputError(f"{path} line {number}: not a valid evaluation item ({exc})") from None
            if item.tone not in TONES:
                raise InputError(f"{path} line {number}: unknown tone {item.tone!r} in {item.id}")
            if item.themes is not None and not item.themes <= set(THEMES):
                raise InputError(f"{path} line {number}: unknown theme in {item.id}")
            if item.split not in SPLITS:
                raise InputError(f"{path} line {number}: unknown split {item.split!r} in {item.id} (dev or test)")
            if split in ("all", item.split):
                items.append(item)
    return items


def load_second_tones(folder: Path = DEFAULT_SET) -> dict[str, str]:
    """Item id -> tone from a second annotator (``<language>_tone_second.jsonl``), where present.

    The second annotator labels tone blind, from the guidelines alone; agreement between the two
    shows how far the labels themselves can be trusted, next to the system's accuracy.
    """
    tones: dict[str, str] = {}
    for language in ("en", "es"):
        path = folder / f"{language}_tone_second.jsonl"
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                item_id, tone = row["id"], row["tone"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path} line {number}: not a valid second-annotator label ({exc})") from None
            if tone not in TONES:
                raise InputError(f"{path} line {number}: unknown tone {tone!r}")
            tones[item_id] = tone
    return tones


def _macro_f1(pairs: Iterable[tuple[str, str]]) -> float:
    pairs = list(pairs)
    f1s = []
    for label in TONES:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        f1s.append(Scores.of(tp, fp, fn).f1)
    return sum(f1s) / len(f1s)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r, or NaN where either side never varies (r is undefined there)."""
    if x.std() == 0 or y.std() == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def tone_over_periods(
    rows: Sequence[tuple[str, str, float | None]], *, periods: int = 1000, period_size: int = 100, seed: int = 2026
) -> Aggregate:
    """How well scored tone follows labelled tone over many items at once, from (labelled tone,
    scored label, compound score) per test item.

    Each of ``periods`` periods mixes positive, neutral and negative news in proportions drawn
    from a Dirichlet(1, 1, 1), so periods range from all-good to all-bad news; its
    ``period_size`` items are drawn (multinomially by that mix, then with replacement within each
    label) from the rows of each label. Per period the labelled net tone (share positive - share
    negative, which is also the mean label at positive 1, neutral 0, negative -1) is set against
    the scored net tone (from the scored labels, an unscored item counting as neutral) and
    against the mean compound score (an unscored item counting as 0). The same seed gives the same
    figures. Every tone needs at least one row.
    """
    if not rows:
        raise ValueError("tone over periods needs items")
    pools = {tone: [(NET[label], compound or 0.0) for gold, label, compound in rows if gold == tone] for tone in TONES}
    missing = [tone for tone, pool in pools.items() if not pool]
    if missing:
        raise ValueError(f"tone over periods needs items of every tone; none is {', '.join(missing)}")
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(period_size, rng.dirichlet(np.ones(len(TONES)), size=periods))
    scored_net = np.zeros(periods)
    scored_mean = np.zeros(periods)
    for k, tone in enumerate(TONES):
        pool = np.array(pools[tone])
        owner = np.repeat(np.arange(periods), counts[:, k])
        picked = pool[rng.integers(len(pool), size=owner.size)]
        scored_net += np.bincount(owner, weights=picked[:, 0], minlength=periods)
        scored_mean += np.bincount(owner, weights=picked[:, 1], minlength=periods)
    labelled = (counts[:, 0] - counts[:, 2]) / period_size
    scored_net /= period_size
    scored_mean /= period_size
    return Aggregate(
        net_r=_pearson(scored_net, labelled),
        net_mae=float(np.abs(scored_net - labelled).mean()),
        mean_r=_pearson(scored_mean, labelled),
        mean_mae=float(np.abs(scored_mean - labelled).mean()),
        periods=periods,
        period_size=period_size,
        seed=seed,
        items=len(rows),
        net_scored=sum(NET[label] for _, label, _ in rows) / len(rows),
        net_labelled=sum(NET[gold] for gold, _, _ in rows) / len(rows),
    )


def evaluate(
    items: list[Item], language: str, second_tones: dict[str, str] | None = None, *, split: str = "all",
    seed: int = 2026,
) -> Report:  # fmt: skip
    """Score the enrichment on the items of one language in ``split`` (and, given a second
    annotator's tones for every item, the agreement between the two annotators).

    Tone in aggregate (:func:`tone_over_periods`, drawn with ``seed``) is always measured on the
    test items among ``items``, whatever ``split`` says; each item is enriched once.
    """
    mine = [i for i in items if i.language == language and (split in ("all", i.split) or i.split == "test")]
    enriched = list(zip(mine, enrich_many([("", i.text) for i in mine]), strict=True))
    chosen = [(item, result) for item, result in enriched if split in ("all", item.split)]
    labelled = all(item.countries is not None and item.themes is not None for item, _ in chosen)
    c_tp = c_fp = c_fn = 0
    theme_counts = {t: [0, 0, 0] for t in THEMES}
    tones: list[tuple[str, str]] = []
    errors: list[dict] = []
    for item, result in chosen:
        label = tone_label(result.sentiment)
        tones.append((item.tone, label))
        error = {"id": item.id, "text": item.text}
        if labelled:
            found = set(result.countries)
            c_tp += len(found & item.countries)
            c_fp += len(found - item.countries)
            c_fn += len(item.countries - found)
            tagged = set(result.themes)
            for theme in THEMES:
                counts = theme_counts[theme]
                counts[0] += theme in tagged and theme in item.themes
                counts[1] += theme in tagged and theme not in item.themes
                counts[2] += theme not in tagged and theme in item.themes
            error["countries"] = [sorted(item.countries), sorted(found)]
            error["themes"] = [sorted(item.themes), sorted(tagged)]
            wrong = found != item.countries or tagged != item.themes
        else:
            wrong = False
        if wrong or label != item.tone:
            errors.append({**error, "tone": [item.tone, label, result.sentiment]})
    confusion: dict[tuple[str, str], int] = {}
    for pair in tones:
        confusion[pair] = confusion.get(pair, 0) + 1
    by_theme: dict[str, tuple[int, float, float]] = {}
    for theme in THEMES if labelled else ():
        pairs = [pair for (item, _), pair in zip(chosen, tones, strict=True) if theme in item.themes]
        if pairs:
            n = len(pairs)
            by_theme[theme] = (n, sum(NET[g] for g, _ in pairs) / n, sum(NET[p] for _, p in pairs) / n)
    agreement = None
    if second_tones and chosen and all(item.id in second_tones for item, _ in chosen):
        agreement = sum(second_tones[item.id] == item.tone for item, _ in chosen) / len(chosen)
    test = [(item.tone, tone_label(result.sentiment), result.sentiment) for item, result in enriched
            if item.split == "test"]  # fmt: skip
    return Report(
        language=language,
        items=len(chosen),
        countries=Scores.of(c_tp, c_fp, c_fn) if labelled else None,
        themes={t: Scores.of(*theme_counts[t]) for t in THEMES} if labelled else {},
        themes_micro=Scores.of(*(sum(theme_counts[t][k] for t in THEMES) for k in range(3))) if labelled else None,
        tone_accuracy=sum(g == p for g, p in tones) / len(tones) if tones else 0.0,
        tone_macro_f1=_macro_f1(tones),
        errors=errors,
        tone_confusion=confusion,
        tone_by_theme=by_theme,
        annotator_agreement=agreement,
        aggregate=tone_over_periods(test, seed=seed) if {g for g, _, _ in test} == set(TONES) else None,
        test_items=len(test),
    )


def _r(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def format_report(report: Report) -> str:
    """A plain-text table of one language's figures."""
    lines = [f"{report.language}: {report.items} items"]
    if report.countries is None or report.themes_micro is None:
        lines.append("  countries    not labelled in this set")
        lines.append("  themes       not labelled in this set")
    else:
        c, m = report.countries, report.themes_micro
        lines.append(
            f"  countries    precision {c.precision:.3f}  recall {c.recall:.3f}  F1 {c.f1:.3f}  (n={c.support})"
        )
        lines.append(
            f"  themes micro precision {m.precision:.3f}  recall {m.recall:.3f}  F1 {m.f1:.3f}  (n={m.support})"
        )
        for theme, s in report.themes.items():
            lines.append(
                f"    {theme:<13}precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}  (n={s.support})"
            )
    lines.append(f"  tone         accuracy {report.tone_accuracy:.3f}  macro-F1 {report.tone_macro_f1:.3f}")
    if report.annotator_agreement is not None:
        agreed = report.annotator_agreement
        lines.append(f"    (a second annotator, labelling blind, agrees on {agreed:.3f} of these items)")
    lines.append("    labelled as  -> scored positive  neutral  negative  unscored")
    for gold in TONES:
        row = [report.tone_confusion.get((gold, p), 0) for p in (*TONES, "unscored")]
        lines.append(f"    {gold:<12}{row[0]:>19}{row[1]:>9}{row[2]:>10}{row[3]:>10}")
    if report.tone_by_theme:
        lines.append("    net tone by theme (share positive - share negative): labelled / scored")
        for theme, (n, labelled, scored) in report.tone_by_theme.items():
            lines.append(f"      {theme:<13}{labelled:+.2f} / {scored:+.2f}  (n={n})")
    a = report.aggregate
    if a is None:
        lines.append(f"  tone over periods: not measured (the {report.test_items} test items do not cover every tone)")
    else:
        lines.append(
            f"  tone over periods of {a.period_size} ({a.periods:,} Dirichlet mixes, test half): "
            f"net tone r {_r(a.net_r)}, MAE {a.net_mae:.2f}; mean tone r {_r(a.mean_r)}, MAE {a.mean_mae:.2f}"
        )
        lines.append(
            f"  net tone on the test half ({a.items} items): scored {a.net_scored:+.2f}, "
            f"labelled {a.net_labelled:+.2f} (bias {a.net_bias:+.2f})"
        )
    return "\n".join(lines)
