"""Core throughput: Django's ceiling on this machine, and the anonymous start page.

Both run against one gunicorn (2 sync workers, production profile, loopback; see server.py)
with the Python load generator (loadgen.py): 4 connections, a 1 s warm-up, then at most 3000
requests or 10 s. The machine has 2 cores, and the client runs on them too, so the figures are
what gunicorn does while sharing the CPU with its client: lower than on a dedicated server.

Targets, from about 15 runs on this 2-core machine while other sessions' test runs (pytest with
Chromium) came and went. Quiet runs: ceiling 1190-1380 rps, start page 350-425 rps; runs beside
a busy test run: ceiling 130-790, start page 65-270. gunicorn's CPU per request (on stderr) is
steadier: 1.2-2.0 ms for the ceiling, 3.7-6.3 ms for the start page, about three times as much.
- ceiling >= 600 rps: about half of a quiet run. Scheduling noise does not flip it on a quiet
  machine; a change that doubles the cost of every request (middleware doing real work) does.
- start page >= 200 rps: again about half of a quiet run, and a third of the ceiling target,
  the ratio of their CPU costs; a start page or base layout that gets twice as expensive
  (queries per item, a costly template tag or context processor) is a MISS.
The margins are wide because the machine is shared; for smaller regressions compare the CPU per
request on stderr between runs. On a busy machine both can MISS: that is the honest result;
rerun when it is quiet (the load average before the run is on stderr).
"""

from __future__ import annotations

from harness import Context, benchmark, log
from loadgen import LoadResult, run_load
from server import gunicorn_server

LOAD = {"connections": 4, "max_requests": 3000, "max_seconds": 10, "warmup_seconds": 1}


def measure(ctx: Context, path: str) -> LoadResult:
    server = ctx.use(gunicorn_server)
    cpu_before = server.cpu_seconds()
    result = run_load(server.url(path), **LOAD)
    cpu = server.cpu_seconds() - cpu_before
    log(f"{path}: {result.summary()}")
    served = result.ok + result.warmup_requests
    if cpu > 0:
        log(
            f"{path}: gunicorn used {cpu / served * 1000:.2f} ms CPU per request "
            f"(warm-up included): {served / cpu:.0f} rps per core it has to itself"
        )
    return result


@benchmark("core.ceiling_rps", unit="rps", op=">=", target=600)
def ceiling_rps(ctx: Context) -> float:
    """A view returning a 4-byte HttpResponse: middleware and gunicorn, nothing else."""
    return measure(ctx, "/__bench__/ping").rps


@benchmark("core.start_page_rps", unit="rps", op=">=", target=200)
def start_page_rps(ctx: Context) -> float:
    """The start page `/`, anonymous, as a visitor first sees it."""
    return measure(ctx, "/").rps
