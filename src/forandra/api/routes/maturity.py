"""The maturity self-assessment: instruments, rounds, their scores (only when enough have
answered: the k-anonymity rule of `maturity.selectors.shows_results`), and the survey itself,
which anyone with the link may answer, as in the browser."""

import datetime
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from forandra.core.permissions import Perm, allowed
from forandra.maturity import selectors, services
from forandra.maturity.instrument import Instrument, Text, load_instrument
from forandra.maturity.models import InstrumentVersion, Mode, Round, min_group_size
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.lookups import municipality_for

from ..params import NO_NUL, Id, LinkKey, Mapped, MunicipalityCode, Pages, body, with_body
from ..problems import ProblemError, ProblemOut, invalid

router = Router(tags=["maturity"])


def _language() -> str:
    return get_language() or "sv"


class TextOut(Schema):
    sv: str
    en: str


def _text(text: Text) -> TextOut:
    return TextOut(sv=text.sv, en=text.en)


class InstrumentOut(Schema):
    id: int
    instrument: str = Field(description="The instrument's identifier, the same in all versions.")
    version: int
    published_at: datetime.datetime | None


class StatementOut(Schema):
    key: str
    text: TextOut
    reverse: bool


class DimensionOut(Schema):
    key: str
    axis: str
    name: TextOut
    description: TextOut
    statements: list[StatementOut]


class ScaleStepOut(Schema):
    value: int
    label: TextOut


class LevelOut(Schema):
    key: str
    minimum: float
    name: TextOut


class InstrumentDetailOut(InstrumentOut):
    name: TextOut
    scale: list[ScaleStepOut]
    dont_know: TextOut
    levels: list[LevelOut]
    dimensions: list[DimensionOut]


def _instrument(version: InstrumentVersion) -> InstrumentOut:
    return InstrumentOut(
        id=version.pk,
        instrument=version.instrument_id,
        version=version.version,
        published_at=version.published_at,
    )


def _dimensions(instrument: Instrument) -> list[DimensionOut]:
    return [
        DimensionOut(
            key=d.key,
            axis=str(d.axis),
            name=_text(d.name),
            description=_text(d.description),
            statements=[
                StatementOut(key=s.key, text=_text(s.text), reverse=s.reverse) for s in d.statements
            ],
        )
        for d in instrument.dimensions
    ]


@router.get("/instruments", response=list[InstrumentOut], summary="List instruments")
@paginate(Pages)
def instrument_list(request: HttpRequest) -> Mapped[InstrumentVersion, InstrumentOut]:
    """The published instrument versions; shared by every region."""
    versions = InstrumentVersion.objects.filter(published_at__isnull=False).order_by(
        "instrument_id", "-version"
    )
    return Mapped(versions.defer("source"), _instrument)


@router.get("/instruments/{pk}", response=InstrumentDetailOut, summary="One instrument")
def instrument_detail(request: HttpRequest, pk: Id) -> InstrumentDetailOut:
    """One published version: its scale, levels, dimensions and statements, in both languages."""
    version = InstrumentVersion.objects.filter(published_at__isnull=False, pk=pk).first()
    if version is None:
        raise Http404
    instrument = load_instrument(version.source)
    return InstrumentDetailOut(
        **_instrument(version).model_dump(),
        name=_text(instrument.name),
        scale=[ScaleStepOut(value=s.value, label=_text(s.label)) for s in instrument.scale.steps],
        dont_know=_text(instrument.scale.dont_know),
        levels=[
            LevelOut(key=level.key, minimum=level.minimum, name=_text(level.name))
            for level in instrument.levels
        ],
        dimensions=_dimensions(instrument),
    )


class RoundOut(Schema):
    id: int
    municipality: str
    title: str
    mode: Literal["consensus", "survey"]
    instrument: int = Field(description="The instrument version's id.")
    opened_on: datetime.date
    closed_at: datetime.datetime | None
    is_open: bool
    invited: int | None
    responses: int
    results_shown: bool = Field(
        description="Whether the scores may be shown: a survey needs enough responses."
    )
    survey_link_key: str | None = Field(
        description="The survey link's key, for those who run the round; else null."
    )
    is_demo: bool


