"""The region: the dashboard of the largest region and the national view, over a national
dataset.

- `region.dashboard_ms`: the median of 15 warm renders (after 3 untimed ones) of the dashboard
  `/regions/14/overview/` of Västra Götaland, the region with the most municipalities (49), as
  its coordinator, who sees every municipality's data: participation, the maturity heatmap
  (49 municipalities x the instrument's dimensions, with the change since the baseline), the
  waves matrix, the plans' figures and the most copied ideas.
- `region.national_ms`: the same for the national view `/national/` as an admin: 21 regions,
  290 municipalities, the median maturity of each region, its plans, budget and initiatives.

Both are measured **in-process with Django's test Client** (the whole middleware stack and the
template, signed in; no HTTP and no gunicorn, so the figure is the server's own time), in a
throwaway site: a temporary directory with a SQLite database (migrated, the register loaded;
`benchsite.settings`, the production profile, so templates are cached and DEBUG is off; the
static files collected for its manifest storage), and
the national dataset of `region_data.py` (seed 20260301): 290 municipalities with a group,
three maturity rounds each (2,000 survey responses in all, about one survey in five below the
minimum group size), 100 ideas and a plan each, placements and publications. "Warm" means the
process has rendered the page before, so the maturity scores are in the cache (the selectors
score every round in one batch when they are not: stderr shows the first, cold render too).

stderr shows what the dataset holds and how long it took to make, each page's queries (the
same whatever the number of municipalities, asserted in tests/regional), its size, the
times (min, max), the median CPU time, and a cProfile of the dashboard by cumulative time.

Targets from the issue: each <= 300 ms. With `BENCH_REGION_PG=1` the same two figures are also
measured on PostgreSQL (`region.dashboard_ms.postgres`, `region.national_ms.postgres`; a
database `forandra_bench_region_<pid>` made and dropped on the server of server.py). The SQLite
run takes 1.5-5 minutes (the longer on a busy machine), most of it migrating and making the
data.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import Context, HarnessError, benchmark, log, timed
from server import Site, finish, postgres_database, site_env, start

SEED = 20260301
WARM = 3
RUNS = 15
TIMEOUT_S = 900
LARGEST_REGION = "14"  # Västra Götaland: 49 municipalities

MEASURE = """
import json, statistics, sys, time
import django
from django.core.management import call_command
django.setup()
call_command("migrate", interactive=False, verbosity=0)
call_command("register_load", verbosity=0)

import region_data
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from forandra.accounts import services as account_services
from forandra.accounts.models import Role
from forandra.municipalities.models import Region

seed, warm, runs, code = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
summary = region_data.build(seed=seed)
sys.stdin.readline()  # the harness says when the static files are collected
region = Region.objects.get(code=code)
coordinator = account_services.user_create(
    username="bench-coordinator", password=None, role=Role.COORDINATOR, region=region
)
admin = account_services.user_create(username="bench-admin", password=None, role=Role.ADMIN)


def client_for(user):
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def measure(user, url, must_contain):
    client = client_for(user)

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return response

    started = time.perf_counter()
    first = get()
    cold_ms = (time.perf_counter() - started) * 1000
    text = first.content.decode()
    for part in must_contain:
        if part not in text:
            raise RuntimeError(f"{url}: the page does not show {part!r}")
    for _ in range(warm - 1):
        get()
    times, cpu = [], []
    for _ in range(runs):
        started, process = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - process) * 1000)
    with CaptureQueriesContext(connection) as captured:
        get()
    return {
        "times_ms": times,
        "median_ms": statistics.median(times),
        "cpu_median_ms": statistics.median(cpu),
        "cold_ms": cold_ms,
        "queries": len(captured),
        "bytes": len(first.content),
    }


def profile(user, url):
    import cProfile, io, pstats
    client = client_for(user)
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats("forandra/", 12)
    text = out.getvalue()
    return text[text.find("   ncalls"):].rstrip()


