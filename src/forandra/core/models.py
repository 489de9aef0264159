"""Shared model pieces: every domain model records when it was made and changed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """An abstract base with creation and modification times."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """A `forandra worker` process: when it started, was last seen and stopped.

    The worker writes its row every few seconds from a thread of its own, so a long task does
    not make it look gone; `/readyz` and `forandra check` read the newest row. No personal data.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
