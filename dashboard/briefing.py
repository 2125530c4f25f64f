"""The briefing pack: every chart of a view as PNG, SVG, HTML, CSV and XLSX, a summary and one report.

Pure functions of the panels and the view: no Streamlit, no clock. ZIP entries are dated with the
data timestamp, not the time of the download; the same inputs give the same files, except the SVGs,
whose clip-path ids plotly draws at random.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go

from analytics.filters import Filters
from analytics.i18n import _, current, format_number, language, ngettext
from dashboard.export import csv_bytes, file_name, xlsx_bytes
from dashboard.images import figure_div, html_bytes, html_page, png_bytes, svg_bytes
from dashboard.safe import md_escape

DEMO_LABEL = "DEMO DATA — invented articles"  # the English text; shown through demo_label()
SUMMARY_NAME = "summary.md"
REPORT_NAME = "report.html"
FORMATS = ("png", "svg", "html", "csv", "xlsx")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")

_REPORT_STYLE = (
    "h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}"
    ".demo{border:3px solid #b00020;color:#b00020;font-weight:bold;font-size:1.2rem;padding:.6rem 1rem}"
    "dt{font-weight:bold}dd{margin:0 0 .4rem 0}.method{max-width:60rem;line-height:1.45}"
    "table.data{border-collapse:collapse;font-size:.85rem}"
    "table.data th,table.data td{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}"
)


def demo_label() -> str:
    """The demo flag of a pack, in the current language."""
    return _(DEMO_LABEL)


@dataclass(frozen=True)
class Panel:
    """One chart of the pack and what it is made of."""

    name: str  # short id used in file names, e.g. "volume"
    title: str  # human title
    figure: go.Figure
    data: pd.DataFrame  # exactly the plotted data
    method: str  # one paragraph: how the figure is computed (plain text)


@dataclass(frozen=True)
class BriefingView:
    """The view a pack is made from: its filters, name, plotted period, data and rules versions."""

    filters: Filters
    view_name: str
    data_timestamp: str
    enrichment_version: str
    demo: bool
    first: str
    last: str

    def facts(self) -> list[tuple[str, str]]:
        """What a reader needs to know to cite the pack, shared by the summary and the report."""
        return [
            (_("Selection"), self.filters.describe()),
            (_("Period plotted"), _("{start} to {end}").format(start=self.first, end=self.last)),
            (_("Data as of"), self.data_timestamp),
            (
                _("Enrichment version"),
                _("{version} (country, theme and tone rules and lexicons)").format(version=self.enrichment_version),
            ),
            (_("Data"), demo_label() if self.demo else _("stored news coverage")),
        ]

    def files(self, panel: Panel) -> dict[str, str]:
        return {ext: file_name(panel.name, self.filters, ext, first=self.first, last=self.last) for ext in FORMATS}


def _text(value: str) -> str:
    """Text that neither HTML nor Markdown renders as markup (``<``, ``>`` and ``&`` escaped)."""
    return html.escape(str(value), quote=False)


def _check(panels: list[Panel]) -> None:
    """Panel names go into file names and element ids: short, unique, lower-case ids."""
    names = [p.name for p in panels]
    bad = [n for n in names if not _NAME.fullmatch(n)]
    if bad:
        raise ValueError(f"panel name {bad[0]!r} must be lower-case letters, digits and hyphens")
    if len(set(names)) != len(names):
        raise ValueError(f"panel names must be unique, got {names}")


def summary_markdown(panels: list[Panel], view: BriefingView) -> bytes:
    """``summary.md`` of the pack, in the current language: the view in words, versions, the demo
    flag, each panel's method."""
    _check(panels)
    lines = ["# " + _text(_("Briefing pack: {view}").format(view=_(view.view_name))), ""]
    if view.demo:
        note = _("These charts come from the demo corpus, not from real news coverage.")
        lines += [f"**{demo_label()}.** {note}", ""]
    lines += [f"- {label}: {md_escape(value)}" for label, value in view.facts()]
    holds = _("{report} holds every chart, its method and its data in one file that opens offline.")
    lines += ["", holds.format(report=f"`{REPORT_NAME}`"), ""]
    for panel in panels:
        files = ", ".join(f"`{_text(name)}`" for name in view.files(panel).values())
        lines += [f"## {_text(panel.title)}", "", _text(panel.method), "", _("Files: {files}").format(files=files), ""]
    return "\n".join(lines).encode("utf-8")


