from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from forandra.accounts import services
from forandra.accounts.models import Role, User
from forandra.settings import base as base_settings
from tests.conftest import PASSWORD, Users

pytestmark = pytest.mark.django_db


def test_production_and_development_hash_passwords_with_argon2() -> None:
    assert base_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_argon2_hashes_a_password(settings: object, users: Users) -> None:
    settings.PASSWORD_HASHERS = base_settings.PASSWORD_HASHERS  # type: ignore[attr-defined]
    users.member.set_password("ett-långt-lösenord")
    users.member.save()

    assert identify_hasher(users.member.password).algorithm == "argon2"


def test_login_with_the_form_takes_the_user_to_the_page_they_asked_for(
    client: Client, users: Users
) -> None:
    response = client.post(
        reverse("accounts:login") + "?next=/accounts/profile/",
        {"username": "member", "password": PASSWORD, "next": "/accounts/profile/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"


def test_a_wrong_password_shows_an_error_summary(client: Client, users: Users) -> None:
    response = client.post(reverse("accounts:login"), {"username": "member", "password": "fel"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fel:" in body
    assert 'role="alert"' in body


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    client: Client, users: Users
) -> None:
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "member", "password": "fel"})

    response = client.post(reverse("accounts:login"), {"username": "member", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client: Client, users: Users) -> None:
    client.post(reverse("accounts:password_reset"), {"email": "member@example.org"})

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "ett-nytt-långt-lösen", "new_password2": "ett-nytt-långt-lösen"},
    )
    assert response.status_code == 302
    users.member.refresh_from_db()
    assert users.member.check_password("ett-nytt-långt-lösen")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client: Client, users: Users
) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "okand@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client: Client, users: Users) -> None:
    client.force_login(users.member)
    url = reverse("accounts:password_change")

    wrong = client.post(
        url,
        {
            "old_password": "fel",
            "new_password1": "nytt-lösen-123x",
            "new_password2": "nytt-lösen-123x",
        },
    )
    right = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "nytt-lösen-123x",
            "new_password2": "nytt-lösen-123x",
        },
    )

    assert wrong.status_code == 200
    assert right.status_code == 302
    users.member.refresh_from_db()
    assert users.member.check_password("nytt-lösen-123x")


def test_profile_update_saves_name_and_email(client: Client, users: Users) -> None:
    client.force_login(users.member)

    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Maja", "last_name": "Berg", "email": "maja@example.org"},
    )

    assert response.status_code == 302
    users.member.refresh_from_db()
    assert (users.member.get_full_name(), users.member.email) == ("Maja Berg", "maja@example.org")


def test_profile_with_a_bad_email_keeps_what_was_typed(client: Client, users: Users) -> None:
    client.force_login(users.member)

    response = client.post(
        reverse("accounts:profile"), {"first_name": "Maja", "last_name": "", "email": "maja@"}
    )

    assert response.status_code == 200
    assert 'value="Maja"' in response.content.decode()
    users.member.refresh_from_db()
    assert users.member.email == "member@example.org"


def test_a_coordinator_needs_a_region(region: object) -> None:
    with pytest.raises(Exception, match=r"region|user_role_scope"):
        services.user_create(username="x", password=None, role=Role.COORDINATOR)


def test_createsuperuser_makes_an_admin() -> None:
    user = User.objects.create_superuser("root", "root@example.org", "ett-långt-lösen")

    assert user.role == Role.ADMIN and user.is_staff
