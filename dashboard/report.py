"""Briefings outside the browser: the panels of dashboard pages as a report file and as an e-mail.

``bilat report`` (analytics/cli.py) checks its flags and the store, then runs this module as
``python -m dashboard.report REQUEST`` (REQUEST: the checked request as JSON), since the analytics
package never imports the dashboard. Here the pages' bundles are computed and their panels built
exactly as the dashboard builds them (:func:`dashboard.panels.make_panel`), with no Streamlit session.

:func:`email_html` is the e-mail body: inline styles in a table layout (what Outlook, Gmail and
Apple Mail all render), no script and no style element, each chart an inline PNG (``cid:``).
"""

from __future__ import annotations

import html
import json
import math
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analytics import engine, views
from analytics.errors import BilatError
from analytics.filters import Filters
from analytics.i18n import _, format_number, format_percent, language, ngettext
from analytics.measures.volume import Kpis
from dashboard import panels as declared
from dashboard.briefing import DEMO_LABEL, BriefingView, Panel, briefing_html, briefing_zip
from dashboard.export import file_name
from dashboard.images import ExportError, png_bytes
from dashboard.panels import make_panel, subtitle_words

PAGE_SPECS = {
    "overview": declared.OVERVIEW,
    "coverage": declared.COVERAGE,
    "themes": declared.THEMES,
    "tone": declared.TONE,
    "spikes": declared.SPIKES,
}
EMAIL_ROWS = 12  # rows of each table shown in the e-mail; the attached report has them all
EMAIL_WIDTH = 640  # pixels: the width mail clients lay out comfortably
_FONT = "font-family:Arial,Helvetica,sans-serif;color:#222222;"
_CELL = "border:1px solid #cccccc;padding:3px 6px;font-size:12px;text-align:right;" + _FONT


@dataclass(frozen=True)
class Briefing:
    """A built report: its panels, the view they describe, and the headline figures as text."""

    panels: list[Panel]
    view: BriefingView
    headline: tuple[tuple[str, str], ...]
    ui: str


def freq_for(page: str, start: date, end: date) -> str:
    """The period length a report plots: days for a span of up to five weeks (a weekly bar would
    hold one or two points), else weeks; spikes are found per day up to a quarter."""
    days = (end - start).days + 1
    if page == "spikes":
        return "D" if days <= 92 else "W"
    return "D" if days <= 35 else "W"


def headline(kpis: Kpis, length_days: int) -> tuple[tuple[str, str], ...]:
    """The Overview page's headline figures as (label, value) text."""
    articles = format_number(kpis.articles)
    if kpis.change is not None:
        change = ngettext("{change} vs previous {days} day", "{change} vs previous {days} days", length_days)
        articles += f" ({change.format(change=_signed(format_percent(kpis.change)), days=format_number(length_days))})"
    tone = "–" if math.isnan(kpis.tone) else _signed(format_number(kpis.tone, 2))
    if kpis.previous_tone is not None and not math.isnan(kpis.previous_tone) and not math.isnan(kpis.tone):
        change = _signed(format_number(kpis.tone - kpis.previous_tone, 2))
        tone += f" ({_('{change} vs previous period').format(change=change)})"
    return (
        (_("Articles"), articles),
        (_("Share of coverage"), "–" if math.isnan(kpis.share) else format_percent(kpis.share, 1)),
        (_("Mean tone"), tone),
        (_("Articles with a tone score"), format_number(kpis.tone_n)),
    )


def _signed(text: str) -> str:
    """A formatted change with its sign."""
    return text if text.startswith(("-", "−", "–")) else "+" + text


def build(
    source: engine.Source,
    filters: Filters,
    pages: list[str],
    *,
    demo: bool,
    data_timestamp: str,
    enrichment_version: str,
    ui: str = "en",
) -> Briefing:
    """The panels of ``pages`` (in order; a panel two pages share is kept once) for ``filters``,
    drawn from the same bundles and chart builders as the dashboard, with the headline figures.
    Text is in the current language (:func:`analytics.i18n.language`); ``ui`` names it for the files."""
    assert filters.start is not None and filters.end is not None  # a report always covers a closed window
    subtitle = subtitle_words((filters,), demo=demo)
    built: dict[str, Panel] = {}
    bundles = {}
    for page in pages:
        spec = PAGE_SPECS[page]
        freq = freq_for(page, filters.start, filters.end)
        bundles[page] = bundle = views.BUNDLES[spec.name](source, filters, freq)
        for panel_spec in spec.panels:
            if panel_spec.name not in built:
                panel = make_panel(panel_spec, bundle, subtitle=subtitle, freq=freq)
                if panel is not None:
                    built[panel.name] = panel
    overview = bundles.get("overview") or views.overview(
        source, filters, freq_for("overview", filters.start, filters.end)
    )
    kpis = overview.kpis
    view = BriefingView(
        filters=filters,
        view_name=", ".join(_(PAGE_SPECS[p].name) for p in pages),
        data_timestamp=data_timestamp,
        enrichment_version=enrichment_version,
        demo=demo,
        first=filters.start.isoformat(),
        last=filters.end.isoformat(),
    )
    return Briefing(list(built.values()), view, headline(kpis, (filters.end - filters.start).days + 1), ui)


