"""Writes for programmes: creating one from the template, cohorts, sessions, attendance, and the
groups' home assignments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

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
)
from .workshops import ProgrammeTemplate, default_template


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


def workshop_update(
    *, workshop: Workshop, title_sv: str, title_en: str, goals_sv: str, goals_en: str
) -> Workshop:
    """Change a workshop's titles and goals; the template it came from stays as it was."""
    workshop.title_sv, workshop.title_en = title_sv.strip(), title_en.strip()
    workshop.goals_sv, workshop.goals_en = goals_sv.strip(), goals_en.strip()
    workshop.full_clean()
    workshop.save()
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
