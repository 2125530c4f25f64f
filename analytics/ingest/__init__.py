"""Ingestion: sources, fetching (IO only), parsing and normalising (pure), and the pull."""
