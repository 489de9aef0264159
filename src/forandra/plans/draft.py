"""Writing a draft: the first draft from the municipality's data, and the group's edits to the
sections, the management-and-leadership check and the plan's title and years.

A first draft "from data" is where the earlier workshops meet the plan:

- step 1, the sense of urgency, starts with a short text of what the data says: the latest
  maturity round's overall score and level and its three weakest dimensions, and the waves the
  municipality placed in the rings "adopt" and "try" on its radar;
- the capabilities to develop are the three weakest dimensions, each aiming 15 points higher;
- the initiatives are the ideas chosen in the latest saved portfolio, with the idea's need as
  the benefit for residents, its waves, the capabilities its dimensions build, and its costs as
  budget lines (the one-time cost as investment in the first year, the yearly cost as operations
  in every year).

The data gives no owner and no innovation budget: those are the group's to decide, and the
submission rule says so. Where a kind of data is missing, the text says so instead of inventing
anything. The text is written in the active language, the one the group works in.

Every function that changes a version calls `services.ensure_editable` first, inside its
transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from forandra.ideas import portfolio as idea_portfolios
from forandra.maturity import scoring as maturity_scoring
from forandra.maturity import selectors as maturity_selectors
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning.models import Ring

from . import services
from .models import (
    BudgetKind,
    BudgetLine,
    Capability,
    Initiative,
    Plan,
    PlanVersion,
    Section,
    Step,
)

if TYPE_CHECKING:
    from forandra.accounts.models import User
    from forandra.ideas.models import Idea, Portfolio
    from forandra.maturity.models import Round
    from forandra.municipalities.models import Municipality

WEAKEST = 3  # dimensions taken as the capabilities to develop
TARGET_STEP = 15.0  # points a capability's target lies above its current score
RINGS = (Ring.ADOPT, Ring.TRY)  # the rings whose waves the urgency text names


# --- What the data says -------------------------------------------------------------------------


@dataclass(frozen=True)
class WeakDimension:
    key: str
    name: str  # in the active language
    score: float


@dataclass(frozen=True)
class MaturityFacts:
    """The latest closed maturity round that has results to show, or why there is none."""

    round: Round | None
    overall: float | None = None
    level: str | None = None
    weakest: list[WeakDimension] = field(default_factory=list)
    too_few_answers: bool = False  # a closed survey was left out: too few answered


def maturity_facts(*, municipality: Municipality) -> MaturityFacts:
    """The newest closed round whose results may be shown (a survey below the minimum group
    size shows nothing), with its overall score, level and weakest dimensions."""
    language = get_language() or "sv"
    too_few = False
    rounds = maturity_selectors.rounds_for(municipality=municipality).filter(
        closed_at__isnull=False
    )
    for round_ in rounds.order_by("-closed_at", "-pk"):
        result = maturity_selectors.round_result(round_=round_)
        if result is None:
            too_few = True
            continue
        if result.result.overall is None:
            continue  # closed without an answer: nothing to say
        weakest = [
            WeakDimension(
                key=d.key,
                name=result.instrument.dimension(d.key).name.get(language),
                score=float(d.score or 0.0),
            )
            for d in maturity_scoring.weakest(result.result, WEAKEST)
        ]
        level = result.result.level
        return MaturityFacts(
            round=round_,
            overall=result.result.overall,
            level=level.name.get(language) if level else None,
            weakest=weakest,
            too_few_answers=too_few,
        )
    return MaturityFacts(round=None, too_few_answers=too_few)


def radar_waves(*, municipality: Municipality) -> dict[str, list[str]]:
    """The names of the waves the municipality placed in each of the rings "adopt" and "try",
    in the catalogue's order."""
    placements = sorted(
        scanning_selectors.placements_for(municipality=municipality).values(),
        key=lambda p: (p.wave.position, p.wave.key),
    )
    return {ring.value: [p.wave.name for p in placements if p.ring == ring] for ring in RINGS}


def latest_portfolio(*, municipality: Municipality) -> Portfolio | None:
    """The municipality's newest saved portfolio, if it has one."""
    return idea_portfolios.portfolios_for(municipality=municipality).order_by("-version").first()


def chosen_ideas(*, portfolio: Portfolio) -> list[Idea]:
    """The ideas the portfolio selected, most valuable first."""
    choices = (
        idea_portfolios.choices_of(portfolio=portfolio)
        .filter(selected=True)
        .prefetch_related("idea__waves")
    )
    return [choice.idea for choice in choices]


