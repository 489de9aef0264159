"""The project's URLs: one include per domain app."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("forandra.core.urls")),
    path("accounts/", include("forandra.accounts.urls")),
    path("", include("forandra.municipalities.urls")),
    path("", include("forandra.maturity.urls")),
    path("", include("forandra.scanning.urls")),
    path("", include("forandra.programme.urls")),
    path("", include("forandra.ideas.urls")),
    path("", include("forandra.plans.urls")),
    # The language switch works for everyone, signed in or not.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
