"""One signed POST to a webhook's address, by the address rule of `targets.py`.

The body is the delivery's payload as compact JSON with sorted keys (the same bytes on every
attempt). Headers:

- `X-Forandra-Event`: the event, e.g. `plan.decided`;
- `X-Forandra-Delivery`: the delivery's id (a UUID), the same on every attempt and re-send;
- `X-Forandra-Timestamp`: seconds since 1970 (UTC) when this attempt was signed;
- `X-Forandra-Signature`: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the
  webhook's secret.

Redirects are not followed (a 3xx answer is a failure) and the whole attempt has a deadline, the
setting WEBHOOKS_TIMEOUT. The receiver's body is not read: only its status counts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from forandra.scanning.fetch import FetchError, GuardedBackend, GuardedTransport

from .targets import TargetError, allowed_hosts, parse

USER_AGENT = "Forandra-Webhooks/1.0"
EVENT_HEADER = "X-Forandra-Event"
DELIVERY_HEADER = "X-Forandra-Delivery"
TIMESTAMP_HEADER = "X-Forandra-Timestamp"
SIGNATURE_HEADER = "X-Forandra-Signature"


def body_of(payload: Any) -> bytes:
    """The bytes sent for a payload: compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Forandra-Signature value: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


@dataclass(frozen=True)
class Outcome:
    """How one attempt went: the receiver's status, or an error code with its parameters."""

    status: int | None
    error_code: str = ""
    error_params: dict[str, str | int | float] = field(default_factory=dict)
    duration_ms: int = 0

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT", 5.0))


def post(*, url: str, secret: str, event: str, delivery_id: str, payload: Any) -> Outcome:
    """Send one attempt; never raises for what the network or the receiver does."""
    started = time.monotonic()

    def done(answer: int | None, code: str = "", **params: str | int | float) -> Outcome:
        elapsed = round((time.monotonic() - started) * 1000)
        return Outcome(answer, code, dict(params), duration_ms=max(elapsed, 0))

    try:
        target = parse(url)
    except TargetError as error:
        return done(None, error.code, **error.params)
    body = body_of(payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    seconds = timeout_seconds()
    backend = GuardedBackend(allowed=allowed_hosts(), deadline=started + seconds)
    try:
        with (
            httpx.Client(
                transport=GuardedTransport(backend),
                timeout=httpx.Timeout(seconds),
                follow_redirects=False,
                trust_env=False,
            ) as client,
            client.stream("POST", target, content=body, headers=headers) as response,
        ):
            status = response.status_code
    except FetchError as error:  # the address rule, or a name that does not resolve
        code = "refused_address" if error.code == "refused_address" else "host_not_found"
        return done(None, code, **error.params)
    except httpx.TimeoutException:
        return done(None, "timeout", seconds=seconds)
    except httpx.HTTPError as error:
        return done(None, _error_code(error))
    if 300 <= status < 400:
        return done(status, "redirect", status=status)
    if not 200 <= status < 300:
        return done(status, "http_status", status=status)
    return done(status)


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _error_code(error: httpx.HTTPError) -> str:
    causes = list(_causes(error))
    if any(isinstance(cause, ssl.SSLError | ssl.CertificateError) for cause in causes):
        return "tls"
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return "connection_refused"
    if isinstance(error, httpx.RemoteProtocolError):
        return "protocol"
    if isinstance(error, httpx.ReadError | httpx.WriteError):
        return "connection_lost"
    return "connection_failed"
