"""Reads for webhooks: a municipality's webhooks with their latest delivery; the delivery log."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery

from forandra.municipalities.models import Municipality

from .models import STALE, Attempt, Delivery, Webhook
from .targets import error_reason


def webhooks_for(*, municipality: Municipality) -> QuerySet[Webhook]:
    """The municipality's webhooks, each with `delivery_count` and the status and time of its
    latest delivery (`last_status`, `last_at`), in one query."""
    latest = Delivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        Webhook.objects.filter(municipality=municipality)
        .annotate(
            delivery_count=Count("deliveries"),
            last_status=Subquery(latest.values("status")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("url", "pk")
    )


def webhook_get(*, municipality: Municipality, pk: int) -> Webhook:
    """One of the municipality's webhooks (Webhook.DoesNotExist for another's)."""
    return Webhook.objects.select_related("municipality", "created_by").get(
        municipality=municipality, pk=pk
    )


def deliveries_for(*, webhook: Webhook) -> QuerySet[Delivery]:
    """A webhook's delivery log, newest first."""
    return Delivery.objects.filter(webhook=webhook).order_by("-created_at", "-pk")


def delivery_get(*, webhook: Webhook, pk: int) -> Delivery:
    """One delivery of the webhook (Delivery.DoesNotExist for another's)."""
    return Delivery.objects.get(webhook=webhook, pk=pk)


def attempts_for(*, delivery: Delivery) -> QuerySet[Attempt]:
    """A delivery's attempts, first first."""
    return Attempt.objects.filter(delivery=delivery).order_by("number", "pk")


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery as the log shows it, with its last error in the reader's language."""

    delivery: Delivery
    reason: str

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryRow:
        return cls(delivery, error_reason(delivery.error_code, delivery.error_params))


@dataclass(frozen=True)
class AttemptRow:
    """An attempt as the log shows it: under way, or ended with an answer or an error."""

    attempt: Attempt
    reason: str
    under_way: bool

    @classmethod
    def of(cls, attempt: Attempt, *, now: datetime.datetime) -> AttemptRow:
        if attempt.duration_ms is None:  # not ended: still going, or cut off long ago
            if attempt.started_at > now - STALE:
                return cls(attempt, "", under_way=True)
            return cls(attempt, error_reason("interrupted"), under_way=False)
        return cls(attempt, error_reason(attempt.error_code, attempt.error_params), False)
