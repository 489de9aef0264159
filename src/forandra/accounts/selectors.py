"""Reads for users."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import User


def any_user_exists() -> bool:
    """Whether anyone at all has an account."""
    return User.objects.exists()


def demo_users() -> QuerySet[User]:
    """The demo accounts, in the order of the roles' journey."""
    return (
        User.objects.filter(is_demo=True)
        .select_related("region", "municipality")
        .order_by("date_joined", "pk")
    )
