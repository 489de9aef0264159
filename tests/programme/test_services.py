"""Creating a programme from the template, cohorts, attendance and home assignment statuses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from forandra.municipalities.models import DigitalisationGroup, Municipality, Region
from forandra.programme import services
from forandra.programme.models import (
    Assignment,
    AssignmentState,
    AssignmentStatus,
    Programme,
    Session,
)
from forandra.programme.workshops import default_template
from tests.conftest import Users

from .builders import at, make_programme, schedule_four


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def programme(region: Region, home: Municipality, neighbour: Municipality) -> Programme:
    return make_programme(region, [home, neighbour])


@pytest.fixture
def session(programme: Programme, home_group: DigitalisationGroup) -> Session:
    cohort = services.cohort_create(programme=programme, name="Cohort A", groups=[home_group])
    return schedule_four(
        programme, cohort, ["2026-03-10", "2026-04-07", "2026-05-05", "2026-06-02"]
    )[0]


def test_programme_create_copies_four_workshops_and_three_assignments(
    programme: Programme, users: Users
):
    template = default_template()
    workshops = list(programme.workshops.order_by("number"))
    assignments = list(programme.assignments.order_by("after_workshop"))

    assert [w.number for w in workshops] == [1, 2, 3, 4]
    assert [w.title_en for w in workshops] == [w.title.en for w in template.workshops]
    assert workshops[1].goals_sv == template.workshops[1].goals.sv
    assert workshops[0].agenda[0] == {
        "start": 0,
        "minutes": 20,
        "title": {
            "sv": "Välkomna, syfte och förväntningar",
            "en": "Welcome, purpose and expectations",
        },
    }
    assert workshops[0].minutes == 210
    assert [e["key"] for e in workshops[0].exercises] == ["shared_concepts", "community_board"]
    assert [m.kind for m in workshops[0].materials.all()][1] == "podcast"
    assert [(a.after_workshop, a.features) for a in assignments] == [
        (1, ["maturity", "scanning"]),
        (2, ["ideas"]),
        (3, ["plans"]),
    ]
    assert (programme.template_id, programme.template_version) == ("forandra-2018", 1)
    assert programme.min_gap_hours == 12
    assert programme.history.count() == 1


def test_programme_create_names_facilitators_and_municipalities(
    region: Region, home: Municipality, users: Users
):
    programme = make_programme(region, [home], facilitators=[users.coordinator])

    assert list(programme.facilitators.all()) == [users.coordinator]
    assert list(programme.municipalities.all()) == [home]


def test_programme_create_refuses_a_municipality_of_another_region(
    region: Region, home: Municipality, elsewhere: Municipality
):
    with pytest.raises(ValidationError) as caught:
        make_programme(region, [home, elsewhere])

    assert caught.value.message_dict["municipalities"] == ["Stockholm is not in Västerbottens län."]
    assert not Programme.objects.exists()


def test_programme_create_refuses_an_end_before_the_start(region: Region, home: Municipality):
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        services.programme_create(
            region=region, name="Bakvänd", starts_on=date(2026, 6, 1), ends_on=date(2026, 5, 1)
        )


def test_editing_a_workshop_keeps_the_template_and_records_history(programme: Programme):
    workshop = programme.workshops.get(number=1)

    services.workshop_update(
        workshop=workshop,
        title_sv="Begreppen",
        title_en="The concepts",
        goals_sv="Samma ord",
        goals_en="Same words",
    )

    workshop.refresh_from_db()
    assert workshop.title_en == "The concepts"
    assert workshop.history.count() == 2
    assert default_template().workshops[0].title.en == "What is digitalisation?"


def test_a_workshop_title_follows_the_language(programme: Programme):
    workshop = programme.workshops.get(number=2)

    with translation.override("sv"):
        assert workshop.title == "Förändringsledning, innovation och digital mognad"
    assert workshop.title == "Change management, innovation and digital maturity"
    assert workshop.label == "Workshop 2"


# Cohorts -----------------------------------------------------------------------------------------


def test_a_cohort_refuses_a_group_outside_the_programme(
    region: Region, home: Municipality, neighbour_group: DigitalisationGroup
):
    programme = make_programme(region, [home])

    with pytest.raises(ValidationError) as caught:
        services.cohort_create(programme=programme, name="A", groups=[neighbour_group])

    assert caught.value.message_dict["groups"] == [
        f"{neighbour_group.name} does not take part in {programme.name}."
    ]


def test_a_group_is_in_one_cohort_of_a_programme(
    programme: Programme, home_group: DigitalisationGroup
):
    services.cohort_create(programme=programme, name="A", groups=[home_group])

    with pytest.raises(ValidationError) as caught:
        services.cohort_create(programme=programme, name="B", groups=[home_group])

    assert caught.value.message_dict["groups"] == [f"{home_group.name} is already in A."]


# Attendance --------------------------------------------------------------------------------------


def test_present_without_hours_counts_the_whole_session(session: Session, home_group):
    member = home_group.members.order_by("pk").first()

    attendance = services.attendance_set(session=session, member=member, present=True)

    assert attendance.hours == Decimal("3.50")


def test_attendance_can_be_changed_and_keeps_one_row(session: Session, home_group):
    member = home_group.members.order_by("pk").first()
    services.attendance_set(session=session, member=member, present=True, hours=Decimal("2"))

    attendance = services.attendance_set(session=session, member=member, present=False)

    assert (attendance.present, attendance.hours) == (False, Decimal("0"))
    assert session.attendances.count() == 1
    assert attendance.history.count() == 2


def test_attendance_refuses_more_hours_than_the_session(session: Session, home_group):
    member = home_group.members.order_by("pk").first()

    with pytest.raises(ValidationError) as caught:
        services.attendance_set(session=session, member=member, present=True, hours=Decimal("5"))

    assert caught.value.message_dict["hours"] == ["Hours must be between 0 and the session's 3.50."]


def test_attendance_refuses_a_member_of_a_group_outside_the_cohort(
    session: Session, neighbour_group: DigitalisationGroup
):
    member = neighbour_group.members.order_by("pk").first()

    with pytest.raises(ValidationError, match="is not in a group of Cohort A"):
        services.attendance_set(session=session, member=member, present=True)


# Home assignments --------------------------------------------------------------------------------


def test_an_assignment_status_keeps_when_it_was_started_and_done(
    programme: Programme, home_group: DigitalisationGroup
):
    assignment = Assignment.objects.get(programme=programme, after_workshop=1)
    started = datetime.fromisoformat("2026-03-11T10:00:00+01:00")
    finished = datetime.fromisoformat("2026-03-20T15:00:00+01:00")

    services.assignment_status_set(
        assignment=assignment, group=home_group, state=AssignmentState.IN_PROGRESS, now=started
    )
    status = services.assignment_status_set(
        assignment=assignment, group=home_group, state=AssignmentState.DONE, now=finished
    )

    assert (status.started_at, status.done_at) == (started, finished)
    reopened = services.assignment_status_set(
        assignment=assignment, group=home_group, state="in_progress", now=finished
    )
    assert (reopened.started_at, reopened.done_at) == (started, None)
    assert AssignmentStatus.objects.count() == 1
    assert reopened.history.count() == 3


def test_an_assignment_status_refuses_a_group_outside_the_programme(
    region: Region, home: Municipality, neighbour_group: DigitalisationGroup
):
    programme = make_programme(region, [home])
    assignment = programme.assignments.first()

    with pytest.raises(ValidationError, match="does not take part"):
        services.assignment_status_set(assignment=assignment, group=neighbour_group, state="done")


def test_a_group_can_have_its_own_due_date(programme: Programme, home_group):
    assignment = programme.assignments.get(after_workshop=2)

    status = services.assignment_due_set(
        assignment=assignment, group=home_group, due_on=date(2026, 4, 30)
    )

    assert (status.state, status.due_on) == (AssignmentState.NOT_STARTED, date(2026, 4, 30))


def test_an_assignment_refuses_an_unknown_feature(programme: Programme):
    assignment = programme.assignments.first()
    assignment.features = ["maturity", "gardening"]

    with pytest.raises(ValidationError, match="Unknown feature: gardening"):
        assignment.full_clean()


def test_at_is_stockholm_time():
    assert at("2026-03-10", "09:00").utcoffset().total_seconds() == 3600
