"""Maturity survey: submissions over HTTP, lost responses, the results page, region comparison.

What is measured, and why this way:

- `maturity.submit_rps.<db>`: **complete survey responses per second**, sustained, over HTTP
  against gunicorn (2 sync workers, production profile, loopback; see server.py), on SQLite and on
  PostgreSQL. A response is two requests: the respondent's browser GETs the survey page
  `/survey/<key>/`, which holds the whole form (every statement of every part, the parts shown
  one at a time in the browser) and sets the CSRF cookie and `forandra_survey`, the browser's key
  that lets an open link take one response per browser; then it POSTs every answer at once to the
  same URL, which stores the response and answers with a 302 to `thanks/`. There is no session.
  A real browser does that GET once per response, so counting only the POSTs would credit the
  server with work it did not do: the figure is whole flows. Each virtual respondent (one per
  connection, one after another) starts with an empty cookie jar, GETs the page and POSTs random
  answers (1-5, about 6% "don't know", a random department or none; urlencoded with the CSRF
  token, as the form sends them), and counts once its POST got the 302 to `thanks/`. A real
  browser also follows that redirect (a small page) and fetches the static files (cached after
  the first page); neither is counted, so a browser population gets somewhat fewer responses per
  second than this figure. On stderr, clearly labelled: requests per second, the median (and
  p95) latency of the GET and of the POST, gunicorn's CPU time per response and per request, how
  busy the machine was (other work on it lowers the figure), the site's `CONN_MAX_AGE` (0 would
  mean a new database connection for every request), and the rate of the POSTs alone ("POSTs
  alone", NOT the id's figure: a pool of browsers GETs the page before, untimed, and then each
  sends its POST, so it measures the submission without the page; the pool's GETs per second
  and CPU per GET are on stderr too). Last, the same GET and POST in-process with Django's test
  Client on a round of their own (median wall and CPU time, queries, a cProfile of the POST), to
  tell the server's own time from what gunicorn and HTTP add.
- `maturity.submit_lost`: after the load on each database, the responses the clients saw
  confirmed (302 to `thanks/`, warm-up and POSTs alone included) against the database:
  `Response` rows, `Round.response_count`, the sum of `UnitResponseCount`, per statement the sum
  of `AnswerCount` against the answers stored in the rows, and no browser key in two rows. Plus
  duplicate attempts, each of which must leave exactly one row: two browsers that opened the same
  personal link POSTing at the same moment (15 links); one browser POSTing the open link's form
  twice at the same moment from two connections (a double click, a second tab; 10 browsers);
  then every browser whose answers were confirmed sends the same POST again (personal links and
  open link), and opens the page again and sends new answers. The value is lost + duplicated
  responses (+ the largest counter that disagrees with the rows), summed over both databases; it
  must be 0.
- `maturity.results_ms[.postgres]`: the median of 25 warm renders of the results page
  `/municipalities/<code>/maturity/<pk>/` of a survey round with 20,000 responses (5
  departments), measured **in-process with Django's test Client** (the whole middleware stack and
  template, signed in as a member of the municipality; no HTTP and no gunicorn, so the figure is
  the server's own time). The municipality is Skellefteå in the demo region, so the page also
  compares with the demo's earlier round, its consensus round and the region's other
  municipalities. The 20,000 responses are made with `survey_import`, the product's bulk path, in
  batches of 4,000.
- `maturity.region_ms[.postgres]`: the median of 11 warm calls of
  `selectors.region_comparison` over **290 municipalities** with a survey round each. The
  register's regions have at most 49 municipalities (Västra Götaland) and the comparison covers
  one region, so for the figure all 290 are moved into one region inside a transaction that is
  rolled back afterwards; the comparison for Göteborg in its real region (49) is on stderr, as
  is the whole results page there.
  **Not 580,000 responses**: `survey_import` takes about 0.3-0.6 ms per response on SQLite here,
  more on PostgreSQL (validation, the JSON row, counting), so 290 x 2,000 would take 3-6 minutes
  per database, more than the whole run may. The comparison never reads responses, only
  `AnswerCount` (department x statement x value, summed per round), and those rows stop growing
  after a few hundred respondents. So Göteborg gets 2,000 responses and the other 289
  municipalities 200 each, all distinct, plausible respondents (each municipality its own
  profile per dimension, each respondent a mood, noise per answer, 6% "don't know", reverse
  statements reversed, 5 departments), imported with `survey_import` (the product's bulk path)
  in one batch per municipality. stderr shows the rows this gives: about 1,010 per round
  against 1,150 with 2,000 responses, so 88% of the rows a full data set would have; the counts
  are smaller numbers, which costs the same. The setup time is on stderr.

Targets come from the issue: >= 300 responses/s, 0 lost or duplicated, results page <= 150 ms,
region comparison <= 500 ms. They are not adjusted to what this 2-core machine reaches; read
the MISS lines with the stderr details (CPU per response, per-request latency, profiles).

The `maturity` run takes about 3 minutes here (up to 5.5 when the machine is busy), most of it
making the region data (20-80 s) and two throwaway sites (SQLite, and a PostgreSQL database
`forandra_bench_<pid>` that is dropped at the end; see server.py); per database, the load takes
about 30 s (the pool of browsers for the POSTs alone 10-20 s of it: their GETs cost as much as
the POSTs). The PostgreSQL variants of the
read figures, `maturity.results_ms.postgres` and `maturity.region_ms.postgres`, add about 2
minutes and run only with `BENCH_MATURITY_PG_READS=1`
(`BENCH_MATURITY_PG_READS=1 .venv/bin/python bench/run.py maturity`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from harness import Context, HarnessError, benchmark, log
from loadgen import Browser, Connection, FlowResult, run_flow
from server import (
    Server,
    Site,
    gunicorn_server,
    gunicorn_server_postgres,
    prepared_site,
    prepared_site_postgres,
)

SUBMIT_MUNICIPALITY = "0180"  # Stockholm: no demo data
RESULTS_MUNICIPALITY = "2482"  # Skellefteå: demo rounds 2018-2019, in the demo region
REGION_MUNICIPALITY = "1480"  # Göteborg: in Västra Götaland, the largest region (49)
UNITS = [
    "Socialtjänst",
    "Skola och förskola",
    "Vård och omsorg",
    "Samhällsbyggnad",
    "Kommunledning",
]
RESULTS_RESPONSES = 20_000
RESULTS_BATCH = 4_000
REGION_RESPONSES = 2_000  # Göteborg's round, whose comparison is timed
REGION_IMPORTED = 200  # every other municipality's round (see the module docstring)
REGION_OPENED = date(2026, 3, 1)
TIMED_CALLS = 25  # results page: warm renders timed (after 3 untimed)
REGION_CALLS = 11  # region comparison: warm calls timed (after 2 untimed), at most 30 s
TOKENS = 40  # personal links for the duplicate attempts: 15 raced pairs, the rest spare
RACED = 15
TWINS = 10  # open-link browsers that send their answers twice at the same moment
# The load: at most 1 s of warm-up and 12 s of measurement per database.
CONNECTIONS = 4
FLOW_LOAD = {
    "connections": CONNECTIONS,
    "max_requests": 6000,  # flows
    "max_seconds": 12,
    "warmup_seconds": 1,
    "warmup_requests": 100,
    "timeout": 20,
}
POSTS_ONLY = 1500  # more than 5 s of POSTs at 300/s, the target
POSTS_ONLY_LOAD = {
    "connections": CONNECTIONS,
    "max_requests": POSTS_ONLY,
    "max_seconds": 5,
    "warmup_seconds": 0.5,
    "warmup_requests": 100,
    "timeout": 20,
}
# The pool of browsers for the POSTs alone: each did its GET before (one per POST, warm-up too);
# as many as twice the POSTs the flows' rate suggests (see `posts_only_run`), at most all.
POOL_LOAD = {
    "connections": CONNECTIONS,
    "max_requests": POSTS_ONLY + 100,
    "max_seconds": 90,
    "warmup_seconds": 0,
    "warmup_requests": 0,
    "timeout": 20,
}
PROFILED = 30  # in-process GETs and POSTs timed, then POSTs profiled
# About 6% "don't know", the rest spread over 1-5 (uniform: the load does not depend on values).
ANSWER_CHOICES = [str(v) for v in range(1, 6)] * 3 + ["dk"]


# --- Running code inside the site (a Django process with the site's settings) -------------------


def site_call(site: Site, command: str, timeout: float = 600, **params: Any) -> dict[str, Any]:
    """Run `command` (a function below, `site_<command>`) in a Django process of the site.

    Its progress goes straight to stderr; its result comes back as JSON on stdout.
    """
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", "import bench_maturity; bench_maturity.site_main()"],
            input=json.dumps({"command": command, "params": params}),
            cwd=site.directory,
            env=site.env,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise HarnessError(
            f"site command {command} did not finish within {timeout:.0f} s"
        ) from error
    if done.returncode != 0:
        raise HarnessError(f"site command {command} exited {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"site command {command} took {time.monotonic() - started:.1f} s")
    return result


def site_main() -> None:
    """Entry point of the Django process `site_call` starts."""
    import django

    django.setup()
    request = json.loads(sys.stdin.read())
    function = globals()[f"site_{request['command']}"]
    result = function(**request["params"])
    sys.stdout.write(json.dumps(result) + "\n")


def site_log(message: str) -> None:
    print(f"[bench]   {message}", file=sys.stderr, flush=True)


def _units(municipality: Any) -> list[Any]:
    """The municipality's departments, the first five by name; made (like the demo) if missing."""
    from forandra.municipalities.models import Unit

    units = list(Unit.objects.filter(municipality=municipality).order_by("name")[:5])
    if len(units) < 5:
        taken = {u.name for u in units}
        Unit.objects.bulk_create(
            [Unit(municipality=municipality, name=n) for n in UNITS if n not in taken]
        )
        units = list(Unit.objects.filter(municipality=municipality).order_by("name")[:5])
    return units


