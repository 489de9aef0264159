"""Writes for a draft's capabilities and initiatives (with their budget lines), and initiatives
made from the ideas of a saved portfolio.

Every function locks the version's row, then calls `services.ensure_editable` inside the same
transaction, so a version that is submitted or decided meanwhile can never change through them
(`PlanFrozenError`). Validation problems raise `ValidationError` with a dict whose keys are the
form's field names, so a page shows each message beside its field: `end`, `target_score`,
`waves`, ... and `budget_<year>_<kind>` for one cell of the budget grid (`budget` for the grid
as a whole).

Budget lines are changed in place (only the cells that differ), each with save() or delete(),
so the history records who changed which amount and nothing else.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from forandra.ideas.models import Idea, PortfolioChoice
from forandra.municipalities.models import Municipality
from forandra.scanning.models import Wave

from . import services
from .models import BudgetKind, BudgetLine, Capability, Initiative, PlanVersion

if TYPE_CHECKING:
    from forandra.accounts.models import User

#: The largest amount one budget line holds (SEK); what a PositiveIntegerField stores.
MAX_AMOUNT = 2_000_000_000

# Text fields whose max_length the database does not enforce (Django checks it only in forms).
CAPABILITY_TEXTS = ("note",)
INITIATIVE_TEXTS = ("description", "first_step", "citizen_benefit")


def budget_field(year: int, kind: str) -> str:
    """The name of one cell of the budget grid, in the form and in validation errors."""
    return f"budget_{year}_{kind}"


def budget_label(year: int, kind: str) -> str:
    """One cell of the budget grid in words: "Innovation 2028"."""
    return f"{BudgetKind(kind).label} {year}"


def _locked_draft(version: PlanVersion) -> PlanVersion:
    """Lock the version's row (a submission waits for this transaction) and refuse anything
    that is not a draft."""
    locked = PlanVersion.objects.select_related("plan__municipality").select_for_update(
        of=("self",)
    )
    fresh = locked.get(pk=version.pk)
    services.ensure_editable(fresh)
    return fresh


def _with_history_user(obj: Model, user: User | None) -> None:
    if user is not None:
        obj._history_user = user  # type: ignore[attr-defined]  # simple_history's "who"


def _full_clean(obj: Model, texts: Sequence[str], errors: dict[str, list[str]]) -> None:
    """Model validation (fields, lengths of the long texts) added to `errors`; constraints are
    checked by the callers, with messages that say what to do."""
    try:
        obj.full_clean(exclude=["version"], validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    for name in texts:
        limit = getattr(type(obj)._meta.get_field(name), "max_length", None)
        value = getattr(obj, name)
        if limit and len(value) > limit:
            errors.setdefault(name, []).append(
                _("Write at most %(limit)s characters (it has %(count)s).")
                % {"limit": limit, "count": len(value)}
            )


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _next_order(rows: Any) -> int:
    top = rows.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


# --- Capabilities -------------------------------------------------------------------------------


def _check_score(value: float | None, field: str, errors: dict[str, list[str]]) -> None:
    if value is not None and not 0 <= value <= 100:
        errors.setdefault(field, []).append(_("Enter a score from 0 to 100."))


def _save_capability(capability: Capability, user: User | None) -> Capability:
    errors: dict[str, list[str]] = {}
    _check_score(capability.current_score, "current_score", errors)
    _check_score(capability.target_score, "target_score", errors)
    if not errors:
        _full_clean(capability, CAPABILITY_TEXTS, errors)
    _raise(errors)
    _with_history_user(capability, user)
    capability.save()
    return capability


@transaction.atomic
def capability_create(
    *,
    version: PlanVersion,
    name: str,
    target_score: float,
    current_score: float | None = None,
    dimension: str = "",
    note: str = "",
    user: User | None = None,
) -> Capability:
    """Add a capability to a draft, after the ones it has."""
    version = _locked_draft(version)
    capability = Capability(
        version=version,
        name=name,
        dimension=dimension,
        current_score=current_score,
        target_score=target_score,
        note=note,
        order=_next_order(version.capabilities.all()),
    )
    return _save_capability(capability, user)


@transaction.atomic
def capability_update(
    *,
    capability: Capability,
    name: str,
    target_score: float,
    current_score: float | None = None,
    dimension: str = "",
    note: str = "",
    user: User | None = None,
) -> Capability:
    """Change a draft's capability."""
    _locked_draft(capability.version)
    capability.name = name
    capability.dimension = dimension
    capability.current_score = current_score
    capability.target_score = target_score
    capability.note = note
    return _save_capability(capability, user)


@transaction.atomic
def capability_delete(*, capability: Capability, user: User | None = None) -> None:
    """Remove a capability from a draft; its initiatives stay, without the link to it."""
    _locked_draft(capability.version)
    _with_history_user(capability, user)
    capability.delete()


