"""Reads for programmes: workshops, sessions, and the coordinator's overview of the groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import DigitalisationGroup, GroupMember, Region

from .models import (
    Assignment,
    AssignmentState,
    AssignmentStatus,
    Attendance,
    Cohort,
    CohortGroup,
    Programme,
    Session,
    Workshop,
)


def programme_list(*, region: Region) -> QuerySet[Programme]:
    """The region's programmes, the latest first."""
    return Programme.objects.filter(region=region).order_by("-starts_on", "name")


def programme_get(*, pk: int) -> Programme:
    """One programme with its region; raises Programme.DoesNotExist."""
    return Programme.objects.select_related("region").get(pk=pk)


def programme_workshops(*, programme: Programme) -> QuerySet[Workshop]:
    """The programme's workshops in order."""
    return Workshop.objects.filter(programme=programme).order_by("number")


def programme_assignments(*, programme: Programme) -> QuerySet[Assignment]:
    """The programme's home assignments in the order they come."""
    return Assignment.objects.filter(programme=programme).order_by("after_workshop", "key")


def programme_groups(*, programme: Programme) -> QuerySet[DigitalisationGroup]:
    """The groups of the participating municipalities, with their members, by municipality."""
    return (
        DigitalisationGroup.objects.filter(municipality__programmes=programme)
        .select_related("municipality")
        .prefetch_related(Prefetch("members", queryset=GroupMember.objects.order_by("name")))
        .order_by("municipality__name")
    )


def programme_cohorts(*, programme: Programme) -> QuerySet[Cohort]:
    """The programme's cohorts with their groups."""
    return Cohort.objects.filter(programme=programme).prefetch_related("groups").order_by("name")


def cohort_for(*, programme: Programme, group: DigitalisationGroup) -> Cohort | None:
    """The cohort the group meets with in this programme, if it has one yet."""
    return Cohort.objects.filter(programme=programme, memberships__group=group).first()


def programme_sessions(
    *, programme: Programme, group: DigitalisationGroup | None = None
) -> QuerySet[Session]:
    """The programme's sessions in time order; with `group`, only those of the group's cohort."""
    sessions = Session.objects.filter(workshop__programme=programme)
    if group is not None:
        sessions = sessions.filter(cohort__memberships__group=group)
    return sessions.select_related("workshop", "cohort").order_by("starts_at", "cohort__name")


@dataclass(frozen=True)
class WorkshopProgress:
    """One workshop for one group: its session, if scheduled, and whether the group took part."""

    workshop: Workshop
    session: Session | None
    done: bool


@dataclass(frozen=True)
class AssignmentProgress:
    """One home assignment for one group: its state and when it is due."""

    assignment: Assignment
    state: AssignmentState
    due_on: date | None
    done_at: datetime | None
    late: bool


@dataclass(frozen=True)
class GroupProgress:
    """Where one group stands in the programme: the coordinator's overview has one per group."""

    group: DigitalisationGroup
    cohort: Cohort | None
    workshops: tuple[WorkshopProgress, ...]
    assignments: tuple[AssignmentProgress, ...]
    cross: municipality_selectors.CrossFunctionality

    @property
    def workshops_done(self) -> int:
        return sum(1 for w in self.workshops if w.done)

    @property
    def assignments_done(self) -> int:
        return sum(1 for a in self.assignments if a.state == AssignmentState.DONE)

    @property
    def assignments_late(self) -> int:
        return sum(1 for a in self.assignments if a.late)


def coordinator_overview(
    *, programme: Programme, now: datetime | None = None
) -> list[GroupProgress]:
    """Per group: the workshops it has done, its home assignments (done, late), and how
    cross-functional it is; in a fixed number of queries, however many groups take part.

    A workshop is done when its session has ended and a member of the group was there. A home
    assignment is due on the group's own date, or else on the day its next workshop starts, and
    late once that day has passed without it being done.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    groups = list(programme_groups(programme=programme))
    workshops = list(programme_workshops(programme=programme))
    assignments = list(programme_assignments(programme=programme))
    cohorts = {
        m.group_id: m.cohort
        for m in CohortGroup.objects.filter(programme=programme).select_related("cohort")
    }
    sessions: dict[tuple[int, int], Session] = {
        (s.cohort_id, s.workshop.number): s for s in programme_sessions(programme=programme)
    }
    attended = set(
        Attendance.objects.filter(session__workshop__programme=programme, present=True)
        .values_list("session_id", "member__group_id")
        .distinct()
    )
    statuses = {
        (s.assignment_id, s.group_id): s
        for s in AssignmentStatus.objects.filter(assignment__programme=programme)
    }

    overview = []
    for group in groups:
        cohort = cohorts.get(group.pk)
        progress = []
        for workshop in workshops:
            session = sessions.get((cohort.pk, workshop.number)) if cohort else None
            done = (
                session is not None
                and session.ends_at <= now
                and (session.pk, group.pk) in attended
            )
            progress.append(WorkshopProgress(workshop=workshop, session=session, done=done))
        assignment_progress = []
        for assignment in assignments:
            status = statuses.get((assignment.pk, group.pk))
            state = AssignmentState(status.state) if status else AssignmentState.NOT_STARTED
            due_on = status.due_on if status else None
            if due_on is None and cohort is not None:
                next_session = sessions.get((cohort.pk, assignment.after_workshop + 1))
                if next_session is not None:
                    due_on = timezone.localdate(next_session.starts_at)
            assignment_progress.append(
                AssignmentProgress(
                    assignment=assignment,
                    state=state,
                    due_on=due_on,
                    done_at=status.done_at if status else None,
                    late=due_on is not None and due_on < today and state != AssignmentState.DONE,
                )
            )
        overview.append(
            GroupProgress(
                group=group,
                cohort=cohort,
                workshops=tuple(progress),
                assignments=tuple(assignment_progress),
                # The members are prefetched, so this costs no query.
                cross=municipality_selectors.group_cross_functionality(group=group),
            )
        )
    return overview
