"""Users and their roles.

A user has one role: a *coordinator* leads the programme for one region; a *group member* and a
*leadership* user belong to one municipality; an *admin* runs the installation. The scope a role
needs (region or municipality) is enforced by database constraints, so a user can never be a
coordinator without a region.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", _("Group member")
    LEADERSHIP = "leadership", _("Leadership")
    ADMIN = "admin", _("Administrator")


class ForandraUserManager(UserManager["User"]):
    """Creates superusers with the admin role, which the role-scope constraint requires."""

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who logs in to Förändra."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    region = models.ForeignKey(
        "municipalities.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
        verbose_name=_("region"),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("municipality"),
    )
    is_demo = models.BooleanField(_("demo account"), default=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects: ClassVar[ForandraUserManager] = ForandraUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_role_scope",
                condition=(
                    Q(role="coordinator", region__isnull=False, municipality__isnull=True)
                    | Q(
                        role__in=["member", "leadership"],
                        region__isnull=True,
                        municipality__isnull=False,
                    )
                    | Q(role="admin", region__isnull=True, municipality__isnull=True)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
