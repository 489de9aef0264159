"""Programme URLs: see urls.py. The management pages: programmes, workshops, cohorts, sessions,
attendance, a group's home assignments and the coordinator's overview."""

from django.urls import URLPattern, path

from .views import programmes, schedule

urlpatterns: list[URLPattern] = [
    path("regions/<str:code>/programmes/", programmes.programme_list, name="programme_list"),
    path(
        "regions/<str:code>/programmes/new/", programmes.programme_create, name="programme_create"
    ),
    path("programmes/<int:pk>/", programmes.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", programmes.programme_edit, name="programme_edit"),
    path(
        "programmes/<int:pk>/workshops/<int:number>/",
        programmes.workshop_detail,
        name="workshop_detail",
    ),
    path(
        "programmes/<int:pk>/workshops/<int:number>/edit/",
        programmes.workshop_edit,
        name="workshop_edit",
    ),
    path("programmes/<int:pk>/cohorts/new/", schedule.cohort_create, name="cohort_create"),
    path(
        "programmes/<int:pk>/cohorts/<int:cohort_pk>/schedule/",
        schedule.cohort_schedule,
        name="cohort_schedule",
    ),
    path("programmes/<int:pk>/calendar.ics", programmes.calendar, name="calendar"),
    path(
        "programmes/<int:pk>/groups/<str:code>/calendar.ics",
        programmes.group_calendar,
        name="group_calendar",
    ),
    path(
        "programmes/<int:pk>/sessions/<int:session_pk>/attendance/",
        schedule.attendance,
        name="attendance",
    ),
    path("programmes/<int:pk>/groups/<str:code>/", schedule.group_detail, name="group_detail"),
    path(
        "programmes/<int:pk>/groups/<str:code>/assignments/<slug:key>/",
        schedule.assignment_status,
        name="assignment_status",
    ),
    path("programmes/<int:pk>/overview/", programmes.overview, name="overview"),
]
