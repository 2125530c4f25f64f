"""Briefing reports from the command line and on a schedule: what a report covers, and when it runs.

``bilat report`` writes a page's briefing (the dashboard's panels as one HTML report, or the
briefing pack) and can e-mail it; ``bilat schedule`` runs the jobs of a reports file on their days.
This module holds the parts that need no drawing: report durations (``--last 7d``), the window a
report covers, the recipients' addresses, and the reports file with its cron triggers. Drawing is
the dashboard's (``dashboard/report.py``), which the command runs in a process of its own.

The reports file (TOML, default ``data/reports.toml``)::

    [[report]]
    id = "weekly-per-usa"          # unique: names the job in messages and its report file
    pair = "PER-USA"               # the country pair
    last = "7d"                    # the days (7d) or weeks (2w) up to the last day with data
    ui = "en"                      # optional: en (default) or es
    pages = ["overview", "tone"]   # optional: the pages whose panels the report holds (overview)
    recipients = ["desk@example.org"]
    cron = "MON 07:00"             # days (MON, MON-FRI, MON,THU or DAILY) and a 24-hour time
    timezone = "America/Lima"      # an IANA time zone (default UTC)
    enabled = true                 # optional, default true
    zip = false                    # optional: attach the briefing pack too
    out = "reports/weekly.html"    # optional: where the report is kept, relative to this file
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analytics.errors import InputError
from analytics.tomlfiles import read_toml, refuse_unknown, unique_blocks

PAGES = ("overview", "coverage", "themes", "tone", "spikes")
UI_LANGUAGES = ("en", "es")
MAX_DAYS = 3660  # ten years: the longest --last
DEFAULT_REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports.toml"
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

_DURATION = re.compile(r"([0-9]{1,5})([dw])")
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_KEYS = {"id", "pair", "last", "ui", "pages", "recipients", "cron", "timezone", "enabled", "zip", "out"}
_REQUIRED = ("id", "pair", "last", "recipients", "cron")


def parse_last(text: str) -> int:
    """Days in a report duration: ``7d`` (days) or ``2w`` (weeks), from 1 day to :data:`MAX_DAYS`."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match or int(match[1]) == 0:
        raise InputError(f"{text!r} is not a duration; write days or weeks, e.g. 7d or 2w")
    days = int(match[1]) * (7 if match[2] == "w" else 1)
    if days > MAX_DAYS:
        raise InputError(f"{text!r} is too long; the longest report covers {MAX_DAYS} days")
    return days


def window(days: int, last_day: date | None, today: date) -> tuple[date, date]:
    """The ``days`` days a report covers: ending on the last day with data (``last_day``), or on
    ``today`` when nothing is stored or the data run past today."""
    end = min(last_day, today) if last_day is not None else today
    return end - timedelta(days=days - 1), end


def check_address(text: str) -> str:
    """An e-mail address as given (spaces trimmed), or an InputError naming it."""
    address = text.strip()
    if not _ADDRESS.fullmatch(address) or len(address) > 254:
        raise InputError(f"{text!r} is not an e-mail address; write it as name@example.org")
    return address


def check_pair(text: str) -> str:
    """A country pair in the stored form (upper case, codes sorted: ``usa-per`` is ``PER-USA``)."""
    parts = text.strip().upper().split("-")
    if len(parts) != 2 or any(len(p) != 3 or not p.isalpha() for p in parts) or parts[0] == parts[1]:
        raise InputError(f"{text!r} is not a country pair; write two ISO alpha-3 codes, e.g. PER-USA")
    return "-".join(sorted(parts))


@dataclass(frozen=True)
class ReportJob:
    """One scheduled report of the reports file."""

    id: str
    pair: str
    last: str  # as written, e.g. "7d"
    recipients: tuple[str, ...]
    days: str  # APScheduler's day_of_week, e.g. "mon" or "mon-fri"
    hour: int
    minute: int
    timezone: str = "UTC"
    ui: str = "en"
    pages: tuple[str, ...] = ("overview",)
    enabled: bool = True
    zip: bool = False
    out: str | None = None

    def trigger(self):
        """The APScheduler CronTrigger that fires this job: its days, at its time, in its time zone."""
        from apscheduler.triggers.cron import CronTrigger

        return CronTrigger(day_of_week=self.days, hour=self.hour, minute=self.minute, timezone=ZoneInfo(self.timezone))

    def out_path(self, base: Path) -> Path:
        """Where each run keeps its report: ``out``, relative to ``base`` (the reports file's folder),
        or ``reports/ID.html`` (``.zip`` with ``zip``) there."""
        return base / (self.out or f"reports/{self.id}.{'zip' if self.zip else 'html'}")

    def report_args(self, base: Path) -> list[str]:
        """The ``bilat report`` arguments of one run (``--db`` left to the caller)."""
        args = ["report", "--pair", self.pair, "--last", self.last, "--ui", self.ui, "--out", str(self.out_path(base))]
        for page in self.pages:
            args += ["--page", page]
        if self.zip:
            args.append("--zip")
        for address in self.recipients:
            args += ["--email", address]
        return args


