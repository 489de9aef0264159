"""Dot voting: opening a vote, placing dots within one's total, closing, and the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from forandra.accounts.models import User
from forandra.ideas import voting
from forandra.ideas.models import Dot, Idea, Vote
from forandra.municipalities.models import Municipality
from tests.conftest import Users

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def make_idea(municipality: Municipality, title: str, **fields: object) -> Idea:
    return Idea.objects.create(
        municipality=municipality,
        title=title,
        need=f"Behovet bakom {title.lower()}.",
        source=fields.pop("source", "group"),
        **fields,
    )


@pytest.fixture
def ideas(home: Municipality) -> list[Idea]:
    return [
        make_idea(home, "Digital anslagstavla"),
        make_idea(home, "Chatt för bygglov"),
        make_idea(home, "Wifi i äldreboenden"),
    ]


@pytest.fixture
def vote(home: Municipality, ideas: list[Idea], users: Users) -> Vote:
    return voting.vote_create(
        municipality=home, title="Workshop 3", dots=5, ideas=ideas, by=users.member
    )


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in the source language."""
    with translation.override("en"):
        yield


def client_for(user: User) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


# --- Opening a vote -------------------------------------------------------------------------------


def test_a_vote_lists_the_chosen_ideas(vote: Vote, ideas: list[Idea]) -> None:
    assert [i.pk for i in voting.vote_ideas(vote=vote)] == sorted(
        (i.pk for i in ideas), key=lambda pk: next(i.title for i in ideas if i.pk == pk)
    )
    assert vote.dots == 5
    assert vote.closed_at is None


def test_a_vote_needs_at_least_two_ideas(home: Municipality, ideas: list[Idea]) -> None:
    with pytest.raises(ValidationError) as raised:
        voting.vote_create(municipality=home, title="En", dots=5, ideas=ideas[:1], by=None)

    assert "ideas" in raised.value.error_dict
    assert not Vote.objects.exists()


def test_a_vote_refuses_another_municipalitys_idea(
    home: Municipality, neighbour: Municipality, ideas: list[Idea]
) -> None:
    foreign = make_idea(neighbour, "Grannens idé")

    with pytest.raises(ValidationError) as raised:
        voting.vote_create(
            municipality=home, title="Blandat", dots=5, ideas=[ideas[0], foreign], by=None
        )

    assert "ideas" in raised.value.error_dict
    assert not Vote.objects.exists()


def test_parked_ideas_and_pending_proposals_cannot_be_voted_on(
    home: Municipality, ideas: list[Idea]
) -> None:
    parked = make_idea(home, "Parkerad", status="parked")
    pending = make_idea(home, "Förslag", source="citizen", moderation="pending")

    votable = set(voting.votable_ideas(municipality=home))

    assert votable == set(ideas)
    with pytest.raises(ValidationError):
        voting.vote_create(
            municipality=home, title="X", dots=5, ideas=[ideas[0], parked, pending], by=None
        )


@pytest.mark.parametrize("dots", [0, 51])
def test_dots_per_participant_are_from_one_to_fifty(
    home: Municipality, ideas: list[Idea], dots: int
) -> None:
    with pytest.raises(ValidationError) as raised:
        voting.vote_create(municipality=home, title="X", dots=dots, ideas=ideas, by=None)

    assert "dots" in raised.value.error_dict


# --- Placing dots ---------------------------------------------------------------------------------


def test_dots_are_set_per_idea_and_the_rest_is_left(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    assert voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=3) == 2
    assert voting.dot_set(vote=vote, idea=ideas[1], user=users.member, count=2) == 0
    assert voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=1) == 2

    assert voting.my_dots(vote=vote, user=users.member) == {ideas[0].pk: 1, ideas[1].pk: 2}
    assert voting.dots_left(vote=vote, user=users.member) == 2


def test_going_over_ones_total_is_refused_and_changes_nothing(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=4)

    with pytest.raises(ValidationError) as raised:
        voting.dot_set(vote=vote, idea=ideas[1], user=users.member, count=2)

    assert raised.value.error_dict["count"][0].code == "over"
    assert "at most 1" in raised.value.messages[0]
    assert voting.my_dots(vote=vote, user=users.member) == {ideas[0].pk: 4}


