"""Programme pages about meeting and working at home: cohorts, a cohort's schedule, attendance
at a session, and a group's place in the programme with its home assignments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, allowed

from .. import selectors, services
from ..access import (
    ProgrammeGroup,
    programme_for,
    programme_group_for,
    programme_trail,
    session_for,
)
from ..forms import (
    AssignmentStatusForm,
    AttendanceRowForm,
    CohortForm,
    ScheduleRowForm,
    schedule_initial,
)
from ..models import Assignment, Cohort, Feature, Programme
from ..selectors import AssignmentProgress


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _cohort(programme: Programme, cohort_pk: int) -> Cohort:
    try:
        return selectors.cohort_get(programme=programme, pk=cohort_pk)
    except Cohort.DoesNotExist:
        raise Http404 from None


# --- Cohorts and their schedule -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cohort_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_MANAGE)
    available = selectors.groups_without_cohort(programme=programme)
    form = CohortForm(_posted(request), groups=available)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(programme=programme, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(cohort)s has been formed. Now schedule its workshops.")
                % {"cohort": cohort.name},
            )
            return redirect("programme:cohort_schedule", pk=programme.pk, cohort_pk=cohort.pk)
    return render(
        request,
        "programme/cohort_form.html",
        {
            "breadcrumbs": [*programme_trail(request, programme), Crumb(_("New cohort"))],
            "programme": programme,
            "region": programme.region,
            "form": form,
            "any_available": available.exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def cohort_schedule(request: HttpRequest, pk: int, cohort_pk: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_MANAGE)
    cohort = _cohort(programme, cohort_pk)
    workshops = list(selectors.programme_workshops(programme=programme))
    sessions = {s.workshop_id: s for s in cohort.sessions.all()}
    data = _posted(request)
    rows = [
        ScheduleRowForm(data, workshop=w, initial=schedule_initial(sessions.get(w.pk)))
        for w in workshops
    ]
    page_errors: list[str] = []
    if data is not None and all(row.is_valid() for row in rows):
        plans = [plan for row in rows if (plan := row.plan()) is not None]
        try:
            services.cohort_schedule(cohort=cohort, plans=plans)
        except services.ScheduleError as refused:
            by_number = {row.workshop.number: row for row in rows}
            for number, error in refused.problems.items():
                row = by_number[number]
                # The date is what to change in every refusal (period, order, gap), so the
                # message stands beside it.
                for message in error.messages:
                    row.add_error("day", message)
        except ValidationError as error:
            page_errors.extend(error.messages)
        else:
            if plans:
                messages.success(
                    request,
                    _("The schedule of %(cohort)s has been saved.") % {"cohort": cohort.name},
                )
            else:
                messages.success(request, _("Nothing was scheduled: every row was empty."))
            return redirect("programme:programme_detail", pk=programme.pk)
    has_errors = bool(page_errors) or any(row.errors for row in rows)
    return render(
        request,
        "programme/cohort_schedule.html",
        {
            "breadcrumbs": [
                *programme_trail(request, programme),
                Crumb(_("Schedule of %(cohort)s") % {"cohort": cohort.name}),
            ],
            "programme": programme,
            "region": programme.region,
            "cohort": cohort,
            "groups": list(cohort.groups.select_related("municipality")),
            "rows": rows,
            "page_errors": page_errors,
            "has_errors": has_errors,
            "error_forms": [(row.workshop.label, row) for row in rows],
        },
    )


# --- Attendance -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = session_for(request, pk, session_pk, Perm.PROGRAMME_MANAGE)
    programme = session.workshop.programme
    data = _posted(request)
    lines = []
    for row in selectors.attendance_rows(session=session):
        recorded = row.attendance
        form = AttendanceRowForm(
            data,
            prefix=f"m{row.member.pk}",
            session_hours=session.hours,
            initial={
                "present": recorded.present if recorded else False,
                "hours": recorded.hours if recorded and recorded.present else session.hours,
            },
        )
        lines.append((row, form))
    page_errors: list[str] = []
    if data is not None and all(form.is_valid() for _row, form in lines):
        entries = [
            services.AttendanceEntry(
                member=row.member,
                present=form.cleaned_data["present"],
                hours=form.cleaned_data["hours"],
            )
            for row, form in lines
        ]
        try:
            services.attendance_record(session=session, entries=entries)
        except ValidationError as error:
            page_errors.extend(error.messages)
        else:
            messages.success(
                request,
                _("The attendance at %(session)s has been saved.") % {"session": str(session)},
            )
            return redirect("programme:attendance", pk=programme.pk, session_pk=session.pk)
    recorded_rows = [row.attendance for row, _form in lines if row.attendance is not None]
    present = [a for a in recorded_rows if a.present]
    return render(
        request,
        "programme/attendance.html",
        {
            "breadcrumbs": [
                *programme_trail(request, programme),
                Crumb(_("Attendance at %(session)s") % {"session": str(session)}),
            ],
            "programme": programme,
            "region": programme.region,
            "session": session,
            "lines": lines,
            "present_count": len(present),
            "hours_total": sum((a.hours for a in present), start=session.hours * 0),
            "page_errors": page_errors,
            "has_errors": bool(page_errors) or any(form.errors for _row, form in lines),
            "error_forms": [(row.member.name, form) for row, form in lines],
        },
    )


# --- A group's place in the programme -------------------------------------------------------------


@dataclass(frozen=True)
class FeatureLink:
    """Where a home assignment is done: a link, or a name alone when there is no page yet (or the
    reader may not open it)."""

    name: str | Promise
    url: str
    available: bool


def _feature_link(request: HttpRequest, feature: str, place: ProgrammeGroup) -> FeatureLink:
    municipality = place.group.municipality
    name = Feature(feature).label if feature in Feature.values else feature
    targets: dict[str, tuple[str, list[Any], Perm | None, Any]] = {
        Feature.MATURITY: ("maturity:round_list", [municipality.code], Perm.MATURITY_VIEW, None),
        Feature.SCANNING: ("scanning:signal_list", [municipality.code], Perm.SCANNING_VIEW, None),
        Feature.IDEAS: ("ideas:idea_list", [municipality.code], Perm.IDEAS_VIEW, None),
        Feature.PLANS: ("plans:plan_list", [municipality.code], Perm.PLANS_VIEW, None),
        Feature.GLOSSARY: (
            "programme:concepts",
            [place.programme.pk, municipality.code],
            Perm.PROGRAMME_GROUP_VIEW,
            place,
        ),
    }
    if feature not in targets:
        return FeatureLink(name=name, url="", available=False)
    url_name, args, perm, obj = targets[feature]
    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch:
        return FeatureLink(name=name, url="", available=False)
    if perm is not None and not allowed(request.user, perm, obj or municipality):
        return FeatureLink(name=name, url="", available=True)
    return FeatureLink(name=name, url=url, available=True)


@dataclass(frozen=True)
class AssignmentLine:
    progress: AssignmentProgress
    links: list[FeatureLink]
    form: AssignmentStatusForm | None


def _group_page(
    request: HttpRequest,
    place: ProgrammeGroup,
    bound: tuple[Assignment, AssignmentStatusForm] | None = None,
) -> HttpResponse:
    programme, group = place.programme, place.group
    progress = selectors.coordinator_overview(programme=programme, group=group)[0]
    can_work = allowed(request.user, Perm.PROGRAMME_GROUP_WORK, place)
    can_manage = allowed(request.user, Perm.PROGRAMME_MANAGE, programme)
    own_due = selectors.assignment_own_due_dates(programme=programme, group=group)
    lines = []
    for item in progress.assignments:
        assignment = item.assignment
        form = None
        if bound is not None and bound[0].pk == assignment.pk:
            form = bound[1]
        elif can_work:
            form = AssignmentStatusForm(
                prefix=assignment.key,
                can_set_due=can_manage,
                initial={"state": item.state, "due_on": own_due.get(assignment.pk)},
            )
        lines.append(
            AssignmentLine(
                progress=item,
                links=[_feature_link(request, f, place) for f in assignment.features],
                form=form,
            )
        )
    return render(
        request,
        "programme/group_detail.html",
        {
            "breadcrumbs": [*programme_trail(request, programme), Crumb(group.municipality.name)],
            "programme": programme,
            "municipality": group.municipality,
            "group": group,
            "progress": progress,
            "lines": lines,
            "can_work": can_work,
            "can_manage": can_manage,
            "form": bound[1] if bound else None,
            "now": timezone.now(),
            "is_demo": group.is_demo,
        },
        status=200,
    )


def group_detail(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_VIEW)
    return _group_page(request, place)


@require_http_methods(["POST"])
def assignment_status(request: HttpRequest, pk: int, code: str, key: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_WORK)
    try:
        assignment = selectors.assignment_get(programme=place.programme, key=key)
    except Assignment.DoesNotExist:
        raise Http404 from None
    can_manage = allowed(request.user, Perm.PROGRAMME_MANAGE, place.programme)
    form = AssignmentStatusForm(request.POST, prefix=assignment.key, can_set_due=can_manage)
    if form.is_valid():
        try:
            services.assignment_update(
                assignment=assignment,
                group=place.group,
                state=form.cleaned_data["state"],
                **({"due_on": form.cleaned_data["due_on"]} if can_manage else {}),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(assignment)s: the status has been saved.") % {"assignment": assignment.title},
            )
            url = reverse("programme:group_detail", args=[place.programme.pk, code])
            return redirect(f"{url}#assignment-{assignment.key}")
    return _group_page(request, place, bound=(assignment, form))
