"""Private-network targets are refused, as for feeds: when a webhook is saved, and again before
each connection, on the address the name resolves to then.

WEBHOOKS_ALLOWED_HOSTS is empty here unless a test says otherwise (the test settings leave it
empty), so loopback is refused like any internal address.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from forandra.municipalities.models import Municipality
from forandra.webhooks import services
from forandra.webhooks.models import DeliveryStatus, Webhook
from forandra.webhooks.targets import TargetError, error_reason, target_check
from tests.conftest import Users

from .builders import delivery_for, webhook_for
from .conftest import Network, Receiver

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1"),
        ("https://10.1.2.3/hook", "10.1.2.3"),
        ("https://172.16.0.9/hook", "172.16.0.9"),
        ("http://192.168.1.10/hook", "192.168.1.10"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),  # link-local (cloud)
        ("http://100.64.0.1/hook", "100.64.0.1"),  # shared address space (CGNAT)
        ("http://0.0.0.0/hook", "0.0.0.0"),  # noqa: S104 (an address refused, not bound)
        ("http://[::1]/hook", "::1"),
        ("http://[fe80::1]/hook", "fe80::1"),
        ("http://[fd00::5]/hook", "fd00::5"),
        ("http://[::ffff:10.0.0.1]/hook", "::ffff:10.0.0.1"),  # IPv4 inside IPv6
        ("http://localhost/hook", "127.0.0.1"),
        ("https://intranet.example.org/hook", "10.20.30.40"),
    ],
)
def test_an_internal_address_is_refused_when_saved(
    url: str, address: str, home: Municipality, network: Network, english: None
) -> None:
    network.names = {"localhost": ["127.0.0.1"], "intranet.example.org": ["10.20.30.40"]}

    with pytest.raises(ValidationError) as refused:
        services.webhook_create(municipality=home, url=url, events=["plan.decided"])

    [reason] = refused.value.message_dict["url"]
    assert address in reason
    assert "webhooks are only sent to public internet addresses" in reason
    assert not Webhook.objects.exists()
    assert network.connections == []


def test_a_name_with_one_internal_address_among_public_ones_is_refused(
    home: Municipality, network: Network, english: None
) -> None:
    network.names = {"hooks.example.org": [PUBLIC, "192.168.0.7"]}

    with pytest.raises(TargetError) as refused:
        target_check("https://hooks.example.org/forandra")

    assert refused.value.code == "refused_address"
    assert refused.value.params == {"host": "hooks.example.org", "address": "192.168.0.7"}


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.example.org/x", "unsupported_scheme"),
        ("file:///etc/passwd", "unsupported_scheme"),
        ("hooks.example.org/forandra", "invalid_url"),
        ("https://user:secret@hooks.example.org/x", "credentials"),
        ("https://nowhere.example.org/x", "host_not_found"),
        ("https://hooks.example.org/" + "a" * 2000, "too_long"),
    ],
)
def test_other_addresses_that_cannot_be_used_are_refused_with_the_reason(
    url: str, code: str, network: Network
) -> None:
    network.names = {"hooks.example.org": [PUBLIC]}

    with pytest.raises(TargetError) as refused:
        target_check(url)

    assert refused.value.code == code


def test_a_public_address_is_accepted_and_normalised(network: Network) -> None:
    network.names = {"hooks.example.org": [PUBLIC]}

    assert target_check(" https://Hooks.Example.org/in#part ") == "https://hooks.example.org/in"
    assert network.connections == []  # saving looks the name up, it does not connect


def test_the_form_shows_why_an_address_is_refused(
    client: Client, users: Users, home: Municipality
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users.member)

    response = client.post(
        reverse("webhooks:webhook_list", args=[home.code]),
        {"url": "http://169.254.169.254/latest/", "events": ["plan.decided"], "active": "on"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Webhooks" in html
    assert 'href="#id_url"' in html  # the error summary links to the field
    assert "169.254.169.254 is an internal or reserved network address." in html
    assert 'value="http://169.254.169.254/latest/"' in html  # what was typed is kept
    assert not Webhook.objects.exists()


def test_loopback_is_refused_when_sending_unless_allowed(
    home: Municipality, receiver: Receiver, settings: Any, network: Network
) -> None:
    # Saved while 127.0.0.1 was allowed; the setting has changed since.
    webhook = services.webhook_create(
        municipality=home, url=receiver.url(), events=["plan.decided"]
    )
    settings.WEBHOOKS_ALLOWED_HOSTS = []
    delivery = delivery_for(webhook)
    network.connections.clear()

    attempt = services.delivery_attempt(delivery_id=delivery.pk, number=1)

    assert attempt is not None
    assert (attempt.error_code, attempt.response_code) == ("refused_address", None)
    assert receiver.received == []
    assert network.connections == []


def test_a_name_that_resolves_to_a_private_address_is_refused_before_connecting(
    home: Municipality, network: Network, english: None
) -> None:
    network.names = {"hooks.example.org": [PUBLIC]}
    webhook = services.webhook_create(
        municipality=home, url="https://hooks.example.org/forandra", events=["round.closed"]
    )
    # Later the name points into the municipality's network (DNS rebinding, a takeover).
    network.names = {"hooks.example.org": ["10.0.0.8"]}
    delivery = delivery_for(webhook)

    attempt = services.delivery_attempt(delivery_id=delivery.pk, number=1)

    assert attempt is not None
    assert attempt.error_code == "refused_address"
    assert attempt.error_params == {"host": "hooks.example.org", "address": "10.0.0.8"}
    assert network.connections == []  # refused before a socket was opened
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert error_reason(delivery.error_code, delivery.error_params).startswith(
        "hooks.example.org leads to an internal or reserved network address (10.0.0.8)."
    )


def test_an_internal_address_stored_without_the_check_is_still_refused_at_send(
    home: Municipality, network: Network
) -> None:
    webhook = webhook_for(home, url="http://192.168.10.10:8080/hook")
    delivery = delivery_for(webhook)

    attempt = services.delivery_attempt(delivery_id=delivery.pk, number=1)

    assert attempt is not None
    assert attempt.error_code == "refused_address"
    assert network.connections == []
