"""Builders for the dashboard and national tests: a municipality with a group, maturity rounds
with known scores, radar placements, a decided plan with a known budget, and shared ideas with
copies, all made through the services."""

from __future__ import annotations

from datetime import date

from forandra.ideas import library
from forandra.ideas import services as idea_services
from forandra.ideas.models import Idea
from forandra.maturity import selectors as maturity_selectors
from forandra.maturity import services as maturity_services
from forandra.maturity.models import Mode, Round
from forandra.municipalities.models import Municipality
from forandra.plans import services as plan_services
from forandra.plans.models import BudgetKind, Initiative, PlanVersion, Status
from forandra.scanning import services as scanning_services
from forandra.scanning.models import Placement, Wave
from tests.conftest import make_group


def answers_scoring(round_: Round, value: int) -> dict[str, int | None]:
    """Answers that give every statement, and so every dimension, the score of `value` (1-5:
    0, 25, 50, 75, 100): reverse statements get the mirrored answer."""
    instrument = maturity_selectors.instrument_for(round_=round_)
    return {
        statement.key: 6 - value if statement.reverse else value
        for _dimension, statement in instrument.statements()
    }


def consensus_round(municipality: Municipality, opened_on: date, value: int) -> Round:
    """A closed consensus round whose every dimension scores as `value` gives."""
    round_ = maturity_services.round_open(
        municipality=municipality,
        mode=Mode.CONSENSUS,
        title=f"Gruppen {opened_on.year}",
        opened_on=opened_on,
    )
    answers = answers_scoring(round_, value)
    maturity_services.consensus_save(
        round_=round_, answers={key: (answer, "") for key, answer in answers.items()}
    )
    return maturity_services.round_close(round_=round_)


def survey_round(municipality: Municipality, opened_on: date, value: int, responses: int) -> Round:
    """A survey round with `responses` responses that all score as `value` gives."""
    round_ = maturity_services.round_open(
        municipality=municipality,
        mode=Mode.SURVEY,
        title=f"Enkät {opened_on.year}",
        opened_on=opened_on,
    )
    answers = answers_scoring(round_, value)
    maturity_services.survey_import(
        round_=round_,
        responses=[maturity_services.ImportedResponse(answers=answers)] * responses,
        on=opened_on,
    )
    round_.refresh_from_db()
    return round_


def waves(municipality: Municipality) -> list[Wave]:
    scanning_services.catalogue_seed(region=municipality.region)
    return list(Wave.objects.filter(region=municipality.region).order_by("position", "key"))


def place(municipality: Municipality, rings: list[str]) -> list[Placement]:
    """Place the region's first waves in `rings`, in catalogue order."""
    return [
        scanning_services.placement_set(municipality=municipality, wave=wave, ring=ring)
        for wave, ring in zip(waves(municipality), rings, strict=False)
    ]


def plan(
    municipality: Municipality,
    *,
    title: str,
    amounts: tuple[int, int],
    outcome: str | None = Status.APPROVED,
    initiatives: int = 1,
) -> PlanVersion:
    """A plan whose first version has `initiatives` initiatives, each budgeted `amounts`
    (investment, innovation) in 2027, submitted and decided with `outcome` (a draft if None)."""
    made = plan_services.plan_create(
        municipality=municipality, title=title, first_year=2027, last_year=2029, user=None
    )
    version = plan_services.current_version(made)
    for index in range(initiatives):
        initiative = Initiative.objects.create(
            version=version,
            title=f"{title}: insats {index + 1}",
            owner="Kommunledningen",
            start=date(2027, 2, 1),
            end=date(2027, 11, 30),
            first_step="Kartlägg.",
            citizen_benefit="Snabbare besked.",
        )
        plan_services.set_budget(
            initiative=initiative,
            amounts=[
                (2027, BudgetKind.INVESTMENT, amounts[0]),
                (2027, BudgetKind.INNOVATION, amounts[1]),
            ],
        )
    if outcome is None:
        return version
    plan_services.version_submit(version=version, user=None)
    plan_services.version_decide(
        version=version,
        outcome=outcome,
        comment="Beslutat i kommunledningsgruppen.",
        decided_on=date(2027, 1, 20),
        user=None,
    )
    version.refresh_from_db()
    return version


def shared_idea(municipality: Municipality, title: str) -> Idea:
    idea = idea_services.idea_create(
        municipality=municipality, created_by=None, title=title, need="Invånarna väntar."
    )
    return library.idea_share(idea=idea, shared=True)


def copy(idea: Idea, into: Municipality) -> Idea:
    return library.idea_copy(source=idea, municipality=into, by=None)


def full_municipality(municipality: Municipality, value: int = 4) -> None:
    """A municipality with everything the dashboard shows: a group, a baseline round and a
    later one (scores 25 then as `value` gives), placements, a decided plan and a shared idea."""
    if not hasattr(municipality, "group"):
        make_group(municipality, ["IT", "Skola", "Socialtjänst"])
    consensus_round(municipality, date(2018, 3, 14), 2)
    consensus_round(municipality, date(2019, 3, 14), value)
    place(municipality, ["adopt", "try", "explore"])
    plan(municipality, title=f"Plan för {municipality.name}", amounts=(100_000, 10_000))
    shared_idea(municipality, f"Idé från {municipality.name}")
