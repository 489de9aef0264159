"""Who may do what: the one place where access is decided.

Every view (and every API endpoint) asks `require(user, perm, obj)` or `allowed(...)`; nothing
else compares roles. Data of one municipality is open to its own group members and leadership,
to the coordinator of its region, and to admins. A rule is a plain function of the user and the
object, so it can be tested without a request.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from forandra.accounts.models import User
    from forandra.municipalities.models import Municipality, Region

    AnyUser = User | AnonymousUser


class Perm(StrEnum):
    REGION_VIEW = "region.view"
    REGION_VIEW_GROUPS = "region.view_groups"
    MUNICIPALITY_VIEW = "municipality.view"
    GROUP_MANAGE = "group.manage"
    MATURITY_VIEW = "maturity.view"  # see a municipality's rounds and results
    MATURITY_RUN = "maturity.run"  # open, answer (consensus) and close rounds
    SCANNING_VIEW = "scanning.view"  # see a municipality's feeds, signals and radar
    SCANNING_EDIT = "scanning.edit"  # follow feeds, note and confirm signals, place waves
    REGION_SCANNING_EDIT = "region.scanning_edit"  # the region's waves and curated feeds
    PROGRAMME_CREATE = "programme.create"  # on a region: list and start its programmes
    PROGRAMME_VIEW = "programme.view"  # see a programme: schedule, workshops, material
    PROGRAMME_MANAGE = "programme.manage"  # edit it, its cohorts, sessions and attendance
    PROGRAMME_FACILITATE = "programme.facilitate"  # run a session's screen, add material
    PROGRAMME_GROUP_VIEW = "programme.group_view"  # a group's place in a programme (ProgrammeGroup)
    PROGRAMME_GROUP_WORK = "programme.group_work"  # write its definitions, board, assignments
    LEARNING_TAKE = "learning.take"  # read the leaders' learning path and keep one's own notes
    IDEAS_VIEW = "ideas.view"  # see a municipality's idea bank, votes and portfolios
    IDEAS_EDIT = "ideas.edit"  # add and edit ideas, moderate, vote, run the optimiser
    IDEAS_LIBRARY = "ideas.library"  # on a region: browse the ideas its municipalities share
    PLANS_VIEW = "plans.view"  # read a municipality's plans, decisions, check-ins and exports
    PLANS_EDIT = "plans.edit"  # write drafts, submit, start new versions, check in
    PLANS_DECIDE = "plans.decide"  # leadership's decision on a submitted plan
    PLANS_REGION = "plans.region"  # on a region: every municipality's plans and their status
    REGION_DASHBOARD = "region.dashboard"  # the region's dashboard and collaboration pages
    REGION_UNPUBLISHED = "region.unpublished"  # see what municipalities have not published
    REGION_PUBLIC_EDIT = "region.public_edit"  # open or close the region's public page
    MUNICIPALITY_PUBLISH = "municipality.publish"  # choose what the municipality publishes
    JOINT_CREATE = "joint.create"  # on a region: start a joint initiative, link and unlink
    NATIONAL_VIEW = "national.view"  # every region at once (the object is ignored)
    API_TOKENS = "api.tokens"  # create, list and revoke one's own API tokens (object: the user)
    WEBHOOKS_MANAGE = "webhooks.manage"  # a municipality's webhooks and their deliveries
    PERSONAL_DATA = "privacy.own"  # download or delete one's own data (object: the user)


def _role(user: AnyUser) -> str | None:
    if not user.is_authenticated:
        return None
    return str(getattr(user, "role", "")) or None


def is_admin(user: AnyUser) -> bool:
    """Admins run the installation and see every region."""
    return _role(user) == "admin"


def is_coordinator_of(user: AnyUser, region: Region) -> bool:
    return _role(user) == "coordinator" and getattr(user, "region_id", None) == region.pk


def _belongs_to(user: AnyUser, municipality: Municipality, roles: tuple[str, ...]) -> bool:
    return _role(user) in roles and getattr(user, "municipality_id", None) == municipality.pk


def _region_view(user: AnyUser, region: Region) -> bool:
    if is_admin(user) or is_coordinator_of(user, region):
        return True
    municipality = getattr(user, "municipality", None)
    return municipality is not None and municipality.region_id == region.pk


def _region_view_groups(user: AnyUser, region: Region) -> bool:
    return is_admin(user) or is_coordinator_of(user, region)


def _municipality_view(user: AnyUser, municipality: Municipality) -> bool:
    return (
        is_admin(user)
        or is_coordinator_of(user, municipality.region)
        or _belongs_to(user, municipality, ("member", "leadership"))
    )


def _group_manage(user: AnyUser, municipality: Municipality) -> bool:
    return (
        is_admin(user)
        or is_coordinator_of(user, municipality.region)
        or _belongs_to(user, municipality, ("member",))
    )


def _facilitates(user: AnyUser, programme: Any) -> bool:
    return bool(programme.facilitators.filter(pk=user.pk).exists())


def _programme_manage(user: AnyUser, programme: Any) -> bool:
    return is_admin(user) or is_coordinator_of(user, programme.region)


def _programme_facilitate(user: AnyUser, programme: Any) -> bool:
    return _programme_manage(user, programme) or _facilitates(user, programme)


def _takes_part(user: AnyUser, programme: Any, roles: tuple[str, ...]) -> bool:
    """Whether the user belongs, in one of `roles`, to a municipality in the programme."""
    municipality_id = getattr(user, "municipality_id", None)
    return (
        _role(user) in roles
        and municipality_id is not None
        and programme.municipalities.filter(pk=municipality_id).exists()
    )


def _programme_view(user: AnyUser, programme: Any) -> bool:
    return _programme_facilitate(user, programme) or _takes_part(
        user, programme, ("member", "leadership")
    )


def _programme_group_view(user: AnyUser, place: Any) -> bool:
    """`place` is a `programme.access.ProgrammeGroup`: a participating group in a programme."""
    return _programme_facilitate(user, place.programme) or _belongs_to(
        user, place.group.municipality, ("member", "leadership")
    )


def _programme_group_work(user: AnyUser, place: Any) -> bool:
    return _programme_facilitate(user, place.programme) or _belongs_to(
        user, place.group.municipality, ("member",)
    )


def _leads(user: AnyUser, municipality: Municipality) -> bool:
    """The municipality's own leadership: they, and only they, decide on its plan."""
    return _belongs_to(user, municipality, ("leadership",))


