"""The backend maps an identity to an existing, active user by e-mail, and never makes one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory, override_settings

from forandra.accounts import services
from forandra.accounts.models import Role, User
from forandra.accounts.sso import REFUSAL_ATTRIBUTE, Refusal, SSOBackend
from tests.conftest import Users

pytestmark = pytest.mark.django_db


def sign_in_with(claims: dict[str, Any]) -> tuple[User | None, Refusal | None]:
    """The backend's answer for an ID token with these claims (no userinfo endpoint), and the
    reason it left on the request when it refused."""
    backend = SSOBackend()  # no single sign-on settings needed to make one
    backend.request = RequestFactory().get("/oidc/callback/")
    backend.OIDC_OP_USER_ENDPOINT = ""
    user = backend.get_or_create_user("access-token", "id-token", {"sub": "s-1", **claims})
    return user, getattr(backend.request, REFUSAL_ATTRIBUTE, None)


def test_a_known_address_signs_in_its_user_with_the_role_it_has(users: Users) -> None:
    before = User.objects.count()

    user, refusal = sign_in_with({"email": "member@example.org"})

    assert user == users.member
    assert refusal is None
    assert (user.role, user.municipality) == (Role.MEMBER, users.member.municipality)
    assert User.objects.count() == before


def test_the_address_is_compared_without_regard_to_case(users: Users) -> None:
    assert sign_in_with({"email": " Leadership@EXAMPLE.org"})[0] == users.leadership


def test_an_unknown_address_is_refused_and_no_account_is_made(users: Users) -> None:
    before = User.objects.count()

    user, refusal = sign_in_with({"email": "ny.person@example.org"})

    assert user is None
    assert refusal == Refusal("no_account", "ny.person@example.org")
    assert User.objects.count() == before


def test_an_inactive_user_is_refused(users: Users) -> None:
    users.member.is_active = False
    users.member.save()

    user, refusal = sign_in_with({"email": "member@example.org"})

    assert user is None
    assert refusal is not None and refusal.reason == "no_account"


@pytest.mark.parametrize(
    ("verified", "signed_in"),
    [(False, False), ("false", False), (True, True), ("true", True)],
)
def test_an_address_the_provider_has_not_verified_is_refused(
    users: Users, verified: object, signed_in: bool
) -> None:
    user, refusal = sign_in_with({"email": "member@example.org", "email_verified": verified})

    assert (user == users.member) is signed_in
    assert (refusal == Refusal("unverified", "member@example.org")) is not signed_in


def test_without_an_address_the_sign_in_is_refused(users: Users) -> None:
    user, refusal = sign_in_with({"name": "Anna"})

    assert user is None
    assert refusal == Refusal("no_email")


def test_two_active_users_with_the_address_are_refused_rather_than_guessed(
    users: Users,
) -> None:
    services.user_create(
        username="twin", password=None, role=Role.ADMIN, email="MEMBER@example.org"
    )

    user, refusal = sign_in_with({"email": "member@example.org"})

    assert user is None
    assert refusal is not None and refusal.reason == "ambiguous"


def test_the_address_may_come_from_another_claim(users: Users) -> None:
    claims = {"email": "someone.else@example.org", "preferred_username": "admin@example.org"}

    with override_settings(OIDC_EMAIL_CLAIM="preferred_username"):
        user, _ = sign_in_with(claims)

    assert user == users.admin


def test_a_deactivated_user_signed_in_through_the_provider_is_signed_out(users: Users) -> None:
    backend = SSOBackend()
    assert backend.get_user(users.member.pk) == users.member

    users.member.is_active = False
    users.member.save()

    assert backend.get_user(users.member.pk) is None
