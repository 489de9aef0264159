"""The facilitator's screen for a session, made for a projector.

It shows the agenda's current step with its clock time and a timer, the workshop's exercises, and
what the cohort's groups produce on their phones (for workshop 1: agreement on the definitions
and the boards). The step and the timer are stored (`Facilitation`), so a reload or a second
screen shows the same; the controls are plain forms. The step and the results are live regions,
polled like the participants' pages (see `views.ws1`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm

from .. import ws1
from ..access import session_for
from ..forms_ws1 import STEP_MOVES, TIMER_ACTIONS
from ..models import Session
from .ws1 import (
    POLL_SECONDS,
    LiveRegion,
    live_response,
    page_url,
    region_html,
    trail_to_programme,
)


def _clock(seconds: int) -> str:
    """12:05 for 725 seconds; hours only when there are some (1:02:05)."""
    minutes, rest = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes:02d}:{rest:02d}"


def _step_region(state: ws1.FacilitationState) -> LiveRegion:
    return LiveRegion(
        id="facilitate-step",
        version=state.version,
        template="programme/ws1/partials/facilitate_step.html",
        context={"state": state, "clock": _clock(state.remaining)},
        announce=(_("Now: %(step)s") % {"step": state.step.title}) if state.step else "",
    )


def _agenda_region(state: ws1.FacilitationState) -> LiveRegion:
    return LiveRegion(
        id="facilitate-agenda",
        version=state.version,
        template="programme/ws1/partials/facilitate_agenda.html",
        context={"state": state},
    )


def _results_region(session: Session) -> LiveRegion:
    results = ws1.cohort_results(session=session)
    return LiveRegion(
        id="facilitate-results",
        version=results.version,
        template="programme/ws1/partials/facilitate_results.html",
        context={"results": results, "session": session},
    )


@require_GET
def facilitate(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = session_for(request, pk, session_pk, Perm.PROGRAMME_FACILITATE)
    workshop = session.workshop
    programme = workshop.programme
    state = ws1.facilitation_state(session=session)
    language = request.LANGUAGE_CODE or "sv"
    exercises = [
        {
            "title": (exercise.get("title") or {}).get(language[:2], ""),
            "description": (exercise.get("description") or {}).get(language[:2], ""),
        }
        for exercise in workshop.exercises or []
    ]
    return render(
        request,
        "programme/ws1/facilitate.html",
        {
            "breadcrumbs": [
                *trail_to_programme(request, programme),
                Crumb(
                    workshop.label,
                    page_url("programme:workshop_detail", programme.pk, workshop.number),
                ),
                Crumb(_("Facilitate")),
            ],
            "region": programme.region,
            "programme": programme,
            "session": session,
            "workshop": workshop,
            "state": state,
            "step_html": region_html(request, _step_region(state)),
            "agenda_html": region_html(request, _agenda_region(state)),
            "results_html": region_html(request, _results_region(session)),
            "exercises": exercises,
            "poll_seconds": POLL_SECONDS,
        },
    )


@require_GET
def facilitate_live(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = session_for(request, pk, session_pk, Perm.PROGRAMME_FACILITATE)
    state = ws1.facilitation_state(session=session)
    return live_response(
        request, [_step_region(state), _agenda_region(state), _results_region(session)]
    )


def _back(pk: int, session_pk: int) -> HttpResponse:
    return redirect(reverse("programme:facilitate", args=[pk, session_pk]))


@require_POST
def facilitate_step(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Previous step or next step (`move`); the step's timer starts over."""
    session = session_for(request, pk, session_pk, Perm.PROGRAMME_FACILITATE)
    move = STEP_MOVES.get(request.POST.get("move", ""))
    if move is None:
        messages.error(request, _("Choose Previous step or Next step."))
        return _back(pk, session_pk)
    try:
        ws1.facilitation_step_move(session=session, by=move)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(pk, session_pk)


@require_POST
def facilitate_timer(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Start, pause or reset the current step's timer (`action`)."""
    session = session_for(request, pk, session_pk, Perm.PROGRAMME_FACILITATE)
    action = request.POST.get("action", "")
    if action not in TIMER_ACTIONS:
        messages.error(request, _("Choose Start, Pause or Reset for the timer."))
        return _back(pk, session_pk)
    now = timezone.now()
    if action == "start":
        ws1.facilitation_timer_start(session=session, now=now)
    elif action == "pause":
        ws1.facilitation_timer_pause(session=session, now=now)
    else:
        ws1.facilitation_timer_reset(session=session)
    return _back(pk, session_pk)
