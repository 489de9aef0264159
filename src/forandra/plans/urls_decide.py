"""Plan URLs: leadership's decision, the follow-up with check-ins, the leadership's overview,
the history and the comparison of versions (see urls.py)."""

from django.urls import URLPattern, path

from .views import decide

P = "municipalities/<str:code>/plans/"
V = P + "<int:pk>/versions/<int:number>/"

urlpatterns: list[URLPattern] = [
    path(P + "follow-up/", decide.leadership_overview, name="leadership_overview"),
    path(V + "decide/", decide.version_decide, name="version_decide"),
    path(V + "close/", decide.version_close, name="version_close"),
    path(V + "initiatives/<int:item>/check-in/", decide.check_in, name="check_in"),
    path(P + "<int:pk>/follow-up/", decide.follow_up, name="follow_up"),
    path(P + "<int:pk>/history/", decide.history, name="history"),
    path(P + "<int:pk>/compare/", decide.version_diff, name="version_diff"),
]
