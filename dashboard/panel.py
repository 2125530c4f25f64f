"""Drawing the panels of a page: each chart with its downloads, then the page's briefing pack.

:func:`render` draws a page as :mod:`dashboard.panels` declares it, against the page's bundle: the
filters as a caption, the empty-selection message, every chart with its PNG, SVG, HTML, CSV and
XLSX buttons (:func:`show`), then the briefing buttons (:func:`briefing`: the whole page as a ZIP and as
one HTML report). Images are made only when their button is clicked (``download_button`` with a
callable), so ordinary reruns stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from analytics.enrich import enrichment_version
from analytics.filters import Filters
from analytics.i18n import _, current
from dashboard import export
from dashboard.briefing import BriefingView, Panel, briefing_html, briefing_zip
from dashboard.images import html_bytes, png_bytes, rationed, svg_bytes
from dashboard.panels import SIDES, PageSpec, PanelSpec, make_panel, subtitle_words
from dashboard.safe import md_escape
from dashboard.state import View

_MIME = {"png": "image/png", "svg": "image/svg+xml", "html": "text/html", "csv": "text/csv", "xlsx": export.XLSX_MIME}


def caption(sides: tuple[Filters, ...]) -> str:
    """The filters in words for ``st.caption``, escaped; two selections are labelled A and B."""
    if len(sides) == 1:
        return md_escape(sides[0].describe())
    return "  \n".join(f"**{side}** · {md_escape(f.describe())}" for side, f in zip(SIDES, sides, strict=True))


def subtitle_of(view: View, sides: tuple[Filters, ...] | None = None) -> str:
    """The chart subtitle: the filters in words (of ``sides`` when given, labelled A and B), labelled
    when the data are the demo's."""
    return subtitle_words(sides or (view.filters,), demo=view.info.demo)


def nothing_matches() -> None:
    """The message every page shows when the filters select no article; stops the page."""
    st.info(
        _(
            "No articles match these filters. Widen the date range, remove a theme, source country, outlet or "
            "language, or choose another country pair."
        )
    )
    st.stop()


def selects_nothing(page: PageSpec, bundle: Any) -> bool:
    """Whether the page's bundle counts no selected article (``page.counted``)."""
    frame, column = page.counted
    counts = getattr(bundle, frame)
    return counts.empty or int(counts[column].sum()) == 0


def render(
    page: PageSpec,
    bundle: Any,
    view: View,
    *,
    sides: tuple[Filters, ...] | None = None,
    above: Callable[[], None] | None = None,
    briefing_buttons: bool = True,
    **drawing: Any,
) -> list[Panel]:
    """Draw ``page``'s panels from ``bundle`` (its page bundle of :mod:`analytics.views`).

    In order: the filters as a caption (of ``sides`` when the page compares two selections); the
    empty-selection message, where the page stops when the bundle counts no article; ``above`` (the
    page's own widgets, e.g. its headline figures); each panel whose frame the bundle has, with its
    downloads; the briefing buttons, unless ``briefing_buttons`` is False (a page that draws more
    panels further down offers the pack itself). ``drawing`` holds the arguments the builders take
    (``freq``, ``aligned``). Returns the panels drawn.
    """
    sides = sides or (view.filters,)
    st.caption(caption(sides))
    if selects_nothing(page, bundle):
        nothing_matches()
    if above is not None:
        above()
    words = subtitle_of(view, sides)
    drawn = []
    for spec in page.panels:
        panel = draw(spec, bundle, view, subtitle=words, **drawing)
        if panel is not None:
            drawn.append(panel)
    if briefing_buttons:
        briefing(drawn, view, page.name)
    return drawn


def draw(spec: PanelSpec, bundle: Any, view: View, *, subtitle: str, **drawing: Any) -> Panel | None:
    """Draw one declared panel from ``bundle`` with its downloads; None (and the panel's ``absent``
    note) when the bundle has no frame for it."""
    panel = make_panel(spec, bundle, subtitle=subtitle, **drawing)
    if panel is None:
        if spec.absent:
            st.caption(_(spec.absent))
        return None
    show(panel, view)
    return panel


