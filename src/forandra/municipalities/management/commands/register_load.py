"""`forandra register_load`: load or update the official register of counties and municipalities."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from forandra.municipalities import services


class Command(BaseCommand):
    help = "Load or update Sweden's 21 counties and 290 municipalities; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.register_load()
        self.stdout.write(
            _(
                "Register: %(rc)d regions created, %(ru)d updated; "
                "%(mc)d municipalities created, %(mu)d updated."
            )
            % {
                "rc": result.regions_created,
                "ru": result.regions_updated,
                "mc": result.municipalities_created,
                "mu": result.municipalities_updated,
            }
        )
