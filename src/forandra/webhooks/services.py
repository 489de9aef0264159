"""Writes for webhooks: the webhooks themselves, queueing deliveries, and each attempt.

A delivery is tried at once when its event commits, then, while it fails, again after 1 min,
5 min, 30 min, 2 h and 12 h (then every 12 h) until WEBHOOKS_MAX_ATTEMPTS attempts in all; then
it gives up. Each attempt is its own background task, enqueued with `run_after` when the task
backend can defer (django-tasks-db can; the tests' immediate backend cannot, so there a retry
waits until `deliveries_send_due` is called, which is how a test drives it).

An attempt claims its number first (`attempts` goes from n - 1 to n in one UPDATE), so a task
run twice, or a scheduled retry that meets a re-send made by hand, sends once.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality

from . import send
from .models import (
    OPEN,
    STALE,
    SUBSCRIBABLE,
    Attempt,
    Delivery,
    DeliveryStatus,
    Event,
    Webhook,
    new_secret,
)
from .targets import TargetError, target_check

# Seconds to wait after the nth failed attempt (the last one repeats).
BACKOFF = (60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600)


def max_attempts() -> int:
    """How many attempts a delivery gets, the first included."""
    return max(1, int(getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", 6)))


def backoff(failed_attempts: int) -> datetime.timedelta:
    """How long to wait after this many failed attempts before the next one."""
    index = min(max(failed_attempts, 1), len(BACKOFF)) - 1
    return datetime.timedelta(seconds=BACKOFF[index])


# --- Webhooks ------------------------------------------------------------------------------------


def _clean(*, url: str, events: Sequence[str]) -> tuple[str, list[str]]:
    errors: dict[str, list[str]] = {}
    address = ""
    try:
        address = target_check(url)
    except TargetError as error:
        errors["url"] = [error.reason]
    chosen = [str(event) for event in SUBSCRIBABLE if event in set(events)]
    if len(chosen) != len(set(events)):
        errors["events"] = [_("Choose among the events offered.")]
    elif not chosen:
        errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise ValidationError(errors)
    return address, chosen


def _saved(webhook: Webhook, **save: Any) -> Webhook:
    try:
        with transaction.atomic():
            webhook.save(**save)
    except IntegrityError:
        raise ValidationError(
            {"url": _("The municipality already has a webhook with this address.")}
        ) from None
    return webhook


def webhook_create(
    *,
    municipality: Municipality,
    url: str,
    events: Sequence[str],
    active: bool = True,
    created_by: User | None = None,
) -> Webhook:
    """Register an address for events; refused (ValidationError) unless it is a public one."""
    address, chosen = _clean(url=url, events=events)
    webhook = Webhook(
        municipality=municipality,
        url=address,
        events=chosen,
        active=active,
        created_by=created_by,
    )
    return _saved(webhook)


def webhook_update(*, webhook: Webhook, url: str, events: Sequence[str], active: bool) -> Webhook:
    """Change a webhook's address, events or whether it is on; the address is checked again."""
    address, chosen = _clean(url=url, events=events)
    webhook.url, webhook.events, webhook.active = address, chosen, active
    return _saved(webhook, update_fields=["url", "events", "active", "updated_at"])


def webhook_delete(*, webhook: Webhook) -> None:
    """Remove a webhook with its delivery log; queued attempts then find nothing to send."""
    webhook.delete()


def webhook_secret_rotate(*, webhook: Webhook) -> Webhook:
    """Give the webhook a new secret; deliveries are signed with it from now on."""
    webhook.secret = new_secret()
    webhook.secret_rotated_at = timezone.now()
    webhook.save(update_fields=["secret", "secret_rotated_at", "updated_at"])
    return webhook


# --- Deliveries ----------------------------------------------------------------------------------


def _enqueue(delivery_id: int, number: int, *, manual: bool = False) -> None:
    from . import tasks  # tasks imports this module

    tasks.deliver.enqueue(delivery_id, number, manual)


def _enqueue_on_commit(delivery_id: int, number: int, *, manual: bool = False) -> None:
    transaction.on_commit(lambda: _enqueue(delivery_id, number, manual=manual), robust=True)


def deliveries_create(
    *, municipality: Municipality, event: str, payload: dict[str, Any]
) -> list[Delivery]:
    """A delivery of the event for each active webhook of the municipality subscribed to it,
    written now (in the caller's transaction) and sent once that commits."""
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(municipality=municipality, active=True).only(
            "pk", "events"
        )
        if webhook.subscribes(event)
    ]
    if not webhooks:
        return []
    now = timezone.now()
    deliveries = [
        Delivery(webhook=webhook, event=event, payload=payload, next_attempt_at=now)
        for webhook in webhooks
    ]
    with transaction.atomic():
        created = Delivery.objects.bulk_create(deliveries)
    # bulk_create sets primary keys on SQLite and PostgreSQL; read them back anyway if not.
    if any(delivery.pk is None for delivery in created):
        uuids = [delivery.uuid for delivery in created]
        created = list(Delivery.objects.filter(uuid__in=uuids))
    for delivery in created:
        _enqueue_on_commit(delivery.pk, 1)
    return created


