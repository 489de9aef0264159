"""Health: `/healthz` (the process answers), `/readyz` and `forandra check` (ready to serve).

Ready means: the database answers, every migration is applied, and a `forandra worker` was seen
within READY_WORKER_MAX_AGE seconds (when background tasks go through the database; with the
immediate backend of the tests there is no worker to wait for). Each check is cheap: one query
for the database, the migration plan (read from the code and the `django_migrations` table),
one query for the worker. Nothing personal is in the answer: states and ages only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

DATABASE_TASK_BACKEND = "django_tasks_db.DatabaseBackend"


@dataclass(frozen=True)
class Check:
    """The outcome of one readiness check: `detail` is for people, `data` for machines."""

    name: str
    ok: bool
    detail: str
    data: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, **self.data}


def check_database(using: str = DEFAULT_DB_ALIAS) -> Check:
    """The database answers a query."""
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # The reason (host, user, the driver's message) goes to the log, not to the answer.
        logger.exception("Readiness: the database did not answer")
        return Check("database", False, _("the database does not answer (see the log)"))
    return Check("database", True, _("answers"))


def check_migrations(using: str = DEFAULT_DB_ALIAS) -> Check:
    """Every migration of the code is applied to the database."""
    try:
        executor = MigrationExecutor(connections[using])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        logger.exception("Readiness: could not read the applied migrations")
        return Check("migrations", False, _("could not read the applied migrations"))
    unapplied = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    if unapplied:
        shown = ", ".join(unapplied[:5]) + (", …" if len(unapplied) > 5 else "")
        detail = ngettext(
            "%(count)d migration not applied (%(names)s): run `forandra migrate`",
            "%(count)d migrations not applied (%(names)s): run `forandra migrate`",
            len(unapplied),
        ) % {"count": len(unapplied), "names": shown}
        return Check("migrations", False, detail, {"unapplied": len(unapplied)})
    return Check("migrations", True, _("all applied"), {"unapplied": 0})


def worker_needed() -> bool:
    """Whether background tasks wait in the database for a worker (not so in the tests)."""
    return any(
        backend.get("BACKEND") == DATABASE_TASK_BACKEND for backend in settings.TASKS.values()
    )


def check_worker(using: str = DEFAULT_DB_ALIAS) -> Check:
    """A worker is running: its heartbeat is younger than READY_WORKER_MAX_AGE seconds."""
    if not worker_needed():
        return Check("worker", True, _("not needed: tasks run at once"), {"needed": False})
    from .models import WorkerHeartbeat

    max_age = settings.READY_WORKER_MAX_AGE
    try:
        latest = (
            WorkerHeartbeat.objects.using(using)
            .filter(stopped_at__isnull=True)
            .order_by("-seen_at")
            .values_list("seen_at", flat=True)
            .first()
        )
    except Exception:
        logger.exception("Readiness: could not read the worker's heartbeat")
        return Check("worker", False, _("could not read the worker's heartbeat"))
    if latest is None:
        return Check(
            "worker",
            False,
            _("no worker is running: start `forandra worker`"),
            {"age_seconds": None, "max_age_seconds": max_age},
        )
    age = max(0, round((timezone.now() - latest) / timedelta(seconds=1)))
    data: dict[str, object] = {"age_seconds": age, "max_age_seconds": max_age}
    if age > max_age:
        detail = _(
            "the worker was last seen %(age)d seconds ago (more than %(max)d): "
            "is `forandra worker` running?"
        ) % {"age": age, "max": max_age}
        return Check("worker", False, detail, data)
    return Check("worker", True, _("seen %(age)d seconds ago") % {"age": age}, data)


def readiness(*, worker: bool = True, using: str = DEFAULT_DB_ALIAS) -> list[Check]:
    """Every readiness check, in order; with the database down the others are not tried."""
    database = check_database(using)
    if not database.ok:
        skipped = _("not checked: the database does not answer")
        checks = [database, Check("migrations", False, skipped)]
        if worker:
            checks.append(Check("worker", False, skipped))
        return checks
    migrations = check_migrations(using)
    checks = [database, migrations]
    if worker:
        if not migrations.ok and not heartbeat_table_exists(using):
            checks.append(Check("worker", False, _("not checked: migrations not applied")))
        else:
            checks.append(check_worker(using))
    return checks


def heartbeat_table_exists(using: str = DEFAULT_DB_ALIAS) -> bool:
    from .models import WorkerHeartbeat

    with connections[using].cursor() as cursor:
        tables = connections[using].introspection.table_names(cursor)
    return WorkerHeartbeat._meta.db_table in tables


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: no database, no templates (for a load balancer's liveness probe)."""
    body = b"" if request.method == "HEAD" else b"ok\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: 200 with each check, or 503 naming the failing ones."""
    checks = readiness()
    failing = [check.name for check in checks if not check.ok]
    body: dict[str, object] = {
        "status": "fail" if failing else "ok",
        "checks": {check.name: check.as_json() for check in checks},
    }
    if failing:
        body["failing"] = failing
    response = JsonResponse(body, status=503 if failing else 200)
    if failing:
        # One warning naming the failing checks, instead of Django's "Service Unavailable".
        logger.warning("Not ready: %s", ", ".join(failing))
        response._has_been_logged = True  # type: ignore[attr-defined]
    if request.method == "HEAD":
        response.content = b""
    return response
