"""Alerts: rules over the stored coverage that send an e-mail or call a webhook when they fire.

The rules file (TOML, default ``data/alerts.toml``; see that file for a documented example):

```toml
[alerts]                        # optional (defaults shown)
max_attempts = 5                # a failed delivery is retried at each check, then given up
timeout = 10                    # seconds one delivery may take
ui = "en"                       # the language of the messages of rules without their own ui

[[rule]]
id = "per-usa-volume"           # unique, stable: the store remembers its episodes by it
pair = "PER-USA"
theme = "security"              # optional: one theme id
source_country = "PER"          # optional: outlets of this country
language = "es"                 # optional: articles in this language
kind = "volume_spike"           # volume_spike | tone_shift | threshold
freq = "D"                      # volume_spike, tone_shift: per day (D) or week (W)
metric = "share"                # threshold: share | net_tone
above = 0.05                    # threshold: above = X or below = X
days = 7                        # threshold: over the last N days
min_articles = 10               # threshold: fewer articles than this in the window never fire
enabled = true                  # optional
ui = "es"                       # optional: the message in English (en) or Spanish (es)
channels = ["email:desk@example.org", { url = "https://...", format = "slack" }]  # json | slack | teams
```

**When a rule fires.** ``volume_spike`` and ``tone_shift`` use the Spikes page's finder
(:func:`analytics.measures.spikes.find_spikes`) on the rule's selection, over the current period
and the one before it (a spike of yesterday still holds at a check just after midnight);
``threshold`` compares the share of coverage (:func:`analytics.measures.volume.kpis`) or the net
tone (:func:`analytics.measures.tone.net_tone`) of the last ``days`` days with the value. While
the condition holds the rule is in one *episode*, kept in the store: the episode alerts once, when
it opens, not at every check while it lasts. A check that finds the condition gone closes it, and
the next time it holds is a new episode. A tone shift that turns the other way is a new episode.

**Deliveries** go through an outbox in the store: one row per episode and channel, sent at the end
of the check that opened it; one that fails (mail server down, webhook answering 500 or not at
all) keeps its error and is tried again at the next check, up to ``max_attempts``, then marked
failed. Every delivery has a short timeout and all of them share a deadline, and no failure
escapes :func:`check_alerts`: a pull is never held up or failed by its alerts.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from analytics.errors import InputError
from analytics.filters import Filters
from analytics.i18n import (
    DEFAULT_LANGUAGE,
    UI_LANGUAGES,
    _,
    format_day,
    format_number,
    format_percent,
    ngettext,
)
from analytics.i18n import language as ui_language
from analytics.schema import THEMES
from analytics.tomlfiles import read_toml, refuse_unknown, unique_blocks

DEFAULT_ALERTS = Path(__file__).resolve().parent.parent / "data" / "alerts.toml"
KINDS = ("volume_spike", "tone_shift", "threshold")
METRICS = ("share", "net_tone")
FORMATS = ("json", "slack", "teams")
CHECK_DEADLINE = 60.0  # seconds all the deliveries of one check may take together
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"']+$")
_RULE_KEYS = {"id", "pair", "theme", "source_country", "language", "kind", "freq", "metric", "above", "below",
              "days", "min_articles", "enabled", "channels", "ui"}  # fmt: skip
_SETTING_KEYS = {"max_attempts": (1, 50), "timeout": (1, 120)}
# A key naming a credential has no place in a rules file that gets copied and shared.
_SECRET = re.compile(r"pass|secret|token|api_?key|credential", re.IGNORECASE)
_SECRET_HINT = (
    "secrets never go in the rules file: set the BILAT_SMTP_* environment variables or the [smtp] table of "
    ".streamlit/secrets.toml (README, Alerts)"
)


@dataclass(frozen=True)
class Channel:
    """Where a fired rule is sent: ``kind`` is ``email`` (``target`` an address) or a webhook
    format (json, slack, teams; ``target`` its URL)."""

    kind: str
    target: str

    @property
    def label(self) -> str:
        """The channel as one string, ``email:ADDRESS`` or ``FORMAT:URL``, as the outbox keeps it."""
        return f"{self.kind}:{self.target}"

    @classmethod
    def from_label(cls, label: str) -> Channel:
        kind, _, target = label.partition(":")
        return cls(kind, target)


@dataclass(frozen=True)
class Rule:
    """One alert rule of the rules file."""

    id: str
    pair: str
    kind: str
    channels: tuple[Channel, ...]
    theme: str | None = None
    source_country: str | None = None
    language: str | None = None
    freq: str = "D"
    metric: str | None = None
    above: float | None = None
    below: float | None = None
    days: int = 7
    min_articles: int = 10
    enabled: bool = True
    ui: str = DEFAULT_LANGUAGE  # the language of its messages: en or es

    @property
    def filters(self) -> Filters:
        """The rule's selection, without dates."""
        return Filters(
            dyad=self.pair,
            themes=(self.theme,) if self.theme else (),
            source_countries=(self.source_country,) if self.source_country else (),
            languages=(self.language,) if self.language else (),
        )


