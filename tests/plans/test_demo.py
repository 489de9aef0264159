"""The demo's plans: thirty across Västerbotten in every status, with decisions, versions and
check-ins, and Vindeln's story for the demo logins. Checked against the rows themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from forandra.accounts.models import User
from forandra.core import demo
from forandra.core.permissions import Perm, allowed
from forandra.ideas.models import PortfolioChoice
from forandra.maturity.instrument import default_instrument
from forandra.municipalities.models import Municipality, Region
from forandra.plans import budget, followup, services
from forandra.plans import demo as plans_demo
from forandra.plans.models import (
    DECIDED,
    BudgetKind,
    BudgetLine,
    Capability,
    CheckIn,
    Decision,
    Initiative,
    Light,
    Plan,
    PlanVersion,
    Section,
    Status,
)
from forandra.plans.region import region_plans_overview

pytestmark = pytest.mark.django_db

VINDELN, UMEA = "2404", "2480"
HAD_A_DECISION = (*DECIDED, Status.IN_PROGRESS, Status.CLOSED)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The whole demo, loaded once for the module (it takes a few seconds) and removed after
    it; each test runs inside it and has its own changes rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert demo.demo_load().loaded
        yield
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_loaded: None) -> None:
    return None


@pytest.fixture
def region(loaded: None) -> Region:
    return Region.objects.get(code="24")


def latest_versions() -> dict[int, PlanVersion]:
    latest: dict[int, PlanVersion] = {}
    for version in PlanVersion.objects.select_related("plan__municipality").order_by(
        "plan_id", "-number"
    ):
        latest.setdefault(version.plan_id, version)
    return latest


def vindeln_plan(first_year: int) -> Plan:
    return Plan.objects.get(municipality__code=VINDELN, first_year=first_year)


def shown() -> list[tuple[object, ...]]:
    """What the demo's plans say, without ids, keys and times."""
    return sorted(
        (
            version.plan.municipality.code,
            version.plan.title,
            version.number,
            version.status,
            version.leadership_check,
            tuple(version.sections.order_by("step").values_list("text", flat=True)),
            tuple(
                version.initiatives.order_by("order").values_list(
                    "title", "owner", "start", "end", "idea__title"
                )
            ),
            tuple(
                BudgetLine.objects.filter(initiative__version=version)
                .order_by("initiative__order", "year", "kind")
                .values_list("year", "kind", "amount")
            ),
            tuple(version.capabilities.values_list("dimension", "current_score", "target_score")),
        )
        for version in PlanVersion.objects.select_related("plan__municipality")
    )


# --- Counts ---------------------------------------------------------------------------------


def test_thirty_demo_plans_across_the_municipalities_with_groups(loaded: None) -> None:
    plans = Plan.objects.select_related("municipality")

    assert plans.count() == 30
    assert not plans.filter(is_demo=False).exists()
    per_municipality = Counter(plan.municipality.code for plan in plans)
    assert len(per_municipality) == 14
    assert set(per_municipality.values()) == {2, 3}
    assert UMEA not in per_municipality  # Umeå ran its own programme
    assert {plan.municipality.region.code for plan in plans} == {"24"}


def test_every_status_is_the_latest_of_some_plan(loaded: None) -> None:
    statuses = Counter(version.status for version in latest_versions().values())

    assert set(statuses) == set(Status.values)
    assert sum(statuses.values()) == 30


def test_every_municipality_has_an_earlier_plan_and_a_current_one_in_another_status(
    loaded: None,
) -> None:
    by_municipality: dict[str, list[PlanVersion]] = {}
    for version in latest_versions().values():
        by_municipality.setdefault(version.plan.municipality.code, []).append(version)

    for code, versions in by_municipality.items():
        versions.sort(key=lambda v: v.plan.first_year)
        earlier, current = versions[0], versions[-1]
        assert earlier.status in (Status.CLOSED, Status.IN_PROGRESS), code
        assert current.plan.first_year >= 2026, code
        assert current.status != earlier.status, code


def test_decided_versions_have_a_decision_with_a_comment_after_the_submission(
    loaded: None,
) -> None:
    decided = PlanVersion.objects.filter(status__in=HAD_A_DECISION)
    undecided = PlanVersion.objects.exclude(status__in=HAD_A_DECISION)

    assert decided.count() == Decision.objects.count() > 20
    assert not decided.filter(decision__isnull=True).exists()
    assert not Decision.objects.filter(version__in=undecided).exists()
    for decision in Decision.objects.select_related("version"):
        assert len(decision.comment) > 40
        assert decision.version.submitted_at is not None
        assert decision.decided_on >= timezone.localdate(decision.version.submitted_at)
        assert decision.decided_on <= timezone.localdate()
        if decision.outcome == Status.RETURNED:
            assert decision.comment.startswith("Återremitteras")
    outcomes = set(Decision.objects.values_list("outcome", flat=True))
    assert outcomes == set(DECIDED)


