"""House rules that keep the layers apart."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"analytics", "dashboard"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_analytics_never_imports_streamlit_or_the_dashboard():
    offenders = [p.name for p in (ROOT / "analytics").glob("*.py") if {"streamlit", "dashboard"} & imported_modules(p)]
    assert offenders == []


def private(name: str) -> bool:
    # ``_`` alone is gettext's translation function (analytics.i18n._), public by convention.
    return name.startswith("_") and not name.startswith("__") and name != "_"


def private_imports(path: Path) -> list[str]:
    """``module._name`` borrowed by ``path`` from another module of the project (imported or read off it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PROJECT:
            found += [f"{node.module}.{a.name}" for a in node.names if private(a.name)]
            modules.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.split(".")[0] in PROJECT)
    for node in ast.walk(tree):
        borrowed = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
        if borrowed and private(node.attr):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_private_name_is_borrowed_across_modules():
    files = [ROOT / "streamlit_app.py", *(ROOT / "analytics").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]
    offenders = {str(p.relative_to(ROOT)): names for p in files if (names := private_imports(p))}
    assert offenders == {}


def test_pages_live_in_dashboard_pages():
    app = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "dashboard" / "pages").glob("*.py"))
    assert len(pages) == 8 and all(f'"{page}"' in app for page in pages)


def test_no_legacy_pages_folder():
    # A pages/ folder next to streamlit_app.py switches Streamlit to its legacy page discovery.
    assert not (ROOT / "pages").exists()


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", str(ROOT)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
