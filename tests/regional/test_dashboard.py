"""The region's dashboard: who sees which municipalities' data, the maturity heatmap with its
change since the baseline, the waves matrix, the plans' figures, the most copied ideas, and a
number of queries that does not grow with the municipalities."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
from forandra.regional import services
from forandra.regional.dashboard import RegionDashboard
from tests.conftest import Users, make_group
from tests.regional import dashboard_builders as build

pytestmark = pytest.mark.django_db

HOME_BUDGET = (1_234_000, 111_000)  # Vindeln: unpublished plan
NEIGHBOUR_BUDGET = (7_654_000, 321_000)  # Bjurholm: unpublished everything
OPEN_BUDGET = (2_468_000, 246_000)  # Malå: publishes everything


def client_for(user: User | None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def url(region: Region) -> str:
    return reverse("regional:dashboard", args=[region.code])


def digits(html: str) -> str:
    """The page without spaces and thousands separators, to find formatted amounts."""
    return re.sub(r"[\s\u00a0\u202f,]", "", html)


def table(html: str, caption_id: str) -> str:
    """The HTML of the table captioned `caption_id`."""
    start = html.index(f'id="{caption_id}"')
    return html[start : html.index("</table>", start)]


@dataclass
class World:
    region: Region
    home: Municipality  # Vindeln: publishes maturity and radar, not plans
    neighbour: Municipality  # Bjurholm: publishes nothing
    open: Municipality  # Malå: publishes everything


@pytest.fixture
def world(
    region: Region,
    home: Municipality,
    neighbour: Municipality,
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
) -> World:
    malå = municipality_selectors.municipality_get(code="2418")
    make_group(malå, ["IT", "HR", "Skola", "Kultur"])
    # Maturity: 25 in 2018, then 75 (Vindeln), 100 (Bjurholm), 50 (Malå) in 2019.
    for municipality, later in ((home, 4), (neighbour, 5), (malå, 3)):
        build.consensus_round(municipality, date(2018, 3, 14), 2)
        build.consensus_round(municipality, date(2019, 3, 14), later)
    build.place(home, ["adopt", "watch"])
    build.place(neighbour, ["try", "explore"])
    build.place(malå, ["explore", "adopt"])
    build.plan(home, title="Vindelns plan", amounts=HOME_BUDGET)
    build.plan(neighbour, title="Bjurholms plan", amounts=NEIGHBOUR_BUDGET, outcome=Status.RETURNED)
    build.plan(malå, title="Malås plan", amounts=OPEN_BUDGET, outcome=Status.APPROVED_WITH_CHANGES)
    build.plan(malå, title="Malås utkast", amounts=(5_000, 0), outcome=None)
    services.publication_set(municipality=home, maturity=True, radar=True, plans=False, by=None)
    services.publication_set(municipality=malå, maturity=True, radar=True, plans=True, by=None)
    return World(region, home, neighbour, malå)


def overview_of(response: object) -> RegionDashboard:
    return response.context["overview"]  # type: ignore[attr-defined,no-any-return]


# --- Who sees what -----------------------------------------------------------------------------


def test_the_coordinator_sees_every_municipality(world: World, users: Users) -> None:
    response = client_for(users.coordinator).get(url(world.region))
    assert response.status_code == 200
    overview = overview_of(response)
    html = response.content.decode()
    measured = [row.municipality.name for row in overview.heatmap.rows if row.latest]
    assert measured == ["Bjurholm", "Malå", "Vindeln"]
    assert len(overview.heatmap.rows) == 15  # every municipality of the region, measured or not
    assert overview.heatmap.hidden == []
    assert "Bjurholm" in table(html, "maturity-caption")
    assert "Bjurholm" in table(html, "waves-caption")
    assert overview.plans.plans == 4
    total = sum(HOME_BUDGET) + sum(NEIGHBOUR_BUDGET) + sum(OPEN_BUDGET) + 5_000
    assert overview.plans.budget_total == total
    assert str(total) in digits(html)
    assert "have not published" not in html
    assert reverse("plans:region_plans", args=[world.region.code]) in html


def test_a_member_sees_their_own_municipality_and_what_others_published(
    world: World, users: Users
) -> None:
    response = client_for(users.member).get(url(world.region))  # a member in Vindeln
    assert response.status_code == 200
    overview = overview_of(response)
    html = response.content.decode()
    assert [row.municipality.name for row in overview.heatmap.rows if row.latest] == [
        "Malå",
        "Vindeln",
    ]
    assert world.neighbour in overview.heatmap.hidden
    assert [row.municipality.name for row in overview.waves.rows if row.placed] == [
        "Malå",
        "Vindeln",
    ]
    # Bjurholm's maturity, radar and plans appear nowhere: its name only in "not published".
    for caption in ("maturity-caption", "waves-caption"):
        assert "Bjurholm" not in table(html, caption)
    assert "have not published their maturity" in html
    assert str(sum(NEIGHBOUR_BUDGET)) not in digits(html)
    # Of Malå only the decided plan, not its draft; Vindeln's own plan counts.
    assert overview.plans.plans == 2
    assert overview.plans.budget_total == sum(HOME_BUDGET) + sum(OPEN_BUDGET)
    assert str(sum(HOME_BUDGET) + sum(OPEN_BUDGET)) in digits(html)
    assert {v: n for v, _label, n in overview.plans.status_counts}[Status.RETURNED] == 0
    # Members see the groups' totals, not each municipality's group.
    assert overview.participation.rows is None
    assert 'id="participation-caption"' not in html
    assert reverse("plans:region_plans", args=[world.region.code]) not in html


def test_an_unpublished_plan_maturity_and_radar_never_reach_another_municipality(
    world: World, users: Users
) -> None:
    """Bjurholm's member sees Vindeln's published maturity and radar, never its plan."""
    response = client_for(users.other_member).get(url(world.region))
    overview = overview_of(response)
    html = response.content.decode()
    assert "Vindeln" in table(html, "maturity-caption")
    assert "Vindeln" in table(html, "waves-caption")
    assert world.home in overview.plans.hidden
    assert overview.plans.budget_total == sum(NEIGHBOUR_BUDGET) + sum(OPEN_BUDGET)
    assert str(sum(HOME_BUDGET)) not in digits(html)
    assert str(HOME_BUDGET[0]) not in digits(html)
    # Vindeln takes back its maturity: its scores leave the heatmap, also from the cache.
    services.publication_set(
        municipality=world.home, maturity=False, radar=False, plans=False, by=None
    )
    html = client_for(users.other_member).get(url(world.region)).content.decode()
    assert "Vindeln" not in table(html, "maturity-caption")
    assert "Vindeln" not in table(html, "waves-caption")


def test_the_leadership_sees_like_the_members(world: World, users: Users) -> None:
    overview = overview_of(client_for(users.leadership).get(url(world.region)))
    assert overview.sight.own == world.home.pk
    assert world.neighbour in overview.heatmap.hidden


def test_the_dashboard_refuses_others_and_404s_an_unknown_region(
    world: World, users: Users
) -> None:
    assert client_for(users.other_coordinator).get(url(world.region)).status_code == 403
    assert client_for(None).get(url(world.region)).status_code == 302
    unknown = reverse("regional:dashboard", args=["99"])
    assert client_for(users.coordinator).get(unknown).status_code == 404


# --- What the parts show ---------------------------------------------------------------------


def test_the_heatmap_shows_the_latest_score_and_the_change_since_the_baseline(
    world: World, users: Users
) -> None:
    response = client_for(users.coordinator).get(url(world.region))
    overview = overview_of(response)
    rows = {row.municipality.name: row for row in overview.heatmap.rows}
    vindeln = rows["Vindeln"]
    assert vindeln.latest is not None and vindeln.latest.opened_on == date(2019, 3, 14)
    assert vindeln.baseline is not None and vindeln.baseline.opened_on == date(2018, 3, 14)
    assert {(cell.score, cell.change) for cell in vindeln.cells} == {(75, 50)}
    assert (vindeln.overall.score, vindeln.overall.change) == (75, 50)
    assert {(cell.score, cell.change) for cell in rows["Bjurholm"].cells} == {(100, 75)}
    assert rows["Malå"].cells[0].band == 2  # 50 is in 40-59
    html = table(response.content.decode(), "maturity-caption")
    assert '75 <span class="heat__change">(+50)</span>' in html
    assert len(overview.heatmap.dimensions) == len(vindeln.cells) >= 5


def test_a_survey_below_the_minimum_never_counts(
    world: World, users: Users, settings: object
) -> None:
    """Malå's later survey has 4 responses: the heatmap keeps its consensus round of 2019;
    Åsele has only such a survey: it has no round with results."""
    minimum = settings.MATURITY_MIN_GROUP_SIZE  # type: ignore[attr-defined]
    build.survey_round(world.open, date(2020, 3, 1), 5, minimum - 1)
    åsele = municipality_selectors.municipality_get(code="2463")
    build.survey_round(åsele, date(2020, 3, 1), 5, minimum - 1)
    overview = overview_of(client_for(users.coordinator).get(url(world.region)))
    rows = {row.municipality.name: row for row in overview.heatmap.rows}
    assert rows["Malå"].latest is not None
    assert rows["Malå"].latest.mode == "consensus"
    assert rows["Åsele"].latest is None
    # With one more response the survey shows, and becomes Malå's latest round.
    build.survey_round(world.open, date(2020, 4, 1), 5, minimum)
    overview = overview_of(client_for(users.coordinator).get(url(world.region)))
    malå = next(row for row in overview.heatmap.rows if row.municipality.name == "Malå")
    assert malå.latest is not None and malå.latest.mode == "survey"
    assert malå.baseline is None  # its first survey with results: nothing to compare with
    assert {(cell.score, cell.change) for cell in malå.cells} == {(100, None)}


def test_the_waves_matrix_has_a_row_per_visible_municipality_with_rings_in_words(
    world: World, users: Users
) -> None:
    response = client_for(users.member).get(url(world.region))
    overview = overview_of(response)
    names = [row.municipality.name for row in overview.waves.rows]
    assert "Vindeln" in names and "Malå" in names and "Bjurholm" not in names
    vindeln = next(row for row in overview.waves.rows if row.municipality.name == "Vindeln")
    assert [cell.key if cell else None for cell in vindeln.cells[:3]] == ["adopt", "watch", None]
    html = table(response.content.decode(), "waves-caption")
    row = html[html.index(">Vindeln<") :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'ring--(\w+)">([^<]+)<', row) == [("adopt", "Adopt"), ("watch", "Watch")]
    assert "Not placed" in row


def test_the_plans_count_by_status_and_decision(world: World, users: Users) -> None:
    plans = overview_of(client_for(users.coordinator).get(url(world.region))).plans
    statuses = {value: n for value, _label, n in plans.status_counts}
    assert statuses[Status.APPROVED] == 1
    assert statuses[Status.APPROVED_WITH_CHANGES] == 1
    assert statuses[Status.RETURNED] == 1
    assert statuses[Status.DRAFT] == 1
    outcomes = {value: n for value, _label, n in plans.outcome_counts}
    assert outcomes == {"approved": 1, "approved_with_changes": 1, "returned": 1}
    assert plans.undecided == 1
    assert plans.initiatives == 4
    assert plans.municipalities_with_plan == 3
    innovation = HOME_BUDGET[1] + NEIGHBOUR_BUDGET[1] + OPEN_BUDGET[1]
    assert plans.innovation_total == innovation
    assert plans.innovation_share == pytest.approx(100 * innovation / plans.budget_total)


def test_participation_gives_the_coordinator_each_group(world: World, users: Users) -> None:
    response = client_for(users.coordinator).get(url(world.region))
    participation = overview_of(response).participation
    assert participation.municipalities == 15
    assert participation.with_group == 3
    assert participation.members == 5 + 2 + 4
    # Vindeln: IT, Skola, Socialtjänst, Ekonomi (and "it" again); Bjurholm 2; Malå 4.
    assert participation.cross_functional == 2
    assert participation.rows is not None
    functions = {r.municipality.name: r.cross.distinct for r in participation.rows if r.cross}
    assert functions == {"Vindeln": 4, "Bjurholm": 2, "Malå": 4}
    assert 'id="participation-caption"' in response.content.decode()


def test_the_most_copied_ideas_come_first(world: World, users: Users) -> None:
    popular = build.shared_idea(world.open, "E-tjänst för bygglov")
    less = build.shared_idea(world.home, "Digital anslagstavla")
    build.shared_idea(world.neighbour, "Aldrig kopierad")
    build.copy(popular, world.home)
    build.copy(popular, world.neighbour)
    build.copy(less, world.open)
    response = client_for(users.other_member).get(url(world.region))
    bricks = overview_of(response).bricks
    assert [(b.idea.title, b.idea.municipality.name, b.copies) for b in bricks] == [
        ("E-tjänst för bygglov", "Malå", 2),
        ("Digital anslagstavla", "Vindeln", 1),
    ]
    html = table(response.content.decode(), "bricks-caption")
    assert "Aldrig kopierad" not in html


def test_the_demo_banner_shows_with_demo_data(world: World, users: Users) -> None:
    assert overview_of(client_for(users.coordinator).get(url(world.region))).is_demo is False
    DigitalisationGroup.objects.filter(municipality=world.home).update(is_demo=True)
    response = client_for(users.coordinator).get(url(world.region))
    assert 'class="demo-banner"' in response.content.decode()


# --- Queries -----------------------------------------------------------------------------------


def queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_the_number_of_queries_does_not_grow_with_the_municipalities(
    region: Region, home: Municipality, users: Users, role: str
) -> None:
    municipalities = list(region.municipalities.order_by("code"))
    for municipality in municipalities[:2]:
        build.full_municipality(municipality)
        services.publication_set(
            municipality=municipality, maturity=True, radar=True, plans=True, by=None
        )
    client = client_for(users.by_name(role))
    cache.clear()
    cold_two = queries(client, url(region))
    warm_two = queries(client, url(region))
    for index, municipality in enumerate(municipalities[2:8]):
        build.full_municipality(municipality, value=2 + index % 4)
        services.publication_set(
            municipality=municipality, maturity=True, radar=True, plans=True, by=None
        )
        build.copy(build.shared_idea(municipality, f"Delad {index}"), municipalities[index % 2])
    cache.clear()
    cold_eight = queries(client, url(region))
    warm_eight = queries(client, url(region))
    measured = [row for row in overview_of(client.get(url(region))).heatmap.rows if row.latest]
    assert len(measured) == 8
    assert (cold_eight, warm_eight) == (cold_two, warm_two)
    assert warm_eight < cold_eight  # the scores come from the cache once computed
