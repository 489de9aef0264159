"""A plan version as a Word document (python-docx).

Built on Word's own styles: the plan's title in "Title", each part in "Heading 1", each of
Kotter's steps and each initiative in "Heading 2", the budget's and the roadmap's parts in
"Heading 3", tables in "Table Grid" with a header row that repeats on every page, captions in
"Caption". So a municipality can restyle the whole document by attaching its own template, and
the headings make the document's outline (navigation pane, table of contents, PDF bookmarks and
tags when Word saves it as PDF). The roadmap and the budget are PNG images (charts.py) with alt
text, each followed by the same figures in a table. The document's language (core properties
and the spelling language of the styles) is the active language's.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from . import charts
from .document import (
    InitiativeDoc,
    PlanDocument,
    amount,
    day,
    paragraphs,
    percent,
    quarter_label,
    quarter_short,
    score,
)

LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}
TEXT_WIDTH = Cm(17)  # A4 less 2 cm margins
TABLE_STYLE = "Table Grid"
TABLE_FONT = Pt(9)
ROADMAP_ROWS = 25  # initiatives per roadmap image at most, so an image fits a page
# Characters XML 1.0 cannot hold (a pasted text may carry them); Word would refuse the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def language_tag() -> str:
    return LANGUAGE_TAGS.get((get_language() or "sv")[:2], "sv-SE")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


@functools.cache
def _style_id(name: str) -> str:
    """The id of one of the default template's styles (every export starts from it)."""
    return str(Document().styles[name].style_id)


def _styled(document: DocxDocument, text: str, style: str) -> Paragraph:
    """A paragraph in one of the template's styles, set by its id as python-docx's own
    `add_heading` does, without the search of all the styles python-docx makes per paragraph
    (half the time of a long plan's export)."""
    paragraph = document.add_paragraph(_clean(text))
    paragraph._p.get_or_add_pPr().style = _style_id(style)
    return paragraph


def _heading(document: DocxDocument, text: str, level: int) -> Paragraph:
    """A heading in Word's own style: "Title" for level 0, "Heading <level>" otherwise."""
    return _styled(document, text, "Title" if level == 0 else f"Heading {level}")


def _set_language(document: DocxDocument, tag: str) -> None:
    """The spelling and hyphenation language of every style, via the document defaults."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _page_setup(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))


def _footer(document: DocxDocument, text: str) -> None:
    """The plan's name and the page number at the foot of every page."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.text = f"{_clean(text)} · "
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    number = OxmlElement("w:t")
    number.text = "1"  # shown until the reader's program updates the field
    run.append(number)
    field.append(run)
    paragraph._p.append(field)


def _text(document: DocxDocument, text: str, *, empty: str | None = None) -> None:
    """User text as paragraphs (split at empty lines; single line breaks kept)."""
    parts = paragraphs(_clean(text))
    if not parts and empty:
        document.add_paragraph().add_run(empty).italic = True
    for part in parts:
        paragraph = document.add_paragraph()
        for index, line in enumerate(part.split("\n")):
            if index:
                paragraph.add_run().add_break()
            paragraph.add_run(line)


def _labelled(document: DocxDocument, label: str, value: str) -> Paragraph:
    """ "Label: value" with the label in bold."""
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(_clean(value))
    paragraph.paragraph_format.space_after = Pt(2)
    return paragraph


def _header_and_whole_rows(table: Table) -> None:
    """No row breaks across pages, and the first row is the table's header row (repeated on
    every page; read as headers by screen readers and when Word saves a tagged PDF)."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)  # after cantSplit, as the schema orders


def _table_caption(table: Table, caption: str) -> None:
    """The table's title for assistive technology (Word's "Alt Text" of a table)."""
    tbl_pr = table._tbl.tblPr
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), _clean(caption))
    tbl_pr.append(element)


def _table(
    document: DocxDocument,
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Sequence[int] = (),
    total: Sequence[str] | None = None,
    widths: Sequence[float] | None = None,
    font: Pt | None = None,
) -> Table:
    """A captioned table with a bold header row; `numeric` columns right-aligned; an optional
    bold total row; `widths` in cm (the first column takes what the others leave of the text
    width when not given)."""
    _styled(document, caption, "Caption").paragraph_format.keep_with_next = True
    body = [*rows, *([total] if total is not None else [])]
    table: Table = document.add_table(rows=1 + len(body), cols=len(header))
    table._tbl.tblPr.style = _style_id(TABLE_STYLE)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    _table_caption(table, caption)
    _header_and_whole_rows(table)
    if widths is None:
        rest = 2.3 * (len(header) - 1)
        widths = [TEXT_WIDTH.cm - rest] + [2.3] * (len(header) - 1)
    sizes = [Cm(width) for width in widths]
    for column, size in zip(table.columns, sizes, strict=True):
        column.width = size
    for index, row in enumerate([header, *body]):
        bold = index == 0 or (total is not None and index == len(body))
        cells = table.rows[index].cells
        for column, (cell, value) in enumerate(zip(cells, row, strict=True)):
            cell.width = sizes[column]  # Word reads the cells' widths, LibreOffice the grid's
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(_clean(value))
            run.bold = bold
            run.font.size = font or TABLE_FONT
            if column in numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _picture(document: DocxDocument, png: bytes, alt: str) -> None:
    """A full-width picture with its alt text (the drawing's `descr`, Word's "Alt Text")."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=TEXT_WIDTH)
    shape._inline.docPr.set("descr", _clean(alt))


