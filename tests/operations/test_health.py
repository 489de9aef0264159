"""/healthz, /readyz and `forandra check`: a stopped worker and an unmigrated database are
reported as such, with the right status codes and exit statuses."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings
from django.utils import timezone, translation

from forandra.core.models import WorkerHeartbeat

from .conftest import forandra, sqlite_url

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def beat(*, age: float, stopped: bool = False, worker_id: str = "w1") -> None:
    seen = timezone.now() - timedelta(seconds=age)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "pid": 4242,
            "hostname": "app1",
            "started_at": seen,
            "seen_at": seen,
            "stopped_at": seen if stopped else None,
        },
    )


def readyz(client: Client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(
    client: Client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_probes_answer_head_requests_without_a_body(client: Client) -> None:
    for path in ("/healthz", "/readyz"):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b"", path


@pytest.mark.django_db
def test_readyz_is_ready_with_every_check_when_the_worker_beats(client: Client) -> None:
    beat(age=3)

    with override_settings(TASKS=DATABASE_TASKS):
        code, body = readyz(client)

    assert code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0}
    assert body["checks"]["worker"]["ok"] is True
    assert body["checks"]["worker"]["age_seconds"] in (3, 4)
    assert "app1" not in json.dumps(body) and "4242" not in json.dumps(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("heartbeat", "why"),
    [
        pytest.param(None, "no worker is running", id="never-started"),
        pytest.param({"age": 2, "stopped": True}, "no worker is running", id="stopped"),
        pytest.param({"age": 301}, "the worker was last seen 30", id="silent"),
    ],
)
def test_readyz_and_check_report_a_worker_that_is_not_running(
    client: Client, heartbeat: dict | None, why: str
) -> None:
    if heartbeat is not None:
        beat(**heartbeat)

    with override_settings(TASKS=DATABASE_TASKS, READY_WORKER_MAX_AGE=300):
        code, body = readyz(client)
        with pytest.raises(CommandError) as failed, translation.override("en"):
            call_command("check", stdout=(out := _Capture()))

    assert code == 503
    assert body["status"] == "fail"
    assert body["failing"] == ["worker"]
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert failed.value.returncode == 1
    assert "worker" in str(failed.value)
    assert f"worker: FAILED, {why}" in out.text
    assert "migrations: ok" in out.text


@pytest.mark.django_db
def test_readyz_needs_no_worker_when_tasks_run_at_once(client: Client) -> None:
    code, body = readyz(client)  # the test settings: the immediate backend

    assert code == 200
    assert body["checks"]["worker"] == {"ok": True, "needed": False}


@pytest.mark.django_db
def test_readyz_and_check_report_unapplied_migrations(client: Client) -> None:
    beat(age=1)
    MigrationRecorder.Migration.objects.filter(app="core", name="0001_initial").delete()

    with override_settings(TASKS=DATABASE_TASKS):
        code, body = readyz(client)
        with pytest.raises(CommandError), translation.override("en"):
            call_command("check", "--no-worker", stdout=(out := _Capture()))

    assert code == 503
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"] == {"ok": False, "unapplied": 1}
    assert "migrations: FAILED, 1 migration not applied (core.0001_initial)" in out.text


@pytest.mark.django_db
def test_readyz_reports_a_database_that_does_not_answer_without_its_error(client: Client) -> None:
    secret = "password authentication failed for user forandra at db.internal"
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError(secret)):
        code, body = readyz(client)

    assert code == 503
    assert body["failing"] == ["database", "migrations", "worker"]
    assert secret not in json.dumps(body)


@pytest.mark.django_db
def test_check_passes_when_ready_and_keeps_djangos_own_options(settings) -> None:
    with translation.override("en"):
        call_command("check", "--no-worker", stdout=(out := _Capture()))
    assert "database: ok" in out.text and "Ready." in out.text

    # Narrowed to Django's deployment checks, it is Django's command as before.
    call_command("check", "--deploy", "--fail-level", "CRITICAL", stdout=(deploy := _Capture()))
    assert "database:" not in deploy.text

    with override_settings(TASKS=DATABASE_TASKS), pytest.raises(CommandError):
        call_command("check", "--deploy", "--fail-level", "CRITICAL", "--ready", stdout=_Capture())


def test_check_fails_on_an_unmigrated_database(tmp_path: Path) -> None:
    result = forandra("check", database_url=sqlite_url(tmp_path / "empty.sqlite3"))

    assert result.returncode == 1
    assert "database: ok" in result.stdout
    assert "migrations: FAILED" in result.stdout and "`forandra migrate`" in result.stdout
    assert "worker: FAILED" in result.stdout
    assert "migrations, worker." in result.stderr  # the failing checks, named


def test_check_without_worker_passes_on_a_migrated_database(sqlite_db: Path) -> None:
    result = forandra("check", "--no-worker", database_url=sqlite_url(sqlite_db))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "migrations: ok" in result.stdout
    assert "worker" not in result.stdout


class _Capture:
    """A stdout for call_command that keeps what was written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
