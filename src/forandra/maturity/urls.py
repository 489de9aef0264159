from django.urls import path

from . import views

app_name = "maturity"

urlpatterns = [
    path("municipalities/<str:code>/maturity/", views.round_list, name="round_list"),
    path("municipalities/<str:code>/maturity/new/", views.round_create, name="round_create"),
    path("municipalities/<str:code>/maturity/<int:pk>/", views.round_detail, name="round_detail"),
    path(
        "municipalities/<str:code>/maturity/<int:pk>/answer/<int:step>/",
        views.consensus_answer,
        name="consensus_answer",
    ),
    path(
        "municipalities/<str:code>/maturity/<int:pk>/link/", views.survey_link, name="survey_link"
    ),
    path(
        "municipalities/<str:code>/maturity/<int:pk>/close/", views.round_close, name="round_close"
    ),
    path(
        "municipalities/<str:code>/maturity/<int:pk>/export/<str:kind>.<str:fmt>",
        views.round_export,
        name="round_export",
    ),
    path(
        "municipalities/<str:code>/maturity/<int:pk>/instrument.yaml",
        views.instrument_yaml,
        name="instrument_yaml",
    ),
    path(
        "municipalities/<str:code>/maturity/<int:pk>/report.pdf",
        views.round_report_pdf,
        name="round_report",
    ),
    path("survey/<str:link_key>/", views.survey_start, name="survey_start"),
    path("survey/<str:link_key>/personal/<str:token>/", views.survey_token, name="survey_token"),
    path("survey/<str:link_key>/thanks/", views.survey_thanks, name="survey_thanks"),
]