@dataclass(frozen=True)
class AlertSettings:
    """A loaded rules file: its rules and how deliveries are tried."""

    rules: tuple[Rule, ...] = ()
    max_attempts: int = 5
    timeout: float = 10.0
    ui: str = DEFAULT_LANGUAGE  # the default language of the rules' messages
    path: Path | None = None

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        known = ", ".join(r.id for r in self.rules) or "none"
        raise InputError(f"no rule with id {rule_id!r} in {self.path}; rules: {known}")


# --- the rules file ----------------------------------------------------------------------


def load_alerts(path: str | Path | None = None) -> AlertSettings:
    """Read and check a rules file; every problem is one line naming the file, the rule and the key."""
    path = Path(path) if path is not None else DEFAULT_ALERTS
    data = read_toml(path, "alerts")
    for key in data:
        if _SECRET.search(key):
            raise InputError(f"{path}: key {key!r} looks like a secret; {_SECRET_HINT}")
    refuse_unknown(data, path, ("rule", "alerts"), "[[rule]] blocks and [alerts]")
    settings = _settings(data.get("alerts", {}), path)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise InputError(f"{path}: rules are [[rule]] blocks")
    rules = unique_blocks(entries, path, "rule", lambda entry, where: _rule(entry, where, settings.ui))
    return replace(settings, rules=tuple(rules), path=path)


def _settings(table: object, path: Path) -> AlertSettings:
    if not isinstance(table, dict):
        raise InputError(f"{path}: [alerts] must be a table of keys")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if _SECRET.search(key):
            raise InputError(f"{path}: [alerts] key {key!r} looks like a secret; {_SECRET_HINT}")
        if key == "ui":
            values["ui"] = _ui(value, f"{path}: [alerts]")
            continue
        if key not in _SETTING_KEYS:
            raise InputError(f"{path}: [alerts] has unknown key {key!r}; keys are {', '.join(_SETTING_KEYS)}, ui")
        low, high = _SETTING_KEYS[key]
        whole = key == "max_attempts"
        if not _number(value, whole=whole) or not low <= value <= high:
            what = "a whole number" if whole else "a number of seconds"
            raise InputError(f"{path}: [alerts] {key} must be {what} from {low} to {high} (got {value!r})")
        values[key] = int(value) if whole else float(value)
    return AlertSettings(**values)


