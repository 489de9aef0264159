"""Programme pages. Each part keeps its own list: management (programmes, workshops, cohorts,
sessions, attendance, assignments, the coordinator's overview), workshop 1 and facilitator mode,
the material library and the leaders' learning path, and the programme report."""

from . import urls_library, urls_manage, urls_report, urls_ws1

app_name = "programme"

urlpatterns = [
    *urls_manage.urlpatterns,
    *urls_ws1.urlpatterns,
    *urls_library.urlpatterns,
    *urls_report.urlpatterns,
]
