"""Chart files (PNG, SVG, HTML) and the briefing pack, on real charts of tiny frames."""

from __future__ import annotations

import dataclasses
import io
import json
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics import engine, views
from analytics.filters import Filters
from dashboard import coverage_charts, theme_charts
from dashboard.briefing import DEMO_LABEL, BriefingView, Panel, briefing_html, briefing_zip, summary_markdown
from dashboard.export import csv_bytes, xlsx_bytes
from dashboard.images import html_bytes, png_bytes, svg_bytes
from tests.conftest import JAN

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HOSTILE = "<script>alert(1)</script>"
FILTERS = Filters(dyad="PER-USA", start=JAN[0], end=JAN[1])
VIEW = BriefingView(
    filters=FILTERS,
    view_name="Overview",
    data_timestamp="2026-01-19T06:00:00+00:00",
    enrichment_version="1-3f9a2c1b",
    demo=True,
    first="2026-01-05",
    last="2026-01-12",
)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a PNG must start with."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def panels(tiny) -> list[Panel]:
    bundle = views.overview(engine.from_frames(*tiny), FILTERS, "W")
    volume, totals = bundle.volume, bundle.theme_totals
    subtitle = "DEMO DATA (invented articles) · " + FILTERS.describe()
    return [
        Panel("volume", "Coverage volume", coverage_charts.volume_chart(volume, subtitle=subtitle, freq="W"), volume,
              "Articles about the pair per week, and their share of all stored articles of the week."),
        Panel("themes", "Themes", theme_charts.theme_chart(totals, subtitle=subtitle), totals,
              "Share of the selected articles tagged with each theme; an article can carry several."),
    ]  # fmt: skip


def expected_names(stem: str) -> set[str]:
    return {f"PER-USA_{stem}_2026-01-05_2026-01-18.{ext}" for ext in ("png", "svg", "html", "csv", "xlsx")}


# ---- without a browser ---------------------------------------------------------------------------


def test_html_is_standalone_and_offline(panels):
    fig = panels[0].figure
    before = fig.to_json()  # to_dict, serialised: its arrays do not compare with ==
    page = html_bytes(fig, title=f"Volume {HOSTILE} & co").decode("utf-8")
    assert fig.to_json() == before
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<title>Volume &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>" in page
    assert "Plotly.newPlot" in page and "plotly.js v" in page  # the library itself is in the file
    assert '<script src="http' not in page and "<link " not in page  # nothing fetched on opening
    assert "Coverage volume per week" in page  # the figure's own title travels with it


def test_report_escapes_text_from_data(panels):
    hostile = panels[1]
    data = hostile.data.assign(theme=hostile.data["theme"].where(hostile.data.index > 0, f"{HOSTILE}"))
    panels[1] = Panel("themes", f"Themes {HOSTILE}", hostile.figure, data, f"Method {HOSTILE} & more.")
    page = briefing_html(panels, VIEW).decode("utf-8")
    assert HOSTILE not in page
    assert "Themes &lt;script&gt;alert(1)&lt;/script&gt;" in page  # title
    assert "Method &lt;script&gt;alert(1)&lt;/script&gt; &amp; more." in page  # method
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page  # a data cell


def test_report_embeds_plotly_once_and_every_panel(panels):
    page = briefing_html(panels, VIEW).decode("utf-8")
    assert page.count("plotly.js v") == 1 and page.index("plotly.js v") < page.index("</head>")
    assert page.count("Plotly.newPlot") == 2
    assert '<script src="http' not in page
    assert page.count(DEMO_LABEL) == 2  # the banner and the summary
    assert "PER-USA; 2026-01-05 to 2026-01-18" in page and "1-3f9a2c1b" in page
    for panel in panels:
        assert f"<h2>{panel.title}</h2>" in page and panel.method in page
    assert "<td>2026-01-12</td>" in page  # periods as ISO dates, like the CSV


def test_summary_names_the_view_and_escapes(panels):
    panels[0] = Panel("volume", f"Volume {HOSTILE}", panels[0].figure, panels[0].data, "A & B <i>c</i>")
    text = summary_markdown(panels, VIEW).decode("utf-8")
    assert "PER-USA; 2026-01-05 to 2026-01-18" in text  # Filters.describe()
    assert "1-3f9a2c1b" in text and "2026-01-19T06:00:00+00:00" in text
    assert DEMO_LABEL in text
    assert "## Volume &lt;script&gt;alert(1)&lt;/script&gt;" in text and "A &amp; B &lt;i&gt;c&lt;/i&gt;" in text
    assert "<" not in text.replace("&lt;", "")
    assert "PER-USA_volume_2026-01-05_2026-01-18.png" in text


