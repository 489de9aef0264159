"""The Word export: real heading styles, tables with header rows, the charts as pictures with alt
text, the document's language; and the file opens in LibreOffice (when it is installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from pypdf import PdfReader

from forandra.municipalities.models import Municipality
from forandra.plans.document import plan_document
from forandra.plans.export_docx import to_docx
from forandra.plans.models import Initiative, PlanVersion, Step
from tests.plans.builders import make_plan
from tests.plans.test_export_document import FIRST_TITLE, LEADERSHIP, URGENCY, rich_version

pytestmark = pytest.mark.django_db


def export(version: PlanVersion, language: str = "en") -> DocxDocument:
    with translation.override(language):
        body = to_docx(plan_document(version))
    return Document(io.BytesIO(body))


def headings(document: DocxDocument, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


def test_headings_are_word_heading_styles(home: Municipality) -> None:
    document = export(rich_version(home, decided=True))

    assert headings(document, "Title") == ["Digital omställning"]
    assert headings(document, "Heading 1") == [
        "Leadership's decision",
        "The plan along Kotter's eight steps",
        "Management and leadership",
        "Capabilities to develop",
        "Initiatives",
        "Budget",
        "Roadmap",
    ]
    level_two = headings(document, "Heading 2")
    assert level_two[:8] == [
        "1. Establishing a sense of urgency",
        "2. Creating the guiding coalition",
        "3. Developing a vision and strategy",
        "4. Communicating the change vision",
        "5. Empowering broad-based action",
        "6. Generating short-term wins",
        "7. Consolidating gains and producing more change",
        "8. Anchoring new approaches in the culture",
    ]
    assert level_two[8:] == [
        f"1. {FIRST_TITLE}",
        "2. Initiativ 2: digital vårdplanering",
        "3. Initiativ 3: digital vårdplanering",
    ]
    assert headings(document, "Heading 3") == ["Budget per year as a chart", "Roadmap as a table"]
    # The heading styles are Word's built-in ones, which a template restyles.
    assert document.styles["Heading 1"].builtin


def test_the_text_of_each_part_is_in_the_document(home: Municipality) -> None:
    text = "\n".join(p.text for p in export(rich_version(home, decided=True)).paragraphs)

    assert URGENCY in text
    assert LEADERSHIP in text
    assert "Godkänd med ändringar: börja med bygglov." in text
    assert "Decision: Approved with changes" in text
    assert "Owner: Förvaltning 1" in text
    assert "First step: Kartlägg dagens ansökningar." in text
    assert "Benefit for residents: Besked på dagar i stället för veckor." in text
    assert (
        "Budget (SEK): 315,000 in all: investment 200,000, operations 65,000, innovation 50,000"
        in (text)
    )


def test_tables_have_header_rows_and_innovation_its_own_budget_row(home: Municipality) -> None:
    document = export(rich_version(home))

    capabilities, initiatives, budget, roadmap = document.tables
    assert [c.text for c in capabilities.rows[0].cells] == [
        "Capability",
        "Current score",
        "Target score",
        "Built by",
    ]
    assert [c.text for c in capabilities.rows[2].cells][:3] == ["Data och uppföljning", "–", "50"]
    assert [c.text for c in capabilities.rows[3].cells][:2] == ["Ledning och styrning", "43"]
    assert [c.text for c in initiatives.rows[0].cells] == [
        "Initiative",
        "Owner",
        "Investment",
        "Operations",
        "Innovation",
    ]
    assert [c.text for c in initiatives.rows[1].cells] == [
        f"1. {FIRST_TITLE}",
        "Förvaltning 1",
        "200,000",
        "65,000",
        "50,000",
    ]
    assert [c.text for c in budget.rows[0].cells] == ["Kind", "2027", "2028", "2029", "Total"]
    assert [[c.text for c in row.cells] for row in budget.rows[1:]] == [
        ["Investment", "600,003", "0", "0", "600,003"],
        ["Operations", "0", "90,000", "105,000", "195,000"],
        ["Innovation", "150,000", "0", "0", "150,000"],
        ["Total", "750,003", "90,000", "105,000", "945,003"],
    ]
    assert [c.text for c in roadmap.rows[1].cells] == [f"1. {FIRST_TITLE}", "Q1 2027", "Q2 2028"]
    for table in document.tables:
        assert table.style is not None and table.style.name == "Table Grid"
        header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None  # repeated on each page, read as headers
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        assert table._tbl.tblPr.find(qn("w:tblCaption")) is not None
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)


def test_the_charts_are_pictures_with_alt_text(home: Municipality) -> None:
    document = export(rich_version(home))

    pictures = document.inline_shapes
    assert len(pictures) == 2  # the budget, the roadmap
    descriptions = [shape._inline.docPr.get("descr") for shape in pictures]
    assert descriptions[0].startswith("Bar chart of the budget per year, 2027 to 2029")
    assert descriptions[1].startswith("Roadmap of initiatives 1 to 3")
    blobs = [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]
    assert len(blobs) == 2
    assert all(blob.startswith(b"\x89PNG") for blob in blobs)


def test_a_long_roadmap_is_split_into_pictures_that_fit_a_page(home: Municipality) -> None:
    document = export(rich_version(home, initiatives=40))

    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert [d.split(" as bars")[0] for d in descriptions[1:]] == [
        "Roadmap of initiatives 1 to 20",
        "Roadmap of initiatives 21 to 40",
    ]
    assert len(document.tables[1].rows) == 41


def test_core_properties_and_language_follow_the_active_language(home: Municipality) -> None:
    version = rich_version(home)

    english, swedish = export(version, "en"), export(version, "sv")

    assert english.core_properties.title == "Digital omställning – Vindeln"
    assert english.core_properties.language == "en-GB"
    assert english.core_properties.revision == 1
    assert swedish.core_properties.language == "sv-SE"
    default_language = swedish.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert default_language.get(qn("w:val")) == "sv-SE"
    with translation.override("sv"):
        urgency = f"1. {Step.URGENCY.label}"
    assert urgency in headings(swedish, "Heading 2")


def test_an_empty_draft_exports_and_says_what_is_not_there(home: Municipality) -> None:
    version = make_plan(home).versions.get()

    document = export(version)

    text = "\n".join(p.text for p in document.paragraphs)
    assert "No initiatives have been added yet." in text
    assert "No capabilities have been named yet." in text
    assert "No initiative has a start date within the plan's years yet." in text
    assert text.count("Not written yet.") == 9  # the eight steps and the leadership check
    assert len(document.inline_shapes) == 0
    assert len(document.tables) == 1  # the budget, all zero
    assert headings(document, "Heading 1")[0] == "The plan along Kotter's eight steps"


def test_text_that_xml_cannot_hold_does_not_break_the_file(home: Municipality) -> None:
    version = rich_version(home, initiatives=1)
    Initiative.objects.filter(version=version).update(
        title="Bygglov\x0b på nätet", start=None, end=date(2027, 5, 1)
    )

    document = export(version)

    assert "1. Bygglov på nätet" in headings(document, "Heading 2")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Not on the roadmap (no start date, or outside the plan's years): 1. Bygglov" in text


OFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def test_the_file_opens_in_libreoffice(home: Municipality) -> None:
    if OFFICE is None:
        pytest.skip("LibreOffice is not installed: `soffice` or `libreoffice` is not on PATH")
    with translation.override("en"):
        body = to_docx(plan_document(rich_version(home, decided=True)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "plan.docx").write_bytes(body)
        subprocess.run(
            [
                OFFICE,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                str(folder / "plan.docx"),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        reader = PdfReader(folder / "plan.pdf")
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
        outline = [item.title for item in reader.outline if not isinstance(item, list)]

    assert "Digital omställning" in text
    assert FIRST_TITLE in text
    assert URGENCY in text
    assert "Establishing a sense of urgency" in text
    # LibreOffice made bookmarks of the Word headings: they are real headings.
    assert "The plan along Kotter's eight steps" in outline
