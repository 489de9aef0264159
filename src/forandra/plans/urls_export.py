"""Plan URLs: a version as a Word, PDF or Markdown download (see urls.py)."""

from django.urls import URLPattern, path

from .views import export

VERSION = "municipalities/<str:code>/plans/<int:pk>/versions/<int:number>/"

urlpatterns: list[URLPattern] = [
    path(VERSION + "plan.<str:fmt>", export.version_export, name="export"),
]
