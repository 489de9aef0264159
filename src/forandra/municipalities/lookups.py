"""What every page under a municipality or a region starts with: find it by its code (404 if
there is none), check the user's permission on it (403), and the breadcrumbs that lead to it."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed, require

from . import selectors
from .models import Municipality, Region


def municipality_for(request: HttpRequest, code: str, perm: Perm) -> Municipality:
    """The municipality with this code, if the user may do `perm` on it."""
    try:
        municipality = selectors.municipality_get(code=code)
    except Municipality.DoesNotExist:
        raise Http404 from None
    require(request.user, perm, municipality)
    return municipality


def region_for(request: HttpRequest, code: str, perm: Perm) -> Region:
    """The region with this code, if the user may do `perm` on it."""
    try:
        region = selectors.region_get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None
    require(request.user, perm, region)
    return region


def municipality_trail(request: HttpRequest, municipality: Municipality) -> list[Crumb]:
    """[Region, for those who may see it,] > municipality: where a municipality's pages start."""
    trail: list[Crumb] = []
    region = municipality.region
    if allowed(request.user, Perm.REGION_VIEW, region):
        trail += crumbs((region.name, "municipalities:region_detail", (region.code,)))
    return trail + crumbs(
        (municipality.name, "municipalities:municipality_detail", (municipality.code,))
    )