def test_several_plans_have_a_new_version_that_answers_leaderships_decision(
    loaded: None,
) -> None:
    later = PlanVersion.objects.filter(number__gt=1).select_related("based_on__decision")

    assert later.count() >= 5
    for version in later:
        earlier = version.based_on
        assert earlier is not None and earlier.number == version.number - 1
        assert earlier.status in (Status.RETURNED, Status.APPROVED_WITH_CHANGES)
        texts = dict(version.sections.values_list("step", "text"))
        before = dict(earlier.sections.values_list("step", "text"))
        assert texts != before  # the diff page has something to show
        assert set(version.initiatives.values_list("key", flat=True)) <= set(
            earlier.initiatives.values_list("key", flat=True)
        )
    assert later.filter(based_on__status=Status.RETURNED, status=Status.APPROVED).exists()
    assert later.filter(based_on__status=Status.RETURNED, status=Status.DRAFT).exists()


def test_check_ins_show_every_light_only_on_followed_plans(loaded: None) -> None:
    check_ins = CheckIn.objects.select_related("initiative__version")

    assert set(check_ins.values_list("light", flat=True)) == set(Light.values)
    assert {c.initiative.version.status for c in check_ins} == {
        Status.IN_PROGRESS,
        Status.CLOSED,
    }
    assert not check_ins.filter(checked_on__gt=timezone.localdate()).exists()
    assert not check_ins.filter(narrative="").exists()
    in_progress = PlanVersion.objects.filter(status=Status.IN_PROGRESS)
    assert in_progress.count() == 7
    for version in in_progress:
        assert CheckIn.objects.filter(initiative__version=version).exists()


def test_submitted_and_decided_versions_are_complete_and_some_drafts_are_not(
    loaded: None,
) -> None:
    frozen = PlanVersion.objects.exclude(status=Status.DRAFT)
    drafts = PlanVersion.objects.filter(status=Status.DRAFT)

    for version in frozen:
        assert services.missing_for_submission(version) == [], version
    assert any(services.missing_for_submission(version) for version in drafts)
    assert any(not services.missing_for_submission(version) for version in drafts)


def test_initiatives_have_owners_dates_budgets_waves_capabilities_and_partners(
    loaded: None,
) -> None:
    dimensions = {d.key: d.name.sv for d in default_instrument().dimensions}
    for version in PlanVersion.objects.all():
        assert 3 <= version.initiatives.count() <= 8, version
        assert 3 <= version.capabilities.count() <= 4, version
        assert version.sections.exclude(text="").count() >= 3
    assert not Capability.objects.filter(initiatives=None).exists()
    for capability in Capability.objects.all():
        assert capability.name == dimensions[capability.dimension]
        assert capability.target_score > (capability.current_score or 0)
    initiatives = Initiative.objects.select_related("version__plan")
    assert not initiatives.filter(start__isnull=True).exists()
    assert not initiatives.filter(waves=None).exists()
    assert not initiatives.filter(capabilities=None).exists()
    assert initiatives.exclude(collaborating=None).count() >= 10
    for initiative in initiatives:
        plan = initiative.version.plan
        assert initiative.start is not None and initiative.end is not None
        assert plan.first_year <= initiative.start.year <= initiative.end.year <= plan.last_year
    lines = BudgetLine.objects.select_related("initiative__version__plan")
    assert set(lines.values_list("kind", flat=True)) == set(BudgetKind.values)
    for line in lines:
        plan = line.initiative.version.plan
        assert plan.first_year <= line.year <= plan.last_year and line.amount > 0
    table = budget.totals(services.current_version(vindeln_plan(2027)))
    assert table.innovation.total > 0 and 0 < (table.innovation_share or 0) < 0.5


def test_current_plans_take_initiatives_from_the_selected_ideas_of_the_portfolio(
    loaded: None,
) -> None:
    linked = Initiative.objects.exclude(idea=None).select_related("idea", "version__plan")

    assert linked.exists()
    for initiative in linked:
        assert initiative.version.plan.first_year >= 2026
        assert initiative.idea is not None
        assert initiative.idea.municipality_id == initiative.version.plan.municipality_id
        assert initiative.title == initiative.idea.title
        assert PortfolioChoice.objects.filter(idea=initiative.idea, selected=True).exists()
    codes = {i.version.plan.municipality.code for i in linked}
    assert len(codes) >= 10


# --- Vindeln --------------------------------------------------------------------------------


