"""The interface language: English or Spanish messages, numbers and dates.

Messages live in gettext catalogues, ``data/locales/<lang>/LC_MESSAGES/*.po``; every ``.po`` file of
a language is merged when first needed (so each part of the interface keeps its own file) and kept
for the life of the process. The msgid is the English text: a message missing from a catalogue
shows in English, and ``tests/test_i18n.py`` fails naming it. The English catalogue lists every
msgid with an empty msgstr (the msgid is the text) unless the wording is overridden there.

The language of the current run is a context variable (default English): the dashboard sets it at
the top of each script run, the CLI and the tests with ``language("es")``.

Numbers in Spanish use Babel's ``es`` locale: "1.234,5", "1.234" (Babel groups four-digit numbers
too) and "26 %". CLDR's ``es_PE`` gives "1,234.5" instead, the decimal point common in Peruvian
commerce and press; we follow the decimal comma of Peru's legal system of units (Ley 23560), which
government statistics use, as the project chose. Switching is one entry of :data:`BABEL_LOCALES`
(and :data:`PLOTLY_SEPARATORS`). Dates also use ``es``: "3 dic 2026" (``es_PE`` writes "3 dic. 2026").
"""

from __future__ import annotations

import gettext
import io
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal
from babel.numbers import format_percent as _babel_percent

from analytics.errors import InputError

UI_LANGUAGES: tuple[str, ...] = ("en", "es")
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "data" / "locales"
# Babel locale used to format numbers and dates in each interface language (see the module notes).
BABEL_LOCALES: dict[str, str] = {"en": "en", "es": "es"}
# plotly's layout.separators: the decimal mark, then the thousands separator.
PLOTLY_SEPARATORS: dict[str, str] = {"en": ".,", "es": ",."}
# Both languages use two plural forms, singular for 1 (CLDR's third Spanish form, "de" after a round
# million, does not occur in our messages): the merged catalogue uses these whatever a .po header says.
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
MISSING = "–"  # shown for a number that is not there (None or NaN), in every language

_current: ContextVar[str] = ContextVar("bilat_ui_language", default=DEFAULT_LANGUAGE)


def normalise(value: object) -> str | None:
    """The interface language a URL or locale value names, or None when it names neither.

    ``"es"``, ``"ES"``, ``"es-PE"``, ``"es_PE"`` and ``"es-PE,en;q=0.8"`` all give ``"es"``."""
    if not isinstance(value, str):
        return None
    head = value.strip().split(",")[0].split(";")[0].strip().replace("_", "-")
    code = head.split("-")[0].lower()
    return code if code in UI_LANGUAGES else None


def current() -> str:
    """The interface language of this run: ``"en"`` or ``"es"``."""
    return _current.get()


def set_language(ui: str) -> str:
    """Make ``ui`` (anything normalise() accepts) the language of this run; unknown values give English."""
    chosen = normalise(ui) or DEFAULT_LANGUAGE
    _current.set(chosen)
    return chosen


@contextmanager
def language(ui: str) -> Iterator[str]:
    """Run a block in the language ``ui``, then return to the previous one."""
    token = _current.set(normalise(ui) or DEFAULT_LANGUAGE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def catalogue_files(ui: str) -> list[Path]:
    """The ``.po`` files of one language, in name order (the first file to define a msgid wins)."""
    return sorted((LOCALES_DIR / ui / "LC_MESSAGES").glob("*.po"))


def read_catalogue(ui: str) -> Catalog:
    """Every ``.po`` file of ``ui`` merged into one catalogue (read afresh, not cached)."""
    merged = Catalog(locale=BABEL_LOCALES[ui], domain="bilat")
    merged.mime_headers = [("Plural-Forms", PLURAL_FORMS)]
    for path in catalogue_files(ui):
        try:
            with path.open("rb") as handle:
                part = read_po(handle, locale=BABEL_LOCALES[ui], abort_invalid=True)
        except (OSError, ValueError, PoFileError) as exc:
            raise InputError(f"{path}: cannot read this message catalogue ({exc}); fix or remove the file") from exc
        for message in part:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged


@cache
def _translations(ui: str) -> gettext.NullTranslations:
    if ui not in UI_LANGUAGES:
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(ui))  # drops empty and fuzzy msgstrs: they fall back to the msgid
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def reload_catalogues() -> None:
    """Forget the catalogues read so far: the next message reads the ``.po`` files again."""
    _translations.cache_clear()


def _(message: str) -> str:
    """``message`` (English) in the current language; English when the catalogue lacks it."""
    return _translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language, e.g. "{n} article(s)"."""
    return _translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext name for "mark now, translate at display"
    """Mark a module-level message for the catalogue without translating it (call _() when showing it)."""
    return message


def babel_locale() -> str:
    """The Babel locale that formats numbers and dates in the current language."""
    return BABEL_LOCALES.get(current(), "en")


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def format_number(x: float | int | None, decimals: int = 0) -> str:
    """``x`` with the current language's separators and exactly ``decimals`` decimals: 1,234.5 / 1.234,5."""
    if _missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(x, format=pattern, locale=babel_locale())


def format_percent(x: float | None, decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage: 0.256 gives "26%" in English, "26 %" in Spanish."""
    if _missing(x):
        return MISSING
    pattern = Locale.parse(babel_locale()).percent_formats[None].pattern  # keeps es's space before %
    if decimals > 0:
        pattern = re.sub(r"0(?!.*0)", "0." + "0" * decimals, pattern, count=1)  # decimals after the last digit
    return _babel_percent(x, format=pattern, locale=babel_locale())


def format_date(d: date | datetime | None, format: str = "medium") -> str:  # noqa: A002 - Babel's name
    """A day in the current language: "Dec 3, 2026" / "3 dic 2026" (Babel's short, medium, long, full)."""
    if d is None:
        return MISSING
    return _babel_date(d, format=format, locale=babel_locale())


def format_day(d: date) -> str:
    """A day in a selection or a message: ISO in English, which ``bilat view`` prints and scripts
    read, and the language's own form elsewhere ("31 mar 2026")."""
    return d.isoformat() if current() == "en" else format_date(d)


def plotly_separators() -> str:
    """plotly's ``layout.separators`` for the current language: ".," in English, ",." in Spanish."""
    return PLOTLY_SEPARATORS.get(current(), ".,")
