"""The project's URLs plus `/__bench__/ping`, the ceiling: Django's whole middleware stack, but
no database, no template, no session."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_not_required
def ping(request: HttpRequest) -> HttpResponse:
    """The least a view can do."""
    return HttpResponse(b"pong", content_type="text/plain")


urlpatterns = [
    path("__bench__/ping", ping),
    path("", include("forandra.urls")),
]
