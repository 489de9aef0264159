"""Programme pages: a region's programmes, one programme, its workshops, its calendars and the
coordinator's overview of the groups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.lookups import region_for
from forandra.municipalities.models import Region

from .. import ics, selectors, services
from ..access import ProgrammeGroup, programme_for, programme_group_for, programme_trail
from ..forms import AgendaFormSet, BaseAgendaFormSet, ProgrammeForm, WorkshopForm, agenda_initial
from ..models import Feature, Programme, Session, Workshop


def _posted(request: HttpRequest) -> Any:
    """What binds a form: the posted data (even when empty, so an empty post shows errors)."""
    return request.POST if request.method == "POST" else None


def _in_language(text: dict[str, str]) -> str:
    """A text of the template's shape, `{"sv": ..., "en": ...}`, in the current language."""
    return text["en"] if (get_language() or "sv").startswith("en") else text["sv"]


def _region_trail(region: Region, *rest: Crumb) -> list[Crumb]:
    return [
        *crumbs(
            (region.name, "municipalities:region_detail", (region.code,)),
            (_("Programmes"), "programme:programme_list", (region.code,)),
        ),
        *rest,
    ]


def _facilitators(region: Region, programme: Programme | None = None) -> QuerySet[User]:
    """The people who may be chosen, and those already chosen (even if they have moved)."""
    candidates = selectors.facilitator_candidates(region=region)
    if programme is None:
        return candidates
    chosen = programme.facilitators.values_list("pk", flat=True)
    return (
        User.objects.filter(pk__in=[*candidates.values_list("pk", flat=True), *chosen])
        .select_related("municipality")
        .order_by("municipality__name", "last_name", "first_name", "username")
    )


def _programme_form(request: HttpRequest, region: Region, **kwargs: Any) -> ProgrammeForm:
    programme = kwargs.pop("programme", None)
    return ProgrammeForm(
        _posted(request),
        municipalities=municipality_selectors.region_municipalities(region=region),
        facilitators=_facilitators(region, programme),
        **kwargs,
    )


# --- A region's programmes ------------------------------------------------------------------------


def programme_list(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.PROGRAMME_CREATE)
    programmes = selectors.programme_list(region=region).prefetch_related("municipalities")
    return render(
        request,
        "programme/programme_list.html",
        {
            "breadcrumbs": [*_region_trail(region)[:-1], Crumb(_("Programmes"))],
            "region": region,
            "programmes": programmes,
        },
    )


@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.PROGRAMME_CREATE)
    form = _programme_form(request, region)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(region=region, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been created with the four workshops. Now form its cohorts.")
                % {"name": programme.name},
            )
            return redirect("programme:programme_detail", pk=programme.pk)
    return render(
        request,
        "programme/programme_form.html",
        {
            "breadcrumbs": _region_trail(region, Crumb(_("New programme"))),
            "region": region,
            "form": form,
            "title": _("New programme"),
            "cancel_url": "programme:programme_list",
        },
    )


# --- One programme --------------------------------------------------------------------------------


def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_VIEW)
    workshops = list(selectors.programme_workshops(programme=programme))
    groups = list(selectors.programme_groups(programme=programme))
    user = request.user
    openable = {
        group.municipality.code
        for group in groups
        if allowed(user, Perm.PROGRAMME_GROUP_VIEW, ProgrammeGroup(programme, group))
    }
    municipalities = list(programme.municipalities.order_by("name"))
    with_group = {group.municipality_id for group in groups}
    return render(
        request,
        "programme/programme_detail.html",
        {
            "breadcrumbs": [*programme_trail(request, programme)[:-1], Crumb(programme.name)],
            "programme": programme,
            "region": programme.region,
            "municipalities": municipalities,
            "without_group": [m for m in municipalities if m.pk not in with_group],
            "groups": groups,
            "openable": openable,
            "facilitators": list(programme.facilitators.order_by("last_name", "username")),
            "workshops": workshops,
            "schedules": selectors.cohort_schedules(programme=programme, workshops=workshops),
            "without_cohort": list(selectors.groups_without_cohort(programme=programme)),
            "assignments": [
                (a, [Feature(f).label for f in a.features if f in Feature.values])
                for a in selectors.programme_assignments(programme=programme)
            ],
            "can_manage": allowed(user, Perm.PROGRAMME_MANAGE, programme),
            "can_facilitate": allowed(user, Perm.PROGRAMME_FACILITATE, programme),
            "is_demo": any(group.is_demo for group in groups),
        },
    )


