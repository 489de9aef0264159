"""The project's URLs: one include per domain app."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from forandra.core import health

urlpatterns = [
    # Health: the process answers (liveness), and it is ready to serve (readiness). Open to
    # everyone and without personal data; see docs/admin.md.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("forandra.core.urls")),
    path("accounts/", include("forandra.accounts.urls")),
    path("", include("forandra.municipalities.urls")),
    path("", include("forandra.maturity.urls")),
    path("", include("forandra.scanning.urls")),
    path("", include("forandra.programme.urls")),
    path("", include("forandra.ideas.urls")),
    path("", include("forandra.plans.urls")),
    path("", include("forandra.regional.urls")),
    path("", include("forandra.api.urls")),
    path("", include("forandra.webhooks.urls")),
    path("", include("forandra.privacy.urls")),
    path("", include("forandra.accounts.urls_sso")),
    # The language switch works for everyone, signed in or not.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

# The server error page shows the request id a user can quote to the administrator.
handler500 = "forandra.core.errors.server_error"
