"""The first draft from data: the urgency text from the maturity results and the radar, the
weakest dimensions as capabilities, the latest portfolio's chosen ideas as initiatives; and the
edits that only a draft takes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from forandra.ideas import portfolio as idea_portfolios
from forandra.ideas import services as idea_services
from forandra.ideas.models import Idea
from forandra.maturity import services as maturity_services
from forandra.maturity.instrument import default_instrument
from forandra.maturity.models import Mode, Round
from forandra.municipalities.models import Municipality
from forandra.plans import draft, services
from forandra.plans.models import BudgetKind, BudgetLine, Capability, Section, Status, Step
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning import services as scanning_services
from forandra.scanning.models import Wave
from tests.plans.builders import make_plan, submitted

pytestmark = pytest.mark.django_db

# The group's answer per dimension (1-5); a reverse statement gets the mirrored answer so every
# statement of a dimension scores the same: 1 -> 0, 2 -> 25, 3 -> 50, 4 -> 75, 5 -> 100.
ANSWERS = {
    "strategy": 5,
    "leadership": 4,
    "culture": 3,
    "competence": 2,
    "innovation": 4,
    "citizen_focus": 4,
    "data": 1,
    "technology": 4,
    "collaboration": 4,
}
# (100 + 75 + 50 + 25 + 75 + 75 + 0 + 75 + 75) / 9 = 61.1: "Established" (50 and up).


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def closed_consensus(municipality: Municipality, title: str = "Gruppen 2026") -> Round:
    round_ = maturity_services.round_open(
        municipality=municipality, mode=Mode.CONSENSUS, title=title, opened_on=date(2026, 3, 2)
    )
    answers = {}
    for dimension in default_instrument().dimensions:
        value = ANSWERS[dimension.key]
        for statement in dimension.statements:
            answers[statement.key] = (6 - value if statement.reverse else value, "")
    maturity_services.consensus_save(round_=round_, answers=answers)
    return maturity_services.round_close(round_=round_, at=datetime(2026, 3, 20, 12, tzinfo=UTC))


def small_survey(municipality: Municipality) -> Round:
    """A closed survey that only two answered: below the minimum group size."""
    round_ = maturity_services.round_open(
        municipality=municipality, mode=Mode.SURVEY, title="Enkät 2026", opened_on=date(2026, 4, 1)
    )
    for n in range(2):
        maturity_services.survey_submit(
            round_=round_,
            answers={s.key: 5 for _d, s in default_instrument().statements()},
            client_key=f"k{n}",
        )
    round_.refresh_from_db()
    return maturity_services.round_close(round_=round_, at=datetime(2026, 4, 30, tzinfo=UTC))


def waves(municipality: Municipality) -> list[Wave]:
    scanning_services.catalogue_seed(region=municipality.region)
    return list(scanning_selectors.waves_for(region=municipality.region))


def radar(municipality: Municipality) -> list[Wave]:
    """Wave 0 adopted, waves 1 and 2 tried, wave 3 only explored."""
    all_waves = waves(municipality)
    for wave, ring in zip(all_waves, ["adopt", "try", "try", "explore"], strict=False):
        scanning_services.placement_set(municipality=municipality, wave=wave, ring=ring)
    return all_waves


def portfolio_ideas(municipality: Municipality) -> dict[str, Idea]:
    """Three ideas; the latest portfolio (version 2) chooses two of them."""
    all_waves = waves(municipality)
    ideas = {
        "chat": idea_services.idea_create(
            municipality=municipality,
            created_by=None,
            title="Chattbot för växeln",
            need="Invånarna kommer inte fram på telefon.",
            description="En chattbot som svarar på vanliga frågor dygnet runt.",
            waves=[all_waves[2]],
            dimensions=["data", "strategy"],
            one_time_cost=100_000,
            yearly_cost=20_000,
            benefit=5,
        ),
        "school": idea_services.idea_create(
            municipality=municipality,
            created_by=None,
            title="Digital kompetens i skolan",
            need="Lärarna saknar stöd i digitala verktyg.",
            dimensions=["competence"],
            one_time_cost=50_000,
            benefit=4,
        ),
        "dear": idea_services.idea_create(
            municipality=municipality,
            created_by=None,
            title="Nytt verksamhetssystem",
            need="Systemet är gammalt.",
            one_time_cost=900_000,
            benefit=3,
        ),
    }
    idea_portfolios.run(municipality=municipality, rules=idea_portfolios.Rules())  # all three
    idea_portfolios.run(municipality=municipality, rules=idea_portfolios.Rules(budget=200_000))
    return ideas


def first_draft(municipality: Municipality, **years: int) -> tuple[draft.DraftReport, object]:
    plan, report = draft.plan_start(
        municipality=municipality,
        title="Digital omställning",
        first_year=years.get("first_year", 2027),
        last_year=years.get("last_year", 2029),
        user=None,
        from_data=True,
    )
    assert report is not None
    return report, services.current_version(plan)


def urgency(version: object) -> str:
    return Section.objects.get(version=version, step=Step.URGENCY).text


def test_the_urgency_text_gives_the_maturity_results_and_the_radar(home: Municipality) -> None:
    closed_consensus(home)
    placed = radar(home)
    _report, version = first_draft(home)
    text = urgency(version)
    assert "“Gruppen 2026”" in text
    assert "overall score of 61 of 100, at the level “Established”" in text
    assert (
        "Its weakest dimensions are Data and information (0), Competence (25) and Culture and "
        "co-creation (50)." in text
    )
    assert (
        f"the municipality has placed {placed[0].name_en} in the ring “Adopt” and "
        f"{placed[1].name_en} and {placed[2].name_en} in the ring “Try”." in text
    )
    assert placed[3].name_en not in text  # only explored
    # The other seven steps are left for the group.
    assert set(
        Section.objects.filter(version=version).exclude(text="").values_list("step", flat=True)
    ) == {1}


def test_the_weakest_dimensions_become_capabilities_aiming_15_points_higher(
    home: Municipality,
) -> None:
    closed_consensus(home)
    report, version = first_draft(home)
    rows = list(
        Capability.objects.filter(version=version).values_list(
            "dimension", "name", "current_score", "target_score"
        )
    )
    assert rows == [
        ("data", "Data and information", 0.0, 15.0),
        ("competence", "Competence", 25.0, 40.0),
        ("culture", "Culture and co-creation", 50.0, 65.0),
    ]
    assert report.capabilities == 3


def test_a_target_never_goes_above_100(home: Municipality) -> None:
    facts = draft.MaturityFacts(
        round=None, weakest=[draft.WeakDimension("data", "Data", 93.4)], overall=93.4
    )
    version = services.current_version(make_plan(home))
    (capability,) = draft._capabilities(version, facts)
    assert (capability.current_score, capability.target_score) == (93.4, 100.0)


def test_capability_names_are_in_the_users_language(home: Municipality) -> None:
    closed_consensus(home)
    with translation.override("sv"):
        _report, version = first_draft(home)
    names = list(Capability.objects.filter(version=version).values_list("name", flat=True))
    swedish = {d.key: d.name.sv for d in default_instrument().dimensions}
    assert names == [swedish["data"], swedish["competence"], swedish["culture"]]


def test_the_latest_portfolios_chosen_ideas_become_initiatives(home: Municipality) -> None:
    closed_consensus(home)
    ideas = portfolio_ideas(home)
    report, version = first_draft(home)
    initiatives = list(version.initiatives.order_by("order"))
    assert {i.title for i in initiatives} == {"Chattbot för växeln", "Digital kompetens i skolan"}
    assert report.initiatives == 2
    chat = next(i for i in initiatives if i.idea == ideas["chat"])
    assert chat.description == "En chattbot som svarar på vanliga frågor dygnet runt."
    assert chat.citizen_benefit == "Invånarna kommer inte fram på telefon."
    assert list(chat.waves.all()) == list(ideas["chat"].waves.all())
    # "data" is one of the capabilities; "strategy" is not among the weakest.
    assert [c.dimension for c in chat.capabilities.all()] == ["data"]
    assert set(
        BudgetLine.objects.filter(initiative=chat).values_list("year", "kind", "amount")
    ) == {
        (2027, BudgetKind.INVESTMENT, 100_000),
        (2027, BudgetKind.OPERATIONS, 20_000),
        (2028, BudgetKind.OPERATIONS, 20_000),
        (2029, BudgetKind.OPERATIONS, 20_000),
    }
    # Every budget line has its record in the history, as if the group had typed it.
    assert BudgetLine.history.filter(initiative_id=chat.pk).count() == 4
    school = next(i for i in initiatives if i.idea == ideas["school"])
    assert [c.dimension for c in school.capabilities.all()] == ["competence"]
    assert set(school.budget_lines.values_list("year", "kind", "amount")) == {
        (2027, BudgetKind.INVESTMENT, 50_000)
    }


def test_the_draft_has_no_owner_and_no_innovation_so_it_cannot_be_submitted_yet(
    home: Municipality,
) -> None:
    portfolio_ideas(home)
    report, version = first_draft(home)
    assert all(not i.owner for i in version.initiatives.all())
    assert not BudgetLine.objects.filter(
        initiative__version=version, kind=BudgetKind.INNOVATION
    ).exists()
    missing = services.missing_for_submission(version)
    assert missing == [
        "The initiative “Chattbot för växeln” has no owner.",
        "The initiative “Digital kompetens i skolan” has no owner.",
        "The budget has no innovation line: give at least one initiative an innovation amount "
        "for some year.",
    ]
    assert any("owner" in note and "innovation" in note for note in report.notes)


def test_without_data_the_text_says_so_and_nothing_is_invented(home: Municipality) -> None:
    report, version = first_draft(home)
    text = urgency(version)
    assert "There are no maturity results to draw on yet" in text
    assert "No wave of change is in the rings “Adopt” or “Try”" in text
    assert not version.capabilities.exists()
    assert not version.initiatives.exists()
    assert "No capabilities were added: there are no maturity results yet." in report.notes
    assert (
        "No initiatives were added: the municipality has no saved portfolio. Add them by hand."
        in report.notes
    )


def test_a_survey_below_the_minimum_group_size_shows_nothing(home: Municipality) -> None:
    small_survey(home)
    _report, version = first_draft(home)
    text = urgency(version)
    assert "too few answers" in text
    assert "overall score" not in text
    assert not version.capabilities.exists()


def test_a_too_small_newer_survey_does_not_hide_the_groups_results(home: Municipality) -> None:
    closed_consensus(home)
    small_survey(home)  # closed later, but shows nothing
    facts = draft.maturity_facts(municipality=home)
    assert facts.round is not None and facts.round.title == "Gruppen 2026"
    assert facts.too_few_answers
    assert [d.key for d in facts.weakest] == ["data", "competence", "culture"]


def test_a_portfolio_that_chose_nothing_is_named(home: Municipality) -> None:
    idea_services.idea_create(
        municipality=home, created_by=None, title="Dyr", need="Behov.", one_time_cost=10**6
    )
    idea_portfolios.run(municipality=home, rules=idea_portfolios.Rules(budget=1))
    report, version = first_draft(home)
    assert not version.initiatives.exists()
    assert "No initiatives were added: portfolio version 1 chose no ideas." in report.notes


def test_a_plan_not_started_from_data_is_empty(home: Municipality) -> None:
    closed_consensus(home)
    portfolio_ideas(home)
    plan, report = draft.plan_start(
        municipality=home,
        title="Tom plan",
        first_year=2027,
        last_year=2028,
        user=None,
        from_data=False,
    )
    version = services.current_version(plan)
    assert report is None
    assert not version.capabilities.exists() and not version.initiatives.exists()
    assert not Section.objects.filter(version=version).exclude(text="").exists()


def test_a_frozen_version_is_not_filled_or_edited(home: Municipality) -> None:
    closed_consensus(home)
    version = submitted(home)
    before = (urgency(version), version.capabilities.count(), version.initiatives.count())
    with pytest.raises(services.PlanFrozenError):
        draft.draft_from_data(version=version)
    with pytest.raises(services.PlanFrozenError):
        draft.section_update(version=version, step=Step.VISION, text="Ny vision")
    with pytest.raises(services.PlanFrozenError):
        draft.leadership_check_update(version=version, text="Ny text")
    with pytest.raises(services.PlanFrozenError):
        draft.plan_update(plan=version.plan, title="Ny titel", first_year=2027, last_year=2030)
    version.refresh_from_db()
    assert (urgency(version), version.capabilities.count(), version.initiatives.count()) == before
    assert version.leadership_check == "" and version.status == Status.SUBMITTED
    assert version.plan.title == "Digital omställning 2027–2029"


def test_a_draft_takes_section_text_and_the_leadership_check(home: Municipality) -> None:
    version = services.current_version(make_plan(home))
    draft.section_update(version=version, step=Step.WINS, text="Inom sex månader: e-tjänst.")
    draft.leadership_check_update(version=version, text="Mest ledarskap.")
    version.refresh_from_db()
    assert Section.objects.get(version=version, step=Step.WINS).text == (
        "Inom sex månader: e-tjänst."
    )
    assert version.leadership_check == "Mest ledarskap."


def test_scores_in_the_text_are_rounded_as_the_capability_table_rounds_them() -> None:
    # 35.46 is kept as 35.5 and shown as 36 in the table: the text says 36 too.
    assert draft._number(35.46) == "36"
    assert draft._number(36.5) == "37"  # half up, not to the even number
    assert draft._number(0.0) == "0"