# --- Initiatives --------------------------------------------------------------------------------


def _check_dates(
    start: datetime.date | None, end: datetime.date | None, errors: dict[str, list[str]]
) -> None:
    if start is not None and end is not None and end < start:
        errors.setdefault("end", []).append(_("The end must be on or after the start."))


def _check_links(
    *,
    version: PlanVersion,
    waves: Sequence[Wave],
    capabilities: Sequence[Capability],
    collaborating: Sequence[Municipality],
    errors: dict[str, list[str]],
) -> None:
    """Waves of the municipality's region, capabilities of this version, partners of the same
    region other than the municipality itself."""
    municipality = version.plan.municipality
    if any(wave.region_id != municipality.region_id for wave in waves):
        errors.setdefault("waves", []).append(
            _("Choose among the waves of the municipality's region.")
        )
    if any(capability.version_id != version.pk for capability in capabilities):
        errors.setdefault("capabilities", []).append(
            _("Choose among the capabilities of this version of the plan.")
        )
    if any(partner.pk == municipality.pk for partner in collaborating):
        errors.setdefault("collaborating", []).append(
            _("A municipality does not collaborate with itself: choose other municipalities.")
        )
    if any(partner.region_id != municipality.region_id for partner in collaborating):
        errors.setdefault("collaborating", []).append(
            _("Choose municipalities of the same region.")
        )


def _check_budget(
    version: PlanVersion, amounts: Iterable[tuple[int, str, int]], errors: dict[str, list[str]]
) -> dict[tuple[int, str], int]:
    """The budget as {(year, kind): amount}, zero amounts left out; each problem is put on its
    cell (or on the grid as a whole when there is no such cell)."""
    plan = version.plan
    years = set(plan.years)
    budget: dict[tuple[int, str], int] = {}
    for year, kind, amount in amounts:
        if kind not in BudgetKind.values:
            errors.setdefault("budget", []).append(
                _("“%(kind)s” is not a kind of budget: use investment, operations or innovation.")
                % {"kind": kind}
            )
            continue
        if year not in years:
            errors.setdefault("budget", []).append(
                _("%(cell)s: %(year)s is not one of the plan's years (%(first)s–%(last)s).")
                % {
                    "cell": budget_label(year, kind),
                    "year": year,
                    "first": plan.first_year,
                    "last": plan.last_year,
                }
            )
            continue
        field = budget_field(year, kind)
        if isinstance(amount, bool) or not isinstance(amount, int):
            errors.setdefault(field, []).append(_("Enter a whole number of kronor."))
        elif amount < 0:
            errors.setdefault(field, []).append(_("The amount cannot be negative."))
        elif amount > MAX_AMOUNT:
            errors.setdefault(field, []).append(
                _("Enter at most %(max)s kronor.")
                % {"max": number_format(MAX_AMOUNT, force_grouping=True)}
            )
        elif (year, kind) in budget:
            errors.setdefault(field, []).append(_("This cell is given twice."))
        elif amount:
            budget[(year, kind)] = amount
    return budget


def _apply_budget(
    initiative: Initiative, budget: dict[tuple[int, str], int], user: User | None
) -> None:
    """Make the initiative's lines equal `budget`, touching only the cells that differ."""
    existing = {(line.year, line.kind): line for line in initiative.budget_lines.all()}
    for key, line in existing.items():
        if key not in budget:
            _with_history_user(line, user)
            line.delete()
        elif line.amount != budget[key]:
            line.amount = budget[key]
            _with_history_user(line, user)
            line.save(update_fields=["amount"])
    for (year, kind), amount in budget.items():
        if (year, kind) not in existing:
            line = BudgetLine(initiative=initiative, year=year, kind=kind, amount=amount)
            _with_history_user(line, user)
            line.save()


def _save_initiative(
    initiative: Initiative,
    *,
    version: PlanVersion,
    budget: Iterable[tuple[int, str, int]] | None,
    waves: Sequence[Wave],
    capabilities: Sequence[Capability],
    collaborating: Sequence[Municipality],
    user: User | None,
) -> Initiative:
    """Validate everything, then save the initiative, its links and (when given) its budget."""
    errors: dict[str, list[str]] = {}
    _full_clean(initiative, INITIATIVE_TEXTS, errors)
    _check_dates(initiative.start, initiative.end, errors)
    _check_links(
        version=version,
        waves=waves,
        capabilities=capabilities,
        collaborating=collaborating,
        errors=errors,
    )
    lines = _check_budget(version, budget, errors) if budget is not None else None
    _raise(errors)
    _with_history_user(initiative, user)
    initiative.save()
    initiative.waves.set(waves)
    initiative.capabilities.set(capabilities)
    initiative.collaborating.set(collaborating)
    if lines is not None:
        _apply_budget(initiative, lines, user)
    return initiative


