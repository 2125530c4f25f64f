"""Two selections side by side: two pairs, or two periods of one pair, on volume, themes and tone.

The frames are long (one block per side) so one chart draws both sides and its CSV is exactly
what it plots; ``step`` numbers each side's periods from 1, so two different date ranges can be
drawn on one axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.engine import Source
from analytics.measures import themes, tone, volume
from analytics.selection import Selection

KPI_COLUMNS: tuple[str, ...] = ("side", "selection", "articles", "share", "tone", "tone_n")


@dataclass(frozen=True)
class Comparison:
    """Two selections in the long frames the compare charts plot, side ``A`` then ``B``.

    ``volume``: ``side, label, step, period, articles, all_articles, share``; ``themes``: ``side,
    label, theme, articles, share``; ``tone``: ``side, label, step, period, n, mean, ci_low,
    ci_high``; ``kpis``: ``side, selection, articles, share, tone, tone_n``. ``step`` numbers each
    side's periods from 1, so two different date ranges can be drawn on one axis.
    """

    volume: pd.DataFrame
    themes: pd.DataFrame
    tone: pd.DataFrame
    kpis: pd.DataFrame


def _sides(frames: tuple[pd.DataFrame, pd.DataFrame], labels: tuple[str, str], *, steps: bool) -> pd.DataFrame:
    parts = []
    for side, label, frame in zip(("A", "B"), labels, frames, strict=True):
        extra = {"side": side, "label": label}
        if steps:
            extra["step"] = np.arange(1, len(frame) + 1, dtype=np.int64)
        parts.append(frame.assign(**extra))
    out = pd.concat(parts, ignore_index=True)
    first = ["side", "label", "step"] if steps else ["side", "label"]
    return out[first + [c for c in out.columns if c not in first]]


def compare(source: Source, a: Selection, b: Selection, labels: tuple[str, str]) -> Comparison:
    """Two selections side by side on volume, themes and tone; ``labels`` name sides A and B."""
    sides = [
        (volume.kpis(source, s), volume.volume(source, s), themes.theme_totals(source, s), tone.tone(source, s))
        for s in (a, b)
    ]
    (ka, va, ta, ga), (kb, vb, tb, gb) = sides
    kpis = pd.DataFrame(
        {
            "side": ["A", "B"],
            "selection": [a.filters.describe(), b.filters.describe()],
            "articles": np.array([ka.articles, kb.articles], dtype=np.int64),
            "share": [ka.share, kb.share],
            "tone": [ka.tone, kb.tone],
            "tone_n": np.array([ka.tone_n, kb.tone_n], dtype=np.int64),
        }
    )
    return Comparison(
        volume=_sides((va, vb), labels, steps=True),
        themes=_sides((ta, tb), labels, steps=False),
        tone=_sides((ga, gb), labels, steps=True),
        kpis=kpis[list(KPI_COLUMNS)],
    )
