"""A draft's capabilities and initiatives: add, edit, delete (on a page of its own), and
initiatives from the ideas of the latest saved portfolio.

Every page here changes a draft. A version that is no longer a draft gets the 409 page that
says why (`refuse_state`), for a GET as for a crafted POST; the services check again inside
their transaction, so a version submitted meanwhile cannot change either.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm
from forandra.ideas import portfolio as idea_portfolios
from forandra.maturity.instrument import default_instrument
from forandra.municipalities.models import Municipality
from forandra.scanning import selectors as scanning_selectors

from .. import editing, services
from ..access import plan_trail, version_for
from ..forms_items import CapabilityForm, FromPortfolioForm, InitiativeForm
from ..models import Capability, Initiative, PlanVersion
from .edit import refuse_state


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _draft(request: HttpRequest, code: str, pk: int, number: int) -> PlanVersion:
    """The version, if the user may edit the municipality's plans (403/404 otherwise)."""
    return version_for(request, code, pk, number, Perm.PLANS_EDIT)


def _version_url(version: PlanVersion) -> str:
    plan = version.plan
    return reverse("plans:version_detail", args=[plan.municipality.code, plan.pk, version.number])


def _trail(request: HttpRequest, version: PlanVersion, *rest: Crumb) -> list[Crumb]:
    """[Region >] municipality > Plans > the plan > the version > rest."""
    label = _("Version %(number)s") % {"number": version.number}
    return [*plan_trail(request, version.plan), Crumb(label, _version_url(version)), *rest]


def _context(request: HttpRequest, version: PlanVersion, *rest: Crumb) -> dict[str, Any]:
    plan = version.plan
    return {
        "breadcrumbs": _trail(request, version, *rest),
        "municipality": plan.municipality,
        "plan": plan,
        "version": version,
        "version_url": _version_url(version),
        "is_demo": plan.is_demo,
    }


