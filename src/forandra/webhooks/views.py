"""Webhook pages: a municipality's webhooks, each one's settings and delivery log.

Every page needs WEBHOOKS_MANAGE on the municipality (its group members, its region's
coordinator, admins); a webhook or delivery of another municipality is not found (404).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.lookups import municipality_for, municipality_trail
from forandra.municipalities.models import Municipality

from . import selectors, send, services
from .forms import WebhookForm
from .models import Delivery, Webhook
from .selectors import AttemptRow, DeliveryRow

PER_PAGE = 25


def _municipality(request: HttpRequest, code: str) -> Municipality:
    return municipality_for(request, code, Perm.WEBHOOKS_MANAGE)


def _webhook(municipality: Municipality, pk: int) -> Webhook:
    try:
        return selectors.webhook_get(municipality=municipality, pk=pk)
    except Webhook.DoesNotExist:
        raise Http404 from None


def _delivery(webhook: Webhook, pk: int) -> Delivery:
    try:
        return selectors.delivery_get(webhook=webhook, pk=pk)
    except Delivery.DoesNotExist:
        raise Http404 from None


def _list_url(municipality: Municipality) -> str:
    return reverse("webhooks:webhook_list", args=[municipality.code])


def _detail_url(webhook: Webhook) -> str:
    return reverse("webhooks:webhook_detail", args=[webhook.municipality.code, webhook.pk])


def _trail(
    request: HttpRequest, municipality: Municipality, webhook: Webhook | None = None, *rest: Crumb
) -> list[Crumb]:
    """[Region >] municipality > Webhooks [> the webhook] [> rest]; the last is not a link."""
    trail = [
        *municipality_trail(request, municipality),
        Crumb(_("Webhooks"), _list_url(municipality)),
    ]
    if webhook is not None:
        trail.append(Crumb(webhook.url, _detail_url(webhook)))
    trail += list(rest)
    return [*trail[:-1], Crumb(trail[-1].label)]


def _context(municipality: Municipality, **extra: Any) -> dict[str, Any]:
    return {
        "municipality": municipality,
        "region": municipality.region,
        "is_demo": municipality_selectors.municipality_is_demo(municipality=municipality),
        **extra,
    }


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest, code: str) -> HttpResponse:
    """The municipality's webhooks, and the form to add one (posted here)."""
    municipality = _municipality(request, code)
    form = WebhookForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            webhook = services.webhook_create(
                municipality=municipality,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                active=form.cleaned_data["active"],
                created_by=_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The webhook has been added. Give its secret to the receiving system, "
                    "which uses it to check that deliveries come from Förändra."
                ),
            )
            return redirect(_detail_url(webhook))
    return render(
        request,
        "webhooks/webhook_list.html",
        _context(
            municipality,
            breadcrumbs=_trail(request, municipality),
            webhooks=list(selectors.webhooks_for(municipality=municipality)),
            form=form,
        ),
    )


def _headers() -> list[tuple[str, str]]:
    """The headers of a delivery and what each means, for the page that explains them."""
    return [
        (send.EVENT_HEADER, _("the event, such as plan.decided")),
        (
            send.DELIVERY_HEADER,
            _(
                "the delivery's id, the same on every attempt; ignore a delivery you have "
                "already handled"
            ),
        ),
        (send.TIMESTAMP_HEADER, _("when it was signed, in seconds since 1970 (UTC)")),
        (
            send.SIGNATURE_HEADER,
            _(
                "“sha256=” and the hexadecimal HMAC-SHA256 of the timestamp, a full stop and "
                "the body, keyed with the secret"
            ),
        ),
    ]


