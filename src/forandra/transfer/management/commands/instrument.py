"""`forandra instrument validate FILE`: check a maturity instrument's YAML without publishing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forandra.maturity.instrument import InstrumentError, load_instrument_file
from forandra.transfer import console


class Command(BaseCommand):
    help = """Work with maturity instruments (YAML files; see src/forandra/maturity/README.md).

  validate FILE  check the file as publishing would, and say what is wrong and on which
                 line (the check stops at the first problem); nothing is stored
  load FILE      validate and publish it (the same as `forandra instrument_load FILE`)

Exit status: 0 valid (or published); 1 the instrument is invalid; 2 bad arguments (no
subcommand, a file that cannot be read)."""

    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", console.HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{validate,load}")
        for name, text in (
            ("validate", _("check an instrument file")),
            ("load", _("validate and publish an instrument file")),
        ):
            action = actions.add_parser(name, help=text, description=text)
            action.add_argument("file", metavar="FILE", type=Path, help="the YAML file")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        if action is None:
            raise CommandError(
                _("Say what to do: `instrument validate FILE` or `instrument load FILE`."),
                returncode=console.USAGE,
            )
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(
                _("Cannot read %(file)s: there is no such file.") % {"file": path},
                returncode=console.USAGE,
            )
        if action == "load":
            call_command("instrument_load", str(path), stdout=self.stdout, stderr=self.stderr)
            return
        try:
            instrument = load_instrument_file(path)
        except InstrumentError as error:
            raise CommandError(f"{path}: {error}", returncode=console.REFUSED) from None
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s.") % {"file": path, "error": error.strerror},
                returncode=console.USAGE,
            ) from None
        statements = len(instrument.statements())
        self.stdout.write(
            _(
                "%(file)s is a valid instrument: %(id)s version %(version)d, %(dimensions)s, "
                "%(statements)s."
            )
            % {
                "file": path,
                "id": instrument.id,
                "version": instrument.version,
                "dimensions": ngettext(
                    "%(count)d dimension", "%(count)d dimensions", len(instrument.dimensions)
                )
                % {"count": len(instrument.dimensions)},
                "statements": ngettext("%(count)d statement", "%(count)d statements", statements)
                % {"count": statements},
            }
        )
