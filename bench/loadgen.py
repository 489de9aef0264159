"""HTTP load generator: `python bench/loadgen.py URL [options]`, one JSON object on stdout.

It runs as its own process (the harness starts it with `run_load`), so its CPU use is separate
from the harness and visible to the OS scheduler like any other client. Client and server share
the machine's two cores, so the client has to be cheap per request: one thread per connection
with a blocking socket and a minimal HTTP/1.1 parser (buffered readline, done in C). Measured
here, that costs about 0.25 ms of client CPU per request against 0.8 ms for a first version on
asyncio streams; http.client would parse every header with the email package.

`--connections` connections each send one request at a time (closed loop) with keep-alive; a
server that answers `Connection: close` (gunicorn's sync worker always does) gets a new TCP
connection for the next request, and that connect time is part of the request's latency, as it
would be for a real client. A warm-up phase runs first and is not counted. The measured phase
stops at `--max-requests` or `--max-seconds`, whichever comes first. A response whose status is
not `--expect-status`, a connection error or a timeout counts as an error.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urlsplit


@dataclass
class Phase:
    max_requests: int
    deadline: float
    issued: int = 0
    ok: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    connects: int = 0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """Claim the next request, if the phase's count and time bounds allow one."""
        with self.lock:
            if self.issued >= self.max_requests or time.perf_counter() >= self.deadline:
                return False
            self.issued += 1
            return True

    def record(self, latency: float, ok: bool, length: int, connects: int) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.ok += ok
            self.bytes += length
            self.connects += connects

    def error(self, message: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(message)


class Connection:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.address = (host, port)
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.file: BinaryIO | None = None

    def open(self) -> tuple[socket.socket, BinaryIO]:
        sock = socket.create_connection(self.address, timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.file = sock, sock.makefile("rb")
        return self.sock, self.file

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        if self.sock is not None:
            self.sock.close()
        self.sock = self.file = None


def read_response(file: BinaryIO) -> tuple[int, bool, int]:
    """Read one response; return (status, server keeps the connection, body length)."""
    status_line = file.readline(65537)
    if not status_line:
        raise EOFError("connection closed before the status line")
    version, status = status_line.split(None, 2)[:2]
    content_length: int | None = None
    connection = b""
    chunked = False
    while True:
        line = file.readline(65537)
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise EOFError("connection closed in the headers")
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            content_length = int(value)
        elif name == b"connection":
            connection = value.strip().lower()
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    keep_alive = connection != b"close" if version == b"HTTP/1.1" else connection == b"keep-alive"
    if content_length is not None:
        length = len(file.read(content_length))
        if length != content_length:
            raise EOFError(f"body cut short: {length} of {content_length} bytes")
    elif chunked:
        length = 0
        while size := int(file.readline(65537).split(b";")[0], 16):
            length += len(file.read(size + 2)) - 2
        while file.readline(65537) not in (b"\r\n", b"\n", b""):  # trailers
            pass
    else:
        length = len(file.read())
        keep_alive = False
    return int(status), keep_alive, length


def worker(conn: Connection, request: bytes, phase: Phase, expect: int) -> None:
    while phase.take():
        started = time.perf_counter()
        connects = 0
        try:
            if conn.sock is None:
                sock, file = conn.open()
                connects = 1
            else:
                sock, file = conn.sock, conn.file  # type: ignore[assignment]
            sock.sendall(request)
            status, keep_alive, length = read_response(file)
        except (OSError, EOFError, ValueError) as e:
            phase.error(f"{type(e).__name__}: {e}")
            conn.close()
            continue
        phase.record(time.perf_counter() - started, status == expect, length, connects)
        if status != expect:
            phase.error(f"HTTP {status}")
        if not keep_alive:
            conn.close()


def run_phase(conns: list[Connection], request: bytes, phase: Phase, expect: int) -> float:
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c, request, phase, expect)) for c in conns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def measure(args: argparse.Namespace) -> dict[str, object]:
    url = urlsplit(args.url)
    if url.scheme != "http" or not url.hostname:
        raise SystemExit(f"only http:// URLs are supported: {args.url}")
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    extra = "".join(f"{h}\r\n" for h in args.header)
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {url.netloc}\r\nUser-Agent: forandra-bench\r\n"
        f"Accept: text/html,*/*\r\nConnection: keep-alive\r\n{extra}\r\n"
    ).encode("latin-1")
    host, port = url.hostname, url.port or 80
    conns = [Connection(host, port, args.timeout) for _ in range(args.connections)]

    warmup = Phase(args.warmup_requests, time.perf_counter() + args.warmup_seconds)
    run_phase(conns, request, warmup, args.expect_status)

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    phase = Phase(args.max_requests, time.perf_counter() + args.max_seconds)
    elapsed = run_phase(conns, request, phase, args.expect_status)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    for conn in conns:
        conn.close()

    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    latencies = sorted(phase.latencies)
    return {
        "url": args.url,
        "connections": args.connections,
        "warmup_requests": warmup.issued,
        "warmup_errors": warmup.errors,
        "warmup_error_samples": warmup.error_samples,
        "requests": phase.issued,
        "ok": phase.ok,
        "errors": phase.errors,
        "error_samples": phase.error_samples,
        "seconds": elapsed,
        "rps": phase.ok / elapsed if elapsed > 0 else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else 0.0) * 1000,
        "connects": phase.connects,
        "bytes_per_response": phase.bytes / len(latencies) if latencies else 0.0,
        "client_cpu_fraction": cpu / elapsed if elapsed > 0 else 0.0,
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=3000)
    parser.add_argument("--max-seconds", type=float, default=10.0)
    parser.add_argument("--warmup-requests", type=int, default=300)
    parser.add_argument("--warmup-seconds", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="per connect or read, seconds")
    parser.add_argument("--expect-status", type=int, default=200)
    parser.add_argument(
        "--header", action="append", default=[], help="extra request header, 'Name: value'"
    )
    return parser.parse_args(argv)


