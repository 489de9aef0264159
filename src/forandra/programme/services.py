"""Writes for programmes: creating one from the template, cohorts, sessions, attendance, and the
groups' home assignments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forandra.accounts.models import User
from forandra.municipalities.models import DigitalisationGroup, GroupMember, Municipality, Region

from .models import (
    DEFAULT_MIN_GAP_HOURS,
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
    _in_language,
)
from .workshops import HALF_DAY_MINUTES, ProgrammeTemplate, default_template


@transaction.atomic
def programme_create(
    *,
    region: Region,
    name: str,
    starts_on: date,
    ends_on: date,
    municipalities: Iterable[Municipality] = (),
    facilitators: Iterable[User] = (),
    min_gap_hours: int = DEFAULT_MIN_GAP_HOURS,
    template: ProgrammeTemplate | None = None,
) -> Programme:
    """Create a programme with the template's workshops and home assignments (default: shipped)."""
    template = template or default_template()
    municipalities = list(municipalities)
    outside = [m.name for m in municipalities if m.region_id != region.pk]
    if outside:
        raise ValidationError(
            {
                "municipalities": _("%(names)s is not in %(region)s.")
                % {"names": ", ".join(outside), "region": region.name}
            },
            code="outside_region",
        )
    programme = Programme(
        region=region,
        name=" ".join(name.split()),
        starts_on=starts_on,
        ends_on=ends_on,
        min_gap_hours=min_gap_hours,
        template_id=template.id,
        template_version=template.version,
    )
    programme.full_clean()
    programme.save()
    programme.municipalities.set(municipalities)
    programme.facilitators.set(list(facilitators))
    for workshop in template.workshops:
        created = Workshop.objects.create(
            programme=programme,
            number=workshop.number,
            title_sv=workshop.title.sv,
            title_en=workshop.title.en,
            goals_sv=workshop.goals.sv,
            goals_en=workshop.goals.en,
            agenda=[block.as_dict() for block in workshop.agenda],
            exercises=[exercise.as_dict() for exercise in workshop.exercises],
        )
        Material.objects.bulk_create(
            Material(
                workshop=created,
                kind=item.kind,
                language=item.language,
                title_sv=item.title.sv,
                title_en=item.title.en,
                url=item.url,
                position=position,
            )
            for position, item in enumerate(workshop.material)
        )
    for assignment in template.assignments:
        Assignment.objects.create(
            programme=programme,
            key=assignment.key,
            after_workshop=assignment.after_workshop,
            title_sv=assignment.title.sv,
            title_en=assignment.title.en,
            description_sv=assignment.description.sv,
            description_en=assignment.description.en,
            features=list(assignment.features),
        )
    return programme


@transaction.atomic
def workshop_update(
    *,
    workshop: Workshop,
    title_sv: str,
    title_en: str,
    goals_sv: str,
    goals_en: str,
    agenda: Iterable[dict[str, Any]] | None = None,
) -> Workshop:
    """Change a workshop's titles and goals, and with `agenda` its time blocks (see
    `workshop_agenda_set`); the template it came from stays as it was."""
    workshop.title_sv, workshop.title_en = title_sv.strip(), title_en.strip()
    workshop.goals_sv, workshop.goals_en = goals_sv.strip(), goals_en.strip()
    workshop.full_clean()
    workshop.save()
    if agenda is not None:
        workshop_agenda_set(workshop=workshop, blocks=agenda)
    return workshop


@transaction.atomic
def cohort_create(
    *, programme: Programme, name: str, groups: Iterable[DigitalisationGroup]
) -> Cohort:
    """Form a cohort: groups that meet for the workshops together. One group alone is fine."""
    groups = list(groups)
    participating = set(programme.municipalities.values_list("pk", flat=True))
    outside = [g.name for g in groups if g.municipality_id not in participating]
    if outside:
        raise ValidationError(
            {
                "groups": _("%(names)s does not take part in %(programme)s.")
                % {"names": ", ".join(outside), "programme": programme.name}
            },
            code="not_participating",
        )
    taken = (
        CohortGroup.objects.filter(programme=programme, group__in=groups)
        .select_related("group", "cohort")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "groups": _("%(group)s is already in %(cohort)s.")
                % {"group": taken.group.name, "cohort": taken.cohort.name}
            },
            code="in_other_cohort",
        )
    cohort = Cohort(programme=programme, name=" ".join(name.split()))
    cohort.full_clean()
    cohort.save()
    CohortGroup.objects.bulk_create(
        CohortGroup(programme=programme, cohort=cohort, group=group) for group in groups
    )
    return cohort


