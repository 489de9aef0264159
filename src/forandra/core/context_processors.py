"""Template context every page needs: the navigation for the user's role."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import permissions


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str


def navigation(request: HttpRequest) -> dict[str, object]:
    """The main navigation: what the signed-in user's role can reach."""
    user = request.user
    items = [NavItem(_("Start"), reverse("core:start"))]
    if user.is_authenticated:
        role = getattr(user, "role", None)
        if role == "coordinator" and user.region is not None:
            items.append(
                NavItem(
                    _("My region"), reverse("municipalities:region_detail", args=[user.region.code])
                )
            )
        municipality = getattr(user, "municipality", None)
        if role in ("member", "leadership") and municipality is not None:
            items.append(
                NavItem(
                    _("My municipality"),
                    reverse("municipalities:municipality_detail", args=[municipality.code]),
                )
            )
            items.append(
                NavItem(
                    _("Our group"), reverse("municipalities:group_detail", args=[municipality.code])
                )
            )
        if permissions.is_admin(user) and user.is_staff:
            items.append(NavItem(_("Administration"), reverse("admin:index")))
        items.append(NavItem(_("Profile"), reverse("accounts:profile")))
    current = request.path
    return {
        "nav_items": items,
        "nav_current": next(
            (
                item.url
                for item in sorted(items, key=lambda i: -len(i.url))
                if current == item.url or (item.url != "/" and current.startswith(item.url))
            ),
            None,
        ),
    }
