"""Analytics for the bilateral media monitor: ingest, store, enrich and measure news coverage.

This package never imports streamlit; the dashboard reads what it produces.
"""
