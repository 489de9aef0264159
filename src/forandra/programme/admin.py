from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Assignment,
    AssignmentStatus,
    Attendance,
    Cohort,
    CohortGroup,
    Programme,
    Session,
    Workshop,
)


class WorkshopInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Workshop
    extra = 0


class AssignmentInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Assignment
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "region", "starts_on", "ends_on", "min_gap_hours")
    list_filter = ("region",)
    search_fields = ("name",)
    filter_horizontal = ("municipalities", "facilitators")
    inlines = [WorkshopInline, AssignmentInline]


@admin.register(Workshop)
class WorkshopAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("programme", "number", "title_sv")
    list_filter = ("programme",)


class CohortGroupInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CohortGroup
    extra = 0


@admin.register(Cohort)
class CohortAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "programme")
    list_filter = ("programme",)
    inlines = [CohortGroupInline]


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("workshop", "cohort", "starts_at", "ends_at", "place")
    list_filter = ("workshop__programme",)
    readonly_fields = ("uid", "sequence")


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("session", "member", "present", "hours")
    list_filter = ("session__workshop__programme", "present")


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("programme", "after_workshop", "key", "title_sv")
    list_filter = ("programme",)


@admin.register(AssignmentStatus)
class AssignmentStatusAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("assignment", "group", "state", "due_on", "done_at")
    list_filter = ("assignment__programme", "state")
