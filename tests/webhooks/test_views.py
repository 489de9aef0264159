"""The webhook pages: add, change, new secret, remove, the paginated log; and that another
municipality's users can neither see nor change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from forandra.municipalities.models import Municipality
from forandra.webhooks.models import Attempt, Delivery, Webhook
from tests.conftest import Users

from .builders import delivery_for, webhook_for
from .conftest import Network

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"


@pytest.fixture
def en(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def public_name(network: Network) -> str:
    network.names = {"hooks.example.org": [PUBLIC], "new.example.org": [PUBLIC]}
    return "hooks.example.org"


def test_a_member_adds_a_webhook_and_sees_its_secret(
    en: Client, users: Users, home: Municipality, public_name: str
) -> None:
    en.force_login(users.member)
    url = reverse("webhooks:webhook_list", args=[home.code])

    response = en.post(
        url,
        {
            "url": "https://hooks.example.org/forandra",
            "events": ["plan.decided", "idea.proposed"],
            "active": "on",
        },
        follow=True,
    )

    webhook = Webhook.objects.get()
    assert (webhook.municipality, webhook.created_by) == (home, users.member)
    assert webhook.events == ["plan.decided", "idea.proposed"]
    assert len(webhook.secret) >= 40
    html = response.content.decode()
    assert "<h1>Webhook to hooks.example.org</h1>" in html
    assert webhook.secret in html
    listing = en.get(url).content.decode()
    assert "https://hooks.example.org/forandra" in listing
    assert "A plan is decided, An idea is proposed" in listing


def test_choosing_no_event_is_an_error_by_the_field(
    en: Client, users: Users, home: Municipality, public_name: str
) -> None:
    en.force_login(users.member)

    response = en.post(
        reverse("webhooks:webhook_list", args=[home.code]),
        {"url": "https://hooks.example.org/forandra"},
    )

    html = response.content.decode()
    assert 'href="#id_events"' in html and 'id="id_events"' in html
    assert "Choose at least one event." in html
    assert not Webhook.objects.exists()


def test_the_same_address_twice_is_refused(
    en: Client, users: Users, home: Municipality, public_name: str
) -> None:
    webhook_for(home, url="https://hooks.example.org/forandra")
    en.force_login(users.member)

    response = en.post(
        reverse("webhooks:webhook_list", args=[home.code]),
        {"url": "https://hooks.example.org/forandra", "events": ["round.closed"]},
    )

    assert "already has a webhook with this address" in response.content.decode()
    assert Webhook.objects.count() == 1


def test_changing_a_webhook_checks_the_address_again(
    en: Client, users: Users, home: Municipality, public_name: str
) -> None:
    webhook = webhook_for(home)
    en.force_login(users.coordinator)
    url = reverse("webhooks:webhook_edit", args=[home.code, webhook.pk])
    assert 'value="https://hooks.example.org/forandra"' in en.get(url).content.decode()

    refused = en.post(url, {"url": "http://10.9.8.7/", "events": ["round.closed"]})
    saved = en.post(url, {"url": "https://new.example.org/in", "events": ["round.closed"]})

    assert "10.9.8.7 is an internal or reserved network address" in refused.content.decode()
    assert saved.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.url, webhook.events, webhook.active) == (
        "https://new.example.org/in",
        ["round.closed"],
        False,
    )


def test_a_new_secret_is_made_after_asking(en: Client, users: Users, home: Municipality) -> None:
    webhook = webhook_for(home)
    old = webhook.secret
    en.force_login(users.member)
    url = reverse("webhooks:webhook_secret", args=[home.code, webhook.pk])

    question = en.get(url)
    webhook.refresh_from_db()
    assert webhook.secret == old  # asking changes nothing
    assert "Make a new secret for the webhook to hooks.example.org?" in question.content.decode()

    en.post(url)

    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.secret_rotated_at is not None


def test_removing_asks_first_then_removes_the_webhook_and_its_log(
    en: Client, users: Users, home: Municipality
) -> None:
    webhook = webhook_for(home)
    delivery_for(webhook)
    en.force_login(users.admin)
    url = reverse("webhooks:webhook_delete", args=[home.code, webhook.pk])

    question = en.get(url).content.decode()
    assert "Remove the webhook to hooks.example.org?" in question
    assert "the log of its 1 delivery is removed with it" in question
    assert Webhook.objects.exists()

    response = en.post(url)

    assert response["Location"] == reverse("webhooks:webhook_list", args=[home.code])
    assert not Webhook.objects.exists() and not Delivery.objects.exists()


def test_the_delivery_log_is_paginated_newest_first(
    en: Client, users: Users, home: Municipality
) -> None:
    webhook = webhook_for(home)
    deliveries = [delivery_for(webhook) for _ in range(27)]
    en.force_login(users.member)
    url = reverse("webhooks:webhook_detail", args=[home.code, webhook.pk])

    first = en.get(url).content.decode()
    second = en.get(url, {"page": 2}).content.decode()

    assert "27 deliveries" in first and "page 1 of 2" in first
    newest, oldest = deliveries[-1], deliveries[0]
    detail = "webhooks:delivery_detail"
    assert reverse(detail, args=[home.code, webhook.pk, newest.pk]) in first
    assert reverse(detail, args=[home.code, webhook.pk, oldest.pk]) not in first
    assert reverse(detail, args=[home.code, webhook.pk, oldest.pk]) in second
    assert first.count("Send again") == 25


def test_the_pages_read_in_a_fixed_number_of_queries(
    client: Client, users: Users, home: Municipality, django_assert_max_num_queries: Any
) -> None:
    client.force_login(users.member)
    for index in range(6):
        webhook = webhook_for(home, url=f"https://hooks.example.org/{index}")
        for _ in range(3):
            delivery_for(webhook)

    with django_assert_max_num_queries(12):
        client.get(reverse("webhooks:webhook_list", args=[home.code]))
    with django_assert_max_num_queries(12):
        client.get(reverse("webhooks:webhook_detail", args=[home.code, webhook.pk]))


# --- Another municipality's users -----------------------------------------------------------------


def _pages(municipality: Municipality, webhook: Webhook, delivery: Delivery) -> list[str]:
    code, pk = municipality.code, webhook.pk
    return [
        reverse("webhooks:webhook_list", args=[code]),
        reverse("webhooks:webhook_detail", args=[code, pk]),
        reverse("webhooks:webhook_edit", args=[code, pk]),
        reverse("webhooks:webhook_delete", args=[code, pk]),
        reverse("webhooks:webhook_secret", args=[code, pk]),
        reverse("webhooks:delivery_detail", args=[code, pk, delivery.pk]),
    ]


def _posts(municipality: Municipality, webhook: Webhook, delivery: Delivery) -> list[str]:
    code, pk = municipality.code, webhook.pk
    return [
        *_pages(municipality, webhook, delivery),
        reverse("webhooks:webhook_test", args=[code, pk]),
        reverse("webhooks:delivery_resend", args=[code, pk, delivery.pk]),
    ]


def _state() -> tuple[object, ...]:
    return (
        tuple(Webhook.objects.values_list("pk", "url", "events", "secret", "active")),
        tuple(Delivery.objects.values_list("pk", "status", "attempts", "next_attempt_at")),
        Attempt.objects.count(),
    )


@pytest.mark.parametrize("role", ["other_member", "other_coordinator", "leadership"])
def test_users_without_the_right_can_neither_see_nor_change_the_webhooks(
    role: str, client: Client, users: Users, home: Municipality
) -> None:
    webhook = webhook_for(home)
    delivery = delivery_for(webhook)
    client.force_login(users.by_name(role))  # type: ignore[arg-type]
    before = _state()

    seen = [client.get(url).status_code for url in _pages(home, webhook, delivery)]
    posted = [
        client.post(url, {"url": "https://evil.example.org/", "events": ["plan.decided"]})
        for url in _posts(home, webhook, delivery)
    ]

    assert set(seen) == {403}
    assert {response.status_code for response in posted} == {403}
    assert _state() == before
    assert all(webhook.secret not in response.content.decode() for response in posted)


def test_a_webhook_of_another_municipality_is_not_found_through_ones_own(
    client: Client, users: Users, home: Municipality, neighbour: Municipality
) -> None:
    theirs = webhook_for(neighbour)
    delivery = delivery_for(theirs)
    own = webhook_for(home, url="https://own.example.org/")
    client.force_login(users.member)  # of the home municipality, which may manage its own
    before = _state()
    code = home.code

    # The neighbour's webhook and delivery under the home municipality's code, and the home
    # municipality's own webhook with the neighbour's delivery.
    pages = [
        *_pages(home, theirs, delivery)[1:],
        reverse("webhooks:delivery_detail", args=[code, own.pk, delivery.pk]),
    ]
    posts = [
        *_posts(home, theirs, delivery)[1:],
        reverse("webhooks:delivery_resend", args=[code, own.pk, delivery.pk]),
    ]
    seen = {client.get(url).status_code for url in pages}
    posted = {client.post(url).status_code for url in posts}

    assert seen == {404} and posted == {404}
    assert _state() == before
    listing = client.get(reverse("webhooks:webhook_list", args=[code])).content.decode()
    assert theirs.url not in listing
