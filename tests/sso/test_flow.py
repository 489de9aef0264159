"""Single sign-on end to end with Django's test client against the local provider.

The test client plays the browser: it asks Förändra to start, follows the redirect to the
provider's authorize endpoint (a real HTTP request to 127.0.0.1), and brings the code back to the
callback, where Förändra itself calls the provider's token, JWKS and userinfo endpoints. The
client speaks to the site as 127.0.0.1, the only redirect address the provider accepts.
"""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from forandra.accounts import sso
from forandra.accounts.models import User
from tests.conftest import PASSWORD, Users

from .provider import CLIENT_ID, LocalProvider, new_key

pytestmark = pytest.mark.django_db

START = "/oidc/authenticate/"
CALLBACK = "/oidc/callback/"
PROFILE = "/accounts/profile/"  # a page for signed-in users only
FAILED = "Single sign-on did not work this time"


def browser() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


def to_provider(client: Client, next_url: str = "") -> str:
    """Press "Log in with …": the provider's authorize URL Förändra sends the browser to."""
    response = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response
    return str(response["Location"])


def back_from_provider(authorize_url: str) -> str:
    """The provider approves and sends the browser back: the callback's path and query."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert (back.hostname, back.path) == ("127.0.0.1", CALLBACK)
    return f"{back.path}?{back.query}"


def sign_in(client: Client, next_url: str = "") -> Any:
    """The whole round; the callback's response."""
    return client.get(back_from_provider(to_provider(client, next_url)))


def signed_in_user(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def messages_on_login_page(client: Client) -> str:
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    return " ".join(str(message) for message in page.context["messages"])


# --- Off ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "partial",
    [
        {},
        # A client without its secret, or without any endpoint, is not single sign-on either.
        {"OIDC_RP_CLIENT_ID": "x", "OIDC_OP_DISCOVERY_URL": "http://127.0.0.1:9/d"},
        {"OIDC_RP_CLIENT_ID": "x", "OIDC_RP_CLIENT_SECRET": "y"},
    ],
)
def test_without_configuration_there_is_no_button_and_the_urls_answer_404(
    client: Client, partial: dict[str, str]
) -> None:
    with override_settings(**partial):
        login = client.get(reverse("accounts:login"))
        assert login.status_code == 200
        assert START not in login.content.decode()
        assert client.get(START).status_code == 404
        assert client.get(CALLBACK + "?code=c&state=s").status_code == 404


# --- The button ----------------------------------------------------------------------------


def test_the_login_page_offers_the_provider_and_keeps_where_the_user_was_going(
    sso_on: LocalProvider,
) -> None:
    body = browser().get(reverse("accounts:login") + "?next=/accounts/profile/").content.decode()

    assert "Log in with Testkommunens konto" in body
    assert f'href="{START}?next=/accounts/profile/"' in body
    # The password form is still there.
    assert 'name="password"' in body


def test_the_request_to_the_provider_asks_for_a_code_with_state_nonce_and_pkce(
    sso_on: LocalProvider,
) -> None:
    url = urlsplit(to_provider(browser()))
    query = {key: values[0] for key, values in parse_qs(url.query).items()}

    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{sso_on.url}/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["scope"] == "openid email"
    assert query["redirect_uri"] == "http://127.0.0.1/oidc/callback/"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32


# --- Signing in ------------------------------------------------------------------------------


def test_the_code_flow_signs_in_the_user_with_that_address_and_logout_signs_out(
    sso_on: LocalProvider, users: Users
) -> None:
    client = browser()

    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user(client) == str(users.member.pk)
    assert client.session["_auth_user_backend"] == "forandra.accounts.sso.SSOBackend"
    # Förändra asked the provider for the token, checked it with the JWKS, read the userinfo.
    assert sso_on.served == [
        "GET /.well-known/openid-configuration",
        "GET /authorize",
        "POST /token",
        "GET /jwks",
        "GET /userinfo",
    ]
    start = client.get("/")
    assert start.status_code == 200
    assert start.context["user"] == users.member

    client.post(reverse("accounts:logout"))

    assert signed_in_user(client) is None
    assert client.get(PROFILE)["Location"].startswith(reverse("accounts:login"))


def test_the_user_lands_where_they_were_going(sso_on: LocalProvider, users: Users) -> None:
    client = browser()

    response = sign_in(client, next_url=PROFILE)

    assert response["Location"] == PROFILE
    assert client.get(PROFILE).status_code == 200


def test_a_user_deactivated_after_signing_in_is_signed_out(
    sso_on: LocalProvider, users: Users
) -> None:
    client = browser()
    sign_in(client)
    assert client.get(PROFILE).status_code == 200

    User.objects.filter(pk=users.member.pk).update(is_active=False)

    assert client.get(PROFILE).status_code == 302


