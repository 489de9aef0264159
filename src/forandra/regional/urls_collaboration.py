"""Regional URLs: the collaboration part (see urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
