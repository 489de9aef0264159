"""The programme report: the funder's figures as a page, and as XLSX and PDF downloads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm

from .. import report as programme_report
from ..access import programme_for, programme_trail

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's figures as tables, with the downloads."""
    programme = programme_for(request, pk, Perm.PROGRAMME_MANAGE)
    figures = programme_report.programme_report(programme=programme)
    return render(
        request,
        "programme/report/report.html",
        {
            **programme_report.report_context(figures),
            "breadcrumbs": [*programme_trail(request, programme), Crumb(_("Report"))],
        },
    )


def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report as an XLSX workbook or a PDF document, in the reader's language."""
    programme = programme_for(request, pk, Perm.PROGRAMME_MANAGE)
    if fmt not in EXPORT_TYPES:
        raise Http404
    figures = programme_report.programme_report(programme=programme)
    if fmt == "xlsx":
        body = programme_report.to_xlsx(figures)
    else:
        body = programme_report.to_pdf(figures, language=get_language() or "sv")
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    filename = programme_report.filename(figures, fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
