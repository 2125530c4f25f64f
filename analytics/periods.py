"""Periods: calendar days, weeks starting on Monday, or calendar months, labelled by their first day.

Days are local dates in the zone of ``BILAT_TZ`` (UTC by default; see :mod:`analytics.settings`):
the dataset's ``day`` column holds them, and weeks and months are built from those days, never
from the UTC timestamp, so every period begins at local midnight.

Every measure that draws a series over time uses these helpers, so a week starts on the same day
on every chart, every period of a range is present (empty ones with zero counts), and the engine's
bucketing (:func:`bucket`, an Ibis expression) agrees with the one done here in numpy.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics.schema import FREQUENCIES


def check_freq(freq: str) -> None:
    """Raise ValueError unless ``freq`` is ``"D"``, ``"W"`` or ``"M"``."""
    if freq not in FREQUENCIES:
        raise ValueError(f"frequency {freq!r} is not one of {', '.join(FREQUENCIES)}")


def period_starts(days: np.ndarray, freq: str) -> np.ndarray:
    """The first day of the period of each day (``datetime64[D]`` in, ``datetime64[D]`` out)."""
    check_freq(freq)
    d = days.astype("datetime64[D]")
    if freq == "D":
        return d
    if freq == "W":
        # 1970-01-01 was a Thursday: shift by 3 so Monday is day 0 of the week.
        num = d.astype(np.int64)
        return (num - (num + 3) % 7).astype("datetime64[D]")
    return d.astype("datetime64[M]").astype("datetime64[D]")


def period_start(day: date, freq: str) -> date:
    """The first day of the period holding ``day``."""
    return period_starts(np.array([day], dtype="datetime64[D]"), freq)[0].item()


def period_range(start: date, end: date, freq: str) -> pd.DatetimeIndex:
    """Every period start from the period holding ``start`` to the one holding ``end``."""
    bounds = period_starts(np.array([start, end], dtype="datetime64[D]"), freq)
    step = {"D": "D", "W": "W-MON", "M": "MS"}[freq]
    return pd.date_range(bounds[0], bounds[1], freq=step, name="period")


def positions(days: np.ndarray, freq: str, index: pd.DatetimeIndex) -> np.ndarray:
    """The position in ``index`` of each day's period (-1 when outside it)."""
    if len(index) == 0:
        return np.full(len(days), -1, dtype=np.int64)
    starts = period_starts(np.asarray(days), freq)
    if freq == "M":
        pos = (starts.astype("datetime64[M]") - index.values[0].astype("datetime64[M]")).astype(np.int64)
    else:
        pos = (starts - index.values[0].astype("datetime64[D]")).astype(np.int64)
        if freq == "W":
            pos //= 7
    pos[(pos < 0) | (pos >= len(index))] = -1
    return pos


def spread(index: pd.DatetimeIndex, freq: str, periods, values) -> np.ndarray:
    """``values`` given for some ``periods`` laid out over ``index``, zero elsewhere."""
    pos = positions(np.asarray(pd.to_datetime(pd.Series(periods)).to_numpy(), dtype="datetime64[D]"), freq, index)
    values = np.asarray(values)
    out = np.zeros(len(index), dtype=values.dtype)
    keep = pos >= 0
    out[pos[keep]] = values[keep]
    return out


def bucket(day, freq: str):
    """The Ibis expression of the period start of a ``date`` column (what :func:`period_starts` does)."""
    check_freq(freq)
    if freq == "D":
        return day
    return day.truncate("W" if freq == "W" else "M").cast("date")