def span(view: View) -> tuple[str, str]:
    """First and last day of the view, for file names when the filters leave a bound open."""
    first = view.filters.start.isoformat() if view.filters.start else "start"
    last = view.filters.end.isoformat() if view.filters.end else "end"
    return first, last


def show(panel: Panel, view: View) -> None:
    """The chart and a row of download buttons for it."""
    first, last = span(view)
    ui = current()  # the HTML file's language; its button's callable runs outside this script run

    def name(ext: str) -> str:
        return export.file_name(panel.name, view.filters, ext, first=first, last=last)

    # The toolbar's own PNG button keeps working and names its file like ours.
    toolbar = {"toImageButtonOptions": {"filename": name("png").removesuffix(".png"), "scale": 2}, "displaylogo": False}
    st.plotly_chart(panel.figure, key=f"chart-{panel.name}", width="stretch", theme="streamlit", config=toolbar)

    makers = {
        "png": rationed(lambda: png_bytes(panel.figure)),
        "svg": rationed(lambda: svg_bytes(panel.figure)),
        "html": lambda: html_bytes(panel.figure, title=panel.title, lang=ui),
        "csv": lambda: export.csv_bytes(panel.data),
        "xlsx": lambda: export.xlsx_bytes(
            panel.data, sheet=panel.name[:31], title=panel.title, created=view.info.last_success
        ),
    }
    helps = {
        "csv": _("Exactly the data plotted above; UTF-8, opens in Excel."),
        "xlsx": _("Exactly the data plotted above, as an Excel workbook with numbers and dates kept."),
    }
    cols = st.columns([1, 1, 1, 1, 1, 3])
    for col, (ext, make) in zip(cols, makers.items(), strict=False):
        col.download_button(
            ext.upper(),
            data=make,
            file_name=name(ext),
            mime=_MIME[ext],
            key=f"{ext}-{panel.name}",
            icon=":material/download:",
            on_click="ignore",
            help=helps.get(ext) or _("The chart as {format}.").format(format=ext.upper()),
        )
    with st.expander(_("How this is computed")):
        st.markdown(panel.method)


def briefing(panels: list[Panel], view: View, page: str) -> None:
    """Buttons for the page's briefing pack: a ZIP of every chart, and a single HTML report."""
    if not panels:
        return
    first, last = span(view)
    stamp = view.info.last_success.strftime("%Y-%m-%d %H:%M UTC") if view.info.last_success else _("not pulled")
    pack = BriefingView(
        filters=view.filters,
        view_name=page,
        data_timestamp=stamp,
        enrichment_version=enrichment_version(),
        demo=view.info.demo,
        first=first,
        last=last,
    )
    stem = export.file_name(f"{page.lower()}_briefing", view.filters, "zip", first=first, last=last)
    ui = current()  # the buttons' callables run outside this script run, where the language is not set
    st.divider()
    left, right, _spare = st.columns([2, 2, 3])
    left.download_button(
        _("Briefing pack (ZIP)"),
        data=rationed(lambda: briefing_zip(panels, pack, ui=ui), cost=2 * len(panels)),  # a PNG and an SVG per chart
        file_name=stem,
        mime="application/zip",
        key=f"briefing-zip-{page}",
        icon=":material/folder_zip:",
        on_click="ignore",
        help=_("Every chart of this page as PNG, SVG, HTML, CSV and XLSX, with a summary of the filters and methods."),
    )
    right.download_button(
        _("Report (HTML)"),
        data=lambda: briefing_html(panels, pack, ui=ui),
        file_name=stem.removesuffix(".zip") + ".html",
        mime="text/html",
        key=f"briefing-html-{page}",
        icon=":material/description:",
        on_click="ignore",
        help=_("One self-contained page with every chart, its data and how it is computed; opens offline."),
    )
