"""Coverage page: volume and share over time, by source country, the mirror view, outlet diversity."""

from __future__ import annotations

from dashboard import panel, panels
from dashboard.data import coverage_view
from dashboard.state import current_view

view = current_view()
result = coverage_view(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
panel.render(panels.COVERAGE, result, view, freq=view.freq)
