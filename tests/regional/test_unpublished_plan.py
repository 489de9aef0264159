"""A municipality's unpublished plan is invisible to another municipality's users on every
regional page and in every export, while the coordinator sees it.

Every URL pattern of the `regional` namespace is requested (a new regional page is covered
without being added here: an argument this test cannot fill fails it), every dataset in every
format. Vindeln's decided plan is not published; Bjurholm publishes a plan with an initiative
alike to Vindeln's, so that clusters and joint initiatives would bring Vindeln's out if a page
forgot the rule, and so that the test shows plan titles do appear where they may.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from openpyxl import load_workbook

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality, Region
from forandra.regional import opendata, services
from forandra.regional.joint import joint_create
from forandra.regional.models import JointInitiative
from tests.conftest import Users
from tests.regional.test_public_world import decided_plan

pytestmark = pytest.mark.django_db

SECRET_PLAN = "Vindelns hemliga plan"
SECRET_INITIATIVE = "Gemensam e-arkivtjänst för kommunens handlingar i Vindeln"
OPEN_PLAN = "Bjurholms öppna plan"
OPEN_INITIATIVE = "Gemensam e-arkivtjänst för kommunens handlingar i Bjurholm"


@pytest.fixture
def world(users: Users, region: Region, home: Municipality, neighbour: Municipality):
    """Vindeln (home) publishes its maturity and radar, not its plans; Bjurholm publishes all."""
    secret = decided_plan(home, SECRET_PLAN, SECRET_INITIATIVE)
    shown = decided_plan(neighbour, OPEN_PLAN, OPEN_INITIATIVE)
    services.publication_set(municipality=home, maturity=True, radar=True, plans=False, by=None)
    services.publication_set(municipality=neighbour, maturity=True, radar=True, plans=True, by=None)
    services.public_summary_set(region=region, enabled=True, intro="", by=users.coordinator)
    joint = joint_create(
        region=region,
        by=users.coordinator,
        title="E-arkiv tillsammans",
        items=[
            f"initiative:{secret.initiatives.get().key}",
            f"initiative:{shown.initiatives.get().key}",
        ],
    )
    return secret, shown, joint


def regional_patterns() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(name, route, parameters) of every pattern in the regional namespace."""
    namespace = get_resolver().namespace_dict["regional"][1]
    for pattern in namespace.url_patterns:
        regex = re.compile(pattern.pattern.regex.pattern)
        yield f"regional:{pattern.name}", str(pattern.pattern), tuple(regex.groupindex)


def urls(region: Region, home: Municipality, joint: JointInitiative) -> list[str]:
    """Every regional URL with its arguments: each dataset in each format for the downloads."""
    found = []
    for name, route, params in regional_patterns():
        choices: list[dict[str, object]] = [{}]
        for param in params:
            if param == "code":
                value: list[object] = [
                    home.code if route.startswith("municipalities/") else region.code
                ]
            elif param == "pk":
                value = [joint.pk]
            elif param == "dataset":
                value = [dataset.key for dataset in opendata.datasets()]
            elif param == "fmt":
                value = list(opendata.FORMATS)
            else:
                raise AssertionError(f"{name}: the test cannot fill the argument {param!r}")
            choices = [{**choice, param: v} for choice in choices for v in value]
        found += [reverse(name, kwargs=kwargs) for kwargs in choices]
    return found


def bodies(client: Client, paths: list[str]) -> dict[str, str]:
    """The text of every page and file the client gets (XLSX unpacked to its strings)."""
    seen = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        if response.status_code != 200:
            continue
        content = b"".join(response) if response.streaming else response.content
        if path.endswith(".xlsx"):
            seen[path] = xlsx_text(content)
        else:
            seen[path] = content.decode()
    return seen


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_another_municipalitys_users_never_see_the_unpublished_plan(
    world, users: Users, region: Region, home: Municipality
) -> None:
    _secret, _shown, joint = world
    paths = urls(region, home, joint)
    assert any("/data/" in path and path.endswith(".xlsx") for path in paths)

    for viewer in (users.other_member, None):  # Bjurholm's member, and the public
        seen = bodies(client_of(viewer), paths)
        leaks = [
            path for path, text in seen.items() if SECRET_PLAN in text or SECRET_INITIATIVE in text
        ]
        assert leaks == [], f"{viewer or 'anonymous'} sees Vindeln's unpublished plan on {leaks}"
        # The pages do show plans where they may: Bjurholm's published one.
        assert any(OPEN_INITIATIVE in text for text in seen.values())
        assert any(OPEN_PLAN in text for text in seen.values())


def test_the_coordinator_and_vindeln_see_it(
    world, users: Users, region: Region, home: Municipality
) -> None:
    _secret, _shown, joint = world
    paths = urls(region, home, joint)
    for viewer in (users.coordinator, users.member):
        seen = bodies(client_of(viewer), paths)
        assert any(SECRET_INITIATIVE in text for text in seen.values()), viewer


def test_publishing_the_plan_shows_it_to_the_others(
    world, users: Users, region: Region, home: Municipality
) -> None:
    _secret, _shown, joint = world
    services.publication_set(municipality=home, maturity=True, radar=True, plans=True, by=None)

    seen = bodies(client_of(users.other_member), urls(region, home, joint))

    assert any(SECRET_INITIATIVE in text for text in seen.values())