def site_survey_setup(code: str, tokens: int) -> dict[str, Any]:
    """An open survey round and one with personal links, for the submissions."""
    from django.conf import settings
    from django.utils import timezone

    from forandra.maturity import selectors, services
    from forandra.maturity.models import Mode
    from forandra.maturity.views import CLIENT_COOKIE
    from forandra.municipalities.models import Municipality

    municipality = Municipality.objects.get(code=code)
    units = _units(municipality)
    today = timezone.localdate()
    open_round = services.round_open(
        municipality=municipality, mode=Mode.SURVEY, title="Bench: open link", opened_on=today
    )
    token_round = services.round_open(
        municipality=municipality, mode=Mode.SURVEY, title="Bench: personal links", opened_on=today
    )
    issued = services.tokens_issue(round_=token_round, count=tokens)
    instrument = selectors.instrument_for(round_=open_round)
    return {
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE", 0),
        "cookies": [settings.CSRF_COOKIE_NAME, CLIENT_COOKIE],
        "open": {"pk": open_round.pk, "link_key": open_round.link_key},
        "personal": {"pk": token_round.pk, "link_key": token_round.link_key, "tokens": issued},
        "units": [u.pk for u in units],
        "statements": [s.key for _d, s in instrument.statements()],
    }


def site_survey_counts(open_pk: int, personal_pk: int) -> dict[str, Any]:
    """What the database holds for the two rounds: rows and every counter kept beside them."""
    from collections import Counter

    from django.db.models import Count, Sum

    from forandra.maturity.models import (
        AnswerCount,
        Response,
        Round,
        SurveyToken,
        UnitResponseCount,
    )

    def of(pk: int) -> dict[str, Any]:
        answered: Counter[str] = Counter()
        rows = 0
        for answers in Response.objects.filter(round_id=pk).values_list("answers", flat=True):
            rows += 1
            answered.update(list(answers))  # "don't know" is counted too, under value 0
        counted = dict(
            AnswerCount.objects.filter(round_id=pk)
            .values("statement_key")
            .annotate(total=Sum("count"))
            .values_list("statement_key", "total")
        )
        keys = set(answered) | set(counted)
        return {
            "rows": rows,
            "response_count": Round.objects.get(pk=pk).response_count,
            "unit_counts": UnitResponseCount.objects.filter(round_id=pk).aggregate(n=Sum("count"))[
                "n"
            ]
            or 0,
            "answer_count_off": max(
                (abs(counted.get(k, 0) - answered.get(k, 0)) for k in keys), default=0
            ),
            "same_browser_twice": Response.objects.filter(round_id=pk)
            .exclude(client_key="")
            .values("client_key")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count(),
            "tokens_used": SurveyToken.objects.filter(round_id=pk, used_at__isnull=False).count(),
            "rows_with_token": Response.objects.filter(round_id=pk, token__isnull=False).count(),
        }

    return {"open": of(open_pk), "personal": of(personal_pk)}


