"""Leadership's decision, check-ins and closing the follow-up, through the pages: who may, in
which state, and that a refused request changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from forandra.accounts.models import Role, User
from forandra.municipalities.models import Municipality
from forandra.plans import services
from forandra.plans.models import CheckIn, Decision, Light, PlanVersion, Status
from tests.conftest import Users, make_user
from tests.plans.builders import add_initiative, complete_draft, decided, submitted

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    """A signed-in client that reads the pages in English, the source language."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name: str, version: PlanVersion, **extra: object) -> str:
    return reverse(
        name,
        kwargs={
            "code": version.plan.municipality.code,
            "pk": version.plan_id,
            "number": version.number,
            **extra,
        },
    )


def plan_url(name: str, version: PlanVersion) -> str:
    return reverse(name, kwargs={"code": version.plan.municipality.code, "pk": version.plan_id})


TODAY = timezone.localdate()
DECIDED_ON = TODAY - timedelta(days=3)
DECISION = {
    "outcome": Status.APPROVED_WITH_CHANGES,
    "comment": "Lägg till en plan för utbildning av personalen.",
    "decided_on": DECIDED_ON.isoformat(),
}


# --- The decision ---------------------------------------------------------------------------


def test_leadership_approves_with_changes_and_the_group_sees_it(
    home: Municipality, users: Users
) -> None:
    version = submitted(home)

    response = client_for(users.leadership).post(url("plans:version_decide", version), DECISION)

    assert response.status_code == 302
    assert response["Location"] == url("plans:version_detail", version)
    version.refresh_from_db()
    assert version.status == Status.APPROVED_WITH_CHANGES
    decision = Decision.objects.get(version=version)
    assert decision.decided_by == users.leadership
    assert decision.decided_on == DECIDED_ON
    follow_up = client_for(users.member).get(plan_url("plans:follow_up", version))
    page = follow_up.content.decode()
    assert "Approved with changes" in page
    assert "Lägg till en plan för utbildning av personalen." in page
    assert "leadership" in page  # who decided (no full name: the username)


def test_the_group_sees_the_decision_on_the_version_page(home: Municipality, users: Users) -> None:
    version = decided(home, Status.RETURNED, user=users.leadership)

    response = client_for(users.member).get(url("plans:version_detail", version))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Beslutat i kommunledningsgruppen." in page
    assert "Returned" in page


@pytest.mark.parametrize("role", ["member", "coordinator", "admin", "other_member", "other_lead"])
def test_only_the_municipalitys_own_leadership_decides(
    role: str, home: Municipality, neighbour: Municipality, users: Users
) -> None:
    version = submitted(home)
    if role == "other_lead":
        user = make_user("other_lead", Role.LEADERSHIP, municipality=neighbour)
    else:
        user = getattr(users, role)
    page = client_for(user)

    assert page.get(url("plans:version_decide", version)).status_code in (403, 404)
    assert page.post(url("plans:version_decide", version), DECISION).status_code in (403, 404)

    version.refresh_from_db()
    assert version.status == Status.SUBMITTED
    assert not Decision.objects.exists()


