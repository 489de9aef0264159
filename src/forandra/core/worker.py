"""The background worker behind `forandra worker`: django-tasks-db's worker loop, plus

- a heartbeat: the worker's row in WorkerHeartbeat, written at start and every few seconds from
  a thread of its own (a long task does not make the worker look gone), marked stopped at the
  end; readiness reads it;
- a clean stop: on SIGTERM or SIGINT the worker takes no new task and finishes the one in hand
  if that takes at most WORKER_STOP_GRACE seconds more; after that, or on a second signal, the
  task is interrupted and put back in the queue (status READY), never marked failed;
- orphans: a task left RUNNING by a worker that stopped or was killed (its heartbeat is marked
  stopped, or older than READY_WORKER_MAX_AGE) goes back to the queue, checked at start and
  every minute. A task may therefore run a second time: tasks are written to be idempotent.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import timedelta
from types import FrameType
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger("forandra.worker")

HEARTBEAT_SECONDS = 5.0
ORPHAN_SWEEP_EVERY = 12  # heartbeats: about a minute
KEEP_HEARTBEATS = timedelta(days=7)
READY = "READY"
RUNNING = "RUNNING"


class StopTask(BaseException):
    """Raised inside the task in hand when the worker must stop before the task ends."""


def requeue(task_id: UUID | str) -> bool:
    """Put a RUNNING task back in the queue; False if it is no longer running."""
    for attempt in (1, 2):
        try:
            changed = DBTaskResult.objects.filter(pk=task_id, status=RUNNING).update(
                status=READY, started_at=None
            )
            return changed > 0
        except Exception:
            # The interrupted task may have left the connection broken: try once on a new one.
            if attempt == 2:
                raise
            connection.close()
    return False


def requeue_orphans(max_age: float | None = None) -> int:
    """Put back in the queue the tasks whose worker stopped or was not seen for max_age seconds.

    Tasks claimed by a worker without a heartbeat row (django-tasks-db's own `db_worker`) are
    left alone: nothing tells whether that worker still runs.
    """
    max_age = settings.READY_WORKER_MAX_AGE if max_age is None else max_age
    running = list(DBTaskResult.objects.running().values_list("id", "worker_ids"))
    if not running:
        return 0
    last_workers = {ids[-1] for _pk, ids in running if ids}
    beats = {
        beat.worker_id: beat
        for beat in WorkerHeartbeat.objects.filter(worker_id__in=last_workers).only(
            "worker_id", "seen_at", "stopped_at"
        )
    }
    cutoff = timezone.now() - timedelta(seconds=max_age)
    count = 0
    for pk, ids in running:
        beat = beats.get(ids[-1]) if ids else None
        if beat is None or (beat.stopped_at is None and beat.seen_at >= cutoff):
            continue
        if requeue(pk):
            logger.warning("Task id=%s of stopped worker %s put back in the queue", pk, ids[-1])
            count += 1
    return count


class Heartbeat:
    """The worker's WorkerHeartbeat row, kept fresh by a daemon thread."""

    def __init__(self, worker_id: str, interval: float = HEARTBEAT_SECONDS) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "seen_at": now,
                "stopped_at": None,
            },
        )
        self.sweep()
        # Old rows go once their tasks were swept (every worker sweeps every minute).
        WorkerHeartbeat.objects.filter(seen_at__lt=now - KEEP_HEARTBEATS).delete()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def beat(self) -> None:
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(seen_at=timezone.now())

    def sweep(self) -> None:
        try:
            requeue_orphans()
        except Exception:
            logger.exception("Could not check for tasks of stopped workers")

    def _run(self) -> None:
        beats = 0
        try:
            while not self._stop.wait(self.interval):
                try:
                    close_old_connections()
                    self.beat()
                except Exception:
                    logger.exception("Could not record the worker's heartbeat")
                    connection.close()
                beats += 1
                if beats % ORPHAN_SWEEP_EVERY == 0:
                    self.sweep()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)
        try:
            close_old_connections()
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
                seen_at=timezone.now(), stopped_at=timezone.now()
            )
        except Exception:
            logger.exception("Could not record that the worker stopped")


class HeartbeatWorker(Worker):
    """django-tasks-db's Worker with a heartbeat, a grace period on stop, and re-queueing."""

    def __init__(self, *, stop_grace: float, heartbeat_interval: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stop_grace = stop_grace
        self.heartbeat = Heartbeat(self.worker_id, heartbeat_interval)
        self.in_task_call = False

    def run(self) -> None:
        self.heartbeat.start()
        try:
            super().run()
        finally:
            self.heartbeat.stop()
            logger.info("Worker %s stopped", self.worker_id)

    def configure_signals(self) -> None:
        super().configure_signals()
        signal.signal(signal.SIGALRM, self._grace_over)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        name = signal.strsignal(signum)
        if self.running:
            self.running = False
            if not self.running_task:
                logger.warning("Received %s: stopping", name)
                raise SystemExit(0)
            if not self.in_task_call:
                logger.warning("Received %s: stopping once this task is recorded", name)
                return
            if self.stop_grace <= 0:
                logger.warning("Received %s: stopping the task in hand", name)
                raise StopTask
            logger.warning(
                "Received %s: finishing the task in hand (at most %s seconds more; "
                "signal again to stop it now, it then goes back to the queue)",
                name,
                self.stop_grace,
            )
            signal.setitimer(signal.ITIMER_REAL, self.stop_grace)
            return
        if self.in_task_call:
            logger.warning("Received %s again: stopping the task in hand", name)
            raise StopTask
        if not self.running_task:
            raise SystemExit(0)

    def _grace_over(self, signum: int, frame: FrameType | None) -> None:
        if self.in_task_call:
            logger.warning("The task in hand did not end within %s seconds", self.stop_grace)
            raise StopTask

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        """Run the task, marking it successful or failed; interrupted, it goes back to the queue.

        The same as django-tasks-db's Worker.run_task, with StopTask handled.
        """
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            self.in_task_call = True
            try:
                if task.takes_context:
                    return_value = task.call(
                        TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    return_value = task.call(*task_result.args, **task_result.kwargs)
            finally:
                self.in_task_call = False
                signal.setitimer(signal.ITIMER_REAL, 0)
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except StopTask:
            self.running = False
            if requeue(db_task_result.pk):
                logger.warning("Task id=%s stopped and put back in the queue", db_task_result.pk)
        except BaseException as error:
            db_task_result.set_failed(error)
            try:
                sender = type(db_task_result.task.get_backend())
                failed_result = db_task_result.task_result
            except Exception:
                logger.exception("Task id=%s failed unexpectedly", db_task_result.pk)
            else:
                task_finished.send(sender=sender, task_result=failed_result)
        finally:
            self.running_task = False
            self._run_tasks += 1
