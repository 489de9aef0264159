"""The project's URLs and one view that fails, for the server error tests."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from forandra.urls import handler500
from forandra.urls import urlpatterns as project_urlpatterns

__all__ = ["handler500", "urlpatterns"]


@login_not_required
def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view failed")


urlpatterns = [path("fails/", fails), *project_urlpatterns]
