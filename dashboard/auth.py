"""Who may see the dashboard: login through an OpenID Connect provider and an optional allow-list.

Both live in Streamlit's secrets file (``.streamlit/secrets.toml``, or ``bilat serve --secrets``):
the ``[auth]`` table is Streamlit's own login setting (``st.login``); bilat's ``[bilat]`` table may
add ``allowed_emails`` and ``allowed_domains``. Without ``[auth]`` the dashboard is open, for use on
one's own machine. The decision itself, :func:`is_allowed`, is a pure function of the user's claims
and the settings; :func:`gate` draws the login or refusal screen around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from analytics.errors import BilatError
from analytics.i18n import _

# An e-mail address from a provider is short; anything longer is refused before it is parsed.
_MAX_EMAIL = 320


class AuthSettingsError(BilatError):
    """The login or allow-list settings cannot be used; nobody is let in until they are fixed."""


@dataclass(frozen=True)
class AccessRules:
    """Who may come in once logged in: these addresses, and anyone at these domains.

    Both empty means every user the provider logs in.
    """

    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @property
    def restricted(self) -> bool:
        return bool(self.emails or self.domains)


def _entries(settings: Mapping, key: str) -> frozenset[str]:
    value = settings.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise AuthSettingsError(f"[bilat] {key} in the secrets file must be a list of strings, like {key} = [...]")
    return frozenset(v.strip().lower().removeprefix("@") if key == "allowed_domains" else v.strip().lower()
                     for v in value)  # fmt: skip


def access_rules(secrets: Mapping) -> AccessRules:
    """The allow-list of a secrets mapping (its ``[bilat]`` table). Raises :class:`AuthSettingsError`
    when the lists are malformed, or when they are set but login (``[auth]``) is not: a list that
    nobody has to log in against would protect nothing."""
    section = secrets.get("bilat", {})
    if not isinstance(section, Mapping):
        raise AuthSettingsError("[bilat] in the secrets file must be a table")
    rules = AccessRules(_entries(section, "allowed_emails"), _entries(section, "allowed_domains"))
    if rules.restricted and not login_configured(secrets):
        raise AuthSettingsError(
            "the secrets file has an allow-list but no [auth] table, so nobody could log in: "
            "add [auth] (README, Security) or remove the allow-list"
        )
    return rules


def login_configured(secrets: Mapping) -> bool:
    """True when the secrets hold an ``[auth]`` table: then every page needs a login."""
    return isinstance(secrets.get("auth"), Mapping) and bool(secrets["auth"])


def is_allowed(claims: Mapping, rules: AccessRules) -> bool:
    """Whether a logged-in user with these identity-token claims may see the dashboard.

    Without an allow-list every logged-in user may. With one, the ``email`` claim must be one
    address (one ``@``, no spaces), not marked unverified by the provider (``email_verified``
    false), and either listed itself or at a listed domain. Comparison ignores case; a domain
    matches exactly, not its subdomains.
    """
    if not rules.restricted:
        return True
    email = claims.get("email")
    if not isinstance(email, str) or len(email) > _MAX_EMAIL or claims.get("email_verified") is False:
        return False
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and domain) or "@" in domain or any(c.isspace() for c in email):
        return False
    return email in rules.emails or domain in rules.domains


def _providers(auth: Mapping) -> list[str | None]:
    """The providers to offer: the default one (``client_id`` in ``[auth]``) or each named table."""
    if "client_id" in auth:
        return [None]
    return sorted(name for name, value in auth.items() if isinstance(value, Mapping))


def read_secrets() -> dict:
    """Streamlit's secrets as a dict; empty when no secrets file exists. A file that exists but
    cannot be read raises :class:`AuthSettingsError`: a typo must close the dashboard, not open it."""
    try:
        return st.secrets.to_dict()
    except StreamlitSecretNotFoundError as error:
        if any(Path(path).exists() for path in st.get_option("secrets.files")):
            # The error names the file's path: that stays in the server's log, not on the page.
            raise AuthSettingsError("a secrets file exists but cannot be read: check its TOML syntax") from error
        return {}


def gate() -> bool:
    """True when this visitor may see the dashboard. Otherwise draws the login screen, the refusal
    or the settings error, and nothing else, and returns False (the caller then stops the run)."""
    try:
        secrets = read_secrets()
        rules = access_rules(secrets)
    except AuthSettingsError as error:
        st.error(
            _("The dashboard is closed until its login settings are fixed: {error}.").format(error=error),
            icon=":material/lock:",
        )
        return False
    if not login_configured(secrets):
        return True
    if not st.user.is_logged_in:
        st.title(_("Bilateral media monitor"))
        st.write(_("This dashboard is private: log in to see it."))
        for provider in _providers(secrets["auth"]):
            label = _("Log in") if provider is None else _("Log in with {provider}").format(provider=provider)
            st.button(label, key=f"login-{provider}", on_click=st.login, args=() if provider is None else (provider,),
                      icon=":material/login:", type="primary")  # fmt: skip
        return False
    if not is_allowed(st.user.to_dict(), rules):
        st.title(_("Bilateral media monitor"))
        st.error(
            _(
                "This account is not on the list of people allowed to see this dashboard. "
                "Log out and use another account, or ask the dashboard's administrator to add it."
            ),
            icon=":material/block:",
        )
        st.button(_("Log out"), key="logout", on_click=st.logout, icon=":material/logout:")
        return False
    return True