def site_survey_profile(code: str, count: int) -> dict[str, Any]:
    """The survey page's GET and POST in-process (test Client, CSRF checked, the form sent
    urlencoded as a browser does, a new cookie jar per response) on a round of its own: median
    wall and CPU times, queries, and where the POST's time goes."""
    import random
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from forandra.maturity import selectors, services
    from forandra.maturity.models import Mode
    from forandra.municipalities.models import Municipality

    municipality = Municipality.objects.get(code=code)
    units = [""] + [str(u.pk) for u in _units(municipality)]
    round_ = services.round_open(
        municipality=municipality,
        mode=Mode.SURVEY,
        title="Bench: profile",
        opened_on=timezone.localdate(),
    )
    statements = [s.key for _d, s in selectors.instrument_for(round_=round_).statements()]
    url, thanks = f"/survey/{round_.link_key}/", f"/survey/{round_.link_key}/thanks/"
    rng = random.Random(30)  # noqa: S311 (benchmark answers)
    # One Client for all: a new one loads the middleware again (whitenoise reads every static
    # file's headers), which a gunicorn worker does once. Each response gets a fresh cookie jar.
    client = Client(enforce_csrf_checks=True, SERVER_NAME="127.0.0.1")

    def get() -> SimpleCookie:
        """A new browser opens the page; its cookies."""
        client.cookies = SimpleCookie()
        if client.get(url).status_code != 200:
            raise RuntimeError(f"GET {url} is not 200")
        return client.cookies

    def post(cookies: SimpleCookie) -> None:
        client.cookies = cookies
        form = [(k, rng.choice(ANSWER_CHOICES)) for k in statements]
        form += [("unit", rng.choice(units)),
                 ("csrfmiddlewaretoken", cookies[settings.CSRF_COOKIE_NAME].value)]  # fmt: skip
        sent = client.post(url, urlencode(form), "application/x-www-form-urlencoded")
        if sent.status_code != 302 or sent["Location"] != thanks:
            raise RuntimeError(f"POST {url}: HTTP {sent.status_code}")

    def timed(call: Any, calls: int) -> tuple[float, float]:
        """Median wall and CPU milliseconds of `calls` calls."""
        wall, cpu = [], []
        for _ in range(calls):
            started, used = time.perf_counter(), time.process_time()
            call()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        return statistics.median(wall), statistics.median(cpu)

    for _ in range(3):  # warm: templates, the parsed instrument, the cached form parts
        post(get())
    get_ms = timed(get, count)
    pool = [get() for _ in range(2 * count + 1)]
    post_ms = timed(lambda: post(pool.pop()), count)
    return {
        "get_ms": get_ms,
        "post_ms": post_ms,
        "get_queries": _queries(get),
        "post_queries": _queries(lambda: post(pool.pop())),
        "profile": _profile(lambda: post(pool.pop()), count - 1),
    }


def _answer_pool(rng: Any, instrument: Any, size: int) -> list[dict[str, int | None]]:
    """`size` plausible respondents of one municipality: its profile per dimension, each
    respondent's own optimism, noise per answer, 6% "don't know", reverse statements reversed."""
    scale = instrument.scale.size
    step = (scale - 1) / 100
    profile = {d.key: rng.uniform(20, 75) for d in instrument.dimensions}
    statements = [(s.key, profile[d.key], s.reverse) for d, s in instrument.statements()]
    random, gauss = rng.random, rng.gauss
    pool = []
    for _ in range(size):
        mood = gauss(0, 10)
        answers: dict[str, int | None] = {}
        for key, level, reverse in statements:
            if random() < 0.06:
                answers[key] = None
                continue
            value = max(1, min(scale, round(1 + step * (level + mood) + gauss(0, 0.8))))
            answers[key] = scale + 1 - value if reverse else value
        pool.append(answers)
    return pool


def _import(round_: Any, units: list[Any], pool: list[dict[str, int | None]], total: int,
            batch: int, rng: Any) -> None:  # fmt: skip
    """`total` responses from `pool` (in turn), each with a random department, in batches."""
    from forandra.maturity import services

    made = 0
    while made < total:
        size = min(batch, total - made)
        services.survey_import(
            round_=round_,
            responses=[
                services.ImportedResponse(
                    answers=pool[(made + i) % len(pool)], unit=rng.choice(units)
                )
                for i in range(size)
            ],
            on=round_.opened_on,
        )
        made += size