def _saved(request: HttpRequest, version: PlanVersion, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect(_version_url(version))


@functools.cache
def _dimension_names() -> tuple[tuple[str, str, str], ...]:
    """(key, Swedish name, English name) of the maturity dimensions, read once."""
    return tuple((d.key, d.name.sv, d.name.en) for d in default_instrument().dimensions)


def _dimension_choices() -> list[tuple[str, str]]:
    english = (get_language() or "sv").startswith("en")
    return [(key, en if english else sv) for key, sv, en in _dimension_names()]


def _capability(version: PlanVersion, item: int) -> Capability:
    capability = version.capabilities.filter(pk=item).first()
    if capability is None:
        raise Http404
    capability.version = version
    return capability


def _initiative(version: PlanVersion, item: int) -> Initiative:
    initiative = (
        version.initiatives.filter(pk=item)
        .prefetch_related("budget_lines", "waves", "capabilities", "collaborating")
        .first()
    )
    if initiative is None:
        raise Http404
    initiative.version = version
    return initiative


# --- Capabilities -------------------------------------------------------------------------------


def _capability_form(request: HttpRequest, initial: dict[str, Any] | None = None) -> CapabilityForm:
    data = request.POST if request.method == "POST" else None
    return CapabilityForm(data, initial=initial, dimensions=_dimension_choices())


@require_http_methods(["GET", "POST"])
def capability_add(request: HttpRequest, code: str, pk: int, number: int) -> HttpResponse:
    version = _draft(request, code, pk, number)
    form = _capability_form(request)
    try:
        services.ensure_editable(version)
        if request.method == "POST" and form.is_valid():
            try:
                capability = editing.capability_create(
                    version=version, user=_user(request), **form.cleaned_data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                text = _("The capability “%(name)s” is added.") % {"name": capability.name}
                return _saved(request, version, text)
    except services.PlanStateError as error:
        return refuse_state(request, error, version.plan, version)
    title = _("Add a capability")
    context = _context(request, version, Crumb(title))
    return render(
        request, "plans/items/capability_form.html", {**context, "form": form, "title": title}
    )


@require_http_methods(["GET", "POST"])
def capability_edit(
    request: HttpRequest, code: str, pk: int, number: int, item: int
) -> HttpResponse:
    version = _draft(request, code, pk, number)
    capability = _capability(version, item)
    form = _capability_form(request, CapabilityForm.initial_for(capability))
    try:
        services.ensure_editable(version)
        if request.method == "POST" and form.is_valid():
            try:
                editing.capability_update(
                    capability=capability, user=_user(request), **form.cleaned_data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                text = _("The capability “%(name)s” is saved.") % {"name": capability.name}
                return _saved(request, version, text)
    except services.PlanStateError as error:
        return refuse_state(request, error, version.plan, version)
    title = _("Edit the capability")
    context = _context(request, version, Crumb(title))
    return render(
        request,
        "plans/items/capability_form.html",
        {**context, "form": form, "title": title, "capability": capability},
    )


@require_http_methods(["GET", "POST"])
def capability_delete(
    request: HttpRequest, code: str, pk: int, number: int, item: int
) -> HttpResponse:
    version = _draft(request, code, pk, number)
    capability = _capability(version, item)
    try:
        services.ensure_editable(version)
        if request.method == "POST":
            editing.capability_delete(capability=capability, user=_user(request))
            text = _("The capability “%(name)s” is deleted.") % {"name": capability.name}
            return _saved(request, version, text)
    except services.PlanStateError as error:
        return refuse_state(request, error, version.plan, version)
    title = _("Delete the capability “%(name)s”?") % {"name": capability.name}
    context = _context(request, version, Crumb(_("Delete the capability")))
    initiatives = list(
        capability.initiatives.order_by("order", "pk").values_list("title", flat=True)
    )
    return render(
        request,
        "plans/items/delete.html",
        {
            **context,
            "title": title,
            "item": capability,
            "kind": "capability",
            "linked": initiatives,
        },
    )


# --- Initiatives --------------------------------------------------------------------------------


def _partners(municipality: Municipality) -> list[Municipality]:
    """The region's other municipalities, by name."""
    return list(
        Municipality.objects.filter(region_id=municipality.region_id)
        .exclude(pk=municipality.pk)
        .order_by("name")
    )


def _initiative_form(
    request: HttpRequest, version: PlanVersion, initial: dict[str, Any] | None = None
) -> InitiativeForm:
    municipality = version.plan.municipality
    data = request.POST if request.method == "POST" else None
    return InitiativeForm(
        data,
        initial=initial,
        years=version.plan.years,
        waves=list(scanning_selectors.waves_for(region=municipality.region)),
        capabilities=list(version.capabilities.all()),
        partners=_partners(municipality),
    )


def _initiative_page(
    request: HttpRequest,
    version: PlanVersion,
    form: InitiativeForm,
    title: str,
    initiative: Initiative | None = None,
) -> HttpResponse:
    years = set(version.plan.years)
    outside = (
        sorted({line.year for line in initiative.budget_lines.all() if line.year not in years})
        if initiative is not None
        else []
    )
    context = _context(request, version, Crumb(title))
    return render(
        request,
        "plans/items/initiative_form.html",
        {
            **context,
            "form": form,
            "title": title,
            "initiative": initiative,
            "outside_years": outside,
            "budget_rows": form.budget_rows(),
            "budget_errors": form.budget_errors(),
        },
    )


@require_http_methods(["GET", "POST"])
def initiative_add(request: HttpRequest, code: str, pk: int, number: int) -> HttpResponse:
    version = _draft(request, code, pk, number)
    form = _initiative_form(request, version)
    try:
        services.ensure_editable(version)
        if request.method == "POST" and form.is_valid():
            try:
                initiative = editing.initiative_create(
                    version=version, user=_user(request), **form.values()
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                text = _("The initiative “%(title)s” is added.") % {"title": initiative.title}
                return _saved(request, version, text)
    except services.PlanStateError as error:
        return refuse_state(request, error, version.plan, version)
    return _initiative_page(request, version, form, _("Add an initiative"))


@require_http_methods(["GET", "POST"])
def initiative_edit(
    request: HttpRequest, code: str, pk: int, number: int, item: int
) -> HttpResponse:
    version = _draft(request, code, pk, number)
    initiative = _initiative(version, item)
    form = _initiative_form(request, version, InitiativeForm.initial_for(initiative))
    try:
        services.ensure_editable(version)
        if request.method == "POST" and form.is_valid():
            try:
                editing.initiative_update(
                    initiative=initiative, user=_user(request), **form.values()
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                text = _("The initiative “%(title)s” is saved.") % {"title": initiative.title}
                return _saved(request, version, text)
    except services.PlanStateError as error:
        return refuse_state(request, error, version.plan, version)
    return _initiative_page(request, version, form, _("Edit the initiative"), initiative)


@require_http_methods(["GET", "POST"])
def initiative_delete(
    request: HttpRequest, code: str, pk: int, number: int, item: int
) -> HttpResponse:
    version = _draft(request, code, pk, number)
    initiative = _initiative(version, item)
    try:
        services.ensure_editable(version)
        if request.method == "POST":
            editing.initiative_delete(initiative=initiative, user=_user(request))
            text = _("The initiative “%(title)s” is deleted.") % {"title": initiative.title}
            return _saved(request, version, text)
    except services.PlanStateError as error:
        return refuse_state(request, error, version.plan, version)
    title = _("Delete the initiative “%(title)s”?") % {"title": initiative.title}
    context = _context(request, version, Crumb(_("Delete the initiative")))
    total = sum(line.amount for line in initiative.budget_lines.all())
    return render(
        request,
        "plans/items/delete.html",
        {**context, "title": title, "item": initiative, "kind": "initiative", "total": total},
    )


# --- From the portfolio -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def initiative_from_portfolio(
    request: HttpRequest, code: str, pk: int, number: int
) -> HttpResponse:
    version = _draft(request, code, pk, number)
    municipality = version.plan.municipality
    title = _("Initiatives from the portfolio")
    context = {**_context(request, version, Crumb(title)), "title": title}
    try:
        services.ensure_editable(version)
    except services.PlanStateError as error:
        return refuse_state(request, error, version.plan, version)
    portfolio = (
        idea_portfolios.portfolios_for(municipality=municipality).order_by("-version").first()
    )
    if portfolio is None:
        return render(request, "plans/items/from_portfolio.html", context)
    choices = list(idea_portfolios.choices_of(portfolio=portfolio).prefetch_related("idea__waves"))
    taken = editing.ideas_in(version)
    offered = [c for c in choices if c.idea_id not in taken]
    form = FromPortfolioForm(
        request.POST if request.method == "POST" else None,
        initial={"ideas": [str(c.idea_id) for c in offered if c.selected]},
        choices=[(c.idea_id, c.idea.title) for c in offered],
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        try:
            created = editing.initiatives_from_portfolio(
                version, [c for c in offered if c.idea_id in chosen], user=_user(request)
            )
        except services.PlanStateError as error:
            return refuse_state(request, error, version.plan, version)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            text = ngettext(
                "%(count)s initiative is added from the portfolio.",
                "%(count)s initiatives are added from the portfolio.",
                len(created),
            ) % {"count": len(created)}
            return _saved(request, version, text)
    by_idea = {c.idea_id: c for c in offered}
    return render(
        request,
        "plans/items/from_portfolio.html",
        {
            **context,
            "portfolio": portfolio,
            "form": form,
            "options": [(option, by_idea[int(option.data["value"])]) for option in form["ideas"]],
            "added": [c for c in choices if c.idea_id in taken],
            "is_demo": context["is_demo"] or portfolio.is_demo,
        },
    )
