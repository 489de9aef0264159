"""Personal data pages: a signed-in user's own data, and a resident's by a link sent by e-mail.

A user's pages have no id in their address: they always show the user who is signed in. A
resident's pages are opened by the signed token in the link (see `tokens`); the page that asks
for the link answers the same whether the address is known or not.
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from forandra.accounts.models import User
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, require

from . import placeholders, selectors, services, tokens
from .forms import AccountDeleteForm, ResidentChoice, ResidentDeleteForm, ResidentRequestForm


def _posted(request: HttpRequest) -> Any:
    """The posted data, or None for GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _me(request: HttpRequest) -> User:
    user = cast(User, request.user)
    require(user, Perm.PERSONAL_DATA, user)
    return user


def _json_attachment(document: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _user_trail(*rest: Crumb) -> list[Crumb]:
    profile = Crumb(_("Your profile"), reverse("accounts:profile"))
    if not rest:
        return [profile, Crumb(_("Your data"))]
    return [profile, Crumb(_("Your data"), reverse("privacy:my_data")), *rest]


# --- A signed-in user ----------------------------------------------------------------------------


@never_cache
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    return render(
        request,
        "privacy/my_data.html",
        {
            "breadcrumbs": _user_trail(),
            "holdings": selectors.holdings_for(user=user),
            "refusal": services.account_deletion_refusal(user=user),
            "is_demo": user.is_demo,
        },
    )


@never_cache
@require_GET
def my_data_download(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    document = selectors.user_export(user=user)
    return _json_attachment(document, f"forandra-my-data-{timezone.localdate().isoformat()}.json")


@never_cache
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    refusal = services.account_deletion_refusal(user=user)
    form = None
    if refusal is None:
        form = AccountDeleteForm(_posted(request), request=request, user=user)
        if request.method == "POST" and form.is_valid():
            try:
                services.account_delete(user=user)
            except services.DeletionRefusedError as refused:
                refusal, form = str(refused), None
            else:
                logout(request)
                return redirect("privacy:deleted")
    return render(
        request,
        "privacy/account_delete.html",
        {
            "breadcrumbs": _user_trail(Crumb(_("Delete your account"))),
            "form": form,
            "refusal": refusal,
            "holdings": selectors.holdings_for(user=user) if refusal is None else [],
            "removed": placeholders.shown(placeholders.REMOVED),
            "is_demo": user.is_demo,
        },
    )


@login_not_required
@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/deleted.html", {"breadcrumbs": [Crumb(_("Data deleted"))]})


# --- A resident ----------------------------------------------------------------------------------


def _resident_trail(*rest: Crumb) -> list[Crumb]:
    if not rest:
        return [Crumb(_("Your data as a resident"))]
    return [Crumb(_("Your data as a resident"), reverse("privacy:resident_request")), *rest]


@login_not_required
@require_http_methods(["GET", "POST"])
def resident_request(request: HttpRequest) -> HttpResponse:
    form = ResidentRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_link_request(
                email=form.cleaned_data["email"],
                client=request.META.get("REMOTE_ADDR", ""),
                base_url=request.build_absolute_uri("/"),
                language=get_language() or "sv",
            )
        except services.RateLimitedError as limited:
            response = render(
                request,
                "privacy/rate_limited.html",
                {
                    "breadcrumbs": _resident_trail(Crumb(_("Please wait"))),
                    "minutes": max(1, math.ceil(limited.retry_after / 60)),
                },
                status=429,
            )
            response["Retry-After"] = str(limited.retry_after)
            return response
        return redirect("privacy:resident_sent")
    return render(
        request,
        "privacy/resident_request.html",
        {"breadcrumbs": _resident_trail(), "form": form, "days": tokens.link_days()},
    )


@login_not_required
@require_GET
def resident_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/resident_sent.html",
        {"breadcrumbs": _resident_trail(Crumb(_("Check your e-mail"))), "days": tokens.link_days()},
    )


def _resident(request: HttpRequest, token: str) -> selectors.ResidentData | HttpResponse:
    """The resident the link is for, or the page that says why the link does not work."""
    reason, status = "", 404
    try:
        email = tokens.resident_email(token)
    except tokens.LinkExpiredError:
        reason, status = "expired", 410
    except tokens.LinkInvalidError:
        reason = "invalid"
    else:
        data = selectors.resident_data(email=email) if email else None
        if data is not None and data.contacts:
            return data
        reason = "gone"
    return render(
        request,
        "privacy/resident_link_invalid.html",
        {"breadcrumbs": _resident_trail(Crumb(_("The link does not work"))), "reason": reason},
        status=status,
    )


@never_cache
@login_not_required
@require_GET
def resident_data(request: HttpRequest, token: str) -> HttpResponse:
    data = _resident(request, token)
    if isinstance(data, HttpResponse):
        return data
    return render(
        request,
        "privacy/resident_data.html",
        {
            "breadcrumbs": _resident_trail(Crumb(_("Your data"))),
            "data": data,
            "token": token,
            "is_demo": data.is_demo,
        },
    )


@never_cache
@login_not_required
@require_GET
def resident_download(request: HttpRequest, token: str) -> HttpResponse:
    data = _resident(request, token)
    if isinstance(data, HttpResponse):
        return data
    document = selectors.resident_export(data=data)
    return _json_attachment(
        document, f"forandra-resident-data-{timezone.localdate().isoformat()}.json"
    )


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def resident_delete(request: HttpRequest, token: str) -> HttpResponse:
    data = _resident(request, token)
    if isinstance(data, HttpResponse):
        return data
    form = ResidentDeleteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.resident_delete(
            email=data.email,
            remove_proposals=form.cleaned_data["what"] == ResidentChoice.PROPOSALS,
        )
        return redirect("privacy:deleted")
    return render(
        request,
        "privacy/resident_delete.html",
        {
            "breadcrumbs": _resident_trail(
                Crumb(_("Your data"), reverse("privacy:resident_data", args=[token])),
                Crumb(_("Delete your data")),
            ),
            "data": data,
            "form": form,
            "removed_proposal": placeholders.shown(placeholders.REMOVED_PROPOSAL),
            "token": token,
            "is_demo": data.is_demo,
        },
    )
