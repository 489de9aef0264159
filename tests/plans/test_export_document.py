"""What a plan version's document shows (plans.document), read in a fixed number of queries.

`rich_version` builds the plan the export tests share: every section written, the management
and leadership check, capabilities, and initiatives with owners, dates, budget lines of every
kind, waves, capabilities and collaborating municipalities.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from forandra.municipalities.models import Municipality
from forandra.plans import services
from forandra.plans.document import paragraphs, plan_document
from forandra.plans.models import BudgetKind, Capability, Initiative, PlanVersion, Status
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning import services as scanning_services
from tests.plans.builders import make_plan

URGENCY = "Invånarna väntar veckor på svar om bygglov. Mognadsmätningen visar 38 av 100."
VISION = "Alla ärenden kan följas digitalt år 2029 | även för den som ringer."
LEADERSHIP = "Drift av e-tjänsterna är management; att ändra arbetssätt är ledarskap."
FIRST_TITLE = "E-tjänst för bygglov"


def rich_version(
    municipality: Municipality, initiatives: int = 3, *, decided: bool = False
) -> PlanVersion:
    """A plan of the municipality for 2027-2029 with a full first version; submitted and
    approved with changes when `decided`."""
    version = services.current_version(make_plan(municipality, title="Digital omställning"))
    texts = {1: URGENCY, 3: VISION}
    for section in version.sections.all():
        section.text = texts.get(section.step, f"Text för steg {section.step}.\n\nAndra stycket.")
        section.save()
    version.leadership_check = LEADERSHIP
    version.save()
    capabilities = [
        Capability.objects.create(
            version=version,
            name=name,
            dimension=key,
            current_score=current,
            target_score=target,
            order=index,
        )
        for index, (name, key, current, target) in enumerate(
            [
                ("Digitala tjänster", "services", 35.0, 60.0),
                ("Data och uppföljning", "data", None, 50.0),
                ("Ledning och styrning", "leadership", 42.5, 70.0),
            ]
        )
    ]
    scanning_services.catalogue_seed(region=municipality.region)
    waves = list(scanning_selectors.waves_for(region=municipality.region)[:3])
    partners = list(municipality.region.municipalities.exclude(pk=municipality.pk)[:2])
    for index in range(initiatives):
        title = FIRST_TITLE if index == 0 else f"Initiativ {index + 1}: digital vårdplanering"
        initiative = Initiative.objects.create(
            version=version,
            title=title,
            owner=f"Förvaltning {index + 1}",
            start=date(2027, 1 + (index % 12), 1),
            end=date(2028 + index % 3, 6, 30),
            first_step="Kartlägg dagens ansökningar.",
            citizen_benefit="Besked på dagar i stället för veckor.",
            description="Bakgrund.\n\nSå här gör vi.",
            order=index,
        )
        services.set_budget(
            initiative=initiative,
            amounts=[
                (2027, BudgetKind.INVESTMENT, 200_000 + index),
                (2027, BudgetKind.INNOVATION, 50_000),
                (2028, BudgetKind.OPERATIONS, 30_000),
                (2029, BudgetKind.OPERATIONS, 35_000),
            ],
        )
        initiative.waves.add(*waves[: 1 + index % 3])
        initiative.capabilities.add(capabilities[index % 3])
        initiative.collaborating.add(*partners[: index % 3])
    if decided:
        services.version_submit(version=version, user=None)
        services.version_decide(
            version=version,
            outcome=Status.APPROVED_WITH_CHANGES,
            comment="Godkänd med ändringar: börja med bygglov.",
            decided_on=date(2027, 1, 20),
            user=None,
        )
    version.refresh_from_db()
    return version


@pytest.mark.django_db
def test_the_document_holds_every_part_of_the_version(home: Municipality) -> None:
    version = rich_version(home, decided=True)

    with translation.override("en"):
        doc = plan_document(version)

    assert doc.municipality == home
    assert doc.status == "Approved with changes"
    assert doc.decision is not None
    assert doc.decision.outcome == "Approved with changes"
    assert doc.decision.decided_on == date(2027, 1, 20)
    assert [s.step for s in doc.sections] == list(range(1, 9))
    assert doc.sections[0].title == "Establishing a sense of urgency"
    assert doc.sections[0].text == URGENCY
    assert doc.leadership_check == LEADERSHIP
    assert [c.name for c in doc.capabilities] == [
        "Digitala tjänster",
        "Data och uppföljning",
        "Ledning och styrning",
    ]
    assert doc.capabilities[0].initiatives == (FIRST_TITLE,)
    first = doc.initiatives[0]
    assert first.title == FIRST_TITLE
    assert first.owner == "Förvaltning 1"
    assert [(part.kind, part.amount) for part in first.budget] == [
        ("investment", 200_000),
        ("operations", 65_000),
        ("innovation", 50_000),
    ]
    assert first.budget_total == 315_000
    assert first.budget_by_year == ((2027, 250_000), (2028, 30_000), (2029, 35_000))
    assert len(first.waves) == 1
    assert first.capabilities == ("Digitala tjänster",)
    assert len(doc.initiatives[2].partners) == 2
    assert doc.budget.innovation.total == 150_000
    assert len(doc.quarters) == 12
    # January 2027 to June 2028: Q1 2027 (index 0) to Q2 2028 (index 5).
    assert (first.span.first, first.span.last) == (0, 5)
    assert doc.quarters_of(first) == ("Q1 2027", "Q2 2028")


@pytest.mark.django_db
def test_labels_follow_the_active_language(home: Municipality) -> None:
    version = rich_version(home, initiatives=1)

    with translation.override("en"):
        english = plan_document(version)

    assert english.status == "Draft"
    assert english.decision is None
    assert [row.label for row in english.budget.rows] == ["Investment", "Operations", "Innovation"]


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_initiatives(
    home: Municipality, neighbour: Municipality
) -> None:
    small, large = rich_version(home, initiatives=2), rich_version(neighbour, initiatives=40)

    with CaptureQueriesContext(connection) as few:
        plan_document(small)
    with CaptureQueriesContext(connection) as many:
        doc = plan_document(large)

    assert len(doc.initiatives) == 40
    assert len(many) == len(few) <= 9


@pytest.mark.django_db
def test_initiatives_without_dates_are_off_the_roadmap(home: Municipality) -> None:
    version = rich_version(home, initiatives=2)
    Initiative.objects.filter(version=version, order=1).update(start=None, end=None)
    Initiative.objects.filter(version=version, order=0).update(
        start=date(2026, 5, 1), end=date(2030, 1, 1)
    )

    doc = plan_document(version)

    first, second = doc.initiatives
    assert (first.span.first, first.span.last) == (0, 11)
    assert first.span.clipped_start and first.span.clipped_end
    assert doc.on_roadmap == (first,)
    assert doc.off_roadmap == (second,)
    assert doc.quarters_of(second) is None


def test_paragraphs_split_at_empty_lines_and_keep_line_breaks() -> None:
    text = "Första stycket\nsamma stycke.\r\n\r\n  \nAndra stycket.\n \n"

    assert paragraphs(text) == ["Första stycket\nsamma stycke.", "Andra stycket."]
    assert paragraphs("   ") == []
