"""Webhooks for tests, made through the model (no address lookup) or the services."""

from __future__ import annotations

from django.utils import timezone

from forandra.municipalities.models import Municipality
from forandra.webhooks.models import SUBSCRIBABLE, Delivery, Event, Webhook


def webhook_for(
    municipality: Municipality,
    url: str = "https://hooks.example.org/forandra",
    events: list[str] | None = None,
    active: bool = True,
) -> Webhook:
    """A webhook of the municipality, saved as is: its address is not looked up."""
    return Webhook.objects.create(
        municipality=municipality,
        url=url,
        events=[str(event) for event in SUBSCRIBABLE] if events is None else events,
        active=active,
    )


def delivery_for(webhook: Webhook, event: str = Event.PING) -> Delivery:
    """A delivery not yet attempted (nothing is enqueued)."""
    return Delivery.objects.create(
        webhook=webhook,
        event=event,
        payload={"event": event, "data": {}},
        next_attempt_at=timezone.now(),
    )
