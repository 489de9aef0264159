"""Regional URLs: the public part (see urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
