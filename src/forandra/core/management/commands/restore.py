"""`forandra restore PATH`: restore a backup of `forandra backup` into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from forandra.core.backups import BackupError, restore
from forandra.core.health import check_migrations


class Command(BaseCommand):
    help = (
        "Restore a backup made by `forandra backup` into the database DATABASE_URL names, which "
        "must be empty (a new database, or a SQLite file that does not exist yet). SQLite "
        "backups go back through SQLite's backup API, PostgreSQL ones through pg_restore in a "
        "single transaction. Then run `forandra migrate` if this release has newer migrations."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        path: Path = options["path"]
        if connection.vendor == "postgresql":
            self.stdout.write(_("PostgreSQL: running pg_restore from %(path)s …") % {"path": path})
        try:
            outcome = restore(connection, path)
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(self.style.SUCCESS(_("Restored from %(path)s.") % {"path": outcome.path}))
        migrations = check_migrations(options["database"])
        if not migrations.ok:
            self.stdout.write(
                _("The backup is from an earlier release: %(detail)s.")
                % {"detail": migrations.detail}
            )
