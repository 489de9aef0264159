"""The programme report: what the funder asks of a regional programme, per municipality.

The 2018 programme was financed by the EU's regional development fund, which asked for
participants and attendance hours. The report gives, per participating municipality, its group's
members per function, the sessions held (a session is held once it has ended), the attendance
hours (the hours of those present), how many members came at least once, the home assignments
done out of all, and whether the plan-drafting assignment is done. The plans themselves are not in
Förändra yet, so the report counts that assignment and names it so, rather than "plans produced".

`programme_report` reads it all in a fixed number of queries, summed in the database; `to_xlsx`
and `to_pdf` write it out. The PDF is the template `programme/report/report_pdf.html` printed by
WeasyPrint, fetching only the app's own static files (see `maturity.report`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from forandra.maturity.report import STATIC_BASE, static_file
from forandra.municipalities.models import GroupMember, Municipality

from .models import (
    Assignment,
    AssignmentState,
    AssignmentStatus,
    Attendance,
    CohortGroup,
    Feature,
    Programme,
    Session,
)

ZERO = Decimal("0")


@dataclass(frozen=True)
class FunctionCount:
    """How many of a group's members work in one function."""

    function: str
    participants: int


@dataclass(frozen=True)
class MunicipalityRow:
    """One participating municipality's figures."""

    municipality: Municipality
    has_group: bool
    functions: tuple[FunctionCount, ...]
    sessions_held: int
    attendance_hours: Decimal
    attendees: int
    assignments_done: int
    assignments_total: int
    plan_draft_done: bool

    @property
    def participants(self) -> int:
        return sum(f.participants for f in self.functions)


@dataclass(frozen=True)
class FunctionTotal:
    """One function across the programme: its participants and in how many municipalities."""

    function: str
    participants: int
    municipalities: int


@dataclass(frozen=True)
class SessionRow:
    """A session held: who was there, and their hours together."""

    session: Session
    present: int
    attendance_hours: Decimal

    @property
    def hours(self) -> Decimal:
        return self.session.hours


@dataclass(frozen=True)
class Totals:
    """The municipalities' figures added up. `sessions_held` counts a cohort's session once per
    municipality in it (14 municipalities at 4 workshops are 56), `groups` those with a group."""

    participants: int
    sessions_held: int
    attendance_hours: Decimal
    attendees: int
    assignments_done: int
    assignments_total: int
    plan_drafts_done: int
    groups: int


@dataclass(frozen=True)
class ProgrammeReport:
    programme: Programme
    generated_at: datetime
    municipalities: tuple[MunicipalityRow, ...]
    functions: tuple[FunctionTotal, ...]
    sessions: tuple[SessionRow, ...]
    totals: Totals
    has_plan_assignment: bool
    is_demo: bool

    @property
    def generated_on(self) -> date:
        return timezone.localdate(self.generated_at)

    @property
    def session_hours(self) -> Decimal:
        return sum((row.hours for row in self.sessions), ZERO)

    @property
    def session_present(self) -> int:
        return sum(row.present for row in self.sessions)

    @property
    def session_attendance_hours(self) -> Decimal:
        return sum((row.attendance_hours for row in self.sessions), ZERO)


def _function_key(function: str) -> str:
    # As `municipality_selectors.cross_functionality` counts them: "IT" and "it " are one.
    return " ".join(function.split()).casefold()


