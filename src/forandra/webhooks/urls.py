"""Webhook pages of a municipality: the list with the add form, each webhook and its log."""

from django.urls import path

from . import views

app_name = "webhooks"

W = "municipalities/<str:code>/webhooks/<int:pk>/"

urlpatterns = [
    path("municipalities/<str:code>/webhooks/", views.webhook_list, name="webhook_list"),
    path(W, views.webhook_detail, name="webhook_detail"),
    path(W + "edit/", views.webhook_edit, name="webhook_edit"),
    path(W + "remove/", views.webhook_delete, name="webhook_delete"),
    path(W + "secret/", views.webhook_secret, name="webhook_secret"),
    path(W + "test/", views.webhook_test, name="webhook_test"),
    path(W + "deliveries/<int:delivery_pk>/", views.delivery_detail, name="delivery_detail"),
    path(
        W + "deliveries/<int:delivery_pk>/resend/",
        views.delivery_resend,
        name="delivery_resend",
    ),
]
