"""Comparing two versions of a plan: the text of the steps line by line, capabilities,
initiatives matched by their key (fields, budget, waves, partners), and the page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality
from forandra.plans import diff, services
from forandra.plans.diff import Line, text_diff
from forandra.plans.models import BudgetKind, Capability, PlanVersion, Section, Status, Step
from forandra.scanning import services as scanning_services
from forandra.scanning.models import Wave
from tests.conftest import Users
from tests.plans.builders import add_initiative, make_plan

URGENCY_V1 = (
    "Invånarna väntar i veckor på bygglov.\nPersonalen skriver av blanketter.\nVi måste agera."
)
URGENCY_V2 = (
    "Invånarna väntar i veckor på bygglov.\nPersonalen lägger tid på papper.\nVi måste agera."
)


def test_a_changed_line_is_removed_and_added_with_its_context() -> None:
    result = text_diff(URGENCY_V1, URGENCY_V2)

    assert result.hunks == [
        [
            Line("same", "Invånarna väntar i veckor på bygglov."),
            Line("removed", "Personalen skriver av blanketter."),
            Line("added", "Personalen lägger tid på papper."),
            Line("same", "Vi måste agera."),
        ]
    ]


def test_the_same_text_and_blank_lines_are_no_change() -> None:
    assert not text_diff("Ett.\n\nTvå.", "Ett.\nTvå.\n").changed
    assert text_diff("", "Ny text.").hunks == [[Line("added", "Ny text.")]]


def two_versions(municipality: Municipality) -> tuple[PlanVersion, PlanVersion]:
    """Version 1 (approved) and version 2: the urgency rewritten, one initiative removed, the
    other's budget, owner, waves and partners changed, a capability added and one retargeted."""
    scanning_services.catalogue_seed(region=municipality.region)
    waves = list(Wave.objects.filter(region=municipality.region).order_by("pk")[:2])
    partner = municipality.region.municipalities.exclude(pk=municipality.pk).order_by("code")[0]
    first = services.current_version(make_plan(municipality))
    Section.objects.filter(version=first, step=Step.URGENCY).update(text=URGENCY_V1)
    first.leadership_check = "Ledarskap: visionen."
    first.save()
    Capability.objects.create(version=first, name="Datadriven styrning", target_score=60)
    Capability.objects.create(
        version=first, dimension="leadership", name="Ledarskap", current_score=30, target_score=50
    )
    kept = add_initiative(first, title="E-tjänst för bygglov")
    kept.waves.add(waves[0])
    add_initiative(first, title="Chattbot för växeln")
    services.version_submit(version=first, user=None)
    services.version_decide(
        version=first,
        outcome=Status.APPROVED,
        comment="Ja.",
        decided_on=first.created_at.date(),
        user=None,
    )

    second = services.version_new(plan=first.plan, user=None)
    Section.objects.filter(version=second, step=Step.URGENCY).update(text=URGENCY_V2)
    second.initiatives.get(title="Chattbot för växeln").delete()
    changed = second.initiatives.get(key=kept.key)
    changed.owner = "Bygg och miljö"
    changed.save()
    changed.waves.set([waves[1]])
    changed.collaborating.add(partner)
    services.set_budget(
        initiative=changed,
        amounts=[
            (2027, BudgetKind.INVESTMENT, 200_000),
            (2027, BudgetKind.INNOVATION, 80_000),
            (2029, BudgetKind.OPERATIONS, 10_000),
        ],
    )
    Capability.objects.filter(version=second, dimension="leadership").update(target_score=70)
    Capability.objects.create(version=second, name="Digital kompetens", target_score=55)
    first.refresh_from_db()
    second.refresh_from_db()
    return first, second


@pytest.mark.django_db
def test_the_comparison_finds_every_kind_of_change(home: Municipality) -> None:
    first, second = two_versions(home)

    with translation.override("en"):
        result = diff.compare(first, second)

    assert [s.step for s in result.sections] == [Step.URGENCY]
    lines = [line for hunk in result.sections[0].diff.hunks for line in hunk]
    assert Line("removed", "Personalen skriver av blanketter.") in lines
    assert Line("added", "Personalen lägger tid på papper.") in lines
    assert not result.leadership_check.changed
    assert result.initiatives.removed == ["Chattbot för växeln"]
    assert result.initiatives.added == []
    (change,) = result.initiatives.changed
    assert change.name == "E-tjänst för bygglov"
    assert [(f.label, f.old, f.new) for f in change.fields] == [
        ("Owner", "Samhällsbyggnad", "Bygg och miljö")
    ]
    budget = {line.label: (line.old, line.new) for line in change.budget}
    assert budget == {
        "2027, innovation": ("50,000", "80,000"),
        "2028, operations": ("30,000", "0"),
        "2029, operations": ("0", "10,000"),
    }
    sets = {s.label: (s.added, s.removed) for s in change.sets}
    assert set(sets) == {"Waves", "Collaborating municipalities"}
    assert len(sets["Waves"][0]) == len(sets["Waves"][1]) == 1
    assert sets["Collaborating municipalities"][1] == []
    assert result.capabilities.added == ["Digital kompetens"]
    assert result.capabilities.removed == []
    (capability,) = result.capabilities.changed
    assert capability.name == "Ledarskap"
    assert [(f.label, f.old, f.new) for f in capability.fields] == [("Target score", "50", "70")]


