"""Single sign-on URLs (OpenID Connect)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
