"""`forandra check`: Django's system checks, then readiness (database, migrations, worker).

This replaces Django's `check` command. Plain `forandra check` runs Django's system checks and
then the readiness checks that /readyz runs, a line each, and exits 1 when one fails. Asked for
something specific of Django's checks (--deploy, --tag, --list-tags or app labels), it is
Django's command alone, as before, unless --ready is given too. The web server's systemd unit
runs `forandra check --no-worker` before it starts, so it does not serve with unapplied
migrations.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands.check import Command as DjangoCheckCommand
from django.utils.translation import gettext as _

from forandra.core.health import readiness


class Command(DjangoCheckCommand):
    help = (
        "Django's system checks, then readiness: the database answers, every migration is "
        "applied and the worker was seen lately (exit status 1 if not). With --deploy, --tag, "
        "--list-tags or app labels only Django's checks run, unless --ready is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--ready",
            action="store_true",
            default=None,
            help="also check readiness when Django's checks are narrowed (--deploy, --tag, ...)",
        )
        parser.add_argument(
            "--no-ready",
            action="store_false",
            dest="ready",
            help="only Django's system checks, no readiness checks",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="readiness without the worker (what the web server needs before it starts)",
        )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        ready = options["ready"]
        if ready is None:
            narrowed = options["deploy"] or options["tags"] or options["list_tags"] or app_labels
            ready = not narrowed
        super().handle(*app_labels, **options)
        if not ready or options["list_tags"]:
            return
        checks = readiness(worker=not options["no_worker"])
        for check in checks:
            line = _("%(name)s: %(state)s, %(detail)s") % {
                "name": check.name,
                # Not translated: the words a script looks for, whatever the language.
                "state": "ok" if check.ok else "FAILED",
                "detail": check.detail,
            }
            style = self.style.SUCCESS if check.ok else self.style.ERROR
            self.stdout.write(style(line))
        failing = [check.name for check in checks if not check.ok]
        if failing:
            raise CommandError(
                _("Not ready: %(checks)s.") % {"checks": ", ".join(failing)}, returncode=1
            )
        self.stdout.write(_("Ready."))
