"""The Streamlit dashboard: pages, filters, charts and downloads over the analytics package."""
