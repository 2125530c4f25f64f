"""Sending e-mail: the SMTP settings and one function that sends an HTML message with a text part.

The settings come from environment variables, each one taking precedence over the same key of the
``[smtp]`` table of the secrets file (``.streamlit/secrets.toml``), never from a rules or sources
file, so a password is never kept next to configuration that gets shared:

=====================  ===================  ==========================================
environment variable   ``[smtp]`` key       meaning
=====================  ===================  ==========================================
BILAT_SMTP_HOST        host                 the server's host name (required)
BILAT_SMTP_PORT        port                 its port, default 587 (submission)
BILAT_SMTP_USER        user                 login name; no login when empty
BILAT_SMTP_PASSWORD    password             login password
BILAT_SMTP_FROM        from                 the sender address (default: the user)
BILAT_SMTP_STARTTLS    starttls             upgrade to TLS before login, default on
BILAT_SMTP_CAFILE      cafile               PEM file of the CA that signed the server's
                                            certificate (a private CA); default: the system's
=====================  ===================  ==========================================

:func:`send_mail` raises :class:`MailError` with a one-line reason for every way a delivery fails
(unreachable server, TLS failure, refused login, refused recipient), so a caller can record it and
carry on.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path

from analytics.errors import BilatError, InputError

DEFAULT_PORT = 587
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
# Environment variable -> key of the secrets file's [smtp] table.
ENV_KEYS: dict[str, str] = {
    "BILAT_SMTP_HOST": "host",
    "BILAT_SMTP_PORT": "port",
    "BILAT_SMTP_USER": "user",
    "BILAT_SMTP_PASSWORD": "password",
    "BILAT_SMTP_FROM": "from",
    "BILAT_SMTP_STARTTLS": "starttls",
    "BILAT_SMTP_CAFILE": "cafile",
}


class MailError(BilatError):
    """A message could not be sent; the message says why in one line."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail. ``context`` is the TLS context of STARTTLS (None: the system's
    default, verifying the server's certificate)."""

    host: str
    port: int = DEFAULT_PORT
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = ""
    starttls: bool = True
    context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)


def secrets_file(path: str | Path | None = None) -> dict:
    """The secrets file as a dict (``path``, or ``.streamlit/secrets.toml`` in the current
    directory); empty when it does not exist. Read without Streamlit, for the command line."""
    path = Path(path) if path is not None else Path.cwd() / ".streamlit" / "secrets.toml"
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{path}: not a readable TOML secrets file ({exc})") from None


def _flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{name} must be on or off (true/false), got {value!r}")


def smtp_settings(secrets: Mapping | None = None) -> SmtpSettings:
    """The SMTP settings: each ``BILAT_SMTP_*`` environment variable, or else the same key of the
    ``[smtp]`` table of ``secrets`` (default: the secrets file, see :func:`secrets_file`).

    Raises :class:`InputError` when no host is set or a value is malformed."""
    table = (secrets_file() if secrets is None else secrets).get("smtp", {})
    if not isinstance(table, Mapping):
        raise InputError("[smtp] in the secrets file must be a table")
    values: dict[str, tuple[object, str]] = {}
    for env, key in ENV_KEYS.items():
        if os.environ.get(env, "").strip():
            values[key] = (os.environ[env].strip(), env)
        elif key in table and table[key] not in ("", None):
            values[key] = (table[key], f"[smtp] {key}")
    unknown = sorted(set(table) - set(ENV_KEYS.values()))
    if unknown:
        raise InputError(
            f"[smtp] in the secrets file has unknown key {unknown[0]!r}; keys are {', '.join(ENV_KEYS.values())}"
        )
    if "host" not in values:
        raise InputError("no SMTP server: set BILAT_SMTP_HOST (or host in the [smtp] table of the secrets file)")
    host = str(values["host"][0]).strip()
    port = DEFAULT_PORT
    if "port" in values:
        raw, name = values["port"]
        try:
            port = int(str(raw).strip())
        except ValueError:
            port = -1
        if isinstance(raw, bool) or not 1 <= port <= 65535:
            raise InputError(f"{name} must be a port number from 1 to 65535, got {raw!r}")
    user = str(values["user"][0]).strip() if "user" in values else None
    password = str(values["password"][0]) if "password" in values else None
    sender = str(values["from"][0]).strip() if "from" in values else (user or "")
    if "@" not in parseaddr(sender)[1]:
        raise InputError("no sender address: set BILAT_SMTP_FROM (or from in the [smtp] table of the secrets file)")
    starttls = _flag(*values["starttls"]) if "starttls" in values else True
    context = None
    if "cafile" in values:
        raw, name = values["cafile"]
        try:
            context = ssl.create_default_context(cafile=str(raw))
        except (OSError, ssl.SSLError) as exc:
            raise InputError(f"{name}: cannot read the CA certificates in {raw!r} ({exc})") from None
    return SmtpSettings(
        host=host, port=port, user=user or None, password=password, sender=sender, starttls=starttls, context=context
    )


