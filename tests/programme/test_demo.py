"""The demo's 2018 programme: what the coordinator's overview shows of it, checked against the
rows themselves, and the report's figures for it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forandra.accounts.models import User
from forandra.core import demo
from forandra.municipalities.models import DigitalisationGroup
from forandra.programme import report, selectors, services
from forandra.programme.demo import PROGRAMME_NAME
from forandra.programme.models import (
    AssignmentState,
    AssignmentStatus,
    Attendance,
    BoardNote,
    DefinitionMark,
    LearningNote,
    Programme,
    Session,
    TermDefinition,
)

pytestmark = pytest.mark.django_db

VINDELN, SORSELE, MALA = "2404", "2422", "2418"


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for the module (it takes a few seconds) and removed after it; each
    test runs inside it and has its own changes rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert demo.demo_load().loaded
        yield
        transaction.set_rollback(True)


@pytest.fixture
def programme(demo_loaded: None) -> Programme:
    return Programme.objects.select_related("region").get(name=PROGRAMME_NAME)


def workshops_attended(programme: Programme, code: str) -> list[int]:
    """The workshops at which at least one of the group's members was present, from the rows."""
    return sorted(
        set(
            Attendance.objects.filter(
                session__workshop__programme=programme,
                member__group__municipality__code=code,
                present=True,
            ).values_list("session__workshop__number", flat=True)
        )
    )


def states(programme: Programme, code: str) -> dict[str, str]:
    """Each assignment's state from the rows; no row is not started."""
    rows = dict(
        AssignmentStatus.objects.filter(
            assignment__programme=programme, group__municipality__code=code
        ).values_list("assignment__key", "state")
    )
    return {
        key: rows.get(key, AssignmentState.NOT_STARTED)
        for key in programme.assignments.order_by("after_workshop").values_list("key", flat=True)
    }


def test_the_demo_programme_runs_four_workshops_for_14_municipalities_in_2018(
    programme: Programme,
) -> None:
    assert programme.region.code == "24"
    assert (programme.starts_on, programme.ends_on) == (date(2018, 2, 1), date(2018, 11, 30))
    assert programme.municipalities.count() == 14
    assert not programme.municipalities.filter(code="2480").exists()  # Umeå ran its own
    assert list(programme.facilitators.values_list("username", flat=True)) == ["demo-koordinator"]
    cohorts = list(selectors.programme_cohorts(programme=programme))
    assert len(cohorts) == 4
    assert sorted(len(c.groups.all()) for c in cohorts) == [3, 3, 3, 5]
    sessions = list(selectors.programme_sessions(programme=programme))
    assert len(sessions) == 16
    for cohort in cohorts:
        mine = sorted((s for s in sessions if s.cohort_id == cohort.pk), key=lambda s: s.starts_at)
        assert [s.workshop.number for s in mine] == [1, 2, 3, 4]
        for earlier, later in itertools.pairwise(mine):
            assert later.starts_at - earlier.ends_at >= timedelta(hours=12)
        assert all(s.ends_at.year == 2018 for s in mine)


def test_every_session_has_attendance_mostly_present(programme: Programme) -> None:
    sessions = Session.objects.filter(workshop__programme=programme)
    rows = Attendance.objects.filter(session__workshop__programme=programme)
    members = {
        code: DigitalisationGroup.objects.get(municipality__code=code).members.count()
        for code in programme.municipalities.values_list("code", flat=True)
    }

    # One row per member of the cohort's groups at each of the cohort's four sessions.
    assert rows.count() == 4 * sum(members.values())
    assert not sessions.exclude(pk__in=rows.values("session")).exists()
    present = rows.filter(present=True).count()
    assert 0.7 < present / rows.count() < 0.95
    assert not rows.filter(present=False).exclude(hours=0).exists()
    assert rows.filter(present=True, hours__lt=3.5).exists()  # some left early


def test_the_overview_shows_workshops_done_from_the_attendance(programme: Programme) -> None:
    overview = {
        p.group.municipality.code: p for p in selectors.coordinator_overview(programme=programme)
    }

    assert len(overview) == 14
    for code in (VINDELN, SORSELE, MALA):
        done = [w.workshop.number for w in overview[code].workshops if w.done]
        assert done == workshops_attended(programme, code)
    assert workshops_attended(programme, VINDELN) == [1, 2, 3, 4]
    assert workshops_attended(programme, SORSELE) == [1, 2, 4]  # nobody came to workshop 3
    assert overview[SORSELE].workshops_done == 3
    assert overview[VINDELN].cohort is not None
    assert overview[VINDELN].cohort.name.startswith("Kohort A")