def _round(round_: Round, request: HttpRequest) -> RoundOut:
    return RoundOut(
        id=round_.pk,
        municipality=round_.municipality.code,
        title=round_.title,
        mode=round_.mode,  # type: ignore[arg-type]
        instrument=round_.instrument_id,
        opened_on=round_.opened_on,
        closed_at=round_.closed_at,
        is_open=round_.is_open,
        invited=round_.invited,
        responses=round_.response_count,
        results_shown=selectors.shows_results(round_=round_),
        survey_link_key=(
            round_.link_key
            if round_.mode == Mode.SURVEY
            and allowed(request.user, Perm.MATURITY_RUN, round_.municipality)
            else None
        ),
        is_demo=round_.is_demo,
    )


class RoundFilter(Schema):
    mode: Literal["consensus", "survey"] | None = None
    status: Literal["open", "closed"] | None = None


@router.get(
    "/municipalities/{code}/rounds", response=list[RoundOut], summary="List maturity rounds"
)
@paginate(Pages)
def round_list(
    request: HttpRequest, code: MunicipalityCode, filters: Query[RoundFilter]
) -> Mapped[Round, RoundOut]:
    """The municipality's rounds, newest first."""
    municipality = municipality_for(request, code, Perm.MATURITY_VIEW)
    rounds = selectors.rounds_for(municipality=municipality).defer("instrument__source")
    if filters.mode:
        rounds = rounds.filter(mode=filters.mode)
    if filters.status:
        rounds = rounds.filter(closed_at__isnull=filters.status == "open")
    return Mapped(rounds.select_related("municipality__region"), lambda r: _round(r, request))


def _round_of(request: HttpRequest, code: str, pk: int) -> Round:
    municipality = municipality_for(request, code, Perm.MATURITY_VIEW)
    try:
        return selectors.round_get(municipality=municipality, pk=pk)
    except Round.DoesNotExist:
        raise Http404 from None


@router.get("/municipalities/{code}/rounds/{pk}", response=RoundOut, summary="One maturity round")
def round_detail(request: HttpRequest, code: MunicipalityCode, pk: Id) -> RoundOut:
    return _round(_round_of(request, code, pk), request)


class StatementScoreOut(Schema):
    key: str
    answers: int
    score: float | None
    spread: float | None


class DimensionScoreOut(Schema):
    key: str
    name: str
    axis: str
    score: float | None = Field(description="0–100; null when no statement was answered.")
    answers: int
    spread: float | None
    statements: list[StatementScoreOut]


class NamedOut(Schema):
    key: str
    name: str


class UnitScoreOut(Schema):
    unit: str | None = Field(description="null: the smaller departments together.")
    responses: int
    overall: float | None


class ScoresOut(Schema):
    round: int
    responses: int
    overall: float | None
    level: NamedOut | None
    capability: float | None
    prerequisite: float | None
    quadrant: NamedOut | None
    dimensions: list[DimensionScoreOut]
    units: list[UnitScoreOut] = Field(
        description="Per department, each with at least the minimum group size of responses."
    )


@router.get(
    "/municipalities/{code}/rounds/{pk}/scores",
    response={200: ScoresOut, 409: ProblemOut},
    summary="A round's scores",
)
def round_scores(request: HttpRequest, code: MunicipalityCode, pk: Id) -> ScoresOut:
    """The scores per dimension and statement. A survey round shows them only once it has at
    least the minimum group size of responses (409 until then), as on the results page."""
    round_ = _round_of(request, code, pk)
    found = selectors.round_result(round_=round_)
    if found is None:
        raise ProblemError(
            409,
            "results-hidden",
            _("The survey shows results from %(k)s responses; it has %(n)s.")
            % {"k": min_group_size(), "n": round_.response_count},
        )
    language = _language()
    result = found.result
    instrument = found.instrument
    return ScoresOut(
        round=round_.pk,
        responses=round_.response_count,
        overall=result.overall,
        level=NamedOut(key=result.level.key, name=result.level.name.get(language))
        if result.level
        else None,
        capability=result.capability,
        prerequisite=result.prerequisite,
        quadrant=NamedOut(key=result.quadrant.key, name=result.quadrant.name.get(language))
        if result.quadrant
        else None,
        dimensions=[
            DimensionScoreOut(
                key=key,
                name=instrument.dimension(key).name.get(language),
                axis=str(d.axis),
                score=d.score,
                answers=d.answers,
                spread=d.spread,
                statements=[
                    StatementScoreOut(key=s.key, answers=s.answers, score=s.score, spread=s.spread)
                    for s in d.statements.values()
                ],
            )
            for key, d in result.dimensions.items()
        ],
        units=[
            UnitScoreOut(unit=u.name, responses=u.responses, overall=u.result.overall)
            for u in selectors.unit_breakdown(round_=round_)
        ],
    )


