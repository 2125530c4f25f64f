"""Entry point: the interface language, page setup, navigation, the shared sidebar; the page runs last."""

import streamlit as st

from analytics.enrich import enrichment_version
from analytics.errors import BilatError
from analytics.i18n import _, format_number, ngettext
from dashboard.auth import gate
from dashboard.data import analysis, choices, freshness_warning, hidden_demo_notice, store_info
from dashboard.images import refusal_notice
from dashboard.language import apply_language, language_switch
from dashboard.safe import md_escape
from dashboard.sidebar import draw_filters
from dashboard.state import View, set_view

# The language comes first: every text below, the page names included, is drawn in it.
apply_language()
st.set_page_config(page_title=_("Bilateral media monitor"), page_icon=":material/public:", layout="wide")

# The login gate runs before any page and any data: a visitor who may not come in sees only the
# login or refusal screen. The pages stay registered (hidden) so a deep link keeps its address.
allowed = gate()
page = st.navigation(
    [
        st.Page(
            "dashboard/pages/overview.py",
            title=_("Overview"),
            icon=":material/dashboard:",
            default=True,
            help=_("Headline figures, coverage volume, theme shares and tone for the selected country pair."),
        ),
        st.Page(
            "dashboard/pages/coverage.py",
            title=_("Coverage"),
            icon=":material/bar_chart:",
            url_path="coverage",
            help=_("Volume over time, raw and as a share; by source country; the mirror view; outlet diversity."),
        ),
        st.Page(
            "dashboard/pages/themes.py",
            title=_("Themes"),
            icon=":material/category:",
            url_path="themes",
            help=_("Theme shares over time, themes by source country, and the themes rising or falling most."),
        ),
        st.Page(
            "dashboard/pages/tone.py",
            title=_("Tone"),
            icon=":material/sentiment_neutral:",
            url_path="tone",
            help=_(
                "Tone over time with its confidence band, its distribution, tone by theme and source, relation tone."
            ),
        ),
        st.Page(
            "dashboard/pages/spikes.py",
            title=_("Spikes"),
            icon=":material/bolt:",
            url_path="spikes",
            help=_("Days or weeks where volume or tone departs from its recent baseline, and what drove each."),
        ),
        st.Page(
            "dashboard/pages/articles.py",
            title=_("Articles"),
            icon=":material/article:",
            url_path="articles",
            help=_("The selected articles as a searchable table; choose one to see why it got its tags."),
        ),
        st.Page(
            "dashboard/pages/compare.py",
            title=_("Compare"),
            icon=":material/compare_arrows:",
            url_path="compare",
            help=_("Two country pairs, or two periods of one pair, side by side on volume, themes and tone."),
        ),
        st.Page(
            "dashboard/pages/data.py",
            title=_("Data"),
            icon=":material/database:",
            url_path="data",
            help=_("Freshness of the store: when pulls ran, each source's health, and how to schedule pulls."),
        ),
    ],
    position="sidebar" if allowed else "hidden",
)
if not allowed:
    st.stop()
language_switch()


def show(page) -> None:
    """Everything after the login gate: store checks, sidebar filters, then the page."""
    info = store_info()
    if info.articles == 0:
        st.title(_("Bilateral media monitor"))
        st.info(
            _(
                "The store is empty. Fill it from the command line: `bilat pull` fetches the news sources in "
                "`data/sources.toml`, `bilat import FILE` reads a CSV or JSONL file, and `bilat demo` builds an "
                "invented demo corpus to try the dashboard. Then reload this page."
            ),
            icon=":material/inbox:",
        )
        st.stop()
    if info.demo:
        st.sidebar.warning(
            _(
                "Demo data: invented articles from fictional outlets, for trying the dashboard. "
                "Point `--db` at a store of collected articles to monitor the news."
            ),
            icon=":material/science:",
        )
    notice = hidden_demo_notice(info)
    if notice:
        st.sidebar.info(notice, icon=":material/science:")
    data = analysis(info)
    if data.note:
        st.toast(data.note, icon=":material/sync:")
    filters, freq = draw_filters(choices(data.root, data.stamp))
    stored = md_escape(", ".join(info.enrichment_versions)) or _("none")
    counted = ngettext("{n} article", "{n} articles", info.articles).format(n=format_number(info.articles))
    st.sidebar.caption(
        _("{articles} · enrichment {stored}").format(articles=counted, stored=stored)
        + (
            ""
            if list(info.enrichment_versions) in ([], [enrichment_version()])
            else _(" (current: {version})").format(version=enrichment_version())
        )
    )
    set_view(View(info=info, filters=filters, freq=freq, analysis=data))
    st.title(page.title)
    refused = refusal_notice()  # a download button can only say that it failed; this says why
    if refused:
        st.toast(refused, icon=":material/hourglass_top:")
    warning = freshness_warning(info)
    if warning:
        st.warning(warning, icon=":material/schedule:")
    page.run()


# The one error boundary: an error a user can act on (a damaged store, a bad link, a dataset that
# cannot be built) becomes its message, as the CLI prints it, instead of a traceback.
try:
    show(page)
except BilatError as exc:
    st.error(md_escape(str(exc)), icon=":material/error:")
