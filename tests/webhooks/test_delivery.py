"""Deliveries to a real receiver on 127.0.0.1: signed, retried with backoff, logged, re-sent.

The receiver checks each signature as the README tells a receiving system to, with the secret
shown on the webhook's page. Tests run tasks at once (the immediate backend cannot defer), so a
retry waits until `deliveries_send_due` is called with the time it is due; one test uses a
backend that defers, as django-tasks-db does, and sees the retry enqueued with `run_after`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forandra.municipalities.models import Municipality
from forandra.plans import services as plan_services
from forandra.plans.models import Status
from forandra.webhooks import services, tasks
from forandra.webhooks.models import Attempt, Delivery, DeliveryStatus, Webhook
from tests.conftest import Users
from tests.plans.builders import submitted

from .builders import delivery_for, webhook_for
from .conftest import Received, Receiver, slow

pytestmark = pytest.mark.django_db


def verify(secret: str, request: Received, *, now: float | None = None) -> bool:
    """What a receiving system does (README.md): recompute the HMAC of `<timestamp>.<body>` with
    the secret, compare in constant time, refuse a timestamp more than five minutes off."""
    timestamp = request.header("X-Forandra-Timestamp")
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    received = request.header("X-Forandra-Signature").removeprefix("sha256=")
    fresh = abs((now or timezone.now().timestamp()) - int(timestamp)) <= 300
    return fresh and hmac.compare_digest(expected, received)


@pytest.fixture
def english_client(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _text(html: bytes) -> str:
    """The page's text with tags and runs of white space reduced to single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def decide_a_plan(home: Municipality, users: Users, capture: Any) -> None:
    version = submitted(home)
    with capture(execute=True):
        plan_services.version_decide(
            version=version,
            outcome=Status.APPROVED,
            comment="Beslutat i kommunstyrelsen.",
            decided_on=date(2027, 1, 20),
            user=users.leadership,
        )


