"""Data page: what the store holds, when pulls ran, and each source's health."""

from __future__ import annotations

import streamlit as st

from analytics.enrich import enrichment_version
from analytics.i18n import _, format_date, format_number
from dashboard.data import pull_tables, stale_after
from dashboard.safe import md_escape
from dashboard.state import current_view

info = current_view().info

cols = st.columns(4)
cols[0].metric(_("Articles stored"), format_number(info.articles))
cols[1].metric(
    _("Last successful pull"),
    f"{format_date(info.last_success, 'd MMM')} {info.last_success:%H:%M}" if info.last_success else _("never"),
    help=_(
        "UTC. Every page warns when this is more than {hours} hours ago (set BILAT_STALE_HOURS to change it)."
    ).format(hours=format_number(stale_after().total_seconds() / 3600)),
)
versions = md_escape(", ".join(f"{v} ({format_number(n)})" for v, n in info.enrichment_versions.items())) or _("none")
cols[2].metric(
    _("Enrichment version"),
    enrichment_version(),
    help=_("Stored articles by version: {versions}").format(versions=versions),
)
# The store's file path is not shown: visitors have no use for the server's layout (`bilat status` has it).
cols[3].metric(
    _("Store"),
    _("demo data") if info.demo else _("pulled data"),
    help=_("Invented articles from fictional outlets.")
    if info.demo
    else _("Articles collected by bilat pull or import."),
)

runs, health = pull_tables(info.path, info.version)

st.subheader(_("Sources"))
if health.empty:
    st.info(_("No source has been pulled into this store yet."))
else:
    st.dataframe(
        health,
        hide_index=True,
        width="stretch",
        column_config={
            "source_id": _("Source"),
            "last_attempt": _("Last attempt (UTC)"),
            "last_success": _("Last success (UTC)"),
            "last_error": _("Last error"),
            "last_error_at": _("Last error at (UTC)"),
            "last_status": _("Last pull"),
            "http_status": st.column_config.NumberColumn("HTTP", format="%d"),
            "items_seen": st.column_config.NumberColumn(_("Items seen"), format="%d"),
            "items_new": st.column_config.NumberColumn(_("New"), format="%d"),
            "duration": st.column_config.NumberColumn(_("Seconds"), format="%.1f"),
            "notes": st.column_config.TextColumn(
                _("Left out or refused"), help=_("Items the last pull skipped and links it refused, with the reason")
            ),
        },
    )

st.subheader(_("Recent pulls"))
if runs.empty:
    st.info(_("No pull has run on this store."))
else:
    st.dataframe(
        runs,
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn(_("Run"), format="%d"),
            "kind": _("Kind"),
            "started_at": _("Started (UTC)"),
            "finished_at": _("Finished (UTC)"),
            "status": _("Status"),
            "articles_seen": st.column_config.NumberColumn(_("Items seen"), format="%d"),
            "articles_new": st.column_config.NumberColumn(_("New"), format="%d"),
            "message": _("Failures"),
        },
    )

st.subheader(_("Keeping the data fresh"))
st.markdown(
    _(
        "Run one pull with `bilat pull --db PATH`, or keep one running with `bilat schedule --every 30m --db PATH`. "
        "The README shows cron and systemd-timer recipes. Two pulls of one store never overlap."
    )
)
