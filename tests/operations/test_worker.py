"""`forandra worker`: runs tasks, keeps a heartbeat, stops cleanly on SIGTERM.

The worker runs as a real subprocess against a SQLite file; tasks are put in its queue by
writing the rows django-tasks-db would write. `tests.operations.tasks.slow` leaves a `started`
and a `done` mark in a folder, so a test knows when the task is in hand.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from forandra.core.models import WorkerHeartbeat
from forandra.core.worker import requeue_orphans

from .conftest import ROOT, command_env, sqlite_url

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WAIT = 30  # seconds any one step may take before the test fails


def sql_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def enqueue(db: Path, folder: Path, seconds: float) -> str:
    """Queue `slow(folder, seconds)` as django-tasks-db's DatabaseBackend would."""
    task_id = uuid.uuid4().hex
    with sqlite3.connect(db, timeout=20) as conn:
        conn.execute(
            "INSERT INTO django_tasks_database_dbtaskresult (id, args_kwargs, priority, "
            "task_path, queue_name, backend_name, run_after, enqueued_at, exception_class_path, "
            "traceback, worker_ids, status) VALUES (?, ?, 0, ?, 'default', 'default', "
            "'9999-01-01 00:00:00', ?, '', '', '[]', 'READY')",
            (
                task_id,
                json.dumps({"args": [str(folder), seconds], "kwargs": {}}),
                "tests.operations.tasks.slow",
                sql_time(datetime.now(UTC)),
            ),
        )
    return task_id


def status(db: Path, task_id: str) -> str:
    with sqlite3.connect(db, timeout=20) as conn:
        row = conn.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?", (task_id,)
        ).fetchone()
    return str(row[0])


def heartbeats(db: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(db, timeout=20) as conn:
        rows = conn.execute(
            "SELECT worker_id, seen_at, stopped_at FROM core_workerheartbeat ORDER BY id"
        ).fetchall()
    return [(str(a), str(b), c) for a, b, c in rows]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def start_worker(sqlite_db: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "forandra.cli",
                "worker",
                "--interval=0.1",
                "--no-startup-delay",
                "--heartbeat=0.2",
                *args,
            ],
            env=command_env(sqlite_url(sqlite_db)),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        wait_for(lambda: bool(heartbeats(sqlite_db)) or process.poll() is not None, "a heartbeat")
        assert process.poll() is None, process.communicate()[0]
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=WAIT)


def stop(process: subprocess.Popen[str], *signals: signal.Signals) -> tuple[int, str]:
    for number in signals:
        process.send_signal(number)
        time.sleep(0.2)
    output = process.communicate(timeout=WAIT)[0]
    return process.returncode, output


def test_the_worker_runs_a_task_beats_and_marks_itself_stopped(
    sqlite_db: Path, tmp_path: Path, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    worker = start_worker()
    task = enqueue(sqlite_db, tmp_path, 0)

    wait_for(lambda: status(sqlite_db, task) == "SUCCESSFUL", "the task to succeed")
    first_seen = heartbeats(sqlite_db)[0][1]
    wait_for(lambda: heartbeats(sqlite_db)[0][1] > first_seen, "a later heartbeat")
    assert heartbeats(sqlite_db)[0][2] is None  # running
    code, output = stop(worker, signal.SIGTERM)

    assert code == 0, output
    [(_worker_id, _seen, stopped_at)] = heartbeats(sqlite_db)
    assert stopped_at is not None


def test_sigterm_lets_the_task_in_hand_finish_and_takes_no_new_one(
    sqlite_db: Path, tmp_path: Path, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    worker = start_worker("--stop-grace=20")
    in_hand = enqueue(sqlite_db, tmp_path, 3)
    wait_for(lambda: (tmp_path / "started").exists(), "the task to start")
    waiting = enqueue(sqlite_db, tmp_path / "never", 0)

    code, output = stop(worker, signal.SIGTERM)

    assert code == 0, output
    assert status(sqlite_db, in_hand) == "SUCCESSFUL"
    assert (tmp_path / "done").read_text() == "x\n"
    assert status(sqlite_db, waiting) == "READY"


@pytest.mark.parametrize(
    ("grace", "signals"),
    [
        pytest.param("0.3", (signal.SIGTERM,), id="grace-over"),
        pytest.param("20", (signal.SIGTERM, signal.SIGINT), id="second-signal"),
    ],
)
def test_a_task_stopped_before_its_end_goes_back_to_the_queue(
    sqlite_db: Path,
    tmp_path: Path,
    start_worker: Callable[..., subprocess.Popen[str]],
    grace: str,
    signals: tuple[signal.Signals, ...],
) -> None:
    worker = start_worker(f"--stop-grace={grace}")
    task = enqueue(sqlite_db, tmp_path, 60)
    wait_for(lambda: (tmp_path / "started").exists(), "the task to start")
    began = time.monotonic()

    code, output = stop(worker, *signals)

    assert code == 0, output
    assert time.monotonic() - began < 10
    assert status(sqlite_db, task) == "READY"  # not FAILED: the next worker runs it again
    assert not (tmp_path / "done").exists()
    assert "put back in the queue" in output


def test_a_new_worker_reruns_a_task_its_killed_predecessor_left_running(
    sqlite_db: Path, tmp_path: Path, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    killed = start_worker()
    task = enqueue(sqlite_db, tmp_path, 60)
    wait_for(lambda: (tmp_path / "started").exists(), "the task to start")
    killed.kill()  # SIGKILL: no chance to clean up, as when systemd's stop timeout runs out
    killed.communicate(timeout=WAIT)
    assert status(sqlite_db, task) == "RUNNING"
    with sqlite3.connect(sqlite_db) as conn:  # its heartbeat has gone stale
        stale = sql_time(datetime.now(UTC) - timedelta(minutes=10))
        conn.execute("UPDATE core_workerheartbeat SET seen_at = ?", (stale,))
    (tmp_path / "started").unlink()

    worker = start_worker("--stop-grace=0")

    wait_for(lambda: (tmp_path / "started").exists(), "the task to start again")
    code, _output = stop(worker, signal.SIGTERM)
    assert code == 0
    assert status(sqlite_db, task) == "READY"


# --- In the test database ---------------------------------------------------------------------


def running_task(worker_id: str) -> DBTaskResult:
    from tests.operations.tasks import slow

    with override_settings(TASKS=DATABASE_TASKS):
        result = slow.enqueue("/nonexistent", 0)
    task = DBTaskResult.objects.get(pk=result.id)
    task.claim(worker_id)
    return task


def beat(worker_id: str, *, age: float, stopped: bool = False) -> None:
    seen = timezone.now() - timedelta(seconds=age)
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        pid=1,
        started_at=seen,
        seen_at=seen,
        stopped_at=seen if stopped else None,
    )


@pytest.mark.django_db
def test_only_tasks_of_stopped_or_silent_workers_go_back_to_the_queue() -> None:
    beat("alive", age=5)
    beat("silent", age=301)
    beat("stopped", age=1, stopped=True)
    tasks = {name: running_task(name) for name in ("alive", "silent", "stopped", "db_worker")}

    assert requeue_orphans(max_age=300) == 2

    states = {name: DBTaskResult.objects.get(pk=task.pk).status for name, task in tasks.items()}
    assert states == {
        "alive": "RUNNING",
        "silent": "READY",
        "stopped": "READY",
        # Claimed by a worker without heartbeats (django-tasks-db's own): left alone.
        "db_worker": "RUNNING",
    }
