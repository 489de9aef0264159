"""The state rules of a plan: what can be submitted, who decides when, what is frozen."""

from __future__ import annotations

from datetime import date

import pytest

from forandra.municipalities.models import Municipality
from forandra.plans import services
from forandra.plans.models import (
    BudgetKind,
    CheckIn,
    Initiative,
    Light,
    Section,
    Status,
    Step,
)
from forandra.scanning.models import Wave
from tests.plans.builders import add_initiative, complete_draft, decided, make_plan, submitted

pytestmark = pytest.mark.django_db
DAY = date(2027, 1, 20)


def test_a_new_plan_has_a_draft_with_the_eight_steps(home: Municipality) -> None:
    version = services.current_version(make_plan(home))
    assert version.number == 1 and version.status == Status.DRAFT
    assert list(version.sections.values_list("step", flat=True)) == list(Step.values)


def test_an_empty_draft_lists_everything_missing(home: Municipality) -> None:
    version = services.current_version(make_plan(home))
    missing = services.missing_for_submission(version)
    assert len(missing) == 2  # no initiative, no innovation line
    assert "initiative" in missing[0] and "innovation" in missing[1]
    with pytest.raises(services.PlanStateError):
        services.version_submit(version=version, user=None)
    version.refresh_from_db()
    assert version.status == Status.DRAFT


def test_each_initiative_without_an_owner_is_named(home: Municipality) -> None:
    version = complete_draft(home)
    add_initiative(version, title="Chattbot för växeln", owner=" ")
    missing = services.missing_for_submission(version)
    assert missing == ["The initiative “Chattbot för växeln” has no owner."]


def test_a_zero_innovation_amount_does_not_count(home: Municipality) -> None:
    version = services.current_version(make_plan(home))
    initiative = Initiative.objects.create(version=version, title="Wifi", owner="IT")
    services.set_budget(initiative=initiative, amounts=[(2027, BudgetKind.INNOVATION, 0)])
    assert any("innovation" in m for m in services.missing_for_submission(version))


def test_submitting_freezes_the_version(home: Municipality) -> None:
    version = submitted(home)
    assert version.status == Status.SUBMITTED and version.submitted_at is not None
    initiative = version.initiatives.get()
    with pytest.raises(services.PlanFrozenError):
        services.set_budget(initiative=initiative, amounts=[(2027, BudgetKind.INNOVATION, 1)])
    assert initiative.budget_lines.count() == 3


def test_a_stale_draft_object_cannot_slip_past_a_decision(home: Municipality) -> None:
    version = complete_draft(home)
    stale = type(version).objects.get(pk=version.pk)
    services.version_submit(version=version, user=None)
    assert stale.status == Status.DRAFT  # the object in hand still says draft
    with pytest.raises(services.PlanFrozenError):
        services.ensure_editable(stale)


def test_only_a_submitted_version_is_decided(home: Municipality) -> None:
    draft = complete_draft(home)
    with pytest.raises(services.PlanStateError):
        services.version_decide(
            version=draft, outcome=Status.APPROVED, comment="", decided_on=DAY, user=None
        )
    version = decided(home, Status.APPROVED_WITH_CHANGES)
    assert version.status == Status.APPROVED_WITH_CHANGES
    assert version.decision.comment
    with pytest.raises(services.PlanStateError):
        services.version_decide(
            version=version, outcome=Status.RETURNED, comment="", decided_on=DAY, user=None
        )


def test_a_decision_must_be_one_of_the_three(home: Municipality) -> None:
    version = submitted(home)
    with pytest.raises(services.PlanStateError):
        services.version_decide(
            version=version, outcome=Status.CLOSED, comment="", decided_on=DAY, user=None
        )
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED


def test_withdrawing_returns_a_submitted_version_to_draft(home: Municipality) -> None:
    version = services.version_withdraw(version=submitted(home))
    assert version.status == Status.DRAFT and version.submitted_at is None
    with pytest.raises(services.PlanStateError):
        services.version_withdraw(version=version)


def test_a_new_version_copies_everything_and_keeps_keys(home: Municipality) -> None:
    version = decided(home, Status.RETURNED)
    section = version.sections.get(step=Step.URGENCY)
    section.text = "Invånarna väntar."
    Section.objects.filter(pk=section.pk).update(text=section.text)  # as written before submitting
    capability = version.capabilities.create(name="Data", target_score=60, current_score=40)
    initiative = version.initiatives.get()
    initiative.capabilities.add(capability)
    initiative.waves.add(Wave.objects.filter(region=home.region).first() or _wave(home))
    initiative.collaborating.add(Municipality.objects.get(code="2403"))

    new = services.version_new(plan=version.plan, user=None)
    assert new.number == 2 and new.status == Status.DRAFT and new.based_on == version
    assert new.sections.get(step=Step.URGENCY).text == "Invånarna väntar."
    copy = new.initiatives.get()
    assert copy.pk != initiative.pk and copy.key == initiative.key
    assert copy.budget_lines.count() == 3
    assert [c.name for c in copy.capabilities.all()] == ["Data"]
    assert copy.capabilities.get().version == new  # the new version's own capability row
    assert copy.waves.count() == 1 and copy.collaborating.get().code == "2403"
    assert version.initiatives.get().budget_lines.count() == 3  # the old one is untouched


def _wave(home: Municipality) -> Wave:
    return Wave.objects.create(region=home.region, key="ai", name_sv="AI", name_en="AI")


def test_one_version_in_the_works_at_a_time(home: Municipality) -> None:
    version = submitted(home)
    with pytest.raises(services.PlanStateError):
        services.version_new(plan=version.plan, user=None)
    assert version.plan.versions.count() == 1


def test_the_first_check_in_starts_the_follow_up(home: Municipality) -> None:
    version = decided(home)
    initiative = version.initiatives.get()
    services.check_in(
        initiative=initiative,
        checked_on=date(2027, 3, 1),
        light=Light.GREEN,
        narrative="Vi har kartlagt ansökningarna.",
        next_step="Upphandla.",
        next_step_due=date(2027, 4, 1),
        user=None,
    )
    version.refresh_from_db()
    assert version.status == Status.IN_PROGRESS
    services.version_close(version=version)
    with pytest.raises(services.PlanStateError):
        services.check_in(
            initiative=initiative,
            checked_on=date(2027, 5, 1),
            light=Light.RED,
            narrative="x",
            next_step="y",
            next_step_due=None,
            user=None,
        )
    assert CheckIn.objects.count() == 1


def test_a_returned_plan_is_not_followed_up(home: Municipality) -> None:
    version = decided(home, Status.RETURNED)
    with pytest.raises(services.PlanStateError):
        services.check_in(
            initiative=version.initiatives.get(),
            checked_on=date(2027, 3, 1),
            light=Light.GREEN,
            narrative="x",
            next_step="y",
            next_step_due=None,
            user=None,
        )


def test_approving_a_new_version_closes_the_one_followed_before(home: Municipality) -> None:
    first = decided(home)
    new = services.version_new(plan=first.plan, user=None)
    services.version_submit(version=new, user=None)
    services.version_decide(
        version=new, outcome=Status.RETURNED, comment="Mer om vinsterna.", decided_on=DAY, user=None
    )
    first.refresh_from_db()
    assert first.status == Status.APPROVED  # a returned version replaces nothing
    newer = services.version_new(plan=first.plan, user=None)
    services.version_submit(version=newer, user=None)
    services.version_decide(
        version=newer, outcome=Status.APPROVED, comment="Bra.", decided_on=DAY, user=None
    )
    first.refresh_from_db()
    assert first.status == Status.CLOSED
