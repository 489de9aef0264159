"""The api app's URLs: the REST API under /api/ and the personal token pages under
/accounts/tokens/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, re_path

from . import views
from .main import api
from .views import api_view

app_name = "api"


def _api_patterns() -> list[URLPattern | URLResolver]:
    """Ninja's URL patterns, each view wrapped (see `views.api_view`); the API's root redirects
    to the documentation."""
    patterns: list[URLPattern | URLResolver] = []
    for pattern in api.urls[0]:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "api-root":
            pattern = path("", views.api_root, name="api-root")
        else:
            pattern.callback = api_view(pattern.callback)
        patterns.append(pattern)
    return patterns


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", include(_api_patterns())),
    re_path(r"^api/(?P<rest>.+)$", views.api_not_found, name="api_not_found"),
    path("accounts/tokens/", views.token_list, name="token_list"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
