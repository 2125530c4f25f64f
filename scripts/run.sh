#!/usr/bin/env bash
# Install the project in .venv and serve the dashboard on http://localhost:8501.
# An empty store (data/bilat.sqlite, or $BILAT_DB) is first filled with the demo corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    python3 -m venv .venv || { $sudo apt-get install -y -qq python3-venv >/dev/null && python3 -m venv .venv; }
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/bilat serve "$@"
