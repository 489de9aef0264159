"""The region's view of the plans: every municipality, each plan's latest version and status,
leadership's latest decision, the budget, and how the follow-up goes.

The rows are read in a fixed number of queries, whatever the number of municipalities, plans,
versions, initiatives and check-ins: one per kind of row, summed or picked in Python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone

from forandra.municipalities.models import Municipality, Region

from . import followup
from .models import (
    FOLLOWED,
    BudgetKind,
    BudgetLine,
    CheckIn,
    Decision,
    Initiative,
    Light,
    Plan,
    PlanVersion,
    Status,
)

#: The filter's value for municipalities that have no plan at all.
WITHOUT_PLAN = "none"


@dataclass
class PlanRow:
    """One plan: its latest version and what the region wants to know of it."""

    plan: Plan
    version: PlanVersion  # the latest
    decision: Decision | None = None  # the plan's latest decision, on whichever version
    decided_version: int | None = None
    followed: PlanVersion | None = None  # the version followed up (see followup.followed_version)
    budget_total: int = 0
    innovation_total: int = 0
    initiatives: int = 0
    lights: dict[str, int] = field(default_factory=dict)  # latest check-in per initiative
    overdue: int = 0  # initiatives with something overdue (followup.overdue_for)

    @property
    def status(self) -> str:
        return self.version.status

    @property
    def innovation_share(self) -> float | None:
        """Innovation's share of the budget in per cent, None without a budget."""
        return 100 * self.innovation_total / self.budget_total if self.budget_total else None

    @property
    def checked_in(self) -> bool:
        return any(self.lights.values())

    @property
    def light_counts(self) -> list[tuple[str, str, int]]:
        """(light, its words, count) for the three lights, in order."""
        return [(light.value, str(light.label), self.lights.get(light.value, 0)) for light in Light]


@dataclass
class MunicipalityRow:
    municipality: Municipality
    plans: list[PlanRow]


@dataclass
class RegionPlans:
    rows: list[MunicipalityRow]
    status_counts: dict[str, int]  # latest versions per status, over all the region's plans
    municipalities: int
    with_plan: int
    is_demo: bool


def region_plans_overview(*, region: Region, status: str = "") -> RegionPlans:
    """Every municipality of the region with its plans, newest first; `status` keeps only the
    plans whose latest version has it (or, with WITHOUT_PLAN, the municipalities with none)."""
    municipalities = list(region.municipalities.order_by("name"))
    plans = {
        plan.pk: plan
        for plan in Plan.objects.filter(municipality__region=region).order_by("-first_year", "-pk")
    }
    # Every version of the region's plans, newest first: the first seen per plan is its latest.
    latest: dict[int, PlanRow] = {}
    versions: dict[int, list[PlanVersion]] = {}
    for version in (
        PlanVersion.objects.filter(plan__municipality__region=region)
        .select_related("decision")
        .order_by("plan_id", "-number")
    ):
        version.plan = plans[version.plan_id]
        row = latest.get(version.plan_id)
        if row is None:
            row = latest[version.plan_id] = PlanRow(plan=version.plan, version=version)
        decision = followup.decision_of(version)
        if row.decision is None and decision is not None:
            row.decision, row.decided_version = decision, version.number
        versions.setdefault(version.plan_id, []).append(version)
    for plan_id, row in latest.items():
        # As the follow-up page has it: the latest approved or in-progress version, or else the
        # latest closed one.
        row.followed = next(
            (v for v in versions[plan_id] if v.status in FOLLOWED),
            next((v for v in versions[plan_id] if v.status == Status.CLOSED), None),
        )
    latest_versions = {row.plan.pk: row for row in latest.values()}
    by_version = {(row.plan.pk, row.version.number): row for row in latest_versions.values()}
    for entry in (
        BudgetLine.objects.filter(initiative__version__plan__municipality__region=region)
        .values("initiative__version__plan_id", "initiative__version__number", "kind")
        .annotate(amount=Sum("amount"))
    ):
        budget_row = by_version.get(
            (entry["initiative__version__plan_id"], entry["initiative__version__number"])
        )
        if budget_row is None:
            continue  # an earlier version's budget
        budget_row.budget_total += int(entry["amount"])
        if entry["kind"] == BudgetKind.INNOVATION:
            budget_row.innovation_total += int(entry["amount"])
    for entry in (
        Initiative.objects.filter(version__plan__municipality__region=region)
        .values("version__plan_id", "version__number")
        .annotate(count=Count("pk"))
    ):
        count_row = by_version.get((entry["version__plan_id"], entry["version__number"]))
        if count_row is not None:
            count_row.initiatives = entry["count"]
    _add_follow_up(latest_versions)

    counts = Counter(row.status for row in latest_versions.values())
    by_municipality: dict[int, list[PlanRow]] = {}
    for plan in plans.values():
        row = latest_versions.get(plan.pk)
        if row is not None:
            by_municipality.setdefault(plan.municipality_id, []).append(row)
    rows = []
    for municipality in municipalities:
        mine = by_municipality.get(municipality.pk, [])
        if status == WITHOUT_PLAN:
            if mine:
                continue
        elif status:
            mine = [row for row in mine if row.status == status]
            if not mine:
                continue
        rows.append(MunicipalityRow(municipality, mine))
    return RegionPlans(
        rows=rows,
        status_counts={value: counts.get(value, 0) for value in Status.values},
        municipalities=len(municipalities),
        with_plan=len(by_municipality),
        is_demo=any(plan.is_demo for plan in plans.values()),
    )


def _add_follow_up(rows: dict[int, PlanRow]) -> None:
    """Each plan's lights: the latest check-in of every initiative of the followed version (its
    check-ins in every version, matched by the initiative's key), and how many initiatives have
    something overdue, by the rules of the leadership's overview. One query."""
    followed = {row.followed.pk: row for row in rows.values() if row.followed is not None}
    if not followed:
        return
    newest = CheckIn.objects.filter(
        initiative__version__plan_id=OuterRef("version__plan_id"),
        initiative__key=OuterRef("key"),
    ).order_by("-checked_on", "-pk")
    today = timezone.localdate()
    for initiative in Initiative.objects.filter(version_id__in=followed).annotate(
        light=Subquery(newest.values("light")[:1]),
        checked_on=Subquery(newest.values("checked_on")[:1]),
        next_step_due=Subquery(newest.values("next_step_due")[:1]),
    ):
        row = followed[initiative.version_id]
        version = row.followed
        assert version is not None  # it is the key the row was found by
        light = initiative.light
        latest = None
        if light is not None:
            row.lights[light] = row.lights.get(light, 0) + 1
            latest = CheckIn(
                light=light,
                checked_on=initiative.checked_on,
                next_step_due=initiative.next_step_due,
            )
        decision = followup.decision_of(version)
        if followup.overdue_for(
            initiative=initiative,
            latest=latest,
            decided_on=decision.decided_on if decision else None,
            status=version.status,
            today=today,
        ):
            row.overdue += 1
