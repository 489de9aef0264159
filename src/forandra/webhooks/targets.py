"""Where a webhook may point: the address rule of scanning's feed fetcher, for outgoing POSTs.

`target_check(url)` runs when a webhook is saved: an http(s) address without a user name or
password, whose host is a public address or resolves only to public addresses. The same rule runs
again before each delivery, inside the connection (`send.post`, through scanning's
`GuardedBackend`), on the addresses the name resolves to then: a name that later resolves to an
internal address (DNS rebinding) is refused before a socket is opened. Names in the setting
`WEBHOOKS_ALLOWED_HOSTS` skip the rule (a local receiver in tests or a demo).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Mapping

import httpx
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from forandra.scanning.fetch import is_public_address

URL_MAX = 2000


class TargetError(Exception):
    """An address a webhook may not point at: a stable `code`, `params` and the `reason`."""

    def __init__(self, code: str, params: Mapping[str, str | int] | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        super().__init__(code, self.params)

    @property
    def reason(self) -> str:
        return error_reason(self.code, self.params)

    def __str__(self) -> str:
        return self.reason


# The reasons for every error code, of an address and of a delivery attempt (send.py).
MESSAGES: Mapping[str, str | Promise] = {
    "invalid_url": _("Enter a web address such as https://example.se/hooks/forandra."),
    "unsupported_scheme": _("The address must start with https:// or http://."),
    "too_long": _("The address is too long (at most 2,000 characters)."),
    "credentials": _(
        "Leave the user name and password out of the address: the receiver checks the "
        "signature instead."
    ),
    "host_not_found": _("The server name %(host)s could not be found."),
    "refused_address": _(
        "%(host)s leads to an internal or reserved network address (%(address)s). "
        "For safety, webhooks are only sent to public internet addresses."
    ),
    "refused_literal": _(
        "%(address)s is an internal or reserved network address. "
        "For safety, webhooks are only sent to public internet addresses."
    ),
    "connection_refused": _("The receiver refused the connection."),
    "connection_failed": _("Could not connect to the receiver."),
    "connection_lost": _("The connection to the receiver broke off."),
    "tls": _(
        "The secure connection (TLS) to the receiver failed; its certificate may be invalid "
        "or expired."
    ),
    "protocol": _("The receiver closed the connection or sent an answer that is not valid HTTP."),
    "timeout": _("The receiver did not answer within %(seconds)s s."),
    "redirect": _(
        "The receiver answered with a redirect (status %(status)s), which is not followed. "
        "Enter the address it redirects to."
    ),
    "http_status": _("The receiver answered with the status %(status)s."),
    "interrupted": _("The attempt was cut off before the receiver answered."),
}


def error_reason(code: str, params: Mapping[str, object] | None = None) -> str:
    """The reason for an error code, in the active language ("" for no code)."""
    if not code:
        return ""
    message = MESSAGES.get(code, MESSAGES["connection_failed"])
    params = params or {}
    if code == "refused_address" and params.get("host") == params.get("address"):
        message = MESSAGES["refused_literal"]
    try:
        return str(message) % {key: str(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return str(message).split("%(")[0].strip()


def allowed_hosts() -> frozenset[str]:
    """Host names that skip the public-address rule, from WEBHOOKS_ALLOWED_HOSTS."""
    names: Iterable[str] = getattr(settings, "WEBHOOKS_ALLOWED_HOSTS", ())
    return frozenset(normalise_host(name) for name in names)


def normalise_host(host: str) -> str:
    return host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


def parse(url: str) -> httpx.URL:
    """An http(s) URL without user name, password or fragment, or TargetError."""
    text = url.strip()
    if len(text) > URL_MAX:
        raise TargetError("too_long")
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise TargetError("invalid_url") from None
    if parsed.scheme not in ("http", "https"):
        raise TargetError("invalid_url" if not parsed.scheme else "unsupported_scheme")
    if not parsed.host:
        raise TargetError("invalid_url")
    if parsed.userinfo:
        raise TargetError("credentials")
    return parsed.copy_with(fragment=None)


def _addresses(host: str, port: int) -> list[str]:
    """The addresses a name resolves to (an address literal is its own only address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise TargetError("host_not_found", {"host": host}) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise TargetError("host_not_found", {"host": host})
    return addresses


def _is_public(address: str) -> bool:
    try:
        return is_public_address(ipaddress.ip_address(address.split("%")[0]))
    except ValueError:
        return False


def target_check(url: str) -> str:
    """The address, normalised, if a webhook may point at it; TargetError says why not."""
    parsed = parse(url)
    address = str(parsed)
    if len(address) > URL_MAX:
        raise TargetError("too_long")
    host = normalise_host(parsed.host)
    if host in allowed_hosts():
        return address
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    for resolved in _addresses(host, port):
        if not _is_public(resolved):
            raise TargetError("refused_address", {"host": host, "address": resolved})
    return address
