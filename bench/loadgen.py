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

`--flow FILE` (`-` for stdin) switches to flows: each connection plays one virtual visitor after
another, and a *flow* is one visitor's whole sequence of requests (GETs and form POSTs) with a
cookie jar of its own, so sessions and CSRF work as in a browser. The JSON file lists the steps,
each with the status (and, for redirects, the `Location`) it must get; a POST sends its form
fields, a random pick per flow among `choose`'s values, and the CSRF cookie as
`csrfmiddlewaretoken`. `jars` (optional) gives each flow the cookies it starts with, one flow per
jar; with `keep_jars` true, the output's `jars` are the cookies each completed flow of the
measured phase ended with (so visitors can send their first requests in one run and the rest in
another). A flow counts as done when its last step gets what it expects; `--max-requests` then
counts flows. The figures are flows per second, the latency of whole flows and the median per
step; a failed step ends its flow and counts as an error (`final_unknown` counts last steps that
got no answer or a 5xx: requests the server may or may not have carried out). `run_flow` runs it
from the harness.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from urllib.parse import urlencode, urlsplit


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


def read_response(
    file: BinaryIO, collect: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, bool, int]:
    """Read one response; return (status, server keeps the connection, body length).

    With `collect`, the `Set-Cookie` and `Location` headers are appended to it as (name, value).
    """
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
        elif collect is not None and name in (b"set-cookie", b"location"):
            collect.append((name, value.strip()))
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


class Browser:
    """One visitor: a cookie jar over a `Connection`, sending GETs and form POSTs."""

    def __init__(self, conn: Connection, netloc: str, jar: dict[str, str] | None = None) -> None:
        self.conn = conn
        self.netloc = netloc
        self.jar: dict[str, str] = dict(jar or {})

    def request(
        self, method: str, path: str, form: list[tuple[str, str]] | None = None, csrf: bool = True
    ) -> tuple[int, str | None, int, int]:
        """Send one request; return (status, Location or None, TCP connects, body length).

        A POST sends `form` urlencoded, plus the CSRF cookie as `csrfmiddlewaretoken` if `csrf`.
        Raises OSError, EOFError or ValueError as `read_response` does; the connection is then
        closed.
        """
        headers = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.netloc}\r\nUser-Agent: forandra-bench\r\n"
            "Accept: text/html,*/*\r\nConnection: keep-alive\r\n"
        )
        if self.jar:
            headers += "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.jar.items()) + "\r\n"
        body = b""
        if method == "POST":
            fields = list(form or [])
            if csrf and "csrftoken" in self.jar:
                fields.append(("csrfmiddlewaretoken", self.jar["csrftoken"]))
            body = urlencode(fields).encode("ascii")
            headers += (
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n"
            )
        connects = 0
        try:
            if self.conn.sock is None:
                sock, file = self.conn.open()
                connects = 1
            else:
                sock, file = self.conn.sock, self.conn.file  # type: ignore[assignment]
            sock.sendall(headers.encode("latin-1") + b"\r\n" + body)
            collected: list[tuple[bytes, bytes]] = []
            status, keep_alive, length = read_response(file, collected)
        except (OSError, EOFError, ValueError):
            self.conn.close()
            raise
        if not keep_alive:
            self.conn.close()
        location = None
        for name, value in collected:
            if name == b"location":
                location = value.decode("latin-1")
                continue
            cookie = value.decode("latin-1").split(";", 1)
            key, _, cookie_value = cookie[0].partition("=")
            attributes = cookie[1].lower() if len(cookie) > 1 else ""
            if "max-age=0" in attributes.replace(" ", "") or not cookie_value:
                self.jar.pop(key.strip(), None)
            else:
                self.jar[key.strip()] = cookie_value.strip()
        return status, location, connects, length


