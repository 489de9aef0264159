"""Reads for the follow-up of a decided plan: each initiative's check-ins, and the leadership's
overview of the latest check-in per initiative and of what is overdue.

Follow-up is trust-based (Tillitsdelegationen): the group is asked for little, a short story, a
traffic light and the next step. "Overdue" is therefore only a prompt for a conversation, and
has three plain rules (`overdue_for`).

Check-ins belong to one initiative row, but an initiative keeps its `key` from version to
version, so the check-ins of an initiative are those of every row with its key in the plan: the
story goes on when a new version of the plan is approved.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from forandra.municipalities.models import Municipality

from .models import FOLLOWED, CheckIn, Decision, Initiative, Plan, PlanVersion, Status

#: An initiative is overdue when it has had no check-in for longer than this (about a quarter).
QUIET_DAYS = 92


class Reason:
    """Why an initiative is overdue; the templates phrase each in the reader's language."""

    NEXT_STEP = "next_step"  # the latest check-in's "next step by" date has passed
    QUIET = "quiet"  # no check-in for more than QUIET_DAYS
    ENDED = "ended"  # its end date has passed while the plan is still followed


@dataclass(frozen=True)
class Overdue:
    reason: str  # one of Reason
    since: datetime.date  # the date it refers to: the due date, the last news, the end date
    days: int  # how many days ago that was


@dataclass
class InitiativeFollowUp:
    """One initiative under follow-up: its check-ins (newest first) and what is overdue."""

    initiative: Initiative
    check_ins: list[CheckIn] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)

    @property
    def latest(self) -> CheckIn | None:
        return self.check_ins[0] if self.check_ins else None


@dataclass
class PlanFollowUp:
    """A followed plan in the leadership's overview: its version and its initiatives."""

    plan: Plan
    version: PlanVersion
    initiatives: list[InitiativeFollowUp]

    @property
    def overdue(self) -> list[InitiativeFollowUp]:
        return [item for item in self.initiatives if item.overdue]


def decision_of(version: PlanVersion) -> Decision | None:
    """The version's decision, or None (no query when it was fetched with select_related)."""
    try:
        return version.decision
    except Decision.DoesNotExist:
        return None


def overdue_for(
    *,
    initiative: Initiative,
    latest: CheckIn | None,
    decided_on: datetime.date | None,
    status: str,
    today: datetime.date,
) -> list[Overdue]:
    """What is overdue for an initiative of a version with `status`, decided on `decided_on`:
    its latest check-in's next step is past its date; it has had no check-in for more than
    QUIET_DAYS since the decision, its start or its latest check-in (whichever is latest); its
    end date has passed while the plan is still followed (approved or in progress, not closed).
    Nothing is overdue on a plan that is not followed."""
    if status not in FOLLOWED:
        return []
    found: list[Overdue] = []
    if latest is not None and latest.next_step_due is not None and latest.next_step_due < today:
        due = latest.next_step_due
        found.append(Overdue(Reason.NEXT_STEP, due, (today - due).days))
    news = [d for d in (decided_on, initiative.start, latest and latest.checked_on) if d]
    if news:
        since = max(news)
        if (today - since).days > QUIET_DAYS:
            found.append(Overdue(Reason.QUIET, since, (today - since).days))
    if initiative.end is not None and initiative.end < today:
        found.append(Overdue(Reason.ENDED, initiative.end, (today - initiative.end).days))
    return found


def followed_version(plan: Plan) -> PlanVersion | None:
    """The version of the plan that is followed up: the latest approved or in progress one, or
    else the latest closed one (its check-ins stay readable); None before any approval."""
    versions = (
        PlanVersion.objects.filter(plan=plan)
        .select_related("decision__decided_by")
        .order_by("-number")
    )
    following = versions.filter(status__in=FOLLOWED).first()
    if following is None:
        following = versions.filter(status=Status.CLOSED).first()
    if following is not None:
        following.plan = plan
    return following


def follow_up(*, version: PlanVersion, today: datetime.date) -> list[InitiativeFollowUp]:
    """The version's initiatives, each with all its check-ins in the plan (newest first) and
    what is overdue. Two queries."""
    initiatives = list(version.initiatives.all())
    items = {initiative.key: InitiativeFollowUp(initiative) for initiative in initiatives}
    check_ins = (
        CheckIn.objects.filter(
            initiative__version__plan_id=version.plan_id, initiative__key__in=items
        )
        .select_related("created_by", "initiative")
        .order_by("-checked_on", "-pk")
    )
    for entry in check_ins:
        items[entry.initiative.key].check_ins.append(entry)
    decision = decision_of(version)
    for item in items.values():
        item.overdue = overdue_for(
            initiative=item.initiative,
            latest=item.latest,
            decided_on=decision.decided_on if decision else None,
            status=version.status,
            today=today,
        )
    return list(items.values())


def leadership_overview(*, municipality: Municipality, today: datetime.date) -> list[PlanFollowUp]:
    """Every followed plan of the municipality (its latest approved or in-progress version),
    each initiative with its latest check-in and what is overdue. Three queries, however many
    plans and initiatives there are."""
    versions: dict[int, PlanVersion] = {}
    for version in (
        PlanVersion.objects.filter(plan__municipality=municipality, status__in=FOLLOWED)
        .select_related("plan", "decision")
        .order_by("plan__title", "plan_id", "-number")
    ):
        versions.setdefault(version.plan_id, version)
    if not versions:
        return []
    latest_pk = (
        CheckIn.objects.filter(
            initiative__version__plan_id=OuterRef("version__plan_id"),
            initiative__key=OuterRef("key"),
        )
        .order_by("-checked_on", "-pk")
        .values("pk")[:1]
    )
    initiatives = list(
        Initiative.objects.filter(version__in=list(versions.values())).annotate(
            latest_check_in=Subquery(latest_pk)
        )
    )
    wanted = [i.latest_check_in for i in initiatives if i.latest_check_in]
    latest = CheckIn.objects.select_related("created_by").in_bulk(wanted) if wanted else {}
    by_pk = {version.pk: version for version in versions.values()}
    by_version: dict[int, list[InitiativeFollowUp]] = {pk: [] for pk in by_pk}
    for initiative in initiatives:
        version = by_pk[initiative.version_id]
        entry = latest.get(initiative.latest_check_in)
        decision = decision_of(version)
        item = InitiativeFollowUp(initiative, [entry] if entry else [])
        item.overdue = overdue_for(
            initiative=initiative,
            latest=entry,
            decided_on=decision.decided_on if decision else None,
            status=version.status,
            today=today,
        )
        by_version[version.pk].append(item)
    return [
        PlanFollowUp(version.plan, version, by_version[version.pk]) for version in versions.values()
    ]
