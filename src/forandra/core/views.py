"""The start page and the accessibility statement."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from forandra.accounts.models import Role, User
from forandra.municipalities import selectors as municipality_selectors
from forandra.programme import learning_notes
from forandra.programme.learning import default_learning_path
from forandra.regional.visibility import open_public_regions

from . import permissions
from .navigation import crumbs


@login_not_required
def start(request: HttpRequest) -> HttpResponse:
    """What the programme is, and where the signed-in user's work is."""
    user = request.user
    context: dict[str, object] = {}
    region = getattr(user, "region", None) if user.is_authenticated else None
    municipality = getattr(user, "municipality", None) if user.is_authenticated else None
    if permissions.is_admin(user):
        context["regions"] = municipality_selectors.region_list()
    context["national"] = permissions.allowed(user, permissions.Perm.NATIONAL_VIEW, None)
    context["public_regions"] = list(open_public_regions())
    if region is not None:
        summary = municipality_selectors.region_summary(region=region)
        context.update(region=region, summary=summary, is_demo=summary.is_demo)
    if municipality is not None:
        group = municipality_selectors.group_for(municipality=municipality)
        context.update(
            municipality=municipality,
            group=group,
            is_demo=bool(group and group.is_demo),
            cross=municipality_selectors.group_cross_functionality(group=group) if group else None,
        )
    if isinstance(user, User):
        # The leaders' learning path is open to everyone signed in, and made for the leadership.
        context["learning"] = {
            "done": learning_notes.modules_done(user=user),
            "modules": len(default_learning_path().modules),
            "for_leaders": user.role == Role.LEADERSHIP,
        }
    return render(request, "core/start.html", context)


@login_not_required
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement Swedish public-sector sites must publish (DOS law)."""
    return render(
        request,
        "core/accessibility.html",
        {
            "breadcrumbs": crumbs((_("Accessibility statement"), None, ())),
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "statement_date": date.fromisoformat(settings.ACCESSIBILITY_STATEMENT_DATE),
        },
    )