@transaction.atomic
def initiative_create(
    *,
    version: PlanVersion,
    title: str,
    description: str = "",
    owner: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    first_step: str = "",
    citizen_benefit: str = "",
    budget: Iterable[tuple[int, str, int]] = (),
    waves: Sequence[Wave] = (),
    capabilities: Sequence[Capability] = (),
    collaborating: Sequence[Municipality] = (),
    idea: Idea | None = None,
    user: User | None = None,
) -> Initiative:
    """Add an initiative to a draft, with its budget as (year, kind, amount) lines."""
    version = _locked_draft(version)
    if idea is not None and idea.municipality_id != version.plan.municipality_id:
        raise ValidationError(_("The idea belongs to another municipality."))
    initiative = Initiative(
        version=version,
        idea=idea,
        title=title,
        description=description,
        owner=owner,
        start=start,
        end=end,
        first_step=first_step,
        citizen_benefit=citizen_benefit,
        order=_next_order(version.initiatives.all()),
    )
    return _save_initiative(
        initiative,
        version=version,
        budget=budget,
        waves=waves,
        capabilities=capabilities,
        collaborating=collaborating,
        user=user,
    )


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    title: str,
    description: str = "",
    owner: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    first_step: str = "",
    citizen_benefit: str = "",
    budget: Iterable[tuple[int, str, int]] | None = None,
    waves: Sequence[Wave] = (),
    capabilities: Sequence[Capability] = (),
    collaborating: Sequence[Municipality] = (),
    user: User | None = None,
) -> Initiative:
    """Change a draft's initiative; `budget` replaces all its lines (None leaves them)."""
    version = _locked_draft(initiative.version)
    initiative.title = title
    initiative.description = description
    initiative.owner = owner
    initiative.start = start
    initiative.end = end
    initiative.first_step = first_step
    initiative.citizen_benefit = citizen_benefit
    return _save_initiative(
        initiative,
        version=version,
        budget=budget,
        waves=waves,
        capabilities=capabilities,
        collaborating=collaborating,
        user=user,
    )


@transaction.atomic
def initiative_delete(*, initiative: Initiative, user: User | None = None) -> None:
    """Remove an initiative (and its budget lines) from a draft."""
    _locked_draft(initiative.version)
    for line in initiative.budget_lines.all():
        _with_history_user(line, user)
        line.delete()
    _with_history_user(initiative, user)
    initiative.delete()


# --- From the portfolio -------------------------------------------------------------------------


def ideas_in(version: PlanVersion) -> set[int]:
    """The ids of the ideas the version's initiatives were made from."""
    return set(version.initiatives.filter(idea__isnull=False).values_list("idea_id", flat=True))


def budget_from_idea(idea: Idea, years: Sequence[int]) -> list[tuple[int, str, int]]:
    """An idea's costs as budget lines: the one-time cost as investment in the first year, the
    yearly cost as operations in every year."""
    lines: list[tuple[int, str, int]] = []
    if idea.one_time_cost and years:
        lines.append((years[0], BudgetKind.INVESTMENT.value, idea.one_time_cost))
    if idea.yearly_cost:
        lines.extend((year, BudgetKind.OPERATIONS.value, idea.yearly_cost) for year in years)
    return lines


@transaction.atomic
def initiatives_from_portfolio(
    version: PlanVersion,
    choices: Iterable[PortfolioChoice | Idea],
    *,
    user: User | None = None,
) -> list[Initiative]:
    """Initiatives made from a portfolio's ideas (choices or the ideas themselves): the idea
    linked, its title and description, its need as the benefit for residents, its waves, the
    version's capabilities of the idea's maturity dimensions, and its costs as budget lines.
    Ideas already in the version are left out, so nothing is added twice."""
    version = _locked_draft(version)
    municipality = version.plan.municipality
    ideas = [choice.idea if isinstance(choice, PortfolioChoice) else choice for choice in choices]
    if any(idea.municipality_id != municipality.pk for idea in ideas):
        raise ValidationError(_("Choose among the ideas of the municipality's portfolio."))
    taken = ideas_in(version)
    by_dimension: dict[str, list[Capability]] = {}
    for capability in version.capabilities.all():
        if capability.dimension:
            by_dimension.setdefault(capability.dimension, []).append(capability)
    years = version.plan.years
    created: list[Initiative] = []
    for idea in ideas:
        if idea.pk in taken:
            continue
        taken.add(idea.pk)
        capabilities = {
            capability.pk: capability
            for key in idea.dimensions
            for capability in by_dimension.get(key, [])
        }
        created.append(
            initiative_create(
                version=version,
                idea=idea,
                title=idea.title,
                description=idea.description,
                citizen_benefit=idea.need,
                budget=budget_from_idea(idea, years),
                waves=[
                    wave for wave in idea.waves.all() if wave.region_id == municipality.region_id
                ],
                capabilities=list(capabilities.values()),
                user=user,
            )
        )
    return created
