"""Everything that changes a plan goes through here, so the rules hold for every way in (pages,
crafted POSTs, the API, the command line): only a draft changes; a submitted plan has an
initiative, an owner for each and an innovation budget line; a decision is leadership's and
only on a submitted version; a new version is a full copy of the last one.

Permissions are checked by the callers (core.permissions); these functions check state.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from forandra.webhooks import events as webhook_events

from .models import (
    DECIDED,
    FOLLOWED,
    BudgetKind,
    BudgetLine,
    Capability,
    CheckIn,
    Decision,
    Initiative,
    Plan,
    PlanVersion,
    Section,
    Status,
    Step,
)

if TYPE_CHECKING:
    from forandra.accounts.models import User
    from forandra.municipalities.models import Municipality


class PlanStateError(Exception):
    """The plan is not in a state that allows this; the message says why, for the user."""


class PlanFrozenError(PlanStateError):
    """The version is no longer a draft, so it cannot be edited."""


def ensure_editable(version: PlanVersion) -> None:
    """Refuse any change to a version that is not a draft (fresh from the database, so a stale
    object in hand cannot slip past a decision made meanwhile)."""
    status = PlanVersion.objects.values_list("status", flat=True).get(pk=version.pk)
    if status != Status.DRAFT:
        raise PlanFrozenError(
            _(
                "Version %(number)s is %(status)s and can no longer be changed. "
                "Start a new version to make changes."
            )
            % {"number": version.number, "status": Status(status).label.lower()}
        )


@transaction.atomic
def plan_create(
    *, municipality: Municipality, title: str, first_year: int, last_year: int, user: User | None
) -> Plan:
    """A new plan with an empty first draft: the eight steps' sections, nothing else."""
    plan = Plan.objects.create(
        municipality=municipality,
        title=title,
        first_year=first_year,
        last_year=last_year,
        created_by=user,
    )
    version = PlanVersion.objects.create(plan=plan, number=1, created_by=user)
    bulk_create_with_history([Section(version=version, step=step) for step in Step.values], Section)
    return plan


def current_version(plan: Plan) -> PlanVersion:
    """The plan's latest version: the one the group works on or leadership decides on."""
    latest = plan.versions.order_by("-number").first()
    if latest is None:
        raise PlanStateError(_("The plan has no version."))
    return latest


@transaction.atomic
def version_new(*, plan: Plan, user: User | None) -> PlanVersion:
    """A new draft, a full copy of the latest version (sections, capabilities, initiatives with
    their budget lines, waves, capabilities and partners). Refused while a draft or a submitted
    version waits: there is one version in the works at a time."""
    Plan.objects.select_for_update().get(pk=plan.pk)
    latest = current_version(plan)
    if latest.status in (Status.DRAFT, Status.SUBMITTED):
        raise PlanStateError(
            _("Version %(number)s is still %(status)s; there is one version in the works.")
            % {"number": latest.number, "status": latest.get_status_display().lower()}
        )
    number = (plan.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        based_on=latest,
        leadership_check=latest.leadership_check,
        created_by=user,
    )
    copy_content(source=latest, target=version)
    return version


def copy_content(*, source: PlanVersion, target: PlanVersion) -> None:
    """Copy sections, capabilities and initiatives (keeping each initiative's key)."""
    bulk_create_with_history(
        [Section(version=target, step=s.step, text=s.text) for s in source.sections.all()],
        Section,
    )
    capability_map: dict[int, Capability] = {}
    for capability in source.capabilities.all():
        old_pk = capability.pk
        capability.pk = None
        capability.version = target
        capability.save()
        capability_map[old_pk] = capability
    initiatives = source.initiatives.prefetch_related(
        "budget_lines", "waves", "capabilities", "collaborating"
    )
    for initiative in initiatives:
        lines = list(initiative.budget_lines.all())
        waves = list(initiative.waves.all())
        capabilities = [capability_map[c.pk] for c in initiative.capabilities.all()]
        partners = list(initiative.collaborating.all())
        initiative.pk = None
        initiative.version = target
        initiative.save()
        bulk_create_with_history(
            [
                BudgetLine(
                    initiative=initiative, year=line.year, kind=line.kind, amount=line.amount
                )
                for line in lines
            ],
            BudgetLine,
        )
        # add(), not set(): set() would compare with the prefetched rows of the old initiative.
        initiative.waves.add(*waves)
        initiative.capabilities.add(*capabilities)
        initiative.collaborating.add(*partners)


