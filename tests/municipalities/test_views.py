from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from forandra.municipalities.models import DigitalisationGroup, GroupMember, Municipality
from tests.conftest import Users

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client: Client, users: Users) -> Client:
    client.force_login(users.member)
    return client


def test_group_page_shows_members_and_how_cross_functional_the_group_is(
    member_client: Client, home_group: DigitalisationGroup
) -> None:
    response = member_client.get(reverse("municipalities:group_detail", args=["2404"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "4 funktioner" in body  # IT, Skola, Socialtjänst, Ekonomi ("it" is IT again)
    assert "bland 5 medlemmar" in body
    assert "Person 0 Vindeln" in body
    assert "<title>Gruppen i Vindeln – Vindeln – Förändra</title>" not in body
    assert "– Vindeln – Förändra</title>" in body


def test_leadership_reads_the_group_but_gets_no_edit_links(
    client: Client, users: Users, home_group: DigitalisationGroup
) -> None:
    client.force_login(users.leadership)

    body = client.get(reverse("municipalities:group_detail", args=["2404"])).content.decode()

    assert "Person 0 Vindeln" in body
    assert reverse("municipalities:member_add", args=["2404"]) not in body


def test_adding_a_member_with_errors_shows_a_summary_and_keeps_the_input(
    member_client: Client, home_group: DigitalisationGroup
) -> None:
    url = reverse("municipalities:member_add", args=["2404"])

    response = member_client.post(
        url, {"name": "Kalle Karlsson", "email": "inte-en-adress", "function": "", "role": "member"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fel:" in body
    assert 'role="alert"' in body
    assert 'href="#id_email"' in body and 'href="#id_function"' in body
    assert 'value="Kalle Karlsson"' in body
    assert 'aria-invalid="true"' in body
    assert home_group.members.count() == 5


def test_adding_a_member_saves_and_returns_to_the_group(
    member_client: Client, home_group: DigitalisationGroup
) -> None:
    url = reverse("municipalities:member_add", args=["2404"])

    response = member_client.post(
        url,
        {
            "name": "Kalle Karlsson",
            "email": "kalle@example.org",
            "function": "Kultur",
            "role": "lead",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("municipalities:group_detail", args=["2404"])
    member = home_group.members.get(email="kalle@example.org")
    assert (member.function, member.role) == ("Kultur", "lead")
    assert member.history.get().history_user.username == "member"  # type: ignore[union-attr]


def test_adding_a_duplicate_email_explains_it_at_the_top_of_the_form(
    member_client: Client, home_group: DigitalisationGroup
) -> None:
    existing = home_group.members.order_by("pk")[0]
    url = reverse("municipalities:member_add", args=["2404"])

    response = member_client.post(
        url, {"name": "Ny", "email": existing.email, "function": "HR", "role": "member"}
    )

    assert response.status_code == 200
    assert "någon i gruppen har redan den här e-postadressen" in response.content.decode().lower()
    assert home_group.members.count() == 5


def test_editing_a_member_of_another_municipality_is_not_found(
    member_client: Client,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
) -> None:
    stranger = neighbour_group.members.order_by("pk")[0]

    response = member_client.get(reverse("municipalities:member_edit", args=["2404", stranger.pk]))

    assert response.status_code == 404


def test_removing_a_member_asks_on_a_page_of_its_own_then_removes(
    member_client: Client, home_group: DigitalisationGroup
) -> None:
    member = home_group.members.order_by("pk")[0]
    url = reverse("municipalities:member_remove", args=["2404", member.pk])

    confirm = member_client.get(url)
    assert confirm.status_code == 200
    assert GroupMember.objects.filter(pk=member.pk).exists()

    response = member_client.post(url)

    assert response.status_code == 302
    assert not GroupMember.objects.filter(pk=member.pk).exists()


def test_forming_a_group_for_a_municipality_without_one(
    client: Client, users: Users, home: Municipality
) -> None:
    client.force_login(users.coordinator)

    response = client.post(
        reverse("municipalities:group_create", args=["2404"]), {"name": "Vindelns grupp"}
    )

    assert response.status_code == 302
    assert DigitalisationGroup.objects.get(municipality=home).name == "Vindelns grupp"


def test_region_page_shows_group_sizes_to_the_coordinator_only(
    client: Client,
    users: Users,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
) -> None:
    url = reverse("municipalities:region_detail", args=["24"])
    client.force_login(users.coordinator)
    coordinator_body = client.get(url).content.decode()
    client.force_login(users.other_member)
    member_body = client.get(url).content.decode()

    assert "Gruppen i Vindeln" in coordinator_body
    assert ">Medlemmar<" in coordinator_body
    assert "Gruppen i Vindeln" not in member_body
    assert ">Medlemmar<" not in member_body
    assert reverse("municipalities:municipality_detail", args=["2404"]) not in member_body
    assert reverse("municipalities:municipality_detail", args=["2403"]) in member_body


def test_region_page_runs_a_fixed_number_of_queries(
    client: Client,
    users: Users,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
    django_assert_max_num_queries: object,
) -> None:
    client.force_login(users.coordinator)

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(reverse("municipalities:region_detail", args=["24"]))

    assert response.status_code == 200


def test_unknown_codes_are_not_found(member_client: Client) -> None:
    assert member_client.get("/regions/99/").status_code == 404
    assert member_client.get("/municipalities/9999/").status_code == 404
