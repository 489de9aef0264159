"""Idea URLs: the residents' public pages, without an account (see urls.py)."""

from django.urls import URLPattern, path

from .views import public

urlpatterns: list[URLPattern] = [
    path("public/<str:code>/ideas/", public.public_ideas, name="public_ideas"),
    path("public/<str:code>/ideas/propose/", public.public_propose, name="public_propose"),
    path(
        "public/<str:code>/ideas/<int:pk>/support/",
        public.public_support,
        name="public_support",
    ),
    path("public/proposals/<uuid:token>/", public.proposal_status, name="proposal_status"),
    path(
        "public/proposals/<uuid:token>/contact/delete/",
        public.proposal_contact_delete,
        name="proposal_contact_delete",
    ),
]
