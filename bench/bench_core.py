"""Core throughput: Django's ceiling on this machine, and the anonymous start page.

Both run against one gunicorn (2 sync workers, production profile, loopback; see server.py)
with the Python load generator (loadgen.py): 4 connections, a 1 s warm-up, then at most 3000
requests or 10 s. The machine has 2 cores, and the client runs on them too, so the figures are
what gunicorn does while sharing the CPU with its client: lower than on a dedicated server.

Targets, from measurements on the 2-core machine (ceiling about 700 rps, start page about
550 rps, the client using about a third of a core; see bench/README.md):
- ceiling >= 400 rps: well under the measured value so scheduling noise does not flip it, but
  high enough that a middleware doing I/O or a database query on every request (which would
  roughly halve it) turns it into a MISS.
- start page >= 250 rps: a page rendered from templates with a few queries should keep at least
  half of the ceiling; a regression such as an N+1 query or an uncached template tag shows up
  as a MISS long before users notice.
"""

from __future__ import annotations

from harness import Context, benchmark, log
from loadgen import LoadResult, run_load
from server import gunicorn_server

LOAD = {"connections": 4, "max_requests": 3000, "max_seconds": 10, "warmup_seconds": 1}


def measure(ctx: Context, path: str) -> LoadResult:
    server = ctx.use(gunicorn_server)
    result = run_load(server.url(path), **LOAD)
    log(f"{path}: {result.summary()}")
    return result


@benchmark("core.ceiling_rps", unit="rps", op=">=", target=400)
def ceiling_rps(ctx: Context) -> float:
    """A view returning a 4-byte HttpResponse: middleware and gunicorn, nothing else."""
    return measure(ctx, "/__bench__/ping").rps


@benchmark("core.start_page_rps", unit="rps", op=">=", target=250)
def start_page_rps(ctx: Context) -> float:
    """The start page `/`, anonymous, as a visitor first sees it."""
    return measure(ctx, "/").rps
