"""Webhook tests reach nothing but loopback.

`network` (tests/scanning's, used by every test here) answers name lookups from a table the
test fills in, so no DNS query leaves the machine, and fails the test the moment a socket tries
to connect anywhere but loopback. Every connection attempt is recorded in `network.connections`.

`receiver` is a real HTTP server on 127.0.0.1 in a thread: it records each request (path,
headers, body) and answers with the statuses the test queues in `receiver.answers` (200 once
they run out). `allow_loopback` lets deliveries reach it through WEBHOOKS_ALLOWED_HOSTS.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.scanning.conftest import Network, english, network

# The network of tests/scanning: fake name lookups, connections only to loopback (`network` is
# autouse there and here).
__all__ = ["Network", "english", "network"]


@pytest.fixture
def allow_loopback(settings: Any) -> None:
    settings.WEBHOOKS_ALLOWED_HOSTS = ["127.0.0.1"]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        lowered = {key.lower(): value for key, value in self.headers.items()}
        return lowered[name.lower()]


class Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.server.received.append(Received(self.path, dict(self.headers), body))
        answer = self.server.answers.pop(0) if self.server.answers else 200
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if callable(answer):
                answer(self)
                return
            self.send_response(answer)
            if 300 <= answer < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")


class Receiver(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.received: list[Received] = []
        self.answers: list[int | Callable[[Handler], None]] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"


def slow(seconds: float) -> Callable[[Handler], None]:
    """An answer that comes after `seconds`."""

    def answer(handler: Handler) -> None:
        time.sleep(seconds)
        handler.send_response(200)
        handler.end_headers()

    return answer


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver(receiver_server: Receiver, allow_loopback: None) -> Receiver:
    """The receiver, reachable (127.0.0.1 allowed), with this test's requests and answers only."""
    receiver_server.received.clear()
    receiver_server.answers.clear()
    return receiver_server
