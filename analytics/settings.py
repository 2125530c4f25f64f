"""Settings read from the environment, checked where they are read.

``BILAT_TZ`` is the time zone whose calendar the figures follow: where a day, a week and a month
begin (UTC by default; ``America/Lima`` for an office in Lima, whose evening news would otherwise
count on the next day). The analysis dataset records the zone it was built for and is rebuilt
when the setting changes (see :mod:`analytics.dataset`). Every bilat process reading or writing
one store (the scheduler, the CLI, the dashboard) should be given the same value.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from analytics.errors import InputError

ZONE_VARIABLE = "BILAT_TZ"
DEFAULT_ZONE = "UTC"


def zone_name() -> str:
    """The ``BILAT_TZ`` setting as written (``UTC`` when unset or blank); not checked."""
    return os.environ.get(ZONE_VARIABLE, "").strip() or DEFAULT_ZONE


def local_zone() -> ZoneInfo:
    """The time zone of ``BILAT_TZ`` (UTC when unset); :class:`InputError` for a name zoneinfo does not know.

    Read on every call, so a changed environment (a test's monkeypatch) takes effect at once;
    zoneinfo keeps the zones themselves.
    """
    name = zone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        shown = name if len(name) <= 60 else name[:57] + "..."
        raise InputError(
            f"{ZONE_VARIABLE}={shown!r} is not a time zone name; give one such as America/Lima, or unset it for UTC"
        ) from None


def local_dates(published: pd.Series, zone: ZoneInfo | None = None) -> pd.Series:
    """The calendar date (``datetime.date``, object dtype) of each moment in ``zone`` (default
    :func:`local_zone`); naive moments are taken as UTC, missing ones stay missing."""
    moments = pd.to_datetime(published, utc=True)
    return moments.dt.tz_convert(zone or local_zone()).dt.date


def shown_time(moment: str | datetime | pd.Timestamp, zone: ZoneInfo | None = None) -> str:
    """A moment as a reader sees it: ``YYYY-MM-DD HH:MM`` in ``zone`` (default :func:`local_zone`)
    followed by the zone's abbreviation or offset ("2026-03-02 21:00 -05", "2026-03-03 02:00 UTC").
    ISO text and naive moments are taken as UTC; an empty or unreadable value gives ""."""
    try:
        stamp = pd.Timestamp(moment)
    except (ValueError, TypeError):
        return ""
    if pd.isna(stamp):
        return ""
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(zone or local_zone()).strftime("%Y-%m-%d %H:%M %Z")
