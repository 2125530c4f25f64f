"""What every chart shares: the font, the title with its subtitle, margins, legend and template.

The chart builders (``coverage_charts``, ``theme_charts``, ``tone_charts``, ``spike_charts``,
``compare_charts``) take a frame and return a plotly Figure, with no Streamlit inside. Each builder
plots every column of the frame it is given (hover included), so the CSV offered next to a chart is
exactly that frame.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from analytics.i18n import current, plotly_separators

FONT = "Arial, Helvetica, sans-serif"  # a font every browser and the exporter measure alike

# The white template as plotly's default, set once: naming it on each figure (``template=...``)
# validates and copies the whole template again, 20-50 ms a chart, which on a page of five charts
# was a quarter of the server's work for a new view. The figures' JSON is the same either way.
pio.templates.default = "plotly_white"


def layout(fig: go.Figure, title: str, subtitle: str, *, hovermode: str = "x unified") -> go.Figure:
    """Give ``fig`` the dashboard's look: ``title`` over a smaller ``subtitle`` (plotly markup, already
    escaped), the shared font, margins and legend below the plot (the white template is the default).
    Numbers on axes and in hovers use the interface language's decimal and thousands marks."""
    fig.update_layout(
        title={"text": f"{title}<br><sup>{subtitle}</sup>", "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 13},
        margin={"l": 60, "r": 30, "t": 80, "b": 40},
        hovermode=hovermode,
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0},
        height=420,
        separators=plotly_separators(),
    )
    if current() != "en" and _dates_on_x(fig):
        # plotly.js writes month names in English only (its other locales are separate scripts the
        # dashboard and the exporter do not load): other languages get numeric dates, day first.
        fig.update_xaxes(tickformatstops=NUMERIC_DATE_TICKS, hoverformat="%d/%m/%Y")
    return fig


# Tick labels by spacing: days and weeks 03/12/2026, months 12/2026, years 2026.
NUMERIC_DATE_TICKS = [
    {"dtickrange": [None, "M1"], "value": "%d/%m/%Y"},
    {"dtickrange": ["M1", "M12"], "value": "%m/%Y"},
    {"dtickrange": ["M12", None], "value": "%Y"},
]


def _dates_on_x(fig: go.Figure) -> bool:
    """Whether every trace with x values plots dates there."""
    found = False
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is None or len(xs) == 0:
            continue
        first = xs[0]
        if not isinstance(first, (date, datetime, np.datetime64)):
            return False
        found = True
    return found
