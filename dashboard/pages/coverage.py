"""Coverage page: volume and share over time, by source country, the mirror view, outlet diversity."""

from __future__ import annotations

import streamlit as st

from analytics.i18n import current
from dashboard import panel, panels
from dashboard.data import coverage_view, scorer_note
from dashboard.state import current_view

view = current_view()
result = coverage_view(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
note = scorer_note(view.analysis.root, view.analysis.stamp, view.filters.dyad, current())
if note:
    st.caption(note)
panel.render(panels.COVERAGE, result, view, freq=view.freq)
