"""Scanning tests reach nothing but loopback.

`network` (used by every test here) replaces name resolution with a table the test fills in, so no
DNS query ever leaves the machine, and fails the test the moment a socket tries to connect to an
address that is not loopback. A test that wants to see such an attempt (the DNS rebinding test)
names the address in `network.refuse_quietly`: the attempt is recorded and refused with
ConnectionRefusedError before any packet is sent.

`feed_server` is a real HTTP server on 127.0.0.1 in a thread, serving the corpus in `feeds/` and
misbehaving on request (slow, huge, redirecting, compressed, broken). `allow_loopback` lets
`fetch()` reach it through the setting SCANNING_ALLOWED_HOSTS.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

FEEDS = Path(__file__).parent / "feeds"
MEGABYTE = 1024 * 1024


# --- The network ----------------------------------------------------------------------------------


@dataclass
class Network:
    # Fake DNS: a name and what it resolves to; a callable answers differently on each lookup.
    names: dict[str, list[str] | Callable[[], list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)  # names looked up (address literals aside)
    connections: list[tuple[str, int]] = field(default_factory=list)  # every connect attempted
    refuse_quietly: set[str] = field(default_factory=set)
    forbidden: list[tuple[str, int]] = field(default_factory=list)

    def answer(self, name: str) -> list[str]:
        answer = self.names[name]
        return answer() if callable(answer) else answer


def _info(address: str, port: int) -> tuple[Any, ...]:
    if ipaddress.ip_address(address.split("%")[0]).version == 6:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))


@pytest.fixture(autouse=True)
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Network]:
    state = Network()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[tuple[Any, ...]]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            # Address literals only (AI_NUMERICHOST): this never sends a query.
            return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        except socket.gaierror:
            pass
        state.lookups.append(name)
        if name not in state.names:
            raise socket.gaierror(socket.EAI_NONAME, f"{name} is not in the test's name table")
        return [_info(address, int(port or 0)) for address in state.answer(name)]

    def connect(sock: socket.socket, address: Any) -> None:
        if not isinstance(address, tuple):  # a Unix socket never leaves the machine
            return real_connect(sock, address)
        host, port = str(address[0]), int(address[1])
        state.connections.append((host, port))
        if ipaddress.ip_address(host.split("%")[0]).is_loopback:
            return real_connect(sock, address)
        if host in state.refuse_quietly:
            raise ConnectionRefusedError(f"the test refuses {host} without sending anything")
        state.forbidden.append((host, port))
        pytest.fail(f"a connection to {host}:{port}, which is not loopback, was attempted")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield state
    # Also fails a test whose code swallowed pytest.fail's exception.
    assert not state.forbidden, f"connections attempted outside loopback: {state.forbidden}"


@pytest.fixture
def english() -> Iterator[None]:
    """English active: reasons are asserted in the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def allow_loopback(settings: Any) -> None:
    settings.SCANNING_ALLOWED_HOSTS = ["127.0.0.1"]


# --- The feed server -----------------------------------------------------------------------------

CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml",
}
ETAG = '"v1"'
LAST_MODIFIED = "Mon, 04 Mar 2024 08:00:00 GMT"


@functools.cache
def gzip_bomb() -> bytes:
    """50 MB of zeros, gzipped to about 50 KB."""
    return gzip.compress(bytes(50 * MEGABYTE), compresslevel=9)


