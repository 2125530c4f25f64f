"""Take the README's screenshots: serve the dashboard on a store and photograph each page.

    .venv/bin/python scripts/screenshots.py [--db data/bilat.sqlite] [--out docs] [--ui es]

With ``--ui es`` every page is opened in Spanish (``?ui=es``) and the pictures go to ``docs/es/``.

Needs Debian's chromium (scripts/test.sh installs it) and the test extras (playwright).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from appserver import CHROMIUM, CHROMIUM_ARGS, dashboard  # noqa: E402

from analytics.i18n import UI_LANGUAGES  # noqa: E402

PAGES = {
    "overview": "",
    "coverage": "coverage",
    "themes": "themes",
    "tone": "tone",
    "spikes": "spikes",
    "articles": "articles?article=f2043ec9b9671f897f9d",
    "compare": "compare",
    "data": "data",
}


def with_language(path: str, ui: str | None) -> str:
    """The page's path with ``ui=<ui>`` added to its query (unchanged without ``ui``)."""
    if not ui:
        return path
    return f"{path}{'&' if '?' in path else '?'}ui={ui}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "data" / "bilat.sqlite"))
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--ui", choices=UI_LANGUAGES, help="interface language; writes OUT/<ui>/<page>.png")
    args = parser.parse_args()
    out = Path(args.out) / args.ui if args.ui else Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with dashboard(args.db, timeout=120) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        for name, path in PAGES.items():
            page.goto(f"{url}/{with_language(path, args.ui)}")
            page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
            page.wait_for_selector("h1", timeout=120_000)
            page.wait_for_timeout(2500)  # plotly draws after Streamlit reports the run done
            page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
            page.screenshot(path=str(out / f"{name}.png"))
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