def test_the_endpoints_may_be_named_without_discovery_and_without_userinfo(
    provider: LocalProvider, users: Users
) -> None:
    provider.email_in_id_token = True
    with override_settings(**provider.explicit_settings(OIDC_OP_USER_ENDPOINT="")):
        client = browser()
        sign_in(client)

    assert signed_in_user(client) == str(users.member.pk)
    assert provider.served == ["GET /authorize", "POST /token", "GET /jwks"]


def test_the_discovery_document_is_read_once_for_many_sign_ins(
    sso_on: LocalProvider, users: Users
) -> None:
    for _ in range(2):
        client = browser()
        sign_in(client)
        assert signed_in_user(client) == str(users.member.pk)

    assert sso_on.served.count("GET /.well-known/openid-configuration") == 1


def test_password_login_works_as_before_while_single_sign_on_is_on(
    sso_on: LocalProvider, users: Users
) -> None:
    client = browser()

    response = client.post(reverse("accounts:login"), {"username": "member", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert sso_on.served == []


# --- Refusals --------------------------------------------------------------------------------


def test_an_unknown_address_is_told_to_ask_the_administrator(
    sso_on: LocalProvider, users: Users
) -> None:
    sso_on.email = "Ny.Person@Example.org"
    client = browser()
    before = User.objects.count()

    response = sign_in(client)

    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user(client) is None
    assert User.objects.count() == before
    text = messages_on_login_page(client)
    assert "Ny.Person@Example.org" in text
    assert "Ask your administrator" in text


def test_refused_sign_ins_never_lock_anyone_out(sso_on: LocalProvider, users: Users) -> None:
    """django-axes locks after five failures from one address; sign-ins through the provider
    have no password to guess and are neither counted nor locked."""
    sso_on.email = "ny.person@example.org"
    for _ in range(6):
        sign_in(browser())
    assert AccessAttempt.objects.count() == 0

    sso_on.email = "member@example.org"
    client = browser()
    sign_in(client)

    assert signed_in_user(client) == str(users.member.pk)


def bad_signature(provider: LocalProvider) -> None:
    provider.signing_key = new_key()  # not the key in the provider's JWKS


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda p: p.id_token_changes.update(aud="another-client"), id="audience"),
        pytest.param(lambda p: p.id_token_changes.update(iss="http://127.0.0.1:9"), id="issuer"),
        pytest.param(lambda p: p.id_token_changes.update(nonce="another-nonce"), id="nonce"),
        pytest.param(lambda p: p.id_token_changes.update(exp=int(time.time()) - 60), id="expired"),
        pytest.param(bad_signature, id="signature"),
        pytest.param(lambda p: setattr(p, "deny", True), id="denied"),
    ],
)
def test_a_sign_in_that_does_not_hold_is_refused_with_a_message(
    sso_on: LocalProvider, users: Users, spoil: Any
) -> None:
    spoil(sso_on)
    client = browser()

    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user(client) is None
    assert FAILED in messages_on_login_page(client)


def test_a_callback_replayed_is_refused(sso_on: LocalProvider, users: Users) -> None:
    client = browser()
    callback = back_from_provider(to_provider(client))
    client.get(callback)
    client.post(reverse("accounts:logout"))

    for replay in (client, browser()):  # the same browser, and one without its session
        response = replay.get(callback)
        assert response["Location"] == reverse("accounts:login")
        assert signed_in_user(replay) is None


def a_closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_provider_does_not_stop_the_site(users: Users) -> None:
    unreachable = f"http://127.0.0.1:{a_closed_port()}/.well-known/openid-configuration"
    sso.forget_discovery()
    with override_settings(
        OIDC_RP_CLIENT_ID=CLIENT_ID, OIDC_RP_CLIENT_SECRET="s", OIDC_OP_DISCOVERY_URL=unreachable
    ):
        call_command("check", verbosity=0)
        client = browser()
        assert START in client.get(reverse("accounts:login")).content.decode()

        response = client.get(START)

        assert response["Location"] == reverse("accounts:login")
        assert "cannot reach your organisation" in messages_on_login_page(client)
        assert (
            client.post(
                reverse("accounts:login"), {"username": "member", "password": PASSWORD}
            ).status_code
            == 302
        )


def test_a_copy_of_the_discovery_document_is_used_while_the_provider_is_away(
    sso_on: LocalProvider, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    to_provider(browser())  # reads the discovery document
    monkeypatch.setattr(sso, "DISCOVERY_MAX_AGE", 0)

    def unreachable(*args: object, **kwargs: object) -> None:
        raise requests.ConnectionError

    monkeypatch.setattr(requests, "get", unreachable)

    assert to_provider(browser()).startswith(f"{sso_on.url}/authorize?")


def test_an_error_answer_does_not_sign_out_whoever_is_signed_in(
    sso_on: LocalProvider, users: Users
) -> None:
    """Anyone can link to the callback with an error: that must not work as a logout link."""
    client = browser()
    sign_in(client)

    client.get(CALLBACK + "?error=access_denied&state=x")

    assert signed_in_user(client) == str(users.member.pk)