def test_vindeln_has_a_returned_version_and_a_submitted_one_for_leadership_to_decide(
    loaded: None, home_users: dict[str, User]
) -> None:
    plan = vindeln_plan(2027)
    v1, v2 = plan.versions.order_by("number")

    assert plan.title == "Digital omställning 2027–2029"
    assert (v1.status, v2.status) == (Status.RETURNED, Status.SUBMITTED)
    assert v2.based_on_id == v1.pk
    assert v1.decision.decided_by == home_users["demo-ledning"]
    assert v2.submitted_by == home_users["demo-grupp"]
    assert allowed(home_users["demo-ledning"], Perm.PLANS_DECIDE, plan.municipality)
    decision = services.version_decide(
        version=v2,
        outcome=Status.APPROVED,
        comment="Godkänd.",
        decided_on=timezone.localdate(),
        user=home_users["demo-ledning"],
    )
    assert decision.version.status == Status.APPROVED


def test_vindeln_follows_up_a_plan_with_every_light_and_something_overdue(
    loaded: None, home_users: dict[str, User]
) -> None:
    plan = vindeln_plan(2024)
    version = services.current_version(plan)

    assert plan.title == "Digitaliseringsplan 2024–2026"
    assert version.status == Status.IN_PROGRESS
    overview = followup.leadership_overview(
        municipality=plan.municipality, today=timezone.localdate()
    )
    assert [row.plan for row in overview] == [plan]
    latest = [item.latest for item in overview[0].initiatives]
    assert {entry.light for entry in latest if entry} == set(Light.values)
    assert any(
        o.reason == followup.Reason.NEXT_STEP
        for item in overview[0].initiatives
        for o in item.overdue
    )
    assert set(
        CheckIn.objects.filter(initiative__version=version).values_list(
            "created_by__username", flat=True
        )
    ) == {"demo-grupp"}
    # The group can start a new version of it.
    new = services.version_new(plan=plan, user=home_users["demo-grupp"])
    assert new.number == 2 and new.status == Status.DRAFT


def test_the_history_names_the_demo_users_on_the_days_of_the_story(
    loaded: None,
) -> None:
    plan = vindeln_plan(2027)
    records = PlanVersion.history.filter(plan_id=plan.pk).order_by("history_date", "history_id")

    users = {r.history_user.username for r in records if r.history_user}
    assert users == {"demo-grupp", "demo-ledning"}
    submitted = [r for r in records if r.status == Status.SUBMITTED]
    assert [r.history_user.username for r in submitted] == ["demo-grupp", "demo-grupp"]
    v1 = plan.versions.get(number=1)
    assert timezone.localdate(submitted[0].history_date) == timezone.localdate(v1.submitted_at)
    returned = next(r for r in records if r.status == Status.RETURNED)
    assert returned.history_user.username == "demo-ledning"
    assert timezone.localdate(returned.history_date) == v1.decision.decided_on
    assert all(r.history_date <= timezone.now() for r in records)
    sections = Section.history.filter(version__plan=plan).exclude(history_user=None)
    assert sections.exists()


# --- Loading --------------------------------------------------------------------------------


def test_loading_again_adds_nothing(loaded: None, region: Region) -> None:
    before = (
        Plan.objects.count(),
        PlanVersion.objects.count(),
        Initiative.objects.count(),
        CheckIn.objects.count(),
    )

    assert not demo.demo_load().loaded
    plans_demo.demo_load(
        region=region,
        municipalities=list(Municipality.objects.filter(region=region)),
        member=User.objects.get(username="demo-grupp"),
        leadership=User.objects.get(username="demo-ledning"),
        coordinator=User.objects.get(username="demo-koordinator"),
    )

    after = (
        Plan.objects.count(),
        PlanVersion.objects.count(),
        Initiative.objects.count(),
        CheckIn.objects.count(),
    )
    assert after == before


def test_the_plans_are_the_same_every_time(loaded: None, region: Region) -> None:
    first = shown()
    Plan.objects.all().delete()

    plans_demo.demo_load(
        region=region,
        municipalities=list(Municipality.objects.filter(region=region)),
        member=User.objects.get(username="demo-grupp"),
        leadership=User.objects.get(username="demo-ledning"),
        coordinator=User.objects.get(username="demo-koordinator"),
    )

    assert shown() == first


def test_the_regions_overview_shows_the_demo(loaded: None, region: Region) -> None:
    overview = region_plans_overview(region=region)

    assert overview.is_demo
    assert (overview.municipalities, overview.with_plan) == (15, 14)
    assert sum(overview.status_counts.values()) == 30
    umea = next(row for row in overview.rows if row.municipality.code == UMEA)
    assert umea.plans == []
    followed_rows = [p for row in overview.rows for p in row.plans if p.checked_in]
    assert len(followed_rows) == 17  # the seven in progress and the ten closed


@pytest.fixture
def home_users(loaded: None) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}