def programme_report(*, programme: Programme, now: datetime | None = None) -> ProgrammeReport:
    """The report's figures, in seven queries however many municipalities take part."""
    now = now or timezone.now()
    municipalities = list(
        Municipality.objects.filter(programmes=programme)
        .select_related("group")
        .order_by("name", "code")
    )

    functions: dict[int, dict[str, FunctionCount]] = {}
    function_rows = (
        GroupMember.objects.filter(group__municipality__programmes=programme)
        .values("group__municipality_id", "function")
        .annotate(participants=Count("pk"))
        .order_by("group__municipality_id", "function")
    )
    for item in function_rows:
        counts = functions.setdefault(item["group__municipality_id"], {})
        key = _function_key(item["function"])
        label = " ".join(item["function"].split()) or _("No function given")
        earlier = counts.get(key)
        counts[key] = FunctionCount(
            function=earlier.function if earlier else label,
            participants=item["participants"] + (earlier.participants if earlier else 0),
        )

    sessions_held = dict(
        CohortGroup.objects.filter(programme=programme, cohort__sessions__ends_at__lte=now)
        .values("group__municipality_id")
        .annotate(held=Count("cohort__sessions"))
        .values_list("group__municipality_id", "held")
    )
    attendance = {
        row["member__group__municipality_id"]: row
        for row in Attendance.objects.filter(
            session__workshop__programme=programme, session__ends_at__lte=now, present=True
        )
        .values("member__group__municipality_id")
        .annotate(hours=Sum("hours"), people=Count("member", distinct=True))
        .order_by()
    }
    assignments = list(Assignment.objects.filter(programme=programme).only("pk", "features"))
    plan_ids = [a.pk for a in assignments if Feature.PLANS in (a.features or [])]
    done = {
        row["group__municipality_id"]: row
        for row in AssignmentStatus.objects.filter(
            assignment__programme=programme, state=AssignmentState.DONE
        )
        .values("group__municipality_id")
        .annotate(done=Count("pk"), plans=Count("pk", filter=Q(assignment_id__in=plan_ids)))
        .order_by()
    }
    sessions = tuple(
        SessionRow(
            session=session,
            present=session.present_count,
            attendance_hours=session.present_hours or ZERO,
        )
        for session in Session.objects.filter(workshop__programme=programme, ends_at__lte=now)
        .select_related("workshop", "cohort")
        .annotate(
            present_count=Count("attendances", filter=Q(attendances__present=True)),
            present_hours=Sum("attendances__hours", filter=Q(attendances__present=True)),
        )
        .order_by("starts_at", "cohort__name", "workshop__number")
    )

    rows = []
    is_demo = False
    for municipality in municipalities:
        group = getattr(municipality, "group", None)
        is_demo = is_demo or bool(group and group.is_demo)
        counted = attendance.get(municipality.pk, {})
        finished = done.get(municipality.pk, {})
        rows.append(
            MunicipalityRow(
                municipality=municipality,
                has_group=group is not None,
                functions=tuple(
                    sorted(
                        functions.get(municipality.pk, {}).values(),
                        key=lambda f: f.function.casefold(),
                    )
                ),
                sessions_held=sessions_held.get(municipality.pk, 0),
                attendance_hours=counted.get("hours") or ZERO,
                attendees=counted.get("people", 0),
                assignments_done=finished.get("done", 0),
                assignments_total=len(assignments) if group is not None else 0,
                plan_draft_done=finished.get("plans", 0) > 0,
            )
        )

    by_function: dict[str, tuple[str, int, int]] = {}
    for row in rows:
        for count in row.functions:
            key = _function_key(count.function)
            label, participants, places = by_function.get(key, (count.function, 0, 0))
            by_function[key] = (label, participants + count.participants, places + 1)
    function_totals = tuple(
        FunctionTotal(function=label, participants=participants, municipalities=places)
        for label, participants, places in sorted(
            by_function.values(), key=lambda item: (-item[1], item[0].casefold())
        )
    )
    totals = Totals(
        participants=sum(r.participants for r in rows),
        sessions_held=sum(r.sessions_held for r in rows),
        attendance_hours=sum((r.attendance_hours for r in rows), ZERO),
        attendees=sum(r.attendees for r in rows),
        assignments_done=sum(r.assignments_done for r in rows),
        assignments_total=sum(r.assignments_total for r in rows),
        plan_drafts_done=sum(1 for r in rows if r.plan_draft_done),
        groups=sum(1 for r in rows if r.has_group),
    )
    return ProgrammeReport(
        programme=programme,
        generated_at=now,
        municipalities=tuple(rows),
        functions=function_totals,
        sessions=sessions,
        totals=totals,
        has_plan_assignment=bool(plan_ids),
        is_demo=is_demo,
    )


def filename(report: ProgrammeReport, fmt: str) -> str:
    """`programme-report-att-leda-digital-forandring-2018-2026-03-02.xlsx`."""
    slug = slugify(report.programme.name) or str(report.programme.pk)
    return f"programme-report-{slug}-{report.generated_on.isoformat()}.{fmt}"


# XLSX --------------------------------------------------------------------------------------------

Cell = str | int | Decimal | date | datetime | None
BOLD = Font(bold=True)
HOURS_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60


