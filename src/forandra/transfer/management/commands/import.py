# ruff: noqa: N999 (the module is named for the command, `forandra import`)
"""`forandra import FILE`: check an archive of `forandra export`, then write it, or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from forandra.transfer import console, importing


class Command(BaseCommand):
    help = """Import an archive written by `forandra export` (FILE, or - for standard input).

Everything is checked before anything is written: the file is JSON, a Förändra archive
of this version, exported from a database with the same migrations; every model, field
and value is valid; every reference leads to a row of the archive or of the database;
no row clashes with one the database has (the same primary key with other content, or
the same unique value). Each problem is printed on a line of its own, naming the model,
the primary key and the field. Then the rows are written in one transaction: if
anything fails, nothing is written. Rows the database has already, with the same
content, are left as they are, so importing twice changes nothing.

A whole-database archive goes into an empty database made with `forandra migrate`
(before `register_load` or the demo, whose rows would clash). --dry-run checks only.
A progress bar shows on standard error when that is a terminal.

Exit status: 0 imported (or, with --dry-run, valid); 1 refused, and nothing was
written: the archive is invalid or clashes with the database, or the database has
migrations still to apply; 2 bad arguments (a file that cannot be read)."""

    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", console.HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the archive, or - for standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the archive, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name, data = console.read_input(options["file"])
        console.require_migrated()
        dry_run: bool = options["dry_run"]
        with console.progress(self.stderr) as bar:
            try:
                summary = importing.import_archive(data, dry_run=dry_run, progress=bar)
            except importing.ArchiveRefusedError as refused:
                lines = [f"{name}: {problem}" for problem in refused.problems]
                raise CommandError(
                    "\n".join(
                        [_("%(file)s was refused; nothing was written.") % {"file": name}, *lines]
                    ),
                    returncode=console.REFUSED,
                ) from None
        for missing in summary.missing_files:
            self.stderr.write(
                _("Warning: a row names the file %(name)s, in neither the archive nor the storage.")
                % {"name": missing}
            )
        numbers = {
            "file": name,
            "rows": console.number(summary.rows),
            "models": summary.models,
            "present": console.number(summary.present),
            "written": console.number(summary.written),
            "files": summary.files,
        }
        if dry_run:
            self.stdout.write(
                _(
                    "%(file)s is a valid archive: %(rows)s rows of %(models)d models, of which "
                    "%(present)s are in the database already. Nothing was written (--dry-run)."
                )
                % numbers
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(file)s: %(written)s rows written, %(present)s in the database "
                    "already, %(files)d files stored."
                )
                % numbers
            )
        )
