"""Regional URLs: the public part (see urls.py): what a municipality publishes, the region's
public page and its open data."""

from django.urls import URLPattern, path

from .views import public, publish

urlpatterns: list[URLPattern] = [
    path(
        "municipalities/<str:code>/publication/",
        publish.publication_edit,
        name="publication_edit",
    ),
    path("regions/<str:code>/public-page/", publish.public_edit, name="public_edit"),
    path("public/regions/<str:code>/", public.public_summary, name="public_summary"),
    path("public/regions/<str:code>/data/", public.data_dictionary, name="data_dictionary"),
    path(
        "public/regions/<str:code>/data/<slug:dataset>.<str:fmt>",
        public.data_download,
        name="data_download",
    ),
]
