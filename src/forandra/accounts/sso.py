"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured by the environment.

Single sign-on is on when `enabled()`: the client id and secret and the provider's endpoints are
set, either as a discovery URL or as the authorization, token and JWKS endpoints (the userinfo
endpoint is optional: without it the claims come from the ID token). Everything reads the
settings when a request needs them, never at import, so `override_settings` works in tests and a
provider that cannot be reached never stops the site from starting: its discovery document is
read at the first sign-in and kept for `DISCOVERY_MAX_AGE` seconds (an older copy is used while
the provider cannot be reached).

A sign-in maps the identity to an existing, active user by e-mail (`OIDC_EMAIL_CLAIM`, case does
not matter); no account is ever created, and the user keeps their role. When the provider says
the address is not verified (`email_verified` false), the sign-in is refused. The ID token must
be signed with `OIDC_RP_SIGN_ALGO` by a key of the provider's JWKS, be meant for this client
(`aud`), come from the provider (`iss`, when known) and carry the nonce of the session.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .models import User

logger = logging.getLogger(__name__)

# The URL name of the provider's redirect back (mozilla-django-oidc's default name).
CALLBACK_URL_NAME = "oidc_authentication_callback"
# How long a discovery document is used before it is read again, in seconds.
DISCOVERY_MAX_AGE = 3600
# Where the backend leaves the reason it refused a sign-in, for the callback's message.
REFUSAL_ATTRIBUTE = "forandra_sso_refusal"


# --- Configuration ---------------------------------------------------------------------------


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or "").strip()


def _explicit_endpoints() -> dict[str, str]:
    return {
        "authorization_endpoint": _setting("OIDC_OP_AUTHORIZATION_ENDPOINT"),
        "token_endpoint": _setting("OIDC_OP_TOKEN_ENDPOINT"),
        "jwks_uri": _setting("OIDC_OP_JWKS_ENDPOINT"),
        "userinfo_endpoint": _setting("OIDC_OP_USER_ENDPOINT"),
        "issuer": _setting("OIDC_OP_ISSUER"),
    }


REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def enabled() -> bool:
    """Whether single sign-on is configured (not whether the provider answers)."""
    if not (_setting("OIDC_RP_CLIENT_ID") and _setting("OIDC_RP_CLIENT_SECRET")):
        return False
    explicit = _explicit_endpoints()
    return bool(_setting("OIDC_OP_DISCOVERY_URL")) or all(
        explicit[name] for name in REQUIRED_ENDPOINTS
    )


def provider_name() -> str:
    """How the login page's button names the provider: "Log in with <name>"."""
    return _setting("OIDC_PROVIDER_NAME") or _("your organisation’s account")


@dataclass(frozen=True)
class Provider:
    authorization_endpoint: str
    token_endpoint: str
    jwks_endpoint: str
    userinfo_endpoint: str  # "" when there is none: the claims come from the ID token
    issuer: str  # "" when not known: the token's issuer is then not compared


class ProviderUnavailableError(Exception):
    """The provider's discovery document could not be read (and no earlier copy is kept)."""


class _BadDocumentError(ValueError):
    """A discovery document without what single sign-on needs."""


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovered_lock = threading.Lock()


def forget_discovery() -> None:
    """Forget the discovery documents read so far (tests; a changed provider)."""
    with _discovered_lock:
        _discovered.clear()


def _discovery(url: str) -> dict[str, Any]:
    """The provider's discovery document: kept for DISCOVERY_MAX_AGE seconds, read again after
    that; while the provider cannot be reached an older copy is used, if there is one."""
    with _discovered_lock:
        kept = _discovered.get(url)
    if kept is not None and time.monotonic() - kept[0] < DISCOVERY_MAX_AGE:
        return kept[1]
    try:
        response = requests.get(
            url,
            timeout=getattr(settings, "OIDC_TIMEOUT", 10),
            verify=getattr(settings, "OIDC_VERIFY_SSL", True),
            proxies=getattr(settings, "OIDC_PROXY", None),
        )
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise _BadDocumentError("the discovery document is not a JSON object")
        missing = [name for name in REQUIRED_ENDPOINTS if not document.get(name)]
        if missing:
            raise _BadDocumentError(f"the discovery document has no {', '.join(missing)}")
    except (requests.RequestException, ValueError) as error:
        if kept is not None:
            logger.warning(
                "Single sign-on: the discovery document could not be read again (%s); "
                "using the copy read before",
                type(error).__name__,
            )
            return kept[1]
        logger.warning(
            "Single sign-on: the discovery document could not be read: %s", _reason(error)
        )
        raise ProviderUnavailableError(str(error)) from error
    with _discovered_lock:
        _discovered[url] = (time.monotonic(), document)
    return document


