"""Coverage page: volume and share over time, by source country, the mirror view, outlet diversity."""

from __future__ import annotations

import streamlit as st

from dashboard import coverage_charts, methods, panel
from dashboard.briefing import Panel
from dashboard.data import coverage_view
from dashboard.safe import md_escape
from dashboard.state import current_view

view = current_view()
st.caption(md_escape(view.filters.describe()))
result = coverage_view(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
if result.volume.empty or int(result.volume["articles"].sum()) == 0:
    panel.nothing_matches()

sub = panel.subtitle(view)
panels = [
    Panel(
        "volume",
        "Coverage volume",
        coverage_charts.volume_chart(result.volume, subtitle=sub, freq=view.freq),
        result.volume,
        methods.VOLUME,
    ),
    Panel(
        "by-source",
        "Coverage by source country",
        coverage_charts.volume_by_source_chart(result.by_source, subtitle=sub, freq=view.freq),
        result.by_source,
        methods.BY_SOURCE,
    ),
]
if result.mirror is not None and not result.mirror.empty:
    panels.append(
        Panel(
            "mirror",
            "Mirror view",
            coverage_charts.mirror_chart(result.mirror, subtitle=sub, freq=view.freq),
            result.mirror,
            methods.MIRROR,
        )
    )
else:
    st.caption("The mirror view needs a country pair (not one country with any partner).")
panels.append(
    Panel(
        "diversity",
        "Outlet diversity",
        coverage_charts.diversity_chart(result.diversity, subtitle=sub, freq=view.freq),
        result.diversity,
        methods.DIVERSITY,
    )
)
for item in panels:
    panel.show(item, view)
panel.briefing(panels, view, "Coverage")
