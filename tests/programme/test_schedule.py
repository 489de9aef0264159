"""Scheduling sessions with time at home between them, and the coordinator's overview."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from forandra.municipalities.models import DigitalisationGroup, Municipality, Region
from forandra.programme import selectors, services
from forandra.programme.models import AssignmentState, Cohort, Programme, Session

from .builders import at, make_programme, more_groups, schedule_four

DAYS = ["2026-03-10", "2026-04-07", "2026-05-05", "2026-06-02"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def programme(region: Region, home: Municipality, neighbour: Municipality) -> Programme:
    return make_programme(region, [home, neighbour])


@pytest.fixture
def cohort(programme: Programme, home_group: DigitalisationGroup) -> Cohort:
    return services.cohort_create(programme=programme, name="Cohort A", groups=[home_group])


def schedule(programme: Programme, cohort: Cohort, number: int, day: str, start: str, end: str):
    return services.session_schedule(
        workshop=programme.workshops.get(number=number),
        cohort=cohort,
        starts_at=at(day, start),
        ends_at=at(day, end),
    )


def refusal(programme, cohort, number, day, start, end) -> str:
    with pytest.raises(ValidationError) as caught:
        schedule(programme, cohort, number, day, start, end)
    return " ".join(caught.value.messages)


def test_four_workshops_are_scheduled_for_three_groups(
    programme: Programme,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
):
    third = more_groups(1)[0]
    programme.municipalities.add(third.municipality)
    together = services.cohort_create(
        programme=programme, name="Cohort A", groups=[home_group, neighbour_group]
    )
    alone = services.cohort_create(programme=programme, name="Nordmaling", groups=[third])

    schedule_four(programme, together, DAYS)
    schedule_four(programme, alone, ["2026-03-11", "2026-04-08", "2026-05-06", "2026-06-03"])

    assert Session.objects.count() == 8
    for group in (home_group, neighbour_group, third):
        sessions = list(selectors.programme_sessions(programme=programme, group=group))
        assert [s.workshop.number for s in sessions] == [1, 2, 3, 4]
    assert selectors.cohort_for(programme=programme, group=third) == alone


def test_a_too_close_session_is_refused_naming_both_sessions(programme, cohort):
    schedule(programme, cohort, 1, "2026-03-10", "09:00", "12:00")

    message = refusal(programme, cohort, 2, "2026-03-10", "13:00", "16:00")

    assert message == (
        "Workshop 2 for Cohort A on 2026-03-10 13:00 is only 1 hour after Workshop 1 ends "
        "(2026-03-10 09:00–12:00); leave at least 12 hours between sessions so there is time "
        "at home."
    )
    assert Session.objects.count() == 1


def test_a_session_too_close_before_a_scheduled_one_is_refused_naming_both(programme, cohort):
    schedule(programme, cohort, 2, "2026-03-11", "09:00", "12:30")

    message = refusal(programme, cohort, 1, "2026-03-10", "22:00", "23:30")

    assert message == (
        "Workshop 2 for Cohort A on 2026-03-11 09:00 is only 9 hours 30 minutes after "
        "Workshop 1 ends (2026-03-10 22:00–23:30); leave at least 12 hours between sessions "
        "so there is time at home."
    )


def test_an_overlapping_session_is_refused(programme, cohort):
    schedule(programme, cohort, 1, "2026-03-10", "09:00", "12:00")

    message = refusal(programme, cohort, 2, "2026-03-10", "11:00", "14:00")

    assert message.startswith(
        "Workshop 2 for Cohort A on 2026-03-10 11:00 overlaps Workshop 1 (2026-03-10 09:00–12:00)"
    )


def test_the_next_morning_leaves_enough_time_at_home(programme, cohort):
    schedule(programme, cohort, 1, "2026-03-10", "09:00", "12:00")

    session = schedule(programme, cohort, 2, "2026-03-11", "00:00", "03:00")

    assert session.pk is not None


def test_the_minimum_gap_is_the_programme_s_own(
    region: Region, home: Municipality, home_group: DigitalisationGroup
):
    programme = make_programme(region, [home], min_gap_hours=0)
    cohort = services.cohort_create(programme=programme, name="A", groups=[home_group])
    schedule(programme, cohort, 1, "2026-03-10", "09:00", "12:00")

    assert schedule(programme, cohort, 2, "2026-03-10", "13:00", "16:00").pk is not None


def test_workshops_are_scheduled_in_order(programme, cohort):
    schedule(programme, cohort, 2, "2026-03-20", "09:00", "12:00")

    message = refusal(programme, cohort, 1, "2026-03-25", "09:00", "12:00")

    assert message == (
        "Workshop 2 for Cohort A on 2026-03-20 09:00 would come before Workshop 1 on "
        "2026-03-25 09:00; the workshops build on each other, so schedule them in order."
    )


def test_a_session_that_ends_before_it_starts_is_refused(programme, cohort):
    with pytest.raises(ValidationError) as caught:
        schedule(programme, cohort, 1, "2026-03-10", "12:00", "09:00")

    assert caught.value.message_dict == {"ends_at": ["The session must end after it starts."]}


def test_a_session_outside_the_programme_period_is_refused(programme, cohort):
    with pytest.raises(ValidationError) as caught:
        schedule(programme, cohort, 4, "2026-07-01", "09:00", "12:00")

    assert caught.value.message_dict == {
        "ends_at": [
            "Workshop 4 for Cohort A on 2026-07-01 09:00–12:00 is outside the programme's "
            "period, 2026-02-01 to 2026-06-30."
        ]
    }


def test_the_database_refuses_a_session_that_ends_before_it_starts(programme, cohort):
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            workshop=programme.workshops.get(number=1),
            cohort=cohort,
            starts_at=at("2026-03-10", "12:00"),
            ends_at=at("2026-03-10", "09:00"),
        )


def test_moving_a_session_keeps_its_identity_and_raises_its_sequence(programme, cohort):
    first = schedule(programme, cohort, 1, "2026-03-10", "09:00", "12:00")

    moved = schedule(programme, cohort, 1, "2026-03-12", "09:00", "12:00")

    assert (moved.pk, moved.uid, moved.sequence) == (first.pk, first.uid, 1)
    assert moved.history.count() == 2


def test_a_session_may_be_moved_past_its_own_old_time(programme, cohort):
    schedule(programme, cohort, 1, "2026-03-10", "09:00", "12:00")

    moved = schedule(programme, cohort, 1, "2026-03-10", "10:00", "13:00")

    assert moved.sequence == 1


def test_a_workshop_of_another_programme_is_refused(region, home, cohort):
    other = make_programme(region, [home])

    with pytest.raises(ValidationError, match="belong to different programmes"):
        schedule(other, cohort, 1, "2026-03-10", "09:00", "12:00")


# The coordinator's overview ----------------------------------------------------------------------


def test_the_overview_shows_workshops_assignments_lateness_and_cross_functionality(
    programme: Programme,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
):
    cohort = services.cohort_create(
        programme=programme, name="Cohort A", groups=[home_group, neighbour_group]
    )
    sessions = schedule_four(programme, cohort, DAYS)
    home_member = home_group.members.order_by("pk").first()
    neighbour_member = neighbour_group.members.order_by("pk").first()
    services.attendance_set(session=sessions[0], member=home_member, present=True)
    services.attendance_set(session=sessions[1], member=home_member, present=True)
    services.attendance_set(session=sessions[0], member=neighbour_member, present=False)
    first, second, third = programme.assignments.order_by("after_workshop")
    services.assignment_status_set(assignment=first, group=home_group, state=AssignmentState.DONE)
    services.assignment_status_set(assignment=second, group=home_group, state="in_progress")
    services.assignment_status_set(assignment=first, group=neighbour_group, state="in_progress")
    services.assignment_due_set(assignment=third, group=home_group, due_on=date(2026, 4, 1))
    # The day after WS2: WS1 and WS2 are over, WS3 is four weeks ahead.
    now = at("2026-04-08", "10:00")

    overview = selectors.coordinator_overview(programme=programme, now=now)

    home, neighbour = overview  # by municipality: Bjurholm, then Vindeln
    home, neighbour = (home, neighbour) if home.group == home_group else (neighbour, home)
    assert [w.done for w in home.workshops] == [True, True, False, False]
    assert [w.done for w in neighbour.workshops] == [False, False, False, False]
    assert home.workshops_done == 2 and neighbour.workshops_done == 0
    assert [w.session for w in home.workshops] == sessions
    assert [a.due_on for a in neighbour.assignments] == [
        date(2026, 4, 7),
        date(2026, 5, 5),
        date(2026, 6, 2),
    ]
    assert [(a.state, a.late) for a in home.assignments] == [
        (AssignmentState.DONE, False),
        (AssignmentState.IN_PROGRESS, False),
        (AssignmentState.NOT_STARTED, True),  # its own due date, 2026-04-01, has passed
    ]
    assert [(a.state, a.late) for a in neighbour.assignments] == [
        (AssignmentState.IN_PROGRESS, True),  # due at WS2, 2026-04-07
        (AssignmentState.NOT_STARTED, False),
        (AssignmentState.NOT_STARTED, False),
    ]
    assert (home.assignments_done, home.assignments_late) == (1, 1)
    assert home.cohort == cohort
    assert home.cross.distinct == 4 and home.cross.is_cross_functional
    assert neighbour.cross.distinct == 2 and not neighbour.cross.is_cross_functional


def test_a_session_not_yet_over_is_not_done(programme, cohort, home_group):
    sessions = schedule_four(programme, cohort, DAYS)
    member = home_group.members.order_by("pk").first()
    services.attendance_set(session=sessions[0], member=member, present=True)

    during = selectors.coordinator_overview(programme=programme, now=at(DAYS[0], "10:00"))
    after = selectors.coordinator_overview(programme=programme, now=at(DAYS[0], "12:30"))

    assert during[0].workshops[0].done is False
    assert after[0].workshops[0].done is True


def test_a_group_without_a_cohort_is_listed_with_nothing_scheduled(programme, home_group):
    (row,) = selectors.coordinator_overview(programme=programme)

    assert row.cohort is None
    assert all(w.session is None and not w.done for w in row.workshops)
    assert all(a.due_on is None and not a.late for a in row.assignments)


def overview_queries(programme: Programme, groups: list[DigitalisationGroup]) -> int:
    programme.municipalities.add(*(g.municipality for g in groups))
    half = len(groups) // 2
    cohorts = [
        services.cohort_create(programme=programme, name="A", groups=groups[:half]),
        services.cohort_create(programme=programme, name="B", groups=groups[half:]),
    ]
    for cohort in cohorts:
        sessions = schedule_four(programme, cohort, DAYS)
        for group in cohort.groups.all():
            for session in sessions[:2]:
                for member in group.members.all():
                    services.attendance_set(session=session, member=member, present=True)
    for group in groups:
        for assignment in programme.assignments.all():
            services.assignment_status_set(assignment=assignment, group=group, state="done")
    with CaptureQueriesContext(connection) as queries:
        overview = selectors.coordinator_overview(
            programme=programme, now=at(DAYS[2], "08:00") + timedelta(days=1)
        )
        for row in overview:
            _ = (row.workshops_done, row.assignments_late, row.cross.distinct, row.group.name)
            _ = [(w.session and w.session.cohort.name, w.workshop.title) for w in row.workshops]
    assert len(overview) == len(groups)
    assert all(row.workshops_done == 2 for row in overview)
    return len(queries)


def test_the_overview_query_count_does_not_grow_with_the_groups(region: Region):
    three = more_groups(3)
    few = overview_queries(make_programme(region, []), three)
    many = overview_queries(make_programme(region, []), three + more_groups(9, skip=3))

    assert few == many
    # Groups, members, workshops, assignments, cohorts, sessions, attendance, statuses.
    assert few == 8