# --- The survey, for anyone with the link -------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str


class SurveyOut(Schema):
    title: str
    municipality: str
    municipality_name: str
    is_open: bool
    personal_links_only: bool = Field(description="Answers only with a personal link's token.")
    instrument: int
    scale: list[ScaleStepOut]
    dont_know: TextOut
    dimensions: list[DimensionOut]
    units: list[UnitOut] = Field(description="The departments a respondent may name.")


def _survey(link_key: str) -> Round:
    try:
        return selectors.round_by_link(link_key=link_key)
    except Round.DoesNotExist:
        raise Http404 from None


@router.get("/surveys/{link_key}", response=SurveyOut, auth=None, summary="A survey's questions")
def survey_detail(request: HttpRequest, link_key: LinkKey) -> SurveyOut:
    """The questionnaire behind a survey link: open to anyone with the link, like the page."""
    round_ = _survey(link_key)
    instrument = selectors.instrument_for(round_=round_)
    return SurveyOut(
        title=round_.title,
        municipality=round_.municipality.code,
        municipality_name=round_.municipality.name,
        is_open=round_.is_open,
        personal_links_only=round_.tokens_required,
        instrument=round_.instrument_id,
        scale=[ScaleStepOut(value=s.value, label=_text(s.label)) for s in instrument.scale.steps],
        dont_know=_text(instrument.scale.dont_know),
        dimensions=_dimensions(instrument),
        units=[
            UnitOut(id=u.pk, name=u.name)
            for u in municipality_selectors.unit_list(municipality=round_.municipality)
        ],
    )


Answer = Annotated[int, Field(ge=1, le=100)] | None


class ResponseIn(Schema):
    answers: dict[Annotated[str, Field(max_length=100, pattern=NO_NUL)], Answer] = Field(
        description=(
            "Statement key -> answer on the scale, or null for “don't know”. A statement left "
            "out counts as not answered, as on the page."
        ),
        max_length=500,
    )
    unit: Annotated[int, Field(ge=1, le=2**53)] | None = Field(
        None, description="A department's id from the survey's `units`."
    )
    token: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{20,64}$")] | None = Field(
        None, description="A personal link's token, when the survey takes personal links only."
    )
    client_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{20,43}$")] | None = Field(
        None,
        description=(
            "A random key the answering client keeps: one response per key, as one per "
            "browser on the page."
        ),
    )


class ResponseOut(Schema):
    round: str
    submitted_on: datetime.date


@router.post(
    "/surveys/{link_key}/responses",
    response={201: ResponseOut, 409: ProblemOut},
    auth=None,
    summary="Answer a survey",
    openapi_extra=with_body(ResponseIn),
)
def survey_respond(request: HttpRequest, link_key: LinkKey) -> Status[ResponseOut]:
    """Take one anonymous response, by the same rules as the survey page: once per personal
    link or client key, only while the round is open (409 otherwise)."""
    round_ = _survey(link_key)
    data = body(request, ResponseIn)
    instrument = selectors.instrument_for(round_=round_)
    unit = None
    if data.unit is not None:
        unit = (
            municipality_selectors.unit_list(municipality=round_.municipality)
            .filter(pk=data.unit)
            .first()
        )
        if unit is None:
            raise invalid({"unit": [_("That department does not belong to this municipality.")]})
    answers: dict[str, int | None] = {s.key: None for _d, s in instrument.statements()}
    errors = {
        f"answers.{key}": [
            _("No such statement in this survey.")
            if key not in answers
            else _("Answer on the scale 1–%(n)s, or null.") % {"n": instrument.scale.size}
        ]
        for key, value in data.answers.items()
        if key not in answers or (value is not None and value > instrument.scale.size)
    }
    if errors:
        raise invalid(errors)
    answers |= data.answers
    response = services.survey_submit(
        round_=round_,
        answers=answers,
        unit=unit,
        token=data.token,
        client_key=data.client_key or "",
    )
    return Status(201, ResponseOut(round=round_.title, submitted_on=response.submitted_on))
