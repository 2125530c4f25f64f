"""What every chart shares: the font, the title with its subtitle, margins, legend and template.

The chart builders (``coverage_charts``, ``theme_charts``, ``tone_charts``, ``spike_charts``,
``compare_charts``) take a frame and return a plotly Figure, with no Streamlit inside. Each builder
plots every column of the frame it is given (hover included), so the CSV offered next to a chart is
exactly that frame.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from analytics.i18n import plotly_separators

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
    return fig
