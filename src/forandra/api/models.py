"""Personal API tokens.

A token lets a program act as the user who made it, with the user's own permissions, limited to
reading (scope "read") or allowed to write too ("write"), until it expires or is revoked. The
secret is shown once when the token is made and never stored: only its SHA-256 hash is, beside a
short prefix of it that lets the user tell tokens apart.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """One personal API token of a user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    # The start of the token (e.g. "fdr_Ab3dE7gH"): not secret, shown in lists and used to find
    # the row; the rest is compared through the hash.
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def valid_through(self) -> datetime.date:
        """The last day it is valid (it expires when the next day starts)."""
        return timezone.localdate(self.expires_at - datetime.timedelta(microseconds=1))

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE
