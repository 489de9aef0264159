"""The region's dashboard and the national view (the figures are read in `regional.dashboard`
and `regional.national`; the views only check access and render)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed, require
from forandra.municipalities.lookups import region_for

from .. import dashboard as selectors
from .. import national as national_selectors
from ..visibility import sight_for


def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.REGION_DASHBOARD)
    user = request.user
    overview = selectors.region_dashboard(
        sight=sight_for(user, region),
        show_groups=allowed(user, Perm.REGION_VIEW_GROUPS, region),
        language=get_language() or "sv",
    )
    return render(
        request,
        "regional/dashboard.html",
        {
            "breadcrumbs": [
                *crumbs((region.name, "municipalities:region_detail", (region.code,))),
                Crumb(_("Overview")),
            ],
            "region": region,
            "overview": overview,
            "sees_everything": overview.sight.everything,
            "bands": selectors.band_ranges(),
            "can_see_plans": allowed(user, Perm.PLANS_REGION, region),
            "can_see_library": allowed(user, Perm.IDEAS_LIBRARY, region),
            "is_demo": overview.is_demo,
        },
    )


def national(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.NATIONAL_VIEW, None)
    overview = national_selectors.national_overview(user=request.user)
    return render(
        request,
        "regional/national.html",
        {
            "breadcrumbs": [Crumb(_("All regions"))],
            "overview": overview,
            "is_demo": overview.is_demo,
        },
    )
