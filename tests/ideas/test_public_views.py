"""The residents' pages: propose, support, follow the proposal; no personal data shown; script
injection in any field shown as text."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from forandra.ideas import services
from forandra.ideas.models import Idea, IdeaSupport, ProposerContact
from forandra.ideas.views.public import SUPPORT_COOKIE
from forandra.municipalities.models import DigitalisationGroup, Municipality
from tests.conftest import Users

from .test_bank_services import idea, proposal, waves_of
from .test_bank_views import client_for

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
RAW = re.compile(r"<script>alert|<img src=x", re.IGNORECASE)


def propose(client: Client, municipality: Municipality, **data: str) -> object:
    fields = {"title": "Läxhjälp", "need": "Hjälp på kvällen", "description": "", "email": ""}
    fields.update(data)
    return client.post(reverse("ideas:public_propose", args=[municipality.code]), fields)


@pytest.mark.django_db
def test_the_public_page_shows_published_ideas_without_personal_data(
    home: Municipality, home_group: DigitalisationGroup, users: Users
) -> None:
    idea(home, title="Digital anslagstavla", created_by=users.member)
    proposal(home, title="Väntar på moderering", email="anna@example.se")
    published = proposal(home, title="Publicerat förslag", email="bertil@example.se")
    services.moderate(idea=published, decision="publish", by=users.member)

    response = Client().get(reverse("ideas:public_ideas", args=[home.code]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Digital anslagstavla" in page and "Publicerat förslag" in page
    assert "Väntar på moderering" not in page
    assert "@example" not in page  # no e-mail of a proposer or a user
    assert "member" not in page  # no name of who added an idea
    assert response.cookies[SUPPORT_COOKIE]["path"] == f"/public/{home.code}/ideas/"


@pytest.mark.django_db
def test_a_municipality_without_a_group_has_no_public_page(home: Municipality) -> None:
    assert Client().get(reverse("ideas:public_ideas", args=[home.code])).status_code == 404


@pytest.mark.django_db
def test_proposing_leads_to_the_private_link_with_the_state(
    home: Municipality, home_group: DigitalisationGroup
) -> None:
    client = Client()

    response = propose(client, home, title="Wifi i parken", email="anna@example.se")

    made = Idea.objects.get()
    status_url = reverse("ideas:proposal_status", args=[made.proposer_token])
    assert response.status_code == 302
    assert response["Location"] == f"{status_url}?sent=1"
    assert (made.source, made.moderation, made.status) == ("citizen", "pending", "new")
    assert ProposerContact.objects.get(idea=made).email == "anna@example.se"
    thanks = client.get(response["Location"]).content.decode()
    assert f"http://testserver{status_url}" in thanks
    assert "Wifi i parken" in thanks


@pytest.mark.django_db
def test_the_proposer_sees_a_decline_with_its_reason(
    home: Municipality, home_group: DigitalisationGroup
) -> None:
    made = proposal(home)
    services.moderate(idea=made, decision="decline", reason="Det gör regionen redan.", by=None)

    page = Client().get(reverse("ideas:proposal_status", args=[made.proposer_token]))

    assert "Det gör regionen redan." in page.content.decode()


@pytest.mark.django_db
def test_the_proposer_deletes_their_email_after_being_asked_and_the_idea_stays(
    home: Municipality, home_group: DigitalisationGroup
) -> None:
    made = proposal(home, email="anna@example.se")
    url = reverse("ideas:proposal_contact_delete", args=[made.proposer_token])
    client = Client()

    asked = client.get(url)
    assert asked.status_code == 200 and ProposerContact.objects.exists()
    done = client.post(url)

    assert done.status_code == 302
    assert not ProposerContact.objects.exists()
    assert Idea.objects.filter(pk=made.pk).exists()


@pytest.mark.django_db
def test_the_honeypot_looks_like_success_and_stores_nothing(
    home: Municipality, home_group: DigitalisationGroup
) -> None:
    response = propose(Client(), home, website="http://spam.example.com", email="s@example.com")

    assert response.status_code == 200
    assert "/public/proposals/" in response.content.decode()
    assert not Idea.objects.exists() and not ProposerContact.objects.exists()


@pytest.mark.django_db
def test_the_honeypot_is_hidden_from_people_and_assistive_technology(
    home: Municipality, home_group: DigitalisationGroup
) -> None:
    page = Client().get(reverse("ideas:public_propose", args=[home.code])).content.decode()

    trap = re.search(r'<div class="ideas-hp" aria-hidden="true">(.*?)</div>', page, re.S)
    assert trap is not None
    assert 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1) and 'autocomplete="off"' in trap.group(1)


@pytest.mark.django_db
def test_too_many_proposals_get_a_429_page_saying_when(
    home: Municipality, home_group: DigitalisationGroup, settings
) -> None:
    settings.IDEAS_PROPOSALS_PER_HOUR = 1
    client = Client()
    propose(client, home)

    response = propose(client, home, title="En till")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Idea.objects.count() == 1


@pytest.mark.django_db
def test_a_browser_supports_once_and_is_told_the_second_time(
    home: Municipality, home_group: DigitalisationGroup
) -> None:
    made = idea(home)
    client = Client()
    client.get(reverse("ideas:public_ideas", args=[home.code]))  # gets its key
    url = reverse("ideas:public_support", args=[home.code, made.pk])

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)
    other = Client().post(url)

    made.refresh_from_db()
    assert made.support_count == 2
    assert IdeaSupport.objects.count() == 2
    assert "Tack för att du stöder ”Digital anslagstavla”." in first.content.decode()
    assert first.content.decode() != second.content.decode()
    assert other.status_code == 302


@pytest.mark.django_db
def test_a_pending_proposal_cannot_be_supported_by_its_url(
    home: Municipality, home_group: DigitalisationGroup
) -> None:
    made = proposal(home)

    response = Client().post(reverse("ideas:public_support", args=[home.code, made.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_too_many_supports_get_a_429(
    home: Municipality, home_group: DigitalisationGroup, settings
) -> None:
    settings.IDEAS_SUPPORTS_PER_MINUTE = 1
    made = idea(home)
    url = reverse("ideas:public_support", args=[home.code, made.pk])
    Client().post(url)

    response = Client().post(url)

    assert response.status_code == 429
    made.refresh_from_db()
    assert made.support_count == 1


# Script injection ------------------------------------------------------------------------------


def assert_shown_as_text(html: str, where: str) -> None:
    assert not RAW.search(html), f"a raw tag on {where}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"the script is not text on {where}"
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html, f"the img is not text on {where}"


@pytest.mark.django_db
def test_script_in_every_field_of_a_proposal_is_shown_as_text(
    home: Municipality, home_group: DigitalisationGroup, users: Users
) -> None:
    both = " ".join(PAYLOADS)
    client = Client()
    sent = propose(client, home, title=both, need=both, description=both, email="a@example.se")
    made = Idea.objects.get()
    member = client_for(users.member)

    pages = {
        "the thank-you page": client.get(sent["Location"]),  # type: ignore[index]
        "the moderation queue": member.get(reverse("ideas:moderation", args=[home.code])),
        "the idea's page": member.get(reverse("ideas:idea_detail", args=[home.code, made.pk])),
    }
    services.moderate(idea=made, decision="decline", reason=both, by=users.member)
    pages["the declined state"] = client.get(sent["Location"])  # type: ignore[index]
    made.moderation = "pending"
    made.save()
    services.moderate(idea=made, decision="publish", by=users.member)
    pages["the public page"] = client.get(reverse("ideas:public_ideas", args=[home.code]))
    pages["the bank"] = member.get(reverse("ideas:idea_list", args=[home.code]))
    # Typed back into the form after an error: still text.
    pages["the form with an error"] = propose(client, home, title=both, need="", email="x")

    for where, response in pages.items():
        assert_shown_as_text(response.content.decode(), where)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_script_in_every_field_of_an_idea_is_shown_as_text(
    home: Municipality, home_group: DigitalisationGroup, users: Users
) -> None:
    waves_of(home)
    both = " ".join(PAYLOADS)
    member = client_for(users.member)
    base = {
        "source": "group",
        "one_time_cost": "0",
        "yearly_cost": "0",
        "effort": "0",
        "benefit": "3",
        "feasibility": "3",
        "risk": "3",
        "status": "new",
    }
    member.post(
        reverse("ideas:idea_add", args=[home.code]),
        {**base, "title": both, "need": both, "description": both},
    )
    made = Idea.objects.get()

    pages = {
        "the bank": member.get(reverse("ideas:idea_list", args=[home.code])),
        "the filtered bank": member.get(reverse("ideas:idea_list", args=[home.code]), {"q": both}),
        "the idea's page": member.get(reverse("ideas:idea_detail", args=[home.code, made.pk])),
        "the edit form": member.get(reverse("ideas:idea_edit", args=[home.code, made.pk])),
        "the public page": Client().get(reverse("ideas:public_ideas", args=[home.code])),
        "the add form with an error": member.post(
            reverse("ideas:idea_add", args=[home.code]),
            {**base, "title": both, "need": both, "description": both, "benefit": "x"},
        ),
    }
    for where, response in pages.items():
        assert_shown_as_text(response.content.decode(), where)
