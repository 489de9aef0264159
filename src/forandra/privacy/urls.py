"""The privacy app's URLs."""

from django.urls import URLPattern

app_name = "privacy"

urlpatterns: list[URLPattern] = []
