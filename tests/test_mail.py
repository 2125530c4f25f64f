"""The mail sender against a local SMTP server with STARTTLS and AUTH, and its settings."""

from __future__ import annotations

import pytest
from mailserver import PASSWORD, USER, SmtpServer, free_port

from analytics.errors import InputError
from analytics.mail import MailError, SmtpSettings, send_mail, smtp_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def smtp(tmp_path):
    with SmtpServer(tmp_path) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_smtp_env(monkeypatch):
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "STARTTLS"):
        monkeypatch.delenv(f"BILAT_SMTP_{name}", raising=False)


def test_sends_html_text_inline_image_and_attachment(smtp):
    send_mail(
        smtp.settings(),
        ["desk@example.org", "chief@example.org"],
        "Spike: PER-USA\nsecurity",
        '<p>Coverage rose</p><img src="cid:chart">',
        "Coverage rose",
        inline_images={"chart": PNG},
        attachments=[("data.csv", b"a,b\n1,2\n", "text/csv")],
        timeout=5,
    )
    assert len(smtp.received) == 1
    recipients, message = smtp.received[0]
    assert recipients == ["desk@example.org", "chief@example.org"]
    assert message["Subject"] == "Spike: PER-USA security"
    assert message["From"] == USER
    assert message.get_content_type() == "multipart/mixed"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text.get_content().strip() == "Coverage rose"
    assert 'src="cid:chart"' in html.get_content()
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    image = next(p for p in related.iter_parts() if p.get_content_type() == "image/png")
    assert image["Content-ID"] == "<chart>"
    assert image.get_content() == PNG
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "data.csv"
    assert attachment.get_content() == "a,b\n1,2\n"


def test_plain_message_without_images(smtp):
    send_mail(smtp.settings(), ["desk@example.org"], "Hello", "<p>hi</p>", "hi", timeout=5)
    message = smtp.messages[0]
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("html",)).get_content().strip() == "<p>hi</p>"


def test_refused_login(smtp):
    with pytest.raises(MailError, match=r"refused the login of 'alerts@example.org' \(535"):
        send_mail(smtp.settings(password="wrong"), ["desk@example.org"], "s", "<p>h</p>", "h", timeout=5)
    assert smtp.received == []


def test_untrusted_certificate_is_a_tls_failure(smtp):
    with pytest.raises(MailError, match="TLS with the SMTP server 127.0.0.1:.* failed"):
        send_mail(smtp.settings(context=None), ["desk@example.org"], "s", "<p>h</p>", "h", timeout=5)
    assert smtp.received == []


def test_refused_recipient(smtp):
    with pytest.raises(MailError, match=r"refused the recipients: nobody@example.org \(550"):
        send_mail(smtp.settings(), ["nobody@example.org"], "s", "<p>h</p>", "h", timeout=5)
    with pytest.raises(MailError, match=r"refused some recipients: nobody@example.org \(550"):
        send_mail(smtp.settings(), ["desk@example.org", "nobody@example.org"], "s", "<p>h</p>", "h", timeout=5)
    assert [r for r, _ in smtp.received] == [["desk@example.org"]]


def test_without_starttls_the_server_refuses_login(smtp):
    with pytest.raises(MailError, match="refused|does not offer"):
        send_mail(smtp.settings(starttls=False), ["desk@example.org"], "s", "<p>h</p>", "h", timeout=5)
    assert smtp.received == []


def test_unreachable_server():
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), sender=USER)
    with pytest.raises(MailError, match=r"^the SMTP server 127.0.0.1:\d+ is unreachable \(.+\)$"):
        send_mail(settings, ["desk@example.org"], "s", "<p>h</p>", "h", timeout=2)


def test_bad_recipient_list():
    with pytest.raises(MailError, match="no valid recipient"):
        send_mail(SmtpSettings(host="127.0.0.1", sender=USER), ["not an address"], "s", "h", "h")


def test_settings_from_secrets_then_environment(monkeypatch):
    secrets = {"smtp": {"host": "mail.example.org", "user": USER, "password": PASSWORD, "port": 2525}}
    settings = smtp_settings(secrets)
    assert (settings.host, settings.port, settings.user, settings.sender, settings.starttls) == (
        "mail.example.org", 2525, USER, USER, True)  # fmt: skip
    assert settings.password == PASSWORD and PASSWORD not in repr(settings)
    monkeypatch.setenv("BILAT_SMTP_HOST", "relay.example.org")
    monkeypatch.setenv("BILAT_SMTP_FROM", "Bilat <bilat@example.org>")
    monkeypatch.setenv("BILAT_SMTP_STARTTLS", "off")
    settings = smtp_settings(secrets)
    assert (settings.host, settings.port, settings.sender, settings.starttls) == (
        "relay.example.org", 2525, "Bilat <bilat@example.org>", False)  # fmt: skip


def test_settings_defaults_and_errors(monkeypatch):
    assert smtp_settings({"smtp": {"host": "h", "from": "a@b.org"}}).port == 587
    with pytest.raises(InputError, match="^no SMTP server: set BILAT_SMTP_HOST"):
        smtp_settings({})
    with pytest.raises(InputError, match="no sender address"):
        smtp_settings({"smtp": {"host": "h"}})
    with pytest.raises(InputError, match=r"\[smtp\] port must be a port number"):
        smtp_settings({"smtp": {"host": "h", "from": "a@b.org", "port": 70000}})
    with pytest.raises(InputError, match="unknown key 'pasword'"):
        smtp_settings({"smtp": {"host": "h", "from": "a@b.org", "pasword": "x"}})
    monkeypatch.setenv("BILAT_SMTP_PORT", "abc")
    with pytest.raises(InputError, match="^BILAT_SMTP_PORT must be a port number"):
        smtp_settings({"smtp": {"host": "h", "from": "a@b.org"}})
    monkeypatch.setenv("BILAT_SMTP_PORT", "25")
    monkeypatch.setenv("BILAT_SMTP_STARTTLS", "maybe")
    with pytest.raises(InputError, match="^BILAT_SMTP_STARTTLS must be on or off"):
        smtp_settings({"smtp": {"host": "h", "from": "a@b.org"}})
