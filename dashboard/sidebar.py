"""The shared sidebar: filters bound to the URL, so a copied link reopens the same view.

Each widget's key is its query parameter, e.g. ``?pair=PER-USA&from=2025-01-01&to=2025-12-31&
theme=security&theme=trade&source=PER&lang=es&outlet=Andina&once=true&freq=month``. ``pair`` is a
country pair (``PER-USA``) or one country with any partner (``PER-any``). ``freq`` is the chart
period's label in the interface language of the link (``ui``): ``day``, ``week``, ``month`` or
``día``, ``semana``, ``mes``. Streamlit drops a parameter that equals the widget's default. Values
that cannot be used (an unknown pair, a date outside the data, a reversed range) fall back to the
defaults with a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from analytics.filters import Filters
from analytics.i18n import N_, _, format_date
from analytics.schema import DEFAULT_DYADS, FREQUENCIES, THEMES, theme_label
from dashboard.data import Choices
from dashboard.safe import md_escape

DEFAULT_WINDOW_DAYS = 365
PRESETS = {N_("7 days"): 7, N_("30 days"): 30, N_("90 days"): 90, N_("12 months"): 365, N_("All"): None}
ANY = "-any"
FREQ_KEYS = {label: code for code, label in FREQUENCIES.items()}
_KEYS = ("pair", "from", "to", "theme", "source", "lang", "outlet", "once", "freq", "preset")
_SHOWN = 60  # characters of a rejected link value repeated in its note


def _shown(value: str) -> str:
    """A value from the link, quoted, cut short and escaped: the note renders Markdown."""
    return md_escape(repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…"))


@dataclass(frozen=True)
class Defaults:
    pair: str
    start: date
    end: date
    first: date
    last: date


def pair_options(available: tuple[str, ...]) -> list[str]:
    """Pairs in the data, the default dyads first, then each of their countries with any partner."""
    first = [d for d in DEFAULT_DYADS if d in available]
    pairs = first + sorted(d for d in available if d not in first)
    countries = list(dict.fromkeys(c for d in pairs for c in d.split("-")))
    return pairs + [f"{c}{ANY}" for c in countries]


def defaults_for(choices: Choices, options: list[str]) -> Defaults:
    last = choices.last_day or date.today()
    first = choices.first_day or last
    pair = "PER-USA" if "PER-USA" in options else (options[0] if options else "PER-USA")
    return Defaults(pair, max(first, last - timedelta(days=DEFAULT_WINDOW_DAYS - 1)), last, first, last)


def link_notes(params: dict[str, list[str]], options: list[str], choices: Choices, d: Defaults) -> list[str]:
    """Why values in the link were not used, one Markdown sentence each (the widgets then drop them).

    The link's values are the visitor's to choose, so each is shown escaped and cut short."""
    notes = []
    for value in params.get("pair", [])[-1:]:
        if value and value not in options:
            notes.append(
                _("The link's country pair {value} has no coverage in this store; showing {pair}.").format(
                    value=_shown(value), pair=md_escape(d.pair)
                )
            )
    for key in ("from", "to"):
        for value in params.get(key, [])[-1:]:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                notes.append(
                    _("The link's {key} date {value} is not a date (YYYY-MM-DD); using the default.").format(
                        key=repr(key), value=_shown(value)
                    )
                )
                continue
            if not d.first <= day <= d.last:
                notes.append(
                    _("The link's {key} date {day} is outside the data ({first} to {last}).").format(
                        key=repr(key), day=day, first=format_date(d.first), last=format_date(d.last)
                    )
                )
    unknown = sorted(set(params.get("theme", [])) - set(THEMES))
    if unknown:
        notes.append(
            _("Unknown theme {value} in the link was left out; themes are {themes}.").format(
                value=_shown(unknown[0]), themes=", ".join(THEMES)
            )
        )
    for key, known, what in (
        ("source", choices.source_countries,
         N_("The link's source country {value} is not in this store and was left out.")),
        ("lang", choices.languages, N_("The link's language {value} is not in this store and was left out.")),
    ):  # fmt: skip
        missing = sorted(set(params.get(key, [])) - set(known))
        if missing:
            notes.append(_(what).format(value=_shown(missing[0])))
    periods = [_(label) for label in FREQ_KEYS]
    for value in params.get("freq", [])[-1:]:
        if value and value not in periods:
            notes.append(
                _("The link's chart period {value} is not one of {periods}; showing weeks.").format(
                    value=_shown(value), periods=", ".join(periods)
                )
            )
    return notes


def _apply_preset(d: Defaults) -> None:
    days = PRESETS.get(st.session_state.get("preset") or "")
    if st.session_state.get("preset") is None:
        return
    st.session_state["to"] = d.last
    st.session_state["from"] = d.first if days is None else max(d.first, d.last - timedelta(days=days - 1))
    st.session_state["preset"] = None


def _reset(d: Defaults) -> None:
    values = {"pair": d.pair, "from": d.start, "to": d.end, "theme": [], "source": [], "lang": [], "outlet": [],
              "once": False, "freq": "week"}  # fmt: skip
    for key, value in values.items():
        st.session_state[key] = value


def draw_filters(choices: Choices) -> tuple[Filters, str]:
    """Draw the filters in the sidebar and return the selection and the period code (D, W, M)."""
    sidebar = st.sidebar
    options = pair_options(choices.dyads)
    d = defaults_for(choices, options)
    params = {key: st.query_params.get_all(key) for key in _KEYS}
    notes = link_notes(params, options, choices, d)
    head, reset = sidebar.columns([3, 2], vertical_alignment="bottom")
    head.header(_("Filters"))
    reset.button(
        _("Reset"), key="reset", on_click=_reset, args=(d,), help=_("Back to the default view"), width="stretch"
    )
    for note in notes:
        sidebar.warning(note, icon=":material/link_off:")

    pair = sidebar.selectbox(
        _("Country pair"), options or [d.pair], index=(options.index(d.pair) if d.pair in options else 0),
        key="pair", bind="query-params",
        help=_("Articles about the relationship between two countries (ISO codes); PER-any: Peru with any partner."),
    )  # fmt: skip
    sidebar.segmented_control(
        _("Period"), list(PRESETS), format_func=_, key="preset", on_change=_apply_preset, args=(d,),
        help=_("Sets the dates below to the last 7, 30 or 90 days, 12 months, or everything stored."),
    )  # fmt: skip
    col_from, col_to = sidebar.columns(2)
    start = col_from.date_input(
        _("From"), value=d.start, min_value=d.first, max_value=d.last, key="from", bind="query-params"
    )
    end = col_to.date_input(_("To"), value=d.end, min_value=d.first, max_value=d.last, key="to", bind="query-params")
    themes = sidebar.multiselect(
        _("Themes"), list(THEMES), key="theme", bind="query-params", placeholder=_("All themes"),
        help=_("Keep articles tagged with any of these themes.") + " "
        + "; ".join(f"{t} = {theme_label(t)}" for t in THEMES),
    )  # fmt: skip
    sources = sidebar.multiselect(
        _("Source country"), list(choices.source_countries), key="source", bind="query-params",
        placeholder=_("Media of every country"), help=_("The country of the outlet that published the article."),
    )  # fmt: skip
    outlets = sidebar.multiselect(
        _("Outlets"), list(choices.outlets), key="outlet", bind="query-params", placeholder=_("Every outlet"),
    )  # fmt: skip
    languages = sidebar.multiselect(
        _("Language of the articles"),
        list(choices.languages),
        key="lang",
        bind="query-params",
        placeholder=_("All languages"),
    )
    once = sidebar.toggle(
        _("Count wire copies once"), key="once", bind="query-params",
        help=_("An agency story reprinted by several outlets counts as one article."),
    )  # fmt: skip
    freq_label = sidebar.segmented_control(
        _("Chart periods"), list(FREQ_KEYS), format_func=_, default="week", key="freq", bind="query-params"
    )  # fmt: skip
    freq = FREQ_KEYS.get(freq_label or "week", "W")

    if start and end and start > end:
        sidebar.warning(
            _("The date range is reversed ({start} after {end}); showing the default dates.").format(
                start=format_date(start), end=format_date(end)
            ),
            icon=":material/event_busy:",
        )
        start, end = d.start, d.end
    scope = {"country": pair[:3]} if pair and pair.endswith(ANY) else {"dyad": pair or d.pair}
    filters = Filters(
        **scope,
        start=start or d.start,
        end=end or d.end,
        themes=tuple(themes),
        source_countries=tuple(sources),
        languages=tuple(languages),
        outlets=tuple(outlets),
        once=bool(once),
    )
    return filters, freq
