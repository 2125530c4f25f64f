"""What a view selects: country pair or country, dates, themes, source countries, languages.

:class:`Filters` is a frozen value: the dashboard builds one from the URL, the CLI from flags,
and the metrics take it. :meth:`Filters.describe` says in English what it selects, for chart
captions and the summary of a download.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from analytics.errors import InputError
from analytics.schema import THEMES, theme_label


@dataclass(frozen=True)
class Filters:
    """A selection of stored coverage. Empty tuples and ``None`` mean "no restriction".

    ``dyad`` (``"PER-USA"``) selects articles assigned to that pair; ``country`` (used when
    ``dyad`` is None) selects articles in any dyad with that country. ``start`` and ``end`` are
    inclusive UTC dates. ``themes`` keeps articles tagged with any of the themes.
    """

    dyad: str | None = None
    country: str | None = None
    start: date | None = None
    end: date | None = None
    themes: tuple[str, ...] = ()
    source_countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    # Count each wire story once: of the copies of one story (one cluster), keep the earliest published.
    once: bool = False

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InputError(f"the date range is reversed: {self.start} is after {self.end}")
        unknown = [t for t in self.themes if t not in THEMES]
        if unknown:
            raise InputError(f"unknown theme {unknown[0]!r}; themes are: {', '.join(THEMES)}")
        if self.dyad is not None:
            parts = self.dyad.split("-")
            if len(parts) != 2 or parts != sorted(parts) or parts[0] == parts[1] or any(len(p) != 3 for p in parts):
                raise InputError(
                    f"{self.dyad!r} is not a country pair; write two ISO alpha-3 codes in "
                    "alphabetical order, e.g. PER-USA"
                )

    @property
    def theme_mask(self) -> int:
        mask = 0
        for theme in self.themes:
            mask |= 1 << THEMES.index(theme)
        return mask

    def previous(self) -> Filters | None:
        """The same selection over the period of equal length just before this one."""
        if self.start is None or self.end is None:
            return None
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))

    def describe(self) -> str:
        """A description in the interface language, e.g. "PER-USA; 2025-01-01 to 2025-12-31;
        themes: Trade" (Spanish: "PER-USA; 1 ene 2025 al 31 dic 2025; temas: Comercio").

        Plain text, not markup: outlet and language names come from stored feeds and files, so a
        page escapes it before Markdown (``dashboard.safe.md_escape``) or a chart title. English
        keeps ISO dates, which ``bilat view`` prints and scripts read.
        """
        from analytics.i18n import _, format_day

        def day(d: date | None, missing: str) -> str:
            return missing if d is None else format_day(d)

        if self.dyad:
            parts = [self.dyad]
        elif self.country:
            parts = [_("{country} with any partner").format(country=self.country)]
        else:
            parts = [_("all coverage")]
        if self.start or self.end:
            parts.append(_("{start} to {end}").format(start=day(self.start, _("first")), end=day(self.end, _("last"))))
        if self.themes:
            parts.append(_("themes: {names}").format(names=", ".join(theme_label(t) for t in self.themes)))
        if self.source_countries:
            parts.append(_("media of {countries}").format(countries=", ".join(self.source_countries)))
        if self.languages:
            parts.append(_("languages: {languages}").format(languages=", ".join(self.languages)))
        if self.outlets:
            parts.append(_("outlets: {outlets}").format(outlets=", ".join(self.outlets)))
        if self.once:
            parts.append(_("wire copies counted once"))
        return "; ".join(parts)
