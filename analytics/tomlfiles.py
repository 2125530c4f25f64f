"""The operator's TOML files (sources, alerts, reports): read and checked the same way, so every
problem is one line that names the file, the block and the fix."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from analytics.errors import InputError

Block = TypeVar("Block")


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The parsed file; ``what`` names it and its flag in the message when it is missing
    ("sources": "sources file X does not exist; pass --sources FILE")."""
    if not path.is_file():
        raise InputError(f"{what} file {path} does not exist; pass --{what} FILE")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None


def refuse_unknown(data: dict[str, Any], path: Path, allowed: Iterable[str], holds: str) -> None:
    """Refuse a top-level table or key other than ``allowed``; ``holds`` says what the file holds."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InputError(f"{path}: unknown table or key {unknown[0]!r}; the file holds {holds}")


def unique_blocks(entries: list, path: Path, block: str, parse: Callable[[object, str], Block]) -> list[Block]:
    """Each ``[[block]]`` entry parsed by ``parse(entry, where)``; an ``id`` used twice is refused.
    ``where`` names the file, the block's number and its id, for parse's messages."""
    parsed: list[Block] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: {block} {number}" + (f" ({entry.get('id')!r})" if isinstance(entry, dict) else "")
        item = parse(entry, where)
        if item.id in seen:  # type: ignore[attr-defined]
            raise InputError(f"{where}: id {item.id!r} is used twice; ids must be unique")  # type: ignore[attr-defined]
        seen.add(item.id)  # type: ignore[attr-defined]
        parsed.append(item)
    return parsed
