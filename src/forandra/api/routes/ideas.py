"""The idea bank (published ideas, with their scores), adding an idea, and the saved
portfolios. Residents' proposals waiting for moderation are not in the API: they are the
group's to read and publish first."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from forandra.accounts.models import User
from forandra.core.permissions import Perm
from forandra.ideas import selectors, services
from forandra.ideas.models import Idea, Moderation, Portfolio
from forandra.municipalities.lookups import municipality_for

from ..params import NO_NUL, Id, Mapped, MunicipalityCode, Number, Pages, body, text, with_body
from ..problems import invalid

router = Router(tags=["ideas"])

StatusName = Literal["new", "considered", "selected", "in_plan", "parked"]
SourceName = Literal["group", "staff", "citizen", "workshop"]
INT_MAX = 2_147_483_647  # what every database stores in a positive integer column


class IdeaOut(Schema):
    id: int
    municipality: str
    title: str
    need: str
    description: str
    source: SourceName
    status: StatusName
    waves: list[str] = Field(description="Keys of the waves of change it rides on.")
    dimensions: list[str] = Field(description="Keys of the maturity dimensions it builds.")
    one_time_cost: int
    yearly_cost: int
    effort: float = Field(description="Person-months.")
    benefit: int
    feasibility: int
    risk: int
    support: int = Field(description="Residents' support and workshop dots together.")
    score: float = Field(description="0–100, among the municipality's published ideas.")
    shared: bool = Field(description="Shared with the region's library.")
    attribution: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    is_demo: bool


def _idea(idea: Idea, score: float, dots: int) -> IdeaOut:
    return IdeaOut(
        id=idea.pk,
        municipality=idea.municipality.code,
        title=idea.title,
        need=idea.need,
        description=idea.description,
        source=idea.source,  # type: ignore[arg-type]
        status=idea.status,  # type: ignore[arg-type]
        waves=[w.key for w in idea.waves.all()],
        dimensions=[str(d) for d in idea.dimensions],
        one_time_cost=idea.one_time_cost,
        yearly_cost=idea.yearly_cost,
        effort=float(idea.effort),
        benefit=idea.benefit,
        feasibility=idea.feasibility,
        risk=idea.risk,
        support=idea.support_count + dots,
        score=round(score, 2),
        shared=idea.shared_at is not None,
        attribution=idea.attribution,
        created_at=idea.created_at,
        updated_at=idea.updated_at,
        is_demo=idea.is_demo,
    )


class IdeaFilter(Schema):
    status: StatusName | None = None
    source: SourceName | None = None
    wave: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]{1,60}$", description="A wave's key.")
    dimension: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]{0,99}$")
    q: str | None = Field(None, max_length=200, pattern=NO_NUL, description="Words to find.")
    sort: Literal["score", "newest", "benefit"] = "score"


@router.get("/municipalities/{code}/ideas", response=list[IdeaOut], summary="List ideas")
@paginate(Pages)
def idea_list(
    request: HttpRequest, code: MunicipalityCode, filters: Query[IdeaFilter]
) -> list[IdeaOut]:
    """The municipality's published ideas with their scores, best first unless sorted."""
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    rows = selectors.idea_list(
        municipality=municipality,
        status=filters.status or "",
        source=filters.source or "",
        wave=filters.wave or "",
        dimension=filters.dimension or "",
        text=filters.q or "",
        sort=filters.sort,
    )
    for row in rows:
        row.idea.municipality = municipality
    return [_idea(row.idea, row.score.total, row.dots) for row in rows]


def _published(municipality: Any, pk: int) -> Idea:
    try:
        idea = selectors.idea_get(municipality=municipality, pk=pk)
    except Idea.DoesNotExist:
        raise Http404 from None
    if idea.moderation != Moderation.PUBLISHED:
        raise Http404
    return idea


@router.get("/municipalities/{code}/ideas/{pk}", response=IdeaOut, summary="One idea")
def idea_detail(request: HttpRequest, code: MunicipalityCode, pk: Id) -> IdeaOut:
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    idea = _published(municipality, pk)
    return _idea(idea, selectors.idea_score(idea=idea).total, getattr(idea, "dot_total", 0))


