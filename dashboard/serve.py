"""``python -m dashboard.serve run streamlit_app.py [OPTIONS]``: Streamlit's own ``streamlit run``,
in a process that has imported the dashboard first.

Streamlit imports a page's modules on the first visit, so the first visitor after a start would
wait for pandas, Plotly, Ibis, DuckDB and every page module (about 2 s on a 2-core machine).
``bilat serve`` starts the server through this module instead: the imports happen while the server
starts, and the page's first run finds them in ``sys.modules``. Nothing else differs from
``streamlit run`` with the same arguments.
"""

from __future__ import annotations

import importlib
import sys

# What the pages import, heaviest first; the page files themselves are run by Streamlit, not imported.
WARM = (
    "ibis.backends.duckdb",
    "plotly.graph_objects",
    "analytics.views",
    "dashboard.data",
    "dashboard.panels",
    "dashboard.panel",
    "dashboard.sidebar",
    "dashboard.auth",
    "dashboard.export",
)


def main(argv: list[str]) -> None:
    for name in WARM:
        importlib.import_module(name)
    from streamlit.web import cli

    sys.argv = ["streamlit", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
