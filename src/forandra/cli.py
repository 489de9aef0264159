"""The `forandra` console script: Django's manage.py, installed with the package.

Three additions to Django's own: commands with a hyphen in their name (`forandra export-plan`)
run the command module with an underscore (`export_plan`), and `forandra help` lists them with
the hyphen; an unknown command exits with status 2 (wrong usage) rather than 1, the status
the commands use for a refusal or a failure; `forandra serve --production` starts with the
production settings unless DJANGO_SETTINGS_MODULE names others.
"""

import os
import re
import sys

from django.core.management import ManagementUtility

#: Names typed on the command line -> the command modules that run them.
ALIASES = {"export-plan": "export_plan"}
USAGE = 2

EXIT_STATUS = """
Exit status: 0 when the command did its work; 1 when it refused or failed (an invalid
archive or instrument, a failed check or scan); 2 for wrong usage (an unknown command or
option, a bad argument). Each command's help says what its statuses mean."""


class Utility(ManagementUtility):
    """Django's command-line utility, with the additions of the module docstring."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.prog_name = "forandra"

    def main_help_text(self, commands_only: bool = False) -> str:
        text = super().main_help_text(commands_only)
        for alias, name in ALIASES.items():
            text = re.sub(rf"^(\s*){re.escape(name)}$", rf"\g<1>{alias}", text, flags=re.M)
        return text if commands_only else text + "\n" + EXIT_STATUS

    def fetch_command(self, subcommand: str):  # type: ignore[no-untyped-def]  # Django's is untyped
        try:
            return super().fetch_command(subcommand)
        except SystemExit as stop:
            if stop.code == 1:  # Django's "Unknown command"
                raise SystemExit(USAGE) from None
            raise


def command_line(argv: list[str]) -> list[str]:
    """The arguments with hyphenated command names turned into their modules' names."""
    argv = list(argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    if len(argv) > 2 and argv[1] == "help":
        argv[2] = ALIASES.get(argv[2], argv[2])
    return argv


def main() -> None:
    """Run a management command, e.g. `forandra demo` or `forandra serve`."""
    argv = command_line(sys.argv)
    if argv[1:2] == ["serve"] and "--production" in argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forandra.settings.production")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forandra.settings.development")
    Utility(argv).execute()


if __name__ == "__main__":
    main()
