"""`forandra serve`: the development server, or gunicorn with --production."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from forandra.transfer import console

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class Command(BaseCommand):
    help = """Serve Förändra on HOST:PORT (default 127.0.0.1:8000).

Without --production: Django's development server (`runserver`), which reloads the
code when it changes; for a laptop, never for users. The settings are then
forandra.settings.development unless DJANGO_SETTINGS_MODULE says otherwise.

With --production: gunicorn with --workers processes (default 4), and the settings
forandra.settings.production unless DJANGO_SETTINGS_MODULE says otherwise (they need
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see docs/admin.md). On a server systemd
starts gunicorn itself (deploy/systemd/forandra-web.service); this is for trying the
production setup by hand. Background tasks need `forandra worker` beside either.

Exit status: 0 when the server stops normally; 1 --production with DEBUG on; 2 bad
arguments."""

    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", console.HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=DEFAULT_HOST, help="default: %(default)s")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default: %(default)s")
        parser.add_argument(
            "--production", action="store_true", help="gunicorn and the production settings"
        )
        parser.add_argument(
            "--workers", type=int, default=4, help="gunicorn's worker processes (default: 4)"
        )
        parser.add_argument(
            "--noreload", action="store_true", help="development server: do not reload code"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        if not 0 < port < 65536:
            raise CommandError(
                _("%(port)s is not a port number (1–65535).") % {"port": port},
                returncode=console.USAGE,
            )
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        if not options["production"]:
            call_command(
                "runserver", address, use_reloader=not options["noreload"], use_ipv6=":" in host
            )
            return
        if settings.DEBUG:
            raise CommandError(
                _(
                    "DEBUG is on (DJANGO_SETTINGS_MODULE=%(module)s): --production serves with "
                    "forandra.settings.production."
                )
                % {"module": os.environ.get("DJANGO_SETTINGS_MODULE", "")},
                returncode=console.REFUSED,
            )
        arguments = [
            sys.executable,
            "-m",
            "gunicorn",
            "forandra.wsgi",
            "--bind",
            address,
            "--workers",
            str(max(1, options["workers"])),
        ]
        self.stdout.write(_("gunicorn on http://%(address)s/") % {"address": address})
        self.stdout.flush()
        os.execv(sys.executable, arguments)  # noqa: S606 (gunicorn replaces this process)
