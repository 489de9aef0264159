"""Capabilities and initiatives of a draft (editing.py): what each function checks, the budget
grid kept cell by cell, initiatives from the portfolio, and nothing changing once a version is
submitted or decided."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from forandra.accounts.models import User
from forandra.ideas import portfolio as idea_portfolios
from forandra.ideas.models import Idea
from forandra.municipalities.models import Municipality
from forandra.plans import editing, services
from forandra.plans.models import (
    BudgetKind,
    BudgetLine,
    Capability,
    Initiative,
    PlanVersion,
    Status,
)
from tests.conftest import Users
from tests.ideas.test_bank_services import idea, waves_of
from tests.plans.builders import add_initiative, decided, make_plan, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are compared in English, the source language."""
    with translation.override("en"):
        yield


INV, OPS, INNO = (
    BudgetKind.INVESTMENT.value,
    BudgetKind.OPERATIONS.value,
    BudgetKind.INNOVATION.value,
)


def draft(municipality: Municipality) -> PlanVersion:
    return services.current_version(make_plan(municipality))


def errors_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def budget_of(initiative: Initiative) -> dict[tuple[int, str], int]:
    return {(b.year, b.kind): b.amount for b in initiative.budget_lines.all()}


def capability(version: PlanVersion, name: str = "Delad data", **fields: Any) -> Capability:
    fields.setdefault("target_score", 70)
    return editing.capability_create(version=version, name=name, **fields)


# --- Capabilities -------------------------------------------------------------------------------


def test_capabilities_are_added_in_order_and_updated(home: Municipality) -> None:
    version = draft(home)
    first = capability(version, current_score=35.5, dimension="strategy", note="Mäts årligen.")
    second = capability(version, "Tjänstedesign", target_score=60)

    editing.capability_update(
        capability=second, name="Tjänstedesign med invånare", target_score=65, current_score=20
    )

    assert [c.name for c in version.capabilities.all()] == [
        "Delad data",
        "Tjänstedesign med invånare",
    ]
    assert (first.order, second.order) == (0, 1)
    second.refresh_from_db()
    assert (second.current_score, second.target_score) == (20, 65)


@pytest.mark.parametrize(
    ("scores", "fields"),
    [
        ({"current_score": -1, "target_score": 50}, {"current_score"}),
        ({"current_score": 10, "target_score": 100.5}, {"target_score"}),
        ({"current_score": 101, "target_score": -3}, {"current_score", "target_score"}),
    ],
)
def test_scores_outside_0_to_100_are_refused_on_their_field(
    home: Municipality, scores: dict[str, float], fields: set[str]
) -> None:
    version = draft(home)
    with pytest.raises(ValidationError) as error:
        editing.capability_create(version=version, name="Delad data", **scores)
    assert set(errors_of(error)) == fields
    assert errors_of(error)[next(iter(fields))] == ["Enter a score from 0 to 100."]
    assert not Capability.objects.exists()


def test_a_capability_needs_a_name_and_a_short_note(home: Municipality) -> None:
    version = draft(home)
    with pytest.raises(ValidationError) as error:
        editing.capability_create(version=version, name="", target_score=50, note="x" * 2001)
    assert set(errors_of(error)) == {"name", "note"}


def test_deleting_a_capability_keeps_its_initiatives_without_the_link(
    home: Municipality,
) -> None:
    version = draft(home)
    data = capability(version)
    initiative = editing.initiative_create(version=version, title="Datalager", capabilities=[data])

    editing.capability_delete(capability=data)

    assert not Capability.objects.filter(pk=data.pk).exists()
    assert list(Initiative.objects.get(pk=initiative.pk).capabilities.all()) == []


# --- Initiatives --------------------------------------------------------------------------------


def test_an_initiative_is_saved_with_its_budget_and_links(
    home: Municipality, neighbour: Municipality, users: Users
) -> None:
    version = draft(home)
    waves = waves_of(home)
    data = capability(version)

    made = editing.initiative_create(
        version=version,
        title="E-tjänst för bygglov",
        owner="Samhällsbyggnad",
        start=date(2027, 2, 1),
        end=date(2027, 2, 1),  # one day is fine
        budget=[(2027, INV, 200_000), (2028, INNO, 50_000), (2029, OPS, 0)],
        waves=waves[:2],
        capabilities=[data],
        collaborating=[neighbour],
        user=users.member,
    )

    made.refresh_from_db()
    assert budget_of(made) == {(2027, INV): 200_000, (2028, INNO): 50_000}  # no zero line
    assert set(made.waves.all()) == set(waves[:2])
    assert list(made.capabilities.all()) == [data]
    assert list(made.collaborating.all()) == [neighbour]
    assert made.history.latest().history_user == users.member  # type: ignore[attr-defined]


