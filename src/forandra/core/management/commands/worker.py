"""`forandra worker`: run background tasks (feed scans and the like) until stopped."""

from __future__ import annotations

import argparse
import logging
import math
import os
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser, DjangoHelpFormatter
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from forandra.core.worker import HEARTBEAT_SECONDS, HeartbeatWorker


def seconds(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ArgumentTypeError("must be a number of seconds, zero or more")
    return number


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's order of options, and the description's paragraphs as written."""


class Command(DbWorkerCommand):
    help = """Run background tasks (feed scans) from the database queue until stopped.

The worker records a heartbeat every few seconds, which /readyz and `forandra check` read.
On SIGTERM or Ctrl-C it takes no new task and finishes the one in hand if that ends within
--stop-grace seconds (WORKER_STOP_GRACE); otherwise, or on a second signal, it stops the task
and puts it back in the queue. Tasks left running by a worker that was killed go back to the
queue when that worker's heartbeat is older than READY_WORKER_MAX_AGE.

This is django-tasks-db's `db_worker` with those additions; its options work here too."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _Formatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Restarting on code changes would interrupt tasks: only when asked for.
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--stop-grace",
            type=seconds,
            default=settings.WORKER_STOP_GRACE,
            help="seconds to let the task in hand finish after SIGTERM (default: %(default)s)",
        )
        parser.add_argument(
            "--heartbeat",
            type=seconds,
            default=HEARTBEAT_SECONDS,
            help="seconds between heartbeats (default: %(default)s)",
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        levels = {0: logging.CRITICAL, 1: logging.INFO}
        logging.getLogger("forandra.worker").setLevel(levels.get(verbosity, logging.DEBUG))

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        reload = options["reload"] and not options["batch"]
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError(_("--exclude-queues can only be used with --queue-name=*"))
        if options["heartbeat"] <= 0:
            raise CommandError(_("--heartbeat must be more than zero seconds."))
        worker = HeartbeatWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            stop_grace=options["stop_grace"],
            heartbeat_interval=options["heartbeat"],
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