def _reason(error: Exception) -> str:
    """An error for the log: its kind, and for an HTTP answer its status (no URLs with query
    strings, no tokens, no personal data)."""
    if isinstance(error, _BadDocumentError):
        return str(error)
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"{type(error).__name__} {error.response.status_code}"
    if isinstance(error, SuspiciousOperation):
        # The texts of this module and of mozilla-django-oidc: no token, no address.
        return f"{type(error).__name__}: {error}"
    return type(error).__name__


def provider() -> Provider:
    """The provider's endpoints: the explicit settings where set, the rest from discovery.

    Raises ProviderUnavailableError when discovery is needed and fails."""
    explicit = _explicit_endpoints()
    discovery_url = _setting("OIDC_OP_DISCOVERY_URL")
    found = dict(explicit)
    if discovery_url and not all(explicit[name] for name in (*REQUIRED_ENDPOINTS, "issuer")):
        document = _discovery(discovery_url)
        for name, value in explicit.items():
            found[name] = value or str(document.get(name) or "")
    return Provider(
        authorization_endpoint=found["authorization_endpoint"],
        token_endpoint=found["token_endpoint"],
        jwks_endpoint=found["jwks_uri"],
        userinfo_endpoint=found["userinfo_endpoint"],
        issuer=found["issuer"],
    )


# --- Mapping an identity to a user -----------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in through the provider did not lead to a user."""

    reason: str  # "no_email", "unverified", "no_account", "ambiguous"
    email: str = ""


