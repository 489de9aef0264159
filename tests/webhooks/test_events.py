"""The real services emit the events: deciding a plan, closing a round, proposing an idea. Each
reaches only the active webhooks of that municipality that subscribe to it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from forandra.ideas import services as idea_services
from forandra.maturity import services as maturity_services
from forandra.maturity.models import Mode
from forandra.municipalities.models import Municipality
from forandra.plans import services as plan_services
from forandra.plans.models import Status
from forandra.webhooks.models import Delivery
from tests.plans.builders import submitted

from .builders import webhook_for
from .conftest import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(home: Municipality, neighbour: Municipality, receiver: Receiver) -> Receiver:
    """Webhooks whose paths name them: in the home municipality one for plans, one for rounds
    and ideas, one for everything but turned off; in the neighbour one for everything."""
    webhook_for(home, url=receiver.url("/home-plans"), events=["plan.decided"])
    webhook_for(
        home, url=receiver.url("/home-rounds-ideas"), events=["round.closed", "idea.proposed"]
    )
    webhook_for(home, url=receiver.url("/home-off"), active=False)
    webhook_for(neighbour, url=receiver.url("/neighbour-all"))
    return receiver


def sent(receiver: Receiver) -> list[tuple[str, str]]:
    return sorted((r.path, r.header("X-Forandra-Event")) for r in receiver.received)


def test_deciding_a_plan_reaches_the_webhooks_subscribed_to_plans(
    home: Municipality, hooks: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    version = submitted(home)
    with django_capture_on_commit_callbacks(execute=True):
        decision = plan_services.version_decide(
            version=version,
            outcome=Status.RETURNED,
            comment="Tillbaka till gruppen.",
            decided_on=date(2027, 2, 1),
            user=None,
        )

    assert sent(hooks) == [("/home-plans", "plan.decided")]
    data = json.loads(hooks.received[0].body)["data"]
    assert data == {
        "plan": {"id": version.plan_id, "title": version.plan.title},
        "version": {"id": version.pk, "number": 1},
        "decision": {"outcome": decision.outcome, "decided_on": "2027-02-01"},
    }


def test_closing_a_round_reaches_the_webhooks_subscribed_to_rounds_once(
    home: Municipality, hooks: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    round_ = maturity_services.round_open(
        municipality=home, mode=Mode.SURVEY, title="Enkät 2027", opened_on=date(2027, 3, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        maturity_services.round_close(round_=round_)
        maturity_services.round_close(round_=round_)  # already closed: no second event

    assert sent(hooks) == [("/home-rounds-ideas", "round.closed")]
    data = json.loads(hooks.received[0].body)["data"]["round"]
    assert (data["id"], data["mode"], data["responses"]) == (round_.pk, "survey", 0)


def test_a_residents_proposal_reaches_the_webhooks_subscribed_to_ideas_without_the_e_mail(
    home: Municipality, hooks: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        proposal = idea_services.proposal_submit(
            municipality=home,
            client="192.0.2.1",
            title="Belysning på skolvägen",
            need="Det är mörkt på vintern.",
            email="boende@example.org",
        )

    assert sent(hooks) == [("/home-rounds-ideas", "idea.proposed")]
    body = hooks.received[0].body.decode()
    assert "@" not in body and "mörkt" not in body
    assert proposal.idea is not None
    assert json.loads(body)["data"]["idea"] == {
        "id": proposal.idea.pk,
        "title": "Belysning på skolvägen",
        "source": "citizen",
        "status": "new",
        "moderation": "pending",
    }


def test_an_idea_the_group_adds_is_proposed_too(
    home: Municipality, hooks: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_create(
            municipality=home, created_by=None, title="Chattbot", need="Frågor på kvällen."
        )

    assert sent(hooks) == [("/home-rounds-ideas", "idea.proposed")]


def test_an_event_that_is_rolled_back_leaves_no_delivery(
    home: Municipality, hooks: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    # The proposal is refused after its idea was written (the e-mail address is not valid):
    # the whole write is undone, the delivery with it, and nothing is sent.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        idea_services.proposal_submit(
            municipality=home, client="192.0.2.2", title="Ny idé", need="Behov", email="inte-en"
        )

    assert not Delivery.objects.exists()
    assert hooks.received == []


def test_an_event_of_another_municipality_reaches_only_its_webhooks(
    neighbour: Municipality, hooks: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_create(
            municipality=neighbour, created_by=None, title="Lånecykel", need="Att ta sig fram."
        )

    assert sent(hooks) == [("/neighbour-all", "idea.proposed")]
