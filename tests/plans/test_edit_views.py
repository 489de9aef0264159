"""The plan pages: the list, a new plan (from data), a version with everything it holds, editing
a draft's steps and its leadership check, submitting, withdrawing and new versions; and the 409
that any change to a version that is no longer a draft gets, with nothing changed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from forandra.accounts.models import User
from forandra.municipalities.models import DigitalisationGroup, Municipality
from forandra.plans import services
from forandra.plans.models import Plan, PlanVersion, Section, Status, Step
from tests.conftest import Users
from tests.plans.builders import add_initiative, complete_draft, decided, make_plan, submitted
from tests.plans.test_draft import closed_consensus, portfolio_ideas
from tests.programme import builders as programme_builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def client_for(user: User | None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def text(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def url(name: str, version: PlanVersion, **extra: object) -> str:
    plan = version.plan
    return reverse(
        f"plans:{name}",
        kwargs={"code": plan.municipality.code, "pk": plan.pk, "number": version.number, **extra},
    )


def plan_url(name: str, plan: Plan) -> str:
    return reverse(f"plans:{name}", kwargs={"code": plan.municipality.code, "pk": plan.pk})


# --- The list and a new plan --------------------------------------------------------------------


def test_the_list_shows_each_plans_years_latest_version_and_decision(
    home: Municipality, users: Users
) -> None:
    approved = decided(home, Status.APPROVED_WITH_CHANGES)
    draft = services.current_version(
        make_plan(home, title="Nästa plan", first_year=2030, last_year=2032)
    )
    page = client_for(users.member).get(reverse("plans:plan_list", args=[home.code]))
    assert page.status_code == 200
    body = text(page)
    assert "Nästa plan 2030–2032 Version 1 Draft No decision yet" in body
    assert "2027–2029 Version 1 Approved with changes Approved with changes, 20 Jan 2027" in body
    assert body.index("Nästa plan") < body.index(approved.plan.title)  # newest period first
    assert reverse("plans:plan_new", args=[home.code]) in page.content.decode()
    assert url("version_detail", draft) in page.content.decode()


def test_leadership_reads_the_list_but_cannot_start_a_plan(
    home: Municipality, users: Users
) -> None:
    make_plan(home)
    page = client_for(users.leadership).get(reverse("plans:plan_list", args=[home.code]))
    assert page.status_code == 200
    assert reverse("plans:plan_new", args=[home.code]) not in page.content.decode()
    assert (
        client_for(users.leadership).get(reverse("plans:plan_new", args=[home.code])).status_code
        == 403
    )


def test_another_municipalitys_member_and_strangers_are_refused(
    home: Municipality, users: Users
) -> None:
    plan = make_plan(home)
    list_url = reverse("plans:plan_list", args=[home.code])
    assert client_for(users.other_member).get(list_url).status_code == 403
    assert client_for(users.other_member).get(plan_url("plan_detail", plan)).status_code == 403
    anonymous = client_for(None).get(list_url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_a_new_plan_from_data_is_filled_and_says_what_it_was_made_from(
    home: Municipality, users: Users
) -> None:
    closed_consensus(home)
    portfolio_ideas(home)
    new = reverse("plans:plan_new", args=[home.code])
    form = client_for(users.member).get(new)
    assert 'name="from_data"' in form.content.decode()
    assert re.search(r'<input[^>]*name="from_data"[^>]*checked', form.content.decode())
    response = client_for(users.member).post(
        new,
        {
            "title": "Digital omställning",
            "first_year": "2027",
            "last_year": "2029",
            "from_data": "on",
        },
        follow=True,
    )
    plan = Plan.objects.get(title="Digital omställning")
    assert plan.created_by == users.member
    version = services.current_version(plan)
    assert version.capabilities.count() == 3 and version.initiatives.count() == 2
    body = text(response)
    assert "The plan has been created." in body
    assert "Initiatives: the 2 ideas chosen in portfolio version 2." in body
    assert "overall score of 61 of 100" in body  # step 1's text on the plan's page


def test_a_new_plan_without_the_box_ticked_starts_empty(home: Municipality, users: Users) -> None:
    closed_consensus(home)
    client_for(users.member).post(
        reverse("plans:plan_new", args=[home.code]),
        {"title": "Tom", "first_year": "2027", "last_year": "2028"},
    )
    version = services.current_version(Plan.objects.get(title="Tom"))
    assert not version.capabilities.exists()
    assert not Section.objects.filter(version=version).exclude(text="").exists()


def test_a_new_plan_with_years_in_the_wrong_order_is_refused_with_an_error_summary(
    home: Municipality, users: Users
) -> None:
    response = client_for(users.member).post(
        reverse("plans:plan_new", args=[home.code]),
        {"title": "", "first_year": "2029", "last_year": "2027", "from_data": "on"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error:" in body
    assert 'href="#id_title"' in body and 'href="#id_last_year"' in body
    assert "The last year cannot come before the first year." in body
    assert 'value="2029"' in body  # what was typed is kept
    assert not Plan.objects.exists()


# --- The version page ---------------------------------------------------------------------------


def test_a_draft_from_data_shows_everything_and_what_is_missing(
    home: Municipality, users: Users
) -> None:
    closed_consensus(home)
    portfolio_ideas(home)
    client_for(users.member).post(
        reverse("plans:plan_new", args=[home.code]),
        {"title": "Plan", "first_year": "2027", "last_year": "2029", "from_data": "on"},
    )
    version = services.current_version(Plan.objects.get())
    chat = version.initiatives.get(title="Chattbot för växeln")
    page = client_for(users.member).get(url("version_detail", version))
    assert page.status_code == 200
    html, body = page.content.decode(), text(page)
    assert body.count("<h1>") <= 1 and html.count("<h1>") == 1
    for step in Step:
        assert f"{step.value}. {step.label}" in body
        assert url("section_edit", version, step=step.value) in html
    assert url("leadership_check_edit", version) in html
    # Capabilities with their scores and the initiatives that build them, and edit links.
    assert "Data and information 0 15 Chattbot för växeln" in body
    assert (
        reverse(
            "plans:capability_edit",
            kwargs={
                "code": home.code,
                "pk": version.plan_id,
                "number": 1,
                "item": version.capabilities.first().pk,
            },
        )
        in html
    )
    # The initiative: no owner yet, its budget per kind, its link back to the idea.
    assert "No owner yet" in body
    assert "Investment: 100,000 kr Operations: 60,000 kr Innovation: 0 kr" in body
    assert reverse("ideas:idea_detail", args=[home.code, chat.idea_id]) in html
    # The budget table: innovation its own line.
    assert "Innovation 0 0 0 0" in body
    assert "Total 170,000 20,000 20,000 210,000" in body
    # What is missing, each linked to where it is fixed.
    assert "Missing before the plan can be submitted" in body
    assert url("initiative_edit", version, item=chat.pk) + "#id_owner" in html
    assert url("initiative_edit", version, item=chat.pk) + "#budget" in html
    assert url("version_submit", version) in html
    # A print stylesheet and the exports.
    assert re.search(r'<link[^>]*href="[^"]*plans/print\.css"[^>]*media="print"', html)
    for fmt in ("docx", "pdf", "md"):
        assert url("export", version, fmt=fmt) in html


def test_the_roadmap_is_an_svg_with_a_title_and_a_table_beside_it(
    home: Municipality, users: Users
) -> None:
    version = complete_draft(home)  # one initiative, Feb to Nov 2027
    add_initiative(version, title="Utan datum").__class__.objects.filter(title="Utan datum").update(
        start=None, end=None
    )
    html = client_for(users.member).get(url("version_detail", version)).content.decode()
    svg = re.search(r"<svg[^>]*roadmap__svg.*?</svg>", html, flags=re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert 'aria-labelledby="roadmap-title roadmap-desc"' in svg.group(0)
    assert "Q1 2027 to Q4 2029, 1 with dates" in svg.group(0)
    assert svg.group(0).count("<polygon") == 1
    assert "," not in re.findall(r'width="([^"]*)"', svg.group(0))[0]  # never localised
    body = text(client_for(users.member).get(url("version_detail", version)))
    assert "E-tjänst för bygglov Q1 2027 Q4 2027" in body
    assert "Utan datum No dates in the plan's years" in body


def test_leadership_sees_a_draft_without_edit_links_or_actions(
    home: Municipality, users: Users
) -> None:
    version = complete_draft(home)
    html = client_for(users.leadership).get(url("version_detail", version)).content.decode()
    assert url("section_edit", version, step=1) not in html
    assert url("version_submit", version) not in html
    assert url("version_decide", version) not in html
    assert "Missing before" not in html


def test_a_submitted_version_offers_the_decision_to_leadership_and_withdrawal_to_the_group(
    home: Municipality, users: Users
) -> None:
    version = submitted(home, users.member)
    leader = client_for(users.leadership).get(url("version_detail", version)).content.decode()
    assert url("version_decide", version) in leader
    assert url("version_withdraw", version) not in leader
    member = client_for(users.member).get(url("version_detail", version)).content.decode()
    assert url("version_withdraw", version) in member
    assert url("version_decide", version) not in member
    assert url("section_edit", version, step=1) not in member
    assert url("version_submit", version) not in member
    assert url("capability_add", version) not in member


def test_a_decided_version_shows_the_decision_and_offers_a_new_version(
    home: Municipality, users: Users
) -> None:
    version = decided(home, Status.RETURNED)
    page = client_for(users.member).get(plan_url("plan_detail", version.plan))
    body, html = text(page), page.content.decode()
    assert "Beslutat i kommunledningsgruppen." in body  # the decision, from plans/decide
    assert plan_url("version_new", version.plan) in html
    assert url("version_withdraw", version) not in html


def test_an_earlier_version_links_to_the_latest_and_to_the_comparison(
    home: Municipality, users: Users
) -> None:
    first = decided(home)
    second = services.version_new(plan=first.plan, user=None)
    old = client_for(users.member).get(url("version_detail", first))
    assert "an earlier version; the latest is version 2" in text(old)
    assert plan_url("version_new", first.plan) not in old.content.decode()  # not the latest
    assert url("section_edit", first, step=1) not in old.content.decode()
    new = client_for(users.member).get(url("version_detail", second)).content.decode()
    assert plan_url("version_diff", first.plan) + "?a=1&amp;b=2" in new
    assert url("section_edit", second, step=1) in new


def test_the_pages_take_as_many_queries_for_many_plans_and_initiatives_as_for_few(
    home: Municipality, users: Users
) -> None:
    client = client_for(users.member)
    version = complete_draft(home)

    def count(address: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        return len(captured.captured_queries)

    list_url = reverse("plans:plan_list", args=[home.code])
    few_plans, few_items = count(list_url), count(url("version_detail", version))
    for n in range(5):
        decided(home)
        add_initiative(version, title=f"Initiativ {n}")
    assert count(list_url) == few_plans
    assert count(url("version_detail", version)) == few_items


# --- Editing a draft ----------------------------------------------------------------------------


def test_a_step_page_gives_kotters_guidance_and_saves_the_text(
    home: Municipality, users: Users
) -> None:
    version = services.current_version(make_plan(home))
    address = url("section_edit", version, step=6)
    page = client_for(users.member).get(address)
    body = text(page)
    assert "Generating short-term wins" in body
    assert "within six months" in body
    assert "What will residents or staff notice within six months?" in body
    assert url("section_edit", version, step=5) in page.content.decode()  # previous step
    assert "Previous: step 5, Empowering broad-based action" in body
    assert "Next: step 7, Consolidating gains and producing more change" in body
    saved = client_for(users.member).post(address, {"text": "En e-tjänst inom sex månader."})
    assert saved.status_code == 302 and saved["Location"].endswith("#step-6")
    assert Section.objects.get(version=version, step=6).text == "En e-tjänst inom sex månader."


@pytest.mark.parametrize(
    ("step", "words"),
    [
        (2, "sponsors"),
        (2, "functions"),
        (5, "barriers"),
        (1, "maturity assessment"),
    ],
)
def test_the_guidance_names_what_each_step_asks_for(
    home: Municipality, users: Users, step: int, words: str
) -> None:
    version = services.current_version(make_plan(home))
    assert words in text(client_for(users.member).get(url("section_edit", version, step=step)))


def test_too_long_a_text_is_refused_with_an_error_summary(home: Municipality, users: Users) -> None:
    version = services.current_version(make_plan(home))
    response = client_for(users.member).post(
        url("section_edit", version, step=1), {"text": "x" * 10001}
    )
    assert response.status_code == 200
    assert 'href="#id_text"' in response.content.decode()
    assert Section.objects.get(version=version, step=1).text == ""


def test_an_unknown_step_is_not_found(home: Municipality, users: Users) -> None:
    version = services.current_version(make_plan(home))
    assert client_for(users.member).get(url("section_edit", version, step=9)).status_code == 404


def test_the_leadership_check_page_explains_kotters_distinction_and_saves(
    home: Municipality, users: Users
) -> None:
    version = services.current_version(make_plan(home))
    address = url("leadership_check_edit", version)
    body = text(client_for(users.member).get(address))
    assert "management makes a system work" in body
    assert "Leadership builds systems or transforms old ones" in body
    client_for(users.member).post(address, {"text": "Mest ledarskap."})
    version.refresh_from_db()
    assert version.leadership_check == "Mest ledarskap."


def test_the_title_and_years_change_while_the_plan_is_a_draft(
    home: Municipality, users: Users
) -> None:
    plan = make_plan(home)
    response = client_for(users.member).post(
        plan_url("plan_edit", plan),
        {"title": "Ny titel", "first_year": "2027", "last_year": "2030"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.first_year, plan.last_year) == ("Ny titel", 2027, 2030)


# --- Frozen versions: 409 and nothing changed ---------------------------------------------------


def test_a_crafted_post_to_a_frozen_versions_step_is_refused(
    home: Municipality, users: Users
) -> None:
    version = submitted(home)
    before = list(Section.objects.filter(version=version).values_list("step", "text"))
    for role in (users.member, users.coordinator, users.admin):
        response = client_for(role).post(url("section_edit", version, step=1), {"text": "Intrång"})
        assert response.status_code == 409
        assert "can no longer be changed" in text(response)
        assert "Nothing was changed." in text(response)
        assert "withdraw the submission" in text(response)  # what can be done instead
        assert plan_url("plan_detail", version.plan) in response.content.decode()
    assert list(Section.objects.filter(version=version).values_list("step", "text")) == before
    # Opening the form is refused too.
    assert client_for(users.member).get(url("section_edit", version, step=1)).status_code == 409


def test_a_crafted_post_to_a_frozen_versions_leadership_check_is_refused(
    home: Municipality, users: Users
) -> None:
    version = decided(home)
    response = client_for(users.member).post(url("leadership_check_edit", version), {"text": "Ny"})
    assert response.status_code == 409
    version.refresh_from_db()
    assert version.leadership_check == ""


def test_submitting_twice_is_refused_the_second_time(home: Municipality, users: Users) -> None:
    version = complete_draft(home)
    first = client_for(users.member).post(url("version_submit", version))
    assert first.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED and version.submitted_by == users.member
    submitted_at = version.submitted_at
    second = client_for(users.coordinator).post(url("version_submit", version))
    assert second.status_code == 409
    version.refresh_from_db()
    assert (version.status, version.submitted_at, version.submitted_by) == (
        Status.SUBMITTED,
        submitted_at,
        users.member,
    )


def test_the_title_of_a_plan_whose_latest_version_is_frozen_cannot_change(
    home: Municipality, users: Users
) -> None:
    version = submitted(home)
    address = plan_url("plan_edit", version.plan)
    assert client_for(users.member).get(address).status_code == 409
    response = client_for(users.member).post(
        address, {"title": "Ny", "first_year": "2027", "last_year": "2027"}
    )
    assert response.status_code == 409
    version.plan.refresh_from_db()
    assert (version.plan.title, version.plan.last_year) == ("Digital omställning 2027–2029", 2029)


# --- Submitting, withdrawing, new versions ------------------------------------------------------


def test_an_incomplete_submission_lists_each_missing_item_and_changes_nothing(
    home: Municipality, users: Users
) -> None:
    version = services.current_version(make_plan(home))
    nameless = add_initiative(version, title="Chattbot", owner="")
    services.set_budget(initiative=nameless, amounts=[(2027, "investment", 1000)])
    response = client_for(users.member).post(url("version_submit", version))
    assert response.status_code == 200
    body, html = text(response), response.content.decode()
    assert "2 things are missing" in body
    assert "The initiative “Chattbot” has no owner." in body
    assert "The budget has no innovation line" in body
    assert url("initiative_edit", version, item=nameless.pk) + "#id_owner" in html
    assert "Nothing was sent and nothing was changed." in body
    version.refresh_from_db()
    assert version.status == Status.DRAFT and version.submitted_at is None


def test_an_empty_draft_says_to_add_an_initiative_with_links_to_do_so(
    home: Municipality, users: Users
) -> None:
    version = services.current_version(make_plan(home))
    response = client_for(users.member).post(url("version_submit", version))
    html = response.content.decode()
    assert "The plan has no initiative: add at least one." in text(response)
    assert url("initiative_add", version) in html
    assert url("initiative_from_portfolio", version) in html


def test_a_submitted_version_is_withdrawn_to_a_draft_but_a_draft_is_not(
    home: Municipality, users: Users
) -> None:
    version = submitted(home)
    response = client_for(users.member).post(url("version_withdraw", version))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.DRAFT
    again = client_for(users.member).post(url("version_withdraw", version))
    assert again.status_code == 409
    assert "Only a submitted version" in text(again)


def test_a_new_version_is_a_copy_started_only_after_a_decision(
    home: Municipality, users: Users
) -> None:
    version = decided(home, Status.RETURNED)
    address = plan_url("version_new", version.plan)
    response = client_for(users.member).post(address)
    second = version.plan.versions.get(number=2)
    assert response.status_code == 302 and response["Location"] == url("version_detail", second)
    assert second.status == Status.DRAFT and second.initiatives.count() == 1
    refused = client_for(users.member).post(address)
    assert refused.status_code == 409
    assert version.plan.versions.count() == 2


def test_leadership_cannot_submit_withdraw_or_start_versions(
    home: Municipality, users: Users
) -> None:
    draft = complete_draft(home)
    leader = client_for(users.leadership)
    assert leader.post(url("version_submit", draft)).status_code == 403
    assert leader.post(url("section_edit", draft, step=1), {"text": "x"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert leader.post(plan_url("version_new", draft.plan)).status_code == 403


def test_the_municipality_page_links_to_its_plans(home: Municipality, users: Users) -> None:
    page = client_for(users.member).get(
        reverse("municipalities:municipality_detail", args=[home.code])
    )
    assert reverse("plans:plan_list", args=[home.code]) in page.content.decode()


def test_workshop_4s_home_assignment_links_to_the_plans(
    home_group: DigitalisationGroup, users: Users
) -> None:
    programme = programme_builders.programme_with_records(home_group)
    page = client_for(users.member).get(
        reverse("programme:group_detail", args=[programme.pk, home_group.municipality.code])
    )
    assert reverse("plans:plan_list", args=[home_group.municipality.code]) in page.content.decode()
