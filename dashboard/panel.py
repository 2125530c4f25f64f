"""Drawing a chart with its downloads, and the briefing pack of a page.

Every chart on every page goes through :func:`show`: the chart, then PNG, SVG, HTML and CSV
buttons. Images are made only when their button is clicked (``download_button`` with a callable),
so ordinary reruns stay fast. :func:`briefing` offers the whole page as a ZIP and as one HTML report.
"""

from __future__ import annotations

import streamlit as st

from analytics.enrich import enrichment_version
from dashboard import export
from dashboard.briefing import BriefingView, Panel, briefing_html, briefing_zip
from dashboard.images import html_bytes, png_bytes, rationed, svg_bytes
from dashboard.safe import plotly_text
from dashboard.state import View

_MIME = {"png": "image/png", "svg": "image/svg+xml", "html": "text/html", "csv": "text/csv"}


def subtitle(view: View) -> str:
    """The chart subtitle of a view: the filters in words, labelled when the data are the demo's."""
    # Escaped: plotly renders a few HTML tags in titles, and outlet names come from the internet.
    return ("DEMO DATA (invented articles) · " if view.info.demo else "") + plotly_text(view.filters.describe())


def nothing_matches() -> None:
    """The message every page shows when the filters select no article; stops the page."""
    st.info(
        "No articles match these filters. Widen the date range, remove a theme, source country, outlet or "
        "language, or choose another country pair."
    )
    st.stop()


def span(view: View) -> tuple[str, str]:
    """First and last day of the view, for file names when the filters leave a bound open."""
    first = view.filters.start.isoformat() if view.filters.start else "start"
    last = view.filters.end.isoformat() if view.filters.end else "end"
    return first, last


def show(panel: Panel, view: View) -> None:
    """The chart and a row of download buttons for it."""
    first, last = span(view)

    def name(ext: str) -> str:
        return export.file_name(panel.name, view.filters, ext, first=first, last=last)

    # The toolbar's own PNG button keeps working and names its file like ours.
    toolbar = {"toImageButtonOptions": {"filename": name("png").removesuffix(".png"), "scale": 2}, "displaylogo": False}
    st.plotly_chart(panel.figure, key=f"chart-{panel.name}", width="stretch", theme="streamlit", config=toolbar)

    makers = {
        "png": rationed(lambda: png_bytes(panel.figure)),
        "svg": rationed(lambda: svg_bytes(panel.figure)),
        "html": lambda: html_bytes(panel.figure, title=panel.title),
        "csv": lambda: export.csv_bytes(panel.data),
    }
    cols = st.columns([1, 1, 1, 1, 4])
    for col, (ext, make) in zip(cols, makers.items(), strict=False):
        col.download_button(
            ext.upper(),
            data=make,
            file_name=name(ext),
            mime=_MIME[ext],
            key=f"{ext}-{panel.name}",
            icon=":material/download:",
            on_click="ignore",
            help="Exactly the data plotted above." if ext == "csv" else f"The chart as {ext.upper()}.",
        )
    with st.expander("How this is computed"):
        st.markdown(panel.method)


def briefing(panels: list[Panel], view: View, page: str) -> None:
    """Buttons for the page's briefing pack: a ZIP of every chart, and a single HTML report."""
    if not panels:
        return
    first, last = span(view)
    stamp = view.info.last_success.strftime("%Y-%m-%d %H:%M UTC") if view.info.last_success else "not pulled"
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
    st.divider()
    left, right, _ = st.columns([2, 2, 3])
    left.download_button(
        "Briefing pack (ZIP)",
        data=rationed(lambda: briefing_zip(panels, pack), cost=2 * len(panels)),  # a PNG and an SVG per chart
        file_name=stem,
        mime="application/zip",
        key=f"briefing-zip-{page}",
        icon=":material/folder_zip:",
        on_click="ignore",
        help="Every chart of this page as PNG, SVG, HTML and CSV, with a summary of the filters and methods.",
    )
    right.download_button(
        "Report (HTML)",
        data=lambda: briefing_html(panels, pack),
        file_name=stem.removesuffix(".zip") + ".html",
        mime="text/html",
        key=f"briefing-html-{page}",
        icon=":material/description:",
        on_click="ignore",
        help="One self-contained page with every chart, its data and how it is computed; opens offline.",
    )
