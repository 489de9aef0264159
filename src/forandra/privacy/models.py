"""The deletion log: that a person's data was deleted, and how much, without the person.

A *deletion record* is written in the same transaction as each deletion a user or a resident
asks for. It keeps the kind of request, the day, and how many rows of each kind were deleted or
anonymised; never a name, an e-mail address, a user id or any text. The day rather than the
time, so that the record cannot be matched to the request in the server's logs.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    USER = "user", _("A user deleted their account")
    RESIDENT = "resident", _("A resident deleted their data")


class DeletionRecord(models.Model):
    """One deletion of a person's data: when, whose kind, and counts per kind of row."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    deleted_on = models.DateField(_("deleted on"))
    # Model label ("ideas.idea") -> {"deleted": n, "anonymised": n}.
    counts = models.JSONField(_("rows deleted or anonymised"), default=dict)

    class Meta:
        ordering = ["-deleted_on", "-pk"]
        verbose_name = _("deletion record")
        verbose_name_plural = _("deletion records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.deleted_on.isoformat()})"

    @property
    def total(self) -> int:
        """All rows the deletion touched."""
        return sum(sum(int(n) for n in actions.values()) for actions in self.counts.values())