@dataclass(frozen=True)
class LoadResult:
    """What `run_load` measured (the JSON this script prints, as attributes)."""

    url: str
    rps: float
    requests: int
    ok: int
    warmup_requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    connects: int
    bytes_per_response: float
    client_cpu_fraction: float
    raw: dict[str, object]

    def summary(self) -> str:
        return (
            f"{self.ok} x 200 in {self.seconds:.2f} s = {self.rps:.1f} rps; "
            f"latency p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms, max {self.max_ms:.1f} ms; "
            f"{self.connects} TCP connects; {self.bytes_per_response:.0f} B/response; "
            f"client used {self.client_cpu_fraction:.0%} of a core"
        )


def run_load(url: str, **options: object) -> LoadResult:
    """Run this script against `url` in a subprocess and return its figures.

    `options` are the command-line options with underscores (`connections=4`,
    `max_requests=3000`, `max_seconds=10`, `header=["Cookie: ..."]`). Raises `HarnessError`
    if the client fails, or if any request (warm-up included) errs or has another status.
    """
    from harness import HarnessError  # the harness side; the script itself needs no harness

    command = [sys.executable, __file__, url]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        for item in value if isinstance(value, list) else [value]:
            command += [flag, str(item)]
    args = parse_args(command[2:])
    budget = args.warmup_seconds + args.max_seconds + 2 * args.timeout + 30
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=budget, check=False)
    except subprocess.TimeoutExpired as error:
        raise HarnessError(f"load generator did not finish within {budget:.0f} s") from error
    if done.returncode != 0:
        raise HarnessError(f"load generator exited {done.returncode}:\n{done.stderr}")
    raw = json.loads(done.stdout)
    if raw["warmup_errors"] or raw["errors"]:
        raise HarnessError(
            f"{url}: {raw['warmup_errors']} errors in warm-up, {raw['errors']} in measurement; "
            f"e.g. {raw['warmup_error_samples'] + raw['error_samples']}"
        )
    if not raw["ok"]:
        raise HarnessError(f"{url}: no request completed")
    fields = {f: raw[f] for f in LoadResult.__dataclass_fields__ if f != "raw"}
    return LoadResult(**fields, raw=raw)  # type: ignore[arg-type]


if __name__ == "__main__":
    result = measure(parse_args(sys.argv[1:]))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
