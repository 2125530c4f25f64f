"""Login and the allow-list: the pure decision, the settings, and journeys in a real browser against
a local OpenID Connect provider (oidc-provider-mock on 127.0.0.1)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from appserver import chromium, dashboard, free_port, settle

from dashboard.auth import AccessRules, AuthSettingsError, access_rules, is_allowed, login_configured
from tests.conftest import APP

AUTH = {"redirect_uri": "http://127.0.0.1:1/oauth2callback", "cookie_secret": "x", "client_id": "bilat"}
RULES = AccessRules(emails=frozenset({"ana@ministry.example"}), domains=frozenset({"embassy.example"}))


@pytest.mark.parametrize(
    ("claims", "allowed"),
    [
        ({"email": "ana@ministry.example"}, True),
        ({"email": " Ana@Ministry.Example "}, True),
        ({"email": "luis@embassy.example"}, True),
        ({"email": "luis@embassy.example", "email_verified": True}, True),
        ({"email": "luis@embassy.example", "email_verified": False}, False),
        ({"email": "bob@ministry.example"}, False),  # the address is listed, not its domain
        ({"email": "luis@sub.embassy.example"}, False),  # domains match exactly
        ({"email": "luis@embassy.example.evil.org"}, False),
        ({"email": "ana@ministry.example@evil.org"}, False),
        ({"email": "luis@evil.org@embassy.example"}, False),
        ({"email": "luis @embassy.example"}, False),
        ({"email": "@embassy.example"}, False),
        ({"email": "embassy.example"}, False),
        ({"email": ""}, False),
        ({"email": None}, False),
        ({"email": ["ana@ministry.example"]}, False),
        ({"email": "a" * 400 + "@embassy.example"}, False),
        ({}, False),
        ({"name": "ana@ministry.example"}, False),
    ],
)
def test_allow_list_decision(claims, allowed):
    assert is_allowed(claims, RULES) is allowed


def test_without_a_list_every_logged_in_user_may_come_in():
    assert is_allowed({}, AccessRules()) and is_allowed({"email": "anyone@anywhere.example"}, AccessRules())


def test_rules_are_read_from_the_bilat_table():
    secrets_ = {
        "auth": AUTH,
        "bilat": {"allowed_emails": ["Ana@Ministry.Example"], "allowed_domains": ["@Embassy.example"]},
    }
    assert access_rules(secrets_) == RULES
    assert access_rules({"auth": AUTH, "bilat": {"allowed_domains": "embassy.example"}}).domains == {"embassy.example"}
    assert access_rules({}) == AccessRules() and not access_rules({"auth": AUTH}).restricted


@pytest.mark.parametrize(
    "bad",
    [
        {"auth": AUTH, "bilat": {"allowed_emails": [1, 2]}},
        {"auth": AUTH, "bilat": {"allowed_emails": [""]}},
        {"auth": AUTH, "bilat": {"allowed_domains": {"a": 1}}},
        {"auth": AUTH, "bilat": "open"},
        {"bilat": {"allowed_emails": ["ana@ministry.example"]}},  # a list but no login: fails closed
    ],
)
def test_unusable_settings_close_the_dashboard(bad):
    with pytest.raises(AuthSettingsError):
        access_rules(bad)


def test_login_is_configured_by_an_auth_table():
    assert login_configured({"auth": AUTH})
    assert not login_configured({}) and not login_configured({"auth": {}}) and not login_configured({"auth": "x"})


# --- the gate in the app (AppTest: its user and secrets are set by the test) -------------------


def run_gated(secrets_: dict, user: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets.update(secrets_)
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


LISTED = {"auth": AUTH, "bilat": {"allowed_emails": ["ana@ministry.example"]}}


def test_gate_shows_only_a_login_button_before_login(small_db, use_db):
    use_db(small_db)
    at = run_gated(LISTED, {"is_logged_in": False})
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.metric and not at.sidebar.selectbox and not at.get("plotly_chart")


def test_gate_lets_a_listed_user_in_and_refuses_another(small_db, use_db):
    use_db(small_db)
    at = run_gated(LISTED, {"is_logged_in": True, "email": "ana@ministry.example"})
    assert at.title[0].value == "Overview" and at.metric
    at = run_gated(LISTED, {"is_logged_in": True, "email": "eve@elsewhere.example"})
    assert "not on the list" in at.error[0].value and [b.label for b in at.button] == ["Log out"]
    assert not at.metric and not at.sidebar.selectbox


def test_gate_stays_closed_while_the_settings_are_unusable(small_db, use_db):
    use_db(small_db)
    at = run_gated({"bilat": {"allowed_emails": ["ana@ministry.example"]}})
    assert "closed until its login settings are fixed" in at.error[0].value
    assert not at.metric and not at.button


def test_an_unreadable_secrets_file_closes_the_dashboard(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit import config

    from dashboard.auth import read_secrets

    bad = tmp_path / "secrets.toml"
    bad.write_text('[auth\nclient_id = "x"\n')
    monkeypatch.setattr(config, "get_option", lambda key: [str(bad)] if key == "secrets.files" else None)
    monkeypatch.setattr(st, "get_option", config.get_option)
    st.secrets._reset()
    try:
        with pytest.raises(AuthSettingsError, match="cannot be read"):
            read_secrets()
        bad.unlink()
        assert read_secrets() == {}  # no file at all: the dashboard is open, for local use
    finally:
        st.secrets._reset()


# --- journeys in a browser -------------------------------------------------------------------


@contextmanager
def oidc_provider() -> Iterator[str]:
    """A local OpenID Connect provider on 127.0.0.1 (any client id and secret are accepted); its URL."""
    import werkzeug.serving
    from oidc_provider_mock import app

    server = werkzeug.serving.make_server("127.0.0.1", free_port(), app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def write_secrets(folder: Path, provider: str, port: int, bilat: str = "") -> Path:
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        'client_id = "bilat-test"\n'
        'client_secret = "bilat-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n' + bilat
    )
    return path


@pytest.fixture(scope="module")
def login_server(demo_db, tmp_path_factory):
    """The dashboard with login through the local provider and an allow-list of one domain."""
    folder = tmp_path_factory.mktemp("login")
    port = free_port()
    with oidc_provider() as provider:
        secrets_file = write_secrets(folder, provider, port, '[bilat]\nallowed_domains = ["ministry.example"]\n')
        with dashboard(demo_db, secrets=secrets_file, port=port) as url:
            yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Only loopback: the provider's pages link a stylesheet on a CDN that must not be fetched.
    context.route("**/*", lambda route: route.continue_() if "//127.0.0.1" in route.request.url else route.abort())
    return context.new_page()


def log_in(page, url: str, email: str) -> None:
    page.goto(url)
    settle(page)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("input[name=sub]", timeout=30_000)
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    settle(page)


def shows_data(page) -> bool:
    return page.locator("[data-testid=stMetric]").count() > 0 or page.locator("[data-testid=stSidebar]").count() > 0


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "data", "articles?pair=PER-USA"])
def test_without_login_nothing_is_shown(login_server, browser, path):
    page = new_page(browser)
    page.goto(f"{login_server}/{path}")
    settle(page)
    page.wait_for_selector("text=log in to see it", timeout=30_000)
    assert page.get_by_role("button", name="Log in").count() == 1
    assert not shows_data(page)
    text = page.locator("[data-testid=stApp]").inner_text()
    assert "Articles" not in text and "Demo data" not in text
    page.context.close()


@pytest.mark.browser
def test_an_allowed_address_sees_the_dashboard_after_login(login_server, browser):
    page = new_page(browser)
    log_in(page, login_server, "ana@ministry.example")
    page.wait_for_selector("[data-testid=stMetric]", timeout=60_000)
    assert page.locator("h1").first.inner_text() == "Overview"
    page.goto(f"{login_server}/data")  # the login holds across pages
    settle(page)
    page.wait_for_selector("h1:has-text('Data')", timeout=60_000)
    page.context.close()


@pytest.mark.browser
def test_an_address_off_the_list_is_refused_after_login(login_server, browser):
    page = new_page(browser)
    log_in(page, login_server, "eve@elsewhere.example")
    page.wait_for_selector("text=not on the list", timeout=30_000)
    assert page.get_by_role("button", name="Log out").count() == 1
    assert not shows_data(page)
    page.goto(f"{login_server}/data")
    settle(page)
    page.wait_for_selector("text=not on the list", timeout=30_000)
    assert not shows_data(page)
    page.context.close()
