"""Regional URLs: the collaboration part (see urls.py). Alike initiatives and ideas across the
region's municipalities, and the joint initiatives that link them."""

from django.urls import URLPattern, path

from .views import collaboration as views

JOINT = "regions/<str:code>/joint/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path("regions/<str:code>/collaboration/", views.collaboration_page, name="collaboration"),
    path("regions/<str:code>/joint/new/", views.joint_create, name="joint_create"),
    path(JOINT, views.joint_detail, name="joint_detail"),
    path(JOINT + "edit/", views.joint_edit, name="joint_edit"),
    path(JOINT + "delete/", views.joint_delete, name="joint_delete"),
]
