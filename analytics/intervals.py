"""Means with 95% confidence intervals, from the sums an engine returns.

Tone is reported as the mean of the scored articles with a Student t interval,
``mean ± t(n-1, 0.975) · sd / √n``; these helpers compute it from per-group ``n``, sum and sum of
squares, so a GROUP BY on any backend gives the same figures as the rows would.
"""

from __future__ import annotations

import math

import numpy as np

# Two-sided 95% Student t quantiles for 1..30 degrees of freedom, from the usual tables.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip

_Z975 = 1.959963984540054  # the normal's 97.5% quantile


def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom.

    Up to 30 from the table; beyond, the Cornish-Fisher expansion of t around the normal quantile
    (terms to 1/df**4), within 1e-5 of the exact value from 31 on: 2.0395 at 31, 2.0003 at 60,
    1.9799 at 120, tending to 1.95996. Plain 1.96 past 30 made intervals 2-4% too narrow up to
    about 60 articles.
    """
    if df < 1:
        return math.nan
    if df <= 30:
        return _T975[df - 1]
    z = _Z975
    terms = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    return z + sum(term / df ** (k + 1) for k, term in enumerate(terms))


def ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``part / whole`` elementwise, NaN where ``whole`` is 0."""
    part, whole = np.asarray(part, dtype=np.float64), np.asarray(whole)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)


def mean_interval(n: np.ndarray, total: np.ndarray, squares: np.ndarray) -> dict[str, np.ndarray]:
    """``n, mean, ci_low, ci_high`` of groups given their count, sum and sum of squares.

    NaN mean where n = 0, NaN interval where n < 2.
    """
    n = np.asarray(n, dtype=np.int64)
    total = np.asarray(total, dtype=np.float64)
    squares = np.asarray(squares, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        var = np.where(n > 1, (squares - n * mean * mean) / np.maximum(n - 1, 1), np.nan)
        half = np.array([t975(int(k) - 1) for k in n]) * np.sqrt(np.clip(var, 0, None) / np.maximum(n, 1))
    return {"n": n, "mean": mean, "ci_low": mean - half, "ci_high": mean + half}
