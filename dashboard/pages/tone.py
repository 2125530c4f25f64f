"""Tone page: mean and net tone over time with their bands, the distribution, by theme and source, relation tone."""

from __future__ import annotations

import streamlit as st

from analytics.i18n import _, current
from dashboard import methods, panel, panels
from dashboard.data import scorer_note, tone_view
from dashboard.state import current_view

view = current_view()
result = tone_view(view.analysis.root, view.analysis.stamp, view.filters, view.freq)
st.caption(_(methods.TONE_USE))
note = scorer_note(view.analysis.root, view.analysis.stamp, view.filters.dyad, current())
if note:
    st.caption(note)
panel.render(panels.TONE, result, view, freq=view.freq)