def _facts(document: DocxDocument, doc: PlanDocument) -> None:
    version = doc.version
    _labelled(document, _("Municipality"), doc.municipality.name)
    _labelled(document, _("Period"), doc.period)
    _labelled(document, _("Version"), str(version.number))
    _labelled(document, _("Status"), doc.status)
    if version.submitted_at:
        _labelled(document, _("Submitted"), day(version.submitted_at.date()))
    _labelled(document, _("Document created"), day(doc.generated_at.date()))
    if doc.is_demo:
        document.add_paragraph().add_run(
            _("Demo data: the plan is made up, to show how Förändra works.")
        ).italic = True


def _decision(document: DocxDocument, doc: PlanDocument) -> None:
    decision = doc.decision
    if decision is None:
        return
    _heading(document, _("Leadership's decision"), level=1)
    _labelled(document, _("Decision"), decision.outcome)
    _labelled(document, _("Date of decision"), day(decision.decided_on))
    if decision.decided_by:
        _labelled(document, _("Decided by"), decision.decided_by)
    _text(document, decision.comment)


def _steps(document: DocxDocument, doc: PlanDocument) -> None:
    _heading(document, _("The plan along Kotter's eight steps"), level=1)
    for section in doc.sections:
        _heading(document, f"{section.step}. {section.title}", level=2)
        _text(document, section.text, empty=_("Not written yet."))
    _heading(document, _("Management and leadership"), level=1)
    document.add_paragraph(
        _(
            "Kotter: management makes a system work; leadership builds or transforms it. Which "
            "of the two each part of the plan needs:"
        )
    )
    _text(document, doc.leadership_check, empty=_("Not written yet."))


def _capabilities(document: DocxDocument, doc: PlanDocument) -> None:
    _heading(document, _("Capabilities to develop"), level=1)
    if not doc.capabilities:
        document.add_paragraph(_("No capabilities have been named yet."))
        return
    _table(
        document,
        _("Capabilities, scores 0–100"),
        [_("Capability"), _("Current score"), _("Target score"), _("Built by")],
        [
            [
                c.name,
                score(c.current_score),
                score(c.target_score),
                ", ".join(c.initiatives) or "–",
            ]
            for c in doc.capabilities
        ],
        numeric=(1, 2),
        widths=(5.0, 2.2, 2.2, 7.6),
    )
    for capability in doc.capabilities:
        if capability.note:
            _labelled(document, capability.name, capability.note)


def _initiative(document: DocxDocument, number: int, item: InitiativeDoc) -> None:
    _heading(document, f"{number}. {_clean(item.title)}", level=2)
    _labelled(document, _("Owner"), item.owner or "–")
    _labelled(document, _("Start"), day(item.start) or "–")
    _labelled(document, _("End"), day(item.end) or "–")
    if item.first_step:
        _labelled(document, _("First step"), item.first_step)
    if item.citizen_benefit:
        _labelled(document, _("Benefit for residents"), item.citizen_benefit)
    if item.waves:
        _labelled(document, _("Waves"), ", ".join(item.waves))
    if item.capabilities:
        _labelled(document, _("Capabilities"), ", ".join(item.capabilities))
    if item.partners:
        _labelled(document, _("Collaborating municipalities"), ", ".join(item.partners))
    parts = ", ".join(f"{part.label.lower()} {amount(part.amount)}" for part in item.budget)
    _labelled(
        document,
        _("Budget (SEK)"),
        _("%(total)s in all: %(parts)s") % {"total": amount(item.budget_total), "parts": parts},
    )
    if item.description:
        _text(document, item.description)


def _initiatives(document: DocxDocument, doc: PlanDocument) -> None:
    _heading(document, _("Initiatives"), level=1)
    if not doc.initiatives:
        document.add_paragraph(_("No initiatives have been added yet."))
        return
    kinds = [part.label for part in doc.initiatives[0].budget]
    _table(
        document,
        _("Initiatives, budget in SEK for the whole period"),
        [_("Initiative"), _("Owner"), *kinds],
        [
            [
                f"{number}. {item.title}",
                item.owner or "–",
                *(amount(part.amount) for part in item.budget),
            ]
            for number, item in enumerate(doc.initiatives, start=1)
        ],
        numeric=(2, 3, 4),
        widths=(6.4, 3.4, 2.4, 2.4, 2.4),
    )
    for number, item in enumerate(doc.initiatives, start=1):
        _initiative(document, number, item)


