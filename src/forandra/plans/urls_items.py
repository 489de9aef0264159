"""Plan URLs: a draft's capabilities and initiatives (see urls.py)."""

from django.urls import URLPattern, path

from .views import items

VERSION = "municipalities/<str:code>/plans/<int:pk>/versions/<int:number>/"

urlpatterns: list[URLPattern] = [
    path(f"{VERSION}capabilities/add/", items.capability_add, name="capability_add"),
    path(f"{VERSION}capabilities/<int:item>/edit/", items.capability_edit, name="capability_edit"),
    path(
        f"{VERSION}capabilities/<int:item>/delete/",
        items.capability_delete,
        name="capability_delete",
    ),
    path(f"{VERSION}initiatives/add/", items.initiative_add, name="initiative_add"),
    path(
        f"{VERSION}initiatives/from-portfolio/",
        items.initiative_from_portfolio,
        name="initiative_from_portfolio",
    ),
    path(f"{VERSION}initiatives/<int:item>/edit/", items.initiative_edit, name="initiative_edit"),
    path(
        f"{VERSION}initiatives/<int:item>/delete/",
        items.initiative_delete,
        name="initiative_delete",
    ),
]
