from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DigitalisationGroup, GroupMember, Municipality, Region


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("code", "name", "county_name")
    search_fields = ("name", "county_name", "code")


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("code", "name", "region")
    list_filter = ("region",)
    search_fields = ("name", "code")


class GroupMemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = GroupMember
    extra = 0


@admin.register(DigitalisationGroup)
class DigitalisationGroupAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "municipality", "is_demo")
    list_filter = ("is_demo", "municipality__region")
    inlines = [GroupMemberInline]
