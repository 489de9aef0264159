"""Regional URLs: the dashboard part (see urls.py)."""

from django.urls import URLPattern, path

from .views import dashboard

urlpatterns: list[URLPattern] = [
    path("regions/<str:code>/overview/", dashboard.region_dashboard, name="dashboard"),
    path("national/", dashboard.national, name="national"),
]
