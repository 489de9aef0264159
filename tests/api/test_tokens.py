"""Personal API tokens: made on the profile's token page, shown once, stored only as a hash,
refused when revoked, expired or unknown, and a read token cannot write."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forandra.api import services
from forandra.api.models import ApiToken
from tests.conftest import Users

from .builders import token_for
from .conftest import problem

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"fdr_[A-Za-z0-9_-]{43}")


def _all_text_in_database() -> str:
    """Every value of every row of the token table, as text."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608 (a model's table)
        return repr(cursor.fetchall())


def _make(client: Client, **fields: Any) -> Any:
    data = {"name": "Rapportverktyget", "scope": "read", "expires_on": "", **fields}
    if not data["expires_on"]:
        data["expires_on"] = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    return client.post(reverse("api:token_list"), data)


def test_a_token_is_shown_once_and_stored_only_as_its_hash(users: Users) -> None:
    client = Client()
    client.force_login(users.member)

    made = _make(client)

    assert made.status_code == 200
    assert made["Cache-Control"].startswith("max-age=0") or "no-store" in made["Cache-Control"]
    secret = TOKEN.search(made.content.decode()).group(0)  # type: ignore[union-attr]
    token = ApiToken.objects.get()
    assert secret not in _all_text_in_database()
    assert token.secret_hash == services.secret_hash(secret)
    assert token.prefix == secret[:12]
    listed = client.get(reverse("api:token_list")).content.decode()
    assert token.prefix in listed
    assert secret not in listed
    me = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/me")
    assert me.json()["username"] == "member"
    assert me.json()["scope"] == "read"


def test_the_form_refuses_a_token_longer_than_the_maximum(users: Users, settings: Any) -> None:
    settings.API_TOKEN_MAX_DAYS = 30
    client = Client()
    client.force_login(users.member)
    too_late = (timezone.localdate() + datetime.timedelta(days=31)).isoformat()

    answer = _make(client, expires_on=too_late)

    assert answer.status_code == 200
    assert "error-summary" in answer.content.decode()
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError):
        services.token_create(
            user=users.member,
            name="x",
            scope="read",
            expires_on=timezone.localdate() + datetime.timedelta(days=31),
        )


def test_a_revoked_token_is_refused_with_401(users: Users, bearer: Callable[[str], Client]) -> None:
    secret = token_for(users.member)
    client = Client()
    client.force_login(users.member)
    token = ApiToken.objects.get()
    assert client.get(reverse("api:token_revoke", args=[token.pk])).status_code == 200

    client.post(reverse("api:token_revoke", args=[token.pk]))

    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = bearer(secret).get("/api/me")
    assert answer.status_code == 401
    assert "revoked" in problem(answer)["detail"]
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_only_the_owner_may_revoke_a_token(users: Users) -> None:
    token_for(users.member)
    token = ApiToken.objects.get()
    other = Client()
    other.force_login(users.other_member)

    assert other.post(reverse("api:token_revoke", args=[token.pk])).status_code == 403

    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_or_unknown_token_is_refused_with_401(
    users: Users, bearer: Callable[[str], Client]
) -> None:
    secret = token_for(users.member)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    expired = bearer(secret).get("/api/me")
    unknown = bearer(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/api/me")
    garbage = bearer("not a token").get("/api/me")
    missing = Client().get("/api/me")

    assert "expired" in problem(expired)["detail"]
    for answer in (expired, unknown, garbage, missing):
        assert answer.status_code == 401
        problem(answer)


def test_a_read_token_reads_but_cannot_write(
    users: Users, bearer: Callable[[str], Client], home_world: Any
) -> None:
    client = bearer(token_for(users.member, scope="read"))
    url = f"/api/municipalities/{home_world.municipality.code}/ideas"
    before = home_world.municipality.ideas.count()

    assert client.get(url).status_code == 200
    written = client.post(
        url, {"title": "Ny idé", "need": "Ett behov"}, content_type="application/json"
    )

    assert written.status_code == 403
    assert problem(written)["type"] == "urn:forandra:problem:read-only-token"
    assert home_world.municipality.ideas.count() == before


def test_last_used_is_recorded_at_most_once_a_minute(
    users: Users, bearer: Callable[[str], Client]
) -> None:
    client = bearer(token_for(users.member))
    client.get("/api/me")
    first = ApiToken.objects.get().last_used_at
    client.get("/api/me")
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - datetime.timedelta(minutes=2))

    client.get("/api/me")

    assert ApiToken.objects.get().last_used_at > first  # type: ignore[operator]


def test_a_token_of_an_inactive_user_is_refused(
    users: Users, bearer: Callable[[str], Client]
) -> None:
    secret = token_for(users.member)
    users.member.is_active = False
    users.member.save()

    assert bearer(secret).get("/api/me").status_code == 401


def test_the_session_writes_only_with_the_csrf_token(users: Users, home_world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.member)
    url = f"/api/municipalities/{home_world.municipality.code}/ideas"

    assert client.get(url).status_code == 200
    refused = client.post(url, {"title": "x", "need": "y"}, content_type="application/json")

    assert refused.status_code == 403
    problem(refused)


def test_without_a_token_or_session_every_secured_operation_answers_401() -> None:
    client = Client()
    for url, method in (("/api/me", "get"), ("/api/municipalities/2404/ideas", "post")):
        answer = getattr(client, method)(url, {}, content_type="application/json")
        assert answer.status_code == 401, url
        problem(answer)
