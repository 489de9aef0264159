"""The national view: one row per region for admins, each region's figures, k-anonymity, and a
number of queries that does not grow with the regions and municipalities."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.accounts.models import User
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import DigitalisationGroup, Municipality, Region
from forandra.plans.models import Status
from forandra.regional.national import NationalOverview, RegionLine
from tests.conftest import Users
from tests.regional import dashboard_builders as build

pytestmark = pytest.mark.django_db

URL = "/national/"


def client_for(user: User | None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def overview_of(response: object) -> NationalOverview:
    return response.context["overview"]  # type: ignore[attr-defined,no-any-return]


def line(overview: NationalOverview, code: str) -> RegionLine:
    return next(row for row in overview.rows if row.region and row.region.code == code)


def test_the_url_is_named() -> None:
    assert reverse("regional:national") == URL


def test_only_admins_open_the_national_view(users: Users) -> None:
    assert client_for(users.admin).get(URL).status_code == 200
    for user in (users.coordinator, users.member, users.leadership, users.other_coordinator):
        assert client_for(user).get(URL).status_code == 403
    assert client_for(None).get(URL).status_code == 302


def test_every_region_has_a_row_that_links_to_its_dashboard(users: Users) -> None:
    response = client_for(users.admin).get(URL)
    overview = overview_of(response)
    assert len(overview.rows) == 21
    assert overview.total.municipalities == 290
    html = response.content.decode()
    for row in overview.rows:
        assert row.region is not None
        assert reverse("regional:dashboard", args=[row.region.code]) in html


def test_a_region_row_sums_up_groups_maturity_and_plans(
    users: Users,
    region: Region,
    home: Municipality,
    neighbour: Municipality,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
) -> None:
    """Admins see unpublished data too: nothing here is published."""
    malå = municipality_selectors.municipality_get(code="2418")
    build.consensus_round(home, date(2019, 3, 14), 4)  # overall 75
    build.consensus_round(neighbour, date(2019, 3, 14), 2)  # 25
    build.consensus_round(malå, date(2019, 3, 14), 3)  # 50
    build.plan(home, title="Vindelns plan", amounts=(100_000, 25_000), initiatives=2)
    build.plan(neighbour, title="Bjurholms plan", amounts=(40_000, 10_000), outcome=Status.RETURNED)
    build.plan(neighbour, title="Bjurholms utkast", amounts=(10_000, 0), outcome=None)
    overview = overview_of(client_for(users.admin).get(URL))
    västerbotten = line(overview, "24")
    assert västerbotten.municipalities == 15
    assert västerbotten.with_group == 2
    assert västerbotten.with_maturity == 3
    assert västerbotten.median_maturity == pytest.approx(50)
    assert västerbotten.plans == 3
    values = [value for value, _label in overview.statuses]
    statuses = dict(zip(values, västerbotten.status_counts, strict=True))
    assert statuses[Status.APPROVED] == 1
    assert statuses[Status.RETURNED] == 1
    assert statuses[Status.DRAFT] == 1
    assert västerbotten.budget_total == 2 * 125_000 + 50_000 + 10_000
    assert västerbotten.innovation_share == pytest.approx(100 * 60_000 / 310_000)
    assert västerbotten.initiatives == 4
    stockholm = line(overview, "01")
    assert (stockholm.plans, stockholm.with_maturity, stockholm.median_maturity) == (0, 0, None)
    assert overview.total.plans == 3
    assert overview.total.median_maturity == pytest.approx(50)


def test_a_survey_below_the_minimum_is_not_a_result(users: Users, home: Municipality) -> None:
    minimum = settings.MATURITY_MIN_GROUP_SIZE
    build.survey_round(home, date(2020, 3, 1), 5, minimum - 1)
    overview = overview_of(client_for(users.admin).get(URL))
    assert line(overview, "24").with_maturity == 0
    assert line(overview, "24").median_maturity is None
    build.survey_round(home, date(2020, 4, 1), 4, minimum)
    overview = overview_of(client_for(users.admin).get(URL))
    assert line(overview, "24").with_maturity == 1
    assert line(overview, "24").median_maturity == pytest.approx(75)


def queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_regions_and_municipalities(
    users: Users, register: None
) -> None:
    client = client_for(users.admin)
    first = list(Municipality.objects.filter(region__code="24").order_by("code")[:2])
    for municipality in first:
        build.full_municipality(municipality)
    cache.clear()
    cold_one = queries(client)
    warm_one = queries(client)
    for code in ("01", "14"):
        for municipality in Municipality.objects.filter(region__code=code).order_by("code")[:3]:
            build.full_municipality(municipality)
    cache.clear()
    cold_three = queries(client)
    warm_three = queries(client)
    overview = overview_of(client.get(URL))
    assert [row.with_maturity for row in overview.rows if row.with_maturity] == [3, 3, 2]
    assert (cold_three, warm_three) == (cold_one, warm_one)
