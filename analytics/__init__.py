"""Analytics for the bilateral media monitor: ingest, store, enrich and measure news coverage.

This package never imports streamlit; the dashboard reads what it produces.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bilat")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0+unknown"
