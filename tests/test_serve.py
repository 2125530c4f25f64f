"""`bilat serve`: who can reach the dashboard, what a visitor can see of the server, and the demo
seeding that happens before any visitor arrives."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from appserver import chromium, free_port, running, serve_env, settle

from analytics import cli, pipeline
from analytics.store import Store
from tests.conftest import open_app

ROOT = Path(__file__).resolve().parent.parent


def _listeners(port: int) -> list[tuple[str, str, str]]:
    """(table, local address in /proc's hex, socket inode) of every socket listening on ``port``."""
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append((table, address, fields[9]))
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the Linux socket table")
def test_serve_listens_on_loopback_only_as_the_streamlit_process_and_stops_on_sigterm(small_db, tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "analytics.cli", "serve", "--db", str(small_db), "--port", str(port)]
    with running(command, f"http://127.0.0.1:{port}", env=serve_env(), cwd=tmp_path) as proc:
        listeners = _listeners(port)
        # 127.0.0.1 only: one IPv4 socket on 0100007F, none on every interface, none on IPv6.
        assert [(table, address) for table, address, _ in listeners] == [("tcp", "0100007F")]
        # The pid we started is Streamlit's server (bilat replaced itself with `streamlit run` in a
        # process that imports the dashboard first), and it owns that socket.
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[cmdline.index(b"-m") + 1 :][:2] == [b"dashboard.serve", b"run"]
        assert cmdline[cmdline.index(b"--client.showErrorDetails") + 1] == b"none"
        assert listeners[0][2] in _socket_inodes(proc.pid)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        assert time.monotonic() - started < 15
        assert _listeners(port) == []


def test_host_opens_the_address_the_operator_names():
    args = cli.build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    command = cli.serve_command(args)
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert command[command.index("--server.port") + 1] == "9000"
    assert "--secrets.files" not in command
    with_login = cli.serve_command(cli.build_parser().parse_args(["serve", "--secrets", "conf/secrets.toml"]))
    assert with_login[with_login.index("--secrets.files") + 1] == str(Path("conf/secrets.toml").resolve())
    default = cli.serve_command(cli.build_parser().parse_args(["serve"]))
    assert default[default.index("--server.address") + 1] == "127.0.0.1"
    assert default[default.index("--client.showErrorDetails") + 1] == "none"
    assert default[default.index("--client.toolbarMode") + 1] == "viewer"
    assert default[default.index("--server.fileWatcherType") + 1] == "none"


@pytest.fixture
def no_exec(monkeypatch):
    """Record the exec that `bilat serve` would do instead of doing it."""
    calls = []

    def fake_execve(path, argv, env):
        calls.append((path, argv, env))
        raise SystemExit(0)

    monkeypatch.setattr(os, "execve", fake_execve)
    return calls


def test_serve_seeds_an_empty_store_before_streamlit_starts(tmp_path, monkeypatch, no_exec, capsys):
    db = tmp_path / "new.sqlite"
    Store(db).close()
    monkeypatch.setattr(pipeline, "load_demo", functools.partial(pipeline.load_demo, n=40, months=2))
    with pytest.raises(SystemExit):
        cli.main(["serve", "--db", str(db)])
    with Store(db) as store:
        assert store.count_articles() == 40 and store.has_demo_data()
    assert "is empty: filling it with the demo corpus" in capsys.readouterr().err
    (_, argv, env) = no_exec[0]
    assert env["BILAT_DB"] == str(db.resolve()) and argv[argv.index("--server.address") + 1] == "127.0.0.1"


def test_serve_leaves_a_pulled_store_alone_and_refuses_a_missing_path(small_db, tmp_path, no_exec, capsys):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--db", str(small_db)])
    with Store(small_db) as store:
        assert store.count_articles() == 2 and not store.has_demo_data()
    missing = tmp_path / "typo.sqlite"
    assert cli.main(["serve", "--db", str(missing)]) == 1
    assert "there is no store at" in capsys.readouterr().err
    assert not missing.exists() and len(no_exec) == 1
    secrets_file = tmp_path / "secrets.txt"
    secrets_file.write_text("[auth]\n")
    for wrong in (tmp_path / "missing.toml", secrets_file):
        assert cli.main(["serve", "--db", str(small_db), "--secrets", str(wrong)]) == 1
        assert "is not a .toml file" in capsys.readouterr().err
    assert len(no_exec) == 1


def test_data_page_does_not_show_the_store_path(small_db, use_db):
    use_db(small_db)
    at = open_app(page="dashboard/pages/data.py")
    shown = [m.value for m in at.metric] + [m.proto.help for m in at.metric]
    shown += [
        e.value for kind in ("markdown", "caption", "info", "warning", "title", "subheader") for e in at.get(kind)
    ]
    assert at.metric and not any(str(small_db) in text or small_db.name in text for text in shown)


_FAILING_PAGE = """
import streamlit as st
st.title("Failing page")
raise RuntimeError("secret detail at /srv/private/bilat.sqlite")
"""


@pytest.mark.browser
def test_an_exception_on_a_page_shows_no_message_traceback_or_path(tmp_path):
    """The page runs with exactly the options `bilat serve` passes; only the script is swapped for
    one that fails."""
    script = tmp_path / "failing_app.py"
    script.write_text(_FAILING_PAGE)
    port = free_port()
    command = cli.serve_command(cli.build_parser().parse_args(["serve", "--port", str(port)]))
    command[command.index("run") + 1] = str(script)
    url = f"http://127.0.0.1:{port}"
    with running(command, url, env=serve_env(), cwd=tmp_path), chromium() as browser:
        page = browser.new_page()
        page.goto(url)
        settle(page)
        page.wait_for_selector("[data-testid=stException], [data-testid=stAlert]", timeout=30_000)
        text = page.locator("[data-testid=stApp]").inner_text()
    assert "Failing page" in text and "encountered an error" in text
    for leak in ("secret detail", "/srv/private", "RuntimeError", "Traceback", str(tmp_path), "failing_app.py"):
        assert leak not in text


# --- chart images: what one visitor can make the server draw -----------------------------------


@pytest.fixture
def clock(monkeypatch):
    from dashboard import images

    now = [1000.0]
    monkeypatch.setattr(images, "_clock", lambda: now[0])
    monkeypatch.setattr(images, "_recent", {})
    monkeypatch.setattr(images, "_refusals", {})
    return now


def test_each_session_may_draw_a_bounded_number_of_images_a_minute(clock, monkeypatch):
    from dashboard import images

    drawn = []
    monkeypatch.setattr(images, "_session_id", lambda: "alice")
    png = images.rationed(lambda: drawn.append("png") or b"png")
    pack = images.rationed(lambda: drawn.append("zip") or b"zip", cost=10)
    assert pack() == b"zip" and pack() == b"zip"
    for _ in range(images.IMAGES_PER_WINDOW - 20):
        assert png() == b"png"
    clock[0] += 30
    with pytest.raises(images.ExportBusy, match="try again in 30 seconds"):
        png()
    assert drawn.count("zip") == 2 and drawn.count("png") == images.IMAGES_PER_WINDOW - 20  # refused: not drawn
    monkeypatch.setattr(images, "_session_id", lambda: "bob")
    assert images.rationed(lambda: b"png")() == b"png"  # another visitor is not held back
    monkeypatch.setattr(images, "_session_id", lambda: "alice")
    assert "limited to 30 a minute" in images.refusal_notice() and images.refusal_notice() is None
    clock[0] += 31
    assert png() == b"png"  # a minute after the first ones, alice may draw again


def test_a_pack_larger_than_the_allowance_can_still_be_made_once(clock):
    from dashboard import images

    pack = images.rationed(lambda: b"zip", cost=5 * images.IMAGES_PER_WINDOW)
    assert pack() == b"zip"
    with pytest.raises(images.ExportBusy):
        pack()


def test_one_image_is_drawn_at_a_time_and_a_long_wait_is_refused(monkeypatch):
    import threading

    import plotly.graph_objects as go

    from dashboard import images

    monkeypatch.setattr(images, "EXPORT_WAIT", 0.3)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with images._lock:  # another session's image being drawn
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    started = time.monotonic()
    try:
        with pytest.raises(images.ExportBusy, match="busy drawing"):
            images.png_bytes(go.Figure(go.Bar(x=[1], y=[1])))
    finally:
        release.set()
        holder.join(5)
    assert time.monotonic() - started < 3


def test_every_image_button_is_rationed(demo_db, use_db, monkeypatch):
    from dashboard import panel

    costs = []

    def spy(make, *, cost=1):
        costs.append(cost)
        return make

    monkeypatch.setattr(panel, "rationed", spy)
    use_db(demo_db)
    at = open_app()
    charts = len(at.get("plotly_chart"))
    assert charts >= 3 and sorted(costs) == [1] * (2 * charts) + [2 * charts]


def test_the_server_process_imports_what_the_pages_import_before_its_first_visitor():
    # A module renamed or gone would stop `bilat serve` at start: every name must import.
    code = "import sys; from dashboard.serve import WARM; import importlib; [importlib.import_module(m) for m in WARM]"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
