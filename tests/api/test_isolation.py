"""A token of one municipality gets nothing of another's: every operation of the OpenAPI
description is asked for the other municipality's objects and must answer 403 or 404.

The operations are read from the description, so a new endpoint is covered as soon as it
exists; its path parameters are filled in from `World.params` by the path segment before them,
and a parameter the test does not know fails the test until it is taught.
"""

from __future__ import annotations

import pytest
from django.test import Client

from forandra.municipalities.models import Municipality
from tests.conftest import Users

from .builders import OPERATIONS, World, build_world, token_for, url_of

# Paths open to anyone with access of their own kind, on purpose: the instruments are shared by
# every region, and a survey link opens its survey to whoever has it (as the survey page does).
SHARED = {"/api/instruments/{pk}", "/api/surveys/{link_key}", "/api/surveys/{link_key}/responses"}
# The region's waves are shared by its municipalities; another region's are not.
SHARED_IN_REGION = {"/api/regions/{code}/waves"}


def test_the_api_has_the_operations_the_test_reads() -> None:
    assert len(OPERATIONS) >= 25
    assert ("/api/municipalities/{code}/ideas", "POST") in OPERATIONS


@pytest.fixture
def others(users: Users, neighbour: Municipality, elsewhere: Municipality) -> list[World]:
    """The neighbour (same region) and a municipality of another region, with data."""
    return [build_world(neighbour, users.other_member), build_world(elsewhere)]


@pytest.mark.django_db
def test_a_token_of_one_municipality_gets_403_or_404_for_anothers_objects_everywhere(
    users: Users, home_world: World, others: list[World]
) -> None:
    wrong: list[str] = []
    checked = 0
    for role in ("member", "leadership"):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(getattr(users, role))}")
        for other in others:
            same_region = other.municipality.region_id == home_world.municipality.region_id
            for path, method in OPERATIONS:
                if "{" not in path or path in SHARED:
                    continue
                if same_region and path in SHARED_IN_REGION:
                    continue
                url = url_of(path, other.params_for(path, method))
                response = client.generic(method, url, b"{}", content_type="application/json")
                checked += 1
                if response.status_code not in (403, 404):
                    wrong.append(f"{role} {method} {url}: {response.status_code}")
                elif response["Content-Type"] != "application/problem+json":
                    wrong.append(f"{role} {method} {url}: not a problem detail")
    assert wrong == []
    assert checked >= 4 * 20


@pytest.mark.django_db
def test_lists_without_a_municipality_in_the_path_show_only_ones_own(
    users: Users, home_world: World, others: list[World]
) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(users.member)}")
    for path, method in OPERATIONS:
        if "{" in path or method != "GET":
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        for other in others:
            assert f'"{other.municipality.code}"'.encode() not in response.content, path
    listed = client.get("/api/municipalities").json()
    assert [m["code"] for m in listed["items"]] == [home_world.municipality.code]


@pytest.mark.django_db
def test_the_same_urls_answer_the_municipalitys_own_users(users: Users, home_world: World) -> None:
    """The refusals above are about whose data it is: the same requests for one's own objects
    are answered (reads 200, writes past the permission check: 201, 409 or 422)."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(users.member)}")
    for path, method in OPERATIONS:
        if "{" not in path:
            continue
        url = url_of(path, home_world.params_for(path, method))
        response = client.generic(method, url, b"{}", content_type="application/json")
        if method == "GET":
            assert response.status_code in (200, 409), f"{url}: {response.status_code}"
        elif path.endswith("/decision"):
            assert response.status_code == 403, "a member does not decide: leadership does"
        else:
            assert response.status_code in (201, 409, 422), f"{method} {url}"
