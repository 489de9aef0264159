"""The residents' pages: no account, no personal data shown.

A municipality's published ideas with a Support button each, a form to propose an idea, and the
proposer's private page (by the random token in its link) that shows how the proposal stands and
lets them delete their e-mail. Support is one per browser: a random key in a cookie scoped to the
municipality's public path, stored only as a hash. Too many requests from one address get a
429 page that says when to try again.
"""

from __future__ import annotations

import math
import secrets
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality

from .. import selectors, services
from ..forms import ProposalForm
from ..models import Idea, Moderation

SUPPORT_COOKIE = "forandra_support"
SUPPORT_COOKIE_AGE = 400 * 24 * 3600


def _municipality(code: str) -> Municipality:
    """A municipality that takes residents' proposals (it has a group to moderate them)."""
    try:
        municipality = municipality_selectors.municipality_get(code=code)
    except Municipality.DoesNotExist:
        raise Http404 from None
    if not selectors.takes_proposals(municipality=municipality):
        raise Http404
    return municipality


def _trail(municipality: Municipality, *rest: Crumb) -> list[Crumb]:
    trail = crumbs(
        (
            _("Ideas for %(name)s") % {"name": municipality.name},
            "ideas:public_ideas",
            (municipality.code,),
        )
    )
    if not rest:
        return [Crumb(trail[0].label)]
    return trail + list(rest)


def _client(request: HttpRequest) -> str:
    """The client's address as the rate limits know it (hashed)."""
    return services.client_hash(request.META.get("REMOTE_ADDR", ""))


def _support_key(request: HttpRequest) -> str:
    key = request.COOKIES.get(SUPPORT_COOKIE, "")
    return key if 20 <= len(key) <= 64 else ""


def _keep_support_key(request: HttpRequest, response: HttpResponse, code: str, key: str) -> None:
    if request.COOKIES.get(SUPPORT_COOKIE) != key:
        response.set_cookie(
            SUPPORT_COOKIE,
            key,
            max_age=SUPPORT_COOKIE_AGE,
            path=reverse("ideas:public_ideas", args=[code]),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def _too_many(request: HttpRequest, municipality: Municipality, retry_after: int) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(
        request,
        "ideas/public/rate_limited.html",
        {
            "breadcrumbs": _trail(municipality, Crumb(_("Please wait"))),
            "municipality": municipality,
            "minutes": minutes,
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@login_not_required
def public_ideas(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(code)
    ideas = selectors.public_ideas(municipality=municipality)
    key = _support_key(request) or secrets.token_urlsafe(32)
    supported = selectors.supported_by(supporter=services.supporter_hash(key), ideas=ideas)
    response = render(
        request,
        "ideas/public/idea_list.html",
        {
            "breadcrumbs": _trail(municipality),
            "municipality": municipality,
            "ideas": ideas,
            "supported": supported,
        },
    )
    _keep_support_key(request, response, code, key)
    return response


@login_not_required
@require_POST
def public_support(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(code)
    try:
        idea = selectors.public_idea(municipality=municipality, pk=pk)
    except Idea.DoesNotExist:
        raise Http404 from None
    key = _support_key(request) or secrets.token_urlsafe(32)
    try:
        added = services.support_add(idea=idea, supporter_key=key, client=_client(request))
    except services.RateLimitedError as limited:
        return _too_many(request, municipality, limited.retry_after)
    if added:
        messages.success(
            request, _("Thank you for supporting “%(title)s”.") % {"title": idea.title}
        )
    else:
        messages.info(
            request,
            _("You already support “%(title)s”. Each idea can be supported once.")
            % {"title": idea.title},
        )
    response = redirect(f"{reverse('ideas:public_ideas', args=[code])}#idea-{idea.pk}")
    _keep_support_key(request, response, code, key)
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def public_propose(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(code)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_submit(
                municipality=municipality,
                client=_client(request),
                title=data["title"],
                need=data["need"],
                description=data["description"],
                email=data["email"],
                honeypot=data["website"],
            )
        except services.RateLimitedError as limited:
            return _too_many(request, municipality, limited.retry_after)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if proposal.idea is None:  # the honeypot: look like success, store nothing
                return _status_page(request, municipality, None, proposal.token, sent=True)
            url = reverse("ideas:proposal_status", args=[proposal.token])
            return redirect(f"{url}?sent=1")
    return render(
        request,
        "ideas/public/propose.html",
        {
            "breadcrumbs": _trail(municipality, Crumb(_("Propose an idea"))),
            "municipality": municipality,
            "form": form,
        },
    )


def _status_page(
    request: HttpRequest,
    municipality: Municipality,
    idea: Idea | None,
    token: uuid.UUID,
    *,
    sent: bool,
) -> HttpResponse:
    link = request.build_absolute_uri(reverse("ideas:proposal_status", args=[token]))
    has_contact = False
    if idea is not None:
        has_contact = hasattr(idea, "contact")
    return render(
        request,
        "ideas/public/proposal_status.html",
        {
            "breadcrumbs": _trail(municipality, Crumb(_("Your proposal"))),
            "municipality": municipality,
            "idea": idea,
            "title": idea.title if idea else request.POST.get("title", ""),
            "state": idea.moderation if idea else Moderation.PENDING,
            "reason": idea.decline_reason if idea else "",
            "has_contact": has_contact,
            "token": token,
            "link": link,
            "sent": sent,
        },
    )


def _proposal(token: uuid.UUID) -> Idea:
    try:
        return selectors.proposal_by_token(token=token)
    except Idea.DoesNotExist:
        raise Http404 from None


@login_not_required
def proposal_status(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    idea = _proposal(token)
    return _status_page(
        request, idea.municipality, idea, token, sent=request.GET.get("sent") == "1"
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def proposal_contact_delete(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Ask again on a page of its own (GET), then delete the e-mail (POST); the idea stays."""
    idea = _proposal(token)
    if request.method == "POST":
        services.contact_delete(idea=idea)
        messages.success(request, _("Your e-mail address is deleted. Your proposal stays."))
        return redirect("ideas:proposal_status", token=token)
    status = reverse("ideas:proposal_status", args=[token])
    return render(
        request,
        "ideas/public/contact_delete.html",
        {
            "breadcrumbs": _trail(
                idea.municipality, Crumb(_("Your proposal"), status), Crumb(_("Delete your e-mail"))
            ),
            "municipality": idea.municipality,
            "idea": idea,
            "has_contact": hasattr(idea, "contact"),
            "token": token,
        },
    )
