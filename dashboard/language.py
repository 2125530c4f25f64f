"""The interface language of a visit: the link's ``ui``, else the browser's, switchable in the sidebar.

``?ui=es`` opens the dashboard in Spanish and ``?ui=en`` in English; without it the browser's
language decides (``st.context.locale``), English when it is neither; the sidebar switches it. The
session keeps its language across page switches, and the choice is written into the link, so a
copied link reopens in the language it was copied in: the labels of URL-bound choices (the chart
period: ``freq=week`` or ``freq=semana``) are in that language too.
"""

from __future__ import annotations

import streamlit as st

from analytics.errors import BilatError
from analytics.i18n import DEFAULT_LANGUAGE, UI_LANGUAGES, _, normalise, set_language
from dashboard.safe import md_escape

PARAM = "ui"
_WIDGET = "_bilat_ui"  # the sidebar control; the link's ``ui`` is managed here, not bound to it
NAMES = {"en": "English", "es": "Español"}  # each language in its own name: never translated


def chosen_language() -> str:
    """The language this run shows: the link's ``ui``; else the one this session already shows (a
    page switch drops parameters no widget is bound to); else the browser's language; else English."""
    return (
        normalise(st.query_params.get(PARAM))
        or normalise(st.session_state.get(_WIDGET))
        or normalise(st.context.locale)
        or DEFAULT_LANGUAGE
    )


def _switch() -> None:
    chosen = st.session_state.get(_WIDGET)
    if chosen:  # clicking the language already chosen deselects it: keep that language
        st.query_params[PARAM] = chosen


def apply_language() -> str:
    """Set this run's language and keep it in the link; call before anything renders. A catalogue
    that cannot be read stops the run with its one-line message."""
    ui = set_language(chosen_language())
    try:
        _("Language")  # reads the language's catalogues on the first run of the process
    except BilatError as exc:
        st.error(md_escape(str(exc)), icon=":material/error:")
        st.stop()
    if st.query_params.get(PARAM) != ui:
        st.query_params[PARAM] = ui
    st.session_state[_WIDGET] = ui
    return ui


def language_switch() -> None:
    """The "English / Español" switch in the sidebar (drawn after the login gate: the login screen has
    no sidebar, and follows the link or the browser)."""
    st.sidebar.segmented_control(
        _("Language"), UI_LANGUAGES, format_func=NAMES.__getitem__, key=_WIDGET, on_change=_switch,
        label_visibility="collapsed", width="stretch",
    )  # fmt: skip
