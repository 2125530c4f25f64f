"""Serve the dashboard on a store for a headless browser: the browser tests, the browser benchmark
and the README screenshots all start it the same way."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No sandbox (root in containers), no GPU, and no calls home from a browser that must stay offline.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@contextmanager
def chromium():
    """Debian's Chromium, headless, through Playwright (which never downloads a browser of its own)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError("Chromium is missing: scripts/test.sh installs it with apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class ServerError(RuntimeError):
    """The dashboard did not answer its health check; the message ends with its output."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], url: str, *, env: dict[str, str], cwd: Path | str, timeout: float = 60.0):
    """Run ``command``; yield the process once ``url``'s health check answers, and stop it on exit.

    Raises :class:`ServerError` with the end of its output when it exits or the time runs out.
    """
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")[-2000:]
                    raise ServerError(f"{' '.join(command[2:5])} did not start: {output}")
                time.sleep(0.3)
            yield proc
        finally:
            stop(proc)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def stop(proc: subprocess.Popen, timeout: float = 20) -> int:
    """SIGTERM, then SIGKILL if it is still running after ``timeout`` seconds; the exit status."""
    proc.terminate()
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def serve_env() -> dict[str, str]:
    """The environment for ``python -m analytics.cli``: this checkout first on the import path."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


@contextmanager
def dashboard(
    db: Path | str, *, timeout: float = 60.0, secrets: Path | str | None = None, port: int | None = None
) -> Iterator[str]:
    """Run ``bilat serve`` on ``db`` (with the login settings in ``secrets``, if given) at ``port``
    (default: a free one); yield its URL once its health check answers, and stop it on exit.

    It runs in an empty folder, so no ``.streamlit/`` of the checkout or the current folder applies.
    """
    port = port or free_port()
    command = [sys.executable, "-m", "analytics.cli", "serve", "--db", str(Path(db).resolve()), "--port", str(port)]
    if secrets:
        command += ["--secrets", str(secrets)]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder, running(command, url, env=serve_env(), cwd=folder, timeout=timeout):
        yield url


def settle(page, timeout: int = 60_000) -> None:
    """Wait until Streamlit has finished the rerun the last action started and drawn its elements."""
    page.wait_for_timeout(250)
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_function("!document.querySelector('[data-testid=stSkeleton]')", timeout=timeout)