# Scheduling --------------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    """A time as the message shows it: local, to the minute, unambiguous in both languages."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _span(session: Session) -> str:
    end = timezone.localtime(session.ends_at)
    if timezone.localtime(session.starts_at).date() == end.date():
        return f"{_when(session.starts_at)}–{end:%H:%M}"
    return f"{_when(session.starts_at)}–{_when(session.ends_at)}"


def _duration(delta: timedelta) -> str:
    """ "4 hours", "1 hour 30 minutes", "20 minutes"."""
    total = max(int(delta.total_seconds() // 60), 0)
    hours, minutes = divmod(total, 60)
    hour_text = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minute_text = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if hours and minutes:
        return f"{hour_text} {minute_text}"
    return hour_text if hours else minute_text


def _check_period(session: Session, programme: Programme) -> None:
    first = timezone.localtime(session.starts_at).date()
    last = timezone.localtime(session.ends_at).date()
    if first < programme.starts_on or last > programme.ends_on:
        raise ValidationError(
            {
                "starts_at" if first < programme.starts_on else "ends_at": _(
                    "%(workshop)s for %(cohort)s on %(when)s is outside the programme's period, "
                    "%(first)s to %(last)s."
                )
                % {
                    "workshop": session.workshop.label,
                    "cohort": session.cohort.name,
                    "when": _span(session),
                    "first": programme.starts_on.isoformat(),
                    "last": programme.ends_on.isoformat(),
                }
            },
            code="outside_period",
        )


def _check_order(session: Session, other: Session) -> None:
    """Workshops build on each other, and home assignments lie between them: keep their order."""
    number, other_number = session.workshop.number, other.workshop.number
    if (other_number < number) == (other.starts_at < session.starts_at):
        return
    earlier, later = (other, session) if other_number < number else (session, other)
    raise ValidationError(
        _(
            "%(later)s for %(cohort)s on %(later_when)s would come before %(earlier)s on "
            "%(earlier_when)s; the workshops build on each other, so schedule them in order."
        )
        % {
            "later": later.workshop.label,
            "cohort": session.cohort.name,
            "later_when": _when(later.starts_at),
            "earlier": earlier.workshop.label,
            "earlier_when": _when(earlier.starts_at),
        },
        code="out_of_order",
    )


def _check_gap(session: Session, other: Session, minimum: timedelta) -> None:
    earlier, later = (other, session) if other.starts_at <= session.starts_at else (session, other)
    gap = later.starts_at - earlier.ends_at
    if gap >= minimum:
        return
    values = {
        "later": later.workshop.label,
        "cohort": session.cohort.name,
        "later_when": _when(later.starts_at),
        "gap": _duration(gap),
        "earlier": earlier.workshop.label,
        "earlier_span": _span(earlier),
        "minimum": _duration(minimum),
    }
    if gap < timedelta(0):
        message = _(
            "%(later)s for %(cohort)s on %(later_when)s overlaps %(earlier)s (%(earlier_span)s); "
            "leave at least %(minimum)s between sessions so there is time at home."
        )
    else:
        message = _(
            "%(later)s for %(cohort)s on %(later_when)s is only %(gap)s after %(earlier)s ends "
            "(%(earlier_span)s); leave at least %(minimum)s between sessions so there is time at "
            "home."
        )
    raise ValidationError(message % values, code="too_close")


@transaction.atomic
def session_schedule(
    *,
    workshop: Workshop,
    cohort: Cohort,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
) -> Session:
    """Schedule (or move) a workshop for a cohort, leaving time at home between its sessions.

    Refuses a session that ends before it starts, falls outside the programme's period, comes
    before an earlier workshop of the cohort (or after a later one), or lies closer than the
    programme's minimum gap to another of the cohort's sessions; the message names both.
    """
    if workshop.programme_id != cohort.programme_id:
        raise ValidationError(
            _("%(workshop)s and %(cohort)s belong to different programmes.")
            % {"workshop": workshop.label, "cohort": cohort.name},
            code="other_programme",
        )
    if ends_at <= starts_at:
        raise ValidationError(
            {"ends_at": _("The session must end after it starts.")}, code="ends_before_start"
        )
    # Lock the cohort so that two sessions scheduled at once cannot both pass the gap check.
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    programme = workshop.programme
    session = Session.objects.filter(workshop=workshop, cohort=cohort).first()
    if session is None:
        session = Session(workshop=workshop, cohort=cohort)
    elif (session.starts_at, session.ends_at) != (starts_at, ends_at):
        session.sequence += 1
    session.starts_at, session.ends_at, session.place = starts_at, ends_at, place.strip()
    _check_period(session, programme)
    minimum = timedelta(hours=programme.min_gap_hours)
    others = (
        Session.objects.filter(cohort=cohort)
        .exclude(workshop=workshop)
        .select_related("workshop")
        .order_by("starts_at")
    )
    for other in others:
        _check_order(session, other)
    for other in others:
        _check_gap(session, other, minimum)
    session.full_clean()
    session.save()
    return session


# Attendance and home assignments ----------------------------------------------------------------


def attendance_set(
    *, session: Session, member: GroupMember, present: bool, hours: Decimal | None = None
) -> Attendance:
    """Record whether a member took part; present without hours counts the whole session."""
    if not CohortGroup.objects.filter(cohort=session.cohort_id, group=member.group_id).exists():
        raise ValidationError(
            _("%(member)s is not in a group of %(cohort)s.")
            % {"member": member.name, "cohort": session.cohort.name},
            code="not_in_cohort",
        )
    if not present:
        hours = Decimal("0")
    elif hours is None:
        hours = session.hours
    elif not Decimal("0") <= hours <= session.hours:
        raise ValidationError(
            {
                "hours": _("Hours must be between 0 and the session's %(hours)s.")
                % {"hours": session.hours}
            },
            code="hours",
        )
    attendance = Attendance.objects.filter(session=session, member=member).first()
    if attendance is None:
        attendance = Attendance(session=session, member=member)
    attendance.present, attendance.hours = present, hours
    attendance.full_clean()
    attendance.save()
    return attendance


def _status_for(*, assignment: Assignment, group: DigitalisationGroup) -> AssignmentStatus:
    participates = assignment.programme.municipalities.filter(pk=group.municipality_id).exists()
    if not participates:
        raise ValidationError(
            _("%(group)s does not take part in %(programme)s.")
            % {"group": group.name, "programme": assignment.programme.name},
            code="not_participating",
        )
    status = AssignmentStatus.objects.filter(assignment=assignment, group=group).first()
    return status or AssignmentStatus(assignment=assignment, group=group)


@transaction.atomic
def assignment_status_set(
    *,
    assignment: Assignment,
    group: DigitalisationGroup,
    state: AssignmentState | str,
    now: datetime | None = None,
) -> AssignmentStatus:
    """Move a group's home assignment to not started, in progress or done, keeping the dates."""
    now = now or timezone.now()
    status = _status_for(assignment=assignment, group=group)
    status.state = AssignmentState(state)
    if status.state == AssignmentState.NOT_STARTED:
        status.started_at = status.done_at = None
    else:
        status.started_at = status.started_at or now
        status.done_at = (status.done_at or now) if status.state == AssignmentState.DONE else None
    status.full_clean()
    status.save()
    return status


@transaction.atomic
def assignment_due_set(
    *, assignment: Assignment, group: DigitalisationGroup, due_on: date | None
) -> AssignmentStatus:
    """Give a group its own due date for a home assignment; None: due at its next workshop."""
    status = _status_for(assignment=assignment, group=group)
    status.due_on = due_on
    status.full_clean()
    status.save()
    return status


# Management pages --------------------------------------------------------------------------------


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    name: str,
    starts_on: date,
    ends_on: date,
    municipalities: Iterable[Municipality],
    facilitators: Iterable[User],
    min_gap_hours: int,
) -> Programme:
    """Change a programme's name, period, municipalities, facilitators and least gap.

    Refuses to drop a municipality whose group is in a cohort (its sessions and records would
    lose their group), and a period or gap that a scheduled session no longer fits.
    """
    municipalities = list(municipalities)
    outside = [m.name for m in municipalities if m.region_id != programme.region_id]
    if outside:
        raise ValidationError(
            {
                "municipalities": _("%(names)s is not in %(region)s.")
                % {"names": ", ".join(outside), "region": programme.region.name}
            },
            code="outside_region",
        )
    kept = {m.pk for m in municipalities}
    in_cohorts = (
        CohortGroup.objects.filter(programme=programme)
        .exclude(group__municipality__in=kept)
        .select_related("group__municipality", "cohort")
        .order_by("group__municipality__name")
    )
    if in_cohorts:
        raise ValidationError(
            {
                "municipalities": [
                    _(
                        "%(municipality)s cannot leave the programme: its group is in "
                        "%(cohort)s. Take the group out of the cohort first."
                    )
                    % {"municipality": m.group.municipality.name, "cohort": m.cohort.name}
                    for m in in_cohorts
                ]
            },
            code="in_cohort",
        )
    programme.name = " ".join(name.split())
    programme.starts_on, programme.ends_on = starts_on, ends_on
    programme.min_gap_hours = min_gap_hours
    programme.full_clean()
    sessions = list(
        Session.objects.filter(workshop__programme=programme)
        .select_related("workshop", "cohort")
        .order_by("cohort", "starts_at")
    )
    for session in sessions:
        try:
            _check_period(session, programme)
        except ValidationError as error:
            raise ValidationError(
                {"starts_on" if "starts_at" in error.message_dict else "ends_on": error.messages},
                code="outside_period",
            ) from None
    minimum = timedelta(hours=programme.min_gap_hours)
    for earlier, later in pairwise(sessions):
        if earlier.cohort_id == later.cohort_id:
            try:
                _check_gap(later, earlier, minimum)
            except ValidationError as error:
                raise ValidationError({"min_gap_hours": error.messages}, code="too_close") from None
    programme.save()
    programme.municipalities.set(municipalities)
    programme.facilitators.set(list(facilitators))
    return programme


@dataclass(frozen=True)
class AgendaProblem:
    """What is wrong with one block of an agenda: its place in the list, the field, the text."""

    index: int
    field: str
    message: str


def agenda_problems(blocks: list[dict[str, Any]]) -> list[AgendaProblem]:
    """The problems of an agenda as `workshops.py` sees them in a template: the first block starts
    at 0, blocks do not overlap, each lasts a minute or more and ends by minute 300. `blocks` are
    `{"start", "minutes", "title": {"sv", "en"}}`, in the order they are given."""
    if not blocks:
        return [AgendaProblem(0, "", _("A workshop needs at least one block in its agenda."))]
    problems = []
    previous: dict[str, Any] | None = None
    for index, block in enumerate(blocks):
        name = _("Block %(number)d (%(title)s)") % {
            "number": index + 1,
            "title": _in_language(block["title"]["sv"], block["title"]["en"]),
        }
        start, minutes = int(block["start"]), int(block["minutes"])
        if minutes < 1:
            problems.append(
                AgendaProblem(
                    index, "minutes", _("%(block)s must last at least a minute.") % {"block": name}
                )
            )
        elif start + minutes > HALF_DAY_MINUTES:
            problems.append(
                AgendaProblem(
                    index,
                    "minutes",
                    _(
                        "%(block)s ends at minute %(end)d; a half-day workshop ends by minute "
                        "%(limit)d."
                    )
                    % {
                        "block": name,
                        "end": start + minutes,
                        "limit": HALF_DAY_MINUTES,
                    },
                )
            )
        if previous is None and start != 0:
            problems.append(
                AgendaProblem(
                    index,
                    "start",
                    _("%(block)s is the first block, so it starts at minute 0, not %(start)d.")
                    % {"block": name, "start": start},
                )
            )
        elif previous is not None:
            end = int(previous["start"]) + int(previous["minutes"])
            if start < end:
                problems.append(
                    AgendaProblem(
                        index,
                        "start",
                        _(
                            "%(block)s starts at minute %(start)d, before the block before it "
                            "ends at minute %(end)d; blocks may not overlap."
                        )
                        % {"block": name, "start": start, "end": end},
                    )
                )
        previous = block
    return problems


@transaction.atomic
def workshop_agenda_set(*, workshop: Workshop, blocks: Iterable[dict[str, Any]]) -> Workshop:
    """Replace a workshop's agenda with the given blocks, in the order of their start."""
    agenda: list[dict[str, Any]] = sorted(
        (
            {
                "start": int(block["start"]),
                "minutes": int(block["minutes"]),
                "title": {
                    "sv": " ".join(str(block["title"]["sv"]).split()),
                    "en": " ".join(str(block["title"]["en"]).split()),
                },
            }
            for block in blocks
        ),
        key=lambda block: int(block["start"]),
    )
    problems = agenda_problems(agenda)
    if problems:
        raise ValidationError({"agenda": [problem.message for problem in problems]}, code="agenda")
    workshop.agenda = agenda
    workshop.full_clean()
    workshop.save()
    return workshop


@dataclass(frozen=True)
class SessionPlan:
    """Where and when a cohort is to meet for one workshop."""

    workshop: Workshop
    starts_at: datetime
    ends_at: datetime
    place: str = ""


class ScheduleError(ValidationError):
    """A cohort's schedule that is refused: per workshop number, what is wrong with its row."""

    def __init__(self, problems: dict[int, ValidationError]) -> None:
        self.problems = problems
        super().__init__([message for error in problems.values() for message in error.messages])


@transaction.atomic
def cohort_schedule(*, cohort: Cohort, plans: Iterable[SessionPlan]) -> list[Session]:
    """Schedule (or move) several of a cohort's workshops at once, all or nothing.

    The rules are `session_schedule`'s, checked on the schedule as it will be once every plan is
    in place, so moving all four sessions a week later is not refused half-way. The plans are
    checked in workshop order; a refusal is kept for each plan's row (`ScheduleError`) and
    nothing is saved. A moved session keeps its calendar id and its sequence rises.
    """
    plans = sorted(plans, key=lambda plan: plan.workshop.number)
    programme = cohort.programme
    if any(plan.workshop.programme_id != programme.pk for plan in plans):
        raise ValidationError(_("Every workshop must belong to the cohort's programme."))
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    existing = {
        s.workshop.number: s
        for s in Session.objects.filter(cohort=cohort).select_related("workshop")
    }
    planned = {plan.workshop.number for plan in plans}
    minimum = timedelta(hours=programme.min_gap_hours)
    problems: dict[int, ValidationError] = {}
    checked: list[Session] = [s for n, s in existing.items() if n not in planned]
    sessions: list[Session] = []
    for plan in plans:
        number = plan.workshop.number
        session = existing.get(number) or Session(workshop=plan.workshop, cohort=cohort)
        if session.pk and (session.starts_at, session.ends_at) != (plan.starts_at, plan.ends_at):
            session.sequence += 1
        session.starts_at, session.ends_at = plan.starts_at, plan.ends_at
        session.place = plan.place.strip()
        session.workshop, session.cohort = plan.workshop, cohort
        try:
            if session.ends_at <= session.starts_at:
                raise ValidationError(
                    {
                        "ends_at": _("%(workshop)s must end after it starts.")
                        % {"workshop": plan.workshop.label}
                    },
                    code="ends_before_start",
                )
            _check_period(session, programme)
            for other in checked:
                _check_order(session, other)
            for other in checked:
                _check_gap(session, other, minimum)
        except ValidationError as error:
            problems[number] = error
            continue
        checked.append(session)
        sessions.append(session)
    if problems:
        raise ScheduleError(problems)
    for session in sessions:
        session.full_clean()
        session.save()
    return sessions


@dataclass(frozen=True)
class AttendanceEntry:
    """One member's attendance at a session, as the attendance form gives it."""

    member: GroupMember
    present: bool
    hours: Decimal | None = None


@transaction.atomic
def attendance_record(*, session: Session, entries: Iterable[AttendanceEntry]) -> list[Attendance]:
    """Record the attendance of several members of a session at once, all or nothing."""
    saved = []
    for entry in entries:
        try:
            saved.append(
                attendance_set(
                    session=session, member=entry.member, present=entry.present, hours=entry.hours
                )
            )
        except ValidationError as error:
            raise ValidationError(
                [
                    _("%(member)s: %(problem)s") % {"member": entry.member.name, "problem": message}
                    for message in error.messages
                ],
                code="attendance",
            ) from None
    return saved


_KEEP = object()


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    group: DigitalisationGroup,
    state: AssignmentState | str,
    due_on: date | object | None = _KEEP,
) -> AssignmentStatus:
    """Set a group's status of a home assignment and, when `due_on` is given, its own due date
    (None: due at its next workshop), together."""
    status = assignment_status_set(assignment=assignment, group=group, state=state)
    if due_on is not _KEEP:
        assert due_on is None or isinstance(due_on, date)
        status = assignment_due_set(assignment=assignment, group=group, due_on=due_on)
    return status
