"""`forandra instrument_load FILE`: validate and publish a maturity instrument from YAML."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from forandra.maturity import services
from forandra.maturity.instrument import InstrumentError


class Command(BaseCommand):
    help = (
        "Validate an instrument YAML file and publish it. A published version never changes: "
        "give an edited instrument a new version number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from error
        try:
            version = services.instrument_publish(source=source)
        except InstrumentError as error:
            raise CommandError(f"{path}: {error}") from error
        except ValidationError as error:
            raise CommandError(f"{path}: {' '.join(error.messages)}") from error
        self.stdout.write(
            _("Published %(id)s version %(version)s.")
            % {"id": version.instrument_id, "version": version.version}
        )