def test_a_delivery_is_signed_retried_after_a_500_and_logged(
    english_client: Client,
    users: Users,
    home: Municipality,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = english_client
    client.force_login(users.member)
    added = client.post(
        reverse("webhooks:webhook_list", args=[home.code]),
        {"url": receiver.url("/forandra"), "events": ["plan.decided"], "active": "on"},
    )
    webhook = Webhook.objects.get(municipality=home)
    detail = reverse("webhooks:webhook_detail", args=[home.code, webhook.pk])
    assert added.status_code == 302 and added["Location"] == detail
    # The secret the receiving system is given is the one on the webhook's page.
    assert webhook.secret in client.get(detail).content.decode()
    receiver.answers = [500, 200]

    decide_a_plan(home, users, django_capture_on_commit_callbacks)

    # The first attempt: sent when the decision committed, signed, answered with 500.
    assert len(receiver.received) == 1
    first = receiver.received[0]
    assert first.path == "/forandra"
    assert first.header("Content-Type") == "application/json"
    assert first.header("X-Forandra-Event") == "plan.decided"
    assert verify(webhook.secret, first)
    assert not verify("another-secret", first)
    body = json.loads(first.body)
    assert body["event"] == "plan.decided"
    assert body["municipality"] == {"code": "2404", "name": "Vindeln"}
    assert body["data"]["decision"] == {"outcome": "approved", "decided_on": "2027-01-20"}
    delivery = Delivery.objects.get(webhook=webhook)
    assert first.header("X-Forandra-Delivery") == str(delivery.uuid)
    assert delivery.status == DeliveryStatus.FAILED
    assert (delivery.attempts, delivery.response_code) == (1, 500)
    assert delivery.last_attempt_at is not None and delivery.next_attempt_at is not None
    # The first retry waits a minute after the attempt ended (it took less than WEBHOOKS_TIMEOUT).
    wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(minutes=1) <= wait < timedelta(minutes=1, seconds=settings.WEBHOOKS_TIMEOUT)

    # Not due yet: nothing is sent.
    assert services.deliveries_send_due(now=delivery.next_attempt_at - timedelta(seconds=1)) == 0
    assert len(receiver.received) == 1

    # Due: the second attempt goes out with the same delivery id and body, signed anew.
    assert services.deliveries_send_due(now=delivery.next_attempt_at) == 1
    assert len(receiver.received) == 2
    second = receiver.received[1]
    assert second.header("X-Forandra-Delivery") == str(delivery.uuid)
    assert second.body == first.body
    assert verify(webhook.secret, second)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert (delivery.attempts, delivery.response_code) == (2, 200)
    assert delivery.next_attempt_at is None and delivery.delivered_at is not None
    attempts = list(delivery.attempt_log.order_by("number"))
    assert [(a.number, a.response_code, a.succeeded) for a in attempts] == [
        (1, 500, False),
        (2, 200, True),
    ]
    assert attempts[0].error_code == "http_status"

    # The log on the page: the delivery with its status, attempts and last answer.
    log = _text(client.get(detail).content)
    assert "1 delivery" in log
    assert "A plan is decided plan.decided Delivered 2 200" in log
    # Each attempt, with the receiver's answer and why the first failed.
    page = _text(
        client.get(
            reverse("webhooks:delivery_detail", args=[home.code, webhook.pk, delivery.pk])
        ).content
    )
    assert str(delivery.uuid) in page
    assert re.search(
        r" 1 [^|]{5,30} \d+ ms 500 Failed: The receiver answered with the status 500\.", page
    )
    assert re.search(r" 2 [^|]{5,30} \d+ ms 200 Delivered What is sent", page)


def test_a_retry_is_enqueued_to_run_after_the_backoff_when_the_backend_can_defer(
    home: Municipality, receiver: Receiver, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    webhook = webhook_for(home, url=receiver.url())
    delivery = delivery_for(webhook)
    receiver.answers = [503, 200]

    services.delivery_attempt(delivery_id=delivery.pk, number=1)

    delivery.refresh_from_db()
    backend = tasks.deliver.get_backend()
    [queued] = backend.results  # type: ignore[attr-defined]
    assert queued.task.run_after == delivery.next_attempt_at
    assert queued.args == [delivery.pk, 2, False]
    # The worker runs it when it is due.
    queued.task.call(*queued.args)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [request.path for request in receiver.received] == ["/hook", "/hook"]


def test_the_backoff_grows_and_the_delivery_gives_up_after_the_last_attempt(
    home: Municipality, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOKS_MAX_ATTEMPTS = 4
    webhook = webhook_for(home, url=receiver.url())
    delivery = delivery_for(webhook)
    receiver.answers = [500, 500, 500, 500, 200]
    waits = []
    services.deliveries_send_due()
    for _ in range(3):
        delivery.refresh_from_db()
        assert delivery.next_attempt_at is not None and delivery.last_attempt_at is not None
        # The wait, counted from the end of the attempt, to the whole minute.
        wait = delivery.next_attempt_at - delivery.last_attempt_at
        waits.append(timedelta(minutes=wait // timedelta(minutes=1)))
        services.deliveries_send_due(now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.GAVE_UP,
        4,
        None,
    )
    assert services.deliveries_send_due(now=timezone.now() + timedelta(days=30)) == 0
    assert len(receiver.received) == 4


def test_send_again_makes_one_more_attempt_with_the_same_delivery_id(
    english_client: Client,
    users: Users,
    home: Municipality,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    webhook = webhook_for(home, url=receiver.url())
    delivery = delivery_for(webhook)
    services.delivery_attempt(delivery_id=delivery.pk, number=1)
    english_client.force_login(users.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = english_client.post(
            reverse("webhooks:delivery_resend", args=[home.code, webhook.pk, delivery.pk])
        )

    assert response.status_code == 302
    ids = [request.header("X-Forandra-Delivery") for request in receiver.received]
    assert ids == [str(delivery.uuid), str(delivery.uuid)]
    assert all(verify(webhook.secret, request) for request in receiver.received)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)
    assert list(delivery.attempt_log.values_list("number", "manual")) == [(1, False), (2, True)]


def test_a_scheduled_retry_that_meets_a_resend_sends_once(
    home: Municipality, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    webhook = webhook_for(home, url=receiver.url())
    delivery = delivery_for(webhook)
    receiver.answers = [500]
    services.delivery_attempt(delivery_id=delivery.pk, number=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_resend(delivery=delivery)  # attempt 2, by hand

    # The retry scheduled after the 500 (also attempt 2) comes too late, and so does a task
    # that the worker runs twice.
    assert tasks.deliver.call(delivery.pk, 2, False)["skipped"] is True
    assert tasks.deliver.call(delivery.pk, 1, False)["skipped"] is True
    assert len(receiver.received) == 2
    assert Attempt.objects.filter(delivery=delivery).count() == 2


def test_a_test_event_is_sent_and_logged(
    english_client: Client,
    users: Users,
    home: Municipality,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    webhook = webhook_for(home, url=receiver.url("/ping"), events=["round.closed"])
    english_client.force_login(users.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = english_client.post(
            reverse("webhooks:webhook_test", args=[home.code, webhook.pk])
        )

    assert response.status_code == 302
    [request] = receiver.received
    assert request.header("X-Forandra-Event") == "ping"
    assert verify(webhook.secret, request)
    assert Delivery.objects.get(webhook=webhook).status == DeliveryStatus.SUCCEEDED


def test_an_inactive_webhook_sends_nothing_not_even_a_retry(
    home: Municipality, receiver: Receiver
) -> None:
    webhook = webhook_for(home, url=receiver.url())
    delivery = delivery_for(webhook)
    receiver.answers = [500]
    services.delivery_attempt(delivery_id=delivery.pk, number=1)
    Webhook.objects.filter(pk=webhook.pk).update(active=False)

    assert services.deliveries_send_due(now=timezone.now() + timedelta(days=1)) == 0
    assert services.delivery_attempt(delivery_id=delivery.pk, number=2) is None
    assert len(receiver.received) == 1


def test_a_redirect_is_not_followed(home: Municipality, receiver: Receiver, english: None) -> None:
    webhook = webhook_for(home, url=receiver.url())
    delivery = delivery_for(webhook)
    receiver.answers = [302]

    attempt = services.delivery_attempt(delivery_id=delivery.pk, number=1)

    assert attempt is not None
    assert (attempt.response_code, attempt.error_code) == (302, "redirect")
    assert [request.path for request in receiver.received] == ["/hook"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_a_receiver_that_does_not_answer_in_time_fails_the_attempt(
    home: Municipality, receiver: Receiver, settings: Any, english: None
) -> None:
    settings.WEBHOOKS_TIMEOUT = 0.3
    webhook = webhook_for(home, url=receiver.url())
    delivery = delivery_for(webhook)
    receiver.answers = [slow(1.5)]

    attempt = services.delivery_attempt(delivery_id=delivery.pk, number=1)

    assert attempt is not None
    assert (attempt.response_code, attempt.error_code) == (None, "timeout")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_a_closed_port_is_logged_as_a_refused_connection(
    home: Municipality, allow_loopback: None
) -> None:
    webhook = webhook_for(home, url="http://127.0.0.1:9/hook")  # discard: nothing listens
    delivery = delivery_for(webhook)

    attempt = services.delivery_attempt(delivery_id=delivery.pk, number=1)

    assert attempt is not None
    assert attempt.error_code == "connection_refused"
    assert attempt.response_code is None


def test_the_readme_shows_a_receiver_how_to_verify_a_delivery(
    home: Municipality, receiver: Receiver
) -> None:
    readme = (Path(services.__file__).parent / "README.md").read_text()
    snippet = readme.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # noqa: S102 (the README's own example, run as a receiver would)
    webhook = webhook_for(home, url=receiver.url())
    services.delivery_attempt(delivery_id=delivery_for(webhook).pk, number=1)
    [request] = receiver.received

    assert namespace["verify"](webhook.secret, request.headers, request.body) is True
    assert namespace["verify"]("wrong", request.headers, request.body) is False
    assert namespace["verify"](webhook.secret, request.headers, request.body + b" ") is False
