"""Fixtures: a prepared throwaway site and gunicorn serving it on loopback.

`prepared_site` makes a temporary directory with a SQLite database (migrated, register and demo
loaded) and collected static files, all with the benchmark settings (`benchsite.settings`, the
production profile; see there why). `gunicorn_server` serves that site with 2 sync workers on
127.0.0.1 on a free port and stops it, and every process it started, at the end of the run.

`prepared_site_postgres` and `gunicorn_server_postgres` are the same on PostgreSQL: a database
`forandra_bench_<pid>` created on the server at `BENCH_POSTGRES_URL` (default
`postgres://postgres@127.0.0.1:5432`, trust authentication) and dropped at the end of the run.

Use them from a benchmark with `ctx.use(gunicorn_server)`; one server serves every benchmark of
the run. Nothing here writes outside the temporary directory (and the PostgreSQL database it
creates): gunicorn's control socket (new in gunicorn 25.1, by default in ~/.gunicorn/) is
switched off.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness import Context, HarnessError, log, timed

BENCH_DIR = Path(__file__).resolve().parent
SETTINGS = "benchsite.settings"
WORKERS = 2


@dataclass(frozen=True)
class Site:
    directory: Path
    env: dict[str, str]


@dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn's arbiter and workers (Linux /proc).

        Unlike requests per second, CPU per request hardly changes when other work competes
        for the cores, so it tells a slower server apart from a busier machine.
        """
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # a process that ended while we looked
            pid, ppid = int(stat.parent.name), int(fields[1])
            if self.pid in (pid, ppid):
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick


POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def site_env(directory: Path, database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH_DIR), env.get("PYTHONPATH")])),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url or f"sqlite:///{directory / 'bench.sqlite3'}",
        STATIC_ROOT=str(directory / "static"),
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


# `forandra migrate`, `forandra register_load`, `forandra demo` in one process: the same
# commands, without paying Django's start-up three times.
LOAD_DATA = """
import django
from django.core.management import call_command
django.setup()
call_command("migrate", interactive=False, verbosity=0)
call_command("register_load")
call_command("demo")
"""


def start(site: Site, command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        cwd=site.directory,  # settings read `.env` from the working directory: keep it empty
        env=site.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str], what: str) -> None:
    """Wait for a preparation step; its output goes to stderr."""
    try:
        output, _ = process.communicate(timeout=300)
    except subprocess.TimeoutExpired as error:
        process.kill()
        process.communicate()
        raise HarnessError(f"{what} did not finish within 300 s") from error
    sys.stderr.write(output)
    if process.returncode != 0:
        raise HarnessError(f"{what} exited {process.returncode}")


def prepare(site: Site) -> None:
    """Migrate, load the register and the demo, and collect the static files."""
    with timed(f"site prepared in {site.directory}: migrate, register_load, demo, collectstatic"):
        # collectstatic needs no database: it runs alongside the data steps.
        steps = [
            (start(site, [sys.executable, "-c", LOAD_DATA]), "migrate/register_load/demo"),
            (
                start(site, [sys.executable, "-m", "forandra.cli", "collectstatic",
                             "--no-input", "--verbosity", "0"]),
                "collectstatic",
            ),
        ]  # fmt: skip
        try:
            for process, what in steps:
                finish(process, what)
        finally:
            for process, _ in steps:
                if process.poll() is None:
                    process.kill()
                    process.wait()


@contextlib.contextmanager
def prepared_site(ctx: Context) -> Iterator[Site]:
    with tempfile.TemporaryDirectory(prefix="forandra-bench-") as tmp:
        directory = Path(tmp)
        site = Site(directory, site_env(directory))
        prepare(site)
        yield site


def postgres_admin(sql: str) -> None:
    """Run one statement on the server's `postgres` database (autocommit: CREATE/DROP DATABASE)."""
    import psycopg  # only the PostgreSQL fixtures need it

    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A fresh database `name` on the benchmark's PostgreSQL server; dropped on exit."""
    try:
        postgres_admin(f'CREATE DATABASE "{name}"')
    except Exception as error:
        raise HarnessError(
            f"cannot create PostgreSQL database {name} at {POSTGRES_URL}: {error}"
        ) from error
    log(f"PostgreSQL database {name} created at {POSTGRES_URL}")
    try:
        yield f"{POSTGRES_URL}/{name}"
    finally:
        # FORCE ends connections left open (e.g. by a process killed in the middle).
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"PostgreSQL database {name} dropped")


@contextlib.contextmanager
def prepared_site_postgres(ctx: Context) -> Iterator[Site]:
    with (
        tempfile.TemporaryDirectory(prefix="forandra-bench-pg-") as tmp,
        postgres_database(f"forandra_bench_{os.getpid()}") as url,
    ):
        directory = Path(tmp)
        site = Site(directory, site_env(directory, url))
        prepare(site)
        yield site


def get_status(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


@contextlib.contextmanager
def gunicorn_server(ctx: Context) -> Iterator[Server]:
    """gunicorn serving the SQLite site."""
    with serve(ctx.use(prepared_site)) as server:
        yield server


@contextlib.contextmanager
def gunicorn_server_postgres(ctx: Context) -> Iterator[Server]:
    """gunicorn serving the PostgreSQL site."""
    with serve(ctx.use(prepared_site_postgres)) as server:
        yield server


@contextlib.contextmanager
def serve(site: Site) -> Iterator[Server]:
    # Bind the listening socket here and hand it to gunicorn (fd://): a free port without the
    # race of "find a free port, close it, hope gunicorn gets it".
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    log_path = site.directory / "gunicorn.log"
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"fd://{listener.fileno()}",
        "--workers", str(WORKERS),
        "--worker-class", "sync",
        "--no-control-socket",
        "--graceful-timeout", "5",
        "--log-level", "warning",
        "forandra.wsgi:application",
    ]  # fmt: skip
    with open(log_path, "w") as log_file:
        # A session of its own: teardown can signal gunicorn's whole process group.
        process = subprocess.Popen(
            command,
            cwd=site.directory,
            env=site.env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
            start_new_session=True,
        )
    listener.close()
    try:
        with timed(f"gunicorn pid {process.pid}: {WORKERS} sync workers on 127.0.0.1:{port}"):
            wait_until_ready(process, port, log_path)
        yield Server(port, process.pid)
    finally:
        stop(process)
        log(f"gunicorn pid {process.pid} stopped")


def wait_until_ready(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HarnessError(
                f"gunicorn exited {process.returncode} at start:\n{log_path.read_text()}"
            )
        if get_status(port, "/__bench__/ping") == 200:
            return
        time.sleep(0.1)
    raise HarnessError(f"gunicorn did not answer within 60 s:\n{log_path.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn (TERM: graceful), then make sure no process of its group is left."""
    group = process.pid  # start_new_session: the group id is gunicorn's pid
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log(f"gunicorn pid {process.pid} ignored TERM; killing its process group")
            os.killpg(group, signal.SIGKILL)
            process.wait(timeout=5)
    # Workers exit with the arbiter; wait briefly for stragglers, then kill what is left.
    for _ in range(50):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    log(f"processes of gunicorn's group {group} outlived it; killing them")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