def report_html(briefing: Briefing) -> bytes:
    """The full HTML report (interactive charts, methods, data), in the briefing's language."""
    return briefing_html(briefing.panels, briefing.view, ui=briefing.ui, headline=briefing.headline)


def report_zip(briefing: Briefing) -> bytes:
    """The briefing pack (ZIP). Raises :class:`ExportError` when Chromium cannot draw the images."""
    return briefing_zip(briefing.panels, briefing.view, ui=briefing.ui, headline=briefing.headline)


def chart_cid(panel: Panel) -> str:
    """The Content-ID of a panel's inline image."""
    return f"{panel.name}@bilat"


def chart_images(briefing: Briefing) -> dict[str, bytes] | None:
    """Each panel's PNG for the e-mail, by Content-ID; None when Chromium cannot draw them."""
    try:
        return {chart_cid(p): png_bytes(p.figure, width=800, height=420, scale=1.5) for p in briefing.panels}
    except ExportError:
        return None


def subject(briefing: Briefing) -> str:
    """The e-mail subject: the pages, the selection and the period."""
    view = briefing.view
    pair = view.filters.dyad or view.filters.country or "all coverage"
    demo = _("[DEMO DATA]") + " " if view.demo else ""
    words = _("Briefing {pair}: {pages}, {first} to {last}")
    return demo + words.format(pair=pair, pages=view.view_name, first=view.first, last=view.last)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _email_table(frame: pd.DataFrame) -> str:
    """The last :data:`EMAIL_ROWS` rows of a panel's data as an inline-styled table."""
    shown = frame.tail(EMAIL_ROWS).copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "–" if math.isnan(value) else f"{value:.4g}"
        return "–" if value is None or value is pd.NA else str(value)

    head = "".join(f'<th style="{_CELL}background:#f0f0f0;">{_esc(c)}</th>' for c in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{_esc(cell(v))}</td>' for v in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    table = (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;margin:6px 0;"><tr>{head}</tr>{rows}</table>'
    )
    if len(frame) > EMAIL_ROWS:
        table += (
            f'<p style="{_FONT}font-size:12px;color:#666666;margin:2px 0 0 0;">'
            + _esc(
                _("The last {shown} of {total} rows; the attached report has them all.").format(
                    shown=EMAIL_ROWS, total=format_number(len(frame))
                )
            )
            + "</p>"
        )
    return table


def _row(content: str, padding: str = "8px 24px") -> str:
    return f'<tr><td style="padding:{padding};{_FONT}">{content}</td></tr>'


def _not_drawn() -> str:
    return _(
        "The charts could not be drawn as images (Chromium is missing on the server); the tables below and the "
        "attached report have the figures."
    )


def _attached(names: list[str]) -> str:
    return _(
        "Attached: {names} (interactive charts, every row of data and how each figure is computed; opens offline)."
    ).format(names=", ".join(names))


