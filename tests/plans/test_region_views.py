"""The region's view of the plans: who may open it, what each municipality's row says, that it
takes as many queries for twelve plans as for three, and the status filter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forandra.accounts.models import User
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality, Region
from forandra.plans import services
from forandra.plans.models import Light, PlanVersion, Status
from forandra.plans.region import region_plans_overview
from tests.conftest import Users
from tests.plans.builders import add_initiative, complete_draft, decided, make_plan, submitted

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def client_for(user: User) -> Client:
    """A signed-in client that reads the pages in English, the source language."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_url(region: Region, status: str | None = None) -> str:
    url = reverse("plans:region_plans", kwargs={"code": region.code})
    return f"{url}?status={status}" if status is not None else url


def text_of(html: str) -> str:
    """The page's words, tags removed and spaces collapsed (numbers use no-break spaces)."""
    words = re.sub(r"<[^>]+>", " ", html).replace("\xa0", " ").replace("&nbsp;", " ")
    return " ".join(words.split())


def rows_of(html: str) -> list[str]:
    """The table body's rows, each as its words."""
    body = html.split("<tbody>", 1)[1] if "<tbody>" in html else ""
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def plan_with(municipality: Municipality, initiatives: int) -> PlanVersion:
    """A complete draft with this many initiatives (each 280 000 kr, 50 000 of it innovation)."""
    version = complete_draft(municipality)
    for number in range(1, initiatives):
        add_initiative(version, title=f"Initiativ {number}")
    return version


# --- Who may open it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("coordinator", 200),
        ("admin", 200),
        ("member", 403),
        ("leadership", 403),
        ("other_member", 403),
        ("other_coordinator", 403),
    ],
)
def test_only_the_regions_coordinator_and_admins_see_the_regions_plans(
    region: Region, users: Users, role: str, expected: int
) -> None:
    response = client_for(getattr(users, role)).get(page_url(region))
    assert response.status_code == expected


def test_an_anonymous_visitor_is_sent_to_log_in(region: Region) -> None:
    response = Client().get(page_url(region))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_unknown_region_is_not_found(users: Users) -> None:
    response = client_for(users.admin).get(reverse("plans:region_plans", kwargs={"code": "99"}))
    assert response.status_code == 404


def test_the_region_page_links_to_the_plans_for_the_coordinator_only(
    region: Region, users: Users
) -> None:
    link = page_url(region)
    region_page = reverse("municipalities:region_detail", kwargs={"code": region.code})
    assert link in client_for(users.coordinator).get(region_page).content.decode()
    assert link not in client_for(users.member).get(region_page).content.decode()


# --- What it shows --------------------------------------------------------------------------


def test_every_municipality_of_the_region_is_listed_with_no_plan_where_there_is_none(
    region: Region, home: Municipality, users: Users
) -> None:
    make_plan(home, title="Digital omställning 2027–2029")

    html = client_for(users.coordinator).get(page_url(region)).content.decode()

    names = list(region.municipalities.order_by("name").values_list("name", flat=True))
    rows = rows_of(html)
    assert len(names) == 15 and len(rows) == 15
    for name, row in zip(names, rows, strict=True):
        assert row.startswith(name)
        assert row.endswith("No plan") == (name != home.name)
    assert "1 of 15 municipalities have a transformation plan." in text_of(html)


def test_a_plan_shows_its_latest_version_decision_budget_and_initiatives(
    region: Region, home: Municipality, users: Users
) -> None:
    version = decided(home, outcome=Status.RETURNED)
    plan = version.plan
    draft = services.version_new(plan=plan, user=None)
    add_initiative(draft, title="Chattbot", owner="IT-chef")

    html = client_for(users.coordinator).get(page_url(region)).content.decode()

    row = next(r for r in rows_of(html) if r.startswith(home.name))
    # Version 2 is a draft; the latest decision is version 1's return, with its date.
    assert "Version 2 Draft" in row
    assert "Returned 20 Jan 2027 (on version 1)" in row
    # The draft's two initiatives, 280 000 kr each, 50 000 of it for innovation: 17.9 %.
    assert "560,000 17.9 % 2" in row
    assert "Not followed up yet" in row
    detail = reverse("plans:plan_detail", kwargs={"code": home.code, "pk": plan.pk})
    assert f'href="{detail}"' in html


def test_the_follow_up_counts_each_initiatives_latest_light_and_what_is_overdue(
    region: Region, home: Municipality, users: Users
) -> None:
    version = plan_with(home, initiatives=4)
    services.version_submit(version=version, user=None)
    services.version_decide(
        version=version,
        outcome=Status.APPROVED,
        comment="Godkänd.",
        decided_on=TODAY - timedelta(days=20),
        user=None,
    )
    initiatives = list(version.initiatives.order_by("pk"))
    lights = [Light.GREEN, Light.GREEN, Light.YELLOW, Light.RED]
    for initiative, light in zip(initiatives, lights, strict=True):
        services.check_in(
            initiative=initiative,
            checked_on=TODAY - timedelta(days=10),
            light=light,
            narrative="Det går.",
            next_step="Avstämning",
            next_step_due=TODAY + timedelta(days=20),
            user=None,
        )
    # A later check-in replaces the earlier light; and its next step is past its date.
    services.check_in(
        initiative=initiatives[3],
        checked_on=TODAY - timedelta(days=5),
        light=Light.YELLOW,
        narrative="Bättre nu.",
        next_step="Ny leverantör",
        next_step_due=TODAY - timedelta(days=1),
        user=None,
    )

    html = client_for(users.coordinator).get(page_url(region)).content.decode()

    row = next(r for r in rows_of(html) if r.startswith(home.name))
    assert "On track: 2" in row
    assert "Needs attention: 2" in row
    assert "Stuck" not in row
    assert "1 overdue" in row


