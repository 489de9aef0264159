"""Deciding and following up a plan: leadership's decision on a submitted version, check-ins on
the initiatives of an approved one, closing its follow-up, the leadership's overview of what is
overdue, the plan's history and the comparison of two versions.

A request that the plan's state does not allow (deciding twice, checking in on a draft) gets a
409 page that says why; nothing is changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for

from .. import diff, followup, services
from .. import history as plan_history
from ..access import plan_for, plan_trail, plans_trail, version_for
from ..forms_decide import CheckInForm, DecisionForm, VersionPairForm
from ..models import FOLLOWED, Initiative, Plan, PlanVersion, Status
from .edit import refuse_state

HISTORY_PER_PAGE = 50


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _version_url(plan: Plan, number: int) -> str:
    return reverse("plans:version_detail", args=[plan.municipality.code, plan.pk, number])


def _follow_up_url(plan: Plan) -> str:
    return reverse("plans:follow_up", args=[plan.municipality.code, plan.pk])


def _version_trail(request: HttpRequest, version: PlanVersion, *rest: Crumb) -> list[Crumb]:
    """[Region >] municipality > Plans > the plan > version N > rest."""
    label = _("Version %(number)s") % {"number": version.number}
    return [
        *plan_trail(request, version.plan),
        Crumb(label, _version_url(version.plan, version.number)),
        *rest,
    ]


def _refused(request: HttpRequest, version: PlanVersion, reason: str) -> HttpResponse:
    """The 409 page: what was asked cannot be done in the version's state, and why."""
    return refuse_state(request, services.PlanStateError(reason), version.plan, version)


def _status_reason(version: PlanVersion, expected: str) -> str:
    return _("Version %(number)s is %(status)s. %(expected)s") % {
        "number": version.number,
        "status": version.get_status_display().lower(),
        "expected": expected,
    }