def _budget(document: DocxDocument, doc: PlanDocument) -> None:
    table = doc.budget
    _heading(document, _("Budget"), level=1)
    document.add_paragraph(
        _("Amounts in SEK. Innovation is its own line, as the plan budgets for it explicitly.")
    )
    # A column of figures is 2.6 cm wide while they fit, the kinds' names take the rest; a
    # plan of many years gets narrower columns and smaller figures.
    columns = len(table.years) + 1
    width = min(2.6, 14 / columns)
    _table(
        document,
        _("Budget per year and kind (SEK)"),
        [_("Kind"), *(str(year) for year in table.years), _("Total")],
        [
            [row.label, *(amount(value) for value in row.amounts), amount(row.total)]
            for row in table.rows
        ],
        numeric=tuple(range(1, len(table.years) + 2)),
        total=[_("Total"), *(amount(value) for value in table.year_totals), amount(table.total)],
        widths=(TEXT_WIDTH.cm - columns * width, *([width] * columns)),
        font=TABLE_FONT if len(table.years) <= 5 else Pt(7),
    )
    document.add_paragraph(
        _("Innovation's share of the budget: %(share)s.")
        % {"share": percent(table.innovation_share)}
    )
    if table.total:
        _heading(document, _("Budget per year as a chart"), level=3)
        png = charts.budget_png(
            table.years,
            [(row.label, row.amounts) for row in table.rows],
            amount_label=_("SEK"),
            number_format=amount,
        )
        _picture(
            document,
            png,
            _(
                "Bar chart of the budget per year, %(first)s to %(last)s, stacked by kind: "
                "investment, operations and innovation (hatched). The figures are in the table "
                "above."
            )
            % {"first": table.years[0], "last": table.years[-1]},
        )


def _roadmap(document: DocxDocument, doc: PlanDocument) -> None:
    _heading(document, _("Roadmap"), level=1)
    numbered = list(enumerate(doc.initiatives, start=1))
    placed = [(n, item) for n, item in numbered if item.span.first is not None]
    if not placed:
        document.add_paragraph(_("No initiative has a start date within the plan's years yet."))
    else:
        # Even blocks of at most ROADMAP_ROWS: 40 initiatives make two images of 20.
        blocks = -(-len(placed) // ROADMAP_ROWS)
        size = -(-len(placed) // blocks)
        quarter_ticks = [(q.year, quarter_short(q)) for q in doc.quarters]
        for start in range(0, len(placed), size):
            block = placed[start : start + size]
            png = charts.roadmap_png(
                [
                    charts.RoadmapRow(
                        label=f"{n}. {item.title}",
                        first=item.span.first or 0,
                        last=item.span.last or 0,
                        clipped_start=item.span.clipped_start,
                        clipped_end=item.span.clipped_end,
                    )
                    for n, item in block
                ],
                quarter_ticks,
                axis_label=_("Quarter"),
            )
            _picture(
                document,
                png,
                _(
                    "Roadmap of initiatives %(first_item)s to %(last_item)s as bars across the "
                    "quarters from %(first)s to %(last)s. The same is in the table below."
                )
                % {
                    "first_item": block[0][0],
                    "last_item": block[-1][0],
                    "first": quarter_label(doc.quarters[0]),
                    "last": quarter_label(doc.quarters[-1]),
                },
            )
        _heading(document, _("Roadmap as a table"), level=3)
        rows = []
        for n, item in placed:
            first, last = doc.quarters_of(item) or ("", "")
            rows.append([f"{n}. {item.title}", first, last])
        _table(
            document,
            _("Roadmap: the quarters each initiative spans"),
            [_("Initiative"), _("From"), _("To")],
            rows,
            widths=(11.0, 3.0, 3.0),
        )
    unplaced = [f"{n}. {item.title}" for n, item in numbered if item.span.first is None]
    if unplaced:
        _labelled(
            document,
            _("Not on the roadmap (no start date, or outside the plan's years)"),
            "; ".join(unplaced),
        )


def to_docx(doc: PlanDocument) -> bytes:
    """The plan version as a .docx file, in the active language."""
    document = Document()
    tag = language_tag()
    _page_setup(document)
    _set_language(document, tag)
    plan, version = doc.plan, doc.version
    title = f"{plan.title} – {doc.municipality.name}"
    _footer(
        document,
        _("%(title)s, version %(number)s") % {"title": title, "number": version.number},
    )

    _heading(document, _clean(plan.title), level=0)
    _styled(
        document,
        _("Transformation plan of %(municipality)s, %(period)s")
        % {"municipality": doc.municipality.name, "period": doc.period},
        "Subtitle",
    )
    _facts(document, doc)
    _decision(document, doc)
    _steps(document, doc)
    _capabilities(document, doc)
    _initiatives(document, doc)
    _budget(document, doc)
    _roadmap(document, doc)

    properties = document.core_properties
    properties.title = _clean(title)[:255]
    properties.subject = _("Transformation plan")
    properties.author = "Förändra"
    properties.last_modified_by = "Förändra"
    properties.language = tag
    properties.revision = version.number
    properties.comments = _("Version %(number)s, %(status)s") % {
        "number": version.number,
        "status": doc.status.lower(),
    }
    properties.keywords = ", ".join([doc.municipality.name, _("transformation plan")])
    properties.created = doc.generated_at
    properties.modified = doc.generated_at
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
