"""Writes for personal API tokens: make one (the secret is returned once), revoke one, and note
when one was used."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from forandra.accounts.models import User

from .models import ApiToken, Scope

TOKEN_PREFIX = "fdr_"  # noqa: S105 (what every token starts with, not a secret)
# Characters of the random part kept, with TOKEN_PREFIX, as the token's visible prefix.
VISIBLE_CHARACTERS = 8
MAX_DAYS_DEFAULT = 365
# last_used_at is written at most this often per token, so reading does not become writing.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)


def max_days() -> int:
    """The longest a token may be valid, in days (setting API_TOKEN_MAX_DAYS)."""
    return int(getattr(settings, "API_TOKEN_MAX_DAYS", MAX_DAYS_DEFAULT))


def secret_hash(secret: str) -> str:
    """The stored form of a token: its SHA-256, hex. The secret has 256 random bits, so a plain
    hash is enough (no salt or slow hash: there is nothing to guess)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def visible_prefix(secret: str) -> str:
    return secret[: len(TOKEN_PREFIX) + VISIBLE_CHARACTERS]


def expiry_bounds(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last day a new token may be valid through."""
    today = today or timezone.localdate()
    return today, today + datetime.timedelta(days=max_days())


@dataclass(frozen=True)
class NewToken:
    """A token just made, with its secret: show the secret once, then forget it."""

    token: ApiToken
    secret: str


def token_create(*, user: User, name: str, scope: str, expires_on: datetime.date) -> NewToken:
    """Make a token valid through `expires_on` (at most API_TOKEN_MAX_DAYS days ahead)."""
    first, last = expiry_bounds()
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the token a name.")]
    if scope not in Scope.values:
        errors["scope"] = [_("Choose whether the token may only read or also write.")]
    if not first <= expires_on <= last:
        errors["expires_on"] = [
            _("Choose a date from today to %(last)s.") % {"last": last.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    # Valid through the chosen day: until the next day starts, in the site's time zone.
    end = datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time.min)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        scope=scope,
        prefix=visible_prefix(secret),
        secret_hash=secret_hash(secret),
        expires_at=timezone.make_aware(end),
    )
    return NewToken(token=token, secret=secret)


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token for good; revoking again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_touch(*, token: ApiToken, now: datetime.datetime | None = None) -> None:
    """Note that the token was used, at most once a minute."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
