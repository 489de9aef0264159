"""The benchmark registry and runner behind `bench/run.py`.

A benchmark module is a file `bench/bench_<name>.py`. It registers each figure with the
`benchmark` decorator; the decorated function takes a `Context` and returns the measured value
(a number in the declared unit):

    from harness import Context, benchmark

    @benchmark("core.ceiling_rps", unit="rps", op=">=", target=500)
    def ceiling(ctx: Context) -> float:
        server = ctx.use(gunicorn_server)  # shared fixture, started once per run
        return load(server.url("/__bench__/ping")).rps

The runner prints one line per figure on stdout,

    BENCH <id> <value> <unit> target <op> <target> PASS|MISS

and everything else on stderr (`log`). A MISS is a result, not a failure: the exit code is
non-zero only when the harness itself fails (a benchmark raises, a request errs, no id matches).
"""

from __future__ import annotations

import contextlib
import importlib
import operator
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


class HarnessError(Exception):
    """The measurement itself failed (server did not start, a request erred, ...)."""


def log(message: str) -> None:
    """Write a progress or detail line on stderr; stdout carries only BENCH lines."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Benchmark:
    id: str
    unit: str
    op: str
    target: float
    func: Callable[[Context], float]
    precision: int = 1

    def verdict(self, value: float) -> str:
        return "PASS" if OPS[self.op](value, self.target) else "MISS"

    def line(self, value: float) -> str:
        return (
            f"BENCH {self.id} {value:.{self.precision}f} {self.unit} "
            f"target {self.op} {self.target:g} {self.verdict(value)}"
        )


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    id: str, *, unit: str, op: str, target: float, precision: int = 1
) -> Callable[[Callable[[Context], float]], Callable[[Context], float]]:
    """Register a figure. `id` is dotted (`<module>.<figure>`), one word per part, no spaces."""
    if op not in OPS:
        raise ValueError(f"{id}: op must be one of {', '.join(OPS)}, not {op!r}")
    if not id or any(c.isspace() for c in id) or not unit or any(c.isspace() for c in unit):
        raise ValueError(f"id and unit must be non-empty and without spaces: {id!r} {unit!r}")

    def register(func: Callable[[Context], float]) -> Callable[[Context], float]:
        if id in REGISTRY:
            raise ValueError(f"benchmark id {id!r} is registered twice")
        REGISTRY[id] = Benchmark(id, unit, op, float(target), func, precision)
        return func

    return register


Fixture = Callable[["Context"], contextlib.AbstractContextManager[T]]


@dataclass
class Context:
    """Shared state of one run: fixtures are entered on first use and closed at the end."""

    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _fixtures: dict[Any, Any] = field(default_factory=dict)

    def use(self, fixture: Fixture[T]) -> T:
        """Enter `fixture(ctx)` once per run (e.g. a prepared site, a running server)."""
        if fixture not in self._fixtures:
            try:
                self._fixtures[fixture] = self.stack.enter_context(fixture(self))
            except Exception as error:
                # Remember the failure: the next benchmark needing it fails fast, not slowly.
                self._fixtures[fixture] = error
                raise
        value = self._fixtures[fixture]
        if isinstance(value, Exception):
            raise HarnessError(f"fixture {fixture.__name__} failed earlier: {value}")
        return value  # type: ignore[no-any-return]


def discover(bench_dir: Path) -> None:
    """Import every `bench_*.py` next to this file; importing registers its benchmarks."""
    for path in sorted(bench_dir.glob("bench_*.py")):
        importlib.import_module(path.stem)


def run(only: str = "") -> int:
    """Run the registered benchmarks whose id starts with `only`; return the exit code."""
    selected = [b for b in REGISTRY.values() if b.id.startswith(only)]
    if not selected:
        log(f"no benchmark id starts with {only!r}; known: {', '.join(REGISTRY) or 'none'}")
        return 2
    failed: list[str] = []
    started = time.monotonic()
    # Other work on the machine lowers every figure; say how busy it was before we started.
    log(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs before the run")
    try:
        ctx = Context()
        with ctx.stack:
            for bench in selected:
                log(f"{bench.id}: running")
                try:
                    value = float(bench.func(ctx))
                except HarnessError as error:
                    log(f"{bench.id}: FAILED: {error}")
                    failed.append(bench.id)
                    continue
                except Exception:
                    log(f"{bench.id}: FAILED:\n{traceback.format_exc()}")
                    failed.append(bench.id)
                    continue
                print(bench.line(value), flush=True)
    except Exception:
        # A fixture failed to tear down (e.g. a server that would not stop).
        log(f"teardown FAILED:\n{traceback.format_exc()}")
        return 1
    log(f"{len(selected)} benchmark(s) in {time.monotonic() - started:.1f} s")
    if failed:
        log(f"harness failed for: {', '.join(failed)}")
        return 1
    return 0


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    """Log how long a preparation step took."""
    started = time.monotonic()
    yield
    log(f"{label} ({time.monotonic() - started:.1f} s)")
