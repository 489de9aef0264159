"""Instruments, rounds and responses of the digital-maturity self-assessment.

A *round* is one measurement of one municipality at one time, answered either together by the
group (consensus mode, one response with a "why" per answer) or anonymously by staff through a
link (survey mode, many responses). Scores are never stored per response: `AnswerCount` keeps,
per round, unit, statement and answer value, how many gave that answer, updated in the same
transaction as the response. The results page reads those counts, so its cost does not grow with
the number of responses.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forandra.core.models import TimeStampedModel


class InstrumentVersion(TimeStampedModel):
    """One version of an instrument, kept as the YAML it was loaded from.

    A published version never changes: editing makes a new version, and rounds keep the version
    they were opened with.
    """

    instrument_id = models.SlugField(_("instrument"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    source = models.TextField(_("YAML source"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument_id", "-version"]
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_id", "version"], name="instrument_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.version}"


class Mode(models.TextChoices):
    CONSENSUS = "consensus", _("Consensus: the group answers together")
    SURVEY = "survey", _("Survey: staff answer anonymously through a link")


class Round(TimeStampedModel):
    """One measurement of one municipality's digital maturity."""

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="maturity_rounds",
        verbose_name=_("municipality"),
    )
    instrument = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("instrument"),
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    title = models.CharField(_("title"), max_length=150)
    opened_on = models.DateField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    invited = models.PositiveIntegerField(
        _("invited"),
        null=True,
        blank=True,
        help_text=_("How many were asked to answer; gives the response rate."),
    )
    # The secret part of the survey link for staff; never shown outside the group.
    link_key = models.CharField(max_length=43, unique=True)
    tokens_required = models.BooleanField(_("only with personal links"), default=False)
    response_count = models.PositiveIntegerField(default=0)
    # A new random value whenever the round's counts change, in the same transaction: computed
    # scores are cached under it, so a cache never serves scores of counts that have changed.
    # Random rather than a counter, so that no value comes back after a rolled-back transaction
    # or a restored backup (a consensus round changes its counts without changing its total).
    counts_version = models.UUIDField(default=uuid.uuid4, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords(excluded_fields=["response_count", "counts_version"])

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SurveyToken(models.Model):
    """A personal survey link: one response per token."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=43, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey token")
        verbose_name_plural = _("survey tokens")

    def __str__(self) -> str:
        return self.token[:8]


class Response(models.Model):
    """One completed questionnaire: the group's (consensus) or one staff member's (survey),
    with its answers.

    Survey responses are anonymous: no user, no address, no time finer than the day.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(
        "municipalities.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="maturity_responses",
        verbose_name=_("department"),
    )
    submitted_on = models.DateField(_("submitted"))
    token = models.OneToOneField(
        SurveyToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    # A random key kept in the respondent's browser session: one response per browser on an open
    # link, without knowing who answered.
    client_key = models.CharField(max_length=43, blank=True)
    # Statement key -> answer value (1..n) or null for "don't know". One row per response keeps
    # a submission to a few writes; the counts behind the results live in AnswerCount.
    answers = models.JSONField(default=dict)
    # Consensus mode: statement key -> the group's short "why".
    whys = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "client_key"],
                condition=~Q(client_key=""),
                name="response_once_per_browser",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.pk}"


class AnswerCount(models.Model):
    """How many in a round (and unit) gave one answer value to one statement.

    `unit_key` is the unit's id, or 0 for responses without a unit: a plain number rather than a
    nullable key, because a unique constraint treats NULLs as distinct on SQLite, and these rows
    are found and incremented by that constraint.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answer_counts")
    unit_key = models.PositiveBigIntegerField(default=0)
    statement_key = models.CharField(max_length=100)
    value = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit_key", "statement_key", "value"],
                name="answer_count_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement_key}={self.value}: {self.count}"


class UnitResponseCount(models.Model):
    """How many responses a round has per unit (`unit_key` as in AnswerCount).

    The results use it to keep the minimum group size: a unit with fewer responses is merged.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="unit_counts")
    unit_key = models.PositiveBigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "unit_key"], name="unit_response_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.unit_key}: {self.count}"


MIN_GROUP_SIZE_DEFAULT = 5


def min_group_size() -> int:
    """The fewest survey responses a breakdown or comparison may show (k-anonymity)."""
    return int(getattr(settings, "MATURITY_MIN_GROUP_SIZE", MIN_GROUP_SIZE_DEFAULT))
