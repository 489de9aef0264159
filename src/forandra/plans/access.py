"""What every plan page starts with: find the municipality by its code and the plan (and
version) inside it (404 if there is none there), check the user's permission on the
municipality (403), and the breadcrumbs that lead to it. The rules are in `core.permissions`."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm
from forandra.municipalities.lookups import municipality_for, municipality_trail
from forandra.municipalities.models import Municipality

from .models import Plan, PlanVersion


def plan_for(request: HttpRequest, code: str, pk: int, perm: Perm) -> Plan:
    """The municipality's plan `pk`, if the user may do `perm` on the municipality."""
    municipality = municipality_for(request, code, perm)
    plan = (
        Plan.objects.select_related("municipality__region")
        .filter(pk=pk, municipality=municipality)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def version_for(request: HttpRequest, code: str, pk: int, number: int, perm: Perm) -> PlanVersion:
    """Version `number` of the plan, if the user may do `perm` on the municipality."""
    plan = plan_for(request, code, pk, perm)
    version = plan.versions.filter(number=number).first()
    if version is None:
        raise Http404
    version.plan = plan
    return version


def plans_trail(request: HttpRequest, municipality: Municipality) -> list[Crumb]:
    """[Region >] municipality > Plans."""
    url = reverse("plans:plan_list", args=[municipality.code])
    return [*municipality_trail(request, municipality), Crumb(_("Plans"), url)]


def plan_trail(request: HttpRequest, plan: Plan) -> list[Crumb]:
    """[Region >] municipality > Plans > the plan."""
    url = reverse("plans:plan_detail", args=[plan.municipality.code, plan.pk])
    return [*plans_trail(request, plan.municipality), Crumb(plan.title, url)]
