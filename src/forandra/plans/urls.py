"""Plan pages. Each part keeps its own list: the plan, its versions and sections (urls_edit);
capabilities and initiatives (urls_items); deciding, following up and the history
(urls_decide); exports (urls_export); and the region's view (urls_region)."""

from . import urls_decide, urls_edit, urls_export, urls_items, urls_region

app_name = "plans"

urlpatterns = [
    *urls_edit.urlpatterns,
    *urls_items.urlpatterns,
    *urls_decide.urlpatterns,
    *urls_export.urlpatterns,
    *urls_region.urlpatterns,
]
