"""One colour per theme and per country, the same on every chart.

Theme colours are Paul Tol's colour-blind-safe "muted" scheme plus a dark grey; country colours
follow Okabe and Ito's palette for the countries of the default dyads.
"""

from __future__ import annotations

THEME_COLOURS: dict[str, str] = {
    "security": "#CC6677",
    "migration": "#332288",
    "trade": "#DDCC77",
    "diplomacy": "#117733",
    "environment": "#88CCEE",
    "health": "#882255",
    "culture": "#44AA99",
    "governance": "#999933",
    "humanitarian": "#AA4499",
    "energy": "#555555",
}

COUNTRY_COLOURS: dict[str, str] = {
    "PER": "#D55E00",
    "USA": "#0072B2",
    "CHN": "#E69F00",
    "MEX": "#009E73",
    "COL": "#CC79A7",
    "VEN": "#56B4E9",
    "CHL": "#F0E442",
}
OTHER_COUNTRY = "#999999"
VOLUME_COLOUR = "#0072B2"
SHARE_COLOUR = "#D55E00"
TONE_COLOUR = "#AA3377"  # Tol's bright purple: readable on the light and the dark theme
SPIKE_COLOUR = SHARE_COLOUR  # flagged periods and the spike's bars, against the blue volume
BASELINE_COLOUR = "#999999"  # the baseline a spike is compared with


def country_colour(code: str) -> str:
    """The colour of a country; countries outside the default dyads share a neutral grey."""
    return COUNTRY_COLOURS.get(code, OTHER_COUNTRY)