def test_each_participant_has_their_own_total(vote: Vote, ideas: list[Idea], users: Users) -> None:
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=5)
    voting.dot_set(vote=vote, idea=ideas[0], user=users.coordinator, count=5)

    assert voting.dots_left(vote=vote, user=users.admin) == 5
    assert Dot.objects.filter(vote=vote).count() == 2


def test_zero_dots_removes_the_row(vote: Vote, ideas: list[Idea], users: Users) -> None:
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=2)

    assert voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=0) == 5
    assert not Dot.objects.filter(vote=vote).exists()


def test_taking_a_dot_off_an_idea_without_dots_is_refused(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    with pytest.raises(ValidationError, match="no dots on this idea"):
        voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=-1)


def test_a_closed_vote_refuses_dots(vote: Vote, ideas: list[Idea], users: Users) -> None:
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=1)
    voting.vote_close(vote=vote)

    for count in (2, 0):
        with pytest.raises(ValidationError) as raised:
            voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=count)
        assert raised.value.error_dict["count"][0].code == "closed"
    assert voting.my_dots(vote=vote, user=users.member) == {ideas[0].pk: 1}


def test_closing_twice_keeps_the_first_time(vote: Vote) -> None:
    first = voting.vote_close(vote=vote).closed_at
    assert voting.vote_close(vote=vote).closed_at == first


def test_an_idea_outside_the_vote_is_refused(
    vote: Vote, home: Municipality, neighbour: Municipality, users: Users
) -> None:
    for idea in (make_idea(home, "Inte med"), make_idea(neighbour, "Grannens")):
        with pytest.raises(ValidationError) as raised:
            voting.dot_set(vote=vote, idea=idea, user=users.member, count=1)
        assert "idea" in raised.value.error_dict
    assert not Dot.objects.exists()


# --- Results --------------------------------------------------------------------------------------


def test_results_order_the_ideas_by_dots_and_count_participants(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    voting.dot_set(vote=vote, idea=ideas[2], user=users.member, count=3)
    voting.dot_set(vote=vote, idea=ideas[1], user=users.member, count=1)
    voting.dot_set(vote=vote, idea=ideas[2], user=users.coordinator, count=2)

    results = voting.vote_results(vote=vote)

    assert [(r.idea, r.dots, r.voters) for r in results.rows] == [
        (ideas[2], 5, 2),
        (ideas[1], 1, 1),
        (ideas[0], 0, 0),
    ]
    assert results.participants == 2
    assert results.dots_placed == 6
    assert [r.percent for r in results.rows] == [100, 20, 0]
    assert results.rows[1].bar_class == "vote-bar--20"


def test_the_fingerprint_changes_when_a_dot_moves(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=2)
    voting.dot_set(vote=vote, idea=ideas[1], user=users.member, count=1)
    before = voting.vote_results(vote=vote).fingerprint
    assert voting.vote_results(vote=vote).fingerprint == before

    # The same rows and the same total, one dot moved.
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=1)
    voting.dot_set(vote=vote, idea=ideas[1], user=users.member, count=2)
    moved = voting.vote_results(vote=vote).fingerprint
    voting.vote_close(vote=vote)
    closed = voting.vote_results(vote=vote).fingerprint

    assert len({before, moved, closed}) == 3


def test_dots_per_idea_sums_every_vote_of_the_municipality_in_one_query(
    vote: Vote, home: Municipality, neighbour: Municipality, ideas: list[Idea], users: Users
) -> None:
    second = voting.vote_create(municipality=home, title="Två", dots=3, ideas=ideas[:2], by=None)
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=2)
    voting.dot_set(vote=second, idea=ideas[0], user=users.member, count=3)
    voting.dot_set(vote=second, idea=ideas[1], user=users.coordinator, count=1)
    voting.vote_close(vote=second)
    other = [make_idea(neighbour, "A"), make_idea(neighbour, "B")]
    theirs = voting.vote_create(municipality=neighbour, title="Deras", dots=5, ideas=other, by=None)
    voting.dot_set(vote=theirs, idea=other[0], user=users.other_member, count=4)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        totals = voting.dots_per_idea(home)

    assert totals == {ideas[0].pk: 5, ideas[1].pk: 1}
    assert len(queries) == 1