def test_real_data_is_not_labelled_demo(panels):
    view = dataclasses.replace(VIEW, demo=False)
    assert DEMO_LABEL not in summary_markdown(panels, view).decode("utf-8")
    assert DEMO_LABEL not in briefing_html(panels, view).decode("utf-8")


def test_panel_names_must_be_unique_ids(panels):
    with pytest.raises(ValueError, match="unique"):
        briefing_html([panels[0], panels[0]], VIEW)
    with pytest.raises(ValueError, match="lower-case"):
        summary_markdown([Panel('a"b', "T", panels[0].figure, panels[0].data, "m")], VIEW)


@pytest.mark.parametrize("browser_path", ["/nonexistent/chromium", "/bin/false"])
def test_missing_or_broken_chromium_raises_instead_of_hanging(browser_path):
    code = (
        "import plotly.graph_objects as go\n"
        "from dashboard.images import ExportError, png_bytes\n"
        "try:\n    png_bytes(go.Figure(go.Bar(y=[1])))\n"
        "except ExportError as error:\n    print('ExportError:', error)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "BROWSER_PATH": browser_path, "HOME": "/tmp"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "ExportError:" in done.stdout and "apt-get install chromium" in done.stdout, done.stderr[-2000:]


# ---- with Chromium (kaleido) ---------------------------------------------------------------------


@pytest.mark.browser
def test_png_has_the_requested_size_and_leaves_the_figure_alone(panels):
    fig = panels[0].figure
    before = fig.to_json()  # to_dict, serialised: its arrays do not compare with ==
    assert png_size(png_bytes(fig, width=800, height=400, scale=2)) == (1600, 800)
    assert png_size(png_bytes(fig)) == (2400, 1200)
    assert fig.to_json() == before


@pytest.mark.browser
def test_svg_is_xml_with_the_chart_title(panels):
    fig = panels[1].figure
    before = fig.to_json()  # to_dict, serialised: its arrays do not compare with ==
    svg = svg_bytes(fig, width=900, height=500)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("900", "500")
    text = svg.decode("utf-8")
    assert "Themes" in text and "PER-USA; 2026-01-05 to 2026-01-18" in text  # title and subtitle
    assert "fill: rgb(255, 255, 255)" in text  # an opaque white background
    assert fig.to_json() == before


@pytest.mark.browser
def test_zip_holds_every_file_of_the_pack(panels):
    pack = zipfile.ZipFile(io.BytesIO(briefing_zip(panels, VIEW)))
    assert set(pack.namelist()) == expected_names("volume") | expected_names("themes") | {"summary.md", "report.html"}
    assert pack.testzip() is None
    for panel in panels:
        stem = f"PER-USA_{panel.name}_2026-01-05_2026-01-18"
        assert pack.read(f"{stem}.csv") == csv_bytes(panel.data)
        created = datetime(2026, 1, 19, 6, 0, tzinfo=UTC)
        assert pack.read(f"{stem}.xlsx") == xlsx_bytes(panel.data, sheet=panel.name, title=panel.title, created=created)
        assert png_size(pack.read(f"{stem}.png")) == (2400, 1200)
        assert ET.fromstring(pack.read(f"{stem}.svg")).tag.endswith("svg")
        assert b"Plotly.newPlot" in pack.read(f"{stem}.html")
    assert pack.read("summary.md") == summary_markdown(panels, VIEW)
    assert pack.read("report.html") == briefing_html(panels, VIEW)
    assert pack.getinfo("summary.md").date_time == (2026, 1, 19, 6, 0, 0)


@pytest.mark.browser
def test_warm_export_timing(panels):
    """Prints the times (run with -s to see them); timing is measured, never asserted."""
    fig = panels[0].figure
    png_bytes(fig)  # the server is warm after this
    times = {}
    for kind, export in (("png", png_bytes), ("svg", svg_bytes)):
        start = time.perf_counter()
        for _ in range(3):
            export(fig)
        times[kind] = (time.perf_counter() - start) / 3
    print("warm export seconds:", json.dumps({k: round(v, 3) for k, v in times.items()}))
