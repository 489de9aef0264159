"""`forandra export`: the whole database, or one municipality, as a versioned JSON archive."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality
from forandra.transfer import console, exporting


class Command(BaseCommand):
    help = """Write the whole database, or one municipality's part of it, as a versioned JSON
archive that `forandra import` reads back. The archive is lossless and deterministic:
exported, imported into an empty database and exported again, it comes out byte for
byte the same. A municipality's archive holds its own rows (users, group, units,
maturity rounds, feeds, signals, radar, ideas, plans with every version, programme
records, publication, webhooks) and every row they refer to (its region, the
instrument, waves, …); see src/forandra/transfer/README.md.

The archive holds password hashes and webhook secrets: keep it like a backup.

Output goes to standard output unless --output names a file (written under a temporary
name and renamed when complete). A progress bar shows on standard error when that is a
terminal.

Exit status: 0 written; 1 the database cannot be exported (migrations not applied, a
row refers to one that is missing); 2 bad arguments (an unknown municipality code, an
output file that exists without --force, a folder that does not exist)."""

    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", console.HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", metavar="CODE", help="only this municipality (its 4-digit code)"
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            default=console.STDIO,
            help="the file to write, or - for standard output (the default)",
        )
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = self.municipality(options["municipality"])
        path = console.output_path(options["output"], force=options["force"])
        console.require_migrated()
        try:
            with (
                console.progress(self.stderr) as bar,
                console.text_output(path, self.stdout) as out,
            ):
                summary = exporting.export_archive(out, municipality=municipality, progress=bar)
        except exporting.ExportError as error:
            raise CommandError(
                _("The database cannot be exported: %(error)s.") % {"error": error},
                returncode=console.REFUSED,
            ) from error
        report = self.stderr if path is None else self.stdout
        for name in summary.missing_files:
            self.stderr.write(
                _("Warning: %(name)s is missing from the file storage, so not in the archive.")
                % {"name": name}
            )
        what = (
            _("the whole database")
            if municipality is None
            else _("%(name)s (%(code)s)") % {"name": municipality.name, "code": municipality.code}
        )
        size = f", {console.number(path.stat().st_size)} bytes" if path is not None else ""
        report.write(
            _("Exported %(what)s: %(rows)s rows of %(models)d models, %(files)d files%(size)s.")
            % {
                "what": what,
                "rows": console.number(summary.rows),
                "models": summary.models,
                "files": summary.files,
                "size": size,
            }
        )

    def municipality(self, code: str | None) -> Municipality | None:
        if code is None:
            return None
        try:
            return municipality_selectors.municipality_get(code=code)
        except Municipality.DoesNotExist:
            raise CommandError(
                _("No municipality has the code %(code)s.") % {"code": code},
                returncode=console.USAGE,
            ) from None