@require_http_methods(["GET", "POST"])
def version_decide(request: HttpRequest, code: str, pk: int, number: int) -> HttpResponse:
    """Leadership's decision on a submitted version: only the municipality's leadership."""
    version = version_for(request, code, pk, number, Perm.PLANS_DECIDE)
    if version.status != Status.SUBMITTED:
        return _refused(
            request, version, _status_reason(version, _("Only a submitted version is decided on."))
        )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.version_decide(
                version=version,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
                decided_on=form.cleaned_data["decided_on"],
                user=_user(request),
            )
        except services.PlanStateError as error:
            return _refused(request, version, str(error))
        messages.success(
            request,
            _("The decision is saved: %(outcome)s. The group sees it on the plan.")
            % {"outcome": decision.get_outcome_display().lower()},
        )
        return redirect(_version_url(version.plan, version.number))
    return render(
        request,
        "plans/decide/decide.html",
        {
            "breadcrumbs": _version_trail(request, version, Crumb(_("Decision"))),
            "municipality": version.plan.municipality,
            "plan": version.plan,
            "version": version,
            "form": form,
            "initiative_count": version.initiatives.count(),
            "is_demo": version.plan.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def version_close(request: HttpRequest, code: str, pk: int, number: int) -> HttpResponse:
    """End the follow-up of an approved version (GET asks again, POST closes).

    The group closes it (Perm.PLANS_EDIT), not leadership: following up the initiatives is the
    group's work, and so is saying that it is over (the period has ended, or a new plan takes
    over). Leadership's part is the decision; what comes next goes to them as a new plan or
    version."""
    version = version_for(request, code, pk, number, Perm.PLANS_EDIT)
    if version.status not in FOLLOWED:
        return _refused(
            request,
            version,
            _status_reason(version, _("Only an approved plan that is being followed up closes.")),
        )
    if request.method == "POST":
        try:
            services.version_close(version=version)
        except services.PlanStateError as error:
            return _refused(request, version, str(error))
        messages.success(request, _("The follow-up of the plan is closed."))
        return redirect(_follow_up_url(version.plan))
    return render(
        request,
        "plans/decide/close.html",
        {
            "breadcrumbs": [
                *plan_trail(request, version.plan),
                Crumb(_("Follow-up"), _follow_up_url(version.plan)),
                Crumb(_("Close the follow-up")),
            ],
            "municipality": version.plan.municipality,
            "plan": version.plan,
            "version": version,
            "is_demo": version.plan.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, code: str, pk: int, number: int, item: int) -> HttpResponse:
    """A check-in on one initiative of an approved version: the group's."""
    version = version_for(request, code, pk, number, Perm.PLANS_EDIT)
    initiative: Initiative | None = version.initiatives.filter(pk=item).first()
    if initiative is None:
        raise Http404
    if version.status not in FOLLOWED:
        return _refused(
            request,
            version,
            _status_reason(
                version, _("Check-ins are made on an approved plan that is not closed.")
            ),
        )
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in(initiative=initiative, user=_user(request), **form.cleaned_data)
        except services.PlanStateError as error:
            return _refused(request, version, str(error))
        messages.success(
            request, _("The check-in on “%(title)s” is saved.") % {"title": initiative.title}
        )
        return redirect(f"{_follow_up_url(version.plan)}#initiative-{initiative.pk}")
    return render(
        request,
        "plans/decide/check_in.html",
        {
            "breadcrumbs": [
                *plan_trail(request, version.plan),
                Crumb(_("Follow-up"), _follow_up_url(version.plan)),
                Crumb(_("Check in")),
            ],
            "municipality": version.plan.municipality,
            "plan": version.plan,
            "version": version,
            "initiative": initiative,
            "form": form,
            "is_demo": version.plan.is_demo,
        },
    )


def follow_up(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The plan's followed version: its decision, and each initiative with its check-ins."""
    plan = plan_for(request, code, pk, Perm.PLANS_VIEW)
    version = followup.followed_version(plan)
    today = timezone.localdate()
    items = followup.follow_up(version=version, today=today) if version else []
    can_edit = allowed(request.user, Perm.PLANS_EDIT, plan.municipality)
    return render(
        request,
        "plans/decide/follow_up.html",
        {
            "breadcrumbs": [*plan_trail(request, plan), Crumb(_("Follow-up"))],
            "municipality": plan.municipality,
            "plan": plan,
            "version": version,
            "items": items,
            "overdue_count": sum(1 for item in items if item.overdue),
            "can_check_in": can_edit and version is not None and version.status in FOLLOWED,
            "quiet_days": followup.QUIET_DAYS,
            "is_demo": plan.is_demo,
        },
    )


def leadership_overview(request: HttpRequest, code: str) -> HttpResponse:
    """For leadership: the latest check-in of every initiative of every followed plan, and
    what is overdue."""
    municipality = municipality_for(request, code, Perm.PLANS_VIEW)
    plans = followup.leadership_overview(municipality=municipality, today=timezone.localdate())
    return render(
        request,
        "plans/decide/overview.html",
        {
            "breadcrumbs": [*plans_trail(request, municipality), Crumb(_("Follow-up overview"))],
            "municipality": municipality,
            "plans": plans,
            "overdue_count": sum(len(plan.overdue) for plan in plans),
            "quiet_days": followup.QUIET_DAYS,
            "is_demo": any(row.plan.is_demo for row in plans),
        },
    )


def history(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Who changed what in the plan, and when; newest first, 50 a page."""
    plan = plan_for(request, code, pk, Perm.PLANS_VIEW)
    page = Paginator(plan_history.plan_history(plan=plan), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "plans/decide/history.html",
        {
            "breadcrumbs": [*plan_trail(request, plan), Crumb(_("History"))],
            "municipality": plan.municipality,
            "plan": plan,
            "page": page,
            "is_demo": plan.is_demo,
        },
    )


def version_diff(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """What changed between two versions (?a=&b=; by default the latest and the one before)."""
    plan = plan_for(request, code, pk, Perm.PLANS_VIEW)
    versions = {v.number: v for v in plan.versions.order_by("number")}
    for version in versions.values():
        version.plan = plan
    choices = [
        (
            number,
            _("Version %(number)s (%(status)s)")
            % {"number": number, "status": v.get_status_display().lower()},
        )
        for number, v in versions.items()
    ]
    context: dict[str, Any] = {
        "breadcrumbs": [*plan_trail(request, plan), Crumb(_("Compare versions"))],
        "municipality": plan.municipality,
        "plan": plan,
        "version_count": len(versions),
        "is_demo": plan.is_demo,
    }
    if len(versions) < 2:
        return render(request, "plans/decide/diff.html", context)
    numbers = list(versions)
    data = {
        "a": request.GET.get("a", str(numbers[-2])),
        "b": request.GET.get("b", str(numbers[-1])),
    }
    form = VersionPairForm(data, versions=choices)
    context["form"] = form
    if not form.is_valid():
        return render(request, "plans/decide/diff.html", context, status=400)
    context["diff"] = diff.compare(
        versions[form.cleaned_data["a"]], versions[form.cleaned_data["b"]]
    )
    return render(request, "plans/decide/diff.html", context)
