"""Names shared by the whole project: theme ids, default dyads, frame columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.i18n import N_, _

if TYPE_CHECKING:
    import pandas as pd

# Theme ids are fixed (see the design notes); their order is the display order.
THEMES: tuple[str, ...] = (
    "security",
    "migration",
    "trade",
    "diplomacy",
    "environment",
    "health",
    "culture",
    "governance",
    "humanitarian",
    "energy",
)

# English labels, the msgids of the catalogue: show them through theme_label() in the interface language.
THEME_LABELS: dict[str, str] = {
    "security": N_("Security & drugs"),
    "migration": N_("Migration"),
    "trade": N_("Trade & economy"),
    "diplomacy": N_("Diplomacy"),
    "environment": N_("Environment"),
    "health": N_("Health"),
    "culture": N_("Culture & education"),
    "governance": N_("Governance & rights"),
    "humanitarian": N_("Aid & humanitarian"),
    "energy": N_("Energy & mining"),
}


def theme_label(theme: str) -> str:
    """The label of a theme id in the interface language (the id itself when it is not a theme)."""
    return _(THEME_LABELS[theme]) if theme in THEME_LABELS else theme


# Dyads the demo corpus covers and the dashboard offers first.
DEFAULT_DYADS: tuple[str, ...] = ("PER-USA", "CHN-PER", "MEX-USA", "COL-USA", "COL-VEN", "CHL-PER")

# Sentiment label thresholds on the VADER compound score.
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05


def dyad_of(a: str, b: str) -> str:
    """The dyad id of two ISO alpha-3 codes: sorted and joined, e.g. ``PER-USA``."""
    if a == b:
        raise ValueError(f"a dyad needs two different countries, got {a} twice")
    x, y = sorted((a.upper(), b.upper()))
    return f"{x}-{y}"


# Frequencies the measures accept: day, week (starting Monday) and month.
FREQUENCIES: dict[str, str] = {"D": N_("day"), "W": N_("week"), "M": N_("month")}  # English: show through _()

# Columns of the frames Store.load_frames returns (engine.from_frames reads this layout).
ARTICLE_COLUMNS: tuple[str, ...] = (
    "n",
    "published",
    "day",
    "outlet",
    "source_country",
    "language",
    "sentiment",
    "theme_mask",
    "cluster_id",
)
DYAD_COLUMNS: tuple[str, ...] = ("n", "dyad", "relation_tone")

# Columns of the frames the measures return (analytics.measures: volume, themes, tone).
VOLUME_COLUMNS: tuple[str, ...] = ("period", "articles", "all_articles", "share")
THEME_SHARE_COLUMNS: tuple[str, ...] = ("period", "theme", "articles", "period_articles", "share")
THEME_TOTAL_COLUMNS: tuple[str, ...] = ("theme", "articles", "share")
TONE_COLUMNS: tuple[str, ...] = ("period", "n", "mean", "ci_low", "ci_high")
# Net tone: the share of scored articles that read positive minus the share that read negative.
NET_TONE_COLUMNS: tuple[str, ...] = ("period", "n", "positive", "negative", "net", "ci_low", "ci_high")
SOURCE_VOLUME_COLUMNS: tuple[str, ...] = ("period", "source_country", "articles")
SOURCE_TONE_COLUMNS: tuple[str, ...] = ("period", "source_country", "n", "mean", "ci_low", "ci_high")

# Columns of the mirror view, diversity, theme changes and tone breakdowns (analytics.measures).
MIRROR_COLUMNS: tuple[str, ...] = ("period", "source_country", "articles", "country_total", "share")
DIVERSITY_COLUMNS: tuple[str, ...] = ("period", "articles", "stories", "outlets")
THEME_SOURCE_COLUMNS: tuple[str, ...] = ("source_country", "theme", "articles", "source_articles", "share")
THEME_CHANGE_COLUMNS: tuple[str, ...] = (
    "theme",
    "current_share",
    "previous_share",
    "change",
    "current_articles",
    "previous_articles",
)
TONE_HISTOGRAM_COLUMNS: tuple[str, ...] = ("bin_start", "bin_end", "articles", "label")
THEME_TONE_COLUMNS: tuple[str, ...] = ("theme", "n", "mean", "ci_low", "ci_high")
SOURCE_TONE_TOTAL_COLUMNS: tuple[str, ...] = ("source_country", "n", "mean", "ci_low", "ci_high")
RELATION_TONE_COLUMNS: tuple[str, ...] = ("period", "n", "article_tone", "relation_tone")

# Columns of the spike finder and of what drove a spike (analytics.measures.spikes).
SPIKE_KINDS: tuple[str, ...] = ("volume", "tone")
SPIKE_COLUMNS: tuple[str, ...] = ("period", "kind", "value", "baseline", "score", "articles")
SPIKE_ARTICLE_COLUMNS: tuple[str, ...] = ("n", "published", "outlet", "title", "copies")
SPIKE_TERM_COLUMNS: tuple[str, ...] = (
    "term",
    "spike_titles",
    "baseline_titles",
    "spike_share",
    "baseline_share",
    "log_odds",
    "z",
)
SPIKE_THEME_COLUMNS: tuple[str, ...] = (
    "theme",
    "spike_articles",
    "spike_share",
    "baseline_articles",
    "baseline_share",
    "change",
)
SPIKE_OUTLET_COLUMNS: tuple[str, ...] = ("outlet", "articles", "stories")


_TEXT_COLUMNS = {"source_country", "theme", "label", "kind", "term", "outlet", "title"}
_COUNT_COLUMNS = {"n", "articles", "stories", "outlets", "country_total", "source_articles", "current_articles",
                  "previous_articles", "spike_titles", "baseline_titles", "spike_articles", "baseline_articles",
                  "copies"}  # fmt: skip


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    """A frame with no rows and the given columns, each with the dtype it has when filled."""

    def dtype(name: str) -> str:
        if name == "period":
            return "datetime64[ns]"
        if name == "published":
            return "datetime64[ns, UTC]"
        if name in _TEXT_COLUMNS:
            return "object"
        return "int64" if name in _COUNT_COLUMNS else "float64"

    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=dtype(c)) for c in columns})