def _table(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    return shown.to_html(index=False, escape=True, na_rep="–", border=0, classes="data", float_format="{:.4g}".format)


def briefing_html(
    panels: list[Panel], view: BriefingView, *, ui: str | None = None, headline: tuple[tuple[str, str], ...] = ()
) -> bytes:
    """One self-contained HTML report: summary, then per panel the interactive chart, method and data.

    plotly.js is embedded once, in the head, so the file opens offline. All text is escaped.
    ``ui`` is the report's language (its ``lang`` and its own texts), by default the interface
    language current when it is called; the panels' titles, methods and charts come as they were
    made. ``headline`` holds the (label, value) figures shown above the charts, if any.
    """
    with language(ui or current()):
        return _report(panels, view, headline)


def _report(panels: list[Panel], view: BriefingView, headline: tuple[tuple[str, str], ...]) -> bytes:
    _check(panels)
    title = _("Briefing pack: {view}").format(view=_(view.view_name))
    parts = [f"<h1>{_text(title)}</h1>"]
    if view.demo:
        demo = _("{label}: these charts do not describe real coverage.").format(label=demo_label())
        parts.append(f'<p class="demo">{_text(demo)}</p>')
    facts = "".join(f"<dt>{_text(label)}</dt><dd>{_text(value)}</dd>" for label, value in view.facts())
    parts.append(f"<dl>{facts}</dl>")
    if headline:
        figures = "".join(f"<dt>{_text(label)}</dt><dd>{_text(value)}</dd>" for label, value in headline)
        parts.append(f'<dl class="headline">{figures}</dl>')
    for panel in panels:
        rows = len(panel.data)
        plotted = ngettext(
            "Data plotted ({rows} row, also in {file})", "Data plotted ({rows} rows, also in {file})", rows
        )
        parts += [
            f'<section id="{panel.name}">',
            f"<h2>{_text(panel.title)}</h2>",
            figure_div(panel.figure, div_id=f"chart-{panel.name}"),
            f'<p class="method">{_text(panel.method)}</p>',
            # Long tables start folded so the charts stay together when the report is read.
            f"<details{' open' if rows <= 25 else ''}><summary>"
            + _text(plotted.format(rows=format_number(rows), file=view.files(panel)["csv"]))
            + f"</summary>{_table(panel.data)}</details>",
            "</section>",
        ]
    return html_page(title, "\n".join(parts), style=_REPORT_STYLE)


def data_time(data_timestamp: str) -> datetime | None:
    """The data timestamp as a datetime (ISO, or ``2026-01-19 06:00 UTC`` as the pages write it);
    None if it is not a date."""
    text = data_timestamp.strip()
    text = text.removesuffix(" UTC") + "+00:00" if text.endswith(" UTC") else text.replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _zip_time(data_timestamp: str) -> tuple[int, int, int, int, int, int]:
    """Entry date of the ZIP's files: the data timestamp, or the ZIP epoch if it is not a date."""
    moment = data_time(data_timestamp)
    if moment is None or moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def briefing_zip(
    panels: list[Panel], view: BriefingView, *, ui: str | None = None, headline: tuple[tuple[str, str], ...] = ()
) -> bytes:
    """ZIP of the pack: per panel PNG, SVG, HTML, CSV and XLSX, plus ``summary.md`` and ``report.html``.

    File names come from the view (:func:`dashboard.export.file_name`); ``ui`` (by default the
    current interface language) is the language of the summary and the report, ``headline`` goes to
    the report (:func:`briefing_html`). Raises :class:`dashboard.images.ExportError` when the
    images cannot be drawn.
    """
    _check(panels)
    stamp = _zip_time(view.data_timestamp)
    created = data_time(view.data_timestamp)
    buffer = io.BytesIO()
    with language(ui or current()), zipfile.ZipFile(buffer, "w") as pack:

        def add(name: str, content: bytes, *, compress: bool = True) -> None:
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            pack.writestr(entry, content)

        for panel in panels:
            names = view.files(panel)
            add(names["png"], png_bytes(panel.figure), compress=False)  # PNG is compressed already
            add(names["svg"], svg_bytes(panel.figure))
            add(names["html"], html_bytes(panel.figure, title=f"{panel.title}: {_(view.view_name)}"))
            add(names["csv"], csv_bytes(panel.data))
            add(names["xlsx"], xlsx_bytes(panel.data, sheet=panel.name[:31], title=panel.title, created=created))
        add(SUMMARY_NAME, summary_markdown(panels, view))
        add(REPORT_NAME, briefing_html(panels, view, ui=ui, headline=headline))
    return buffer.getvalue()
