"""The idea bank's pages: the scored list (constant queries), adding and editing, one idea, the
moderation queue and the weights."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.accounts.models import User
from forandra.ideas import selectors, services
from forandra.ideas.models import Dot, Idea, ScoringWeights, Vote
from forandra.municipalities.models import Municipality
from tests.conftest import Users

from .test_bank_services import idea, proposal, waves_of


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def list_url(municipality: Municipality, **query: str) -> str:
    url = reverse("ideas:idea_list", args=[municipality.code])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def bank(municipality: Municipality, count: int, users: Users) -> list[Idea]:
    waves = waves_of(municipality)
    ideas = [
        idea(municipality, title=f"Idé {n}", benefit=1 + n % 5, waves=waves[: 1 + n % 3])
        for n in range(count)
    ]
    vote = Vote.objects.create(municipality=municipality, title="Workshop")
    for each in ideas[::2]:
        Dot.objects.create(vote=vote, idea=each, user=users.member, count=2)
    return ideas


def queries_of(page: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = page.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_list_takes_as_many_queries_for_30_ideas_as_for_3(
    home: Municipality, neighbour: Municipality, users: Users
) -> None:
    page = client_for(users.member)
    bank(neighbour, 3, users)
    bank(home, 3, users)
    few = queries_of(page, list_url(home))
    bank(home, 27, users)

    many = queries_of(page, list_url(home))

    assert many == few
    assert "Idé 26" in page.get(list_url(home)).content.decode()


@pytest.mark.django_db
def test_the_selector_reads_the_scored_list_in_four_queries(
    home: Municipality, users: Users, django_assert_num_queries
) -> None:
    bank(home, 12, users)

    with django_assert_num_queries(4):
        rows = selectors.idea_list(municipality=home, sort="score")
        [list(row.idea.waves.all()) for row in rows]


@pytest.mark.django_db
def test_scores_count_dots_and_support_and_sort_by_score(home: Municipality, users: Users) -> None:
    low = idea(home, title="Låg", benefit=1)
    high = idea(home, title="Hög", benefit=5)
    backed = idea(home, title="Stödd", benefit=1)
    Idea.objects.filter(pk=backed.pk).update(support_count=3)
    vote = Vote.objects.create(municipality=home, title="Workshop")
    Dot.objects.create(vote=vote, idea=backed, user=users.member, count=4)

    rows = selectors.idea_list(municipality=home)

    by_title = {row.idea.title: row for row in rows}
    assert by_title["Stödd"].support == 7
    assert by_title["Låg"].support == 0
    assert rows[0].idea == high
    assert by_title["Stödd"].score.total > by_title["Låg"].score.total
    assert [row.idea for row in selectors.idea_list(municipality=home, sort="newest")] == [
        backed,
        high,
        low,
    ]


@pytest.mark.django_db
def test_the_filters_choose_ideas_but_the_scores_stay_among_all(
    home: Municipality, users: Users
) -> None:
    waves = waves_of(home)
    dimension = selectors.dimension_choices()[1][0]
    one = idea(home, title="Robot i hemtjänsten", waves=[waves[0]], dimensions=[dimension])
    two = idea(home, title="E-tjänst för bygglov", source="staff", status="parked")
    everyone = {row.idea.pk: row.score.total for row in selectors.idea_list(municipality=home)}

    assert [r.idea for r in selectors.idea_list(municipality=home, wave=waves[0].key)] == [one]
    assert [r.idea for r in selectors.idea_list(municipality=home, dimension=dimension)] == [one]
    assert [r.idea for r in selectors.idea_list(municipality=home, source="staff")] == [two]
    assert [r.idea for r in selectors.idea_list(municipality=home, status="parked")] == [two]
    texts = selectors.idea_list(municipality=home, text="bygglov")
    assert [r.idea for r in texts] == [two]
    assert texts[0].score.total == everyone[two.pk]


@pytest.mark.django_db
def test_the_list_page_filters_and_hides_pending_proposals(
    home: Municipality, users: Users
) -> None:
    idea(home, title="Digital anslagstavla")
    idea(home, title="Bygglov på nätet", source="staff")
    proposal(home, title="Väntande förslag")
    page = client_for(users.leadership)

    everything = page.get(list_url(home)).content.decode()
    staff = page.get(list_url(home, source="staff")).content.decode()
    nonsense = page.get(list_url(home, sort="nonsense", status="nope"))

    assert "Digital anslagstavla" in everything and "Bygglov på nätet" in everything
    assert "Väntande förslag" not in everything
    assert "Digital anslagstavla" not in staff and "Bygglov på nätet" in staff
    assert nonsense.status_code == 200
    # Leadership reads the bank but cannot add to it.
    assert reverse("ideas:idea_add", args=[home.code]) not in everything


@pytest.mark.django_db
def test_adding_an_idea_through_the_form(home: Municipality, users: Users) -> None:
    waves = waves_of(home)
    dimension = selectors.dimension_choices()[0][0]
    response = client_for(users.member).post(
        reverse("ideas:idea_add", args=[home.code]),
        {
            "title": "Chatt med biblioteket",
            "need": "Låntagare vill fråga på kvällen.",
            "description": "",
            "source": "group",
            "waves": [waves[0].key, waves[2].key],
            "dimensions": [dimension],
            "one_time_cost": "50000",
            "yearly_cost": "12000",
            "effort": "1.5",
            "benefit": "4",
            "feasibility": "5",
            "risk": "2",
            "status": "considered",
        },
    )

    made = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ideas:idea_detail", args=[home.code, made.pk])
    assert (made.benefit, made.feasibility, made.risk, made.status) == (4, 5, 2, "considered")
    assert made.created_by == users.member
    assert {wave.key for wave in made.waves.all()} == {waves[0].key, waves[2].key}


@pytest.mark.django_db
def test_a_wrong_form_says_what_and_where_and_keeps_what_was_typed(
    home: Municipality, users: Users
) -> None:
    response = client_for(users.member).post(
        reverse("ideas:idea_add", args=[home.code]),
        {"title": "Min idé", "need": "", "one_time_cost": "mycket", "benefit": "9", "effort": "-1"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fel:" in page or "<title>Error:" in page
    assert 'class="error-summary"' in page
    assert 'href="#id_need"' in page and 'href="#id_one_time_cost"' in page
    assert 'href="#id_benefit_0"' in page and 'href="#id_effort"' in page
    assert 'value="Min idé"' in page
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_editing_an_idea_starts_from_its_values_and_saves(home: Municipality, users: Users) -> None:
    made = idea(home, title="Gammal titel", benefit=2)
    page = client_for(users.coordinator)
    url = reverse("ideas:idea_edit", args=[home.code, made.pk])

    form = page.get(url).content.decode()
    response = page.post(
        url,
        {
            "title": "Ny titel",
            "need": made.need,
            "source": "workshop",
            "one_time_cost": "0",
            "yearly_cost": "0",
            "effort": "0",
            "benefit": "5",
            "feasibility": "3",
            "risk": "3",
            "status": "selected",
        },
    )

    assert 'value="Gammal titel"' in form
    assert 'name="benefit" value="2"' in form and "checked" in form
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.title, made.benefit, made.source, made.status) == (
        "Ny titel",
        5,
        "workshop",
        "selected",
    )


@pytest.mark.django_db
def test_an_idea_of_another_municipality_is_not_found(
    home: Municipality, neighbour: Municipality, users: Users
) -> None:
    theirs = idea(neighbour)

    response = client_for(users.member).get(
        reverse("ideas:idea_detail", args=[home.code, theirs.pk])
    )

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_detail_shows_the_score_parts_support_and_history(
    home: Municipality, users: Users
) -> None:
    services.weights_save(municipality=home, benefit=7)
    made = idea(home, title="Wifi i skolan", benefit=5, created_by=users.member)
    services.idea_update(idea=made, by=users.member, status="considered")
    Idea.objects.filter(pk=made.pk).update(support_count=12)

    page = client_for(users.leadership).get(reverse("ideas:idea_detail", args=[home.code, made.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "<caption" in html and 'scope="row"' in html
    assert ">7<" in html  # the benefit's weight
    assert "12" in html
    assert str(Idea._meta.get_field("status").verbose_name) in html
    assert "member</li>" in html  # who changed it, in the history
    assert reverse("ideas:idea_edit", args=[home.code, made.pk]) not in html  # leadership


@pytest.mark.django_db
def test_the_moderation_page_lists_pending_proposals_with_the_email(
    home: Municipality, users: Users
) -> None:
    proposal(home, title="Första förslaget", email="anna@example.se")
    proposal(home, title="Andra förslaget")

    html = client_for(users.member).get(reverse("ideas:moderation", args=[home.code])).content
    page = html.decode()

    assert page.index("Första förslaget") < page.index("Andra förslaget")
    assert "anna@example.se" in page


@pytest.mark.django_db
def test_publishing_and_declining_from_the_queue(home: Municipality, users: Users) -> None:
    first = proposal(home, title="Publiceras")
    second = proposal(home, title="Avböjs")
    page = client_for(users.member)

    published = page.post(
        reverse("ideas:moderate", args=[home.code, first.pk]), {"decision": "publish"}
    )
    refused = page.post(
        reverse("ideas:moderate", args=[home.code, second.pk]),
        {"decision": "decline", "reason": ""},
    )
    declined = page.post(
        reverse("ideas:moderate", args=[home.code, second.pk]),
        {"decision": "decline", "reason": "Finns redan"},
    )

    assert published.status_code == 302
    assert refused.status_code == 400
    assert f'href="#reason-{second.pk}"' in refused.content.decode()
    assert declined.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.moderation == "published"
    assert (second.moderation, second.decline_reason) == ("declined", "Finns redan")


@pytest.mark.django_db
def test_the_weights_page_saves_and_refuses_out_of_range(home: Municipality, users: Users) -> None:
    page = client_for(users.member)
    url = reverse("ideas:weights", args=[home.code])
    values = {"benefit": "9", "feasibility": "0", "risk": "1", "cost": "4", "effort": "0"}

    missing = page.post(url, {**values, "support": "11"})
    saved = page.post(url, {**values, "support": "3"})

    assert missing.status_code == 200 and 'href="#id_support"' in missing.content.decode()
    assert saved.status_code == 302
    weights = ScoringWeights.objects.get(municipality=home)
    assert (weights.benefit, weights.feasibility, weights.support) == (9, 0, 3)


def test_the_residents_page_is_linked_only_where_a_group_can_moderate_it(
    users: Users, home: Municipality, neighbour: Municipality, home_group: object
) -> None:
    coordinator = client_for(users.coordinator)

    with_group = coordinator.get(list_url(home)).content.decode()
    without_group = coordinator.get(list_url(neighbour)).content.decode()

    assert reverse("ideas:public_ideas", args=[home.code]) in with_group
    assert reverse("ideas:public_ideas", args=[neighbour.code]) not in without_group
    assert Client().get(reverse("ideas:public_ideas", args=[neighbour.code])).status_code == 404
    for municipality, linked in ((home, True), (neighbour, False)):
        queue = coordinator.get(reverse("ideas:moderation", args=[municipality.code]))
        public = reverse("ideas:public_ideas", args=[municipality.code])
        assert (public in queue.content.decode()) is linked
