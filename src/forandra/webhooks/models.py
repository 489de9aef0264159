"""Webhooks: a municipality's receivers of events, and the log of what was sent (see README.md)."""

from __future__ import annotations

import datetime
import secrets
import uuid

import httpx
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from forandra.core.models import TimeStampedModel
from forandra.municipalities.models import Municipality


class Event(models.TextChoices):
    """What a webhook can be told about. `PING` is the test event: nobody subscribes to it."""

    PLAN_DECIDED = "plan.decided", _("A plan is decided")
    ROUND_CLOSED = "round.closed", _("A maturity round is closed")
    IDEA_PROPOSED = "idea.proposed", _("An idea is proposed")
    PING = "ping", _("Test event")


SUBSCRIBABLE = (Event.PLAN_DECIDED, Event.ROUND_CLOSED, Event.IDEA_PROPOSED)


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


class Webhook(TimeStampedModel):
    """An address of the municipality's own system that is told, by a signed POST, when one of
    the chosen events happens in the municipality."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.CharField(_("address"), max_length=2000)
    # A list of Event values from SUBSCRIBABLE.
    events = models.JSONField(_("events"), default=list)
    # The receiver checks each delivery's signature with it; kept readable (it signs), shown only
    # to those who manage the municipality's webhooks.
    secret = models.CharField(_("secret"), max_length=100, default=new_secret)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    secret_rotated_at = models.DateTimeField(_("secret changed"), null=True, blank=True)

    class Meta:
        ordering = ["municipality", "url", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "url"], name="webhook_url_unique_in_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def host(self) -> str:
        """The host name of the address (the whole address if it cannot be read)."""
        try:
            return httpx.URL(self.url).host or self.url
        except (httpx.InvalidURL, TypeError, ValueError):
            return self.url

    def subscribes(self, event: str) -> bool:
        return event in self.events

    def event_labels(self) -> list[str]:
        return [str(Event(event).label) for event in SUBSCRIBABLE if event in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    FAILED = "failed", _("Failed, will try again")
    SUCCEEDED = "succeeded", _("Delivered")
    GAVE_UP = "gave_up", _("Gave up")


# A delivery still to be (re)tried.
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
# An attempt that has not ended after this long was cut off (its worker stopped).
STALE = datetime.timedelta(minutes=10)


class Delivery(models.Model):
    """One event for one webhook: what is sent, and how the sending went so far.

    `uuid` is the X-Forandra-Delivery header: the same on every attempt and re-send, so the
    receiver can ignore a delivery it has already handled. `payload` is the JSON body, built when
    the event happened.
    """

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("last response code"), null=True)
    error_code = models.CharField(_("last error"), max_length=40, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True)
    last_duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True)
    # When the next attempt is due; None while an attempt is under way and once the delivery is
    # done (delivered or given up).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_log")]

    def __str__(self) -> str:
        return f"{self.event} {self.uuid}"


class Attempt(models.Model):
    """One try at a delivery: when, how long, and the receiver's answer or what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    manual = models.BooleanField(_("sent again by hand"), default=False)
    started_at = models.DateTimeField(_("started"))
    # None until the attempt ends; an attempt cut off (the worker stopped) keeps None.
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error_code = models.CharField(_("error"), max_length=40, blank=True)
    error_params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["delivery", "number", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery} #{self.number}"
