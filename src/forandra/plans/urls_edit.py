"""Plan URLs: see urls.py. The plans of a municipality, a plan and its versions, a version's
sections and its check of management versus leadership, submitting and withdrawing it."""

from django.urls import URLPattern, path

from .views import edit as views

PLAN = "municipalities/<str:code>/plans/<int:pk>/"
VERSION = PLAN + "versions/<int:number>/"

urlpatterns: list[URLPattern] = [
    path("municipalities/<str:code>/plans/", views.plan_list, name="plan_list"),
    path("municipalities/<str:code>/plans/new/", views.plan_new, name="plan_new"),
    path(PLAN, views.plan_detail, name="plan_detail"),
    path(PLAN + "edit/", views.plan_edit, name="plan_edit"),
    path(PLAN + "versions/new/", views.version_new, name="version_new"),
    path(VERSION, views.version_detail, name="version_detail"),
    path(VERSION + "steps/<int:step>/", views.section_edit, name="section_edit"),
    path(VERSION + "leadership/", views.leadership_check_edit, name="leadership_check_edit"),
    path(VERSION + "submit/", views.version_submit, name="version_submit"),
    path(VERSION + "withdraw/", views.version_withdraw, name="version_withdraw"),
]
