"""Programme URLs: see urls.py. The programme report and its downloads."""

from django.urls import URLPattern, path

from .views import report

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/report/", report.report, name="report"),
    path("programmes/<int:pk>/report.<str:fmt>", report.report_export, name="report_export"),
]
