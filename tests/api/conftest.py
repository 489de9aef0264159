"""Fixtures of the API tests: a world of data for the home municipality (and one for another
municipality where a test needs it), and clients that send a token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from forandra.municipalities.models import DigitalisationGroup, Municipality
from tests.conftest import Users

from .builders import World, build_world, token_for


@pytest.fixture
def home_world(users: Users, home: Municipality, home_group: DigitalisationGroup) -> World:
    return build_world(home, users.member)


@pytest.fixture
def bearer() -> Callable[[str], Client]:
    """A client sending `Authorization: Bearer <secret>` with every request."""

    def make(secret: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


@pytest.fixture
def member_api(users: Users, bearer: Callable[[str], Client]) -> Client:
    """The home municipality's group member, through a token that may write."""
    return bearer(token_for(users.member))


def problem(response: Any) -> dict[str, Any]:
    """The problem detail of a response, checked for its media type and members."""
    assert response["Content-Type"] == "application/problem+json", response.content
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == response.status_code
    return body


@pytest.fixture(autouse=True)
def _in_english(english_pages: None) -> None:
    """These tests read the English texts (see tests/conftest.py, english_pages)."""