@pytest.mark.django_db
def test_a_version_compared_with_its_copy_has_no_change(home: Municipality) -> None:
    first, second = two_versions(home)
    services.version_submit(version=second, user=None)
    services.version_decide(
        version=second,
        outcome=Status.RETURNED,
        comment="Nej.",
        decided_on=second.created_at.date(),
        user=None,
    )
    third = services.version_new(plan=first.plan, user=None)

    result = diff.compare(second, third)

    assert not result.any


def english(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def diff_url(version: PlanVersion, query: str = "") -> str:
    url = reverse("plans:version_diff", args=[version.plan.municipality.code, version.plan_id])
    return f"{url}?{query}" if query else url


@pytest.mark.django_db
def test_the_page_compares_the_latest_with_the_one_before_by_default(
    home: Municipality, users: Users
) -> None:
    _first, second = two_versions(home)

    response = english(users.leadership).get(diff_url(second))

    body = response.content.decode()
    assert response.status_code == 200
    assert "From version 1 to version 2" in body
    assert (
        '<span class="diff__mark">Removed</span> <del>Personalen skriver av blanketter.</del>'
        in body
    )
    assert (
        '<span class="diff__mark">Added</span> <ins>Personalen lägger tid på papper.</ins>' in body
    )
    assert "<del>Chattbot för växeln</del>" in body
    assert "<ins>Digital kompetens</ins>" in body
    assert "2027, innovation" in body
    assert '<option value="1" selected>' in body and '<option value="2" selected>' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("a=x&b=2", "Choose a version of this plan."),
        ("a=1&b=99", "Choose a version of this plan."),
        ("a=2&b=2", "Choose two different versions."),
        ("a=&b=1", "Choose a version of this plan."),
    ],
)
def test_a_wrong_choice_of_versions_says_what_is_wrong(
    query: str, message: str, home: Municipality, users: Users
) -> None:
    _first, second = two_versions(home)

    response = english(users.member).get(diff_url(second, query))

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'class="error-summary"' in body
    assert "From version" not in body


@pytest.mark.django_db
def test_a_plan_with_one_version_has_nothing_to_compare(home: Municipality, users: Users) -> None:
    version = services.current_version(make_plan(home))

    response = english(users.member).get(diff_url(version, "a=1&b=2"))

    assert response.status_code == 200
    assert "nothing to compare yet" in response.content.decode()


@pytest.mark.django_db
def test_the_comparison_takes_as_many_queries_for_12_initiatives_as_for_2(
    home: Municipality,
) -> None:
    first, second = two_versions(home)
    with CaptureQueriesContext(connection) as few:
        diff.compare(first, second)
    for n in range(10):
        add_initiative(second, title=f"Nytt {n}")

    with CaptureQueriesContext(connection) as many:
        result = diff.compare(first, second)

    assert len(many.captured_queries) == len(few.captured_queries) == 16  # 8 a version
    assert len(result.initiatives.added) == 10


def test_in_a_line_much_like_the_old_one_only_the_changed_words_are_marked() -> None:
    old = "Planen ses över varje höst i budgetarbetet."
    new = "Planen ses över varje höst i budgetarbetet. Driftkostnaderna redovisas per initiativ."

    (hunk,) = text_diff(old, new).hunks
    (changed_back,) = text_diff(new.replace("höst", "vår"), new).hunks

    (added,) = hunk  # words were only added: no "removed" line
    assert added.kind == "added"
    assert [text for changed, text in added.parts if changed] == [
        " Driftkostnaderna redovisas per initiativ."
    ]
    assert [(line.kind, [t for c, t in line.parts if c]) for line in changed_back] == [
        ("removed", ["vår"]),
        ("added", ["höst"]),
    ]
