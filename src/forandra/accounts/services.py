"""Writes for users."""

from __future__ import annotations

from django.db import transaction

from forandra.municipalities.models import Municipality, Region

from .models import Role, User


def profile_update(*, user: User, first_name: str, last_name: str, email: str) -> User:
    """Change the user's own name and e-mail."""
    user.first_name, user.last_name, user.email = first_name.strip(), last_name.strip(), email
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "email"])
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    region: Region | None = None,
    municipality: Municipality | None = None,
    is_demo: bool = False,
) -> User:
    """Create a user with a role and the region or municipality that role is scoped to."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        region=region,
        municipality=municipality,
        is_demo=is_demo,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    return user