@dataclass
class FlowPhase(Phase):
    """A phase counted in flows; `latencies` are whole flows, `steps` each step's latencies."""

    jars: list[dict[str, str]] | None = None
    kept: list[dict[str, str]] | None = None  # the jars of completed flows, if asked for
    requests: int = 0
    steps: dict[int, list[float]] = field(default_factory=dict)
    final_unknown: int = 0

    def take_jar(self) -> dict[str, str] | None:
        """Claim the next flow and return the cookies it starts with (None: no more flows)."""
        with self.lock:
            if self.issued >= self.max_requests or time.perf_counter() >= self.deadline:
                return None
            if self.jars is not None:
                if not self.jars:
                    return None
                jar = self.jars.pop()
            else:
                jar = {}
            self.issued += 1
            return jar

    def step(self, index: int, latency: float, length: int, connects: int) -> None:
        with self.lock:
            self.steps.setdefault(index, []).append(latency)
            self.requests += 1
            self.bytes += length
            self.connects += connects


def flow_worker(
    conn: Connection, netloc: str, steps: list[dict[str, Any]], phase: FlowPhase, seed: int
) -> None:
    rng = random.Random(seed)  # noqa: S311 (answers to a benchmark survey, not security)
    last = len(steps) - 1
    while (jar := phase.take_jar()) is not None:
        browser = Browser(conn, netloc, jar)
        started = time.perf_counter()
        for index, step in enumerate(steps):
            form = [tuple(pair) for pair in step.get("form", [])]
            form += [(name, rng.choice(values)) for name, values in step.get("choose", {}).items()]
            begun = time.perf_counter()
            try:
                status, location, connects, length = browser.request(
                    step["method"], step["path"], form, step.get("csrf", True)
                )
            except (OSError, EOFError, ValueError) as e:
                phase.error(f"step {index} {step['path']}: {type(e).__name__}: {e}")
                if index == last:
                    with phase.lock:
                        phase.final_unknown += 1
                break
            phase.step(index, time.perf_counter() - begun, length, connects)
            expected = step.get("expect", 200)
            if status != expected or ("location" in step and location != step["location"]):
                phase.error(
                    f"step {index} {step['method']} {step['path']}: HTTP {status} "
                    f"(expected {expected}), Location {location}"
                )
                if index == last and status >= 500:
                    with phase.lock:
                        phase.final_unknown += 1
                break
        else:
            phase.record(time.perf_counter() - started, True, 0, 0)
            if phase.kept is not None:
                with phase.lock:
                    phase.kept.append(browser.jar)


