"""Idea URLs: the region's library of shared ideas, sharing, copying, similar ideas and clusters
(see urls.py)."""

from django.urls import URLPattern, path

from .views import library

urlpatterns: list[URLPattern] = [
    path("regions/<str:code>/ideas/library/", library.region_library, name="region_library"),
    path("regions/<str:code>/ideas/clusters/", library.region_clusters, name="region_clusters"),
    path("municipalities/<str:code>/ideas/<int:pk>/share/", library.idea_share, name="idea_share"),
    path(
        "municipalities/<str:code>/ideas/<int:pk>/similar/",
        library.idea_similar,
        name="idea_similar",
    ),
    path(
        "municipalities/<str:code>/ideas/library/<int:pk>/copy/",
        library.library_copy,
        name="library_copy",
    ),
]
