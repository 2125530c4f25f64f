"""Local servers for the alert tests: an SMTP server (aiosmtpd) with STARTTLS on a self-signed
certificate and AUTH LOGIN/PLAIN, and a webhook receiver (http.server). Both bind 127.0.0.1 on a
free port and record what they receive.

```python
with SmtpServer() as smtp:
    send_mail(smtp.settings(), ["a@example.org"], "Subject", "<p>hi</p>", "hi")
    assert smtp.messages[0]["Subject"] == "Subject"
```
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from analytics.mail import SmtpSettings

USER, PASSWORD = "alerts@example.org", "s3cret"


def free_port() -> int:
    """A port nothing listens on right now (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(tmp_path) -> tuple[str, str, bytes]:
    """Paths of a new key and certificate for 127.0.0.1 and localhost, and the certificate's PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(pem)
    return str(key_path), str(cert_path), pem


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.server.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with STARTTLS required and AUTH (``USER``/``PASSWORD``) required.

    ``received`` holds ``(recipients, message)`` pairs; ``port`` may be given to restart a server
    on the port a rule already points at."""

    def __init__(self, tmp_path, port: int | None = None):
        self.key, self.cert, self.pem = self_signed(tmp_path)
        self.port = port or free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        self._controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            ready_timeout=5,
            tls_context=context,
            require_starttls=True,
            authenticator=self._authenticate,
            auth_required=True,
            auth_require_tls=True,
        )

    @staticmethod
    def _authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, message in self.received]

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this server's certificate (and nothing else)."""
        return ssl.create_default_context(cadata=self.pem.decode())

    def settings(self, **changes) -> SmtpSettings:
        values = dict(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, sender=USER,
                      context=self.client_context())  # fmt: skip
        values.update(changes)
        return SmtpSettings(**values)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        hooks: HookServer = self.server.hooks  # type: ignore[attr-defined]
        length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
        body = self.rfile.read(length)
        status = hooks.status.get(self.path, 200)
        hooks.received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class HookServer:
    """A webhook receiver on 127.0.0.1: ``received`` holds ``(path, content type, body)``; ``status``
    maps a path to the status it answers (default 200)."""

    def __init__(self, port: int | None = None):
        self.received: list[tuple[str, str, bytes]] = []
        self.status: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", port or 0), _HookHandler)
        self._server.hooks = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def payloads(self, path: str) -> list[dict]:
        return [json.loads(body) for p, _, body in self.received if p == path]

    def __enter__(self) -> HookServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