@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_MANAGE)
    region = programme.region
    form = _programme_form(
        request,
        region,
        programme=programme,
        initial={
            "name": programme.name,
            "starts_on": programme.starts_on,
            "ends_on": programme.ends_on,
            "municipalities": list(programme.municipalities.all()),
            "facilitators": list(programme.facilitators.all()),
            "min_gap_hours": programme.min_gap_hours,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(programme=programme, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("programme:programme_detail", pk=programme.pk)
    return render(
        request,
        "programme/programme_form.html",
        {
            "breadcrumbs": [*programme_trail(request, programme), Crumb(_("Edit"))],
            "region": region,
            "programme": programme,
            "form": form,
            "title": _("Edit %(name)s") % {"name": programme.name},
        },
    )


# --- Workshops ------------------------------------------------------------------------------------


def _workshop(programme: Programme, number: int) -> Workshop:
    try:
        return selectors.workshop_get(programme=programme, number=number)
    except Workshop.DoesNotExist:
        raise Http404 from None


def _session_for_clock(request: HttpRequest, workshop: Workshop) -> Session | None:
    """The session whose clock times the agenda shows: the user's own group's, else the only one."""
    sessions = list(workshop.sessions.select_related("cohort").order_by("starts_at"))
    municipality_id = getattr(request.user, "municipality_id", None)
    if municipality_id is not None:
        own = [
            s for s in sessions if s.cohort.groups.filter(municipality_id=municipality_id).exists()
        ]
        if own:
            return own[0]
    return sessions[0] if len(sessions) == 1 else None


def workshop_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_VIEW)
    workshop = _workshop(programme, number)
    session = _session_for_clock(request, workshop)
    start = timezone.localtime(session.starts_at) if session else None
    agenda = [
        {
            "start": block["start"],
            "minutes": block["minutes"],
            "title": _in_language(block["title"]),
            "clock": (start + timedelta(minutes=int(block["start"]))) if start else None,
        }
        for block in workshop.agenda
    ]
    exercises = [
        {
            "title": _in_language(e["title"]),
            "description": _in_language(e["description"]),
            "feature": Feature(e["feature"]).label if e.get("feature") in Feature.values else "",
        }
        for e in workshop.exercises
    ]
    return render(
        request,
        "programme/workshop_detail.html",
        {
            "breadcrumbs": [*programme_trail(request, programme), Crumb(workshop.label)],
            "programme": programme,
            "region": programme.region,
            "workshop": workshop,
            "agenda": agenda,
            "session": session,
            "exercises": exercises,
            "materials": list(selectors.workshop_materials(workshop=workshop)),
            "can_manage": allowed(request.user, Perm.PROGRAMME_MANAGE, programme),
            "can_facilitate": allowed(request.user, Perm.PROGRAMME_FACILITATE, programme),
        },
    )


@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_MANAGE)
    workshop = _workshop(programme, number)
    data = _posted(request)
    adding = data is not None and "add_block" in data
    if adding:
        # One more empty block: the form count rises and the page is shown again, unsaved.
        data = data.copy()
        data["agenda-TOTAL_FORMS"] = str(int(data.get("agenda-TOTAL_FORMS") or 0) + 1)
    form = WorkshopForm(
        data,
        initial={
            "title_sv": workshop.title_sv,
            "title_en": workshop.title_en,
            "goals_sv": workshop.goals_sv,
            "goals_en": workshop.goals_en,
        },
    )
    formset = AgendaFormSet(data, initial=agenda_initial(workshop), prefix="agenda")
    assert isinstance(formset, BaseAgendaFormSet)
    if data is not None and not adding and form.is_valid() and formset.is_valid():
        try:
            services.workshop_update(
                workshop=workshop, **form.cleaned_data, agenda=formset.blocks()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("%(workshop)s has been saved.") % {"workshop": workshop.label}
            )
            return redirect("programme:workshop_detail", pk=programme.pk, number=workshop.number)
    has_errors = data is not None and not adding and (bool(form.errors) or not formset.is_valid())
    return render(
        request,
        "programme/workshop_form.html",
        {
            "breadcrumbs": [
                *programme_trail(request, programme),
                *crumbs(
                    (
                        workshop.label,
                        "programme:workshop_detail",
                        (programme.pk, workshop.number),
                    )
                ),
                Crumb(_("Edit")),
            ],
            "programme": programme,
            "region": programme.region,
            "workshop": workshop,
            "form": form,
            "formset": formset,
            "has_errors": has_errors,
        },
    )


# --- Calendars ------------------------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_VIEW)
    return _ics(
        ics.programme_calendar(programme=programme),
        ics.calendar_filename(programme=programme),
    )


def group_calendar(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_VIEW)
    return _ics(
        ics.group_calendar(programme=place.programme, group=place.group),
        ics.calendar_filename(programme=place.programme, group=place.group),
    )


# --- The coordinator's overview -------------------------------------------------------------------


def overview(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_MANAGE)
    rows = selectors.coordinator_overview(programme=programme)
    workshops = list(selectors.programme_workshops(programme=programme))
    assignments = list(selectors.programme_assignments(programme=programme))
    return render(
        request,
        "programme/overview.html",
        {
            "breadcrumbs": [*programme_trail(request, programme), Crumb(_("Overview"))],
            "programme": programme,
            "region": programme.region,
            "rows": rows,
            "workshops": workshops,
            "assignments": assignments,
            "now": timezone.now(),
            "is_demo": any(row.group.is_demo for row in rows),
        },
    )
