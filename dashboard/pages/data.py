"""Data page: what the store holds, when pulls ran, and each source's health."""

from __future__ import annotations

import streamlit as st

from analytics.enrich import enrichment_version
from dashboard.data import pull_tables, stale_after
from dashboard.safe import md_escape
from dashboard.state import current_view

info = current_view().info

cols = st.columns(4)
cols[0].metric("Articles stored", f"{info.articles:,}")
cols[1].metric(
    "Last successful pull",
    f"{info.last_success:%d %b %H:%M}" if info.last_success else "never",
    help=f"UTC. Every page warns when this is more than {stale_after().total_seconds() / 3600:.0f} hours ago "
    "(set BILAT_STALE_HOURS to change it).",
)
versions = md_escape(", ".join(f"{v} ({n:,})" for v, n in info.enrichment_versions.items())) or "none"
cols[2].metric("Enrichment version", enrichment_version(), help=f"Stored articles by version: {versions}")
# The store's file path is not shown: visitors have no use for the server's layout (`bilat status` has it).
cols[3].metric(
    "Store",
    "demo data" if info.demo else "pulled data",
    help="Invented articles from fictional outlets." if info.demo else "Articles collected by bilat pull or import.",
)

runs, health = pull_tables(info.path, info.version)

st.subheader("Sources")
if health.empty:
    st.info("No source has been pulled into this store yet.")
else:
    st.dataframe(
        health,
        hide_index=True,
        width="stretch",
        column_config={
            "source_id": "Source",
            "last_attempt": "Last attempt (UTC)",
            "last_success": "Last success (UTC)",
            "last_error": "Last error",
            "last_error_at": "Last error at (UTC)",
            "last_status": "Last pull",
            "http_status": st.column_config.NumberColumn("HTTP", format="%d"),
            "items_seen": st.column_config.NumberColumn("Items seen", format="%d"),
            "items_new": st.column_config.NumberColumn("New", format="%d"),
            "duration": st.column_config.NumberColumn("Seconds", format="%.1f"),
            "notes": st.column_config.TextColumn(
                "Left out or refused", help="Items the last pull skipped and links it refused, with the reason"
            ),
        },
    )

st.subheader("Recent pulls")
if runs.empty:
    st.info("No pull has run on this store.")
else:
    st.dataframe(
        runs,
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("Run", format="%d"),
            "kind": "Kind",
            "started_at": "Started (UTC)",
            "finished_at": "Finished (UTC)",
            "status": "Status",
            "articles_seen": st.column_config.NumberColumn("Items seen", format="%d"),
            "articles_new": st.column_config.NumberColumn("New", format="%d"),
            "message": "Failures",
        },
    )

st.subheader("Keeping the data fresh")
st.markdown(
    "Run one pull with `bilat pull --db PATH`, or keep one running with `bilat schedule --every 30m --db PATH`. "
    "The README shows cron and systemd-timer recipes. Two pulls of one store never overlap."
)
