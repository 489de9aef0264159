"""`forandra backup PATH`: a consistent copy of the database, made while the application runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from forandra.core.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Copy the database into PATH while the application runs. SQLite: SQLite's online backup "
        "API (the copy is a SQLite file). PostgreSQL: pg_dump in its custom format (restore "
        "with `forandra restore`). Uploaded files (MEDIA_ROOT) are not included: copy that "
        "folder after the database."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the file to write")
        parser.add_argument(
            "--force", action="store_true", help="replace the file if it exists already"
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        path: Path = options["path"]
        if connection.vendor == "postgresql":
            self.stdout.write(
                _("PostgreSQL: running pg_dump (custom format) into %(path)s …") % {"path": path}
            )
        elif connection.vendor == "sqlite":
            self.stdout.write(
                _("SQLite: copying the database with the online backup API into %(path)s …")
                % {"path": path}
            )
        try:
            outcome = backup(connection, path, replace=options["force"])
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written: %(path)s (%(size)s bytes).")
                % {"path": outcome.path, "size": f"{outcome.size:,}".replace(",", " ")}
            )
        )