municipalities = region.municipalities.count()
figures = {
    "summary": summary.as_dict(),
    "municipalities": municipalities,
    "dashboard": measure(
        coordinator, f"/regions/{code}/overview/", [region.name, 'id="maturity-caption"']
    ),
    "national": measure(admin, "/national/", ['id="regions-caption"', region.name]),
    "profile": profile(coordinator, f"/regions/{code}/overview/"),
}
print(json.dumps(figures))
"""


def _run(site: Site, database: str) -> dict[str, Any]:
    # The production profile's manifest storage needs the static files collected to render a
    # page; collectstatic runs while the data is made, and the pages wait for it (stdin).
    collect = start(
        site,
        [sys.executable, "-m", "forandra.cli", "collectstatic", "--no-input", "--verbosity", "0"],
    )
    measure = subprocess.Popen(
        [sys.executable, "-c", MEASURE, str(SEED), str(WARM), str(RUNS), LARGEST_REGION],
        cwd=site.directory,
        env=site.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with timed(f"region ({database}): static files collected"):
            finish(collect, "collectstatic")
        with timed(f"region ({database}): site made, national data built, pages timed"):
            output, _ = measure.communicate("collected\n", timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        raise HarnessError(f"the region run did not finish within {TIMEOUT_S} s") from error
    finally:
        for process in (collect, measure):
            if process.poll() is None:
                process.kill()
                process.communicate()
    lines = output.strip().splitlines()
    if measure.returncode != 0 or not lines or not lines[-1].startswith("{"):
        sys.stderr.write(output)
        raise HarnessError(f"the region run exited {measure.returncode}")
    # Everything but the request log, one line per request.
    quiet = [line for line in lines[:-1] if "forandra.requests" not in line]
    sys.stderr.write("".join(f"{line}\n" for line in quiet))
    figures: dict[str, Any] = json.loads(lines[-1])
    data = figures["summary"]
    log(
        f"{database} national data (seed {SEED}) in {data['seconds']:.1f} s: "
        f"{data['regions']} regions, {data['municipalities']} municipalities, "
        f"{data['groups']} groups ({data['members']} members), {data['rounds']} rounds "
        f"({data['survey_responses']} survey responses; {data['surveys_below_minimum']} surveys "
        f"below the minimum), {data['ideas']} ideas ({data['shared']} shared, "
        f"{data['copies']} copies), {data['plans']} plans ({data['versions']} versions, "
        f"{data['initiatives']} initiatives, {data['budget_lines']} budget lines), "
        f"{data['placements']} placements"
    )
    if data["municipalities"] != 290 or data["survey_responses"] != 2000:
        raise HarnessError("the dataset is not the national one")
    for page, what in (
        ("dashboard", f"dashboard of region {LARGEST_REGION} ({figures['municipalities']} "
                      "municipalities) as its coordinator"),
        ("national", "national view as an admin"),
    ):  # fmt: skip
        part = figures[page]
        times = sorted(part["times_ms"])
        log(
            f"{database} {what}, in-process test Client: {len(times)} warm renders, median "
            f"{part['median_ms']:.1f} ms (CPU {part['cpu_median_ms']:.1f} ms), min "
            f"{times[0]:.1f}, max {times[-1]:.1f}; first (cold) render {part['cold_ms']:.0f} ms; "
            f"{part['queries']} queries; {part['bytes'] / 1024:.0f} KB"
        )
    log(f"{database} dashboard, 3 renders by cumulative time:\n{figures['profile']}")
    return figures


@contextlib.contextmanager
def region_figures(ctx: Context) -> Iterator[dict[str, Any]]:
    """Both pages timed once per run, on SQLite, in a site of their own."""
    with tempfile.TemporaryDirectory(prefix="forandra-bench-region-") as tmp:
        directory = Path(tmp)
        yield _run(Site(directory, site_env(directory)), "sqlite")


@contextlib.contextmanager
def region_figures_postgres(ctx: Context) -> Iterator[dict[str, Any]]:
    """The same on PostgreSQL: a database of its own, dropped at the end."""
    with (
        tempfile.TemporaryDirectory(prefix="forandra-bench-region-pg-") as tmp,
        postgres_database(f"forandra_bench_region_{os.getpid()}") as url,
    ):
        directory = Path(tmp)
        yield _run(Site(directory, site_env(directory, url)), "postgres")


@benchmark("region.dashboard_ms", unit="ms", op="<=", target=300)
def dashboard_ms(ctx: Context) -> float:
    """The largest region's dashboard as its coordinator, SQLite, warm median."""
    return float(ctx.use(region_figures)["dashboard"]["median_ms"])


@benchmark("region.national_ms", unit="ms", op="<=", target=300)
def national_ms(ctx: Context) -> float:
    """The national view as an admin, SQLite, warm median."""
    return float(ctx.use(region_figures)["national"]["median_ms"])


def dashboard_ms_postgres(ctx: Context) -> float:
    """The largest region's dashboard as its coordinator, PostgreSQL, warm median."""
    return float(ctx.use(region_figures_postgres)["dashboard"]["median_ms"])


def national_ms_postgres(ctx: Context) -> float:
    """The national view as an admin, PostgreSQL, warm median."""
    return float(ctx.use(region_figures_postgres)["national"]["median_ms"])


if os.environ.get("BENCH_REGION_PG") == "1":
    benchmark("region.dashboard_ms.postgres", unit="ms", op="<=", target=300)(dashboard_ms_postgres)
    benchmark("region.national_ms.postgres", unit="ms", op="<=", target=300)(national_ms_postgres)
