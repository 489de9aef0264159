"""The region's page of plans (the rows are read by `plans.region`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm
from forandra.municipalities.lookups import region_for

from ..models import Status
from ..region import WITHOUT_PLAN, region_plans_overview


def region_plans(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.PLANS_REGION)
    status = request.GET.get("status", "")
    if status not in (*Status.values, WITHOUT_PLAN):
        status = ""  # an unknown filter shows everything, as "All" does
    overview = region_plans_overview(region=region, status=status)
    return render(
        request,
        "plans/region/region_plans.html",
        {
            "breadcrumbs": [
                *crumbs((region.name, "municipalities:region_detail", (region.code,))),
                Crumb(_("Plans")),
            ],
            "region": region,
            "overview": overview,
            "status": status,
            "status_label": Status(status).label if status in Status.values else "",
            "status_choices": [(value, label) for value, label in Status.choices],
            "without_plan": WITHOUT_PLAN,
            "status_counts": [
                (value, label, overview.status_counts[value]) for value, label in Status.choices
            ],
            "is_demo": overview.is_demo,
        },
    )
