"""The project's URLs plus one view the permission table does not know (for the matrix test)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from forandra.urls import urlpatterns as project_patterns


def unlisted(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"")


urlpatterns = [*project_patterns, path("unlisted/", unlisted, name="unlisted_view")]
