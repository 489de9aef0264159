"""The programme report: its figures, the XLSX and PDF downloads, and who may have them."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from forandra.municipalities.models import DigitalisationGroup, Municipality, Region
from forandra.programme import report, services
from forandra.programme.models import Cohort, Programme, Session
from tests.conftest import Users

from .builders import at, make_programme, more_groups, schedule_four

pytestmark = pytest.mark.django_db

DAYS = ["2026-03-10", "2026-03-24", "2026-04-14", "2026-05-05"]
# Two of the four sessions have ended by then.
MIDWAY = at("2026-04-01", "12:00")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def programme(
    region: Region,
    home: Municipality,
    neighbour: Municipality,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
) -> Programme:
    """Vindeln (five members: IT twice, Skola, Socialtjänst, Ekonomi) and Bjurholm (HR,
    Bibliotek) in one cohort, with attendance at the first two sessions, and a third session
    attended before it was held, which a report made midway must not count."""
    programme = make_programme(region, [home, neighbour])
    cohort = services.cohort_create(
        programme=programme, name="Kohort A", groups=[home_group, neighbour_group]
    )
    first, second, third, _fourth = schedule_four(programme, cohort, DAYS)
    vindeln = list(home_group.members.order_by("pk"))
    bjurholm = list(neighbour_group.members.order_by("pk"))
    services.attendance_set(session=first, member=vindeln[0], present=True)  # 3.5 h
    services.attendance_set(session=first, member=vindeln[1], present=True)  # 3.5 h
    services.attendance_set(session=first, member=vindeln[2], present=True, hours=Decimal("2"))
    services.attendance_set(session=first, member=vindeln[3], present=False)
    services.attendance_set(session=first, member=bjurholm[0], present=True)  # 3.5 h
    services.attendance_set(session=second, member=vindeln[0], present=True)  # 3.5 h
    services.attendance_set(session=third, member=vindeln[4], present=True)
    assignments = {a.key: a for a in programme.assignments.all()}
    for key, state in (
        ("survey_and_podcasts", "done"),
        ("gather_ideas", "in_progress"),
        ("draft_plan", "done"),
    ):
        services.assignment_status_set(assignment=assignments[key], group=home_group, state=state)
    services.assignment_status_set(
        assignment=assignments["survey_and_podcasts"], group=neighbour_group, state="done"
    )
    services.assignment_status_set(
        assignment=assignments["draft_plan"], group=neighbour_group, state="in_progress"
    )
    return programme


def rows_by_code(figures: report.ProgrammeReport) -> dict[str, report.MunicipalityRow]:
    return {row.municipality.code: row for row in figures.municipalities}


# Figures -----------------------------------------------------------------------------------------


def test_attendance_hours_add_up_those_present_at_sessions_held(programme: Programme) -> None:
    figures = report.programme_report(programme=programme, now=MIDWAY)
    rows = rows_by_code(figures)

    # 3.5 + 3.5 + 2 at the first session and 3.5 at the second; the absent member counts no
    # hours, and the third session, not yet held, counts nothing.
    assert rows["2404"].attendance_hours == Decimal("12.5")
    assert rows["2404"].attendees == 3
    assert rows["2404"].sessions_held == 2
    assert rows["2403"].attendance_hours == Decimal("3.5")
    assert rows["2403"].attendees == 1
    assert figures.totals.attendance_hours == Decimal("16")
    assert figures.totals.attendees == 4
    assert figures.totals.sessions_held == 4  # two sessions, counted for both municipalities
    assert [(row.session.workshop.number, row.present) for row in figures.sessions] == [
        (1, 4),
        (2, 1),
    ]
    assert [row.attendance_hours for row in figures.sessions] == [Decimal("12.5"), Decimal("3.5")]
    assert figures.session_hours == Decimal("7")


def test_once_every_session_is_over_all_attendance_counts(programme: Programme) -> None:
    figures = report.programme_report(programme=programme, now=at("2026-06-01", "09:00"))

    assert rows_by_code(figures)["2404"].sessions_held == 4
    assert rows_by_code(figures)["2404"].attendance_hours == Decimal("16")  # + 3.5 at the third
    assert rows_by_code(figures)["2404"].attendees == 4
    assert len(figures.sessions) == 4


def test_participants_are_counted_per_function_ignoring_case(programme: Programme) -> None:
    figures = report.programme_report(programme=programme, now=MIDWAY)
    rows = rows_by_code(figures)

    assert [(f.function, f.participants) for f in rows["2404"].functions] == [
        ("Ekonomi", 1),
        ("IT", 2),  # "IT" and "it"
        ("Skola", 1),
        ("Socialtjänst", 1),
    ]
    assert rows["2404"].participants == 5
    assert rows["2403"].participants == 2
    assert figures.totals.participants == 7
    assert figures.functions[0] == report.FunctionTotal(
        function="IT", participants=2, municipalities=1
    )
    assert len(figures.functions) == 6


def test_home_assignments_done_and_the_plan_draft(programme: Programme) -> None:
    figures = report.programme_report(programme=programme, now=MIDWAY)
    rows = rows_by_code(figures)

    assert (rows["2404"].assignments_done, rows["2404"].assignments_total) == (2, 3)
    assert rows["2404"].plan_draft_done is True
    assert (rows["2403"].assignments_done, rows["2403"].assignments_total) == (1, 3)
    assert rows["2403"].plan_draft_done is False  # in progress is not done
    assert figures.totals.assignments_done == 3
    assert figures.totals.assignments_total == 6
    assert figures.totals.plan_drafts_done == 1
    assert figures.has_plan_assignment is True


def test_a_municipality_without_a_group_is_listed_with_nothing(
    region: Region, home: Municipality, home_group: DigitalisationGroup
) -> None:
    lonely = Municipality.objects.get(code="2480")  # Umeå, no group
    programme = make_programme(region, [home, lonely])

    rows = rows_by_code(report.programme_report(programme=programme))

    assert rows["2480"].has_group is False
    assert (rows["2480"].participants, rows["2480"].assignments_total) == (0, 0)
    assert rows["2404"].assignments_total == 3


def test_the_report_takes_the_same_number_of_queries_for_more_municipalities(
    programme: Programme, home_group: DigitalisationGroup, neighbour_group: DigitalisationGroup
) -> None:
    def queries() -> int:
        fresh = Programme.objects.select_related("region").get(pk=programme.pk)
        with CaptureQueriesContext(connection) as captured:
            report.programme_report(programme=fresh, now=MIDWAY)
        return len(captured)

    few = queries()
    groups = more_groups(4)
    programme.municipalities.add(*(g.municipality for g in groups))
    cohort = services.cohort_create(programme=programme, name="Kohort B", groups=groups)
    sessions = schedule_four(programme, cohort, DAYS)
    for group in groups:
        for member in group.members.all():
            services.attendance_set(session=sessions[0], member=member, present=True)
        services.assignment_status_set(
            assignment=programme.assignments.get(key="draft_plan"), group=group, state="done"
        )

    assert queries() == few == 7


# Downloads ---------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(client: Client, users: Users) -> Client:
    client.force_login(users.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def export(client: Client, programme: Programme, fmt: str) -> object:
    return client.get(reverse("programme:report_export", args=[programme.pk, fmt]))


def expected_filename(fmt: str) -> str:
    return f"programme-report-att-leda-digital-forandring-2026-{timezone.localdate()}.{fmt}"


def test_the_xlsx_has_four_sheets_with_numbers_as_numbers(
    coordinator: Client, programme: Programme
) -> None:
    response = export(coordinator, programme, "xlsx")

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == (  # type: ignore[index]
        f'attachment; filename="{expected_filename("xlsx")}"'
    )
    book = load_workbook(io.BytesIO(response.content))  # type: ignore[attr-defined]
    assert book.sheetnames == ["Summary", "Municipalities", "Functions", "Sessions"]
    sheet = book["Municipalities"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Municipality" and sheet["A1"].font.b
    assert sheet.column_dimensions["A"].width >= len("Municipality")
    header = [cell.value for cell in sheet[1]]
    rows = {
        row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(values_only=True)
    }
    # Every session of the programme is over by now.
    assert rows["2404"] == {
        "Municipality": "Vindeln",
        "Code": "2404",
        "Participants": 5,
        "Functions": 4,
        "Sessions held": 4,
        "Attendance hours": 16,
        "Attended at least once": 4,
        "Home assignments done": 2,
        "Home assignments in all": 3,
        "Plan draft assignment done": 1,
    }
    total = list(sheet.iter_rows(values_only=True))[-1]
    assert total[0] == "Total" and total[2] == 7 and total[5] == 19.5
    assert sheet.cell(row=sheet.max_row, column=1).font.b

    sessions = book["Sessions"]
    first = next(sessions.iter_rows(min_row=2, values_only=True))
    assert first[0] == 1 and first[2] == "Kohort A"
    assert first[3].isoformat() == "2026-03-10T09:00:00"  # local time, as a date cell
    assert (first[6], first[7], first[8]) == (3.5, 4, 12.5)
    functions = list(book["Functions"].iter_rows(min_row=2, values_only=True))
    assert ("Vindeln", "2404", "IT", 2) in functions
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Programme"] == "Att leda digital förändring 2026"
    assert summary["Region"] == "Västerbottens län"  # the register's name
    assert summary["Attendance hours"] == 19.5


def pdf_text(body: bytes) -> str:
    """The document's text, with line breaks (where table cells wrap) as spaces."""
    pages = PdfReader(io.BytesIO(body)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_pdf_names_the_programme_and_its_municipalities(
    coordinator: Client, programme: Programme
) -> None:
    response = export(coordinator, programme, "pdf")

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"  # type: ignore[index]
    assert response["Content-Disposition"] == (  # type: ignore[index]
        f'attachment; filename="{expected_filename("pdf")}"'
    )
    text = pdf_text(response.content)  # type: ignore[attr-defined]
    assert "Att leda digital förändring 2026" in text
    assert "Programme report" in text
    assert "Vindeln" in text and "Bjurholm" in text
    assert "Plan draft assignment done" in text
    assert "Page 1 of" in text
    assert "Kohort A" in text


def test_an_unknown_format_is_not_found(coordinator: Client, programme: Programme) -> None:
    assert export(coordinator, programme, "csv").status_code == 404  # type: ignore[attr-defined]
    assert export(coordinator, programme, "XLSX").status_code == 404  # type: ignore[attr-defined]


def test_the_page_shows_the_figures_and_links_the_downloads(
    coordinator: Client, programme: Programme
) -> None:
    response = coordinator.get(reverse("programme:report", args=[programme.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert reverse("programme:report_export", args=[programme.pk, "xlsx"]) in page
    assert reverse("programme:report_export", args=[programme.pk, "pdf"]) in page
    assert "Vindeln" in page and "Kohort A" in page
    assert "<caption>The sessions held, with attendance</caption>" in page


def test_the_page_takes_the_same_number_of_queries_for_more_municipalities(
    coordinator: Client, programme: Programme
) -> None:
    url = reverse("programme:report", args=[programme.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert coordinator.get(url).status_code == 200
        return len(captured)

    coordinator.get(url)  # the session and the user are read once, then cached
    few = queries()
    groups = more_groups(3)
    programme.municipalities.add(*(g.municipality for g in groups))
    cohort: Cohort = services.cohort_create(programme=programme, name="Kohort B", groups=groups)
    schedule_four(programme, cohort, DAYS)

    assert queries() == few
    assert Session.objects.filter(cohort=cohort).count() == 4
