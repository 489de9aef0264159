"""Plan URLs: the region's view of its municipalities' plans (see urls.py)."""

from django.urls import URLPattern, path

from .views import region

urlpatterns: list[URLPattern] = [
    path("regions/<str:code>/plans/", region.region_plans, name="region_plans"),
]
