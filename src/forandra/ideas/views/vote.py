"""Dot voting pages: the municipality's votes, opening one, the participant's page (usable from a
phone) and the facilitator's results screen.

The participant's page works without script: each + and − is a small form that posts the new
number of dots and comes back to the page. With htmx the answer is only the idea's row and, out
of band, the "dots left" line. The results screen polls every two seconds with the fingerprint
of what it shows; the answer is the results again when they changed, or "204 No Content" (and,
once the vote is closed and the screen is up to date, 286, which stops the polling).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for, municipality_trail
from forandra.municipalities.models import Municipality

from .. import voting
from ..forms_vote import DotForm, VoteForm
from ..models import Idea, Vote

POLL_SECONDS = 2
STOP_POLLING = 286  # htmx stops polling on this status


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _page_url(name: str, *args: object) -> str | None:
    """The address of a page of the ideas app that may not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _trail(request: HttpRequest, municipality: Municipality, *rest: Crumb) -> list[Crumb]:
    """[Region >] municipality > [Ideas >] Dot voting > rest."""
    trail = municipality_trail(request, municipality)
    ideas_url = _page_url("ideas:idea_list", municipality.code)
    if ideas_url:
        trail.append(Crumb(_("Ideas"), ideas_url))
    list_url = reverse("ideas:vote_list", args=[municipality.code])
    if not rest:
        return [*trail, Crumb(_("Dot voting"))]
    return [*trail, Crumb(_("Dot voting"), list_url), *rest]


def _vote(request: HttpRequest, code: str, pk: int, perm: Perm) -> tuple[Municipality, Vote]:
    municipality = municipality_for(request, code, perm)
    try:
        return municipality, voting.vote_get(municipality=municipality, pk=pk)
    except Vote.DoesNotExist:
        raise Http404 from None


# --- The list and a new vote ----------------------------------------------------------------------


@require_GET
def vote_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    votes = list(voting.votes_for(municipality=municipality))
    return render(
        request,
        "ideas/vote/vote_list.html",
        {
            "breadcrumbs": _trail(request, municipality),
            "municipality": municipality,
            "votes": votes,
            "can_edit": allowed(request.user, Perm.IDEAS_EDIT, municipality),
            "is_demo": any(vote.is_demo for vote in votes),
        },
    )


@require_http_methods(["GET", "POST"])
def vote_create(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    ideas = voting.votable_ideas(municipality=municipality)
    form = VoteForm(request.POST or None, ideas=ideas)
    if request.method == "POST" and form.is_valid():
        try:
            vote = voting.vote_create(
                municipality=municipality,
                title=form.cleaned_data["title"],
                dots=form.cleaned_data["dots"],
                ideas=form.cleaned_data["ideas"],
                by=_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The vote is open. Share this page's address with the participants, and "
                    "show the results on the big screen."
                ),
            )
            return redirect("ideas:vote_detail", code=municipality.code, pk=vote.pk)
    return render(
        request,
        "ideas/vote/vote_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Open a dot vote"))),
            "municipality": municipality,
            "form": form,
            "enough_ideas": ideas.count() >= voting.MIN_IDEAS,
            "ideas_url": _page_url("ideas:idea_list", municipality.code),
        },
        status=400 if form.errors else 200,
    )


# --- The participant's page -----------------------------------------------------------------------


def _row_context(
    request: HttpRequest, vote: Vote, idea: Idea, mine: int, left: int, problem: str = ""
) -> dict[str, Any]:
    return {
        "vote": vote,
        "idea": idea,
        "mine": mine,
        "left": left,
        "dot_range": range(mine),
        "can_vote": vote.closed_at is None
        and allowed(request.user, Perm.IDEAS_EDIT, vote.municipality),
        "problem": problem,
        "code": vote.municipality.code,
    }


@require_GET
def vote_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality, vote = _vote(request, code, pk, Perm.IDEAS_VIEW)
    user = _user(request)
    mine = voting.my_dots(vote=vote, user=user)
    left = vote.dots - sum(mine.values())
    rows = [
        _row_context(request, vote, idea, mine.get(idea.pk, 0), left)
        for idea in voting.vote_ideas(vote=vote)
    ]
    can_edit = allowed(request.user, Perm.IDEAS_EDIT, municipality)
    return render(
        request,
        "ideas/vote/vote_detail.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(vote.title)),
            "municipality": municipality,
            "vote": vote,
            "rows": rows,
            "left": left,
            "can_vote": can_edit and vote.closed_at is None,
            "can_edit": can_edit,
            "is_demo": vote.is_demo,
        },
    )


