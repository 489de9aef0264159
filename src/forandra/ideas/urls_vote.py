"""Idea URLs: see urls.py. Dot voting: the votes, the participant's page, the results screen."""

from django.urls import URLPattern, path

from .views import vote

VOTE = "municipalities/<str:code>/ideas/votes/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path("municipalities/<str:code>/ideas/votes/", vote.vote_list, name="vote_list"),
    path("municipalities/<str:code>/ideas/votes/new/", vote.vote_create, name="vote_create"),
    path(VOTE, vote.vote_detail, name="vote_detail"),
    path(f"{VOTE}dots/", vote.vote_dot, name="vote_dot"),
    path(f"{VOTE}results/", vote.vote_results, name="vote_results"),
    path(f"{VOTE}results/live/", vote.vote_results_live, name="vote_results_live"),
    path(f"{VOTE}close/", vote.vote_close, name="vote_close"),
]