def _ensure_active(webhook: Webhook) -> None:
    """Nothing is sent by hand through a webhook that is turned off."""
    if not webhook.active:
        raise ValidationError(_("The webhook is turned off. Turn it on to send events."))


def webhook_test(*, webhook: Webhook) -> Delivery:
    """Send a test event ("ping") to the webhook now, logged like any delivery."""
    from .events import envelope  # events imports this module

    _ensure_active(webhook)
    payload = envelope(
        municipality=webhook.municipality,
        event=Event.PING,
        data={"message": "This is a test event from Förändra.", "webhook": webhook.pk},
    )
    delivery = Delivery.objects.create(
        webhook=webhook, event=Event.PING, payload=payload, next_attempt_at=timezone.now()
    )
    _enqueue_on_commit(delivery.pk, 1, manual=True)
    return delivery


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> Delivery:
    """Send a delivery again now, whatever its state: one more attempt, with the same id."""
    _ensure_active(delivery.webhook)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at is None:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "next_attempt_at"])
    _enqueue_on_commit(delivery.pk, delivery.attempts + 1, manual=True)
    return delivery


def deliveries_send_due(*, now: datetime.datetime | None = None) -> int:
    """Enqueue the next attempt of every open delivery that is due at `now` (or was cut off);
    how many. With a backend that defers, retries are enqueued already: this catches the rest."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at=None, last_attempt_at__lt=now - STALE),
        status__in=OPEN,
        webhook__active=True,
    ).values_list("pk", "attempts")
    count = 0
    for pk, attempts in due:
        _enqueue(pk, attempts + 1)
        count += 1
    return count


def _claim(delivery_id: int, number: int, manual: bool) -> Attempt | None:
    """Take attempt `number` of the delivery, or None if it is not this attempt's turn (another
    ran it, the delivery is done, or its webhook is off or gone)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Delivery.objects.filter(
            pk=delivery_id, attempts=number - 1, status__in=OPEN, webhook__active=True
        ).update(attempts=number, last_attempt_at=now, next_attempt_at=None)
        if not claimed:
            return None
        return Attempt.objects.create(
            delivery_id=delivery_id, number=number, manual=manual, started_at=now
        )


def delivery_attempt(*, delivery_id: int, number: int, manual: bool = False) -> Attempt | None:
    """Make attempt `number` of a delivery: post it, log the answer, and schedule the next
    attempt if it failed and attempts remain. None if it was not this attempt's turn."""
    attempt = _claim(delivery_id, number, manual)
    if attempt is None:
        return None
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    outcome = send.post(
        url=delivery.webhook.url,
        secret=delivery.webhook.secret,
        event=delivery.event,
        delivery_id=str(delivery.uuid),
        payload=delivery.payload,
    )
    now = timezone.now()
    attempt.duration_ms = outcome.duration_ms
    attempt.response_code = outcome.status
    attempt.succeeded = outcome.succeeded
    attempt.error_code = outcome.error_code
    attempt.error_params = outcome.error_params
    retry_at: datetime.datetime | None = None
    if outcome.succeeded:
        status = DeliveryStatus.SUCCEEDED
    elif number < max_attempts():
        status = DeliveryStatus.FAILED
        retry_at = now + backoff(number)
    else:
        status = DeliveryStatus.GAVE_UP
    with transaction.atomic():
        attempt.save()
        # Only if no later attempt (a re-send) has started meanwhile.
        Delivery.objects.filter(pk=delivery_id, attempts=number).update(
            status=status,
            response_code=outcome.status,
            error_code=outcome.error_code,
            error_params=outcome.error_params,
            last_duration_ms=outcome.duration_ms,
            next_attempt_at=retry_at,
            delivered_at=now if outcome.succeeded else None,
        )
    if retry_at is not None:
        _schedule(delivery_id, number + 1, retry_at)
    return attempt


def _schedule(delivery_id: int, number: int, at: datetime.datetime) -> None:
    """Enqueue a retry to run at `at`, if the task backend can defer; otherwise it waits for
    `deliveries_send_due` (running it now would skip the backoff)."""
    from . import tasks

    if tasks.deliver.get_backend().supports_defer:
        tasks.deliver.using(run_after=at).enqueue(delivery_id, number, False)
