"""Background scans: the `scan_feeds` task, `services.scan_enqueue` and `selectors.scan_state`.

The test settings run tasks at once (django-tasks' immediate backend). The tests of the database
backend, the one the site uses, enqueue into the test database and run `db_worker --batch`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from forandra.municipalities.models import Municipality, Region
from forandra.scanning import selectors, services, tasks
from forandra.scanning.models import Feed, FetchStatus, Signal

from .conftest import FeedServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def feeds(region: Region, home: Municipality, server: FeedServer) -> list[Feed]:
    services.catalogue_seed(region=region)
    return [
        services.feed_add(region=region, municipality=home, url=server.url(path))
        for path in ("/feeds/rss20.xml", "/status/404", "/feeds/podcast.xml")
    ]


def test_scan_feeds_scans_each_feed_and_returns_its_outcome(feeds: list[Feed]) -> None:
    result = tasks.scan_feeds.enqueue([feed.pk for feed in feeds])

    assert result.status == TaskResultStatus.SUCCESSFUL
    value: Any = result.return_value
    assert [(f["id"], f["status"], f["error_code"]) for f in value["feeds"]] == [
        (feeds[0].pk, FetchStatus.OK, ""),
        (feeds[1].pk, FetchStatus.ERROR, "http_status"),
        (feeds[2].pk, FetchStatus.OK, ""),
    ]
    assert value["failed"] == 1
    assert value["new_signals"] == Signal.objects.count() > 0
    assert [f["new_signals"] for f in value["feeds"]] == [
        Signal.objects.filter(feed=feed).count() for feed in feeds
    ]
    # Each feed recorded its own outcome, which is what the pages show.
    stored = Feed.objects.in_bulk([feed.pk for feed in feeds])
    assert [stored[feed.pk].status for feed in feeds] == [
        FetchStatus.OK,
        FetchStatus.ERROR,
        FetchStatus.OK,
    ]
    assert all(stored[feed.pk].checked_at for feed in feeds)
    assert stored[feeds[1].pk].failures == 1


def test_scan_feeds_skips_a_feed_removed_since_and_scans_each_feed_once(
    feeds: list[Feed], server: FeedServer
) -> None:
    removed = feeds[2].pk
    services.feed_remove(feed=feeds[2])

    result = tasks.scan_feeds.enqueue([feeds[0].pk, removed, feeds[0].pk])

    value: Any = result.return_value
    assert [f["id"] for f in value["feeds"]] == [feeds[0].pk]
    assert [path for path, _headers in server.requests] == ["/feeds/rss20.xml"]


def test_scan_enqueue_scans_in_the_background_and_gives_the_task_id(feeds: list[Feed]) -> None:
    result_id = services.scan_enqueue(feeds=feeds)

    assert isinstance(result_id, str) and result_id
    assert Signal.objects.filter(feed=feeds[0]).exists()  # the immediate backend ran it
    # The immediate backend keeps no results, so there is no state to show.
    assert selectors.scan_state(result_id=result_id) is None


@override_settings(TASKS=DATABASE_TASKS)
def test_a_queued_scan_waits_for_the_worker_and_reports_its_progress(
    feeds: list[Feed],
) -> None:
    result_id = services.scan_enqueue(feeds=feeds)

    queued = selectors.scan_state(result_id=result_id)
    assert queued == selectors.ScanState(status=TaskResultStatus.READY, total=3, done=0)
    assert not queued.finished
    assert not Signal.objects.exists()
    assert DBTaskResult.objects.get(id=result_id).args_kwargs == {
        "args": [[feed.pk for feed in feeds]],
        "kwargs": {},
    }

    # Halfway: the worker has claimed the task and one feed has been scanned.
    DBTaskResult.objects.filter(id=result_id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    services.feed_scan(feed=feeds[0])
    assert selectors.scan_state(result_id=result_id) == selectors.ScanState(
        status=TaskResultStatus.RUNNING, total=3, done=1
    )


@override_settings(TASKS=DATABASE_TASKS)
def test_the_database_worker_runs_a_queued_scan(
    feeds: list[Feed], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker would take over the test run's signal handlers and its loggers' levels.
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)
    monkeypatch.setattr(db_worker.Command, "configure_logging", lambda self, verbosity: None)
    # ... and with CONN_MAX_AGE 0 it closes the connection the test's transaction lives in
    # (PostgreSQL; SQLite's in-memory test database is never closed).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    result_id = services.scan_enqueue(feeds=feeds)

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    state = selectors.scan_state(result_id=result_id)
    assert state == selectors.ScanState(status=TaskResultStatus.SUCCESSFUL, total=3, done=3)
    assert state.finished
    value: Any = tasks.scan_feeds.get_result(result_id).return_value
    assert value["failed"] == 1
    assert Feed.objects.filter(status=FetchStatus.OK).count() == 2


@override_settings(TASKS=DATABASE_TASKS)
def test_a_scan_that_stopped_early_reports_the_feeds_it_read(feeds: list[Feed]) -> None:
    result_id = services.scan_enqueue(feeds=feeds)
    DBTaskResult.objects.filter(id=result_id).update(
        status=TaskResultStatus.FAILED, started_at=timezone.now(), finished_at=timezone.now()
    )
    services.feed_scan(feed=feeds[2])  # scanned before the worker stopped

    state = selectors.scan_state(result_id=result_id)

    assert state == selectors.ScanState(status=TaskResultStatus.FAILED, total=3, done=1)
    assert state.finished


@override_settings(TASKS=DATABASE_TASKS)
def test_scan_state_knows_no_unknown_id() -> None:
    assert selectors.scan_state(result_id="not-a-task") is None
    assert selectors.scan_state(result_id="00000000-0000-4000-8000-000000000000") is None
