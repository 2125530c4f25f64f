"""The shared sidebar: filters bound to the URL, so a copied link reopens the same view.

Each widget's key is its query parameter: ``?pair=PER-USA&from=2025-01-01&to=2025-12-31&
theme=security&theme=trade&source=PER&lang=es&freq=W``. Streamlit drops a parameter that equals
the widget's default and ignores values that are not among the options.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics.errors import InputError
from analytics.filters import Filters
from analytics.schema import DEFAULT_DYADS, FREQUENCIES, THEME_LABELS, THEMES
from dashboard.data import Choices

DEFAULT_WINDOW_DAYS = 365


def _ordered_dyads(available: tuple[str, ...]) -> list[str]:
    first = [d for d in DEFAULT_DYADS if d in available]
    return first + sorted(d for d in available if d not in first)


def draw_filters(choices: Choices) -> tuple[Filters, str]:
    """Draw the filters in the sidebar and return the selection and the period length."""
    sidebar = st.sidebar
    sidebar.header("Filters")
    dyads = _ordered_dyads(choices.dyads)
    pair = sidebar.selectbox(
        "Country pair",
        dyads or ["PER-USA"],
        key="pair",
        bind="query-params",
        help="Articles about the relationship between these two countries (ISO codes).",
    )
    last = choices.last_day or date.today()
    first = choices.first_day or last
    default_from = max(first, last - timedelta(days=DEFAULT_WINDOW_DAYS - 1))
    col_from, col_to = sidebar.columns(2)
    start = col_from.date_input(
        "From", value=default_from, min_value=first, max_value=last, key="from", bind="query-params"
    )
    end = col_to.date_input("To", value=last, min_value=first, max_value=last, key="to", bind="query-params")
    themes = sidebar.multiselect(
        "Themes",
        list(THEMES),
        key="theme",
        bind="query-params",
        placeholder="All themes",
        help="Keep articles tagged with any of these themes. " + "; ".join(f"{t} = {THEME_LABELS[t]}" for t in THEMES),
    )
    sources = sidebar.multiselect(
        "Source country",
        list(choices.source_countries),
        key="source",
        bind="query-params",
        placeholder="Media of every country",
        help="The country of the outlet that published the article.",
    )
    languages = sidebar.multiselect(
        "Language",
        list(choices.languages),
        key="lang",
        bind="query-params",
        placeholder="All languages",
    )
    freq = (
        sidebar.segmented_control(
            "Period",
            list(FREQUENCIES),
            default="W",
            format_func=lambda f: FREQUENCIES[f],
            key="freq",
            bind="query-params",
        )
        or "W"
    )
    try:
        filters = Filters(
            dyad=pair,
            start=start or None,
            end=end or None,
            themes=tuple(themes),
            source_countries=tuple(sources),
            languages=tuple(languages),
        )
    except InputError as exc:
        sidebar.warning(f"{exc}. Showing the default dates instead.")
        filters = Filters(
            dyad=pair, start=default_from, end=last, themes=tuple(themes),
            source_countries=tuple(sources), languages=tuple(languages),
        )  # fmt: skip
    return filters, freq
