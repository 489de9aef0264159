"""Everything a plan version's document shows, read once for the Word, PDF and Markdown exports.

`plan_document(version)` reads the version with its plan, municipality and decision, the eight
sections, the capabilities, the initiatives (with budget lines, waves, capabilities and
collaborating municipalities) and the budget totals in nine queries, however many initiatives
the plan has. Labels (step titles, status, budget kinds, wave names) are taken in the language
active when it is called, so call it inside `translation.override` for a document in another
language than the request's.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from forandra.municipalities.models import Municipality
from forandra.scanning.models import Wave

from . import budget, timeline
from .models import (
    BudgetKind,
    Capability,
    Decision,
    Initiative,
    Plan,
    PlanVersion,
    Status,
    Step,
)


@dataclass(frozen=True)
class SectionDoc:
    step: int
    title: str  # Kotter's name of the step, in the active language
    text: str


@dataclass(frozen=True)
class CapabilityDoc:
    name: str
    dimension: str
    current_score: float | None
    target_score: float
    note: str
    initiatives: tuple[str, ...]  # titles of the initiatives that build it, in plan order


@dataclass(frozen=True)
class KindAmount:
    kind: str
    label: str
    amount: int


@dataclass(frozen=True)
class InitiativeDoc:
    title: str
    description: str
    owner: str
    start: datetime.date | None
    end: datetime.date | None
    first_step: str
    citizen_benefit: str
    waves: tuple[str, ...]
    capabilities: tuple[str, ...]
    partners: tuple[str, ...]  # collaborating municipalities
    budget: tuple[KindAmount, ...]  # investment, operations, innovation: always all three
    budget_by_year: tuple[tuple[int, int], ...]  # (year, amount of every kind), years with lines
    span: timeline.Span  # where it lies on the roadmap's quarters

    @property
    def budget_total(self) -> int:
        return sum(part.amount for part in self.budget)


@dataclass(frozen=True)
class DecisionDoc:
    outcome: str  # the label, in the active language
    comment: str
    decided_on: datetime.date
    decided_by: str


@dataclass(frozen=True)
class PlanDocument:
    municipality: Municipality
    plan: Plan
    version: PlanVersion
    status: str  # the version's status, in the active language
    decision: DecisionDoc | None
    sections: tuple[SectionDoc, ...]  # all eight steps, in order, empty text where none
    leadership_check: str
    capabilities: tuple[CapabilityDoc, ...]
    initiatives: tuple[InitiativeDoc, ...]
    budget: budget.BudgetTable
    quarters: tuple[timeline.Quarter, ...]
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def is_demo(self) -> bool:
        return self.plan.is_demo

    @property
    def is_draft(self) -> bool:
        return self.version.status == Status.DRAFT

    @property
    def period(self) -> str:
        first, last = self.plan.first_year, self.plan.last_year
        return str(first) if first == last else f"{first}–{last}"

    def quarters_of(self, item: InitiativeDoc) -> tuple[str, str] | None:
        """The first and last quarter an initiative spans on the roadmap, as labels."""
        if item.span.first is None or item.span.last is None:
            return None
        return quarter_label(self.quarters[item.span.first]), quarter_label(
            self.quarters[item.span.last]
        )

    @property
    def on_roadmap(self) -> tuple[InitiativeDoc, ...]:
        """The initiatives with a place on the roadmap (a start within the plan's years)."""
        return tuple(item for item in self.initiatives if item.span.first is not None)

    @property
    def off_roadmap(self) -> tuple[InitiativeDoc, ...]:
        return tuple(item for item in self.initiatives if item.span.first is None)


# Formatting shared by the exports, in the active language ------------------------------------


def amount(value: int | float) -> str:
    """An amount in SEK as the language writes it: 1 234 567 in Swedish, 1,234,567 in English."""
    return formats.number_format(round(value), force_grouping=True)


def day(value: datetime.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def score(value: float | None) -> str:
    # Rounded half up here (scores are 0-100): number_format cuts decimals off.
    return "–" if value is None else formats.number_format(int(value + 0.5))


def percent(share: float | None) -> str:
    if share is None:
        return "–"
    return f"{formats.number_format(round(100 * share, 1), decimal_pos=1)} %"


def quarter_short(quarter: timeline.Quarter) -> str:
    """ "Q1" (Swedish: "K1")."""
    return _("Q%(number)s") % {"number": quarter.number}


def quarter_label(quarter: timeline.Quarter) -> str:
    """ "Q1 2027" (Swedish: "K1 2027")."""
    return _("Q%(number)s %(year)s") % {"number": quarter.number, "year": quarter.year}


def paragraphs(text: str) -> list[str]:
    """A text split where the writer left an empty line; single line breaks are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip() for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def _user_name(user: object) -> str:
    if user is None:
        return ""
    full_name = getattr(user, "get_full_name", lambda: "")()
    return str(full_name or getattr(user, "username", ""))


def _decision(version: PlanVersion) -> DecisionDoc | None:
    try:
        decision: Decision = version.decision
    except ObjectDoesNotExist:
        return None
    return DecisionDoc(
        outcome=decision.get_outcome_display(),
        comment=decision.comment,
        decided_on=decision.decided_on,
        decided_by=_user_name(decision.decided_by),
    )


def _initiative(item: Initiative, plan: Plan, capability_names: dict[int, str]) -> InitiativeDoc:
    lines = list(item.budget_lines.all())
    per_kind = {kind.value: 0 for kind in BudgetKind}
    per_year: dict[int, int] = {}
    for line in lines:
        per_kind[line.kind] = per_kind.get(line.kind, 0) + line.amount
        per_year[line.year] = per_year.get(line.year, 0) + line.amount
    return InitiativeDoc(
        title=item.title,
        description=item.description,
        owner=item.owner,
        start=item.start,
        end=item.end,
        first_step=item.first_step,
        citizen_benefit=item.citizen_benefit,
        waves=tuple(wave.name for wave in item.waves.all()),
        capabilities=tuple(
            capability_names[c.pk] for c in item.capabilities.all() if c.pk in capability_names
        ),
        partners=tuple(m.name for m in item.collaborating.all()),
        budget=tuple(
            KindAmount(kind.value, str(kind.label), per_kind[kind.value]) for kind in BudgetKind
        ),
        budget_by_year=tuple(sorted(per_year.items())),
        span=timeline.span(item.start, item.end, plan.first_year, plan.last_year),
    )


def plan_document(version: PlanVersion) -> PlanDocument:
    """What the version's document shows, in nine queries whatever the number of initiatives."""
    version = PlanVersion.objects.select_related(
        "plan__municipality__region", "decision__decided_by"
    ).get(pk=version.pk)
    plan = version.plan
    texts = dict(version.sections.values_list("step", "text"))
    capabilities = list(Capability.objects.filter(version=version).order_by("order", "pk"))
    initiatives = list(
        Initiative.objects.filter(version=version)
        .order_by("order", "pk")
        .prefetch_related(
            "budget_lines",
            Prefetch("waves", queryset=Wave.objects.order_by("position", "key")),
            Prefetch("capabilities", queryset=Capability.objects.order_by("order", "pk")),
            Prefetch("collaborating", queryset=Municipality.objects.order_by("name")),
        )
    )
    capability_names = {c.pk: c.name for c in capabilities}
    built_by: dict[int, list[str]] = {c.pk: [] for c in capabilities}
    for item in initiatives:
        for capability in item.capabilities.all():
            built_by.setdefault(capability.pk, []).append(item.title)
    return PlanDocument(
        municipality=plan.municipality,
        plan=plan,
        version=version,
        status=version.get_status_display(),
        decision=_decision(version),
        sections=tuple(
            SectionDoc(step=step.value, title=str(step.label), text=texts.get(step.value, ""))
            for step in Step
        ),
        leadership_check=version.leadership_check,
        capabilities=tuple(
            CapabilityDoc(
                name=c.name,
                dimension=c.dimension,
                current_score=c.current_score,
                target_score=c.target_score,
                note=c.note,
                initiatives=tuple(built_by.get(c.pk, ())),
            )
            for c in capabilities
        ),
        initiatives=tuple(_initiative(item, plan, capability_names) for item in initiatives),
        budget=budget.totals(version),
        quarters=tuple(timeline.quarters(plan.first_year, plan.last_year)),
    )
