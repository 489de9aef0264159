"""The project's URLs: one include per domain app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("forandra.core.urls")),
    path("accounts/", include("forandra.accounts.urls")),
    path("", include("forandra.municipalities.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