def _member_client(municipality: Any, username: str) -> Any:
    from django.test import Client

    from forandra.accounts import services as account_services
    from forandra.accounts.models import Role

    user = account_services.user_create(
        username=username, password=None, role=Role.MEMBER, municipality=municipality
    )
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _timed_calls(call: Any, calls: int, warm: int = 3, budget: float = 60) -> list[float]:
    """Milliseconds of `calls` warm calls (after `warm` unmeasured ones), within `budget` s."""
    for _ in range(warm):
        call()
    times: list[float] = []
    deadline = time.monotonic() + budget
    while len(times) < calls and time.monotonic() < deadline:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _page(client: Any, url: str, *must_contain: str) -> Any:
    """A GET of `url` that fails unless it is a 200 showing every one of `must_contain`."""

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        text = response.content.decode()
        for part in must_contain:
            if part not in text:
                raise RuntimeError(f"{url}: the page does not show {part!r}")

    return get


def _queries(call: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def _profile(call: Any, repeat: int = 3) -> str:
    """Where `repeat` calls spend their time (cProfile): the product's functions by cumulative
    time, then every function by its own time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    parts = []
    for order, restriction in (("cumulative", "forandra/"), ("tottime", "")):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        stats.print_stats(*([restriction] if restriction else []), 10)
        text = out.getvalue()
        parts.append(f"{repeat} calls by {order}:\n" + text[text.find("   ncalls") :].rstrip())
    return "\n".join(parts)


def site_results(code: str, responses: int, batch: int, calls: int) -> dict[str, Any]:
    """A survey round with `responses` responses; time its results page."""
    import random

    from django.utils import timezone

    from forandra.maturity import selectors, services
    from forandra.maturity.models import Mode
    from forandra.municipalities.models import Municipality

    municipality = Municipality.objects.get(code=code)
    units = _units(municipality)
    started = time.monotonic()
    round_ = services.round_open(
        municipality=municipality,
        mode=Mode.SURVEY,
        title="Bench: results",
        opened_on=timezone.localdate(),
    )
    rng = random.Random(20000)  # noqa: S311 (benchmark answers)
    instrument = selectors.instrument_for(round_=round_)
    pool = _answer_pool(rng, instrument, responses)
    generated = time.monotonic() - started
    _import(round_, units, pool, responses, batch, rng)
    setup = time.monotonic() - started
    site_log(
        f"{responses} responses in batches of {batch} with survey_import: {setup:.1f} s "
        f"({generated:.1f} s of it making the answers)"
    )
    round_.refresh_from_db()
    if round_.response_count != responses:
        raise RuntimeError(f"round has {round_.response_count} responses, not {responses}")
    client = _member_client(municipality, "bench-results")
    url = f"/municipalities/{code}/maturity/{round_.pk}/"
    # The response count and the breakdown by department: the results are really shown.
    get = _page(client, url, f"<dd>{responses}", 'id="units-heading"')
    times = _timed_calls(get, calls)
    parts = {
        "round_result": _timed_calls(lambda: selectors.round_result(round_=round_), 5, warm=1),
        "region_comparison": _timed_calls(
            lambda: selectors.region_comparison(round_=round_), 5, warm=1
        ),
        "unit_breakdown": _timed_calls(lambda: selectors.unit_breakdown(round_=round_), 5, warm=1),
    }
    return {
        "setup_s": setup,
        "times_ms": times,
        "queries": _queries(get),
        "parts_ms": {k: statistics.median(v) for k, v in parts.items()},
        "profile": _profile(get),
    }


def site_region(full: int, each: int, calls: int, code: str) -> dict[str, Any]:
    """A survey round in every municipality; time the comparison.

    The municipality `code` gets `full` responses, every other one `each`, all distinct
    respondents made with `_answer_pool`, imported with `survey_import`.
    """
    import random

    from django.db import transaction
    from django.db.models import Count

    from forandra.maturity import selectors, services
    from forandra.maturity.models import AnswerCount, Mode, Round
    from forandra.municipalities.models import Municipality, Region

    started = time.monotonic()
    rng = random.Random(290)  # noqa: S311 (benchmark answers)
    instrument = None
    municipalities = list(Municipality.objects.order_by("code"))
    rounds: dict[str, Round] = {}
    generating = 0.0
    for index, municipality in enumerate(municipalities, 1):
        units = _units(municipality)
        round_ = services.round_open(
            municipality=municipality,
            mode=Mode.SURVEY,
            title="Bench: region",
            opened_on=REGION_OPENED,
        )
        instrument = instrument or selectors.instrument_for(round_=round_)
        size = full if municipality.code == code else each
        begun = time.monotonic()
        pool = _answer_pool(rng, instrument, size)
        generating += time.monotonic() - begun
        _import(round_, units, pool, size, size, rng)
        rounds[municipality.code] = round_
        if index % 58 == 0:
            elapsed = time.monotonic() - started
            site_log(f"region data: {index} municipalities in {elapsed:.0f} s")
    setup = time.monotonic() - started
    rows = dict(
        AnswerCount.objects.filter(round__in=rounds.values(), count__gt=0)
        .values("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    full_rows = rows[rounds[code].pk]
    each_rows = [n for pk, n in rows.items() if pk != rounds[code].pk]
    site_log(
        f"region data: {len(municipalities) - 1} x {each} + 1 x {full} responses with "
        f"survey_import in {setup:.1f} s ({generating:.1f} s of it making the answers); "
        f"AnswerCount rows per round: {full_rows} with {full} responses, "
        f"{statistics.mean(each_rows):.0f} on average with {each}; {sum(rows.values())} in all"
    )

    # The comparison in its real region (Göteborg: Västra Götaland, 49 municipalities).
    real = Round.objects.select_related("instrument", "municipality").get(pk=rounds[code].pk)
    spreads = selectors.region_comparison(round_=real)
    real_ms = _timed_calls(lambda: selectors.region_comparison(round_=real), 3, warm=1)
    client = _member_client(real.municipality, "bench-region")
    page = _page(client, f"/municipalities/{code}/maturity/{real.pk}/", real.title)
    page_ms = _timed_calls(page, 3, warm=1)
    real_counted = max((s.municipalities for s in spreads.values()), default=0)

    # All 290 in one region, for the figure: moved inside a transaction that is rolled back.
    class RollbackError(Exception):
        pass

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            region = Region.objects.get(code=code[:2])
            Municipality.objects.update(region=region)
            moved = Round.objects.select_related("instrument", "municipality").get(pk=real.pk)
            spreads = selectors.region_comparison(round_=moved)
            counted = max((s.municipalities for s in spreads.values()), default=0)
            if counted < len(municipalities):
                raise RuntimeError(f"the comparison covers {counted} municipalities")
            times = _timed_calls(
                lambda: selectors.region_comparison(round_=moved), calls, warm=2, budget=30
            )
            result = {
                "setup_s": setup,
                "municipalities": counted,
                "times_ms": times,
                "queries": _queries(lambda: selectors.region_comparison(round_=moved)),
                "profile": _profile(lambda: selectors.region_comparison(round_=moved), 1),
                "real_municipalities": real_counted,
                "real_ms": statistics.median(real_ms),
                "real_page_ms": statistics.median(page_ms),
            }
            raise RollbackError
    except RollbackError:
        pass
    if Municipality.objects.filter(region__code=code[:2]).count() == len(municipalities):
        raise RuntimeError("the municipalities were not moved back")
    return result


# --- Survey submissions over HTTP ----------------------------------------------------------------


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds so far (Linux /proc): the whole machine busy, waiting on I/O, and the
    PostgreSQL backends connected to `database` (they serve gunicorn's persistent connections;
    their CPU is not gunicorn's)."""

    busy: float
    iowait: float
    postgres: float

    @classmethod
    def take(cls, database: str | None = None) -> CpuSnapshot:
        tick = os.sysconf("SC_CLK_TCK")
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
        postgres = 0
        for stat in Path("/proc").glob("[0-9]*/stat") if database else ():
            try:
                # A backend's title: "postgres: [<cluster>:] <user> <database> <client> <state>".
                title = (stat.parent / "cmdline").read_bytes().split(b"\0")[0].split()
                if title[:1] != [b"postgres:"] or database.encode() not in title[1:5]:
                    continue
                values = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # a process that ended while we looked
            postgres += int(values[11]) + int(values[12])  # utime, stime
        busy = user + nice + system + irq + softirq + steal
        return cls(busy / tick, iowait / tick, postgres / tick)

    def since(
        self, before: CpuSnapshot, seconds: float, responses: int, database: str | None
    ) -> str:
        cores = os.cpu_count() or 1
        busy = (self.busy - before.busy) / seconds
        text = (
            f"machine CPU busy {busy:.2f} of {cores} cores, I/O wait "
            f"{(self.iowait - before.iowait) / seconds:.2f}"
        )
        postgres = self.postgres - before.postgres
        if postgres > 0 and responses:
            text += f"; PostgreSQL backends {postgres / responses * 1000:.1f} ms CPU per response"
        elif database:
            # Backends that served one request and exited are gone before we look.
            text += "; no PostgreSQL backend of the site outlived the load (closed connections)"
        return text


def survey_post(path: str, statements: list[str], units: list[int], thanks: str) -> dict[str, Any]:
    """The POST of a whole response, as a load generator step: a random answer to every
    statement and a random department (or none), and the 302 to `thanks` it must get."""
    return {
        "method": "POST",
        "path": path,
        "choose": {
            **dict.fromkeys(statements, ANSWER_CHOICES),
            "unit": ["", *map(str, units)],
        },
        "expect": 302,
        "location": thanks,
    }


@dataclass
class Duplicates:
    """The duplicate attempts: what the clients saw."""

    open_confirmed: int = 0  # first submissions on the open link (302 to thanks)
    personal_confirmed: int = 0  # personal-link submissions confirmed
    accepted_twice: int = 0  # a second submission the server confirmed: a duplicate
    notes: str = ""


class Respondent:
    """One browser on the survey page, for the duplicate attempts: its cookie jar, the page's
    URL and the answers it sends."""

    def __init__(
        self, server: Server, path: str, thanks: str, jar: dict[str, str] | None = None
    ) -> None:
        netloc = f"127.0.0.1:{server.port}"
        self.browser = Browser(Connection("127.0.0.1", server.port, 20), netloc, jar)
        self.path, self.thanks = path, thanks
        self.form: list[tuple[str, str]] = []

    def open(self, cookies: list[str]) -> None:
        """GET the page; it must come with the CSRF cookie and the browser's survey key."""
        status, location, _, _ = self.browser.request("GET", self.path)
        missing = [c for c in cookies if c not in self.browser.jar]
        if status != 200 or missing:
            raise HarnessError(f"GET {self.path}: HTTP {status}, Location {location}, "
                               f"cookies missing: {missing}")  # fmt: skip

    def answer(self, statements: list[str], units: list[int], seed: int) -> None:
        """Fill in the form (sent by `submit`): random answers, a random department or none."""
        import random

        rng = random.Random(seed)  # noqa: S311 (benchmark answers)
        self.form = [(k, rng.choice(ANSWER_CHOICES)) for k in statements]
        self.form.append(("unit", rng.choice(["", *map(str, units)])))

    def twin(self, server: Server) -> Respondent:
        """The same browser on another connection (a second tab, a double click)."""
        other = Respondent(server, self.path, self.thanks, self.browser.jar)
        other.form = self.form
        return other

    def submit(self) -> bool:
        """POST the form; True if confirmed (302 to thanks), False if refused (200)."""
        status, location, _, _ = self.browser.request("POST", self.path, self.form)
        if status == 302 and location == self.thanks:
            return True
        if status == 200:
            return False
        raise HarnessError(f"POST {self.path}: HTTP {status}, Location {location}")


def _race(respondents: list[Respondent]) -> list[bool]:
    """Every respondent submits at the same moment (one thread each); what each got back."""
    outcomes: list[bool | None] = [None] * len(respondents)
    errors: list[str] = []
    barrier = threading.Barrier(len(respondents))

    def send(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = respondents[index].submit()
        except Exception as error:  # reported below; the thread must not die silently
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(respondents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors or None in outcomes:
        raise HarnessError(f"raced submissions: {errors[:3] or 'a thread did not finish'}")
    return [bool(o) for o in outcomes]


def duplicate_attempts(server: Server, info: dict[str, Any]) -> Duplicates:
    """Try to answer twice in every way a respondent can; count what the server confirmed."""
    result = Duplicates()
    statements, units, cookies = info["statements"], info["units"], info["cookies"]

    # Personal links, raced: two browsers open the same link and send their answers together.
    base = f"/survey/{info['personal']['link_key']}"
    pairs: list[list[Respondent]] = []
    for n, token in enumerate(info["personal"]["tokens"][:RACED]):
        pair = [Respondent(server, f"{base}/personal/{token}/", f"{base}/thanks/") for _ in "ab"]
        for side, respondent in enumerate(pair):
            respondent.open(cookies)
            respondent.answer(statements, units, n * 2 + side)
        pairs.append(pair)
    # The open link, raced within one browser: the same answers sent twice at the same moment,
    # from two connections with the same cookies (a double click, or a second tab).
    base = f"/survey/{info['open']['link_key']}"
    twins: list[list[Respondent]] = []
    for n in range(TWINS):
        respondent = Respondent(server, f"{base}/", f"{base}/thanks/")
        respondent.open(cookies)
        respondent.answer(statements, units, 500 + n)
        twins.append([respondent, respondent.twin(server)])
    raced = _race([r for group in pairs + twins for r in group])
    outcomes = [raced[i : i + 2] for i in range(0, len(raced), 2)]
    personal, open_ = outcomes[: len(pairs)], outcomes[len(pairs) :]
    result.personal_confirmed = sum(any(o) for o in personal)
    result.open_confirmed = sum(any(o) for o in open_)
    result.accepted_twice = sum(max(0, o.count(True) - 1) for o in outcomes)
    refused_both = sum(not any(o) for o in outcomes)

    # Every browser that got its answers confirmed sends the same POST again, then opens the
    # page again and sends new answers.
    again = 0
    for n, (group, outcome) in enumerate(zip(pairs + twins, outcomes, strict=True)):
        if True not in outcome:
            continue
        winner = group[outcome.index(True)]
        result.accepted_twice += winner.submit()
        status, location, _, _ = winner.browser.request("GET", winner.path)
        if status != 200:
            raise HarnessError(f"GET {winner.path} again: HTTP {status}, Location {location}")
        winner.answer(statements, units, 900 + n)
        result.accepted_twice += winner.submit()
        again += 1
    result.notes = (
        f"{len(pairs)} raced pairs of browsers on one personal link: "
        f"{result.personal_confirmed} confirmed; {len(twins)} open-link browsers sending their "
        f"answers twice at once: {result.open_confirmed} confirmed"
        f"{f'; {refused_both} pairs refused on both sides' if refused_both else ''}; "
        f"then {again} browsers resent the same POST and answered again after a new GET; "
        f"{result.accepted_twice} second submissions confirmed"
    )
    return result


@dataclass
class SubmitRun:
    database: str
    flows: FlowResult
    posts_only: FlowResult | None
    duplicates: Duplicates
    counts: dict[str, Any]
    cpu_per_flow_ms: float

    def lost(self) -> tuple[int, list[str]]:
        """Lost + duplicated responses (+ the worst counter off), with what makes them up."""
        confirmed_open = (
            self.flows.ok
            + self.flows.warmup_ok
            + (self.posts_only.ok + self.posts_only.warmup_ok if self.posts_only else 0)
            + self.duplicates.open_confirmed
        )
        unknown = self.flows.final_unknown + (
            self.posts_only.final_unknown if self.posts_only else 0
        )
        total = 0
        notes = []
        for name, confirmed, unsure in (
            ("open link", confirmed_open, unknown),
            ("personal links", self.duplicates.personal_confirmed, 0),
        ):
            db = self.counts["open" if name == "open link" else "personal"]
            lost = max(0, confirmed - db["rows"])
            duplicated = max(0, db["rows"] - confirmed - unsure) + db["same_browser_twice"]
            off = max(
                abs(db["response_count"] - db["rows"]),
                abs(db["unit_counts"] - db["rows"]),
                db["answer_count_off"],
            )
            if name == "personal links":  # every row has its link, every used link its row
                off = max(
                    off,
                    abs(db["rows_with_token"] - db["rows"]),
                    abs(db["tokens_used"] - db["rows"]),
                )
            total += lost + duplicated + off
            unclear = f" (+{unsure} POSTs without a clear answer)" if unsure else ""
            notes.append(
                f"{self.database} {name}: {confirmed} confirmed{unclear}, {db['rows']} rows, "
                f"response_count {db['response_count']}, departments {db['unit_counts']}, "
                f"AnswerCount off by at most {db['answer_count_off']} -> lost {lost}, "
                f"duplicated {duplicated}, counters off {off}"
            )
        total += self.duplicates.accepted_twice
        notes.append(f"{self.database} duplicate attempts: {self.duplicates.notes}")
        return total, notes


def posts_only_run(
    database: str, server: Server, get: dict[str, Any], post: dict[str, Any], flows: FlowResult
) -> FlowResult | None:
    """The POSTs alone (NOT the id's figure): a pool of browsers does its GET first, untimed;
    then each sends its POST. None if the pool could not be made.

    The pool's GETs take as long as the POSTs, so it is not made bigger than needed: twice the
    POSTs that fit in the phase at the rate the flows suggest (their rate times the share of a
    flow's time the POST takes), plus the warm-up's; if it runs out all the same, the phase ends
    early and stderr says so (the rate stays right, on fewer POSTs).
    """
    get_ms, post_ms = flows.raw["step_p50_ms"]
    rate = flows.flows_per_s * (get_ms + post_ms) / post_ms if post_ms else float("inf")
    seconds = float(POSTS_ONLY_LOAD["max_seconds"] + POSTS_ONLY_LOAD["warmup_seconds"])
    size = min(POOL_LOAD["max_requests"], POSTS_ONLY_LOAD["warmup_requests"] + 2 * rate * seconds)
    cpu_before = server.cpu_seconds()
    pool = run_flow(
        server.url("/"),
        {"steps": [get], "keep_jars": True},
        **{**POOL_LOAD, "max_requests": math.ceil(size)},  # type: ignore[arg-type]
    )
    cpu = server.cpu_seconds() - cpu_before
    jars = pool.raw["jars"]
    log(
        f"{database} pool for the POSTs alone: {len(jars)} browsers did their GET of the page "
        f"in {pool.seconds:.2f} s = {pool.flows_per_s:.1f} page GETs/s, p50 "
        f"{pool.raw['p50_ms']:.1f} ms, p95 {pool.raw['p95_ms']:.1f} ms; "
        f"gunicorn {cpu / max(1, len(jars)) * 1000:.1f} ms CPU per GET"
    )
    if pool.errors or len(jars) < math.ceil(size):
        log(f"{database} pool: {pool.errors} failed GETs, e.g. {pool.raw['error_samples'][:3]}; "
            f"the POSTs alone are not measured")  # fmt: skip
        return None
    cpu_before = server.cpu_seconds()
    posts = run_flow(server.url("/"), {"steps": [post], "jars": jars}, **POSTS_ONLY_LOAD)  # type: ignore[arg-type]
    cpu = server.cpu_seconds() - cpu_before
    sent = posts.ok + posts.warmup_ok
    taken = posts.raw["flows"] + posts.raw["warmup_flows"]
    log(
        f"{database} POSTs alone (each from a browser of the pool, page fetched before; NOT the "
        f"id's figure): {posts.ok} in {posts.seconds:.2f} s = {posts.flows_per_s:.1f} POSTs/s, "
        f"p50 {posts.raw['p50_ms']:.1f} ms, p95 {posts.raw['p95_ms']:.1f} ms"
        + (f"; gunicorn {cpu / sent * 1000:.1f} ms CPU per POST" if sent else "")
        + ("; the pool ran out before the phase's end" if taken >= len(jars) else "")
    )
    if posts.errors:
        log(f"{database} POSTs alone: {posts.errors} failed, "
            f"e.g. {posts.raw['error_samples'][:3]}")  # fmt: skip
    return posts


def submit_run(ctx: Context, database: str, site: Site, server: Server) -> SubmitRun:
    info = site_call(site, "survey_setup", code=SUBMIT_MUNICIPALITY, tokens=TOKENS)
    age = info["conn_max_age"]
    log(
        f"{database}: the site's DATABASES['default']['CONN_MAX_AGE'] is {age}"
        + (": a new database connection for every request" if not age else "")
    )
    base = f"/survey/{info['open']['link_key']}"
    get = {"method": "GET", "path": f"{base}/", "expect": 200}
    post = survey_post(f"{base}/", info["statements"], info["units"], f"{base}/thanks/")
    spec = {"steps": [get, post]}
    url = site.env["DATABASE_URL"].split("?", 1)[0]
    pg_database = url.rsplit("/", 1)[1] if url.startswith("postgres") else None
    cpu_before, started = server.cpu_seconds(), time.monotonic()
    machine_before = CpuSnapshot.take(pg_database)
    flows = run_flow(server.url("/"), spec, **FLOW_LOAD)  # type: ignore[arg-type]
    cpu = server.cpu_seconds() - cpu_before
    machine = CpuSnapshot.take(pg_database).since(
        machine_before, time.monotonic() - started, flows.ok + flows.warmup_ok, pg_database
    )
    log(f"{database} survey responses (GET page + POST answers, a new browser each): "
        f"{flows.summary()}")  # fmt: skip
    get_ms, post_ms = flows.raw["step_p50_ms"]
    get_p95, post_p95 = flows.raw["step_p95_ms"]
    log(f"{database} per request: GET page p50 {get_ms:.1f} ms (p95 {get_p95:.1f}), "
        f"POST answers p50 {post_ms:.1f} ms (p95 {post_p95:.1f})")  # fmt: skip
    log(f"{database} during the responses (warm-up included): {machine}")
    done = flows.ok + flows.warmup_ok
    cpu_per_flow = cpu / done * 1000 if done else 0.0
    if done:
        requests = flows.requests + flows.raw["warmup_flows"] * len(spec["steps"])
        log(
            f"{database}: gunicorn used {cpu_per_flow:.1f} ms CPU per response "
            f"({cpu / requests * 1000:.2f} ms per request, warm-up included): "
            f"{1000 / cpu_per_flow:.0f} responses/s per core it has to itself"
        )
    if flows.errors:
        log(f"{database}: {flows.errors} failed flows, e.g. {flows.raw['error_samples'][:3]}")

    posts_only = None if flows.errors else posts_only_run(database, server, get, post, flows)
    duplicates = duplicate_attempts(server, info)
    counts = site_call(
        site, "survey_counts", open_pk=info["open"]["pk"], personal_pk=info["personal"]["pk"]
    )
    profile = site_call(site, "survey_profile", code=SUBMIT_MUNICIPALITY, count=PROFILED)
    (get_wall, get_cpu), (post_wall, post_cpu) = profile["get_ms"], profile["post_ms"]
    log(
        f"{database} in-process (test Client, no HTTP, no gunicorn), medians: GET page "
        f"{get_wall:.1f} ms ({get_cpu:.1f} ms CPU), {profile['get_queries']} queries; "
        f"POST answers {post_wall:.1f} ms ({post_cpu:.1f} ms CPU), "
        f"{profile['post_queries']} queries"
    )
    log(f"{database} POST answers, profile:\n{profile['profile']}")
    return SubmitRun(database, flows, posts_only, duplicates, counts, cpu_per_flow)


@contextlib.contextmanager
def submit_sqlite(ctx: Context) -> Iterator[SubmitRun]:
    yield submit_run(ctx, "sqlite", ctx.use(prepared_site), ctx.use(gunicorn_server))


@contextlib.contextmanager
def submit_postgres(ctx: Context) -> Iterator[SubmitRun]:
    yield submit_run(
        ctx, "postgres", ctx.use(prepared_site_postgres), ctx.use(gunicorn_server_postgres)
    )


def responses_per_second(run: SubmitRun) -> float:
    if run.flows.errors:
        raise HarnessError(
            f"{run.database}: {run.flows.errors} survey flows failed, "
            f"e.g. {run.flows.raw['error_samples'][:3]}"
        )
    return run.flows.flows_per_s


@benchmark("maturity.submit_rps.sqlite", unit="responses/s", op=">=", target=300)
def submit_rps_sqlite(ctx: Context) -> float:
    """Complete survey responses per second over HTTP, SQLite."""
    return responses_per_second(ctx.use(submit_sqlite))


@benchmark("maturity.submit_rps.postgres", unit="responses/s", op=">=", target=300)
def submit_rps_postgres(ctx: Context) -> float:
    """Complete survey responses per second over HTTP, PostgreSQL."""
    return responses_per_second(ctx.use(submit_postgres))


@benchmark("maturity.submit_lost", unit="responses", op="<=", target=0, precision=0)
def submit_lost(ctx: Context) -> float:
    """Responses lost or duplicated under load and by duplicate attempts, both databases."""
    total = 0
    for fixture in (submit_sqlite, submit_postgres):
        lost, notes = ctx.use(fixture).lost()
        for note in notes:
            log(note)
        total += lost
    return total


# --- Results page and region comparison ----------------------------------------------------------


def results_ms(site: Site, database: str) -> float:
    result = site_call(
        site,
        "results",
        code=RESULTS_MUNICIPALITY,
        responses=RESULTS_RESPONSES,
        batch=RESULTS_BATCH,
        calls=TIMED_CALLS,
    )
    times = sorted(result["times_ms"])
    parts = ", ".join(f"{k} {v:.1f} ms" for k, v in result["parts_ms"].items())
    log(
        f"{database} results page, {RESULTS_RESPONSES} responses, in-process test Client: "
        f"{len(times)} warm renders, median {statistics.median(times):.1f} ms, "
        f"min {times[0]:.1f}, max {times[-1]:.1f}; {result['queries']} queries; "
        f"selectors alone: {parts}; setup {result['setup_s']:.1f} s"
    )
    log(f"{database} results page, profile:\n{result['profile']}")
    return statistics.median(times)


def region_ms(site: Site, database: str) -> float:
    result = site_call(
        site,
        "region",
        full=REGION_RESPONSES,
        each=REGION_IMPORTED,
        calls=REGION_CALLS,
        code=REGION_MUNICIPALITY,
    )
    times = sorted(result["times_ms"])
    log(
        f"{database} region_comparison over {result['municipalities']} municipalities "
        f"(AnswerCount as for {REGION_RESPONSES} responses each, see the module docstring): "
        f"{len(times)} warm calls, median {statistics.median(times):.1f} ms, "
        f"min {times[0]:.1f}, max {times[-1]:.1f}; {result['queries']} queries; "
        f"setup {result['setup_s']:.1f} s"
    )
    log(
        f"{database} in its real region ({result['real_municipalities']} municipalities, "
        f"Västra Götaland): region_comparison median {result['real_ms']:.1f} ms, whole results "
        f"page (test Client) median {result['real_page_ms']:.1f} ms"
    )
    log(f"{database} region_comparison over 290, profile:\n{result['profile']}")
    return statistics.median(times)


@benchmark("maturity.results_ms", unit="ms", op="<=", target=150)
def results_ms_sqlite(ctx: Context) -> float:
    """Results page of a round with 20,000 responses, SQLite, warm median."""
    return results_ms(ctx.use(prepared_site), "sqlite")


@benchmark("maturity.region_ms", unit="ms", op="<=", target=500)
def region_ms_sqlite(ctx: Context) -> float:
    """region_comparison over 290 municipalities x 2,000 responses, SQLite, warm median."""
    return region_ms(ctx.use(prepared_site), "sqlite")


def results_ms_postgres(ctx: Context) -> float:
    """Results page of a round with 20,000 responses, PostgreSQL, warm median."""
    return results_ms(ctx.use(prepared_site_postgres), "postgres")


def region_ms_postgres(ctx: Context) -> float:
    """region_comparison over 290 municipalities x 2,000 responses, PostgreSQL, warm median."""
    return region_ms(ctx.use(prepared_site_postgres), "postgres")


# The PostgreSQL variants of the two read figures add about 2 minutes (mostly making the region
# data), which takes the `maturity` run past 6 minutes on a busy machine: they run only when
# asked for with BENCH_MATURITY_PG_READS=1.
if os.environ.get("BENCH_MATURITY_PG_READS") == "1":
    benchmark("maturity.results_ms.postgres", unit="ms", op="<=", target=150)(results_ms_postgres)
    benchmark("maturity.region_ms.postgres", unit="ms", op="<=", target=500)(region_ms_postgres)
