"""Reads for personal API tokens: a user's tokens, and the token behind a secret."""

from __future__ import annotations

import hmac
import re
from enum import StrEnum

from django.db.models import QuerySet
from django.utils import timezone

from forandra.accounts.models import User

from .models import ApiToken
from .services import TOKEN_PREFIX, secret_hash, visible_prefix

# What a secret looks like: the prefix and URL-safe base64 (anything else is not even looked up).
SECRET_PATTERN = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{16,100}")


def tokens_for(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, marked as such)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


class Refusal(StrEnum):
    """Why a secret does not open the API."""

    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    USER_INACTIVE = "inactive"


def token_for_secret(*, secret: str) -> ApiToken | Refusal:
    """The active token behind a secret, or why there is none.

    Rows are found by the visible prefix and the hash compared in constant time, so neither the
    database lookup nor the comparison depends on the secret part.
    """
    if not SECRET_PATTERN.fullmatch(secret):
        return Refusal.UNKNOWN
    wanted = secret_hash(secret)
    candidates = ApiToken.objects.select_related(
        "user__municipality__region", "user__region"
    ).filter(prefix=visible_prefix(secret))
    token = next((row for row in candidates if hmac.compare_digest(row.secret_hash, wanted)), None)
    if token is None:
        return Refusal.UNKNOWN
    if token.revoked_at is not None:
        return Refusal.REVOKED
    if token.expires_at <= timezone.now():
        return Refusal.EXPIRED
    if not token.user.is_active:
        return Refusal.USER_INACTIVE
    return token
