"""Plan pages: a municipality's plans, a new plan, a plan and its versions, editing a draft's
sections and its check of management versus leadership, submitting, withdrawing and starting a
new version.

Only a draft changes. Whatever would change a version that is no longer a draft, from a page or
a crafted POST, is answered by `refuse_state`: HTTP 409 with a page that says why; the services
check the state again inside their transaction, so nothing changes either way.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for
from forandra.regional import collaboration as regional_collaboration
from forandra.regional.visibility import sight_for

from .. import budget, draft, guidance, roadmap, selectors, services
from ..access import plan_for, plan_trail, plans_trail, version_for
from ..forms_edit import LeadershipCheckForm, NewPlanForm, PlanForm, SectionForm
from ..models import FOLLOWED, Plan, PlanVersion, Status, Step


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _version_url(version: PlanVersion) -> str:
    plan = version.plan
    return reverse("plans:version_detail", args=[plan.municipality.code, plan.pk, version.number])


def _version_trail(request: HttpRequest, version: PlanVersion, *rest: Crumb) -> list[Crumb]:
    """[Region >] municipality > Plans > the plan > version N [> rest]; the last is the page."""
    label = _("Version %(number)s") % {"number": version.number}
    if not rest:
        return [*plan_trail(request, version.plan), Crumb(label)]
    return [*plan_trail(request, version.plan), Crumb(label, _version_url(version)), *rest]


def _here(trail: list[Crumb]) -> list[Crumb]:
    """The trail with its last crumb as the current page (no link)."""
    return [*trail[:-1], Crumb(trail[-1].label)]


def refuse_state(
    request: HttpRequest,
    error: services.PlanStateError,
    plan: Plan,
    version: PlanVersion | None = None,
) -> HttpResponse:
    """HTTP 409: the plan's state does not allow what was asked; the page says why (the
    service's message) and leads back to the plan. Nothing has been changed."""
    return render(
        request,
        "plans/edit/refused.html",
        {
            "breadcrumbs": [*plan_trail(request, plan), Crumb(_("Not possible"))],
            "municipality": plan.municipality,
            "plan": plan,
            "version": version,
            "reason": str(error),
            "is_demo": plan.is_demo,
        },
        status=409,
    )


def _errors(form: Any) -> list[tuple[str, str]]:
    """(link target, message) for each of the form's errors, for the error summary."""
    found: list[tuple[str, str]] = [("", str(error)) for error in form.non_field_errors()]
    for field in form:
        found += [(field.auto_id, f"{field.label}: {error}") for error in field.errors]
    return found


# --- Plans ----------------------------------------------------------------------------------------


