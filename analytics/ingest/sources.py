"""The sources file (TOML): which feeds, GDELT queries and files a pull reads.

```toml
[[source]]
id = "andina-en"        # unique, stable: runs and articles refer to it
kind = "rss"            # rss | gdelt | file
url = "https://..."     # feed URL; for kind = "file" a path (relative to the sources file)
outlet = "Andina"
country = "PER"         # ISO alpha-3 of the outlet: the source country
language = "en"         # optional; detected per article when absent
enabled = true          # optional, default true
fulltext = false        # optional: fetch each new article page and extract its text
query = "..."           # kind = "gdelt" only: a GDELT DOC 2.0 query
days = 3                # kind = "gdelt" only: how far back each pull looks (default 3)

[pull]                  # optional: limits of every pull of this file (defaults shown)
source_deadline = 300   # seconds one source may take, from the first request to its articles
pull_deadline = 1800    # seconds the whole pull may take; sources not done by then are failed
max_items = 1000        # items read from one feed answer; the rest are left out, with a note
max_pages = 500         # article pages fetched for full text per pull, all sources together
allow_hosts = []        # hosts whose item links may be fetched although they resolve to a
                        # loopback or private address (see analytics.ingest.guard)
```
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analytics.errors import InputError
from analytics.tomlfiles import read_toml, refuse_unknown, unique_blocks

KINDS = ("rss", "gdelt", "file")
DEFAULT_SOURCES = Path(__file__).resolve().parent.parent.parent / "data" / "sources.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_KNOWN_KEYS = {"id", "kind", "url", "outlet", "country", "language", "enabled", "fulltext", "query", "days", "columns"}
# The [pull] table: key -> (kind, smallest, largest); seconds may be fractional, counts may not.
PULL_KEYS: dict[str, tuple[str, float, float]] = {
    "source_deadline": ("seconds", 1, 86_400),
    "pull_deadline": ("seconds", 1, 86_400),
    "max_items": ("count", 1, 100_000),
    "max_pages": ("count", 0, 100_000),
}
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]{1,253})$")


@dataclass(frozen=True)
class Source:
    """One configured source."""

    id: str
    kind: str
    url: str
    outlet: str
    country: str | None = None
    language: str | None = None
    enabled: bool = True
    fulltext: bool = False
    query: str | None = None
    days: int = 3
    columns: dict[str, str] = field(default_factory=dict)  # kind = "file": our field -> their column


def _read(path: Path) -> dict[str, Any]:
    data = read_toml(path, "sources")
    refuse_unknown(data, path, ("source", "pull"), "[[source]] blocks and [pull]")
    return data


def load_pull_limits(path: str | Path | None = None) -> dict[str, Any]:
    """The limits set in the ``[pull]`` table, checked, as keyword arguments for FetchSettings
    (only the keys the file sets)."""
    path = Path(path) if path is not None else DEFAULT_SOURCES
    table = _read(path).get("pull", {})
    if not isinstance(table, dict):
        raise InputError(f"{path}: [pull] must be a table of keys")
    limits: dict[str, Any] = {}
    for key, value in table.items():
        if key == "allow_hosts":
            if not isinstance(value, list) or not all(isinstance(h, str) and _HOST.match(h.strip()) for h in value):
                raise InputError(f'{path}: [pull] allow_hosts must be a list of host names, e.g. ["127.0.0.1"]')
            limits[key] = tuple(h.strip().lower() for h in value)
            continue
        if key not in PULL_KEYS:
            raise InputError(
                f"{path}: [pull] has unknown key {key!r}; keys are {', '.join([*PULL_KEYS, 'allow_hosts'])}"
            )
        kind, low, high = PULL_KEYS[key]
        number_ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if kind == "count":
            number_ok = number_ok and isinstance(value, int)
        if not number_ok or not low <= value <= high:
            what = "a number of seconds" if kind == "seconds" else "a whole number"
            raise InputError(f"{path}: [pull] {key} must be {what} from {low:g} to {high:g} (got {value!r})")
        limits[key] = float(value) if kind == "seconds" else int(value)
    return limits


def load_sources(path: str | Path | None = None) -> list[Source]:
    """Read and check a sources file; every problem names the file, the source and the fix."""
    path = Path(path) if path is not None else DEFAULT_SOURCES
    data = _read(path)
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: no [[source]] entries")
    return unique_blocks(entries, path, "source", lambda entry, where: _source(entry, where, path.parent))


def _source(entry: object, where: str, base: Path) -> Source:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: must be a table of keys")
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}; keys are {', '.join(sorted(_KNOWN_KEYS))}")
    for key in ("id", "kind", "url", "outlet"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise InputError(f"{where}: {key!r} is required and must be text")
    if not _ID.match(entry["id"]):
        raise InputError(f"{where}: id must be lower-case letters, digits, '.', '_' or '-' (got {entry['id']!r})")
    kind = entry["kind"]
    if kind not in KINDS:
        raise InputError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    country = entry.get("country")
    if country is not None and (not isinstance(country, str) or not re.fullmatch(r"[A-Z]{3}", country)):
        raise InputError(f"{where}: country must be an ISO 3166-1 alpha-3 code such as PER (got {country!r})")
    language = entry.get("language")
    if language is not None and (not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language)):
        raise InputError(f"{where}: language must be an ISO 639-1 code such as es (got {language!r})")
    for key in ("enabled", "fulltext"):
        if key in entry and not isinstance(entry[key], bool):
            raise InputError(f"{where}: {key!r} must be true or false")
    url = entry["url"].strip()
    if kind in ("rss", "gdelt") and not re.match(r"^https?://", url):
        raise InputError(f"{where}: url must start with http:// or https:// (got {url!r})")
    if kind == "file":
        url = str((base / url).resolve()) if not Path(url).is_absolute() else url
    query = entry.get("query")
    if kind == "gdelt" and (not isinstance(query, str) or not query.strip()):
        raise InputError(f"{where}: a gdelt source needs a 'query'")
    days = entry.get("days", 3)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        raise InputError(f"{where}: days must be a whole number from 1 to 90")
    columns = entry.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise InputError(f"{where}: columns must map our field names to the file's column names")
    return Source(
        id=entry["id"],
        kind=kind,
        url=url,
        outlet=entry["outlet"].strip(),
        country=country,
        language=language,
        enabled=entry.get("enabled", True),
        fulltext=entry.get("fulltext", False),
        query=query,
        days=days,
        columns=dict(columns),
    )
