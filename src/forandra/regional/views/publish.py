"""Choosing what is published: a municipality's group picks the parts of its data the others
may see, and the region's coordinator opens or closes the public page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for, municipality_trail, region_for

from .. import preview, public, services
from ..forms_public import PublicationForm, PublicSummaryForm
from ..models import Part
from ..visibility import public_page_open


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _parts_sentence(chosen: dict[str, bool]) -> str:
    names = [str(label).lower() for value, label in Part.choices if chosen.get(value)]
    if not names:
        return _("Nothing is published.")
    if len(names) == 1:
        listed = names[0]
    else:
        listed = _("%(rest)s and %(last)s") % {"rest": ", ".join(names[:-1]), "last": names[-1]}
    return _("Published now: %(parts)s.") % {"parts": listed}


@require_http_methods(["GET", "POST"])
def publication_edit(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.MUNICIPALITY_PUBLISH)
    publication = services.publication_for(municipality=municipality)
    form = PublicationForm(
        request.POST if request.method == "POST" else None,
        initial=PublicationForm.initial_for(publication),
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        services.publication_set(
            municipality=municipality,
            maturity=chosen[Part.MATURITY],
            radar=chosen[Part.RADAR],
            plans=chosen[Part.PLANS],
            by=_user(request),
        )
        messages.success(request, _("Your choices are saved.") + " " + _parts_sentence(chosen))
        return redirect("regional:publication_edit", code=municipality.code)
    region = municipality.region
    context: dict[str, Any] = {
        "breadcrumbs": [*municipality_trail(request, municipality), Crumb(_("What we publish"))],
        "municipality": municipality,
        "region": region,
        "form": form,
        "publication": publication,
        "preview": preview.publication_preview(municipality=municipality),
        "page_open": public_page_open(region),
        "is_demo": publication.is_demo,
    }
    return render(request, "regional/publication_edit.html", context)


@require_http_methods(["GET", "POST"])
def public_edit(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.REGION_PUBLIC_EDIT)
    summary = services.public_summary_for(region=region)
    form = PublicSummaryForm(
        request.POST if request.method == "POST" else None,
        initial={"enabled": summary.enabled, "intro": summary.intro},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.public_summary_set(
            region=region,
            enabled=data["enabled"],
            intro=data["intro"],
            by=_user(request),
        )
        if data["enabled"]:
            messages.success(request, _("Saved. The public page and the open data are open."))
        else:
            messages.success(request, _("Saved. The public page and the open data are closed."))
        return redirect("regional:public_edit", code=region.code)
    choices = public.publication_choices(region=region)
    return render(
        request,
        "regional/public_edit.html",
        {
            "breadcrumbs": crumbs(
                (region.name, "municipalities:region_detail", (region.code,)),
                Crumb(_("Public page")),
            ),
            "region": region,
            "form": form,
            "summary": summary,
            "choices": choices,
            "publishing": sum(1 for c in choices if c.publishes_anything),
            "can_publish": allowed(request.user, Perm.MUNICIPALITY_PUBLISH, choices[0].municipality)
            if choices
            else False,
            "is_demo": summary.is_demo or any(c.is_demo for c in choices),
        },
    )