def parse_cron(text: str) -> tuple[str, int, int]:
    """``"MON 07:00"`` as (day_of_week, hour, minute) for APScheduler; days are ``MON`` to ``SUN``,
    a range ``MON-FRI``, a list ``MON,THU`` or ``DAILY``."""
    hint = 'write days and a 24-hour time, e.g. "MON 07:00", "MON-FRI 08:30" or "DAILY 18:00"'
    parts = text.split()
    if len(parts) != 2:
        raise InputError(f"cron {text!r} is not a schedule; {hint}")
    days, clock = parts[0].upper(), parts[1]
    time_match = _TIME.fullmatch(clock)
    if not time_match:
        raise InputError(f"cron {text!r}: {clock!r} is not a time from 00:00 to 23:59; {hint}")
    if days in ("DAILY", "*"):
        day_field = "*"
    else:
        for item in days.split(","):
            ends = item.split("-")
            if len(ends) > 2 or any(end not in DAYS for end in ends):
                raise InputError(f"cron {text!r}: {item!r} is not a day; days are {', '.join(DAYS)} or DAILY")
            if len(ends) == 2 and DAYS.index(ends[0]) >= DAYS.index(ends[1]):
                raise InputError(f"cron {text!r}: the day range {item!r} must run forward, e.g. MON-FRI")
        day_field = days.lower()
    return day_field, int(time_match[1]), int(time_match[2])


def load_reports(path: str | Path | None = None) -> list[ReportJob]:
    """Read and check a reports file (default :data:`DEFAULT_REPORTS`); every problem is one line
    naming the file, the job and the fix."""
    path = Path(path) if path is not None else DEFAULT_REPORTS
    data = read_toml(path, "reports")
    refuse_unknown(data, path, ("report",), "[[report]] blocks")
    entries = data.get("report", [])
    if not isinstance(entries, list):
        raise InputError(f"{path}: write each job as a [[report]] block")
    return unique_blocks(entries, path, "report", _job)


def _job(entry: Any, where: str) -> ReportJob:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: must be a table of keys")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}; keys are {', '.join(sorted(_KEYS))}")
    for key in _REQUIRED:
        if key not in entry:
            raise InputError(f"{where}: {key!r} is required")
    for key in ("id", "pair", "last", "cron", "timezone", "ui", "out"):
        if key in entry and not isinstance(entry[key], str):
            raise InputError(f"{where}: {key!r} must be text")
    for key in ("enabled", "zip"):
        if key in entry and not isinstance(entry[key], bool):
            raise InputError(f"{where}: {key!r} must be true or false")
    if not _ID.fullmatch(entry["id"]):
        raise InputError(f"{where}: id must be lower-case letters, digits, '.', '_' or '-' (got {entry['id']!r})")
    try:
        pair = check_pair(entry["pair"])
        parse_last(entry["last"])
        days, hour, minute = parse_cron(entry["cron"])
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    zone = entry.get("timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{where}: timezone {zone!r} is not a time zone; write an IANA name, e.g. America/Lima"
        ) from None
    ui = entry.get("ui", "en")
    if ui not in UI_LANGUAGES:
        raise InputError(f"{where}: ui must be one of {', '.join(UI_LANGUAGES)} (got {ui!r})")
    pages = entry.get("pages", ["overview"])
    if not isinstance(pages, list) or not pages or any(p not in PAGES for p in pages):
        raise InputError(f"{where}: pages must be a list of one or more of {', '.join(PAGES)} (got {pages!r})")
    recipients = entry["recipients"]
    if not isinstance(recipients, list) or not all(isinstance(a, str) for a in recipients):
        raise InputError(f'{where}: recipients must be a list of e-mail addresses, e.g. ["desk@example.org"]')
    try:
        addresses = tuple(check_address(a) for a in recipients)
    except InputError as exc:
        raise InputError(f"{where}: recipients: {exc}") from None
    return ReportJob(
        id=entry["id"], pair=pair, last=entry["last"], recipients=addresses, days=days, hour=hour, minute=minute,
        timezone=zone, ui=ui, pages=tuple(dict.fromkeys(pages)), enabled=entry.get("enabled", True),
        zip=entry.get("zip", False), out=entry.get("out"),
    )  # fmt: skip
