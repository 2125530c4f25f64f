"""The briefing pack: every chart of a view as PNG, SVG, HTML and CSV, a summary and one report.

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
from dashboard.export import csv_bytes, file_name
from dashboard.images import figure_div, html_bytes, html_page, png_bytes, svg_bytes
from dashboard.safe import md_escape

DEMO_LABEL = "DEMO DATA — invented articles"
SUMMARY_NAME = "summary.md"
REPORT_NAME = "report.html"
FORMATS = ("png", "svg", "html", "csv")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")

_REPORT_STYLE = (
    "h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}"
    ".demo{border:3px solid #b00020;color:#b00020;font-weight:bold;font-size:1.2rem;padding:.6rem 1rem}"
    "dt{font-weight:bold}dd{margin:0 0 .4rem 0}.method{max-width:60rem;line-height:1.45}"
    "table.data{border-collapse:collapse;font-size:.85rem}"
    "table.data th,table.data td{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}"
)


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
            ("Selection", self.filters.describe()),
            ("Period plotted", f"{self.first} to {self.last}"),
            ("Data as of", self.data_timestamp),
            ("Enrichment version", f"{self.enrichment_version} (country, theme and tone rules and lexicons)"),
            ("Data", DEMO_LABEL if self.demo else "stored news coverage"),
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
    """``summary.md`` of the pack: the view in words, versions, the demo flag, each panel's method."""
    _check(panels)
    lines = [f"# Briefing pack: {_text(view.view_name)}", ""]
    if view.demo:
        lines += [f"**{DEMO_LABEL}.** These charts come from the demo corpus, not from real news coverage.", ""]
    lines += [f"- {label}: {md_escape(value)}" for label, value in view.facts()]
    lines += ["", f"`{REPORT_NAME}` holds every chart, its method and its data in one file that opens offline.", ""]
    for panel in panels:
        files = ", ".join(f"`{_text(name)}`" for name in view.files(panel).values())
        lines += [f"## {_text(panel.title)}", "", _text(panel.method), "", f"Files: {files}", ""]
    return "\n".join(lines).encode("utf-8")


def _table(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    return shown.to_html(index=False, escape=True, na_rep="–", border=0, classes="data", float_format="{:.4g}".format)


def briefing_html(panels: list[Panel], view: BriefingView) -> bytes:
    """One self-contained HTML report: summary, then per panel the interactive chart, method and data.

    plotly.js is embedded once, in the head, so the file opens offline. All text is escaped.
    """
    _check(panels)
    parts = [f"<h1>Briefing pack: {_text(view.view_name)}</h1>"]
    if view.demo:
        parts.append(f'<p class="demo">{_text(DEMO_LABEL)}: these charts do not describe real coverage.</p>')
    facts = "".join(f"<dt>{_text(label)}</dt><dd>{_text(value)}</dd>" for label, value in view.facts())
    parts.append(f"<dl>{facts}</dl>")
    for panel in panels:
        rows = len(panel.data)
        parts += [
            f'<section id="{panel.name}">',
            f"<h2>{_text(panel.title)}</h2>",
            figure_div(panel.figure, div_id=f"chart-{panel.name}"),
            f'<p class="method">{_text(panel.method)}</p>',
            # Long tables start folded so the charts stay together when the report is read.
            f"<details{' open' if rows <= 25 else ''}><summary>Data plotted ({rows} rows, also in "
            f"{_text(view.files(panel)['csv'])})</summary>{_table(panel.data)}</details>",
            "</section>",
        ]
    return html_page(f"Briefing pack: {view.view_name}", "\n".join(parts), style=_REPORT_STYLE)


def _zip_time(data_timestamp: str) -> tuple[int, int, int, int, int, int]:
    """Entry date of the ZIP's files: the data timestamp, or the ZIP epoch if it is not a date."""
    try:
        moment = datetime.fromisoformat(data_timestamp.strip().replace("Z", "+00:00"))
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    if moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def briefing_zip(panels: list[Panel], view: BriefingView) -> bytes:
    """ZIP of the pack: per panel PNG, SVG, HTML and CSV, plus ``summary.md`` and ``report.html``.

    File names come from the view (:func:`dashboard.export.file_name`). Raises
    :class:`dashboard.images.ExportError` when the images cannot be drawn.
    """
    _check(panels)
    stamp = _zip_time(view.data_timestamp)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as pack:

        def add(name: str, content: bytes, *, compress: bool = True) -> None:
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            pack.writestr(entry, content)

        for panel in panels:
            names = view.files(panel)
            add(names["png"], png_bytes(panel.figure), compress=False)  # PNG is compressed already
            add(names["svg"], svg_bytes(panel.figure))
            add(names["html"], html_bytes(panel.figure, title=f"{panel.title}: {view.view_name}"))
            add(names["csv"], csv_bytes(panel.data))
        add(SUMMARY_NAME, summary_markdown(panels, view))
        add(REPORT_NAME, briefing_html(panels, view))
    return buffer.getvalue()
