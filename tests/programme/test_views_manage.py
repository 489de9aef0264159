"""The programme's management pages: a coordinator starts a programme, forms cohorts, schedules
the workshops and downloads the calendar; too-close sessions are refused whole; the programme,
workshops, attendance and a group's assignments are edited through their forms; the overview
takes the same number of queries however many groups take part."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from forandra.municipalities.models import DigitalisationGroup, Municipality, Region
from forandra.programme import selectors, services
from forandra.programme.models import (
    AssignmentState,
    AssignmentStatus,
    Attendance,
    Cohort,
    Programme,
    Session,
)
from tests.conftest import Users

from .builders import at, make_programme, more_groups, schedule_four

pytestmark = pytest.mark.django_db

DAYS = ["2026-03-10", "2026-04-07", "2026-05-05", "2026-06-02"]


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def coordinator(users: Users) -> Client:
    return signed_in(users.coordinator)


@pytest.fixture
def programme(
    region: Region, home: Municipality, neighbour: Municipality, home_group: DigitalisationGroup
) -> Programme:
    return make_programme(region, [home, neighbour])


def schedule_data(days: list[str], times: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """The schedule form filled in for the four workshops (mornings by default)."""
    times = times or [("09:00", "12:30")] * len(days)
    data = {}
    for number, (day, (starts, ends)) in enumerate(zip(days, times, strict=True), start=1):
        data |= {
            f"ws{number}-day": day,
            f"ws{number}-starts": starts,
            f"ws{number}-ends": ends,
            f"ws{number}-place": "Kommunhuset",
        }
    return data


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# --- Done-when 1 ----------------------------------------------------------------------------------


def test_a_coordinator_runs_a_programme_for_three_groups_and_downloads_twelve_events(
    coordinator: Client,
    region: Region,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
) -> None:
    third = more_groups(1)[0]
    groups = [home_group, neighbour_group, third]
    created = coordinator.post(
        reverse("programme:programme_create", args=[region.code]),
        {
            "name": "Att leda digital förändring 2026",
            "starts_on": "2026-02-01",
            "ends_on": "2026-06-30",
            "municipalities": [g.municipality.pk for g in groups],
            "min_gap_hours": "12",
        },
    )
    programme = Programme.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("programme:programme_detail", args=[programme.pk])
    assert programme.workshops.count() == 4

    for index, group in enumerate(groups):
        formed = coordinator.post(
            reverse("programme:cohort_create", args=[programme.pk]),
            {"name": f"Kohort {'ABC'[index]}", "groups": [group.pk]},
        )
        cohort = Cohort.objects.get(name=f"Kohort {'ABC'[index]}")
        assert formed["Location"] == reverse(
            "programme:cohort_schedule", args=[programme.pk, cohort.pk]
        )
        scheduled = coordinator.post(formed["Location"], schedule_data(DAYS))
        assert scheduled.status_code == 302, text(scheduled)

    calendar = coordinator.get(reverse("programme:calendar", args=[programme.pk]))
    assert calendar["Content-Type"].startswith("text/calendar")
    assert calendar["Content-Disposition"].startswith('attachment; filename="')
    assert calendar["Content-Disposition"].endswith('.ics"')
    events = Calendar.from_ical(calendar.content).walk("VEVENT")
    assert len(events) == 12
    assert {str(e["LOCATION"]) for e in events} == {"Kommunhuset"}

    detail = text(coordinator.get(reverse("programme:programme_detail", args=[programme.pk])))
    assert "Kohort C" in detail
    assert "2026-06-02 09:00–12:30" in detail


def test_a_too_close_schedule_is_refused_naming_both_sessions_and_nothing_is_saved(
    coordinator: Client, programme: Programme, home_group: DigitalisationGroup
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    url = reverse("programme:cohort_schedule", args=[programme.pk, cohort.pk])
    days = ["2026-03-10", "2026-03-10", "2026-05-05", "2026-06-02"]
    times = [("09:00", "12:00"), ("13:00", "16:00"), ("09:00", "12:00"), ("09:00", "12:00")]

    refused = coordinator.post(url, schedule_data(days, times))

    assert refused.status_code == 200
    page = text(refused)
    message = (
        "Workshop 2 for Kohort A on 2026-03-10 13:00 is only 1 hour after Workshop 1 ends "
        "(2026-03-10 09:00–12:00)"
    )
    assert page.count(message) == 2  # in the error summary and at workshop 2's row
    assert '<a href="#id_ws2-day">Workshop 2, date: ' + message in page
    assert "<title>Error:" in page
    assert Session.objects.count() == 0
    assert 'value="13:00"' in page  # what was typed is kept


def test_rescheduling_moves_the_sessions_keeping_their_calendar_ids(
    coordinator: Client, programme: Programme, home_group: DigitalisationGroup
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    before = {s.workshop.number: s for s in schedule_four(programme, cohort, DAYS)}
    url = reverse("programme:cohort_schedule", args=[programme.pk, cohort.pk])
    form = text(coordinator.get(url))
    assert 'value="2026-04-07"' in form  # existing sessions are filled in

    # Every session a week later: the first would pass the second's old date on the way.
    later = ["2026-03-17", "2026-04-14", "2026-05-12", "2026-06-09"]
    moved = coordinator.post(url, schedule_data(later))

    assert moved.status_code == 302
    after = {s.workshop.number: s for s in Session.objects.filter(cohort=cohort)}
    assert {n: s.uid for n, s in after.items()} == {n: s.uid for n, s in before.items()}
    assert {s.sequence for s in after.values()} == {1}
    assert after[1].starts_at == at("2026-03-17", "09:00")


def test_an_empty_row_is_not_scheduled_and_a_half_filled_row_says_what_is_missing(
    coordinator: Client, programme: Programme, home_group: DigitalisationGroup
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    url = reverse("programme:cohort_schedule", args=[programme.pk, cohort.pk])

    saved = coordinator.post(url, schedule_data(DAYS[:1]))
    half = coordinator.post(url, {"ws2-day": "2026-04-07"})

    assert saved.status_code == 302
    assert [s.workshop.number for s in Session.objects.all()] == [1]
    assert "Enter when Workshop 2 starts, for example 09:00." in text(half)


def test_a_schedule_outside_the_period_is_refused_at_its_row(
    coordinator: Client, programme: Programme, home_group: DigitalisationGroup
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    url = reverse("programme:cohort_schedule", args=[programme.pk, cohort.pk])

    refused = coordinator.post(url, schedule_data([*DAYS[:3], "2026-08-04"]))

    assert "outside the programme&#x27;s period" in text(refused)
    assert '<a href="#id_ws4-day">Workshop 4, date:' in text(refused)
    assert Session.objects.count() == 0


# --- The programme --------------------------------------------------------------------------------


def test_the_create_form_offers_the_regions_municipalities_and_facilitators(
    coordinator: Client, users: Users, region: Region
) -> None:
    page = text(coordinator.get(reverse("programme:programme_create", args=[region.code])))

    assert "Vindeln" in page
    assert "Stockholm" not in page
    assert f'value="{users.member.pk}"' in page  # a member of one of the region's municipalities
    assert f'value="{users.coordinator.pk}"' in page
    assert f'value="{users.other_coordinator.pk}"' not in page  # another region's coordinator


def test_the_create_form_refuses_a_period_that_ends_before_it_starts(
    coordinator: Client, region: Region
) -> None:
    refused = coordinator.post(
        reverse("programme:programme_create", args=[region.code]),
        {"name": "X", "starts_on": "2026-06-01", "ends_on": "2026-02-01", "min_gap_hours": "12"},
    )

    assert "The last day, 2026-02-01, is before the first day, 2026-06-01." in text(refused)
    assert not Programme.objects.exists()


def test_editing_refuses_to_remove_a_municipality_whose_group_is_in_a_cohort(
    coordinator: Client, programme: Programme, home: Municipality, home_group: DigitalisationGroup
) -> None:
    services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    url = reverse("programme:programme_edit", args=[programme.pk])
    base = {"name": "Nytt namn", "starts_on": "2026-02-01", "ends_on": "2026-06-30"}

    refused = coordinator.post(url, {**base, "municipalities": [], "min_gap_hours": "12"})
    saved = coordinator.post(url, {**base, "municipalities": [home.pk], "min_gap_hours": "24"})

    assert "Vindeln cannot leave the programme: its group is in Kohort A." in text(refused)
    assert saved.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Nytt namn"
    assert programme.min_gap_hours == 24
    assert list(programme.municipalities.all()) == [home]


def test_editing_refuses_a_period_that_leaves_a_session_outside(
    coordinator: Client, programme: Programme, home: Municipality, home_group: DigitalisationGroup
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    schedule_four(programme, cohort, DAYS)

    refused = coordinator.post(
        reverse("programme:programme_edit", args=[programme.pk]),
        {
            "name": programme.name,
            "starts_on": "2026-02-01",
            "ends_on": "2026-05-31",
            "municipalities": [home.pk],
            "min_gap_hours": "12",
        },
    )

    assert "Workshop 4 for Kohort A on 2026-06-02" in text(refused)
    programme.refresh_from_db()
    assert programme.ends_on == date(2026, 6, 30)


def test_the_programme_page_shows_workshops_assignments_and_manager_links_to_managers_only(
    coordinator: Client, users: Users, programme: Programme, home_group: DigitalisationGroup
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    session = schedule_four(programme, cohort, DAYS)[0]
    url = reverse("programme:programme_detail", args=[programme.pk])

    managed = text(coordinator.get(url))
    read = text(signed_in(users.leadership).get(url))

    attendance = reverse("programme:attendance", args=[programme.pk, session.pk])
    for page in (managed, read):
        assert "Workshop 1: What is digitalisation?" in page
        assert "Home assignments" in page
        assert reverse("programme:calendar", args=[programme.pk]) in page
    assert attendance in managed
    assert attendance not in read
    assert reverse("programme:overview", args=[programme.pk]) in managed
    assert reverse("programme:overview", args=[programme.pk]) not in read


# --- Workshops ------------------------------------------------------------------------------------


def workshop_data(programme: Programme, blocks: list[tuple[int, int, str]]) -> dict[str, str]:
    workshop = programme.workshops.get(number=1)
    data = {
        "title_sv": workshop.title_sv,
        "title_en": workshop.title_en,
        "goals_sv": workshop.goals_sv,
        "goals_en": "New goals.",
        "agenda-TOTAL_FORMS": str(len(blocks)),
        "agenda-INITIAL_FORMS": str(len(workshop.agenda)),
    }
    for index, (start, minutes, title) in enumerate(blocks):
        data |= {
            f"agenda-{index}-start": str(start),
            f"agenda-{index}-minutes": str(minutes),
            f"agenda-{index}-title_sv": title,
            f"agenda-{index}-title_en": title,
        }
    return data


def test_a_workshops_agenda_is_replaced_through_the_form(
    coordinator: Client, programme: Programme
) -> None:
    url = reverse("programme:workshop_edit", args=[programme.pk, 1])
    blocks = [(0, 30, "Välkomna"), (30, 90, "Begrepp"), (120, 60, "Tavlan")]

    saved = coordinator.post(url, workshop_data(programme, blocks))

    assert saved.status_code == 302
    workshop = programme.workshops.get(number=1)
    assert workshop.goals_en == "New goals."
    assert [(b["start"], b["minutes"], b["title"]["sv"]) for b in workshop.agenda] == blocks
    shown = text(coordinator.get(reverse("programme:workshop_detail", args=[programme.pk, 1])))
    assert "Tavlan" in shown
    assert "180 minutes in all" in shown


def test_an_overlapping_block_is_refused_with_a_message_naming_it(
    coordinator: Client, programme: Programme
) -> None:
    url = reverse("programme:workshop_edit", args=[programme.pk, 1])
    before = programme.workshops.get(number=1).agenda
    blocks = [(0, 30, "Välkomna"), (20, 60, "Kaffe"), (80, 240, "Lång")]

    refused = text(coordinator.post(url, workshop_data(programme, blocks)))

    assert (
        "Block 2 (Kaffe) starts at minute 20, before the block before it ends at minute 30; "
        "blocks may not overlap."
    ) in refused
    assert "Block 3 (Lång) ends at minute 320; a half-day workshop ends by minute 300." in refused
    assert programme.workshops.get(number=1).agenda == before


def test_adding_a_block_shows_one_more_empty_block_without_saving(
    coordinator: Client, programme: Programme
) -> None:
    url = reverse("programme:workshop_edit", args=[programme.pk, 1])
    data = workshop_data(programme, [(0, 30, "Välkomna")]) | {"add_block": "1"}

    shown = text(coordinator.post(url, data))

    assert 'name="agenda-1-start"' in shown
    assert "There is a problem" not in shown
    assert programme.workshops.get(number=1).goals_en != "New goals."


# --- Attendance -----------------------------------------------------------------------------------


def test_attendance_is_recorded_for_every_member_with_the_session_as_default_hours(
    coordinator: Client, programme: Programme, home_group: DigitalisationGroup
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    session = schedule_four(programme, cohort, DAYS)[0]
    members = list(home_group.members.order_by("pk"))
    url = reverse("programme:attendance", args=[programme.pk, session.pk])
    form = text(coordinator.get(url))
    assert all(member.name in form for member in members)

    data = {f"m{members[0].pk}-present": "on", f"m{members[0].pk}-hours": ""}
    data |= {f"m{members[1].pk}-present": "on", f"m{members[1].pk}-hours": "2"}
    saved = coordinator.post(url, data)

    assert saved.status_code == 302
    hours = dict(Attendance.objects.filter(present=True).values_list("member_id", "hours"))
    assert hours == {members[0].pk: Decimal("3.50"), members[1].pk: Decimal("2.00")}
    assert Attendance.objects.filter(present=False).count() == len(members) - 2
    assert "2 people present, 5.50 hours in all" in text(coordinator.get(url))


def test_attendance_refuses_more_hours_than_the_session_and_saves_nothing(
    coordinator: Client, programme: Programme, home_group: DigitalisationGroup
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    session = schedule_four(programme, cohort, DAYS)[0]
    member = home_group.members.order_by("pk")[0]
    url = reverse("programme:attendance", args=[programme.pk, session.pk])

    refused = coordinator.post(url, {f"m{member.pk}-present": "on", f"m{member.pk}-hours": "9"})

    page = text(refused)
    assert f'<a href="#id_m{member.pk}-hours">{member.name}, hours: ' in page
    assert "At most the session&#x27;s 3.50 hours." in page
    assert not Attendance.objects.exists()


# --- A group's place in the programme -------------------------------------------------------------


def test_a_member_sets_the_groups_assignment_status_but_not_its_due_date(
    users: Users, programme: Programme, home_group: DigitalisationGroup
) -> None:
    member = signed_in(users.member)
    assignment = selectors.programme_assignments(programme=programme)[0]
    page_url = reverse("programme:group_detail", args=[programme.pk, "2404"])
    url = reverse("programme:assignment_status", args=[programme.pk, "2404", assignment.key])
    page = text(member.get(page_url))
    assert f'name="{assignment.key}-state"' in page
    assert f'name="{assignment.key}-due_on"' not in page

    saved = member.post(
        url, {f"{assignment.key}-state": "in_progress", f"{assignment.key}-due_on": "2026-04-01"}
    )

    assert saved["Location"] == f"{page_url}#assignment-{assignment.key}"
    status = AssignmentStatus.objects.get()
    assert (status.state, status.due_on) == (AssignmentState.IN_PROGRESS, None)


def test_a_coordinator_gives_a_group_its_own_due_date(
    coordinator: Client, programme: Programme, home_group: DigitalisationGroup
) -> None:
    assignment = selectors.programme_assignments(programme=programme)[0]
    url = reverse("programme:assignment_status", args=[programme.pk, "2404", assignment.key])

    coordinator.post(
        url, {f"{assignment.key}-state": "done", f"{assignment.key}-due_on": "2026-04-01"}
    )

    status = AssignmentStatus.objects.get()
    assert (status.state, status.due_on) == (AssignmentState.DONE, date(2026, 4, 1))
    page = text(coordinator.get(reverse("programme:group_detail", args=[programme.pk, "2404"])))
    assert "2026-04-01" in page


def test_a_bad_status_is_shown_on_the_group_page_and_nothing_changes(
    users: Users, programme: Programme, home_group: DigitalisationGroup
) -> None:
    assignment = selectors.programme_assignments(programme=programme)[0]
    url = reverse("programme:assignment_status", args=[programme.pk, "2404", assignment.key])

    refused = signed_in(users.member).post(url, {f"{assignment.key}-state": "finished"})

    assert refused.status_code == 200
    assert "Select a valid choice." in text(refused)
    assert not AssignmentStatus.objects.exists()


def test_the_group_page_links_to_where_the_work_is_done(
    users: Users, programme: Programme, home_group: DigitalisationGroup
) -> None:
    page = text(
        signed_in(users.member).get(reverse("programme:group_detail", args=[programme.pk, "2404"]))
    )

    assert reverse("maturity:round_list", args=["2404"]) in page
    assert reverse("scanning:signal_list", args=["2404"]) in page
    assert reverse("ideas:idea_list", args=["2404"]) in page
    assert reverse("plans:plan_list", args=["2404"]) in page
    assert "not available in Förändra yet" not in page


def test_the_group_calendar_has_only_its_cohorts_sessions(
    users: Users,
    programme: Programme,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
) -> None:
    schedule_four(
        programme,
        services.cohort_create(programme=programme, name="Kohort A", groups=[home_group]),
        DAYS,
    )
    schedule_four(
        programme,
        services.cohort_create(programme=programme, name="Kohort B", groups=[neighbour_group]),
        ["2026-03-11", "2026-04-08", "2026-05-06", "2026-06-03"],
    )

    response = signed_in(users.member).get(
        reverse("programme:group_calendar", args=[programme.pk, "2404"])
    )

    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 4
    assert all("Kohort A" in str(e["SUMMARY"]) for e in events)
    assert "vindeln" in response["Content-Disposition"]


# --- The coordinator's overview -------------------------------------------------------------------


def overview_queries(client: Client, programme: Programme) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("programme:overview", args=[programme.pk]))
    assert response.status_code == 200
    return len(queries)


def add_groups_in_cohorts(programme: Programme, groups: list[DigitalisationGroup]) -> None:
    for group in groups:
        programme.municipalities.add(group.municipality)
        cohort = services.cohort_create(
            programme=programme, name=group.municipality.name, groups=[group]
        )
        schedule_four(programme, cohort, DAYS)
        services.attendance_set(
            session=cohort.sessions.order_by("starts_at")[0],
            member=group.members.order_by("pk")[0],
            present=True,
        )


def test_the_overview_takes_as_many_queries_for_eight_groups_as_for_three(
    coordinator: Client, region: Region
) -> None:
    programme = make_programme(region, [])
    add_groups_in_cohorts(programme, more_groups(3))
    three = overview_queries(coordinator, programme)

    add_groups_in_cohorts(programme, more_groups(5, skip=3))
    eight = overview_queries(coordinator, programme)

    assert len(selectors.coordinator_overview(programme=programme)) == 8
    assert eight == three


def test_the_overview_shows_each_groups_workshops_assignments_and_functions(
    coordinator: Client,
    programme: Programme,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
) -> None:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    sessions = schedule_four(
        programme, cohort, ["2026-02-03", "2026-02-10", "2026-05-05", "2026-06-02"]
    )
    services.attendance_set(
        session=sessions[0], member=home_group.members.order_by("pk")[0], present=True
    )
    first, second = selectors.programme_assignments(programme=programme)[:2]
    services.assignment_status_set(assignment=first, group=home_group, state="done")
    services.assignment_status_set(assignment=second, group=home_group, state="in_progress")

    page = text(coordinator.get(reverse("programme:overview", args=[programme.pk])))

    rows = page.split("<tr>")[2:]
    vindeln = next(row for row in rows if "Vindeln" in row)
    bjurholm = next(row for row in rows if "Bjurholm" in row)
    assert "Kohort A" in vindeln
    assert "✓</span> Done" in vindeln  # workshop 1 is over and a member was there
    assert "2026-05-05" in vindeln
    assert "◷</span> In progress" in vindeln or "Late" in vindeln
    assert '<td class="numeric">5</td>' in vindeln  # five members
    assert '<td class="numeric">4' in vindeln  # four distinct functions ("IT" and "it" are one)
    assert "No cohort yet" in bjurholm
    assert bjurholm.count("Not scheduled") == 4
    assert bjurholm.count("Not started") == 3


# --- Links from the region's and the municipality's pages -----------------------------------------


def test_the_municipality_page_lists_its_programmes_linking_to_its_group_in_each(
    users: Users, programme: Programme, home_group: DigitalisationGroup
) -> None:
    url = reverse("municipalities:municipality_detail", args=["2404"])
    group_url = reverse("programme:group_detail", args=[programme.pk, "2404"])

    for user in (users.member, users.leadership, users.coordinator):
        assert group_url in text(signed_in(user).get(url))
    other = reverse("municipalities:municipality_detail", args=["2403"])
    # Bjurholm takes part too, but has no group: its page names the programme, not a group.
    assert group_url not in text(signed_in(users.other_member).get(other))


def test_the_region_page_links_to_the_programmes_for_those_who_may_start_them(
    users: Users, region: Region
) -> None:
    url = reverse("municipalities:region_detail", args=[region.code])
    programmes = reverse("programme:programme_list", args=[region.code])

    assert programmes in text(signed_in(users.coordinator).get(url))
    assert programmes not in text(signed_in(users.member).get(url))