class FeedHandler(http.server.BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        # A client stops reading past its limits, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.route(path, query)

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str | None, status: int = 302) -> None:
        self.send(status, b"", {"Location": location} if location is not None else {})

    def stream(self, size: int, headers: dict[str, str]) -> None:
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        chunk = b"<!-- filler -->\n" * 4096  # 64 KB
        for _ in range(size // len(chunk)):
            self.wfile.write(chunk)

    def trickle(self, data: bytes, delay: float, seconds: float) -> None:
        end = time.monotonic() + seconds
        for byte in data:
            if time.monotonic() > end:
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(delay)

    def route(self, path: str, query: dict[str, list[str]]) -> None:
        feed = (FEEDS / "rss20.xml").read_bytes()
        if path.startswith("/feeds/"):
            file = FEEDS / path.removeprefix("/feeds/")
            if file.parent != FEEDS or not file.is_file():
                return self.send(404, b"not found")
            content_type = query.get("type", [CONTENT_TYPES.get(file.suffix, "text/plain")])[0]
            return self.send(200, file.read_bytes(), {"Content-Type": content_type})
        if path == "/conditional":
            if self.headers.get("If-None-Match") == ETAG or (
                self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                return self.send(304, b"", {"ETag": ETAG})
            return self.send(
                200,
                feed,
                {
                    "Content-Type": "application/rss+xml",
                    "ETag": ETAG,
                    "Last-Modified": LAST_MODIFIED,
                },
            )
        if path == "/redirect":
            status = int(query.get("status", ["302"])[0])
            return self.redirect(query.get("to", [None])[0], status)
        if path.startswith("/chain/"):
            hops = int(path.removeprefix("/chain/"))
            if hops:
                return self.redirect(f"/chain/{hops - 1}")
            return self.send(200, feed, {"Content-Type": "application/rss+xml"})
        if path == "/loop/a":
            return self.redirect("/loop/b")
        if path == "/loop/b":
            return self.redirect(f"http://127.0.0.1:{self.server.server_port}/loop/a")
        if path == "/moved":
            return self.redirect("/moved-again", 301)
        if path == "/moved-again":
            return self.redirect("/feeds/rss20.xml", 308)
        if path == "/temporary-then-moved":
            return self.redirect("/moved", 307)
        if path == "/huge":  # 50 MB without a Content-Length: the end is when the server closes
            return self.stream(50 * MEGABYTE, {"Content-Type": "application/rss+xml"})
        if path == "/huge-declared":
            return self.stream(
                50 * MEGABYTE,
                {"Content-Type": "application/rss+xml", "Content-Length": str(50 * MEGABYTE)},
            )
        if path == "/gzip":
            return self.send(200, gzip.compress(feed), {"Content-Encoding": "gzip"})
        if path == "/deflate":
            return self.send(200, zlib.compress(feed), {"Content-Encoding": "deflate"})
        if path == "/raw-deflate":
            packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            body = packer.compress(feed) + packer.flush()
            return self.send(200, body, {"Content-Encoding": "deflate"})
        if path == "/gzip-bomb":
            return self.send(200, gzip_bomb(), {"Content-Encoding": "gzip"})
        if path == "/truncated-gzip":
            return self.send(200, gzip.compress(feed)[:200], {"Content-Encoding": "gzip"})
        if path == "/brotli":
            return self.send(200, b"\x0b\x02\x80hello\x03", {"Content-Encoding": "br"})
        if path == "/slow":  # says nothing for two seconds
            time.sleep(2)
            return self.send(200, feed)
        if path == "/trickle":  # a byte every 50 ms: never silent long enough for a read timeout
            self.send_response(200)
            self.end_headers()
            return self.trickle(feed, 0.05, 3)
        if path == "/trickle-headers":
            return self.trickle(b"HTTP/1.0 200 OK\r\nX-Slow: " + b"a" * 100 + b"\r\n\r\n", 0.05, 3)
        if path.startswith("/status/"):
            return self.send(int(path.removeprefix("/status/")), b"<html>error</html>")
        if path == "/not-http":
            self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
            return None
        if path == "/hang-up":
            return None  # closes the connection without an answer
        return self.send(404, b"no such route")


class FeedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a slow handler still sleeping never holds up the test run

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.requests: list[tuple[str, dict[str, str]]] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early are part of the tests

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    gzip_bomb()  # made now, so that tests measuring memory do not count it
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def server(feed_server: FeedServer, allow_loopback: None) -> FeedServer:
    """The feed server, reachable (127.0.0.1 allowed), with this test's requests only."""
    feed_server.requests.clear()
    return feed_server
