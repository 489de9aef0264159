"""The region's pages. Each part keeps its own list: the dashboard and the national view
(urls_dashboard); collaboration and joint initiatives (urls_collaboration); what municipalities
publish, the public page and open data (urls_public)."""

from . import urls_collaboration, urls_dashboard, urls_public

app_name = "regional"

urlpatterns = [
    *urls_dashboard.urlpatterns,
    *urls_collaboration.urlpatterns,
    *urls_public.urlpatterns,
]
