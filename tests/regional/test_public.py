"""The region's public page: open or not found, the same for everyone, and only what each
municipality publishes (see test_public_world for the region it reads)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.municipalities.models import Municipality, Region
from forandra.regional import services
from forandra.regional.public import public_page
from forandra.scanning import services as scanning_services
from tests.conftest import Users
from tests.regional.test_public_world import (
    DRAFT_PLAN,
    HIDDEN_DAY,
    HOME_WAVE,
    OPEN_INITIATIVE,
    OPEN_PLAN,
    SECRET_INITIATIVE,
    SECRET_PLAN,
    SHOWN_WAVE,
    SILENT_INITIATIVE,
    SILENT_PLAN,
    SILENT_WAVE,
    World,
    add_answers,
    decided_plan,
    everything_public,
    group_round,
    open_page,
    public_paths,
    wave,
    world_fixture,  # noqa: F401 (the fixture `world`, imported to be found)
)

pytestmark = pytest.mark.django_db


def page_url(region: Region) -> str:
    return reverse("regional:public_summary", args=[region.code])


def test_a_closed_public_page_and_its_data_are_not_found_for_anyone(
    users: Users, region: Region
) -> None:
    services.public_summary_set(region=region, enabled=False, intro="Snart.", by=None)
    for user in (None, users.member, users.coordinator, users.admin):
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in public_paths(region):
            assert client.get(path).status_code == 404, (user, path)


def test_a_region_that_never_opened_its_page_is_not_found(region: Region) -> None:
    assert Client().get(page_url(region)).status_code == 404


def test_an_unknown_region_is_not_found(region: Region) -> None:
    assert Client().get("/public/regions/99/").status_code == 404


def test_opening_the_page_shows_it_to_anonymous_visitors(world: World) -> None:
    response = Client().get(page_url(world.region))

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert "Välkommen." in body  # the coordinator's introduction
    assert reverse("regional:data_dictionary", args=[world.region.code]) in body


def test_anonymous_visitors_see_only_what_is_published(world: World) -> None:
    body = Client().get(page_url(world.region)).content.decode()

    for shown in (OPEN_PLAN, OPEN_INITIATIVE, SHOWN_WAVE, HOME_WAVE):
        assert shown in body
    for hidden in (
        SECRET_PLAN,
        SECRET_INITIATIVE,
        SILENT_PLAN,
        SILENT_INITIATIVE,
        SILENT_WAVE,
        DRAFT_PLAN,
        "Ett skäl som ingen ser",  # reasons for answers and placements are never published
        "Ett beslut som inte publiceras.",  # nor leadership's comment
    ):
        assert hidden not in body, hidden


def test_each_municipality_shows_only_the_parts_it_publishes(world: World) -> None:
    page = Client().get(page_url(world.region)).context["page"]
    sections = {section.municipality.code: section for section in page.sections}

    assert set(sections) == {world.shown.code, world.home.code}
    shown, home = sections[world.shown.code], sections[world.home.code]
    assert shown.maturity is not None and [p.plan.title for p in shown.plans] == [OPEN_PLAN]
    assert [ring.waves for ring in shown.rings] == [[SHOWN_WAVE]]
    assert home.maturity is None and home.plans == []  # Vindeln publishes its radar only
    assert [(ring.key, ring.waves) for ring in home.rings] == [("try", [HOME_WAVE])]
    assert world.silent in page.silent  # Nordmaling publishes nothing, and is named as such


def test_the_latest_closed_round_with_results_is_shown(world: World) -> None:
    """The survey is one answer short and the later group round is still open: the earlier
    closed group round is the one shown."""
    section = next(
        s for s in public_page(region=world.region).sections if s.municipality == world.shown
    )

    assert section.maturity is not None
    assert section.maturity.round == world.group_round
    assert [d.score for d in section.maturity.dimensions] == [75.0] * len(
        section.maturity.dimensions
    )


def test_a_survey_below_the_minimum_never_shows_until_enough_answer(world: World) -> None:
    def shown_round() -> object:
        page = Client().get(page_url(world.region)).context["page"]
        section = next(s for s in page.sections if s.municipality == world.shown)
        return section.maturity.round

    assert shown_round() == world.group_round

    add_answers(world.small_survey, 1)  # now exactly the minimum

    assert shown_round() == world.small_survey


def test_the_hidden_rounds_date_appears_nowhere(world: World) -> None:
    body = Client().get(page_url(world.region)).content.decode()

    assert HIDDEN_DAY.isoformat() not in body


def test_signed_in_users_see_the_same_page_as_anonymous_visitors(
    world: World, users: Users
) -> None:
    def sections(client: Client) -> list[tuple[str, bool, int, int]]:
        page = client.get(page_url(world.region)).context["page"]
        return [
            (s.municipality.code, s.maturity is not None, len(s.rings), len(s.plans))
            for s in page.sections
        ]

    anonymous = sections(Client())
    for user in (users.coordinator, users.member, users.admin):
        client = Client()
        client.force_login(user)
        assert sections(client) == anonymous, user  # the coordinator sees no more here


def test_everything_public_answers_for_anonymous_visitors(world: World) -> None:
    seen = everything_public(Client(), world.region)

    assert len(seen) == 2 + 6 * 3


def queries(path: str) -> int:
    cache.clear()  # the maturity scores are cached: count the cold page
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(path).status_code == 200
    return len(captured.captured_queries)


def publish_everything(municipality: Municipality, region: Region, number: int) -> None:
    group_round(municipality, date(2026, 3, 1), 3, close=True)
    decided_plan(municipality, f"Plan {number}", f"Insats {number}")
    scanning_services.placement_set(
        municipality=municipality, wave=wave(region, f"w{number}", f"Våg {number}"), ring="try"
    )
    services.publication_set(
        municipality=municipality, maturity=True, radar=True, plans=True, by=None
    )


def test_the_page_takes_as_many_queries_for_many_municipalities_as_for_one(
    region: Region,
) -> None:
    open_page(region)
    municipalities = list(region.municipalities.order_by("code"))
    publish_everything(municipalities[0], region, 0)
    path = page_url(region)
    one = queries(path)

    for number, municipality in enumerate(municipalities[1:6], start=1):
        publish_everything(municipality, region, number)
    six = queries(path)

    assert Client().get(path).context["page"].sections[5].plans  # six municipalities publish
    assert six == one
