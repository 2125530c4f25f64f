"""The view every page draws: store info, filters and period length, set once per rerun."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analytics.filters import Filters
from dashboard.data import Analysis, StoreInfo

_KEY = "_bilat_view"


@dataclass(frozen=True)
class View:
    info: StoreInfo
    filters: Filters
    freq: str
    analysis: Analysis


def set_view(view: View) -> None:
    st.session_state[_KEY] = view


def current_view() -> View:
    """The view the entry point built for this rerun."""
    return st.session_state[_KEY]
