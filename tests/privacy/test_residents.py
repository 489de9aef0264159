"""A resident's data, by a signed link sent to the address they gave with their proposals."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from forandra.ideas import services as idea_services
from forandra.ideas.models import Idea, IdeaSupport, ProposerContact
from forandra.municipalities.models import DigitalisationGroup
from forandra.privacy import placeholders, tokens
from forandra.privacy.models import DeletionRecord, Kind

from .builders import resident_contact, text_columns_containing

pytestmark = pytest.mark.django_db

ADDRESS = "invanare@example.org"
OTHER = "granne@example.org"


def ask(client: Client, email: str, address: str = "203.0.113.5") -> Any:
    return client.post(reverse("privacy:resident_request"), {"email": email}, REMOTE_ADDR=address)


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+", str(message.body))
    assert found
    return found.group(0)


def token_for(contact: ProposerContact) -> str:
    return tokens.resident_token(contacts=[contact])


@pytest.fixture
def contact(home_group: DigitalisationGroup) -> ProposerContact:
    return resident_contact(home_group, ADDRESS)


# --- Asking for the link -------------------------------------------------------------------------


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    contact: ProposerContact,
) -> None:
    client = Client()
    known = ask(client, "Invanare@Example.org")
    unknown = ask(client, "ingen@example.org")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("privacy:resident_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ADDRESS]


def test_the_link_names_no_address_and_opens_the_residents_data(
    contact: ProposerContact, home_group: DigitalisationGroup
) -> None:
    second = resident_contact(home_group, ADDRESS.upper(), title="Belysning i parken")
    resident_contact(home_group, OTHER, title="Granne vill ha cykelbana")
    ask(Client(), ADDRESS)

    link = link_in(mail.outbox[0])
    page = Client().get(link)

    assert "example.org" not in link and "invanare" not in link.lower()
    assert page.status_code == 200
    ideas = {idea.pk for idea in page.context["data"].ideas}
    assert ideas == {contact.idea_id, second.idea_id}
    assert b"cykelbana" not in page.content


def test_the_download_holds_the_residents_proposals_and_no_one_elses(
    contact: ProposerContact, home_group: DigitalisationGroup
) -> None:
    resident_contact(home_group, OTHER, title="Granne vill ha cykelbana")

    response = Client().get(reverse("privacy:resident_download", args=[token_for(contact)]))

    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["email"] == ADDRESS
    assert [p["title"] for p in data["proposals"]] == ["Wifi på biblioteket"]
    assert OTHER not in response.content.decode() and "cykelbana" not in response.content.decode()


def test_too_many_requests_from_one_address_are_refused(contact: ProposerContact) -> None:
    client = Client()
    answers = [ask(client, f"n{n}@example.org").status_code for n in range(6)]

    assert answers == [302] * 5 + [429]
    assert ask(client, ADDRESS, address="203.0.113.9").status_code == 302  # another client


def test_an_address_gets_a_few_links_a_day_and_then_the_same_answer(
    contact: ProposerContact,
) -> None:
    answers = [ask(Client(), ADDRESS, address=f"203.0.113.{n}").status_code for n in range(5)]

    assert answers == [302] * 5
    assert len(mail.outbox) == 3


# --- Links that do not work ----------------------------------------------------------------------


def test_a_changed_token_is_refused(
    contact: ProposerContact, home_group: DigitalisationGroup
) -> None:
    other = resident_contact(home_group, OTHER)
    token = token_for(contact)
    payload, signature = token.rsplit(":", 1)
    forged = signing.dumps({"c": [other.pk], "h": tokens.email_digest(OTHER)}, compress=True)

    for bad in (f"{payload}:{signature[:-2]}xx", forged, "nonsense", f"{token}x"):
        assert Client().get(reverse("privacy:resident_data", args=[bad])).status_code == 404
        response = Client().post(
            reverse("privacy:resident_delete", args=[bad]), {"what": "contact"}
        )
        assert response.status_code == 404
    assert ProposerContact.objects.count() == 2


def test_an_expired_link_is_refused(
    contact: ProposerContact, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_for(contact)
    later = time.time() + (tokens.link_days() * 24 + 1) * 3600

    class Later:
        @staticmethod
        def time() -> float:
            return later

    monkeypatch.setattr(signing, "time", Later)

    response = Client().get(reverse("privacy:resident_data", args=[token]))
    assert response.status_code == 410
    assert response.context["reason"] == "expired"


def test_a_link_for_deleted_data_says_so(contact: ProposerContact) -> None:
    token = token_for(contact)
    contact.delete()

    response = Client().get(reverse("privacy:resident_data", args=[token]))

    assert response.status_code == 404
    assert response.context["reason"] == "gone"


# --- Deleting ------------------------------------------------------------------------------------


def test_deleting_the_address_only_keeps_the_proposals_as_they_are(
    contact: ProposerContact, home_group: DigitalisationGroup
) -> None:
    other = resident_contact(home_group, OTHER)
    token = token_for(contact)

    response = Client().post(reverse("privacy:resident_delete", args=[token]), {"what": "contact"})

    assert response["Location"] == reverse("privacy:deleted")
    assert not ProposerContact.objects.filter(pk=contact.pk).exists()
    assert ProposerContact.objects.filter(pk=other.pk).exists()
    idea = Idea.objects.get(pk=contact.idea_id)
    assert (idea.title, idea.proposer_token is not None) == ("Wifi på biblioteket", True)
    assert text_columns_containing(ADDRESS) == []
    record = DeletionRecord.objects.get()
    assert record.kind == Kind.RESIDENT
    assert record.counts == {"ideas.proposercontact": {"deleted": 1}}
    # The link now finds nothing to show.
    assert Client().get(reverse("privacy:resident_data", args=[token])).status_code == 404


def test_deleting_what_was_written_removes_unpublished_and_blanks_published_proposals(
    contact: ProposerContact, home_group: DigitalisationGroup
) -> None:
    published = resident_contact(
        home_group, ADDRESS, title="Sagostund på nätet", need="Min son Zorvald vill lyssna."
    )
    idea = idea_services.moderate(idea=published.idea, decision="publish", by=None)
    idea_services.support_add(idea=idea, supporter_key="a" * 32, client="192.0.2.9")
    idea_services.support_add(idea=idea, supporter_key="b" * 32, client="192.0.2.9")

    response = Client().post(
        reverse("privacy:resident_delete", args=[token_for(contact)]), {"what": "proposals"}
    )

    assert response.status_code == 302
    assert not Idea.objects.filter(pk=contact.idea_id).exists()  # pending: gone
    kept = Idea.objects.get(pk=published.idea_id)
    assert kept.title == placeholders.stored(placeholders.REMOVED_PROPOSAL)
    assert (kept.description, kept.proposer_token) == ("", None)
    assert kept.support_count == 2 and IdeaSupport.objects.filter(idea=kept).count() == 2
    assert text_columns_containing(ADDRESS, "Zorvald", "Sagostund", "Wifi på biblioteket") == []
    counts = DeletionRecord.objects.get().counts
    assert counts["ideas.idea"] == {"deleted": 1, "anonymised": 1}
    assert counts["ideas.proposercontact"] == {"deleted": 2}


def test_the_resident_must_choose_what_to_delete(contact: ProposerContact) -> None:
    response = Client().post(reverse("privacy:resident_delete", args=[token_for(contact)]), {})

    assert response.status_code == 200
    assert response.context["form"].errors["what"]
    assert ProposerContact.objects.filter(pk=contact.pk).exists()
    assert DeletionRecord.objects.count() == 0


def test_one_residents_link_cannot_delete_anothers_data(
    contact: ProposerContact, home_group: DigitalisationGroup
) -> None:
    other = resident_contact(home_group, OTHER)

    Client().post(
        reverse("privacy:resident_delete", args=[token_for(other)]), {"what": "proposals"}
    )

    assert ProposerContact.objects.filter(pk=contact.pk).exists()
    assert Idea.objects.filter(pk=contact.idea_id).exists()
    assert not ProposerContact.objects.filter(pk=other.pk).exists()


def test_a_residents_request_leaves_a_staff_account_with_the_same_address_alone(
    contact: ProposerContact, users: Any
) -> None:
    users.member.email = ADDRESS
    users.member.save()

    Client().post(
        reverse("privacy:resident_delete", args=[token_for(contact)]), {"what": "contact"}
    )

    users.member.refresh_from_db()
    assert users.member.email == ADDRESS
