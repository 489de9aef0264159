"""The idea bank: the list with scores, adding and editing ideas, one idea with its score and
history, the moderation queue of residents' proposals, and the scoring weights."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for, municipality_trail
from forandra.municipalities.models import Municipality
from forandra.regional import collaboration as regional_collaboration
from forandra.regional.visibility import sight_for

from .. import scoring, selectors, services
from ..forms import (
    CRITERION_HINTS,
    CRITERION_LABELS,
    IdeaFilterForm,
    IdeaForm,
    ModerationForm,
    WeightsForm,
)
from ..models import Idea


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _trail(request: HttpRequest, municipality: Municipality, *rest: Crumb) -> list[Crumb]:
    """[Region >] municipality > Ideas > rest; the list page's own crumb is not a link."""
    trail = [
        *municipality_trail(request, municipality),
        *crumbs((_("Ideas"), "ideas:idea_list", (municipality.code,))),
    ]
    if not rest:
        return [*trail[:-1], Crumb(trail[-1].label)]
    return trail + list(rest)


def _idea(municipality: Municipality, pk: int) -> Idea:
    try:
        return selectors.idea_get(municipality=municipality, pk=pk)
    except Idea.DoesNotExist:
        raise Http404 from None


def idea_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    waves = list(selectors.waves_for(municipality=municipality))
    dimensions = selectors.dimension_choices()
    filters = IdeaFilterForm(request.GET or None, waves=waves, dimensions=dimensions)
    chosen = filters.filters() if request.GET else {}
    rows = selectors.idea_list(municipality=municipality, **chosen)
    can_edit = allowed(request.user, Perm.IDEAS_EDIT, municipality)
    return render(
        request,
        "ideas/idea_list.html",
        {
            "breadcrumbs": _trail(request, municipality),
            "municipality": municipality,
            "filters": filters,
            "filtered": any(v for k, v in chosen.items() if k != "sort"),
            "rows": rows,
            "can_edit": can_edit,
            "pending": selectors.pending_count(municipality=municipality) if can_edit else 0,
            "is_demo": any(row.idea.is_demo for row in rows),
        },
    )


def _idea_form(
    request: HttpRequest, municipality: Municipality, initial: dict[str, Any] | None = None
) -> IdeaForm:
    return IdeaForm(
        request.POST or None,
        initial=initial,
        waves=list(selectors.waves_for(municipality=municipality)),
        dimensions=selectors.dimension_choices(),
    )


@require_http_methods(["GET", "POST"])
def idea_add(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    form = _idea_form(request, municipality)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.idea_create(
                municipality=municipality, created_by=_user(request), **form.values()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("“%(title)s” is in the bank.") % {"title": idea.title})
            return redirect("ideas:idea_detail", code=code, pk=idea.pk)
    return render(
        request,
        "ideas/idea_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Add an idea"))),
            "municipality": municipality,
            "form": form,
            "title": _("Add an idea"),
        },
    )


@require_http_methods(["GET", "POST"])
def idea_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    idea = _idea(municipality, pk)
    form = _idea_form(request, municipality, IdeaForm.initial_for(idea))
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(idea=idea, by=_user(request), **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The idea is saved."))
            return redirect("ideas:idea_detail", code=code, pk=idea.pk)
    detail = reverse("ideas:idea_detail", args=[code, idea.pk])
    return render(
        request,
        "ideas/idea_form.html",
        {
            "breadcrumbs": _trail(
                request, municipality, Crumb(idea.title, detail), Crumb(_("Edit"))
            ),
            "municipality": municipality,
            "form": form,
            "idea": idea,
            "title": _("Edit the idea"),
        },
    )


def idea_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    idea = _idea(municipality, pk)
    score = selectors.idea_score(idea=idea)
    weights = selectors.weights_for(municipality=municipality)
    parts = [
        (CRITERION_LABELS[criterion], weights[criterion], score.parts[criterion])
        for criterion in scoring.CRITERIA
    ]
    dimension_names = dict(selectors.dimension_choices())
    return render(
        request,
        "ideas/idea_detail.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(idea.title)),
            "municipality": municipality,
            "idea": idea,
            "score": score,
            "parts": parts,
            "dots": idea.dot_total,  # type: ignore[attr-defined]
            "dimensions": [dimension_names.get(key, key) for key in idea.dimensions],
            "history": selectors.idea_history(idea=idea),
            "can_edit": allowed(request.user, Perm.IDEAS_EDIT, municipality),
            "joints": regional_collaboration.joints_for_idea(
                idea_id=idea.pk, sight=sight_for(request.user, municipality.region)
            ),
            "is_demo": idea.is_demo,
        },
    )


def _moderation_page(
    request: HttpRequest,
    municipality: Municipality,
    failed: tuple[int, ModerationForm] | None = None,
) -> HttpResponse:
    proposals = selectors.pending_proposals(municipality=municipality)
    return render(
        request,
        "ideas/moderation.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Residents' proposals"))),
            "municipality": municipality,
            "proposals": proposals,
            "failed_pk": failed[0] if failed else None,
            "form": failed[1] if failed else None,
            "public_url": request.build_absolute_uri(
                reverse("ideas:public_ideas", args=[municipality.code])
            ),
        },
        status=400 if failed else 200,
    )


def moderation(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    return _moderation_page(request, municipality)


@require_POST
def moderate(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    idea = _idea(municipality, pk)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            services.moderate(
                idea=idea,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                by=_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if form.cleaned_data["decision"] == services.Decision.PUBLISH:
                text = _("“%(title)s” is published on the residents' page.")
            else:
                text = _("“%(title)s” is declined; the proposer can see why.")
            messages.success(request, text % {"title": idea.title})
            return redirect("ideas:moderation", code=code)
    return _moderation_page(request, municipality, failed=(idea.pk, form))


@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    form = WeightsForm(
        request.POST or None, initial=selectors.weights_for(municipality=municipality)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.weights_save(municipality=municipality, by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The weights are saved; the scores follow them."))
            return redirect(
                f"{reverse('ideas:idea_list', args=[code])}?{urlencode({'sort': 'score'})}"
            )
    return render(
        request,
        "ideas/weights.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Scoring weights"))),
            "municipality": municipality,
            "form": form,
            "hints": CRITERION_HINTS,
        },
    )
