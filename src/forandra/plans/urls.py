"""Plan pages. Each part keeps its own list: writing a draft (urls_edit), deciding and following
up (urls_decide), exports (urls_export) and the region's view (urls_region)."""

from . import urls_decide, urls_edit, urls_export, urls_region

app_name = "plans"

urlpatterns = [
    *urls_edit.urlpatterns,
    *urls_decide.urlpatterns,
    *urls_export.urlpatterns,
    *urls_region.urlpatterns,
]
