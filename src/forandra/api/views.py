"""The personal API token pages (under the user's profile), and the wrapping of the API's
views: open to requests without a session (the API authenticates them itself), with 404 and
405 answered as problem details too."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, require

from . import problems, selectors, services
from .forms import TokenForm
from .models import ApiToken

View = Callable[..., HttpResponseBase]


def api_view(view: View) -> View:
    """An API view as Django sees it: no login page (tokens are not sessions), no caching of
    answers, and a wrong method answered as a problem detail."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            # Ninja builds the list from a set: sorted, so it reads the same every time.
            allow = ", ".join(sorted(m.strip() for m in response["Allow"].split(",")))
            response = problems.response(
                problems.ProblemError(
                    405,
                    "method-not-allowed",
                    _("Use one of: %(methods)s.") % {"methods": allow},
                    headers={"Allow": allow},
                )
            )
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response

    return login_not_required(wrapped)


@login_not_required
def api_root(request: HttpRequest) -> HttpResponse:
    """/api/ leads to the documentation."""
    return redirect("api:openapi-view")


@login_not_required
def api_not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other address under /api/: a problem detail rather than an HTML page."""
    return problems.response(
        problems.ProblemError(404, "not-found", _("The API has no such address; see /api/docs."))
    )


# --- Personal API tokens --------------------------------------------------------------------------


def _trail(*rest: Crumb) -> list[Crumb]:
    return [Crumb(_("Your profile"), reverse("accounts:profile")), *rest]


@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens and the form for a new one; a new token's secret is shown once, on the
    page that answers the form, and stored nowhere."""
    user = cast(User, request.user)
    require(user, Perm.API_TOKENS, user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = services.token_create(user=user, **form.cleaned_data)
        return render(
            request,
            "api/token_created.html",
            {
                "breadcrumbs": _trail(
                    Crumb(_("API tokens"), reverse("api:token_list")), Crumb(_("New token"))
                ),
                "token": created.token,
                "secret": created.secret,
                "example": (
                    f'curl -H "Authorization: Bearer {created.secret}" '
                    + request.build_absolute_uri(reverse("api:me"))
                ),
            },
        )
    return render(
        request,
        "api/token_list.html",
        {
            "breadcrumbs": _trail(Crumb(_("API tokens"))),
            "tokens": selectors.tokens_for(user=user),
            "form": form,
            "max_days": services.max_days(),
        },
    )


@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's tokens, after asking on a page of its own."""
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    require(request.user, Perm.API_TOKENS, token.user)
    if request.method == "POST":
        services.token_revoke(token=token)
        messages.success(
            request,
            _("The token “%(name)s” is revoked; it no longer works.") % {"name": token.name},
        )
        return redirect("api:token_list")
    return render(
        request,
        "api/token_confirm_revoke.html",
        {
            "breadcrumbs": _trail(
                Crumb(_("API tokens"), reverse("api:token_list")), Crumb(_("Revoke token"))
            ),
            "token": token,
        },
    )
