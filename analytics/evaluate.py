"""Measure the enrichment against a labelled evaluation set.

The set (``tests/eval/en.jsonl`` and ``es.jsonl``) holds newswire sentences with the countries,
themes and tone a careful analyst gives them. Each text goes through :func:`analytics.enrich.enrich`
exactly as an article would (language detected, no title). Reported per language:

- countries: micro precision, recall and F1 over (item, country) pairs;
- themes: precision, recall and F1 per theme, and micro-averaged over all themes;
- tone: accuracy and macro-F1 over positive / neutral / negative (an unscored text counts as wrong).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analytics.enrich import enrich_many
from analytics.errors import InputError
from analytics.schema import THEMES
from analytics.sentiment import tone_label

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "eval"
TONES = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class Item:
    id: str
    language: str
    text: str
    countries: frozenset[str]
    themes: frozenset[str]
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
class Report:
    language: str
    items: int
    countries: Scores
    themes: dict[str, Scores]
    themes_micro: Scores
    tone_accuracy: float
    tone_macro_f1: float
    errors: list[dict] = field(default_factory=list)
    # (gold, predicted) -> items; predicted may be "unscored".
    tone_confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    # Per theme: (items, labelled net tone, scored net tone); net tone = share positive - share negative.
    tone_by_theme: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    # Share of items where a second annotator, labelling blind, gave the same tone (None: no file).
    annotator_agreement: float | None = None

    def to_json(self) -> dict:
        def scores(s: Scores) -> dict:
            return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                    "support": s.support}  # fmt: skip

        return {
            "language": self.language,
            "items": self.items,
            "countries": scores(self.countries),
            "themes_micro": scores(self.themes_micro),
            "themes": {t: scores(s) for t, s in self.themes.items()},
            "tone": {
                "accuracy": round(self.tone_accuracy, 4),
                "macro_f1": round(self.tone_macro_f1, 4),
                "confusion": {g: {p: n for (g2, p), n in self.tone_confusion.items() if g2 == g} for g in TONES},
                "by_theme": {
                    t: {"items": n, "labelled_net": round(g, 4), "scored_net": round(p, 4)}
                    for t, (n, g, p) in self.tone_by_theme.items()
                },  # fmt: skip
                "annotator_agreement": None if self.annotator_agreement is None else round(self.annotator_agreement, 4),
            },
        }


def load_set(folder: Path = DEFAULT_SET, *, split: str = "all") -> list[Item]:
    """The items of ``en.jsonl`` and ``es.jsonl`` in ``folder`` (one split, or all)."""
    items: list[Item] = []
    for language in ("en", "es"):
        path = folder / f"{language}.jsonl"
        if not path.is_file():
            raise InputError(f"evaluation file {path} is missing")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                item = Item(
                    id=row["id"],
                    language=language,
                    text=row["text"],
                    countries=frozenset(row["countries"]),
                    themes=frozenset(row["themes"]),
                    tone=row["tone"],
                    split=row.get("split", "dev"),
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path} line {number}: not a valid evaluation item ({exc})") from None
            if item.tone not in TONES or not item.themes <= set(THEMES):
                raise InputError(f"{path} line {number}: unknown tone or theme in {item.id}")
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


def evaluate(items: list[Item], language: str, second_tones: dict[str, str] | None = None) -> Report:
    """Score the enrichment on the items of one language (and, given a second annotator's tones
    for every item, the agreement between the two annotators)."""
    chosen = [i for i in items if i.language == language]
    results = enrich_many([("", i.text) for i in chosen])
    c_tp = c_fp = c_fn = 0
    theme_counts = {t: [0, 0, 0] for t in THEMES}
    tones: list[tuple[str, str]] = []
    errors: list[dict] = []
    for item, result in zip(chosen, results, strict=True):
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
        label = tone_label(result.sentiment)
        tones.append((item.tone, label))
        if found != item.countries or tagged != item.themes or label != item.tone:
            errors.append({
                "id": item.id, "text": item.text,
                "countries": [sorted(item.countries), sorted(found)],
                "themes": [sorted(item.themes), sorted(tagged)],
                "tone": [item.tone, label, result.sentiment],
            })  # fmt: skip
    per_theme = {t: Scores.of(*theme_counts[t]) for t in THEMES}
    micro = Scores.of(*(sum(theme_counts[t][k] for t in THEMES) for k in range(3)))
    accuracy = sum(g == p for g, p in tones) / len(tones) if tones else 0.0
    confusion: dict[tuple[str, str], int] = {}
    for pair in tones:
        confusion[pair] = confusion.get(pair, 0) + 1
    net = {"positive": 1, "neutral": 0, "negative": -1, "unscored": 0}
    by_theme: dict[str, tuple[int, float, float]] = {}
    for theme in THEMES:
        pairs = [pair for item, pair in zip(chosen, tones, strict=True) if theme in item.themes]
        if pairs:
            n = len(pairs)
            by_theme[theme] = (n, sum(net[g] for g, _ in pairs) / n, sum(net[p] for _, p in pairs) / n)
    agreement = None
    if second_tones and chosen and all(i.id in second_tones for i in chosen):
        agreement = sum(second_tones[i.id] == i.tone for i in chosen) / len(chosen)
    return Report(language, len(chosen), Scores.of(c_tp, c_fp, c_fn), per_theme, micro, accuracy, _macro_f1(tones),
                  errors, confusion, by_theme, agreement)  # fmt: skip


def format_report(report: Report) -> str:
    """A plain-text table of one language's figures."""
    c = report.countries
    lines = [
        f"{report.language}: {report.items} items",
        f"  countries    precision {c.precision:.3f}  recall {c.recall:.3f}  F1 {c.f1:.3f}  (n={c.support})",
        f"  themes micro precision {report.themes_micro.precision:.3f}  recall {report.themes_micro.recall:.3f}  "
        f"F1 {report.themes_micro.f1:.3f}  (n={report.themes_micro.support})",
    ]
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
    return "\n".join(lines)
