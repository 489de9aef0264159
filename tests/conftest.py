"""Shared fixtures: the register, and one user per role around two municipalities.

`home` is Vindeln (2404) in Region Västerbotten (24); `neighbour` is Bjurholm (2403) in the same
region; `elsewhere` is Stockholm (0180) in another region. Tests build data through services.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from forandra.accounts import services as account_services
from forandra.accounts.models import Role, User
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities import services as municipality_services
from forandra.municipalities.models import DigitalisationGroup, GroupMember, Municipality, Region

PASSWORD = "a-long-test-password"

# No per-example deadline: examples are checked for what they return, not how fast (speed is
# measured in bench/), and a busy CI machine must not turn a slow example into a failure.
hypothesis_settings.register_profile("forandra", deadline=None)
hypothesis_settings.load_profile("forandra")


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: database ids are reused between tests, a cache
    in one process would otherwise carry what an earlier test's rows left in it."""
    cache.clear()


@pytest.fixture
def english_pages(settings: Any) -> Iterator[None]:
    """Pages answer in English (the language a request without a cookie or Accept-Language gets)
    and code run in the test speaks English: for tests that read the English texts. Swedish is
    checked page by page in tests/test_languages.py."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def register(db: None) -> None:
    municipality_services.register_load()


@pytest.fixture
def region(register: None) -> Region:
    return municipality_selectors.region_get(code="24")


@pytest.fixture
def home(register: None) -> Municipality:
    return municipality_selectors.municipality_get(code="2404")


@pytest.fixture
def neighbour(register: None) -> Municipality:
    return municipality_selectors.municipality_get(code="2403")


@pytest.fixture
def elsewhere(register: None) -> Municipality:
    return municipality_selectors.municipality_get(code="0180")


def make_group(municipality: Municipality, functions: list[str]) -> DigitalisationGroup:
    group = municipality_services.group_create(
        municipality=municipality, name=f"Gruppen i {municipality.name}"
    )
    for index, function in enumerate(functions):
        municipality_services.member_add(
            group=group,
            name=f"Person {index} {municipality.name}",
            email=f"p{index}.{municipality.code}@example.org",
            function=function,
        )
    return group


@pytest.fixture
def home_group(home: Municipality) -> DigitalisationGroup:
    return make_group(home, ["IT", "Skola", "Socialtjänst", "Ekonomi", "it"])


@pytest.fixture
def neighbour_group(neighbour: Municipality) -> DigitalisationGroup:
    return make_group(neighbour, ["HR", "Bibliotek"])


@pytest.fixture
def home_member(home_group: DigitalisationGroup) -> GroupMember:
    return home_group.members.order_by("pk").first()  # type: ignore[return-value]


@dataclass
class Users:
    coordinator: User
    member: User
    leadership: User
    admin: User
    other_member: User  # a group member of the neighbouring municipality, same region
    other_coordinator: User  # the coordinator of another region

    def by_name(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


def make_user(username: str, role: Role, **scope: object) -> User:
    return account_services.user_create(
        username=username,
        password=PASSWORD,
        role=role,
        email=f"{username}@example.org",
        **scope,  # type: ignore[arg-type]
    )


@pytest.fixture
def users(
    region: Region, home: Municipality, neighbour: Municipality, elsewhere: Municipality
) -> Users:
    return Users(
        coordinator=make_user("coordinator", Role.COORDINATOR, region=region),
        member=make_user("member", Role.MEMBER, municipality=home),
        leadership=make_user("leadership", Role.LEADERSHIP, municipality=home),
        admin=make_user("admin", Role.ADMIN),
        other_member=make_user("other_member", Role.MEMBER, municipality=neighbour),
        other_coordinator=make_user("other_coordinator", Role.COORDINATOR, region=elsewhere.region),
    )
