"""Reads for the plan pages: a municipality's plans with their latest version and decision, a
version's content in the order the page shows it, and what a draft lacks before submission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from . import services
from .models import (
    BudgetKind,
    Capability,
    Decision,
    Initiative,
    Plan,
    PlanVersion,
    Step,
)

if TYPE_CHECKING:
    from forandra.municipalities.models import Municipality


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    latest: PlanVersion
    decision: Decision | None  # the newest decision on any of its versions


def plan_rows(*, municipality: Municipality) -> list[PlanRow]:
    """The municipality's plans, newest period first, each with its latest version and its
    latest decision. Two queries, however many plans and versions."""
    plans = list(Plan.objects.filter(municipality=municipality).order_by("-first_year", "-pk"))
    versions = PlanVersion.objects.filter(plan__in=plans).select_related("decision")
    by_plan: dict[int, list[PlanVersion]] = {}
    for version in versions:
        by_plan.setdefault(version.plan_id, []).append(version)
    rows = []
    for plan in plans:
        own = sorted(by_plan.get(plan.pk, []), key=lambda v: v.number)
        if not own:
            continue  # a plan is always created with its first version; never shown without
        decisions = [d for v in own if (d := _decision_of(v)) is not None]
        decisions.sort(key=lambda d: (d.decided_on, d.created_at))
        rows.append(PlanRow(plan, own[-1], decisions[-1] if decisions else None))
    return rows


def _decision_of(version: PlanVersion) -> Decision | None:
    try:
        return version.decision
    except Decision.DoesNotExist:
        return None


def versions_of(*, plan: Plan) -> list[PlanVersion]:
    """The plan's versions, newest first, each with its decision (if any)."""
    return list(
        plan.versions.select_related("decision__decided_by", "based_on", "submitted_by").order_by(
            "-number"
        )
    )


@dataclass(frozen=True)
class SectionText:
    step: int
    label: str
    text: str


@dataclass(frozen=True)
class InitiativeRow:
    initiative: Initiative
    budget: dict[str, int]  # kind -> total over the years
    total: int


@dataclass(frozen=True)
class VersionContent:
    sections: list[SectionText]  # always the eight steps, in order
    capabilities: list[Capability]  # with their initiatives prefetched
    initiatives: list[InitiativeRow]


def version_content(*, version: PlanVersion) -> VersionContent:
    """A version's sections, capabilities and initiatives (with budget, waves, capabilities and
    partners), in a fixed number of queries."""
    texts = dict(version.sections.values_list("step", "text"))
    sections = [
        SectionText(step.value, str(step.label), texts.get(step.value, "")) for step in Step
    ]
    ordered = Initiative.objects.order_by("order", "pk")
    capabilities = list(
        version.capabilities.order_by("order", "pk").prefetch_related(
            Prefetch("initiatives", queryset=ordered)
        )
    )
    initiatives = (
        version.initiatives.order_by("order", "pk")
        .select_related("idea")
        .prefetch_related("budget_lines", "waves", "capabilities", "collaborating")
    )
    rows = []
    for initiative in initiatives:
        budget = dict.fromkeys(BudgetKind.values, 0)
        for line in initiative.budget_lines.all():
            budget[line.kind] = budget.get(line.kind, 0) + line.amount
        rows.append(InitiativeRow(initiative, budget, sum(budget.values())))
    return VersionContent(sections, capabilities, rows)


@dataclass(frozen=True)
class Missing:
    """One thing a draft lacks before it can be submitted: the sentence the rules give, and
    what it is about, so the page can link to where it is fixed."""

    message: str
    kind: str  # "initiative", "owner", "innovation", or "other"
    initiative: Initiative | None = None


def missing_items(*, version: PlanVersion) -> list[Missing]:
    """What `services.missing_for_submission` lists, each with what it is about. The sentences
    are the rules' own; a sentence this function does not recognise is kept, without a link."""
    messages = services.missing_for_submission(version)
    if not messages:
        return []
    initiatives = list(version.initiatives.order_by("order", "pk"))
    owners: dict[str, list[Initiative]] = {}
    for initiative in initiatives:
        text = _("The initiative “%(title)s” has no owner.") % {"title": initiative.title}
        owners.setdefault(text, []).append(initiative)
    none = _("The plan has no initiative: add at least one.")
    innovation = _(
        "The budget has no innovation line: give at least one initiative an innovation "
        "amount for some year."
    )
    items = []
    for message in messages:
        if message == none:
            items.append(Missing(message, "initiative"))
        elif message == innovation:
            items.append(Missing(message, "innovation", initiatives[0] if initiatives else None))
        elif owners.get(message):
            items.append(Missing(message, "owner", owners[message].pop(0)))
        else:
            items.append(Missing(message, "other"))
    return items