@pytest.mark.parametrize("state", ["draft", "approved"])
def test_a_decision_on_a_draft_or_a_decided_version_is_refused_and_changes_nothing(
    state: str, home: Municipality, users: Users
) -> None:
    version = complete_draft(home) if state == "draft" else decided(home)
    before = list(Decision.objects.values_list("pk", "outcome", "comment", "decided_on"))
    page = client_for(users.leadership)

    shown = page.get(url("plans:version_decide", version))
    posted = page.post(url("plans:version_decide", version), {**DECISION, "outcome": "returned"})

    assert shown.status_code == posted.status_code == 409
    body = posted.content.decode()
    assert "Only a submitted version is decided on." in body
    assert "Nothing was changed." in body
    assert plan_url("plans:plan_detail", version) in body
    version.refresh_from_db()
    assert version.status == (Status.DRAFT if state == "draft" else Status.APPROVED)
    assert list(Decision.objects.values_list("pk", "outcome", "comment", "decided_on")) == before


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("approved", "Write a comment on the decision"),
        ("approved_with_changes", "Say which changes leadership asks for."),
        ("returned", "Say why the plan is returned"),
    ],
)
def test_every_outcome_needs_a_comment_that_says_what(
    outcome: str, message: str, home: Municipality, users: Users
) -> None:
    version = submitted(home)

    response = client_for(users.leadership).post(
        url("plans:version_decide", version), {**DECISION, "outcome": outcome, "comment": "  "}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'href="#id_comment"' in page  # the error summary links to the field
    assert "<title>Error:" in page
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED


def test_the_decision_cannot_be_dated_in_the_future_and_defaults_to_today(
    home: Municipality, users: Users
) -> None:
    version = submitted(home)
    page = client_for(users.leadership)
    tomorrow = timezone.localdate() + timedelta(days=1)

    form = page.get(url("plans:version_decide", version)).content.decode()
    response = page.post(
        url("plans:version_decide", version), {**DECISION, "decided_on": tomorrow.isoformat()}
    )

    assert f'value="{timezone.localdate().isoformat()}"' in form
    assert '<legend class="field__label">Decision</legend>' in form
    assert "The date of decision cannot be in the future." in response.content.decode()
    assert not Decision.objects.exists()


def test_the_decision_include_shows_the_decision_without_a_query(
    home: Municipality, users: Users, django_assert_num_queries
) -> None:
    version = decided(home, Status.APPROVED_WITH_CHANGES, user=users.leadership)
    fetched = PlanVersion.objects.select_related("decision__decided_by").get(pk=version.pk)

    with django_assert_num_queries(0), translation.override("en"):
        html = render_to_string("plans/decide/_decision.html", {"version": fetched})

    assert "Approved with changes" in html
    assert "Beslutat i kommunledningsgruppen." in html
    assert "2027-01-20" in html
    assert "leadership" in html


def test_the_decision_include_shows_nothing_without_a_decision(
    home: Municipality, django_assert_num_queries
) -> None:
    version = submitted(home)
    fetched = PlanVersion.objects.select_related("decision").get(pk=version.pk)

    with django_assert_num_queries(0):
        html = render_to_string("plans/decide/_decision.html", {"version": fetched})
    unfetched = render_to_string("plans/decide/_decision.html", {"version": version})

    assert html.strip() == unfetched.strip() == ""


# --- Check-ins ------------------------------------------------------------------------------

CHECK_IN = {
    "narrative": "Tio ansökningar har kommit in digitalt.",
    "light": Light.YELLOW,
    "next_step": "Testa formuläret med fem sökande.",
    "next_step_due": (TODAY + timedelta(days=30)).isoformat(),
    "checked_on": (TODAY - timedelta(days=1)).isoformat(),
}


def test_the_group_checks_in_and_the_follow_up_starts(home: Municipality, users: Users) -> None:
    version = decided(home)
    initiative = version.initiatives.get()

    response = client_for(users.member).post(
        url("plans:check_in", version, item=initiative.pk), CHECK_IN
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/follow-up/#initiative-{initiative.pk}")
    entry = CheckIn.objects.get()
    assert (entry.light, entry.created_by, entry.next_step_due) == (
        Light.YELLOW,
        users.member,
        TODAY + timedelta(days=30),
    )
    version.refresh_from_db()
    assert version.status == Status.IN_PROGRESS
    page = client_for(users.leadership).get(plan_url("plans:follow_up", version)).content.decode()
    assert "Tio ansökningar har kommit in digitalt." in page
    assert "Needs attention" in page  # the light in words, not colour alone


def test_leadership_reads_the_follow_up_but_does_not_check_in(
    home: Municipality, users: Users
) -> None:
    version = decided(home)
    initiative = version.initiatives.get()
    page = client_for(users.leadership)
    check_in_url = url("plans:check_in", version, item=initiative.pk)

    follow_up = page.get(plan_url("plans:follow_up", version)).content.decode()
    refused = page.post(check_in_url, CHECK_IN)

    assert check_in_url not in follow_up
    assert refused.status_code == 403
    assert not CheckIn.objects.exists()
    assert (
        check_in_url
        in client_for(users.member).get(plan_url("plans:follow_up", version)).content.decode()
    )


@pytest.mark.parametrize("state", ["draft", "submitted", "closed"])
def test_a_check_in_on_a_version_that_is_not_followed_is_refused(
    state: str, home: Municipality, users: Users
) -> None:
    if state == "draft":
        version = complete_draft(home)
    elif state == "submitted":
        version = submitted(home)
    else:
        version = services.version_close(version=decided(home))
    initiative = version.initiatives.get()

    response = client_for(users.member).post(
        url("plans:check_in", version, item=initiative.pk), CHECK_IN
    )

    assert response.status_code == 409
    assert "Check-ins are made on an approved plan that is not closed." in response.content.decode()
    assert not CheckIn.objects.exists()
    assert PlanVersion.objects.get(pk=version.pk).status == version.status


def test_a_check_in_on_another_versions_initiative_is_not_found(
    home: Municipality, users: Users
) -> None:
    version = decided(home)
    stranger = add_initiative(complete_draft(home), title="Annan plan")

    response = client_for(users.member).post(
        url("plans:check_in", version, item=stranger.pk), CHECK_IN
    )

    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_a_check_in_needs_a_story_and_a_next_step_not_due_before_it(
    home: Municipality, users: Users
) -> None:
    version = decided(home)
    initiative = version.initiatives.get()

    response = client_for(users.member).post(
        url("plans:check_in", version, item=initiative.pk),
        {**CHECK_IN, "narrative": "", "next_step_due": (TODAY - timedelta(days=5)).isoformat()},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Write a few words on how it goes." in page
    assert "The next step cannot be due before the check-in&#x27;s date." in page
    assert not CheckIn.objects.exists()


# --- Closing the follow-up ------------------------------------------------------------------


def test_the_group_closes_the_follow_up_after_asking_again(
    home: Municipality, users: Users
) -> None:
    version = decided(home)
    page = client_for(users.member)

    asked = page.get(url("plans:version_close", version))
    version.refresh_from_db()
    assert version.status == Status.APPROVED  # asking changes nothing
    closed = page.post(url("plans:version_close", version))

    assert asked.status_code == 200
    assert closed.status_code == 302 and closed["Location"] == plan_url("plans:follow_up", version)
    version.refresh_from_db()
    assert version.status == Status.CLOSED
    follow_up = page.get(plan_url("plans:follow_up", version)).content.decode()
    assert "The follow-up is closed" in follow_up
    assert url("plans:version_close", version) not in follow_up


def test_leadership_does_not_close_and_a_draft_cannot_be_closed(
    home: Municipality, users: Users
) -> None:
    version = decided(home)
    draft = complete_draft(home)

    by_leadership = client_for(users.leadership).post(url("plans:version_close", version))
    on_a_draft = client_for(users.member).post(url("plans:version_close", draft))

    assert by_leadership.status_code == 403
    assert on_a_draft.status_code == 409
    assert PlanVersion.objects.get(pk=version.pk).status == Status.APPROVED
    assert PlanVersion.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_plan_without_an_approved_version_has_nothing_to_follow_up(
    home: Municipality, users: Users
) -> None:
    version = submitted(home)

    response = client_for(users.leadership).get(plan_url("plans:follow_up", version))

    assert response.status_code == 200
    assert "Nothing to follow up yet" in response.content.decode()
