"""The events other apps emit, and their payloads.

Each domain service calls one function here after its write: `plan_decided`, `round_closed`,
`idea_proposed`. The deliveries are written in the caller's transaction (an event that is rolled
back leaves no delivery) and sent once it commits, in the background. Payloads are small: ids,
titles, states and dates the municipality owns; never an e-mail address, a name of a person or a
survey answer. A receiver that needs more reads it through the API with the ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .models import Event
from .services import deliveries_create

if TYPE_CHECKING:
    from forandra.ideas.models import Idea
    from forandra.maturity.models import Round
    from forandra.municipalities.models import Municipality
    from forandra.plans.models import Decision


def envelope(*, municipality: Municipality, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """The body every event shares: what happened, when, where, and the event's own data."""
    return {
        "event": event,
        "occurred_at": timezone.now().isoformat(),
        "municipality": {"code": municipality.code, "name": municipality.name},
        "data": data,
    }


def emit(*, municipality: Municipality, event: str, data: dict[str, Any]) -> int:
    """Queue a delivery of the event to each active webhook of the municipality that subscribes
    to it; how many were queued."""
    payload = envelope(municipality=municipality, event=event, data=data)
    return len(deliveries_create(municipality=municipality, event=event, payload=payload))


def plan_decided(*, decision: Decision) -> int:
    """Leadership decided on a plan version: approved, approved with changes, or returned."""
    version = decision.version
    plan = version.plan
    return emit(
        municipality=plan.municipality,
        event=Event.PLAN_DECIDED,
        data={
            "plan": {"id": plan.pk, "title": plan.title},
            "version": {"id": version.pk, "number": version.number},
            "decision": {
                "outcome": decision.outcome,
                "decided_on": decision.decided_on.isoformat(),
            },
        },
    )


def round_closed(*, round_: Round) -> int:
    """A maturity round was closed: its results are final."""
    closed_at = round_.closed_at or timezone.now()
    return emit(
        municipality=round_.municipality,
        event=Event.ROUND_CLOSED,
        data={
            "round": {
                "id": round_.pk,
                "title": round_.title,
                "mode": round_.mode,
                "opened_on": round_.opened_on.isoformat(),
                "closed_at": closed_at.isoformat(),
                "responses": round_.response_count,
            }
        },
    )


def idea_proposed(*, idea: Idea) -> int:
    """An idea entered the bank: added by the group, or proposed by a resident (then pending
    moderation). Only the title goes out, not the proposer's text or contact."""
    return emit(
        municipality=idea.municipality,
        event=Event.IDEA_PROPOSED,
        data={
            "idea": {
                "id": idea.pk,
                "title": idea.title,
                "source": idea.source,
                "status": idea.status,
                "moderation": idea.moderation,
            }
        },
    )
