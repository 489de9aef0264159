"""The api app's URLs."""

from django.urls import URLPattern

app_name = "api"

urlpatterns: list[URLPattern] = []
