"""Reads for programmes: workshops, sessions, and the coordinator's overview of the groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from forandra.accounts.models import Role, User
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import DigitalisationGroup, GroupMember, Municipality, Region

from .models import (
    Assignment,
    AssignmentState,
    AssignmentStatus,
    Attendance,
    Cohort,
    CohortGroup,
    Material,
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
    *,
    programme: Programme,
    now: datetime | None = None,
    group: DigitalisationGroup | None = None,
) -> list[GroupProgress]:
    """Per group: the workshops it has done, its home assignments (done, late), and how
    cross-functional it is; in a fixed number of queries, however many groups take part.

    A workshop is done when its session has ended and a member of the group was there. A home
    assignment is due on the group's own date, or else on the day its next workshop starts, and
    late once that day has passed without it being done. With `group`, that group's alone.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    groups = programme_groups(programme=programme)
    if group is not None:
        groups = groups.filter(pk=group.pk)
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


# Management pages --------------------------------------------------------------------------------


def facilitator_candidates(*, region: Region) -> QuerySet[User]:
    """Who may be chosen to lead a region's workshops: its active coordinators and the active
    members and leadership of its municipalities."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.COORDINATOR, region=region)
            | Q(role__in=[Role.MEMBER, Role.LEADERSHIP], municipality__region=region)
        )
        .select_related("municipality")
        .order_by("municipality__name", "last_name", "first_name", "username")
    )


def programmes_for_municipality(*, municipality: Municipality) -> QuerySet[Programme]:
    """The programmes the municipality takes part in, the latest first."""
    return (
        Programme.objects.filter(municipalities=municipality)
        .select_related("region")
        .order_by("-starts_on", "name")
    )


def workshop_get(*, programme: Programme, number: int) -> Workshop:
    """One of the programme's workshops by its number; raises Workshop.DoesNotExist."""
    return Workshop.objects.get(programme=programme, number=number)


def workshop_materials(*, workshop: Workshop) -> QuerySet[Material]:
    """The workshop's material in its order."""
    return Material.objects.filter(workshop=workshop).order_by("position", "pk")


def cohort_get(*, programme: Programme, pk: int) -> Cohort:
    """One of the programme's cohorts; raises Cohort.DoesNotExist for another programme's."""
    return Cohort.objects.select_related("programme__region").get(programme=programme, pk=pk)


def groups_without_cohort(*, programme: Programme) -> QuerySet[DigitalisationGroup]:
    """The participating groups that are not in a cohort of the programme yet."""
    return (
        DigitalisationGroup.objects.filter(municipality__programmes=programme)
        .exclude(cohort_memberships__programme=programme)
        .select_related("municipality")
        .order_by("municipality__name")
    )


def assignment_get(*, programme: Programme, key: str) -> Assignment:
    """One of the programme's home assignments by its key; raises Assignment.DoesNotExist."""
    return Assignment.objects.select_related("programme").get(programme=programme, key=key)


@dataclass(frozen=True)
class CohortSchedule:
    """A cohort with its groups and, per workshop in order, its session (None: not scheduled)."""

    cohort: Cohort
    groups: tuple[DigitalisationGroup, ...]
    sessions: tuple[tuple[Workshop, Session | None], ...]

    @property
    def scheduled(self) -> int:
        return sum(1 for _, session in self.sessions if session is not None)


def cohort_schedules(
    *, programme: Programme, workshops: list[Workshop] | None = None
) -> list[CohortSchedule]:
    """Every cohort of the programme with its groups and sessions, in a fixed number of queries."""
    workshops = (
        workshops if workshops is not None else list(programme_workshops(programme=programme))
    )
    cohorts = Cohort.objects.filter(programme=programme).prefetch_related(
        Prefetch(
            "groups",
            queryset=DigitalisationGroup.objects.select_related("municipality").order_by(
                "municipality__name"
            ),
        )
    )
    sessions = {(s.cohort_id, s.workshop_id): s for s in programme_sessions(programme=programme)}
    return [
        CohortSchedule(
            cohort=cohort,
            groups=tuple(cohort.groups.all()),
            sessions=tuple((w, sessions.get((cohort.pk, w.pk))) for w in workshops),
        )
        for cohort in cohorts.order_by("name")
    ]


@dataclass(frozen=True)
class AttendanceRow:
    """A member of one of a session's groups, with what is recorded of their attendance."""

    member: GroupMember
    attendance: Attendance | None


def attendance_rows(*, session: Session) -> list[AttendanceRow]:
    """The members of the groups of the session's cohort, by group and name, with attendance."""
    members = (
        GroupMember.objects.filter(group__cohort_memberships__cohort=session.cohort_id)
        .select_related("group__municipality")
        .order_by("group__municipality__name", "name", "pk")
    )
    recorded = {a.member_id: a for a in Attendance.objects.filter(session=session)}
    return [AttendanceRow(member=m, attendance=recorded.get(m.pk)) for m in members]


def assignment_own_due_dates(
    *, programme: Programme, group: DigitalisationGroup
) -> dict[int, date]:
    """The due dates given to the group itself, by assignment id (others are due at the next
    workshop)."""
    return {
        status.assignment_id: status.due_on
        for status in AssignmentStatus.objects.filter(
            assignment__programme=programme, group=group, due_on__isnull=False
        )
        if status.due_on is not None
    }
