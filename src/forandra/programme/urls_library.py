"""Programme URLs: see urls.py. The material library and the leaders' learning path."""

from django.urls import URLPattern, path

from .views import learning, library

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/material/", library.material, name="material"),
    path(
        "programmes/<int:pk>/workshops/<int:number>/material/add/",
        library.material_add,
        name="material_add",
    ),
    path(
        "programmes/<int:pk>/material/<int:material_pk>/file/",
        library.material_file,
        name="material_file",
    ),
    path(
        "programmes/<int:pk>/material/<int:material_pk>/remove/",
        library.material_remove,
        name="material_remove",
    ),
    path("learning/", learning.learning_path, name="learning_path"),
    path("learning/<slug:key>/", learning.learning_module, name="learning_module"),
    path(
        "regions/<str:code>/learning/",
        learning.learning_participation,
        name="learning_participation",
    ),
]