def webhook_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A webhook: its address, events and secret, and its delivery log, page by page."""
    municipality = _municipality(request, code)
    webhook = _webhook(municipality, pk)
    page = Paginator(selectors.deliveries_for(webhook=webhook), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "webhooks/webhook_detail.html",
        _context(
            municipality,
            breadcrumbs=_trail(request, municipality, webhook),
            webhook=webhook,
            page=page,
            rows=[DeliveryRow.of(delivery) for delivery in page.object_list],
            headers=_headers(),
        ),
    )


@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, code)
    webhook = _webhook(municipality, pk)
    initial = {"url": webhook.url, "events": webhook.events, "active": webhook.active}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(
                webhook=webhook,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The webhook has been saved."))
            return redirect(_detail_url(webhook))
    return render(
        request,
        "webhooks/webhook_form.html",
        _context(
            municipality,
            breadcrumbs=_trail(request, municipality, webhook, Crumb(_("Change"))),
            webhook=webhook,
            form=form,
        ),
    )


@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Ask, on a page of its own, then remove the webhook and its log."""
    municipality = _municipality(request, code)
    webhook = _webhook(municipality, pk)
    if request.method == "POST":
        services.webhook_delete(webhook=webhook)
        messages.success(
            request, _("The webhook to %(url)s has been removed.") % {"url": webhook.url}
        )
        return redirect(_list_url(municipality))
    return render(
        request,
        "webhooks/webhook_confirm_delete.html",
        _context(
            municipality,
            breadcrumbs=_trail(request, municipality, webhook, Crumb(_("Remove"))),
            webhook=webhook,
            delivery_count=selectors.deliveries_for(webhook=webhook).count(),
        ),
    )


@require_http_methods(["GET", "POST"])
def webhook_secret(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Ask, then give the webhook a new secret."""
    municipality = _municipality(request, code)
    webhook = _webhook(municipality, pk)
    if request.method == "POST":
        services.webhook_secret_rotate(webhook=webhook)
        messages.success(
            request,
            _(
                "The webhook has a new secret. Deliveries are signed with it from now on: give "
                "it to the receiving system."
            ),
        )
        return redirect(_detail_url(webhook))
    return render(
        request,
        "webhooks/webhook_confirm_secret.html",
        _context(
            municipality,
            breadcrumbs=_trail(request, municipality, webhook, Crumb(_("New secret"))),
            webhook=webhook,
        ),
    )


@require_POST
def webhook_test(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Send a test event now; the log shows how it went."""
    municipality = _municipality(request, code)
    webhook = _webhook(municipality, pk)
    try:
        services.webhook_test(webhook=webhook)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A test event is on its way. Reload the page to see how the delivery went."),
        )
    return redirect(_detail_url(webhook))


def delivery_detail(request: HttpRequest, code: str, pk: int, delivery_pk: int) -> HttpResponse:
    """One delivery: what was sent, and every attempt with the receiver's answer."""
    municipality = _municipality(request, code)
    webhook = _webhook(municipality, pk)
    delivery = _delivery(webhook, delivery_pk)
    now = timezone.now()
    return render(
        request,
        "webhooks/delivery_detail.html",
        _context(
            municipality,
            breadcrumbs=_trail(
                request,
                municipality,
                webhook,
                Crumb(_("Delivery")),
            ),
            webhook=webhook,
            row=DeliveryRow.of(delivery),
            attempts=[
                AttemptRow.of(attempt, now=now)
                for attempt in selectors.attempts_for(delivery=delivery)
            ],
            body=json.dumps(delivery.payload, ensure_ascii=False, indent=2, sort_keys=True),
        ),
    )


@require_POST
def delivery_resend(request: HttpRequest, code: str, pk: int, delivery_pk: int) -> HttpResponse:
    """Send a delivery again now, with the same delivery id."""
    municipality = _municipality(request, code)
    webhook = _webhook(municipality, pk)
    delivery = _delivery(webhook, delivery_pk)
    try:
        services.delivery_resend(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The delivery is being sent again. Reload the page to see how it went."),
        )
    back = request.POST.get("next", "")
    if back == "delivery":
        return redirect(
            reverse("webhooks:delivery_detail", args=[municipality.code, webhook.pk, delivery.pk])
        )
    return redirect(_detail_url(webhook))
