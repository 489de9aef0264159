"""Idea pages. Each part keeps its own list: the idea bank, moderation and scoring weights; the
residents' public pages; dot voting; portfolios; the region's shared library."""

from . import urls_bank, urls_library, urls_portfolio, urls_public, urls_vote

app_name = "ideas"

urlpatterns = [
    *urls_bank.urlpatterns,
    *urls_public.urlpatterns,
    *urls_vote.urlpatterns,
    *urls_portfolio.urlpatterns,
    *urls_library.urlpatterns,
]
