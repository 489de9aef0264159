"""Who is calling, municipalities and their digitalisation groups."""

from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from forandra.core.permissions import Perm, allowed
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.lookups import municipality_for
from forandra.municipalities.models import Municipality

from ..auth import token_of
from ..params import MunicipalityCode, Pages

router = Router(tags=["municipalities"])


class MeOut(Schema):
    username: str
    role: str
    municipality: str | None = Field(description="The municipality's code, for its users.")
    region: str | None = Field(description="The region's code, for its coordinator.")
    auth: Literal["token", "session"]
    scope: Literal["read", "write"]


@router.get("/me", response=MeOut, summary="Who is calling")
def me(request: HttpRequest) -> MeOut:
    """The user behind the token (or session), and what the token may do."""
    user = request.user
    token = token_of(request)
    municipality = getattr(user, "municipality", None)
    region = getattr(user, "region", None)
    return MeOut(
        username=user.get_username(),
        role=str(getattr(user, "role", "")),
        municipality=municipality.code if municipality else None,
        region=region.code if region else None,
        auth="token" if token else "session",
        scope="write" if token is None or token.can_write else "read",
    )


class MunicipalityOut(Schema):
    code: str = Field(examples=["2404"])
    name: str
    region: str = Field(description="The region's two-digit county code.")
    region_name: str
    has_group: bool


def _municipality(municipality: Municipality) -> MunicipalityOut:
    return MunicipalityOut(
        code=municipality.code,
        name=municipality.name,
        region=municipality.region.code,
        region_name=municipality.region.name,
        has_group=hasattr(municipality, "group"),
    )


class MunicipalityFilter(Schema):
    region: str | None = Field(None, pattern=r"^[0-9]{2}$", description="A region's code.")


@router.get("/municipalities", response=list[MunicipalityOut], summary="List municipalities")
@paginate(Pages)
def municipality_list(
    request: HttpRequest, filters: Query[MunicipalityFilter]
) -> list[MunicipalityOut]:
    """The municipalities whose data you may see, by name."""
    municipalities = Municipality.objects.select_related("region", "group").order_by("name")
    if filters.region:
        municipalities = municipalities.filter(region__code=filters.region)
    return [
        _municipality(m) for m in municipalities if allowed(request.user, Perm.MUNICIPALITY_VIEW, m)
    ]


@router.get("/municipalities/{code}", response=MunicipalityOut, summary="One municipality")
def municipality_detail(request: HttpRequest, code: MunicipalityCode) -> MunicipalityOut:
    municipality = municipality_for(request, code, Perm.MUNICIPALITY_VIEW)
    return _municipality(municipality)


class MemberOut(Schema):
    id: int
    name: str
    function: str
    role: str
    email: str | None = Field(
        description="Only for those who may manage the group (its members, the coordinator)."
    )


class GroupOut(Schema):
    municipality: str
    name: str
    is_demo: bool
    functions: int = Field(description="How many distinct functions the members come from.")
    members: list[MemberOut]


@router.get("/municipalities/{code}/group", response=GroupOut, summary="The digitalisation group")
def group_detail(request: HttpRequest, code: MunicipalityCode) -> GroupOut:
    """The group and its members; e-mail addresses only for those who may manage the group."""
    municipality = municipality_for(request, code, Perm.MUNICIPALITY_VIEW)
    group = municipality_selectors.group_for(municipality=municipality)
    if group is None:
        raise Http404
    with_email = allowed(request.user, Perm.GROUP_MANAGE, municipality)
    members = list(group.members.all())
    return GroupOut(
        municipality=municipality.code,
        name=group.name,
        is_demo=group.is_demo,
        functions=municipality_selectors.cross_functionality(
            [m.function for m in members]
        ).distinct,
        members=[
            MemberOut(
                id=m.pk,
                name=m.name,
                function=m.function,
                role=m.role,
                email=m.email if with_email else None,
            )
            for m in members
        ],
    )
