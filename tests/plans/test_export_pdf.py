"""The PDF export: the plan's text is in it (read back with pypdf), it is tagged, in the active
language, the roadmap is drawn in page-sized figures, and WeasyPrint fetches nothing but the
app's own static files."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from forandra.maturity.report import StaticFileRefusedError
from forandra.municipalities.models import Municipality
from forandra.plans.document import plan_document
from forandra.plans.export_pdf import _fetcher, pdf_context, to_pdf
from forandra.plans.models import PlanVersion, Step
from tests.plans.test_export_document import FIRST_TITLE, LEADERSHIP, URGENCY, rich_version

pytestmark = pytest.mark.django_db


def export(version: PlanVersion, language: str = "en") -> PdfReader:
    with translation.override(language):
        body = to_pdf(plan_document(version))
    assert body.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(body))


def text_of(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_has_the_plans_text(home: Municipality) -> None:
    reader = export(rich_version(home, decided=True))

    text = text_of(reader)
    assert "Digital omställning" in text
    assert "Transformation plan of Vindeln, 2027–2029" in text
    assert FIRST_TITLE in text
    assert URGENCY in text
    assert LEADERSHIP in text
    assert "Leadership's decision" in text
    assert "Godkänd med ändringar: börja med bygglov." in text
    for step in Step:
        assert f"{step.value}. {step.label}" in text
    assert "Innovation's share of the budget: 15.9 %." in text
    assert "Q1 2027 Q2 2028" in text  # the roadmap's table: the first initiative's quarters


def test_the_pdf_is_tagged_with_its_language_and_title(home: Municipality) -> None:
    version = rich_version(home, initiatives=1)

    english, swedish = export(version, "en"), export(version, "sv")

    catalog = english.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] in (True, "true")
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")
    assert catalog["/Lang"] == "en"
    assert swedish.trailer["/Root"]["/Lang"] == "sv"
    assert english.metadata is not None
    assert english.metadata.title == "Digital omställning – Vindeln"
    # PDF/UA-1 says so in the XMP metadata.
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
    # The headings are the PDF's bookmarks.
    outline = [item.title for item in english.outline if not isinstance(item, list)]
    assert outline == ["Digital omställning"]
    parts = next(item for item in english.outline if isinstance(item, list))
    assert "The plan along Kotter's eight steps" in [
        item.title for item in parts if not isinstance(item, list)
    ]


def test_swedish_is_the_default_language_of_the_pdf(home: Municipality) -> None:
    reader = export(rich_version(home, initiatives=1), "sv")

    with translation.override("sv"):
        urgency = f"1. {Step.URGENCY.label}"
    assert urgency in text_of(reader)


def test_the_roadmap_is_drawn_in_figures_that_fit_a_page(home: Municipality) -> None:
    version = rich_version(home, initiatives=40)

    with translation.override("en"):
        context = pdf_context(plan_document(version))

    assert [len(chart.rows) for chart in context["roadmaps"]] == [20, 20]
    assert context["roadmaps"][1].rows[0].title == "21. Initiativ 21: digital vårdplanering"
    assert len(context["roadmap_rows"]) == 40
    assert [label for _mark, label in context["quarter_marks"]][:5] == [
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "Q1",
    ]


def test_a_plan_without_initiatives_still_prints(home: Municipality) -> None:
    from tests.plans.builders import make_plan

    reader = export(make_plan(home).versions.get())

    text = text_of(reader)
    assert "No initiatives have been added yet." in text
    assert "This is a draft: it has not been submitted to the leadership." in text


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/tracker.png",
        "http://127.0.0.1:8000/static/forandra/favicon.svg",
        "file:///etc/passwd",
        "https://static.forandra.invalid/../../settings.py",
    ],
)
def test_weasyprint_fetches_nothing_but_the_apps_static_files(url: str) -> None:
    with pytest.raises(StaticFileRefusedError):
        _fetcher().fetch(url)


def test_the_apps_own_static_files_are_fetched() -> None:
    response = _fetcher().fetch("https://static.forandra.invalid/forandra/favicon.svg")

    assert response.headers["Content-Type"] == "image/svg+xml"
