"""Helpers for the plan tests: plans of a municipality built through the services."""

from __future__ import annotations

from datetime import date

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality
from forandra.plans import services
from forandra.plans.models import BudgetKind, Initiative, Plan, PlanVersion, Status


def make_plan(municipality: Municipality, user: User | None = None, **options: object) -> Plan:
    """A plan for 2027-2029 with an empty first draft."""
    fields: dict[str, object] = {"title": "Digital omställning 2027–2029"}
    fields |= {"first_year": 2027, "last_year": 2029} | options
    return services.plan_create(municipality=municipality, user=user, **fields)  # type: ignore[arg-type]


def add_initiative(
    version: PlanVersion, title: str = "E-tjänst för bygglov", owner: str = "Samhällsbyggnad"
) -> Initiative:
    """An initiative with an owner, dates and a budget that includes innovation."""
    initiative = Initiative.objects.create(
        version=version,
        title=title,
        owner=owner,
        start=date(2027, 2, 1),
        end=date(2027, 11, 30),
        first_step="Kartlägg dagens ansökningar.",
        citizen_benefit="Besked på dagar i stället för veckor.",
    )
    services.set_budget(
        initiative=initiative,
        amounts=[
            (2027, BudgetKind.INVESTMENT, 200_000),
            (2027, BudgetKind.INNOVATION, 50_000),
            (2028, BudgetKind.OPERATIONS, 30_000),
        ],
    )
    return initiative


def complete_draft(municipality: Municipality, user: User | None = None) -> PlanVersion:
    """A plan whose first draft can be submitted."""
    version = services.current_version(make_plan(municipality, user))
    add_initiative(version)
    return version


def submitted(municipality: Municipality, user: User | None = None) -> PlanVersion:
    return services.version_submit(version=complete_draft(municipality, user), user=user)


def decided(
    municipality: Municipality, outcome: str = Status.APPROVED, user: User | None = None
) -> PlanVersion:
    """A submitted plan with leadership's decision (approved unless told otherwise)."""
    version = submitted(municipality, user)
    services.version_decide(
        version=version,
        outcome=outcome,
        comment="Beslutat i kommunledningsgruppen.",
        decided_on=date(2027, 1, 20),
        user=user,
    )
    version.refresh_from_db()
    return version