def test_a_new_draft_keeps_the_followed_versions_lights(
    region: Region, home: Municipality, users: Users
) -> None:
    version = decided(home)
    initiative = version.initiatives.get()
    services.check_in(
        initiative=initiative,
        checked_on=TODAY - timedelta(days=3),
        light=Light.RED,
        narrative="Står still.",
        next_step="Beslut",
        next_step_due=TODAY + timedelta(days=10),
        user=None,
    )
    services.version_new(plan=version.plan, user=None)

    overview = region_plans_overview(region=region)

    row = next(r for r in overview.rows if r.municipality == home).plans[0]
    assert row.version.number == 2 and row.status == Status.DRAFT
    assert row.followed is not None and row.followed.number == 1
    assert row.lights == {Light.RED: 1}
    assert row.decision is not None and row.decided_version == 1


def test_the_page_says_it_shows_demo_data_when_the_plans_are_the_demos(
    region: Region, home: Municipality, users: Users
) -> None:
    plan = make_plan(home)
    client = client_for(users.coordinator)
    assert "demo-banner" not in client.get(page_url(region)).content.decode()

    plan.is_demo = True
    plan.save(update_fields=["is_demo"])

    assert "demo-banner" in client.get(page_url(region)).content.decode()


# --- Queries --------------------------------------------------------------------------------


def test_the_page_takes_as_many_queries_for_twelve_plans_as_for_three(
    region: Region, users: Users
) -> None:
    municipalities = list(municipality_selectors.region_municipalities(region=region))
    client = client_for(users.coordinator)

    def build(count: int, offset: int) -> None:
        for index in range(count):
            municipality = municipalities[(offset + index) % len(municipalities)]
            kind = index % 4
            if kind == 0:
                make_plan(municipality)
            elif kind == 1:
                submitted(municipality)
            else:
                version = decided(municipality)
                if kind == 3:
                    services.check_in(
                        initiative=version.initiatives.get(),
                        checked_on=TODAY,
                        light=Light.YELLOW,
                        narrative="Det går.",
                        next_step="Avstämning",
                        next_step_due=TODAY - timedelta(days=1),
                        user=None,
                    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page_url(region))
        assert response.status_code == 200
        return len(captured)

    build(3, 0)
    three = queries()
    build(9, 3)
    assert region_plans_overview(region=region).with_plan == 12
    assert queries() == three


# --- The filter -----------------------------------------------------------------------------


@pytest.fixture
def three_plans(region: Region, home: Municipality, neighbour: Municipality) -> None:
    submitted(home)
    make_plan(home, title="Digitaliseringsplan 2024–2026", first_year=2024, last_year=2026)
    decided(neighbour, outcome=Status.APPROVED_WITH_CHANGES)


def test_the_filter_keeps_the_plans_whose_latest_version_has_the_status(
    region: Region, users: Users, three_plans: None, home: Municipality
) -> None:
    html = client_for(users.coordinator).get(page_url(region, Status.SUBMITTED)).content.decode()

    rows = rows_of(html)
    assert len(rows) == 1
    assert rows[0].startswith(home.name) and "Submitted" in rows[0]
    assert "Digitaliseringsplan 2024–2026" not in html
    assert '<option value="submitted" selected>' in html
    assert "Plans whose latest version is: Submitted" in text_of(html)


def test_the_filter_can_show_the_municipalities_without_a_plan(
    region: Region, users: Users, three_plans: None, home: Municipality, neighbour: Municipality
) -> None:
    html = client_for(users.coordinator).get(page_url(region, "none")).content.decode()

    rows = rows_of(html)
    assert len(rows) == 13
    assert all(row.endswith("No plan") for row in rows)
    assert not any(row.startswith((home.name, neighbour.name)) for row in rows)


def test_an_unknown_status_shows_everything(
    region: Region, users: Users, three_plans: None
) -> None:
    client = client_for(users.coordinator)
    everything = client.get(page_url(region)).content.decode()
    unknown = client.get(page_url(region, "bogus")).content.decode()

    assert rows_of(unknown) == rows_of(everything)
    assert len(rows_of(everything)) == 15 + 1  # Vindeln has two plans
    assert '<option value="" selected>' in unknown


def test_the_counts_per_status_cover_every_plan(
    region: Region, users: Users, three_plans: None
) -> None:
    overview = region_plans_overview(region=region)

    assert overview.status_counts[Status.SUBMITTED] == 1
    assert overview.status_counts[Status.DRAFT] == 1
    assert overview.status_counts[Status.APPROVED_WITH_CHANGES] == 1
    assert sum(overview.status_counts.values()) == 3
    assert (overview.municipalities, overview.with_plan) == (15, 2)
    html = client_for(users.coordinator).get(page_url(region)).content.decode()
    assert "Approved with changes: 1" in text_of(html)
    assert 'href="?status=approved_with_changes"' in html
