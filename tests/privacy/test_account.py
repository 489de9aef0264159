"""A signed-in user's own data: what is held, the download, and deleting the account."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.accounts import services as account_services
from forandra.accounts.models import Role, User
from forandra.ideas import voting
from forandra.ideas.models import Dot, Idea, ProposerContact
from forandra.municipalities.models import DigitalisationGroup, GroupMember
from forandra.plans.models import CheckIn, Decision, Initiative, Plan
from forandra.privacy import inventory, placeholders, services
from forandra.privacy.models import DeletionRecord, Kind
from forandra.programme.models import Attendance, DefinitionMark, LearningNote
from tests.conftest import PASSWORD, Users

from .builders import (
    EMAIL,
    NAME,
    OTHERS_NOTE,
    USERNAME,
    Person,
    person_with_data,
    rows_pointing_at,
    text_columns_containing,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(users: Users, home_group: DigitalisationGroup) -> Person:
    return person_with_data(users, home_group)


def download(client: Client) -> dict[str, Any]:
    response = client.get(reverse("privacy:my_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)  # type: ignore[no-any-return]


def delete_account(client: Client, **data: str) -> Any:
    return client.post(reverse("privacy:account_delete"), data or {"password": PASSWORD})


# --- What is held, and the download --------------------------------------------------------------


def test_the_page_counts_what_is_held_and_says_what_deletion_does(person: Person) -> None:
    response = person.client.get(reverse("privacy:my_data"))

    assert response.status_code == 200
    holdings = {h.key: h for h in response.context["holdings"]}
    assert holdings["group_members"].count == 1
    assert holdings["resident_contacts"].count == 1
    assert holdings["sign_ins"].count >= 1
    assert holdings["programme.learningnote.user"].count == 1
    assert holdings["programme.learningnote.user"].outcome == "deleted"
    assert "plans.decision.decided_by" not in holdings  # leadership decided, not she
    assert holdings["plans.checkin.created_by"].outcome == "anonymised"
    assert holdings["ideas.dot.user"].outcome == "placeholder"
    assert holdings["changes"].count >= 2  # the group and its member list, changed by her
    assert b"Delete my account" in response.content


def test_the_download_holds_all_of_the_users_data(person: Person) -> None:
    data = download(person.client)

    assert data["format"] == "forandra-personal-data"
    assert data["explanation"]
    assert data["account"]["email"] == "Zelda.Q@example.org"
    assert data["account"]["username"] == USERNAME
    assert len(data["account_history"]) >= 2
    assert "history_user" not in data["account_history"][-1]
    assert "192.0.2.7" in {row["address"] for row in data["sign_ins"]}
    [membership] = data["group_memberships"]
    assert membership["name"] == NAME
    assert membership["attendance"][0]["present"] is True
    assert data["resident_proposals"][0]["title"] == "Läxhjälp på nätet"
    records = {record["kind"] + "." + record["your_part"]: record for record in data["records"]}
    assert records["programme.learningnote.user"]["rows"][0]["note"] == "Mina tankar"
    assert records["plans.checkin.created_by"]["rows"][0]["narrative"].startswith(NAME)
    assert records["plans.checkin.created_by"]["rows"][0]["created_by"] == "you"
    assert records["ideas.dot.user"]["rows"][0]["count"] == 3
    assert records["programme.programme.facilitators"]["rows"][0]["name"]
    assert "object_repr" not in records["admin.logentry.user"]["rows"][0]
    changed = {(change["kind"], change["change"]) for change in data["changes"]}
    assert ("municipalities.digitalisationgroup", "changed") in changed


def test_the_download_holds_no_one_elses_data(person: Person, users: Users) -> None:
    text = json.dumps(download(person.client), ensure_ascii=False)

    other = users.member
    for needle in (other.email, OTHERS_NOTE, "p0.2404@example.org", "Person 0"):
        assert needle not in text
    # The decision was made by leadership: the download says nothing of who.
    decision_rows = [r for r in json.loads(text)["records"] if r["kind"] == "plans.decision"]
    assert decision_rows == []


def test_another_users_download_and_page_hold_nothing_of_the_person(
    person: Person, users: Users
) -> None:
    client = Client()
    client.force_login(users.member)

    text = json.dumps(download(client), ensure_ascii=False)
    page = client.get(reverse("privacy:my_data")).content.decode()

    for needle in (*person.needles, "Mina tankar"):
        assert needle not in text
        assert needle not in page
    assert OTHERS_NOTE in text


@pytest.mark.parametrize("name", ["privacy:my_data", "privacy:my_data_download"])
def test_the_page_and_the_download_read_in_a_fixed_number_of_queries(
    person: Person, users: Users, name: str
) -> None:
    """As many queries for a user with rows everywhere as for a newcomer in a member list."""
    home = users.member.municipality
    assert home is not None
    newcomer = account_services.user_create(
        username="ny", password=PASSWORD, role=Role.MEMBER, municipality=home, email="ny@x.se"
    )
    home.group.members.create(name="Ny", email="ny@x.se", function="HR")
    counts = []
    for user in (person.user, newcomer):
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Deleting the account ------------------------------------------------------------------------


def test_deleting_erases_the_person_from_every_text_column(person: Person) -> None:
    assert text_columns_containing(*person.needles)  # the search finds her before

    response = delete_account(person.client)

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:deleted")
    assert text_columns_containing(*person.needles) == []
    assert rows_pointing_at(person.user.pk) == []
    assert not User.objects.filter(pk=person.user.pk).exists()


def test_deleting_keeps_the_municipalitys_records_without_the_person(
    person: Person, users: Users
) -> None:
    before = voting.vote_results(vote=person.vote)

    delete_account(person.client)

    decision = Decision.objects.get(pk=person.decision.pk)
    assert decision.decided_by == users.leadership  # someone else's decision stays theirs
    removed = placeholders.stored(placeholders.REMOVED)
    assert decision.comment == f"Beslutat. Kontakt: {removed}."
    plan = Plan.objects.get(pk=person.version.plan_id)
    assert plan.created_by is None
    assert person.version.__class__.objects.get(pk=person.version.pk).submitted_by is None
    check_in = CheckIn.objects.get(pk=person.check_in.pk)
    assert check_in.created_by is None
    assert check_in.narrative == f"{removed} har ringt biblioteken."
    assert Initiative.objects.get(version=person.version, title="Bokbuss").owner == removed
    idea = Idea.objects.get(pk=person.idea.pk)
    assert idea.created_by is None
    # The resident proposal she made stays; only her address with it is gone.
    assert Idea.objects.filter(pk=person.proposal.pk).exists()
    assert not ProposerContact.objects.filter(idea=person.proposal).exists()
    # The closed tally of the vote is the same, her dots now a placeholder's.
    after = voting.vote_results(vote=person.vote)
    assert after == before
    placeholder = Dot.objects.get(vote=person.vote, idea=person.idea, count=3).user
    assert placeholder.pk != person.user.pk
    assert not placeholder.is_active and not placeholder.has_usable_password()
    assert (placeholder.first_name, placeholder.last_name, placeholder.email) == ("", "", "")
    assert LogEntry.objects.filter(user=placeholder).count() == 1


def test_deleting_makes_the_person_a_former_member_of_the_group(person: Person) -> None:
    delete_account(person.client)

    member = GroupMember.objects.get(pk=person.member.pk)
    assert member.name == placeholders.stored(placeholders.FORMER_MEMBER)
    assert member.email.endswith("@deleted.invalid")
    assert member.function == "Bibliotek och kultur"
    assert Attendance.objects.get(member=member, session=person.session).present
    history = member.history.all()  # type: ignore[attr-defined]
    assert {row.name for row in history} == {placeholders.stored(placeholders.FORMER_MEMBER)}


def test_deleting_removes_what_was_the_persons_alone_and_keeps_others(
    person: Person, users: Users
) -> None:
    delete_account(person.client)

    assert not LearningNote.objects.filter(note="Mina tankar").exists()
    assert LearningNote.objects.filter(user=users.member, note=OTHERS_NOTE).exists()
    assert list(DefinitionMark.objects.values_list("user", flat=True)) == [users.member.pk]
    assert Dot.objects.filter(user=users.member).count() == 2
    assert GroupMember.objects.filter(email="p0.2404@example.org").exists()
    assert not person.programme.facilitators.exists()


def test_deleting_signs_the_person_out_everywhere(person: Person) -> None:
    elsewhere = Client()
    elsewhere.force_login(person.user)

    delete_account(person.client)

    for client in (person.client, elsewhere):
        response = client.get(reverse("privacy:my_data"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_deletion_log_has_counts_and_nothing_of_the_person(person: Person) -> None:
    delete_account(person.client)

    record = DeletionRecord.objects.get()
    assert record.kind == Kind.USER
    assert {field.name for field in DeletionRecord._meta.concrete_fields} == {
        "id",
        "kind",
        "deleted_on",
        "counts",
    }
    assert record.counts["accounts.user"] == {"deleted": 1}
    assert record.counts["programme.learningnote"] == {"deleted": 1}
    assert record.counts["municipalities.groupmember"] == {"anonymised": 1}
    assert record.counts["plans.checkin"]["anonymised"] == 2  # the link, then the text
    assert record.counts["ideas.proposercontact"] == {"deleted": 1}
    # Model labels to counts of actions, and nothing else (no id, name, address or text).
    for label, actions in record.counts.items():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", label)
        assert set(actions) <= {"deleted", "anonymised"}
        assert all(isinstance(count, int) and count > 0 for count in actions.values())
    logged = json.dumps(record.counts)
    for needle in (*person.needles, "Mina tankar"):
        assert needle.lower() not in logged.lower()


def test_a_wrong_password_deletes_nothing(person: Person) -> None:
    response = delete_account(person.client, password="not-the-password")

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert User.objects.filter(pk=person.user.pk).exists()
    assert DeletionRecord.objects.count() == 0
    assert "<title>Error: " in response.content.decode()


def test_a_single_sign_on_user_confirms_by_typing_their_address(
    users: Users, home_group: DigitalisationGroup
) -> None:
    user = account_services.user_create(
        username="sso-user",
        password=None,
        role=Role.MEMBER,
        municipality=home_group.municipality,
        email="sso@example.org",
    )
    client = Client()
    client.force_login(user)

    page = client.get(reverse("privacy:account_delete"))
    wrong = delete_account(client, confirmation="someone@example.org")
    right = delete_account(client, confirmation="SSO@example.org ")

    assert "password" not in page.context["form"].fields
    assert wrong.status_code == 200 and wrong.context["form"].errors["confirmation"]
    assert right.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_a_demo_account_cannot_be_deleted(users: Users) -> None:
    User.objects.filter(pk=users.member.pk).update(is_demo=True)
    client = Client()
    client.force_login(users.member)

    response = delete_account(client)

    assert response.status_code == 200
    assert response.context["form"] is None and response.context["refusal"]
    assert User.objects.filter(pk=users.member.pk).exists()


def test_the_last_administrator_cannot_delete_their_account(users: Users) -> None:
    client = Client()
    client.force_login(users.admin)

    refused = delete_account(client)
    assert refused.context["refusal"]
    assert User.objects.filter(pk=users.admin.pk).exists()

    account_services.user_create(username="admin2", password=PASSWORD, role=Role.ADMIN)
    assert delete_account(client).status_code == 302
    assert not User.objects.filter(pk=users.admin.pk).exists()


def test_a_user_without_a_name_or_address_can_be_deleted(users: Users) -> None:
    user = account_services.user_create(username="bare", password=PASSWORD, role=Role.ADMIN)

    record = services.account_delete(user=user)

    assert record.counts["accounts.user"] == {"deleted": 1}


def test_a_namesake_in_another_groups_member_list_is_left_alone(
    person: Person, neighbour_group: DigitalisationGroup
) -> None:
    namesake = neighbour_group.members.create(
        name=NAME, email="zelda@bjurholm.example.org", function="Skola"
    )
    joanna = neighbour_group.members.create(name="Hanna Berg", email=f"jo{EMAIL}", function="IT")

    delete_account(person.client)

    assert GroupMember.objects.get(pk=namesake.pk).name == NAME
    assert GroupMember.objects.get(pk=joanna.pk).email == f"jo{EMAIL}"


# --- Every link to a user has a decision ---------------------------------------------------------


def test_every_link_to_a_user_can_be_emptied_moved_or_deleted() -> None:
    undecided = [
        link.key
        for link in inventory.user_links()
        if not (link.nullable or link.many or link.to_placeholder)
        and link.field.remote_field.on_delete is not models.CASCADE  # type: ignore[union-attr]
    ]

    assert undecided == []