def test_the_overview_shows_assignments_done_and_late(programme: Programme) -> None:
    overview = {
        p.group.municipality.code: p for p in selectors.coordinator_overview(programme=programme)
    }

    assert states(programme, VINDELN) == {
        "survey_and_podcasts": "done",
        "gather_ideas": "done",
        "draft_plan": "done",
    }
    assert overview[VINDELN].assignments_done == 3
    assert overview[VINDELN].assignments_late == 0
    # Sorsele has started none: every one is late, each due when its next workshop began.
    assert set(states(programme, SORSELE).values()) == {"not_started"}
    assert overview[SORSELE].assignments_done == 0
    assert overview[SORSELE].assignments_late == 3
    sorsele_sessions = {
        s.workshop.number: s
        for s in Session.objects.filter(
            workshop__programme=programme, cohort__memberships__group__municipality__code=SORSELE
        ).select_related("workshop")
    }
    assert [a.due_on for a in overview[SORSELE].assignments] == [
        timezone.localdate(sorsele_sessions[n].starts_at) for n in (2, 3, 4)
    ]
    # Malå was given its own date for the first one, and is still working on it.
    mala = overview[MALA].assignments
    assert states(programme, MALA)["survey_and_podcasts"] == "in_progress"
    assert mala[0].due_on == date(2018, 5, 31) and mala[0].late
    assert [a.state for a in mala] == ["in_progress", "not_started", "not_started"]
    assert overview[MALA].assignments_late == 3
    # Across the programme: done is never late, everything else is (all of 2018 is past).
    for progress in overview.values():
        for assignment in progress.assignments:
            assert assignment.late == (assignment.state != AssignmentState.DONE)


def test_the_overview_shows_how_cross_functional_each_group_is(programme: Programme) -> None:
    overview = {
        p.group.municipality.code: p for p in selectors.coordinator_overview(programme=programme)
    }

    for code in (VINDELN, SORSELE, MALA):
        functions = DigitalisationGroup.objects.get(municipality__code=code).members.values_list(
            "function", flat=True
        )
        distinct = {" ".join(f.split()).casefold() for f in functions}
        assert overview[code].cross.members == len(functions)
        assert overview[code].cross.distinct == len(distinct)
        assert overview[code].cross.is_cross_functional == (len(distinct) >= 3)
    assert len({p.cross.distinct for p in overview.values()}) > 1


def test_the_overview_takes_as_many_queries_as_for_three_groups(programme: Programme) -> None:
    three = services.programme_create(
        region=programme.region,
        name="Tre grupper",
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        municipalities=list(programme.municipalities.order_by("code")[:3]),
    )
    groups = list(DigitalisationGroup.objects.filter(municipality__programmes=three))
    services.cohort_create(programme=three, name="Kohort", groups=groups)

    def queries(of: Programme) -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.coordinator_overview(programme=of)
        return len(captured)

    assert queries(programme) == queries(three)


def test_vindeln_has_definitions_marks_and_a_board_from_the_demo_member(
    programme: Programme,
) -> None:
    member = User.objects.get(username="demo-grupp")
    definitions = TermDefinition.objects.filter(
        programme=programme, group__municipality__code=VINDELN
    )

    assert definitions.count() == 3
    assert set(definitions.values_list("written_by", flat=True)) == {member.pk}
    assert set(definitions.values_list("revision", flat=True)) == {1}
    marks = DefinitionMark.objects.filter(definition__in=definitions)
    assert marks.count() == 3 and set(marks.values_list("user", flat=True)) == {member.pk}
    assert marks.filter(agrees=False).count() == 1
    notes = BoardNote.objects.filter(programme=programme)
    assert set(notes.values_list("group__municipality__code", flat=True)) == {VINDELN}
    assert set(notes.values_list("column", flat=True)) == {"challenge", "opportunity", "risk"}
    assert not TermDefinition.objects.exclude(group__municipality__code=VINDELN).exists()


def test_the_demo_leader_has_done_two_modules_with_notes(programme: Programme) -> None:
    notes = LearningNote.objects.filter(user__username="demo-ledning")

    assert notes.count() == 2
    assert all(note.done_at and note.note for note in notes)


def test_the_report_counts_14_municipalities_at_4_workshops(programme: Programme) -> None:
    figures = report.programme_report(programme=programme)

    assert len(figures.sessions) == 16
    assert figures.totals.sessions_held == 56
    assert figures.totals.groups == 14
    plans_done = [
        row.municipality.code
        for row in figures.municipalities
        if states(programme, row.municipality.code)["draft_plan"] == "done"
    ]
    assert figures.totals.plan_drafts_done == len(plans_done) == 6
    present_hours = sum(
        Attendance.objects.filter(session__workshop__programme=programme, present=True).values_list(
            "hours", flat=True
        )
    )
    assert figures.totals.attendance_hours == present_hours == figures.session_attendance_hours
    assert figures.is_demo