def plan_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.PLANS_VIEW)
    rows = selectors.plan_rows(municipality=municipality)
    return render(
        request,
        "plans/edit/plan_list.html",
        {
            "municipality": municipality,
            "breadcrumbs": _here(plans_trail(request, municipality)),
            "rows": rows,
            "can_edit": allowed(request.user, Perm.PLANS_EDIT, municipality),
            "can_decide": allowed(request.user, Perm.PLANS_DECIDE, municipality),
            "is_demo": any(row.plan.is_demo for row in rows),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.PLANS_EDIT)
    year = timezone.localdate().year
    if request.method == "POST":
        form = NewPlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            plan, report = draft.plan_start(
                municipality=municipality,
                title=data["title"],
                first_year=data["first_year"],
                last_year=data["last_year"],
                user=_user(request),
                from_data=data["from_data"],
            )
            messages.success(request, _("The plan has been created."))
            for note in report.notes if report else []:
                messages.info(request, note)
            return redirect("plans:plan_detail", code=municipality.code, pk=plan.pk)
    else:
        form = NewPlanForm(
            initial={"first_year": year + 1, "last_year": year + 3, "from_data": True}
        )
    return render(
        request,
        "plans/edit/plan_form.html",
        {
            "municipality": municipality,
            "breadcrumbs": [*plans_trail(request, municipality), Crumb(_("New plan"))],
            "form": form,
            "errors": _errors(form),
            "title": _("New plan"),
            "cancel_url": reverse("plans:plan_list", args=[municipality.code]),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = plan_for(request, code, pk, Perm.PLANS_EDIT)
    latest = services.current_version(plan)
    try:
        services.ensure_editable(latest)
    except services.PlanStateError as error:
        return refuse_state(request, error, plan, latest)
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                draft.plan_update(plan=plan, **form.cleaned_data)
            except services.PlanStateError as error:
                return refuse_state(request, error, plan, latest)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The plan's title and years have been saved."))
                return redirect("plans:plan_detail", code=plan.municipality.code, pk=plan.pk)
    else:
        form = PlanForm(
            initial={
                "title": plan.title,
                "first_year": plan.first_year,
                "last_year": plan.last_year,
            }
        )
    return render(
        request,
        "plans/edit/plan_form.html",
        {
            "municipality": plan.municipality,
            "plan": plan,
            "breadcrumbs": [*plan_trail(request, plan), Crumb(_("Title and years"))],
            "form": form,
            "errors": _errors(form),
            "title": _("Title and years"),
            "cancel_url": reverse("plans:plan_detail", args=[plan.municipality.code, plan.pk]),
            "is_demo": plan.is_demo,
        },
    )


# --- A version ----------------------------------------------------------------------------------


def _version_page(
    request: HttpRequest, plan: Plan, version: PlanVersion, breadcrumbs: list[Crumb]
) -> HttpResponse:
    municipality = plan.municipality
    content = selectors.version_content(version=version)
    versions = selectors.versions_of(plan=plan)
    version = next(v for v in versions if v.pk == version.pk)  # with its decision
    version.plan = plan
    latest = versions[0]
    can_edit = allowed(request.user, Perm.PLANS_EDIT, municipality)
    is_draft = version.status == Status.DRAFT
    table = budget.totals(version)
    share = table.innovation_share
    chart = roadmap.layout(
        [
            roadmap.RoadmapItem(row.initiative.title, row.initiative.start, row.initiative.end)
            for row in content.initiatives
        ],
        plan.first_year,
        plan.last_year,
    )
    earlier = next((v for v in versions if v.number < version.number), None)
    # The joint initiatives each initiative takes part in (by its key, so in every version).
    joints = regional_collaboration.joints_for_initiatives(
        keys=[row.initiative.key for row in content.initiatives],
        sight=sight_for(request.user, municipality.region),
    )
    return render(
        request,
        "plans/edit/version_detail.html",
        {
            "municipality": municipality,
            "breadcrumbs": breadcrumbs,
            "plan": plan,
            "version": version,
            "versions": versions,
            "is_latest": version.pk == latest.pk,
            "latest": latest,
            "earlier": earlier,
            "sections": content.sections,
            "capabilities": content.capabilities,
            "initiatives": content.initiatives,
            "initiative_joints": [
                (row, joints.get(row.initiative.key, [])) for row in content.initiatives
            ],
            "budget": table,
            "innovation_percent": None if share is None else share * 100,
            "roadmap": chart,
            "missing": selectors.missing_items(version=version) if is_draft else [],
            "editable": can_edit and is_draft,
            "can_edit": can_edit,
            "can_decide": allowed(request.user, Perm.PLANS_DECIDE, municipality),
            "can_withdraw": can_edit and version.status == Status.SUBMITTED,
            "can_start_new": can_edit
            and version.pk == latest.pk
            and latest.status not in (Status.DRAFT, Status.SUBMITTED),
            "is_followed": version.status in FOLLOWED,
            "followed_ever": version.status in (*FOLLOWED, Status.CLOSED),
            "is_submitted": version.status == Status.SUBMITTED,
            "leadership_guidance": guidance.LEADERSHIP_CHECK,
            "export_formats": [("docx", _("Word")), ("pdf", _("PDF")), ("md", _("Markdown"))],
            "is_demo": plan.is_demo,
        },
    )


def plan_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The plan as its latest version."""
    plan = plan_for(request, code, pk, Perm.PLANS_VIEW)
    version = services.current_version(plan)
    return _version_page(request, plan, version, _here(plan_trail(request, plan)))


def version_detail(request: HttpRequest, code: str, pk: int, number: int) -> HttpResponse:
    version = version_for(request, code, pk, number, Perm.PLANS_VIEW)
    return _version_page(request, version.plan, version, _version_trail(request, version))


# --- Editing a draft ----------------------------------------------------------------------------


def _editable_version(
    request: HttpRequest, code: str, pk: int, number: int
) -> tuple[PlanVersion, HttpResponse | None]:
    """The version if the user may edit plans, and the 409 page if it is not a draft."""
    version = version_for(request, code, pk, number, Perm.PLANS_EDIT)
    try:
        services.ensure_editable(version)
    except services.PlanStateError as error:
        return version, refuse_state(request, error, version.plan, version)
    return version, None


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, code: str, pk: int, number: int, step: int) -> HttpResponse:
    if step not in Step.values:
        raise Http404
    version, refused = _editable_version(request, code, pk, number)
    if refused:
        return refused
    label = Step(step).label
    if request.method == "POST":
        form = SectionForm(request.POST)
        if form.is_valid():
            try:
                draft.section_update(version=version, step=step, text=form.cleaned_data["text"])
            except services.PlanStateError as error:
                return refuse_state(request, error, version.plan, version)
            messages.success(request, _("Step %(step)s has been saved.") % {"step": step})
            return redirect(_version_url(version) + f"#step-{step}")
    else:
        current = version.sections.filter(step=step).values_list("text", flat=True).first()
        form = SectionForm(initial={"text": current or ""})
    form.fields["text"].label = _("Text for step %(step)s") % {"step": step}
    return render(
        request,
        "plans/edit/section_form.html",
        {
            "municipality": version.plan.municipality,
            "plan": version.plan,
            "version": version,
            "step": step,
            "label": label,
            "guidance": guidance.for_step(step),
            "previous_step": Step(step - 1) if step > 1 else None,
            "next_step": Step(step + 1) if step < len(Step.values) else None,
            "breadcrumbs": _version_trail(
                request, version, Crumb(_("Step %(step)s") % {"step": step})
            ),
            "form": form,
            "errors": _errors(form),
            "version_url": _version_url(version),
            "is_demo": version.plan.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def leadership_check_edit(request: HttpRequest, code: str, pk: int, number: int) -> HttpResponse:
    version, refused = _editable_version(request, code, pk, number)
    if refused:
        return refused
    if request.method == "POST":
        form = LeadershipCheckForm(request.POST)
        if form.is_valid():
            try:
                draft.leadership_check_update(version=version, text=form.cleaned_data["text"])
            except services.PlanStateError as error:
                return refuse_state(request, error, version.plan, version)
            messages.success(request, _("The check of management and leadership has been saved."))
            return redirect(_version_url(version) + "#leadership")
    else:
        form = LeadershipCheckForm(initial={"text": version.leadership_check})
    return render(
        request,
        "plans/edit/leadership_form.html",
        {
            "municipality": version.plan.municipality,
            "plan": version.plan,
            "version": version,
            "guidance": guidance.LEADERSHIP_CHECK,
            "breadcrumbs": _version_trail(request, version, Crumb(_("Management and leadership"))),
            "form": form,
            "errors": _errors(form),
            "version_url": _version_url(version),
            "is_demo": version.plan.is_demo,
        },
    )


# --- The version's state --------------------------------------------------------------------------


@require_POST
def version_submit(request: HttpRequest, code: str, pk: int, number: int) -> HttpResponse:
    """Send a complete draft to leadership; an incomplete one gets the list of what is missing
    (200, nothing changed)."""
    version = version_for(request, code, pk, number, Perm.PLANS_EDIT)
    try:
        services.version_submit(version=version, user=_user(request))
    except services.PlanFrozenError as error:
        return refuse_state(request, error, version.plan, version)
    except services.PlanStateError:
        return render(
            request,
            "plans/edit/submit_missing.html",
            {
                "municipality": version.plan.municipality,
                "plan": version.plan,
                "version": version,
                "missing": selectors.missing_items(version=version),
                "breadcrumbs": _version_trail(request, version, Crumb(_("What is missing"))),
                "is_demo": version.plan.is_demo,
            },
        )
    messages.success(
        request,
        _("Version %(number)s has been submitted to the leadership.") % {"number": number},
    )
    return redirect(_version_url(version))


@require_POST
def version_withdraw(request: HttpRequest, code: str, pk: int, number: int) -> HttpResponse:
    """Take a submitted version back to a draft, before leadership has decided."""
    version = version_for(request, code, pk, number, Perm.PLANS_EDIT)
    try:
        services.version_withdraw(version=version)
    except services.PlanStateError as error:
        return refuse_state(request, error, version.plan, version)
    messages.success(
        request,
        _("Version %(number)s has been withdrawn and is a draft again.") % {"number": number},
    )
    return redirect(_version_url(version))


@require_POST
def version_new(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A new draft, a copy of the latest version, once that one is decided."""
    plan = plan_for(request, code, pk, Perm.PLANS_EDIT)
    try:
        version = services.version_new(plan=plan, user=_user(request))
    except services.PlanStateError as error:
        return refuse_state(request, error, plan)
    version.plan = plan
    messages.success(
        request,
        _("Version %(number)s has been started as a copy of the latest version.")
        % {"number": version.number},
    )
    return redirect(_version_url(version))