def _admin(user: AnyUser, obj: object) -> bool:
    return is_admin(user)


def _self(user: AnyUser, obj: object) -> bool:
    """Only the user themselves (the object is a user)."""
    return getattr(obj, "pk", None) == user.pk


def _signed_in(user: AnyUser, obj: object) -> bool:
    return True


RULES: dict[Perm, Callable[[Any, Any], bool]] = {
    Perm.REGION_VIEW: _region_view,
    Perm.REGION_VIEW_GROUPS: _region_view_groups,
    Perm.MUNICIPALITY_VIEW: _municipality_view,
    Perm.GROUP_MANAGE: _group_manage,
    Perm.MATURITY_VIEW: _municipality_view,
    Perm.MATURITY_RUN: _group_manage,
    Perm.SCANNING_VIEW: _municipality_view,
    Perm.SCANNING_EDIT: _group_manage,
    Perm.REGION_SCANNING_EDIT: _region_view_groups,
    Perm.PROGRAMME_CREATE: _region_view_groups,
    Perm.PROGRAMME_VIEW: _programme_view,
    Perm.PROGRAMME_MANAGE: _programme_manage,
    Perm.PROGRAMME_FACILITATE: _programme_facilitate,
    Perm.PROGRAMME_GROUP_VIEW: _programme_group_view,
    Perm.PROGRAMME_GROUP_WORK: _programme_group_work,
    Perm.LEARNING_TAKE: _signed_in,
    Perm.IDEAS_VIEW: _municipality_view,
    Perm.IDEAS_EDIT: _group_manage,
    Perm.IDEAS_LIBRARY: _region_view,
    Perm.PLANS_VIEW: _municipality_view,
    Perm.PLANS_EDIT: _group_manage,
    Perm.PLANS_DECIDE: _leads,
    Perm.PLANS_REGION: _region_view_groups,
    # The region's pages: its municipalities' users see what the others have published (and
    # their own); the coordinator and admins see everything (see regional.visibility).
    Perm.REGION_DASHBOARD: _region_view,
    Perm.REGION_UNPUBLISHED: _region_view_groups,
    Perm.REGION_PUBLIC_EDIT: _region_view_groups,
    Perm.MUNICIPALITY_PUBLISH: _group_manage,
    Perm.JOINT_CREATE: _region_view_groups,
    Perm.NATIONAL_VIEW: _admin,
    Perm.API_TOKENS: _self,
    Perm.WEBHOOKS_MANAGE: _group_manage,
    Perm.PERSONAL_DATA: _self,
}


def allowed(user: AnyUser, perm: Perm, obj: object) -> bool:
    """Whether the user may do `perm` on `obj`; anonymous users may do nothing here."""
    if not user.is_authenticated or not user.is_active:
        return False
    return RULES[perm](user, obj)


def require(user: AnyUser, perm: Perm, obj: object) -> None:
    """Raise PermissionDenied (HTTP 403) unless the user may do `perm` on `obj`."""
    if not allowed(user, perm, obj):
        raise PermissionDenied