def _number(value: object, *, whole: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    return isinstance(value, int) or not whole


def _ui(value: object, where: str) -> str:
    if value not in UI_LANGUAGES:
        raise InputError(f'{where} ui must be "en" (English) or "es" (Spanish), got {value!r}')
    return str(value)


def _rule(entry: object, where: str, default_ui: str = DEFAULT_LANGUAGE) -> Rule:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: must be a table of keys")
    for key in entry:
        if _SECRET.search(key):
            raise InputError(f"{where}: key {key!r} looks like a secret; {_SECRET_HINT}")
    unknown = sorted(set(entry) - _RULE_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}; keys are {', '.join(sorted(_RULE_KEYS))}")
    for key in ("id", "pair", "kind"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise InputError(f"{where}: {key!r} is required and must be text")
    if not _ID.match(entry["id"]):
        raise InputError(f"{where}: id must be lower-case letters, digits, '.', '_' or '-' (got {entry['id']!r})")
    try:
        Filters(dyad=entry["pair"])
    except InputError as exc:
        raise InputError(f"{where}: pair {exc}") from None
    kind = entry["kind"]
    if kind not in KINDS:
        raise InputError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    theme = entry.get("theme")
    if theme is not None and theme not in THEMES:
        raise InputError(f"{where}: theme {theme!r} is not one of {', '.join(THEMES)}")
    country = entry.get("source_country")
    if country is not None and (not isinstance(country, str) or not re.fullmatch(r"[A-Z]{3}", country)):
        raise InputError(f"{where}: source_country must be an ISO 3166-1 alpha-3 code such as PER (got {country!r})")
    language = entry.get("language")
    if language is not None and (not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language)):
        raise InputError(f"{where}: language must be an ISO 639-1 code such as es (got {language!r})")
    if "enabled" in entry and not isinstance(entry["enabled"], bool):
        raise InputError(f"{where}: 'enabled' must be true or false")
    values: dict[str, Any] = {}
    if kind == "threshold":
        values = _threshold(entry, where)
    else:
        for key in ("metric", "above", "below", "days", "min_articles"):
            if key in entry:
                raise InputError(f"{where}: {key!r} belongs to threshold rules, not to kind {kind!r}")
        freq = entry.get("freq", "D")
        if freq not in ("D", "W"):
            raise InputError(f'{where}: freq must be "D" (per day) or "W" (per week), got {freq!r}')
        values["freq"] = freq
    return Rule(
        id=entry["id"],
        pair=entry["pair"],
        kind=kind,
        channels=_channels(entry.get("channels"), where),
        theme=theme,
        source_country=country,
        language=language,
        enabled=entry.get("enabled", True),
        ui=_ui(entry["ui"], f"{where}:") if "ui" in entry else default_ui,
        **values,
    )


def _threshold(entry: dict, where: str) -> dict[str, Any]:
    if "freq" in entry:
        raise InputError(f"{where}: a threshold rule looks at the last 'days' days; freq belongs to spike rules")
    metric = entry.get("metric")
    if metric not in METRICS:
        raise InputError(f'{where}: a threshold rule needs metric = "share" or "net_tone" (got {metric!r})')
    if ("above" in entry) == ("below" in entry):
        raise InputError(f"{where}: a threshold rule needs exactly one of above = X or below = X")
    bound = "above" if "above" in entry else "below"
    value = entry[bound]
    low, high = (0.0, 1.0) if metric == "share" else (-1.0, 1.0)
    if not _number(value) or not low <= value <= high:
        raise InputError(f"{where}: {bound} must be a number from {low:g} to {high:g} for {metric} (got {value!r})")
    days = entry.get("days", 7)
    if not _number(days, whole=True) or not 1 <= days <= 366:
        raise InputError(f"{where}: days must be a whole number from 1 to 366 (got {days!r})")
    least = entry.get("min_articles", 10)
    if not _number(least, whole=True) or not 1 <= least <= 1_000_000:
        raise InputError(f"{where}: min_articles must be a whole number from 1 to 1000000 (got {least!r})")
    return {"metric": metric, bound: float(value), "days": int(days), "min_articles": int(least)}


def _channels(value: object, where: str) -> tuple[Channel, ...]:
    example = 'channels = ["email:desk@example.org", { url = "https://...", format = "slack" }]'
    if not isinstance(value, list) or not value:
        raise InputError(f"{where}: channels must be a non-empty list, e.g. {example}")
    out: list[Channel] = []
    for item in value:
        if isinstance(item, str):
            kind, _, address = item.partition(":")
            if kind != "email" or not _EMAIL.match(address.strip()):
                raise InputError(f'{where}: channel {item!r} is not "email:ADDRESS"; webhooks are tables: {example}')
            out.append(Channel("email", address.strip()))
            continue
        if not isinstance(item, dict):
            raise InputError(f'{where}: each channel is "email:ADDRESS" or a webhook table: {example}')
        for key in item:
            if _SECRET.search(key):
                raise InputError(f"{where}: channel key {key!r} looks like a secret; {_SECRET_HINT}")
        unknown = sorted(set(item) - {"url", "format"})
        if unknown:
            raise InputError(f"{where}: webhook has unknown key {unknown[0]!r}; keys are url and format")
        url, fmt = item.get("url"), item.get("format", "json")
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s:@]+(:\d{1,5})?(/\S*)?$", url.strip()):
            raise InputError(
                f"{where}: webhook url must be an http:// or https:// address without a login (got {url!r})"
            )
        if fmt not in FORMATS:
            raise InputError(f"{where}: webhook format {fmt!r} is not one of {', '.join(FORMATS)}")
        out.append(Channel(fmt, url.strip()))
    return tuple(dict.fromkeys(out))


