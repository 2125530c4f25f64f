#!/usr/bin/env bash
# Install what the test suite needs (Chromium and a Java runtime from Debian, the project with its
# test extras in .venv) and run the whole suite. Extra arguments go to pytest. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

# Chromium drives the browser tests and chart export; the Playwright package never downloads its own.
# Java runs Spark for tests/test_spark.py (Debian 12's default runtime is Java 17).
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)
if [ "${#packages[@]}" -gt 0 ]; then
    # The Java package's setup links its manual page and fails where slim images dropped the folder.
    $sudo mkdir -p /usr/share/man/man1
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || { $sudo apt-get install -y -qq python3-venv >/dev/null && python3 -m venv .venv; }
fi
.venv/bin/python -m pip install -q --upgrade pip
# The cluster extra (Dask) runs tests/test_backfill.py's local cluster.
.venv/bin/python -m pip install -q -e '.[test,cluster]'

# pytest exits 5 when it collects nothing; with `set -e` that fails this script, as it should.
.venv/bin/python -m pytest "$@"
