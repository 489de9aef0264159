"""The region's library of shared ideas, sharing, copying, similar ideas and the coordinator's
clusters of alike ideas across municipalities."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forandra.accounts.models import User
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for, municipality_trail, region_for
from forandra.municipalities.models import Municipality, Region

from .. import library, selectors
from ..models import Idea


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _idea(municipality: Municipality, pk: int) -> Idea:
    try:
        return selectors.idea_get(municipality=municipality, pk=pk)
    except Idea.DoesNotExist:
        raise Http404 from None


def _region_trail(region: Region, label: str) -> list[Crumb]:
    return [*crumbs((region.name, "municipalities:region_detail", (region.code,))), Crumb(label)]


def _idea_trail(request: HttpRequest, idea: Idea, label: str) -> list[Crumb]:
    municipality = idea.municipality
    return [
        *municipality_trail(request, municipality),
        *crumbs(
            (_("Ideas"), "ideas:idea_list", (municipality.code,)),
            (idea.title, "ideas:idea_detail", (municipality.code, idea.pk)),
        ),
        Crumb(label),
    ]


def _copy_target(request: HttpRequest, region: Region) -> Municipality | None:
    """The user's own municipality, when it is in the region and they may add ideas to it."""
    user = _user(request)
    municipality = getattr(user, "municipality", None) if user else None
    if municipality is None or municipality.region_id != region.pk:
        return None
    return municipality if allowed(request.user, Perm.IDEAS_EDIT, municipality) else None


def region_library(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.IDEAS_LIBRARY)
    query = request.GET.get("q", "").strip()[:200]
    ideas = list(library.shared_ideas(region=region, query=query))
    return render(
        request,
        "ideas/library/region_library.html",
        {
            "breadcrumbs": _region_trail(region, _("Shared ideas")),
            "region": region,
            "ideas": ideas,
            "query": query,
            "copy_to": _copy_target(request, region),
            "can_see_clusters": allowed(request.user, Perm.REGION_VIEW_GROUPS, region),
            "is_demo": any(idea.is_demo for idea in ideas),
        },
    )


@require_POST
def idea_share(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    idea = _idea(municipality, pk)
    share = idea.shared_at is None
    try:
        library.idea_share(idea=idea, shared=share)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if share:
            messages.success(
                request, _("“%(title)s” is shared with the region.") % {"title": idea.title}
            )
        else:
            messages.success(
                request,
                _("“%(title)s” is no longer shared with the region.") % {"title": idea.title},
            )
    return redirect("ideas:idea_detail", code=municipality.code, pk=idea.pk)


@require_http_methods(["GET", "POST"])
def library_copy(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    source = (
        Idea.objects.filter(municipality__region_id=municipality.region_id, pk=pk)
        .select_related("municipality")
        .first()
    )
    if source is None:
        raise Http404
    error = ""
    if source.municipality_id == municipality.pk:
        error = _("This idea is already in your idea bank: it is your own.")
    elif source.shared_at is None or source.moderation != "published":
        error = _("Only ideas shared with your region's library can be copied.")
    if not error and request.method == "POST":
        try:
            copy = library.idea_copy(source=source, municipality=municipality, by=_user(request))
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request,
                _("“%(title)s” is copied to your idea bank.") % {"title": copy.title},
            )
            return redirect("ideas:idea_detail", code=municipality.code, pk=copy.pk)
    region = municipality.region
    return render(
        request,
        "ideas/library/library_copy.html",
        {
            "breadcrumbs": [
                *crumbs(
                    (region.name, "municipalities:region_detail", (region.code,)),
                    (_("Shared ideas"), "ideas:region_library", (region.code,)),
                ),
                Crumb(_("Copy an idea")),
            ],
            "municipality": municipality,
            "region": region,
            "source": None if error and source.shared_at is None else source,
            "attribution": library.attribution_for(source),
            "error": error,
        },
        status=400 if error and request.method == "POST" else 200,
    )


def idea_similar(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    idea = _idea(municipality, pk)
    return render(
        request,
        "ideas/library/idea_similar.html",
        {
            "breadcrumbs": _idea_trail(request, idea, _("Similar ideas")),
            "municipality": municipality,
            "idea": idea,
            "similar": library.similar_ideas(idea=idea),
        },
    )


def region_clusters(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.REGION_VIEW_GROUPS)
    return render(
        request,
        "ideas/library/region_clusters.html",
        {
            "breadcrumbs": _region_trail(region, _("Similar ideas across municipalities")),
            "region": region,
            "clusters": library.region_clusters(region=region),
        },
    )