# --- checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What a rule finds at a check: whether its condition holds and, if so, what moved.

    ``signature`` tells episodes apart (``volume``, ``tone:down``, ``above``); ``start`` and ``end``
    are the days of the periods that moved; ``headline`` is one sentence; ``facts`` the figures."""

    holds: bool
    signature: str = ""
    start: date | None = None
    end: date | None = None
    headline: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckReport:
    """What one check did: the rules that fired (rule id, headline) and each delivery tried
    (rule id, channel label, status, error or None)."""

    fired: list[tuple[str, str]] = field(default_factory=list)
    deliveries: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # rules that could not be computed


def _today(now: datetime) -> date:
    """The day of ``now`` as the dataset counts days: in the zone of ``BILAT_TZ``."""
    from analytics.settings import local_zone

    return now.astimezone(local_zone()).date()


def _signed(x: float) -> str:
    """A tone with its sign and two decimals in the current language: "+0.12", "-0,30"."""
    return ("+" if x >= 0 else "") + format_number(x, 2)


def evaluate(source, rule: Rule, now: datetime) -> Finding:
    """Whether ``rule``'s condition holds on ``source``'s data at ``now`` (see the module's rules);
    the headline is in the rule's language (``ui``)."""
    with ui_language(rule.ui):
        return _evaluate(source, rule, now)


def _evaluate(source, rule: Rule, now: datetime) -> Finding:
    from analytics.measures import spikes
    from analytics.periods import period_start
    from analytics.selection import Selection

    today = _today(now)
    if rule.kind == "threshold":
        return _evaluate_threshold(source, rule, today)
    step = 1 if rule.freq == "D" else 7
    first = period_start(today, rule.freq) - timedelta(days=step)
    filters = replace(rule.filters, start=first, end=today)
    found = spikes.find_spikes(source, Selection(filters, rule.freq, (first, today)))
    wanted = "volume" if rule.kind == "volume_spike" else "tone"
    rows = found[found["kind"] == wanted]
    if rows.empty:
        return Finding(False)
    last = rows.iloc[-1]
    start = rows["period"].min().date()
    end = spikes.spike_window(last["period"], rule.freq)[1]
    day = format_day(last["period"].date())
    when = _("on {day}").format(day=day) if rule.freq == "D" else _("in the week of {day}").format(day=day)
    what = _describe(rule)
    if wanted == "volume":
        usual, count = float(last["baseline"]), int(last["value"])
        if usual:
            ratio, shown = format_number(count / usual, 1), format_number(usual, 0 if usual.is_integer() else 1)
            per = (
                _("{ratio} times the usual {usual} a day")
                if rule.freq == "D"
                else _("{ratio} times the usual {usual} a week")
            )
            change = per.format(ratio=ratio, usual=shown)
        else:
            change = _("against a usual of none")
        articles = ngettext("{n} article", "{n} articles", count).format(n=format_number(count))
        headline = _("Coverage spike: {what}, {articles} {when}, {change}").format(
            what=what, articles=articles, when=when, change=change
        )
        signature = "volume"
    else:
        direction = "up" if last["score"] > 0 else "down"
        shift = _("mean tone {value} {when} against {baseline} before").format(
            value=_signed(float(last["value"])), when=when, baseline=_signed(float(last["baseline"]))
        )
        shifted = _("Tone shift up: {what}, {shift}") if direction == "up" else _("Tone shift down: {what}, {shift}")
        headline = shifted.format(what=what, shift=shift)
        signature = f"tone:{direction}"
    facts = {"period": last["period"].date().isoformat(), "value": float(last["value"]),
             "baseline": float(last["baseline"]), "score": round(float(last["score"]), 2),
             "articles": int(last["articles"]), "freq": rule.freq}  # fmt: skip
    return Finding(True, signature, start, end, headline, facts)


def _evaluate_threshold(source, rule: Rule, today: date) -> Finding:
    from analytics.measures import tone, volume
    from analytics.selection import Selection

    first = today - timedelta(days=rule.days - 1)
    sel = Selection(replace(rule.filters, start=first, end=today), "D", (first, today))
    if rule.metric == "share":
        kpis = volume.kpis(source, sel)
        value, counted, label = kpis.share, kpis.articles, _("share of coverage")
        shown = format_percent(value, 1) if math.isfinite(value) else _("none")
        bound_shown = format_percent(rule.above if rule.above is not None else rule.below, 1)
    else:
        net = tone.net_tone(source, sel)
        counted = int(net["n"].sum())
        value = float(net["positive"].sum() - net["negative"].sum()) / counted if counted else math.nan
        label, shown = _("net tone"), _signed(value) if math.isfinite(value) else _("none")
        bound_shown = _signed(rule.above if rule.above is not None else rule.below)  # type: ignore[arg-type]
    if counted < rule.min_articles or not math.isfinite(value):
        return Finding(False)
    side = "above" if rule.above is not None else "below"
    holds = value > rule.above if rule.above is not None else value < rule.below  # type: ignore[operator]
    if not holds:
        return Finding(False)
    window = ngettext("over the last {n} day", "over the last {n} days", rule.days).format(n=rule.days)
    passed = _("Threshold: {what}, {label} {value} {window}, above {bound}") if side == "above" else _(
        "Threshold: {what}, {label} {value} {window}, below {bound}")  # fmt: skip
    headline = passed.format(what=_describe(rule), label=label, value=shown, window=window, bound=bound_shown)
    facts = {"metric": rule.metric, "value": value, side: rule.above if side == "above" else rule.below,
             "days": rule.days, "articles": counted}  # fmt: skip
    return Finding(True, side, first, today, headline, facts)


def _describe(rule: Rule) -> str:
    return rule.filters.describe()


def sample_finding(source, rule: Rule, now: datetime) -> Finding:
    """What ``bilat alerts test`` sends: the rule's finding, marked as a test, when its condition
    holds now; otherwise the rule's latest days, saying that the condition does not hold."""
    finding = evaluate(source, rule, now)
    with ui_language(rule.ui):
        if finding.holds:
            return replace(finding, headline=_("Test: {headline}").format(headline=finding.headline))
        what = _describe(rule)
        headline = _("Test of alert rule {rule}: {what}; its condition does not hold now").format(
            rule=rule.id, what=what
        )
    today = _today(now)
    days = rule.days if rule.kind == "threshold" else (1 if rule.freq == "D" else 7)
    return Finding(True, "test", today - timedelta(days=days - 1), today, headline, {})


def check_alerts(
    store,
    rules: Sequence[Rule] | AlertSettings,
    *,
    now: datetime | None = None,
    source=None,
    secrets: Mapping | None = None,
    deadline: float = CHECK_DEADLINE,
) -> CheckReport:
    """Check every enabled rule on the store's current data, open an episode (and queue its
    deliveries) for each rule whose condition newly holds, close those that no longer hold, then
    try every pending delivery. Never raises for a rule or a delivery: their errors are in the
    report and in the outbox.

    ``source`` is the analysis dataset to read (default: the store's, brought up to date);
    ``secrets`` the secrets mapping for the SMTP settings and the base URL (default: the file)."""
    from analytics import alert_messages, dataset, engine

    settings = rules if isinstance(rules, AlertSettings) else AlertSettings(rules=tuple(rules))
    now = now or datetime.now(UTC)
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = CheckReport()
    active = [r for r in settings.rules if r.enabled]
    opened = None
    if active and source is None:
        dataset.bring_up_to_date(store)
        source = opened = engine.open_dataset(dataset.folder(store))
    try:
        base_url = alert_messages.base_url(secrets)
        for rule in active:
            try:
                fired = _check_rule(store, source, rule, now, stamp, base_url)
            except Exception as exc:  # one broken rule must not stop the others, nor the pull
                report.errors.append(f"rule {rule.id}: {' '.join(str(exc).split()) or type(exc).__name__}")
                continue
            if fired is not None:
                report.fired.append((rule.id, fired))
    finally:
        if opened is not None:
            opened.backend.disconnect()
    deliver_pending(store, settings, report, secrets=secrets, deadline=deadline, now=now)
    return report


def _check_rule(store, source, rule: Rule, now: datetime, stamp: str, base_url: str | None) -> str | None:
    """Open, keep or close the rule's episode; the headline when a new episode opened, else None."""
    from analytics import alert_messages

    finding = evaluate(source, rule, now)
    episode = store.open_alert_episode(rule.id)
    if not finding.holds:
        if episode is not None:
            store.close_alert_episodes(rule.id, stamp)
        return None
    if episode is not None and episode["signature"] == finding.signature:
        store.keep_alert_episode(episode["id"], stamp)
        return None
    summary = alert_messages.summary(store, source, rule, finding, base_url, stamp)
    store.start_alert_episode(rule.id, finding.signature, finding.start.isoformat(), json.dumps(summary),
                              [c.label for c in rule.channels], stamp)  # fmt: skip
    return finding.headline


def deliver_pending(
    store, settings: AlertSettings, report: CheckReport, *, secrets=None, deadline=CHECK_DEADLINE, now=None
) -> None:
    """Try each pending delivery once, until ``deadline`` seconds have passed (those left wait for
    the next check without losing an attempt); record each outcome in the outbox and the report."""
    from analytics import alert_messages

    started = time.monotonic()
    sender = alert_messages.Sender(secrets=secrets, timeout=settings.timeout)
    for delivery in store.alert_deliveries(status="pending"):
        if time.monotonic() - started > deadline:
            break
        summary = json.loads(delivery["summary"])
        error = sender.send(Channel.from_label(delivery["channel"]), summary)
        stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status = store.record_alert_delivery(delivery["id"], error=error, now=stamp, max_attempts=settings.max_attempts)
        report.deliveries.append((delivery["rule_id"], delivery["channel"], status, error))
