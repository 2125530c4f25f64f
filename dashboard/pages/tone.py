"""Tone page: tone over time with its band and n, its distribution, by theme, by source, relation tone."""

from __future__ import annotations

from dashboard import panel, panels
from dashboard.data import tone_view
from dashboard.state import current_view

view = current_view()
result = tone_view(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
panel.render(panels.TONE, result, view, freq=view.freq)