# --- The words ----------------------------------------------------------------------------------


def _number(value: float) -> str:
    """A score as a whole number, rounded as the pages round it (half up, from one decimal, as
    a capability's score is kept), so the text and the capability table agree."""
    whole = Decimal(str(round(value, 1))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return formats.number_format(whole, decimal_pos=0, use_l10n=True)


def _join(items: list[str]) -> str:
    """ "a, b and c" in the active language."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _quoted(text: str) -> str:
    return _("“%(text)s”") % {"text": text}


def maturity_paragraph(facts: MaturityFacts) -> str:
    """What the maturity assessment says, or that it has nothing to say yet."""
    if facts.round is None or facts.overall is None:
        if facts.too_few_answers:
            return _(
                "There are no maturity results to draw on yet: the maturity survey has too few "
                "answers for its results to be shown. Describe what the group knows about the "
                "municipality's digital maturity."
            )
        return _(
            "There are no maturity results to draw on yet: no maturity round has been closed "
            "with results. Describe what the group knows about the municipality's digital "
            "maturity."
        )
    closed = timezone.localtime(facts.round.closed_at) if facts.round.closed_at else None
    values = {
        "round": _quoted(facts.round.title),
        "date": formats.date_format(closed.date(), "DATE_FORMAT") if closed else "",
        "score": _number(facts.overall),
    }
    if facts.level:
        sentence = _(
            "The latest maturity assessment with results, %(round)s (closed %(date)s), gives "
            "the municipality an overall score of %(score)s of 100, at the level %(level)s."
        ) % {**values, "level": _quoted(facts.level)}
    else:
        sentence = (
            _(
                "The latest maturity assessment with results, %(round)s (closed %(date)s), gives "
                "the municipality an overall score of %(score)s of 100."
            )
            % values
        )
    if facts.weakest:
        names = [
            _("%(name)s (%(score)s)") % {"name": d.name, "score": _number(d.score)}
            for d in facts.weakest
        ]
        sentence += " " + ngettext(
            "Its weakest dimension is %(dimensions)s.",
            "Its weakest dimensions are %(dimensions)s.",
            len(names),
        ) % {"dimensions": _join(names)}
    return sentence


def radar_paragraph(waves: dict[str, list[str]]) -> str:
    """The waves the municipality adopts and tries, or that it has placed none there."""
    parts = [
        _("%(waves)s in the ring %(ring)s")
        % {"waves": _join(waves[ring.value]), "ring": _quoted(str(ring.label))}
        for ring in RINGS
        if waves.get(ring.value)
    ]
    if not parts:
        return _(
            "No wave of change is in the rings %(adopt)s or %(try)s on the municipality's "
            "radar yet."
        ) % {"adopt": _quoted(str(Ring.ADOPT.label)), "try": _quoted(str(Ring.TRY.label))}
    return _("On its radar of waves of change, the municipality has placed %(placements)s.") % {
        "placements": _join(parts)
    }


def urgency_text(facts: MaturityFacts, waves: dict[str, list[str]], on: datetime.date) -> str:
    """Step 1's first text: what the data says, for the group to build on."""
    heading = _("From the municipality's data on %(date)s:") % {
        "date": formats.date_format(on, "DATE_FORMAT")
    }
    return "\n\n".join([heading, maturity_paragraph(facts), radar_paragraph(waves)])


# --- Writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftReport:
    """What a first draft was made from, in sentences for the group."""

    notes: list[str]
    capabilities: int
    initiatives: int


def _capabilities(version: PlanVersion, facts: MaturityFacts) -> list[Capability]:
    created = []
    for order, weak in enumerate(facts.weakest):
        current = round(weak.score, 1)
        created.append(
            Capability.objects.create(
                version=version,
                dimension=weak.key,
                name=weak.name,
                current_score=current,
                target_score=min(100.0, current + TARGET_STEP),
                order=order,
            )
        )
    return created


def _initiatives(
    version: PlanVersion, ideas: list[Idea], capabilities: list[Capability]
) -> list[Initiative]:
    years = version.plan.years
    created = []
    for order, idea in enumerate(ideas):
        initiative = Initiative.objects.create(
            version=version,
            idea=idea,
            title=idea.title,
            description=idea.description,
            citizen_benefit=idea.need,
            order=order,
        )
        initiative.waves.add(*idea.waves.all())
        keys = set(idea.dimensions or [])
        initiative.capabilities.add(*(c for c in capabilities if c.dimension in keys))
        lines = []
        if idea.one_time_cost:
            lines.append(
                BudgetLine(
                    initiative=initiative,
                    year=years[0],
                    kind=BudgetKind.INVESTMENT,
                    amount=idea.one_time_cost,
                )
            )
        if idea.yearly_cost:
            lines += [
                BudgetLine(
                    initiative=initiative,
                    year=year,
                    kind=BudgetKind.OPERATIONS,
                    amount=idea.yearly_cost,
                )
                for year in years
            ]
        bulk_create_with_history(lines, BudgetLine)  # each line gets its history record
        created.append(initiative)
    return created


@transaction.atomic
def draft_from_data(*, version: PlanVersion) -> DraftReport:
    """Fill a draft from the municipality's data: step 1's text, the capabilities (the
    weakest dimensions) and the initiatives (the latest portfolio's chosen ideas)."""
    services.ensure_editable(version)
    municipality = version.plan.municipality
    facts = maturity_facts(municipality=municipality)
    waves = radar_waves(municipality=municipality)
    Section.objects.update_or_create(
        version=version,
        step=Step.URGENCY,
        defaults={"text": urgency_text(facts, waves, timezone.localdate())},
    )
    capabilities = _capabilities(version, facts)
    portfolio = latest_portfolio(municipality=municipality)
    ideas = chosen_ideas(portfolio=portfolio) if portfolio else []
    initiatives = _initiatives(version, ideas, capabilities)

    notes = [_("The first draft was made from the municipality's data.")]
    if capabilities and facts.round is not None:
        notes.append(
            ngettext(
                "Capabilities: the weakest dimension of %(round)s, aiming %(step)s points higher.",
                "Capabilities: the %(count)s weakest dimensions of %(round)s, each aiming "
                "%(step)s points higher.",
                len(capabilities),
            )
            % {
                "count": len(capabilities),
                "round": _quoted(facts.round.title),
                "step": _number(TARGET_STEP),
            }
        )
    else:
        notes.append(_("No capabilities were added: there are no maturity results yet."))
    if portfolio is None:
        notes.append(
            _(
                "No initiatives were added: the municipality has no saved portfolio. Add them by "
                "hand."
            )
        )
    elif not initiatives:
        notes.append(
            _("No initiatives were added: portfolio version %(version)s chose no ideas.")
            % {"version": portfolio.version}
        )
    else:
        notes.append(
            ngettext(
                "Initiatives: the idea chosen in portfolio version %(version)s.",
                "Initiatives: the %(count)s ideas chosen in portfolio version %(version)s.",
                len(initiatives),
            )
            % {"count": len(initiatives), "version": portfolio.version}
        )
        notes.append(
            _(
                "Give each initiative an owner, and the budget an innovation line, before you "
                "submit the plan."
            )
        )
    return DraftReport(notes=notes, capabilities=len(capabilities), initiatives=len(initiatives))


@transaction.atomic
def plan_start(
    *,
    municipality: Municipality,
    title: str,
    first_year: int,
    last_year: int,
    user: User | None,
    from_data: bool,
) -> tuple[Plan, DraftReport | None]:
    """A new plan with its first draft, filled from the municipality's data if asked."""
    plan = services.plan_create(
        municipality=municipality,
        title=title,
        first_year=first_year,
        last_year=last_year,
        user=user,
    )
    if not from_data:
        return plan, None
    return plan, draft_from_data(version=services.current_version(plan))


@transaction.atomic
def plan_update(*, plan: Plan, title: str, first_year: int, last_year: int) -> Plan:
    """Change the plan's title and years, while its latest version is a draft."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    services.ensure_editable(services.current_version(locked))
    locked.title, locked.first_year, locked.last_year = title, first_year, last_year
    locked.full_clean()
    locked.save(update_fields=["title", "first_year", "last_year", "updated_at"])
    return locked


@transaction.atomic
def section_update(*, version: PlanVersion, step: int, text: str) -> Section:
    """Write one of the eight steps' text of a draft."""
    services.ensure_editable(version)
    section, _created = Section.objects.update_or_create(
        version=version, step=step, defaults={"text": text}
    )
    return section


@transaction.atomic
def leadership_check_update(*, version: PlanVersion, text: str) -> PlanVersion:
    """Write a draft's check of management versus leadership."""
    services.ensure_editable(version)
    version.leadership_check = text
    version.save(update_fields=["leadership_check", "updated_at"])
    return version
