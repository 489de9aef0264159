"""`make run` serves the demo and runs the worker beside it; stopping make stops both.

It runs the real target (with the installed virtualenv, on a throw-away SQLite file and a free
port on 127.0.0.1), waits until /readyz says the database, the migrations and the worker are
ready, then sends SIGTERM to make, as systemd or a terminal would, and checks that no process of
the group is left. Once per suite: on the SQLite run (the target does not depend on the test
database).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 240  # set-up, migrations and the demo on a slow machine
STOP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="`make run` is tested once, on the SQLite run"
)
def test_make_run_serves_runs_the_worker_and_stops_both(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "forandra.settings.development",
    }
    env.pop("MAKEFLAGS", None)
    log = (tmp_path / "make-run.log").open("wb")
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}", "HOST=127.0.0.1"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so every child can be found
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        ready: dict[str, object] = {}
        while time.monotonic() < deadline and make.poll() is None:
            try:
                status, body = get(base + "/readyz")
            except OSError:
                time.sleep(1)
                continue
            ready = json.loads(body)
            if status == 200:
                break
            time.sleep(1)
        output = (tmp_path / "make-run.log").read_text(errors="replace")
        assert ready.get("status") == "ok", f"not ready: {ready}\n{output[-3000:]}"
        assert ready["checks"]["worker"]["ok"]  # type: ignore[index]
        assert get(base + "/healthz")[0] == 200
        assert get(base + "/")[0] == 200
        assert "demo-koordinator" in output  # the demo logins are printed

        make.send_signal(signal.SIGTERM)
        make.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while group_alive(make.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not group_alive(make.pid), "a process of `make run` is still running"
        with pytest.raises(urllib.error.URLError):  # nothing listens on the port any more
            get(base + "/healthz")
    finally:
        if group_alive(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
        log.close()