def _is_true(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def user_for_claims(claims: dict[str, Any]) -> User | Refusal:
    """The one active user whose e-mail address is the identity's (case does not matter), or
    why there is none. An address the provider says is not verified is refused."""
    email = claims.get(_setting("OIDC_EMAIL_CLAIM") or "email")
    if not isinstance(email, str) or not email.strip():
        return Refusal("no_email")
    email = email.strip()
    if "email_verified" in claims and not _is_true(claims["email_verified"]):
        return Refusal("unverified", email)
    users = list(User.objects.filter(email__iexact=email, is_active=True).order_by("pk")[:2])
    if not users:
        return Refusal("no_account", email)
    if len(users) > 1:
        return Refusal("ambiguous", email)
    return users[0]


def refusal_message(refusal: Refusal | None) -> str:
    """What the login page says after a sign-in through the provider failed."""
    if refusal is None:
        return _(
            "Single sign-on did not work this time. Try again, or log in with your user name "
            "and password."
        )
    email = refusal.email
    if refusal.reason == "no_email":
        return _(
            "Your organisation did not tell Förändra your e-mail address, which it needs to find "
            "your account. Ask your administrator."
        )
    if refusal.reason == "unverified":
        return _(
            "Your organisation has not verified your e-mail address %(email)s, so Förändra "
            "cannot trust it. Ask your administrator."
        ) % {"email": email}
    if refusal.reason == "ambiguous":
        return _(
            "More than one account in Förändra has the e-mail address %(email)s, so single "
            "sign-on cannot tell which one is yours. Ask your administrator."
        ) % {"email": email}
    return _(
        "Your organisation knows you as %(email)s, but no active account in Förändra has "
        "that e-mail address. Ask your administrator for an account with this address."
    ) % {"email": email}


# --- The authentication backend --------------------------------------------------------------


class SSOBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, configured per sign-in, finding users without making them.

    It answers only the callback's `authenticate(request, nonce=..., code_verifier=...)`: a
    password sign-in's credentials do not fit its signature, so Django skips it there. django-axes'
    backend comes first in AUTHENTICATION_BACKENDS and gets the request (see `axes_exempt`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every sign-in and for every request of a user signed in
        # through it; the parent reads the provider's settings here and fails when they are
        # missing. This one reads them when a sign-in through the provider starts.
        self.UserModel = get_user_model()
        self.issuer = ""

    def authenticate(
        self, request: HttpRequest | None, *, nonce: str | None, code_verifier: str | None
    ) -> User | None:
        if request is None or not enabled():
            return None
        endpoints = provider()
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks_endpoint
        self.OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = _setting("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = _setting("OIDC_RP_SIGN_ALGO") or "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = endpoints.issuer
        user: User | None = super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The token's claims, once its signature, nonce, expiry, audience and issuer hold."""
        try:
            payload: dict[str, Any] = super().verify_token(token, **kwargs)
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"token refused: {type(error).__name__}") from error
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("token refused: it is meant for another client")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("token refused: another party is authorised")
        if self.issuer and payload.get("iss") != self.issuer:
            raise SuspiciousOperation("token refused: it comes from another issuer")
        if "exp" not in payload:
            raise SuspiciousOperation("token refused: it has no expiry")
        return payload

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The ID token's claims, completed by the userinfo endpoint's when there is one."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo refused: it is about another subject")
            claims.update(userinfo)
        return claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """The existing user of the identity; never a new one."""
        found = user_for_claims(self.get_userinfo(access_token, id_token, payload))
        if isinstance(found, Refusal):
            setattr(self.request, REFUSAL_ATTRIBUTE, found)
            logger.warning("Single sign-on refused: %s", found.reason)
            return None
        return found

    def get_user(self, user_id: int) -> User | None:
        # Django's rule, not the parent's: a deactivated user is signed out at the next request.
        user: User | None = ModelBackend.get_user(self, user_id)
        return user


def axes_exempt(request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
    """django-axes' whitelist (AXES_WHITELIST_CALLABLE): the provider's callback.

    django-axes counts wrong passwords per user name and address. A sign-in through the provider
    has no password to guess, and no user name before it succeeds, so axes would count every
    refused one (an unknown address) against "no user name" from that address, and after five
    lock single sign-on for everyone behind it. Successful sign-ins are still in axes' log."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == CALLBACK_URL_NAME


# --- Views -----------------------------------------------------------------------------------

# What can go wrong talking to the provider: it cannot be reached or answers badly, or its
# answer does not hold (state, nonce, signature, audience, issuer). The user is sent back to the
# login page with a message; the log says what kind of error it was.
PROVIDER_ERRORS = (
    ProviderUnavailableError,
    SuspiciousOperation,
    requests.RequestException,
    jwt.PyJWTError,
    ValueError,
    KeyError,
)


def _back_to_login(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("accounts:login")


def _unavailable(request: HttpRequest) -> HttpResponse:
    return _back_to_login(
        request,
        _(
            "Single sign-on cannot reach your organisation right now. Try again later, or log "
            "in with your user name and password."
        ),
    )


class StartView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends the browser to the provider (with state, nonce and PKCE kept in the session)."""

    def __init__(self, **kwargs: Any) -> None:
        # The parent reads the provider's settings here; this view reads them in `get`.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        try:
            endpoints = provider()
        except ProviderUnavailableError:
            return _unavailable(request)
        self.OIDC_OP_AUTH_ENDPOINT = endpoints.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID")
        response: HttpResponse = super().get(request)
        return response


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """The provider sends the browser back here: sign the user in, or say why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        if request.GET.get("error"):
            # The provider refused or the user cancelled. The parent would also sign out whoever
            # is signed in, which any link to this URL could then do: only forget the state.
            states = request.session.get("oidc_states")
            if isinstance(states, dict) and states.pop(request.GET.get("state", ""), None):
                request.session.modified = True
            return self.login_failure()
        try:
            response: HttpResponse = super().get(request)
        except ProviderUnavailableError:
            return _unavailable(request)
        except PROVIDER_ERRORS as error:
            logger.warning("Single sign-on failed: %s", _reason(error))
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, REFUSAL_ATTRIBUTE, None)
        error = self.request.GET.get("error", "")
        if refusal is None and error:
            # The provider's error code (e.g. access_denied); anyone can write one in the URL,
            # so only its plain characters reach the log.
            logger.warning(
                "Single sign-on: the provider answered %s",
                "".join(c for c in error[:64] if c.isascii() and (c.isalnum() or c in "_.-")),
            )
        return _back_to_login(self.request, refusal_message(refusal))
