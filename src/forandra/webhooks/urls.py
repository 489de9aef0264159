"""The webhooks app's URLs."""

from django.urls import URLPattern

app_name = "webhooks"

urlpatterns: list[URLPattern] = []
