"""The `forandra` console script: Django's manage.py, installed with the package."""

import os
import sys


def main() -> None:
    """Run a management command, e.g. `forandra demo` or `forandra runserver`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forandra.settings.development")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
