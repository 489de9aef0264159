"""A plan version as a PDF: the template `plans/export/plan_pdf.html` printed by WeasyPrint.

The PDF is tagged as PDF/UA-1 (WeasyPrint's `pdf_variant="pdf/ua-1"`, which turns on
`pdf_tags`): headings, paragraphs, lists and tables become the document's structure, with the
document's language and title, so a screen reader can read it. The roadmap is drawn from the
same geometry as the page's (roadmap.py), in blocks of rows so that no figure is taller than a
page, and followed by the same quarters as a table. WeasyPrint fetches only the app's own static
files (see `maturity.report.static_file`): nothing from the network or elsewhere on disk.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from forandra.maturity.report import STATIC_BASE, static_file

from . import roadmap
from .document import PlanDocument, amount, day, percent, quarter_short, score

PDF_VARIANT = "pdf/ua-1"
ROADMAP_ROWS = 20  # rows per roadmap figure: 20 of them fill most of an A4 page


def _fetcher() -> Any:
    """WeasyPrint's URL fetcher, narrowed to the app's own static files."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]  # URLFetcher is untyped
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, media_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    return StaticFilesOnly()


def pdf_context(doc: PlanDocument) -> dict[str, Any]:
    """What the template shows, the numbers formatted in the active language."""
    plan = doc.plan
    numbered = list(enumerate(doc.initiatives, start=1))
    placed = [(n, item) for n, item in numbered if item.span.first is not None]
    charts = [
        roadmap.layout(
            [
                roadmap.RoadmapItem(f"{n}. {item.title}", item.start, item.end)
                for n, item in placed[start : start + ROADMAP_ROWS]
            ],
            plan.first_year,
            plan.last_year,
        )
        for start in range(0, len(placed), ROADMAP_ROWS)
    ]
    table = doc.budget
    return {
        "doc": doc,
        "plan": plan,
        "version": doc.version,
        "municipality": doc.municipality,
        "language": (get_language() or "sv")[:2],
        "capabilities": [
            {
                "name": c.name,
                "current": score(c.current_score),
                "target": score(c.target_score),
                "built_by": ", ".join(c.initiatives),
            }
            for c in doc.capabilities
        ],
        "kind_labels": [part.label for part in doc.initiatives[0].budget]
        if doc.initiatives
        else [],
        "initiatives": [
            {
                "number": n,
                "item": item,
                "start": day(item.start),
                "end": day(item.end),
                "amounts": [amount(part.amount) for part in item.budget],
                "budget": _("%(total)s in all: %(parts)s")
                % {
                    "total": amount(item.budget_total),
                    "parts": ", ".join(
                        f"{part.label.lower()} {amount(part.amount)}" for part in item.budget
                    ),
                },
            }
            for n, item in numbered
        ],
        "budget_rows": [
            {
                "label": row.label,
                "amounts": [amount(value) for value in row.amounts],
                "total": amount(row.total),
                "innovation": row.kind == table.innovation.kind,
            }
            for row in table.rows
        ],
        "budget_year_totals": [amount(value) for value in table.year_totals],
        "budget_total": amount(table.total),
        "innovation_share": percent(table.innovation_share),
        "roadmaps": charts,
        "quarter_marks": [
            (mark, quarter_short(mark.quarter)) for mark in (charts[0].quarters if charts else [])
        ],
        "chart_label": _(
            "Roadmap: the initiatives as bars across the quarters they span. The same is in the "
            "table below."
        ),
        "roadmap_rows": [
            (f"{n}. {item.title}", *(doc.quarters_of(item) or ("", ""))) for n, item in placed
        ],
        "unplaced": [f"{n}. {item.title}" for n, item in numbered if item.span.first is None],
        # Filled in by the page counters of the print CSS, on each page.
        "page_number": format_html('<span class="{}"></span>', "page-number"),
        "page_count": format_html('<span class="{}"></span>', "page-count"),
    }


def to_pdf(doc: PlanDocument) -> bytes:
    """The plan version as a tagged A4 PDF, in the active language."""
    # Imported here: loading WeasyPrint (and Pango) takes about a second, and only this needs it.
    from weasyprint import HTML

    html = render_to_string("plans/export/plan_pdf.html", pdf_context(doc))
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=_fetcher())
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
