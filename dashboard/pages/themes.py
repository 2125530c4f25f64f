"""Themes page: theme volumes over time, themes by source country, rising and falling themes."""

from __future__ import annotations

from dashboard import panel, panels
from dashboard.data import themes_view
from dashboard.state import current_view

view = current_view()
result = themes_view(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
panel.render(panels.THEMES, result, view, freq=view.freq)
