"""`forandra export-plan CODE PLAN_PK`: a plan version as Word, PDF or Markdown, as the plan's
page offers it for download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality
from forandra.plans import selectors as plan_selectors
from forandra.plans.document import plan_document
from forandra.plans.models import Plan, PlanVersion
from forandra.plans.views.export import filename
from forandra.transfer import console

FORMATS = ("docx", "pdf", "md")


class Command(BaseCommand):
    help = """Write a version of a municipality's plan as a Word document (docx), a tagged PDF
(pdf) or Markdown (md): the same files the plan's page offers for download. CODE is the
municipality's code, PLAN_PK the plan's number (as in its address, /…/plans/PLAN_PK/);
the newest version unless --version says which. Without --format the output file's
ending decides; without --output the file is named as the page names it
(plan-vindeln-2027-2029-v2.docx) in the current folder; --output - writes to standard
output.

Exit status: 0 written; 1 the file could not be written; 2 bad arguments (an unknown
municipality, plan or version, an unknown format, an output file that exists without
--force)."""

    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", console.HelpFormatter)
        # --version N is the plan's version: it replaces Django's --version (Django's own).
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand.replace("_", "-"), **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", metavar="CODE", help="the municipality's code")
        parser.add_argument("plan", metavar="PLAN_PK", type=int, help="the plan's number")
        parser.add_argument(
            "--version", metavar="N", type=int, help="the version (default: newest)"
        )
        parser.add_argument("--format", choices=FORMATS, help="docx, pdf or md")
        parser.add_argument("--output", metavar="FILE", help="the file to write, or -")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the document's language (default: %(default)s)",
        )
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")

    def handle(self, *args: Any, **options: Any) -> None:
        version = self.version(options["code"], options["plan"], options["version"])
        fmt = options["format"] or self.format_of(options["output"])
        output = options["output"] or filename(version, fmt)
        path = console.output_path(output, force=options["force"])
        with translation.override(options["language"]):
            body = render(version, fmt)
        try:
            console.write_bytes(path, body, self.stdout)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s.") % {"file": path, "error": error.strerror},
                returncode=console.REFUSED,
            ) from None
        if path is not None:
            self.stdout.write(
                _("Wrote %(file)s: version %(number)d of “%(title)s”, %(size)s bytes.")
                % {
                    "file": path,
                    "number": version.number,
                    "title": version.plan.title,
                    "size": console.number(len(body)),
                }
            )

    def version(self, code: str, pk: int, number: int | None) -> PlanVersion:
        try:
            municipality = municipality_selectors.municipality_get(code=code)
        except Municipality.DoesNotExist:
            raise CommandError(
                _("No municipality has the code %(code)s.") % {"code": code},
                returncode=console.USAGE,
            ) from None
        plan = Plan.objects.filter(pk=pk, municipality=municipality).first()
        if plan is None:
            raise CommandError(
                _("%(municipality)s has no plan number %(pk)d.")
                % {"municipality": municipality.name, "pk": pk},
                returncode=console.USAGE,
            )
        versions = plan_selectors.versions_of(plan=plan)  # newest first
        if not versions:
            raise CommandError(
                _("The plan “%(title)s” has no version.") % {"title": plan.title},
                returncode=console.USAGE,
            )
        chosen = versions[0] if number is None else None
        for candidate in versions:
            if candidate.number == number:
                chosen = candidate
        if chosen is None:
            raise CommandError(
                _("The plan “%(title)s” has no version %(number)d (it has %(numbers)s).")
                % {
                    "title": plan.title,
                    "number": number,
                    "numbers": ", ".join(str(v.number) for v in reversed(versions)),
                },
                returncode=console.USAGE,
            )
        chosen.plan = plan
        return chosen

    def format_of(self, output: str | None) -> str:
        suffix = Path(output).suffix.lstrip(".").lower() if output else ""
        if suffix in FORMATS:
            return suffix
        raise CommandError(
            _("Say which format: --format docx, pdf or md (or an output file ending so)."),
            returncode=console.USAGE,
        )


def render(version: PlanVersion, fmt: str) -> bytes:
    """The version's document in the format, in the active language."""
    doc = plan_document(version)
    if fmt == "docx":
        from forandra.plans.export_docx import to_docx  # matplotlib loads on first use

        return to_docx(doc)
    if fmt == "pdf":
        from forandra.plans.export_pdf import to_pdf

        return to_pdf(doc)
    from forandra.plans.export_md import to_markdown

    return to_markdown(doc).encode("utf-8")
