"""Residents' proposals and support: honeypot, rate limits, one support per browser, the e-mail."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError

from forandra.ideas import services
from forandra.ideas.models import Idea, IdeaSupport, ProposerContact
from forandra.municipalities.models import Municipality

from .test_bank_services import idea, proposal


@pytest.mark.django_db
def test_a_proposal_is_pending_from_a_resident_with_a_private_link_and_the_email_apart(
    home: Municipality,
) -> None:
    made = services.proposal_submit(
        municipality=home,
        client="x",
        title=" Läxhjälp ",
        need="Hjälp på kvällen",
        email="anna@example.se",
    )

    assert made.idea is not None
    made.idea.refresh_from_db()
    assert (made.idea.source, made.idea.moderation, made.idea.status) == (
        "citizen",
        "pending",
        "new",
    )
    assert made.idea.title == "Läxhjälp"
    assert made.idea.proposer_token == made.token
    assert ProposerContact.objects.get().email == "anna@example.se"
    assert made.idea.created_by is None


@pytest.mark.django_db
def test_a_filled_honeypot_stores_nothing_but_looks_like_success(home: Municipality) -> None:
    made = services.proposal_submit(
        municipality=home,
        client="bot",
        title="Billiga klockor",
        need="Köp nu",
        email="spam@example.com",
        honeypot="http://spam.example.com",
    )

    assert made.idea is None
    assert made.token is not None
    assert not Idea.objects.exists()
    assert not ProposerContact.objects.exists()


@pytest.mark.django_db
def test_a_bad_proposal_names_its_fields(home: Municipality) -> None:
    with pytest.raises(ValidationError) as error:
        services.proposal_submit(municipality=home, client="x", title="", need="x" * 3000)

    assert {"title", "need"} <= set(error.value.message_dict)
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_proposals_are_limited_per_client_and_hour(home: Municipality, settings) -> None:
    settings.IDEAS_PROPOSALS_PER_HOUR = 2
    proposal(home, client="one")
    proposal(home, client="one")

    with pytest.raises(services.RateLimitedError) as limited:
        proposal(home, client="one")

    assert 0 < limited.value.retry_after <= 3601
    assert Idea.objects.count() == 2
    proposal(home, client="another")  # another address has its own count
    assert Idea.objects.count() == 3


@pytest.mark.django_db
def test_the_honeypot_counts_towards_the_limit(home: Municipality, settings) -> None:
    settings.IDEAS_PROPOSALS_PER_HOUR = 1
    services.proposal_submit(municipality=home, client="bot", title="a", need="b", honeypot="x")

    with pytest.raises(services.RateLimitedError):
        proposal(home, client="bot")


@pytest.mark.django_db
def test_one_support_per_browser_counted_once_and_stored_only_as_a_hash(
    home: Municipality,
) -> None:
    published = idea(home)
    key = "k" * 43

    assert services.support_add(idea=published, supporter_key=key, client="c") is True
    assert services.support_add(idea=published, supporter_key=key, client="c") is False
    assert services.support_add(idea=published, supporter_key="m" * 43, client="c") is True

    published.refresh_from_db()
    assert published.support_count == 2
    stored = set(IdeaSupport.objects.values_list("supporter", flat=True))
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    assert key not in stored


@pytest.mark.django_db
def test_a_pending_proposal_cannot_be_supported(home: Municipality) -> None:
    pending = proposal(home)

    with pytest.raises(ValidationError):
        services.support_add(idea=pending, supporter_key="k" * 43, client="c")

    assert not IdeaSupport.objects.exists()


@pytest.mark.django_db
def test_supports_are_limited_per_client_and_minute(home: Municipality, settings) -> None:
    settings.IDEAS_SUPPORTS_PER_MINUTE = 3
    ideas = [idea(home, title=f"Idé {n}") for n in range(4)]
    for n, each in enumerate(ideas[:3]):
        services.support_add(idea=each, supporter_key=f"{n}" * 40, client="busy")

    with pytest.raises(services.RateLimitedError) as limited:
        services.support_add(idea=ideas[3], supporter_key="z" * 40, client="busy")

    assert 0 < limited.value.retry_after <= 61
    ideas[3].refresh_from_db()
    assert ideas[3].support_count == 0


def test_client_addresses_are_hashed_with_the_secret_key(settings) -> None:
    hashed = services.client_hash("192.0.2.1")

    assert "192.0.2.1" not in hashed
    assert hashed == services.client_hash("192.0.2.1")
    settings.SECRET_KEY = "another-secret-key-for-the-test"
    assert services.client_hash("192.0.2.1") != hashed


@pytest.mark.django_db
def test_deleting_the_email_keeps_the_idea(home: Municipality) -> None:
    pending = proposal(home, email="anna@example.se")

    assert services.contact_delete(idea=pending) is True
    assert services.contact_delete(idea=pending) is False

    assert not ProposerContact.objects.exists()
    assert Idea.objects.get(pk=pending.pk).title == "Läxhjälp på kvällen"