def build_message(
    sender: str,
    to: list[str],
    subject: str,
    html: str,
    text: str,
    inline_images: Mapping[str, bytes] | None = None,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
) -> EmailMessage:
    """The message: a text and an HTML alternative; images the HTML shows as ``cid:NAME`` are
    related parts of the HTML; attachments ``(file name, bytes, MIME type)`` follow."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = " ".join(subject.split())  # a header holds one line
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if inline_images:
        html_part = message.get_payload()[1]
        for name, data in inline_images.items():
            subtype = "png" if data.startswith(b"\x89PNG") else "jpeg" if data.startswith(b"\xff\xd8") else "svg+xml"
            html_part.add_related(data, maintype="image", subtype=subtype, cid=f"<{name}>", filename=name)
    for filename, data, mime in attachments or []:
        maintype, _, subtype = mime.partition("/")
        if isinstance(data, str):  # text is attached as its UTF-8 bytes, like any other file
            data = data.encode("utf-8")
        message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    return message


def send_mail(
    settings: SmtpSettings,
    to: list[str],
    subject: str,
    html: str,
    text: str,
    inline_images: dict[str, bytes] | None = None,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
    timeout: float = 20,
) -> None:
    """Send one message to ``to``: connect, STARTTLS (unless turned off), log in when a user is set,
    send. Raises :class:`MailError` with a one-line reason on any failure."""
    if not to or not all("@" in parseaddr(a)[1] for a in to):
        raise MailError(f"no valid recipient address in {to!r}")
    message = build_message(settings.sender, to, subject, html, text, inline_images, attachments)
    where = f"{settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=settings.context or ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            refused = smtp.send_message(message, from_addr=parseaddr(settings.sender)[1], to_addrs=to)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"the SMTP server {where} refused the login of {settings.user!r} ({_reply(exc)})") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"the SMTP server {where} does not offer {_feature(exc, settings)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = {a: _reply(r) for a, r in exc.recipients.items()}
        raise MailError(f"the SMTP server {where} refused the recipients: {_refusals(refused)}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"the SMTP server {where} refused the sender {settings.sender!r} ({_reply(exc)})") from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS with the SMTP server {where} failed ({exc.reason or exc})") from None
    except TimeoutError:
        raise MailError(f"the SMTP server {where} did not answer within {timeout:g} s") from None
    except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
        raise MailError(f"the SMTP server {where} is unreachable ({_one_line(exc)})") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"the SMTP server {where} refused the message ({_one_line(exc)})") from None
    if refused:
        raise MailError(
            f"the SMTP server {where} refused some recipients: {_refusals({a: _reply(r) for a, r in refused.items()})}"
        )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _reply(exc: object) -> str:
    """``code text`` of an SMTP reply (an exception with smtp_code/smtp_error, or a (code, text) pair)."""
    code, text = (exc.smtp_code, exc.smtp_error) if hasattr(exc, "smtp_code") else exc  # type: ignore[union-attr]
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(f"{code} {text}".split())


def _refusals(refused: Mapping[str, str]) -> str:
    return "; ".join(f"{address} ({reason})" for address, reason in refused.items())


def _feature(exc: smtplib.SMTPNotSupportedError, settings: SmtpSettings) -> str:
    text = str(exc).lower()
    if "starttls" in text:
        return "STARTTLS (set BILAT_SMTP_STARTTLS=off only for a server on this machine)"
    return "login (AUTH): leave BILAT_SMTP_USER empty or use the submission port" if settings.user else _one_line(exc)
