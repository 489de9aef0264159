"""`forandra settings_table`: the table of every setting, for docs/admin.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from forandra.core import settings_doc


class Command(BaseCommand):
    help = (
        "Print the Markdown table of every setting (name, kind, default, meaning), generated "
        "from the settings modules. --write FILE replaces the table between the markers in FILE "
        "(docs/admin.md); --check FILE exits 1 when that table is stale."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--write", metavar="FILE", type=Path, help="update the table in FILE")
        which.add_argument("--check", metavar="FILE", type=Path, help="is FILE's table current?")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            generated = settings_doc.table()
            path: Path | None = options["write"] or options["check"]
            if path is None:
                self.stdout.write(generated, ending="")
                return
            document = path.read_text(encoding="utf-8")
            if options["check"]:
                if settings_doc.table_in(document) != generated:
                    raise CommandError(
                        _("The settings table in %(file)s is stale: run `%(command)s`.")
                        % {"file": path, "command": f"forandra settings_table --write {path}"},
                        returncode=1,
                    )
                self.stdout.write(_("The settings table in %(file)s is current.") % {"file": path})
                return
            path.write_text(settings_doc.replace_table(document, generated), encoding="utf-8")
            self.stdout.write(_("Updated the settings table in %(file)s.") % {"file": path})
        except (settings_doc.SettingsDocError, OSError) as error:
            raise CommandError(str(error), returncode=1) from error