def test_an_end_before_the_start_is_refused_on_the_end(home: Municipality) -> None:
    version = draft(home)
    with pytest.raises(ValidationError) as error:
        editing.initiative_create(
            version=version, title="Chattbot", start=date(2027, 5, 1), end=date(2027, 4, 30)
        )
    assert errors_of(error) == {"end": ["The end must be on or after the start."]}
    assert not Initiative.objects.exists()


def test_a_budget_year_outside_the_plan_is_refused(home: Municipality) -> None:
    version = draft(home)  # 2027-2029
    with pytest.raises(ValidationError) as error:
        editing.initiative_create(
            version=version, title="Chattbot", budget=[(2027, INV, 10), (2030, INNO, 5_000)]
        )
    assert errors_of(error) == {
        "budget": ["Innovation 2030: 2030 is not one of the plan's years (2027–2029)."]
    }
    assert not Initiative.objects.exists() and not BudgetLine.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (-1, "The amount cannot be negative."),
        (12.5, "Enter a whole number of kronor."),
        ("1000", "Enter a whole number of kronor."),
        (True, "Enter a whole number of kronor."),
        (editing.MAX_AMOUNT + 1, "Enter at most 2,000,000,000 kronor."),
    ],
)
def test_an_amount_that_is_not_whole_non_negative_kronor_is_refused_on_its_cell(
    home: Municipality, amount: Any, message: str
) -> None:
    version = draft(home)
    initiative = add_initiative(version)
    before = budget_of(initiative)

    with pytest.raises(ValidationError) as error:
        editing.initiative_update(
            initiative=initiative, title="Ny titel", budget=[(2028, INNO, amount)]
        )

    assert errors_of(error) == {"budget_2028_innovation": [message]}
    initiative.refresh_from_db()
    assert initiative.title == "E-tjänst för bygglov" and budget_of(initiative) == before


def test_an_unknown_kind_and_a_cell_given_twice_are_refused(home: Municipality) -> None:
    version = draft(home)
    with pytest.raises(ValidationError) as error:
        editing.initiative_create(
            version=version,
            title="Chattbot",
            budget=[(2027, "fun", 1), (2027, INV, 1), (2027, INV, 2)],
        )
    assert set(errors_of(error)) == {"budget", "budget_2027_investment"}


def test_waves_must_be_of_the_municipality_s_region(
    home: Municipality, elsewhere: Municipality
) -> None:
    version = draft(home)
    with pytest.raises(ValidationError) as error:
        editing.initiative_create(version=version, title="Chattbot", waves=waves_of(elsewhere)[:1])
    assert errors_of(error) == {"waves": ["Choose among the waves of the municipality's region."]}


def test_capabilities_must_be_of_the_same_version(home: Municipality) -> None:
    version = draft(home)
    other = services.current_version(make_plan(home, title="En annan plan"))
    with pytest.raises(ValidationError) as error:
        editing.initiative_create(
            version=version, title="Chattbot", capabilities=[capability(other)]
        )
    assert set(errors_of(error)) == {"capabilities"}


def test_partners_must_be_other_municipalities_of_the_region(
    home: Municipality, elsewhere: Municipality
) -> None:
    version = draft(home)
    with pytest.raises(ValidationError) as itself:
        editing.initiative_create(version=version, title="Chattbot", collaborating=[home])
    with pytest.raises(ValidationError) as far:
        editing.initiative_create(version=version, title="Chattbot", collaborating=[elsewhere])
    assert "itself" in errors_of(itself)["collaborating"][0]
    assert errors_of(far) == {"collaborating": ["Choose municipalities of the same region."]}
    assert not Initiative.objects.exists()


def test_long_texts_are_refused_on_their_fields(home: Municipality) -> None:
    version = draft(home)
    with pytest.raises(ValidationError) as error:
        editing.initiative_create(
            version=version, title="", first_step="x" * 1001, citizen_benefit="y" * 2001
        )
    assert set(errors_of(error)) == {"title", "first_step", "citizen_benefit"}


def test_the_budget_grid_round_trips_and_only_changed_cells_are_touched(
    home: Municipality, users: Users
) -> None:
    version = draft(home)
    initiative = editing.initiative_create(
        version=version,
        title="Wifi i skolorna",
        budget=[(2027, INV, 100_000), (2027, INNO, 20_000), (2028, OPS, 5_000)],
    )
    kept = initiative.budget_lines.get(year=2027, kind=INV)
    grid = [(year, kind, 0) for kind in (INV, OPS, INNO) for year in (2027, 2028, 2029)]
    wanted = {(2027, INV): 100_000, (2027, INNO): 25_000, (2029, OPS): 7_000}
    grid = [(year, kind, wanted.get((year, kind), 0)) for year, kind, _zero in grid]

    editing.initiative_update(
        initiative=initiative, title="Wifi i skolorna", budget=grid, user=users.member
    )

    assert budget_of(initiative) == wanted
    # The unchanged cell is the same row with one history record; the changed cell has two.
    assert initiative.budget_lines.get(year=2027, kind=INV).pk == kept.pk
    assert kept.history.count() == 1  # type: ignore[attr-defined]
    changed = initiative.budget_lines.get(year=2027, kind=INNO)
    assert changed.history.count() == 2  # type: ignore[attr-defined]
    assert changed.history.latest().history_user == users.member  # type: ignore[attr-defined]
    # The removed cell's deletion is recorded too.
    assert BudgetLine.history.filter(year=2028, kind=OPS, history_type="-").count() == 1  # type: ignore[attr-defined]


def test_leaving_out_the_budget_on_update_keeps_it(home: Municipality) -> None:
    initiative = add_initiative(draft(home))
    before = budget_of(initiative)
    editing.initiative_update(initiative=initiative, title="Bygglov på nätet", owner="Bygg")
    assert budget_of(initiative) == before


def test_deleting_an_initiative_removes_its_budget(home: Municipality) -> None:
    version = draft(home)
    initiative = add_initiative(version)
    other = add_initiative(version, title="Chattbot")

    editing.initiative_delete(initiative=initiative)

    assert list(version.initiatives.all()) == [other]
    assert BudgetLine.objects.filter(initiative=other).count() == 3
    assert BudgetLine.objects.count() == 3


# --- A version that is no longer a draft ----------------------------------------------------------


def frozen_calls(version: PlanVersion) -> list[Callable[[], object]]:
    """Every write of editing.py, aimed at the version's own capability and initiative."""
    initiative = version.initiatives.get()
    the_capability = version.capabilities.get()
    return [
        lambda: editing.capability_create(version=version, name="Ny", target_score=50),
        lambda: editing.capability_update(
            capability=the_capability, name="Ändrad", target_score=10
        ),
        lambda: editing.capability_delete(capability=the_capability),
        lambda: editing.initiative_create(version=version, title="Ny"),
        lambda: editing.initiative_update(
            initiative=initiative, title="Ändrad", budget=[(2027, INNO, 1)]
        ),
        lambda: editing.initiative_delete(initiative=initiative),
        lambda: editing.initiatives_from_portfolio(version, [idea(version.plan.municipality)]),
    ]


def contents(version: PlanVersion) -> tuple[object, ...]:
    return (
        list(Capability.objects.filter(version=version).values_list("pk", "name", "target_score")),
        list(Initiative.objects.filter(version=version).values_list("pk", "title", "idea")),
        list(
            BudgetLine.objects.filter(initiative__version=version).values_list(
                "pk", "year", "kind", "amount"
            )
        ),
    )


@pytest.mark.parametrize("state", ["submitted", "approved", "returned"])
@pytest.mark.parametrize("call", range(7))
def test_no_write_changes_a_version_that_is_not_a_draft(
    home: Municipality, state: str, call: int
) -> None:
    if state == "submitted":
        version = services.current_version(make_plan(home))
        add_initiative(version)
        capability(version)
        version = services.version_submit(version=version, user=None)
    else:
        version = services.current_version(make_plan(home))
        add_initiative(version)
        capability(version)
        services.version_submit(version=version, user=None)
        services.version_decide(
            version=version,
            outcome=state,
            comment="Beslut.",
            decided_on=date(2027, 1, 20),
            user=None,
        )
    before = contents(version)

    with pytest.raises(services.PlanFrozenError):
        frozen_calls(version)[call]()

    assert contents(version) == before


def test_a_stale_draft_in_hand_cannot_slip_past_a_submission(home: Municipality) -> None:
    version = services.current_version(make_plan(home))
    add_initiative(version)
    stale = PlanVersion.objects.get(pk=version.pk)
    services.version_submit(version=version, user=None)
    assert stale.status == Status.DRAFT  # the object in hand still says draft

    with pytest.raises(services.PlanFrozenError):
        editing.initiative_create(version=stale, title="Smygen")
    assert version.initiatives.count() == 1


def test_submitted_and_decided_builders_are_frozen(
    home: Municipality, neighbour: Municipality
) -> None:
    # The builders the view tests use give the states these tests rely on.
    assert submitted(home).status == Status.SUBMITTED
    assert decided(neighbour).status == Status.APPROVED


# --- From the portfolio -------------------------------------------------------------------------


def portfolio_ideas(municipality: Municipality) -> tuple[Idea, Idea]:
    """A saved portfolio of two ideas: the first chosen, the second left out."""
    waves = waves_of(municipality)
    chosen = idea(
        municipality,
        "Digital bokning av lokaler",
        need="Föreningar bokar per telefon.",
        description="Ett bokningssystem på webben.",
        one_time_cost=120_000,
        yearly_cost=25_000,
        waves=waves[:2],
        dimensions=["strategy"],
    )
    left_out = idea(municipality, "Robotgräsklippare", one_time_cost=80_000)
    idea_portfolios.run(
        municipality=municipality, rules=idea_portfolios.Rules(must_exclude=(left_out.pk,))
    )
    return chosen, left_out


def test_ideas_become_initiatives_with_their_costs_waves_and_capabilities(
    home: Municipality, users: Users
) -> None:
    version = draft(home)
    strategy = capability(version, "Strategisk styrning", dimension="strategy")
    capability(version, "Data", dimension="data")
    chosen, _left_out = portfolio_ideas(home)

    [made] = editing.initiatives_from_portfolio(version, [chosen], user=users.member)

    made.refresh_from_db()
    assert made.idea == chosen
    assert (made.title, made.description, made.citizen_benefit) == (
        "Digital bokning av lokaler",
        "Ett bokningssystem på webben.",
        "Föreningar bokar per telefon.",
    )
    assert set(made.waves.all()) == set(chosen.waves.all()) and made.waves.count() == 2
    assert list(made.capabilities.all()) == [strategy]
    assert budget_of(made) == {
        (2027, INV): 120_000,
        (2027, OPS): 25_000,
        (2028, OPS): 25_000,
        (2029, OPS): 25_000,
    }


def test_portfolio_choices_are_taken_too_and_no_idea_is_added_twice(home: Municipality) -> None:
    version = draft(home)
    chosen, left_out = portfolio_ideas(home)
    portfolio = idea_portfolios.portfolios_for(municipality=home).get()
    choices = list(idea_portfolios.choices_of(portfolio=portfolio))

    first = editing.initiatives_from_portfolio(version, choices)
    again = editing.initiatives_from_portfolio(version, [*choices, chosen, chosen])

    assert {i.idea for i in first} == {chosen, left_out}
    assert again == []
    assert version.initiatives.count() == 2
    assert budget_of(version.initiatives.get(idea=left_out)) == {(2027, INV): 80_000}


def test_an_idea_of_another_municipality_is_refused(
    home: Municipality, neighbour: Municipality
) -> None:
    version = draft(home)
    with pytest.raises(ValidationError):
        editing.initiatives_from_portfolio(version, [idea(neighbour)])
    assert not Initiative.objects.exists()


def test_the_user_is_kept_in_the_history(home: Municipality, users: Users) -> None:
    user: User = users.member
    version = draft(home)
    made = capability(version, user=user)
    assert made.history.latest().history_user == user  # type: ignore[attr-defined]
