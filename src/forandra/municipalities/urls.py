from django.urls import path

from . import views

app_name = "municipalities"

urlpatterns = [
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality_detail"),
    path("municipalities/<str:code>/group/", views.group_detail, name="group_detail"),
    path("municipalities/<str:code>/group/create/", views.group_create, name="group_create"),
    path("municipalities/<str:code>/group/edit/", views.group_edit, name="group_edit"),
    path("municipalities/<str:code>/group/members/add/", views.member_add, name="member_add"),
    path(
        "municipalities/<str:code>/group/members/<int:pk>/edit/",
        views.member_edit,
        name="member_edit",
    ),
    path(
        "municipalities/<str:code>/group/members/<int:pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("municipalities/<str:code>/units/add/", views.unit_add, name="unit_add"),
    path("municipalities/<str:code>/units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path(
        "municipalities/<str:code>/units/<int:pk>/remove/",
        views.unit_remove,
        name="unit_remove",
    ),
]
