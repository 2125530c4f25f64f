"""The fetch guard: URLs written by strangers never reach an internal address.

Feeds, GDELT answers and imported files name URLs (item links, and every redirect hop of any
request) that bilat may fetch. Before each such request the host is resolved and the request is
refused when the scheme is not http(s), or when any address the name resolves to is loopback,
private, link-local, multicast, reserved or unspecified: an item link to
``http://127.0.0.1:8080/admin``, ``http://localhost/``, ``http://169.254.169.254/`` (cloud metadata)
or ``http://[::ffff:10.0.0.1]/`` is never requested, and the refusal is recorded with the item.

Source URLs the operator wrote in ``sources.toml`` are trusted as written. ``allow_hosts`` in the
``[pull]`` table names hosts (exact names, as written in the URL) whose links may be fetched even
when they resolve to such an address: a test server on loopback, or a newsroom's intranet mirror.
There is no switch that turns the guard off, so nothing a feed writes can reach one.

What the guard leaves to the operator: a name that resolves to a public address when checked and
to a private one a moment later (DNS rebinding) is not caught; a firewall that stops the pull's
host from opening connections to internal networks closes that gap.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from analytics.errors import BilatError

Resolver = Callable[[str, int], Awaitable[list[str]]]


class Refused(BilatError):
    """A URL the guard will not fetch; the message says why, for the run's notes."""


def address_problem(address: str) -> str | None:
    """Why an IP address must not be fetched from ('loopback address', ...), or None when public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
    checks = (
        ("is_loopback", "loopback address"),
        ("is_unspecified", "unspecified address"),
        ("is_link_local", "link-local address"),
        ("is_multicast", "multicast address"),
        ("is_private", "private address"),
        ("is_reserved", "reserved address"),
    )
    for attribute, reason in checks:
        if getattr(ip, attribute):
            return reason
    if not ip.is_global:  # shared address space (100.64/10) and other ranges that are not routed
        return "non-public address"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (no connection is made)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise Refused(f"host {host!r} cannot be resolved ({exc})") from None
    return [str(info[4][0]) for info in infos]


class FetchGuard:
    """Checks URLs from content before they are fetched."""

    def __init__(self, allow_hosts: Iterable[str] = (), *, resolver: Resolver = system_resolver) -> None:
        self.allow_hosts = frozenset(h.strip().lower().strip("[]") for h in allow_hosts if h.strip())
        self._resolve = resolver

    async def check(self, url: str) -> None:
        """Raise :class:`Refused` unless ``url`` is http(s) and its host resolves only to public addresses."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise Refused(f"not a usable URL ({exc})") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise Refused(f"scheme {scheme or 'none'!r} is not http or https")
        host = (parts.hostname or "").lower()
        if not host:
            raise Refused("no host name")
        if host in self.allow_hosts:
            return
        try:
            addresses = [str(ipaddress.ip_address(host))]  # a literal address needs no resolver
        except ValueError:
            addresses = await self._resolve(host, port or (443 if scheme == "https" else 80))
        if not addresses:
            raise Refused(f"host {host!r} has no address")
        for address in addresses:
            try:
                problem = address_problem(address)
            except ValueError:
                problem = "unreadable address"
            if problem:
                raise Refused(f"{host} is a {problem} ({address})" if host != address else f"{address} is a {problem}")
