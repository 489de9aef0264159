"""Idea URLs: see urls.py. Portfolios: saved runs of the optimiser, one version each."""

from django.urls import URLPattern, path

from .views import portfolio as views

urlpatterns: list[URLPattern] = [
    path(
        "municipalities/<str:code>/ideas/portfolios/",
        views.portfolio_list,
        name="portfolio_list",
    ),
    path(
        "municipalities/<str:code>/ideas/portfolios/new/",
        views.portfolio_new,
        name="portfolio_new",
    ),
    path(
        "municipalities/<str:code>/ideas/portfolios/<int:version>/",
        views.portfolio_detail,
        name="portfolio_detail",
    ),
]