# --- Pages ----------------------------------------------------------------------------------------


def test_opening_a_vote_from_the_form(home: Municipality, ideas: list[Idea], users: Users) -> None:
    client = client_for(users.member)
    url = reverse("ideas:vote_create", args=[home.code])

    response = client.post(
        url, {"title": "Workshop 4", "dots": "3", "ideas": [ideas[0].pk, ideas[1].pk]}
    )

    vote = Vote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ideas:vote_detail", args=[home.code, vote.pk])
    assert (vote.title, vote.dots, vote.created_by) == ("Workshop 4", 3, users.member)
    assert set(vote.ideas.all()) == {ideas[0], ideas[1]}


def test_a_vote_form_with_one_idea_shows_the_error_and_keeps_the_input(
    home: Municipality, ideas: list[Idea], users: Users
) -> None:
    response = client_for(users.member).post(
        reverse("ideas:vote_create", args=[home.code]),
        {"title": "Bara en", "dots": "60", "ideas": [ideas[0].pk]},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "error-summary" in content
    assert "Choose at least two ideas" in content
    assert 'value="Bara en"' in content
    assert "less than or equal to 50" in content
    assert not Vote.objects.exists()


def test_the_participant_page_shows_my_dots_and_what_is_left(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=2)
    voting.dot_set(vote=vote, idea=ideas[1], user=users.coordinator, count=4)

    response = client_for(users.member).get(
        reverse("ideas:vote_detail", args=[vote.municipality.code, vote.pk])
    )

    content = response.content.decode()
    assert "<strong>3</strong> of 5 dots left" in content
    assert content.count('class="vote-pip"') == 2  # only my own
    assert f'id="plus-{ideas[0].pk}"' in content


def test_leadership_sees_the_ideas_without_buttons(vote: Vote, users: Users) -> None:
    response = client_for(users.leadership).get(
        reverse("ideas:vote_detail", args=[vote.municipality.code, vote.pk])
    )

    assert response.status_code == 200
    assert "plus-" not in response.content.decode()
    assert "dots left" not in response.content.decode()


def test_a_dot_without_htmx_is_saved_and_leads_back_to_the_idea(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    url = reverse("ideas:vote_dot", args=[vote.municipality.code, vote.pk])

    response = client_for(users.member).post(url, {"idea": ideas[1].pk, "count": 2})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/votes/{vote.pk}/#idea-{ideas[1].pk}")
    assert voting.my_dots(vote=vote, user=users.member) == {ideas[1].pk: 2}


def test_a_dot_with_htmx_returns_the_row_and_the_line_of_dots_left(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    url = reverse("ideas:vote_dot", args=[vote.municipality.code, vote.pk])

    response = client_for(users.member).post(url, {"idea": ideas[1].pk, "count": 4}, headers=HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.startswith(f'<li class="vote-idea" id="idea-{ideas[1].pk}">')
    assert content.count('class="vote-pip"') == 4
    assert 'id="dots-left"' in content and 'hx-swap-oob="innerHTML"' in content
    assert "<strong>1</strong> of 5 dots left" in content
    assert "<main" not in content


def test_a_dot_over_the_total_with_htmx_shows_why_in_the_row(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=5)
    url = reverse("ideas:vote_dot", args=[vote.municipality.code, vote.pk])

    response = client_for(users.member).post(url, {"idea": ideas[1].pk, "count": 1}, headers=HTMX)

    content = response.content.decode()
    assert 'role="alert"' in content
    assert "at most 0 on this idea" in content
    assert "<strong>0</strong> of 5 dots left" in content
    assert voting.my_dots(vote=vote, user=users.member) == {ideas[0].pk: 5}


def test_a_dot_on_a_closed_vote_is_refused_with_a_message(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    voting.vote_close(vote=vote)
    client = client_for(users.member)

    response = client.post(
        reverse("ideas:vote_dot", args=[vote.municipality.code, vote.pk]),
        {"idea": ideas[0].pk, "count": 1},
        follow=True,
    )

    assert "The vote is closed" in response.content.decode()
    assert not Dot.objects.exists()


def test_a_vote_of_another_municipality_is_not_found_under_this_one(
    vote: Vote, neighbour: Municipality, users: Users
) -> None:
    response = client_for(users.admin).get(
        reverse("ideas:vote_detail", args=[neighbour.code, vote.pk])
    )

    assert response.status_code == 404


def test_the_live_results_answer_204_when_nothing_changed(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    client = client_for(users.coordinator)
    url = reverse("ideas:vote_results_live", args=[vote.municipality.code, vote.pk])
    first = client.get(url, headers=HTMX)
    fingerprint = voting.vote_results(vote=vote).fingerprint
    assert first.status_code == 200
    assert f'value="{fingerprint}"' in first.content.decode()

    assert client.get(url, {"v-results": fingerprint}, headers=HTMX).status_code == 204

    voting.dot_set(vote=vote, idea=ideas[0], user=users.member, count=3)
    changed = client.get(url, {"v-results": fingerprint}, headers=HTMX)
    content = changed.content.decode()
    assert changed.status_code == 200
    assert '<div id="results-live" hx-swap-oob="innerHTML">' in content
    assert "Results updated: 3 dots from 1 participant." in content


def test_the_live_results_stop_polling_once_closed_and_shown(vote: Vote, users: Users) -> None:
    client = client_for(users.coordinator)
    url = reverse("ideas:vote_results_live", args=[vote.municipality.code, vote.pk])
    voting.vote_close(vote=vote)
    fingerprint = voting.vote_results(vote=vote).fingerprint

    assert client.get(url, {"v-results": "old"}).status_code == 200
    assert client.get(url, {"v-results": fingerprint}).status_code == 286


def test_the_results_page_shows_totals_and_polls_while_open(
    vote: Vote, ideas: list[Idea], users: Users
) -> None:
    voting.dot_set(vote=vote, idea=ideas[1], user=users.member, count=4)
    url = reverse("ideas:vote_results", args=[vote.municipality.code, vote.pk])
    client = client_for(users.leadership)

    content = client.get(url).content.decode()

    assert 'hx-trigger="every 2s"' in content
    assert 'class="vote-bar vote-bar--100"' in content
    assert "<strong>1</strong> participant has placed <strong>4</strong> dots" in content
    assert content.index(ideas[1].title) < content.index(ideas[0].title)
    assert 'style="' not in content

    voting.vote_close(vote=vote)
    closed = client.get(url).content.decode()
    assert "every 2s" not in closed
    assert "Final results" in closed


def test_closing_asks_first_and_then_closes(vote: Vote, users: Users) -> None:
    client = client_for(users.member)
    url = reverse("ideas:vote_close", args=[vote.municipality.code, vote.pk])

    asked = client.get(url)
    vote.refresh_from_db()
    assert asked.status_code == 200 and vote.closed_at is None

    response = client.post(url)
    vote.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "ideas:vote_results", args=[vote.municipality.code, vote.pk]
    )
    assert vote.closed_at is not None


def test_the_list_shows_open_votes_first_with_participants(
    vote: Vote, home: Municipality, ideas: list[Idea], users: Users
) -> None:
    older = voting.vote_create(municipality=home, title="Förra", dots=3, ideas=ideas, by=None)
    voting.dot_set(vote=older, idea=ideas[0], user=users.member, count=1)
    voting.dot_set(vote=older, idea=ideas[1], user=users.member, count=1)
    voting.dot_set(vote=older, idea=ideas[1], user=users.coordinator, count=1)
    voting.vote_close(vote=older)

    rows = list(voting.votes_for(municipality=home))
    content = (
        client_for(users.leadership)
        .get(reverse("ideas:vote_list", args=[home.code]))
        .content.decode()
    )

    assert [(v.title, v.idea_count, v.participant_count) for v in rows] == [
        ("Workshop 3", 3, 0),
        ("Förra", 3, 2),
    ]
    assert content.index("Workshop 3") < content.index("Förra")
    assert "Open a dot vote" not in content  # leadership reads only
