"""The region's library: sharing, copying, similar ideas, clusters and who sees what."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from forandra.ideas import library
from forandra.ideas.models import Idea
from forandra.municipalities.models import Municipality
from tests.conftest import Users


def make(municipality: Municipality, title: str, need: str, **extra: object) -> Idea:
    fields: dict[str, object] = {"source": "group", **extra}
    return Idea.objects.create(municipality=municipality, title=title, need=need, **fields)


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.django_db
def test_share_sets_and_unshare_clears_shared_at(home: Municipality) -> None:
    idea = make(home, "Snöröjningskarta", "När plogas gatan?")

    library.idea_share(idea=idea, shared=True)
    assert idea.shared_at is not None
    library.idea_share(idea=idea, shared=False)
    idea.refresh_from_db()
    assert idea.shared_at is None


@pytest.mark.django_db
def test_only_published_ideas_can_be_shared(home: Municipality) -> None:
    idea = make(home, "Förslag", "Väntar", moderation="pending")

    with pytest.raises(ValidationError) as error:
        library.idea_share(idea=idea, shared=True)

    assert "shared_at" in error.value.message_dict


@pytest.mark.django_db
def test_copy_keeps_estimates_and_says_where_it_came_from(
    home: Municipality, neighbour: Municipality
) -> None:
    source = make(neighbour, "Biblioteksapp", "Låna om i mobilen", one_time_cost=50000,
                  benefit=5, status="selected", source="staff")  # fmt: skip
    library.idea_share(idea=source, shared=True)

    copy = library.idea_copy(source=source, municipality=home, by=None)

    assert copy.municipality == home
    assert copy.copied_from == source
    assert copy.status == "new"
    assert copy.source == "staff"
    assert (copy.one_time_cost, copy.benefit) == (50000, 5)
    assert "Bjurholm" in copy.attribution


@pytest.mark.django_db
def test_copy_refuses_an_unshared_or_own_idea(home: Municipality, neighbour: Municipality) -> None:
    unshared = make(neighbour, "Hemlig", "Ej delad")
    own = make(home, "Egen", "Vår egen")
    library.idea_share(idea=own, shared=True)

    with pytest.raises(ValidationError):
        library.idea_copy(source=unshared, municipality=home, by=None)
    with pytest.raises(ValidationError):
        library.idea_copy(source=own, municipality=home, by=None)
    assert Idea.objects.count() == 2


@pytest.mark.django_db
def test_similar_never_shows_another_municipalitys_unshared_idea(
    home: Municipality, neighbour: Municipality
) -> None:
    idea = make(home, "Snöröjningskarta", "Invånarna vill veta när gatan plogas.")
    hidden = make(neighbour, "Snöröjningskarta", "Invånarna vill veta när gatan plogas.")
    shared = make(neighbour, "Karta över snöröjning", "När plogas vägen?")
    library.idea_share(idea=shared, shared=True)

    found = [row.idea for row in library.similar_ideas(idea=idea)]

    assert shared in found
    assert hidden not in found


@pytest.mark.django_db
def test_the_library_page_lists_shared_ideas_only_and_offers_a_copy(
    users: Users, home: Municipality, neighbour: Municipality
) -> None:
    shared = make(neighbour, "Digital lokalbokning", "Boka hallen på nätet")
    make(neighbour, "Hemlig idé", "Inte delad")
    library.idea_share(idea=shared, shared=True)

    page = client_for(users.member).get(reverse("ideas:region_library", args=["24"]))

    assert page.status_code == 200
    assert "Digital lokalbokning" in page.content.decode()
    assert "Hemlig idé" not in page.content.decode()
    assert reverse("ideas:library_copy", args=[home.code, shared.pk]) in page.content.decode()


@pytest.mark.django_db
def test_the_library_search_filters_by_words(users: Users, neighbour: Municipality) -> None:
    for title in ("Digital lokalbokning", "Biblioteksapp"):
        library.idea_share(idea=make(neighbour, title, "Behov"), shared=True)

    page = client_for(users.member).get(reverse("ideas:region_library", args=["24"]), {"q": "bibl"})

    assert "Biblioteksapp" in page.content.decode()
    assert "Digital lokalbokning" not in page.content.decode()


@pytest.mark.django_db
def test_posting_the_copy_page_adds_the_idea_to_the_own_bank(
    users: Users, home: Municipality, neighbour: Municipality
) -> None:
    shared = make(neighbour, "Digital lokalbokning", "Boka hallen på nätet")
    library.idea_share(idea=shared, shared=True)

    response = client_for(users.member).post(
        reverse("ideas:library_copy", args=[home.code, shared.pk])
    )

    copy = Idea.objects.get(municipality=home)
    assert response.status_code == 302
    assert copy.copied_from == shared


@pytest.mark.django_db
def test_the_copy_page_refuses_an_unshared_idea_with_a_message(
    users: Users, home: Municipality, neighbour: Municipality
) -> None:
    unshared = make(neighbour, "Hemlig idé", "Inte delad")

    response = client_for(users.member).post(
        reverse("ideas:library_copy", args=[home.code, unshared.pk])
    )

    assert response.status_code == 400
    assert "Hemlig idé" not in response.content.decode()
    assert not Idea.objects.filter(municipality=home).exists()


@pytest.mark.django_db
def test_share_toggles_from_the_idea(users: Users, home: Municipality) -> None:
    idea = make(home, "Snöröjningskarta", "När plogas gatan?")
    url = reverse("ideas:idea_share", args=[home.code, idea.pk])
    client = client_for(users.member)

    client.post(url)
    idea.refresh_from_db()
    assert idea.shared_at is not None
    client.post(url)
    idea.refresh_from_db()
    assert idea.shared_at is None


@pytest.mark.django_db
def test_clusters_need_two_municipalities_and_show_on_the_coordinators_page(
    users: Users, home: Municipality, neighbour: Municipality
) -> None:
    make(home, "Snöröjningskarta", "Invånarna vill veta när gatan plogas.")
    make(home, "Snöröjningskarta på webben", "Invånarna vill veta när gatan plogas.")
    make(home, "Biblioteksapp", "Låna om böcker i mobilen.")
    region = home.region
    assert library.region_clusters(region=region) == []

    make(neighbour, "Karta över snöröjningen", "Boende vill veta när gatan plogas.")
    clusters = library.region_clusters(region=region)

    assert len(clusters) == 1
    assert clusters[0].municipalities == sorted([home.name, neighbour.name])
    page = client_for(users.coordinator).get(reverse("ideas:region_clusters", args=["24"]))
    assert "Karta över snöröjningen" in page.content.decode()
