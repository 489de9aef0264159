"""A plan version as a file to download: Word, PDF or Markdown, in the reader's language."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import slugify
from django.utils.translation import get_language

from forandra.core.permissions import Perm

from ..access import version_for
from ..document import plan_document
from ..models import PlanVersion

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}


def filename(version: PlanVersion, fmt: str) -> str:
    """`plan-vindeln-2027-2029-v2.docx`: the municipality, the plan's years and the version."""
    plan = version.plan
    years = str(plan.first_year)
    if plan.last_year != plan.first_year:
        years += f"-{plan.last_year}"
    place = slugify(plan.municipality.name) or plan.municipality.code
    return f"plan-{place}-{years}-v{version.number}.{fmt}"


def version_export(request: HttpRequest, code: str, pk: int, number: int, fmt: str) -> HttpResponse:
    """The version as an attachment; every reader of the plan may download it."""
    version = version_for(request, code, pk, number, Perm.PLANS_VIEW)
    if fmt not in CONTENT_TYPES:
        raise Http404
    doc = plan_document(version)
    body: bytes
    if fmt == "docx":
        from ..export_docx import to_docx  # matplotlib and python-docx load on first use

        body = to_docx(doc)
    elif fmt == "pdf":
        from ..export_pdf import to_pdf

        body = to_pdf(doc)
    else:
        from ..export_md import to_markdown

        body = to_markdown(doc).encode()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(version, fmt)}"'
    response["Content-Language"] = get_language() or "sv"
    return response
