"""What every programme page starts with: find the programme (or a group's place in it) by its
address (404 if there is none, or if the group does not take part), check the user's permission
(403), and the breadcrumbs that lead to it. The rules themselves are in `core.permissions`."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed, require
from forandra.municipalities.models import DigitalisationGroup

from . import selectors
from .models import Programme, Session


@dataclass(frozen=True)
class ProgrammeGroup:
    """A participating group's place in a programme: the object group-level rules are about."""

    programme: Programme
    group: DigitalisationGroup


def programme_for(request: HttpRequest, pk: int, perm: Perm) -> Programme:
    """The programme, if the user may do `perm` on it."""
    try:
        programme = selectors.programme_get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    require(request.user, perm, programme)
    return programme


def programme_group_for(request: HttpRequest, pk: int, code: str, perm: Perm) -> ProgrammeGroup:
    """The group of the municipality with this code in the programme, if the municipality takes
    part and has a group, and the user may do `perm` on it."""
    try:
        programme = selectors.programme_get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    group = selectors.programme_groups(programme=programme).filter(municipality__code=code).first()
    if group is None:
        raise Http404
    place = ProgrammeGroup(programme=programme, group=group)
    require(request.user, perm, place)
    return place


def session_for(request: HttpRequest, pk: int, session_pk: int, perm: Perm) -> Session:
    """A session of the programme, if the user may do `perm` on the programme."""
    programme = programme_for(request, pk, perm)
    session = (
        Session.objects.select_related("workshop__programme__region", "cohort")
        .filter(pk=session_pk, workshop__programme=programme)
        .first()
    )
    if session is None:
        raise Http404
    return session


def programme_trail(request: HttpRequest, programme: Programme) -> list[Crumb]:
    """[Region's programmes, for those who may see them,] > programme."""
    trail: list[Crumb] = []
    region = programme.region
    if allowed(request.user, Perm.PROGRAMME_CREATE, region):
        trail += crumbs(
            (region.name, "municipalities:region_detail", (region.code,)),
            (_("Programmes"), "programme:programme_list", (region.code,)),
        )
    return trail + crumbs((programme.name, "programme:programme_detail", (programme.pk,)))