def missing_for_submission(version: PlanVersion) -> list[str]:
    """What a version lacks before it can be submitted, each as a sentence for the group; empty
    when it is complete."""
    missing: list[str] = []
    initiatives = list(version.initiatives.all())
    if not initiatives:
        missing.append(_("The plan has no initiative: add at least one."))
    for initiative in initiatives:
        if not initiative.owner.strip():
            missing.append(
                _("The initiative “%(title)s” has no owner.") % {"title": initiative.title}
            )
    has_innovation = BudgetLine.objects.filter(
        initiative__version=version, kind=BudgetKind.INNOVATION, amount__gt=0
    ).exists()
    if not has_innovation:
        missing.append(
            _(
                "The budget has no innovation line: give at least one initiative an innovation "
                "amount for some year."
            )
        )
    return missing


@transaction.atomic
def version_submit(*, version: PlanVersion, user: User | None) -> PlanVersion:
    """Submit a complete draft to leadership; it is frozen from now on."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    missing = missing_for_submission(version)
    if missing:
        raise PlanStateError(" ".join(missing))
    version.status = Status.SUBMITTED
    version.submitted_at = timezone.now()
    version.submitted_by = user
    version.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    return version


@transaction.atomic
def version_withdraw(*, version: PlanVersion) -> PlanVersion:
    """Take a submitted version back to a draft before leadership has decided."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.SUBMITTED:
        raise PlanStateError(_("Only a submitted version that is not decided can be withdrawn."))
    version.status = Status.DRAFT
    version.submitted_at = None
    version.submitted_by = None
    version.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    return version


@transaction.atomic
def version_decide(
    *,
    version: PlanVersion,
    outcome: str,
    comment: str,
    decided_on: datetime.date,
    user: User | None,
) -> Decision:
    """Leadership's decision on a submitted version: approved, approved with changes or
    returned, with a comment and a date."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.SUBMITTED:
        raise PlanStateError(_("Only a submitted version can be decided on."))
    if outcome not in DECIDED:
        raise PlanStateError(_("Unknown decision."))
    decision = Decision.objects.create(
        version=version, outcome=outcome, comment=comment, decided_on=decided_on, decided_by=user
    )
    version.status = outcome
    version.save(update_fields=["status", "updated_at"])
    if outcome != Status.RETURNED:
        # The approved version replaces an earlier one still followed up: that one is closed.
        for earlier in version.plan.versions.filter(status__in=FOLLOWED).exclude(pk=version.pk):
            earlier.status = Status.CLOSED
            earlier.save(update_fields=["status", "updated_at"])
    webhook_events.plan_decided(decision=decision)
    return decision


@transaction.atomic
def check_in(
    *,
    initiative: Initiative,
    checked_on: datetime.date,
    light: str,
    narrative: str,
    next_step: str,
    next_step_due: datetime.date | None,
    user: User | None,
) -> CheckIn:
    """Record a check-in on an initiative of an approved plan; the first one starts the
    follow-up (the version goes from approved to in progress)."""
    version = PlanVersion.objects.select_for_update().get(pk=initiative.version_id)
    if version.status not in FOLLOWED:
        raise PlanStateError(_("Check-ins are made on an approved plan that is not closed."))
    entry = CheckIn.objects.create(
        initiative=initiative,
        checked_on=checked_on,
        light=light,
        narrative=narrative,
        next_step=next_step,
        next_step_due=next_step_due,
        created_by=user,
    )
    if version.status != Status.IN_PROGRESS:
        version.status = Status.IN_PROGRESS
        version.save(update_fields=["status", "updated_at"])
    return entry


@transaction.atomic
def version_close(*, version: PlanVersion) -> PlanVersion:
    """End the follow-up of an approved plan (its period is over, or a new plan replaces it)."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.status not in FOLLOWED:
        raise PlanStateError(_("Only an approved plan can be closed."))
    version.status = Status.CLOSED
    version.save(update_fields=["status", "updated_at"])
    return version


def set_budget(
    *, initiative: Initiative, amounts: Iterable[tuple[int, str, int]]
) -> list[BudgetLine]:
    """Replace an initiative's budget with (year, kind, amount) lines; zero amounts are left
    out."""
    ensure_editable(initiative.version)
    with transaction.atomic():
        initiative.budget_lines.all().delete()
        lines: list[BudgetLine] = bulk_create_with_history(
            [
                BudgetLine(initiative=initiative, year=year, kind=kind, amount=amount)
                for year, kind, amount in amounts
                if amount
            ],
            BudgetLine,
        )
        return lines
