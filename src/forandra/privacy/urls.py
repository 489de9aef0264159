"""The privacy app's URLs: a user's own data under /accounts/, a resident's under /privacy/.

The token argument is named `token` so the request log writes it as `[redacted]`.
"""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("accounts/my-data/", views.my_data, name="my_data"),
    path("accounts/my-data/my-data.json", views.my_data_download, name="my_data_download"),
    path("accounts/my-data/delete/", views.account_delete, name="account_delete"),
    path("privacy/deleted/", views.deleted, name="deleted"),
    path("privacy/residents/", views.resident_request, name="resident_request"),
    path("privacy/residents/sent/", views.resident_sent, name="resident_sent"),
    path("privacy/residents/<str:token>/", views.resident_data, name="resident_data"),
    path(
        "privacy/residents/<str:token>/my-data.json",
        views.resident_download,
        name="resident_download",
    ),
    path("privacy/residents/<str:token>/delete/", views.resident_delete, name="resident_delete"),
]