def run_flow_phase(
    conns: list[Connection], netloc: str, steps: list[dict[str, Any]], phase: FlowPhase, seed: int
) -> float:
    started = time.perf_counter()
    threads = [
        threading.Thread(target=flow_worker, args=(c, netloc, steps, phase, seed + i))
        for i, c in enumerate(conns)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def measure_flows(args: argparse.Namespace) -> dict[str, object]:
    url = urlsplit(args.url)
    if url.scheme != "http" or not url.hostname:
        raise SystemExit(f"only http:// URLs are supported: {args.url}")
    with sys.stdin if args.flow == "-" else open(args.flow) as handle:
        spec = json.load(handle)
    steps: list[dict[str, Any]] = spec["steps"]
    jars: list[dict[str, str]] | None = spec.get("jars")
    if jars is not None:
        jars = list(reversed(jars))  # take_jar pops from the end: keep the given order
    conns = [
        Connection(url.hostname, url.port or 80, args.timeout) for _ in range(args.connections)
    ]

    warmup = FlowPhase(args.warmup_requests, time.perf_counter() + args.warmup_seconds, jars=jars)
    run_flow_phase(conns, url.netloc, steps, warmup, seed=1000)

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    phase = FlowPhase(
        args.max_requests,
        time.perf_counter() + args.max_seconds,
        jars=jars,
        kept=[] if spec.get("keep_jars") else None,
    )
    elapsed = run_flow_phase(conns, url.netloc, steps, phase, seed=2000)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    for conn in conns:
        conn.close()

    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    latencies = sorted(phase.latencies)
    return {
        "url": args.url,
        "connections": args.connections,
        "warmup_flows": warmup.issued,
        "warmup_ok": warmup.ok,
        "warmup_errors": warmup.errors,
        "warmup_error_samples": warmup.error_samples,
        "warmup_final_unknown": warmup.final_unknown,
        "flows": phase.issued,
        "ok": phase.ok,
        "errors": phase.errors,
        "error_samples": phase.error_samples,
        "final_unknown": phase.final_unknown,
        "requests": phase.requests,
        "seconds": elapsed,
        "flows_per_s": phase.ok / elapsed if elapsed > 0 else 0.0,
        "requests_per_s": phase.requests / elapsed if elapsed > 0 else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "max_ms": (latencies[-1] if latencies else 0.0) * 1000,
        "step_p50_ms": [
            percentile(sorted(phase.steps.get(i, [])), 0.50) * 1000 for i in range(len(steps))
        ],
        "step_p95_ms": [
            percentile(sorted(phase.steps.get(i, [])), 0.95) * 1000 for i in range(len(steps))
        ],
        "connects": phase.connects,
        "client_cpu_fraction": cpu / elapsed if elapsed > 0 else 0.0,
        **({"jars": phase.kept} if phase.kept is not None else {}),
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
    parser.add_argument("--flow", help="a JSON file of steps ('-': stdin): run flows, not GETs")
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


@dataclass(frozen=True)
class FlowResult:
    """What a `--flow` run measured; `raw` is the script's JSON.

    `ok` and `warmup_ok` are flows whose every step got what it expected (for a survey: a
    response the server confirmed); `errors` counts failed flows in both phases.
    """

    flows_per_s: float
    ok: int
    warmup_ok: int
    errors: int
    final_unknown: int
    requests: int
    seconds: float
    raw: dict[str, Any]

    def summary(self) -> str:
        r = self.raw
        steps = ", ".join(f"{ms:.1f}" for ms in r["step_p50_ms"])
        return (
            f"{self.ok} flows in {self.seconds:.2f} s = {self.flows_per_s:.1f} flows/s "
            f"({r['requests_per_s']:.1f} requests/s, {r['connections']} connections); "
            f"flow latency p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
            f"max {r['max_ms']:.0f} ms; per-step p50 ms [{steps}]; "
            f"client used {r['client_cpu_fraction']:.0%} of a core"
        )


def run_flow(url: str, spec: dict[str, Any], **options: object) -> FlowResult:
    """Run flows (`spec` as described above) against the server at `url` in a subprocess.

    Unlike `run_load` this does not raise for failed flows: the caller decides (a benchmark that
    counts lost responses needs the figures of a run with errors too). Raises `HarnessError` if
    the load generator itself fails.
    """
    from harness import HarnessError

    command = [sys.executable, __file__, url, "--flow", "-"]
    for name, value in options.items():
        command += ["--" + name.replace("_", "-"), str(value)]
    args = parse_args(command[2:])
    steps = len(spec["steps"])
    budget = args.warmup_seconds + args.max_seconds + 2 * steps * args.timeout + 30
    try:
        done = subprocess.run(
            command,
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            timeout=budget,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise HarnessError(f"load generator did not finish within {budget:.0f} s") from error
    if done.returncode != 0:
        raise HarnessError(f"load generator exited {done.returncode}:\n{done.stderr}")
    raw = json.loads(done.stdout)
    return FlowResult(
        flows_per_s=raw["flows_per_s"],
        ok=raw["ok"],
        warmup_ok=raw["warmup_ok"],
        errors=raw["errors"] + raw["warmup_errors"],
        final_unknown=raw["final_unknown"] + raw["warmup_final_unknown"],
        requests=raw["requests"],
        seconds=raw["seconds"],
        raw=raw,
    )


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    result = measure_flows(arguments) if arguments.flow else measure(arguments)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
