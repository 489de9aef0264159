"""Idea URLs: the bank, moderation of residents' proposals and the scoring weights (see urls.py)."""

from django.urls import URLPattern, path

from .views import bank

urlpatterns: list[URLPattern] = [
    path("municipalities/<str:code>/ideas/", bank.idea_list, name="idea_list"),
    path("municipalities/<str:code>/ideas/add/", bank.idea_add, name="idea_add"),
    path("municipalities/<str:code>/ideas/moderation/", bank.moderation, name="moderation"),
    path("municipalities/<str:code>/ideas/weights/", bank.weights, name="weights"),
    path("municipalities/<str:code>/ideas/<int:pk>/", bank.idea_detail, name="idea_detail"),
    path("municipalities/<str:code>/ideas/<int:pk>/edit/", bank.idea_edit, name="idea_edit"),
    path("municipalities/<str:code>/ideas/<int:pk>/moderate/", bank.moderate, name="moderate"),
]
