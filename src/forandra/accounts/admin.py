from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import User


@admin.register(User)
class ForandraUserAdmin(UserAdmin, SimpleHistoryAdmin):  # type: ignore[type-arg,misc]
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "region",
        "municipality",
        "is_demo",
    )
    list_filter = ("role", "is_demo", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (_("Role in Förändra"), {"fields": ("role", "region", "municipality", "is_demo")}),
    )