def _local(moment: datetime) -> datetime:
    """Spreadsheets have no time zones: the local time, as the calendar shows it."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _sheet(
    workbook: Workbook,
    title: str,
    header: list[str],
    rows: list[list[Cell]],
    *,
    total: list[Cell] | None = None,
) -> Worksheet:
    """A sheet with a bold, frozen header row, columns wide enough for their content, hours and
    dates formatted, and an optional bold total row."""
    sheet: Worksheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = BOLD
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(row)
    if total is not None:
        sheet.append(total)
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    widths = [len(text) for text in header]
    for line in sheet.iter_rows(min_row=2):
        for index, cell in enumerate(line):
            value = cell.value
            if isinstance(value, datetime):
                cell.number_format = TIME_FORMAT
                length = 16
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
                length = 10
            elif isinstance(value, Decimal):
                cell.number_format = HOURS_FORMAT
                length = len(f"{value:.2f}")
            else:
                length = len(str(value)) if value is not None else 0
            widths[index] = max(widths[index], length)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    return sheet


def to_xlsx(report: ProgrammeReport) -> bytes:
    """The report as a workbook: Summary, Municipalities, Functions and Sessions."""
    programme, totals = report.programme, report.totals
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    summary: list[list[Cell]] = [
        [_("Programme"), programme.name],
        [_("Region"), programme.region.name],
        [_("First day"), programme.starts_on],
        [_("Last day"), programme.ends_on],
        [_("Municipalities"), len(report.municipalities)],
        [_("Groups"), totals.groups],
        [_("Participants"), totals.participants],
        [_("Functions"), len(report.functions)],
        [_("Sessions held"), len(report.sessions)],
        [_("Sessions held, counted per municipality"), totals.sessions_held],
        [_("Attendance hours"), totals.attendance_hours],
        [_("Attended at least once"), totals.attendees],
        [_("Home assignments done"), totals.assignments_done],
        [_("Home assignments in all"), totals.assignments_total],
        [_("Plan draft assignment done"), totals.plan_drafts_done],
        [_("Report created"), _local(report.generated_at)],
    ]
    _sheet(workbook, _("Summary"), [_("Figure"), _("Value")], summary)
    _sheet(
        workbook,
        _("Municipalities"),
        [
            _("Municipality"),
            _("Code"),
            _("Participants"),
            _("Functions"),
            _("Sessions held"),
            _("Attendance hours"),
            _("Attended at least once"),
            _("Home assignments done"),
            _("Home assignments in all"),
            _("Plan draft assignment done"),
        ],
        [
            [
                row.municipality.name,
                row.municipality.code,
                row.participants,
                len(row.functions),
                row.sessions_held,
                row.attendance_hours,
                row.attendees,
                row.assignments_done,
                row.assignments_total,
                1 if row.plan_draft_done else 0,
            ]
            for row in report.municipalities
        ],
        total=[
            _("Total"),
            None,
            totals.participants,
            len(report.functions),
            totals.sessions_held,
            totals.attendance_hours,
            totals.attendees,
            totals.assignments_done,
            totals.assignments_total,
            totals.plan_drafts_done,
        ],
    )
    _sheet(
        workbook,
        _("Functions"),
        [_("Municipality"), _("Code"), _("Function"), _("Participants")],
        [
            [row.municipality.name, row.municipality.code, count.function, count.participants]
            for row in report.municipalities
            for count in row.functions
        ],
        total=[_("Total"), None, None, totals.participants],
    )
    _sheet(
        workbook,
        _("Sessions"),
        [
            _("Workshop"),
            _("Title"),
            _("Cohort"),
            _("Starts"),
            _("Ends"),
            pgettext("where a session is held", "Place"),
            _("Hours"),
            _("Present"),
            _("Attendance hours"),
        ],
        [
            [
                row.session.workshop.number,
                row.session.workshop.title,
                row.session.cohort.name,
                _local(row.session.starts_at),
                _local(row.session.ends_at),
                row.session.place,
                row.hours,
                row.present,
                row.attendance_hours,
            ]
            for row in report.sessions
        ],
        total=[
            _("Total"),
            None,
            None,
            None,
            None,
            None,
            report.session_hours,
            report.session_present,
            report.session_attendance_hours,
        ],
    )
    workbook.properties.title = f"{_('Programme report')}: {programme.name}"
    workbook.properties.creator = "Förändra"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# PDF ---------------------------------------------------------------------------------------------


def _fetcher() -> Any:
    """WeasyPrint's URL fetcher, narrowed to the app's own static files (`static_file` refuses
    anything else), as the maturity report's."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]  # URLFetcher is untyped
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, media_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    return StaticFilesOnly()


def report_context(report: ProgrammeReport) -> dict[str, Any]:
    """What the page and the PDF show, from the same figures."""
    return {
        "report": report,
        "programme": report.programme,
        "region": report.programme.region,
        "totals": report.totals,
        "is_demo": report.is_demo,
    }


def to_pdf(report: ProgrammeReport, *, language: str) -> bytes:
    """The report as an A4 PDF document in the given language."""
    # Imported here: loading WeasyPrint (and Pango) takes about a second, and only this needs it.
    from weasyprint import HTML

    with translation.override(language):
        context = report_context(report)
        context.update(
            {
                "language": language,
                # Filled in by the page counters of the print CSS, on each page.
                "page_number": format_html('<span class="{}"></span>', "page-number"),
                "page_count": format_html('<span class="{}"></span>', "page-count"),
            }
        )
        html = render_to_string("programme/report/report_pdf.html", context)
        document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=_fetcher())
        pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf
