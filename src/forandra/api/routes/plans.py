"""Transformation plans: their versions and content, leadership's decisions and the
follow-up's check-ins. Writes use the same forms (for their rules) and services as the pages."""

import datetime
import uuid
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from forandra.accounts.models import User
from forandra.core.permissions import Perm
from forandra.municipalities.lookups import municipality_for
from forandra.plans import selectors, services
from forandra.plans.access import plan_for, version_for
from forandra.plans.forms_decide import CheckInForm, DecisionForm
from forandra.plans.models import CheckIn, Decision, Initiative, Plan, PlanVersion

from ..params import Id, Mapped, MunicipalityCode, Number, Pages, body, text, with_body
from ..problems import ProblemOut, form_invalid

router = Router(tags=["plans"])

StatusName = Literal[
    "draft", "submitted", "approved", "approved_with_changes", "returned", "in_progress", "closed"
]
OutcomeName = Literal["approved", "approved_with_changes", "returned"]
LightName = Literal["green", "yellow", "red"]


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class VersionSummaryOut(Schema):
    number: int
    status: StatusName
    submitted_at: datetime.datetime | None
    decision: OutcomeName | None


class PlanOut(Schema):
    id: int
    municipality: str
    title: str
    first_year: int
    last_year: int
    status: StatusName = Field(description="The status of its latest version.")
    latest_version: int
    is_demo: bool


class PlanDetailOut(PlanOut):
    versions: list[VersionSummaryOut] = Field(description="Newest first.")


def _plan(plan: Plan, latest: PlanVersion) -> PlanOut:
    return PlanOut(
        id=plan.pk,
        municipality=plan.municipality.code,
        title=plan.title,
        first_year=plan.first_year,
        last_year=plan.last_year,
        status=latest.status,  # type: ignore[arg-type]
        latest_version=latest.number,
        is_demo=plan.is_demo,
    )


class PlanFilter(Schema):
    status: StatusName | None = Field(None, description="Of the plan's latest version.")


@router.get("/municipalities/{code}/plans", response=list[PlanOut], summary="List plans")
@paginate(Pages)
def plan_list(
    request: HttpRequest, code: MunicipalityCode, filters: Query[PlanFilter]
) -> list[PlanOut]:
    """The municipality's plans, newest period first, with their latest version's status."""
    municipality = municipality_for(request, code, Perm.PLANS_VIEW)
    rows = selectors.plan_rows(municipality=municipality)
    result = []
    for row in rows:
        if filters.status and row.latest.status != filters.status:
            continue
        row.plan.municipality = municipality
        result.append(_plan(row.plan, row.latest))
    return result


def _decision_outcome(version: PlanVersion) -> OutcomeName | None:
    try:
        return version.decision.outcome  # type: ignore[return-value]
    except Decision.DoesNotExist:
        return None


@router.get("/municipalities/{code}/plans/{pk}", response=PlanDetailOut, summary="One plan")
def plan_detail(request: HttpRequest, code: MunicipalityCode, pk: Id) -> PlanDetailOut:
    plan = plan_for(request, code, pk, Perm.PLANS_VIEW)
    versions = selectors.versions_of(plan=plan)
    return PlanDetailOut(
        **_plan(plan, versions[0]).model_dump(),
        versions=[
            VersionSummaryOut(
                number=v.number,
                status=v.status,  # type: ignore[arg-type]
                submitted_at=v.submitted_at,
                decision=_decision_outcome(v),
            )
            for v in versions
        ],
    )


class SectionOut(Schema):
    step: int = Field(description="Kotter's step, 1–8.")
    name: str
    text: str


class CapabilityOut(Schema):
    id: int
    dimension: str
    name: str
    current_score: float | None
    target_score: float
    note: str


class BudgetLineOut(Schema):
    year: int
    kind: Literal["investment", "operations", "innovation"]
    amount: int


class InitiativeOut(Schema):
    id: int
    key: uuid.UUID = Field(description="The same in every version of the plan.")
    idea: int | None
    title: str
    description: str
    owner: str
    start: datetime.date | None
    end: datetime.date | None
    first_step: str
    citizen_benefit: str
    waves: list[str]
    capabilities: list[int]
    collaborating: list[str] = Field(description="Codes of the municipalities taking part.")
    budget: list[BudgetLineOut]


class DecisionOut(Schema):
    outcome: OutcomeName
    comment: str
    decided_on: datetime.date


class VersionOut(Schema):
    plan: int
    number: int
    status: StatusName
    based_on: int | None = Field(description="The number of the version it was copied from.")
    leadership_check: str
    submitted_at: datetime.datetime | None
    decision: DecisionOut | None
    sections: list[SectionOut]
    capabilities: list[CapabilityOut]
    initiatives: list[InitiativeOut]


def _decision(version: PlanVersion) -> DecisionOut | None:
    try:
        decision = version.decision
    except Decision.DoesNotExist:
        return None
    return DecisionOut(
        outcome=decision.outcome,  # type: ignore[arg-type]
        comment=decision.comment,
        decided_on=decision.decided_on,
    )


@router.get(
    "/municipalities/{code}/plans/{pk}/versions/{number}",
    response=VersionOut,
    summary="One version of a plan",
)
def version_detail(
    request: HttpRequest, code: MunicipalityCode, pk: Id, number: Number
) -> VersionOut:
    """A version's text along Kotter's eight steps, its capabilities and initiatives."""
    version = version_for(request, code, pk, number, Perm.PLANS_VIEW)
    content = selectors.version_content(version=version)
    based_on = version.based_on.number if version.based_on else None
    return VersionOut(
        plan=version.plan_id,
        number=version.number,
        status=version.status,  # type: ignore[arg-type]
        based_on=based_on,
        leadership_check=version.leadership_check,
        submitted_at=version.submitted_at,
        decision=_decision(version),
        sections=[SectionOut(step=s.step, name=s.label, text=s.text) for s in content.sections],
        capabilities=[
            CapabilityOut(
                id=c.pk,
                dimension=c.dimension,
                name=c.name,
                current_score=c.current_score,
                target_score=c.target_score,
                note=c.note,
            )
            for c in content.capabilities
        ],
        initiatives=[
            InitiativeOut(
                id=i.pk,
                key=i.key,
                idea=i.idea_id,
                title=i.title,
                description=i.description,
                owner=i.owner,
                start=i.start,
                end=i.end,
                first_step=i.first_step,
                citizen_benefit=i.citizen_benefit,
                waves=[w.key for w in i.waves.all()],
                capabilities=[c.pk for c in i.capabilities.all()],
                collaborating=[m.code for m in i.collaborating.all()],
                budget=[
                    BudgetLineOut(year=b.year, kind=b.kind, amount=b.amount)  # type: ignore[arg-type]
                    for b in i.budget_lines.all()
                ],
            )
            for i in (row.initiative for row in content.initiatives)
        ],
    )


@router.get(
    "/municipalities/{code}/plans/{pk}/versions/{number}/decision",
    response=DecisionOut,
    summary="Leadership's decision",
)
def decision_detail(
    request: HttpRequest, code: MunicipalityCode, pk: Id, number: Number
) -> DecisionOut:
    """The decision on a version; 404 while there is none."""
    version = version_for(request, code, pk, number, Perm.PLANS_VIEW)
    decision = _decision(version)
    if decision is None:
        raise Http404
    return decision


class DecisionIn(Schema):
    outcome: OutcomeName
    comment: str = text(5000)
    decided_on: datetime.date = Field(description="Not in the future.")


@router.post(
    "/municipalities/{code}/plans/{pk}/versions/{number}/decision",
    response={201: DecisionOut, 409: ProblemOut},
    summary="Decide on a submitted version",
    openapi_extra=with_body(DecisionIn),
)
def decision_create(
    request: HttpRequest, code: MunicipalityCode, pk: Id, number: Number
) -> Status[DecisionOut]:
    """Leadership's decision, by the rules of the decision page: only the municipality's
    leadership, only on a submitted version (409 otherwise), always with a comment."""
    version = version_for(request, code, pk, number, Perm.PLANS_DECIDE)
    data = body(request, DecisionIn)
    form = DecisionForm(data.model_dump())
    if not form.is_valid():
        raise form_invalid(form)
    decision = services.version_decide(version=version, user=_user(request), **form.cleaned_data)
    return Status(
        201,
        DecisionOut(
            outcome=decision.outcome,  # type: ignore[arg-type]
            comment=decision.comment,
            decided_on=decision.decided_on,
        ),
    )


class CheckInOut(Schema):
    id: int
    initiative: int
    initiative_key: uuid.UUID
    initiative_title: str
    version: int
    checked_on: datetime.date
    light: LightName
    narrative: str
    next_step: str
    next_step_due: datetime.date | None
    created_at: datetime.datetime


def _check_in(entry: CheckIn) -> CheckInOut:
    return CheckInOut(
        id=entry.pk,
        initiative=entry.initiative_id,
        initiative_key=entry.initiative.key,
        initiative_title=entry.initiative.title,
        version=entry.initiative.version.number,
        checked_on=entry.checked_on,
        light=entry.light,  # type: ignore[arg-type]
        narrative=entry.narrative,
        next_step=entry.next_step,
        next_step_due=entry.next_step_due,
        created_at=entry.created_at,
    )


class CheckInFilter(Schema):
    initiative: uuid.UUID | None = Field(None, description="An initiative's key.")


@router.get(
    "/municipalities/{code}/plans/{pk}/check-ins",
    response=list[CheckInOut],
    summary="List check-ins",
)
@paginate(Pages)
def check_in_list(
    request: HttpRequest, code: MunicipalityCode, pk: Id, filters: Query[CheckInFilter]
) -> Mapped[CheckIn, CheckInOut]:
    """The check-ins on the plan's initiatives, in every version, newest first."""
    plan = plan_for(request, code, pk, Perm.PLANS_VIEW)
    entries = (
        CheckIn.objects.filter(initiative__version__plan=plan)
        .select_related("initiative__version")
        .order_by("-checked_on", "-pk")
    )
    if filters.initiative:
        entries = entries.filter(initiative__key=filters.initiative)
    return Mapped(entries, _check_in)


class CheckInIn(Schema):
    checked_on: datetime.date = Field(description="Not in the future.")
    light: LightName
    narrative: str = text(2000, min_length=1)
    next_step: str = text(500, min_length=1)
    next_step_due: datetime.date | None = Field(None, description="Not before `checked_on`.")


@router.post(
    "/municipalities/{code}/plans/{pk}/initiatives/{initiative}/check-ins",
    response={201: CheckInOut, 409: ProblemOut},
    summary="Check in on an initiative",
    openapi_extra=with_body(CheckInIn),
)
def check_in_create(
    request: HttpRequest, code: MunicipalityCode, pk: Id, initiative: Id
) -> Status[CheckInOut]:
    """A check-in on an initiative of an approved version that is not closed (409 otherwise),
    by the rules of the check-in page."""
    plan = plan_for(request, code, pk, Perm.PLANS_EDIT)
    item = (
        Initiative.objects.filter(version__plan=plan, pk=initiative)
        .select_related("version")
        .first()
    )
    if item is None:
        raise Http404
    data = body(request, CheckInIn)
    form = CheckInForm(data.model_dump())
    if not form.is_valid():
        raise form_invalid(form)
    entry = services.check_in(initiative=item, user=_user(request), **form.cleaned_data)
    return Status(201, _check_in(entry))
