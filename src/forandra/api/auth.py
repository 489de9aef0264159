"""Who is calling: a personal API token (`Authorization: Bearer <token>`), or the signed-in
user's browser session (with Django's CSRF check on every write), and how often they may.

Either way the request then carries the user in `request.user`, so every endpoint checks the
same permissions (`core.permissions`) as the pages, and the change history records who it was.
A token of scope "read" is refused (403) on every method that writes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import BaseThrottle, SimpleRateThrottle
from ninja.utils import check_csrf

from forandra.accounts.models import User

from . import selectors, services
from .models import ApiToken
from .problems import ProblemError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    """A personal API token in the Authorization header."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = selectors.token_for_secret(secret=token.strip())
        if not isinstance(found, ApiToken):
            reasons = {
                selectors.Refusal.UNKNOWN: _("The token is not known."),
                selectors.Refusal.REVOKED: _("The token has been revoked."),
                selectors.Refusal.EXPIRED: _("The token has expired."),
                selectors.Refusal.USER_INACTIVE: _("The token's user can no longer sign in."),
            }
            raise ProblemError(
                401,
                "unauthenticated",
                reasons[found],
                headers={"WWW-Authenticate": 'Bearer realm="forandra", error="invalid_token"'},
            )
        if request.method not in SAFE_METHODS and not found.can_write:
            raise ProblemError(
                403,
                "read-only-token",
                _("This token has the scope “read”; make a token that may write."),
            )
        services.token_touch(token=found)
        request.user = found.user
        return found


class Session(SessionAuth):
    """The signed-in user's session, as in the browser; writes need the CSRF token."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # no session: nothing to forge, and the answer is 401, not a CSRF 403
        if self.csrf and check_csrf(request) is not None:
            raise ProblemError(
                403,
                "forbidden",
                _("A write through the session needs the CSRF token (header X-CSRFToken)."),
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if isinstance(user, User) and user.is_authenticated else None


AUTH = [BearerToken(), Session()]


def token_of(request: HttpRequest) -> ApiToken | None:
    """The token the request came with, if it came with one."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class _Rate(SimpleRateThrottle):
    """A rate read from the settings on every request, so it can change without a restart of
    the throttle (and in tests)."""

    setting = ""
    default = ""

    def __init__(self) -> None:
        super().__init__(rate=self.default)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = str(getattr(settings, self.setting, self.default))
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request))

    def _ident(self, request: HttpRequest) -> Any:
        """Whom the request counts against, or None when this rate does not apply to it; each
        rate below says (this base class is never used on its own)."""
        raise NotImplementedError

    def get_cache_key(self, request: HttpRequest) -> str | None:
        ident = self._ident(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.setting.lower(), "ident": ident}


class AnonymousRate(_Rate):
    """Requests without a user (the survey endpoints), per client address."""

    setting = "API_RATE_ANONYMOUS"
    default = "120/min"

    def _ident(self, request: HttpRequest) -> Any:
        if getattr(request, "auth", None) is not None:
            return None
        return self.get_ident(request)


class UserRate(_Rate):
    """Requests of a signed-in user or token, per user."""

    setting = "API_RATE_SIGNED_IN"
    default = "1200/min"

    def _ident(self, request: HttpRequest) -> Any:
        if getattr(request, "auth", None) is None:
            return None
        return request.user.pk


THROTTLES: list[BaseThrottle] = [AnonymousRate(), UserRate()]
