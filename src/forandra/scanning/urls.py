"""Scanning pages: a municipality's feeds, signals and radar; the region's waves and matrix."""

from django.urls import path

from .views import feeds, radar, signals

app_name = "scanning"

urlpatterns: list = [
    # feeds
    # signals
    # radar
]
