"""`forandra demo`: load the Västerbotten demo into an empty database and print its logins."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from forandra.core import demo


class Command(BaseCommand):
    help = (
        "Load the Västerbotten demo if the database is empty, then print the demo logins. "
        "A database with data is never changed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo.demo_load()
        if result.loaded:
            self.stdout.write(self.style.SUCCESS(_("The Västerbotten demo has been loaded.")))
        else:
            self.stdout.write(_("The database already has data; the demo was not loaded."))
        if result.logins:
            self.stdout.write(
                _("Demo logins (password: %(password)s):") % {"password": demo.DEMO_PASSWORD}
            )
            for login in result.logins:
                scope = f" – {login.scope}" if login.scope else ""
                self.stdout.write(f"  {login.role:<16} {login.username}{scope}")