@require_POST
def vote_dot(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Set the participant's dots on one idea; the idea's row (htmx) or back to the page."""
    municipality, vote = _vote(request, code, pk, Perm.IDEAS_EDIT)
    user = _user(request)
    assert user is not None  # the permission needs a signed-in user
    form = DotForm(request.POST)
    problem = ""
    idea: Idea | None = None
    if not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        idea = next(
            (i for i in voting.vote_ideas(vote=vote) if i.pk == form.cleaned_data["idea"]), None
        )
        if idea is None:
            problem = _("This idea is not part of the vote.")
        else:
            try:
                voting.dot_set(vote=vote, idea=idea, user=user, count=form.cleaned_data["count"])
            except ValidationError as error:
                problem = " ".join(error.messages)
    vote.refresh_from_db(fields=["closed_at"])
    if _is_htmx(request) and idea is not None:
        mine = voting.my_dots(vote=vote, user=user)
        left = vote.dots - sum(mine.values())
        context = _row_context(request, vote, idea, mine.get(idea.pk, 0), left, problem)
        row = render_to_string("ideas/vote/partials/dot_row.html", context, request=request)
        line = render_to_string(
            "ideas/vote/partials/dots_left.html",
            {"vote": vote, "left": left, "oob": True},
            request=request,
        )
        return HttpResponse(row + line)
    url = reverse("ideas:vote_detail", args=[municipality.code, vote.pk])
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Your dots are saved."))
    return redirect(f"{url}#idea-{idea.pk}" if idea else url)


# --- The facilitator's results screen -------------------------------------------------------------


def _results_html(request: HttpRequest, results: voting.Results) -> str:
    return render_to_string(
        "ideas/vote/partials/results.html",
        {"results": results, "vote": results.vote},
        request=request,
    )


@require_GET
def vote_results(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality, vote = _vote(request, code, pk, Perm.IDEAS_VIEW)
    results = voting.vote_results(vote=vote)
    return render(
        request,
        "ideas/vote/vote_results.html",
        {
            "breadcrumbs": _trail(
                request,
                municipality,
                Crumb(vote.title, reverse("ideas:vote_detail", args=[code, vote.pk])),
                Crumb(_("Results")),
            ),
            "municipality": municipality,
            "vote": vote,
            "results_html": _results_html(request, results),
            "can_edit": allowed(request.user, Perm.IDEAS_EDIT, municipality),
            "poll_seconds": POLL_SECONDS,
            "is_demo": vote.is_demo,
        },
    )


@require_GET
def vote_results_live(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The results again when they changed since the screen's fingerprint; else 204 (286 once
    the vote is closed, to stop the polling)."""
    _municipality, vote = _vote(request, code, pk, Perm.IDEAS_VIEW)
    results = voting.vote_results(vote=vote)
    if request.GET.get("v-results") == results.fingerprint:
        return HttpResponse(status=STOP_POLLING if vote.closed_at else 204)
    return render(
        request,
        "ideas/vote/partials/results_live.html",
        {"results_html": _results_html(request, results), "results": results, "vote": vote},
    )


@require_http_methods(["GET", "POST"])
def vote_close(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Close the vote, after asking on a page of its own."""
    municipality, vote = _vote(request, code, pk, Perm.IDEAS_EDIT)
    results_url = reverse("ideas:vote_results", args=[municipality.code, vote.pk])
    if request.method == "POST":
        if vote.closed_at is None:
            voting.vote_close(vote=vote)
            messages.success(request, _("The vote is closed. These are the final results."))
        return redirect(results_url)
    return render(
        request,
        "ideas/vote/vote_close.html",
        {
            "breadcrumbs": _trail(
                request,
                municipality,
                Crumb(vote.title, reverse("ideas:vote_detail", args=[code, vote.pk])),
                Crumb(_("Close the vote")),
            ),
            "municipality": municipality,
            "vote": vote,
            "results_url": results_url,
            "is_demo": vote.is_demo,
        },
    )