def email_html(briefing: Briefing, images: dict[str, bytes] | None, *, attached: list[str]) -> str:
    """The e-mail body: headline figures as text, each chart as ``cid:`` image (or, when ``images``
    is None, a note that the charts could not be drawn) with its method and data, the attachments
    named. Inline styles and tables only: no ``<style>``, no ``<script>``, no plotly.js."""
    view = briefing.view
    title = _esc(_("Briefing: {name}").format(name=view.view_name))
    rows = [_row(f'<h1 style="font-size:22px;margin:0;{_FONT}">{title}</h1>', "20px 24px 8px")]
    if view.demo:
        demo = _("{label}: these charts do not describe real coverage.").format(label=DEMO_LABEL)
        rows.append(_row(
            f'<p style="border:3px solid #b00020;color:#b00020;font-weight:bold;padding:8px 12px;margin:0;">'
            f"{_esc(demo)}</p>"
        ))  # fmt: skip
    facts = "".join(
        f'<tr><td style="{_FONT}font-size:13px;font-weight:bold;padding:2px 12px 2px 0;vertical-align:top;">'
        f'{_esc(label)}</td><td style="{_FONT}font-size:13px;padding:2px 0;">{_esc(value)}</td></tr>'
        for label, value in view.facts()
    )
    rows.append(_row(f'<table role="presentation" cellpadding="0" cellspacing="0" border="0">{facts}</table>'))
    cells = "".join(
        f'<td width="25%" style="{_FONT}padding:8px;border:1px solid #dddddd;vertical-align:top;">'
        f'<div style="font-size:12px;color:#555555;">{_esc(label)}</div>'
        f'<div style="font-size:18px;font-weight:bold;">{_esc(figure)}</div>'
        f'<div style="font-size:12px;color:#555555;">{_esc(change.removesuffix(")"))}</div></td>'
        for label, value in briefing.headline
        for figure, _sep, change in [value.partition(" (")]  # the change against the previous period, if any
    )
    rows.append(_row(
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;"><tr>{cells}</tr></table>'
    ))  # fmt: skip
    if images is None:
        rows.append(_row(f'<p style="background:#fff4e5;padding:8px 12px;margin:0;">{_esc(_not_drawn())}</p>'))
    inner = EMAIL_WIDTH - 48
    for panel in briefing.panels:
        part = f'<h2 style="font-size:17px;margin:16px 0 6px 0;{_FONT}">{_esc(panel.title)}</h2>'
        if images is not None and chart_cid(panel) in images:
            part += (
                f'<img src="cid:{_esc(chart_cid(panel))}" width="{inner}" alt="{_esc(panel.title)}" '
                f'style="display:block;width:100%;max-width:{inner}px;height:auto;border:0;">'
            )
        part += f'<p style="font-size:13px;line-height:1.4;margin:6px 0;{_FONT}">{_esc(panel.method)}</p>'
        rows.append(_row(part + _email_table(panel.data)))
    if attached:
        note = f'<p style="font-size:12px;color:#666666;margin:12px 0;">{_esc(_attached(attached))}</p>'
        rows.append(_row(note, "8px 24px 20px"))
    return (
        '<!DOCTYPE html>\n<html lang="' + _esc(briefing.ui) + '">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(subject(briefing))}</title>\n</head>\n"
        '<body style="margin:0;padding:0;background:#f4f4f4;">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="background:#f4f4f4;"><tr><td align="center" style="padding:16px 0;">\n'
        f'<table role="presentation" width="{EMAIL_WIDTH}" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:{EMAIL_WIDTH}px;max-width:100%;background:#ffffff;">\n' + "\n".join(rows) + "\n</table>\n"
        "</td></tr></table>\n</body>\n</html>\n"
    )


def email_text(briefing: Briefing, *, charts_drawn: bool, attached: list[str]) -> str:
    """The plain-text alternative of the e-mail: the view, the headline figures, the panels."""
    view = briefing.view
    lines = [_("Briefing: {name}").format(name=view.view_name), ""]
    if view.demo:
        lines += [_("{label}: these charts do not describe real coverage.").format(label=DEMO_LABEL), ""]
    lines += [f"{label}: {value}" for label, value in (*view.facts(), *briefing.headline)]
    if not charts_drawn:
        lines += ["", _not_drawn()]
    for panel in briefing.panels:
        lines += ["", panel.title, panel.method]
    if attached:
        lines += ["", _attached(attached)]
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file, so a failure leaves the old file."""
    mode = path.stat().st_mode & 0o777 if path.is_file() else 0o644  # mkstemp's own is owner-only
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run(request: dict) -> str:
    """Build the report ``request`` describes (see ``analytics.cli.cmd_report``), write it, send it;
    returns what was done, in one line. Raises BilatError subclasses with a one-line message."""
    filters = Filters(dyad=request["pair"], start=date.fromisoformat(request["start"]),
                      end=date.fromisoformat(request["end"]))  # fmt: skip
    with language(request["ui"]):
        return _run(request, filters)


def _run(request: dict, filters: Filters) -> str:
    source = engine.open_dataset(request["dataset"])
    try:
        briefing = build(
            source, filters, request["pages"], demo=request["demo"],
            data_timestamp=request["data_timestamp"] or _("not pulled"),
            enrichment_version=request["enrichment_version"], ui=request["ui"],
        )  # fmt: skip
    finally:
        source.backend.disconnect()
    out = Path(request["out"])
    full = report_html(briefing)
    pack = report_zip(briefing) if request["zip"] else None
    write_atomically(out, pack if pack is not None else full)
    done = f"wrote {out}"
    if request["email"]:
        from analytics.mail import MailError, send_mail, smtp_settings

        settings = smtp_settings()
        stem = file_name("briefing", filters, "html", first=briefing.view.first, last=briefing.view.last)
        attachments = [(stem, full, "text/html")]
        if pack is not None:
            attachments.append((stem.removesuffix(".html") + ".zip", pack, "application/zip"))
        names = [attachment[0] for attachment in attachments]
        images = chart_images(briefing)
        try:
            send_mail(
                settings, request["email"], subject(briefing), email_html(briefing, images, attached=names),
                email_text(briefing, charts_drawn=images is not None, attached=names), inline_images=images or None,
                attachments=attachments, timeout=20,
            )  # fmt: skip
        except MailError as exc:
            raise MailError(f"wrote {out} but did not send it: {exc}") from None
        done += f" and sent it to {', '.join(request['email'])}" + ("" if images else " (without chart images)")
    return done


def main(argv: list[str] | None = None) -> int:
    """``python -m dashboard.report REQUEST``: one line on stderr, exit 0, or 1 on an error."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        print(f"bilat: {run(json.loads(argv[0]))}", file=sys.stderr)
    except BilatError as exc:
        print(f"bilat: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