Count = Annotated[int, Field(ge=0, le=INT_MAX)]
OneToFive = Annotated[int, Field(ge=1, le=5)]
Key = Annotated[str, Field(max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")]


class IdeaIn(Schema):
    title: str = text(200, min_length=1)
    need: str = text(2000, min_length=1)
    description: str = Field("", max_length=5000, pattern=NO_NUL)
    source: SourceName = "group"
    status: StatusName = "new"
    waves: list[Key] = Field([], max_length=50, description="Keys of the region's waves.")
    dimensions: list[Key] = Field([], max_length=50, description="Maturity dimension keys.")
    one_time_cost: Count = 0
    yearly_cost: Count = 0
    effort: Annotated[Decimal, Field(ge=0, max_digits=6, decimal_places=1)] = Decimal(0)
    benefit: OneToFive = 3
    feasibility: OneToFive = 3
    risk: OneToFive = 3


@router.post(
    "/municipalities/{code}/ideas",
    response={201: IdeaOut},
    summary="Add an idea",
    openapi_extra=with_body(IdeaIn),
)
def idea_create(request: HttpRequest, code: MunicipalityCode) -> Status[IdeaOut]:
    """Add an idea to the bank, as the group does on the page; it is published at once."""
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    data = body(request, IdeaIn)
    known = {w.key: w for w in selectors.waves_for(municipality=municipality)}
    unknown = [key for key in data.waves if key not in known]
    if unknown:
        raise invalid({"waves": [_("Choose among the waves of the municipality's region.")]})
    user = request.user if isinstance(request.user, User) else None
    idea = services.idea_create(
        municipality=municipality,
        created_by=user,
        title=data.title,
        need=data.need,
        description=data.description,
        source=data.source,
        status=data.status,
        waves=[known[key] for key in data.waves],
        dimensions=data.dimensions,
        one_time_cost=data.one_time_cost,
        yearly_cost=data.yearly_cost,
        effort=data.effort,
        benefit=data.benefit,
        feasibility=data.feasibility,
        risk=data.risk,
    )
    idea = _published(municipality, idea.pk)
    return Status(
        201, _idea(idea, selectors.idea_score(idea=idea).total, getattr(idea, "dot_total", 0))
    )


class PortfolioOut(Schema):
    version: int
    title: str
    selected: int = Field(description="How many ideas were chosen.")
    created_at: datetime.datetime
    is_demo: bool


class ChoiceOut(Schema):
    idea: int
    title: str
    selected: bool
    value: float
    reason: str


class PortfolioDetailOut(PortfolioOut):
    constraints: dict[str, Any] = Field(description="What the optimiser was asked.")
    result: dict[str, Any] = Field(description="What came out: value, optimality, budget curve.")
    choices: list[ChoiceOut]


def _portfolio(portfolio: Portfolio) -> PortfolioOut:
    return PortfolioOut(
        version=portfolio.version,
        title=portfolio.title,
        selected=sum(1 for c in portfolio.choices.all() if c.selected),
        created_at=portfolio.created_at,
        is_demo=portfolio.is_demo,
    )


@router.get(
    "/municipalities/{code}/portfolios", response=list[PortfolioOut], summary="List portfolios"
)
@paginate(Pages)
def portfolio_list(request: HttpRequest, code: MunicipalityCode) -> Mapped[Portfolio, PortfolioOut]:
    """The saved runs of the optimiser, newest first."""
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    portfolios = (
        Portfolio.objects.filter(municipality=municipality)
        .prefetch_related("choices")
        .order_by("-version")
    )
    return Mapped(portfolios, _portfolio)


@router.get(
    "/municipalities/{code}/portfolios/{version}",
    response=PortfolioDetailOut,
    summary="One portfolio",
)
def portfolio_detail(
    request: HttpRequest, code: MunicipalityCode, version: Number
) -> PortfolioDetailOut:
    """One saved portfolio: each idea in or out, and why."""
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    portfolio = (
        Portfolio.objects.filter(municipality=municipality, version=version)
        .prefetch_related("choices__idea")
        .first()
    )
    if portfolio is None:
        raise Http404
    return PortfolioDetailOut(
        **_portfolio(portfolio).model_dump(),
        constraints=portfolio.constraints,
        result=portfolio.result,
        choices=[
            ChoiceOut(
                idea=c.idea_id,
                title=c.idea.title,
                selected=c.selected,
                value=c.value,
                reason=c.reason,
            )
            for c in portfolio.choices.all()
        ],
    )
