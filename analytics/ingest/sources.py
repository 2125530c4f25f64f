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
```
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analytics.errors import InputError

KINDS = ("rss", "gdelt", "file")
DEFAULT_SOURCES = Path(__file__).resolve().parent.parent.parent / "data" / "sources.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_KNOWN_KEYS = {"id", "kind", "url", "outlet", "country", "language", "enabled", "fulltext", "query", "days", "columns"}


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


def load_sources(path: str | Path | None = None) -> list[Source]:
    """Read and check a sources file; every problem names the file, the source and the fix."""
    path = Path(path) if path is not None else DEFAULT_SOURCES
    if not path.is_file():
        raise InputError(f"sources file {path} does not exist; pass --sources FILE")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: no [[source]] entries")
    sources: list[Source] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: source {number}" + (f" ({entry.get('id')!r})" if isinstance(entry, dict) else "")
        source = _source(entry, where, path.parent)
        if source.id in seen:
            raise InputError(f"{where}: id {source.id!r} is used twice; ids must be unique")
        seen.add(source.id)
        sources.append(source)
    return sources


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
