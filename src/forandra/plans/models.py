"""A municipality's transformation plan, in versions, along Kotter's eight steps.

A *plan* (e.g. "Digital transformation 2027–2029") belongs to one municipality and has numbered
*versions*. Only a draft version can be edited; once submitted it is frozen, and a change makes a
new version (a copy of the last one). A version holds the text of Kotter's eight steps
(`Section`), the *capabilities* the municipality must develop (a maturity dimension with current
and target score), and the *initiatives* (owner, time, first step, budget lines per year and
kind, citizen benefit, waves, capabilities, collaborating municipalities). Leadership *decides*
on a submitted version (`Decision`); the group then follows up each initiative with light
*check-ins* (a story, a traffic light, the next step).

An initiative keeps its `key` from version to version, so check-ins, the history and the diff
between versions follow one initiative even though every version has rows of its own.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forandra.core.models import TimeStampedModel
from forandra.municipalities.models import Municipality
from forandra.scanning.models import Wave

SCORE = [MinValueValidator(0), MaxValueValidator(100)]


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CHANGES = "approved_with_changes", _("Approved with changes")
    RETURNED = "returned", _("Returned")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


#: Leadership's possible decisions on a submitted version.
DECIDED = (Status.APPROVED, Status.APPROVED_WITH_CHANGES, Status.RETURNED)
#: Versions whose initiatives are followed up with check-ins.
FOLLOWED = (Status.APPROVED, Status.APPROVED_WITH_CHANGES, Status.IN_PROGRESS)


class Outcome(models.TextChoices):
    APPROVED = Status.APPROVED.value, _("Approved")
    APPROVED_WITH_CHANGES = Status.APPROVED_WITH_CHANGES.value, _("Approved with changes")
    RETURNED = Status.RETURNED.value, _("Returned")


class Step(models.IntegerChoices):
    """Kotter's eight steps of leading change (Leading Change, 1996)."""

    URGENCY = 1, _("Establishing a sense of urgency")
    COALITION = 2, _("Creating the guiding coalition")
    VISION = 3, _("Developing a vision and strategy")
    COMMUNICATION = 4, _("Communicating the change vision")
    EMPOWERMENT = 5, _("Empowering broad-based action")
    WINS = 6, _("Generating short-term wins")
    CONSOLIDATION = 7, _("Consolidating gains and producing more change")
    CULTURE = 8, _("Anchoring new approaches in the culture")


class BudgetKind(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    OPERATIONS = "operations", _("Operations")
    INNOVATION = "innovation", _("Innovation")


class Light(models.TextChoices):
    """A check-in's traffic light."""

    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Needs attention")
    RED = "red", _("Stuck")


class Plan(TimeStampedModel):
    """A municipality's transformation plan for a period; its content lives in its versions."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="plans",
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=200)
    first_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    last_year = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["municipality", "-first_year", "-pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")), name="plan_years_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.title}"

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class PlanVersion(TimeStampedModel):
    """One version of a plan. Editable only while it is a draft."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    # Kotter: management makes a system work; leadership builds or transforms it. The group's
    # short check of which of the two each part of the plan needs.
    leadership_check = models.TextField(_("management and leadership"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        """Only a draft can change; every other version is a record of what was decided."""
        return self.status != Status.DRAFT


class Section(models.Model):
    """The version's text for one of Kotter's eight steps."""

    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="sections", verbose_name=_("version")
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    text = models.TextField(_("text"), max_length=10000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "step"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["version", "step"], name="plan_section_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_step_display()}"


class Capability(models.Model):
    """A maturity dimension the municipality must develop: where it stands and where it aims."""

    version = models.ForeignKey(
        PlanVersion,
        on_delete=models.CASCADE,
        related_name="capabilities",
        verbose_name=_("version"),
    )
    dimension = models.CharField(_("dimension key"), max_length=100, blank=True)
    name = models.CharField(_("capability"), max_length=200)
    current_score = models.FloatField(_("current score"), null=True, blank=True, validators=SCORE)
    target_score = models.FloatField(_("target score"), validators=SCORE)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return self.name


class Initiative(TimeStampedModel):
    """A selected idea (or one added by hand) inside a plan version."""

    version = models.ForeignKey(
        PlanVersion,
        on_delete=models.CASCADE,
        related_name="initiatives",
        verbose_name=_("version"),
    )
    key = models.UUIDField(_("key"), default=uuid.uuid4, editable=False)
    idea = models.ForeignKey(
        "ideas.Idea",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("idea"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    owner = models.CharField(_("owner"), max_length=150, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    first_step = models.TextField(_("first step"), max_length=1000, blank=True)
    citizen_benefit = models.TextField(_("benefit for residents"), max_length=2000, blank=True)
    waves = models.ManyToManyField(
        Wave, blank=True, related_name="initiatives", verbose_name=_("waves")
    )
    capabilities = models.ManyToManyField(
        Capability, blank=True, related_name="initiatives", verbose_name=_("capabilities")
    )
    collaborating = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="collaborations",
        verbose_name=_("collaborating municipalities"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="initiative_key_unique"),
            models.CheckConstraint(
                condition=(
                    Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gte=models.F("start"))
                ),
                name="initiative_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """What an initiative costs in one year, of one kind (SEK)."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=_("initiative"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BudgetKind.choices)
    amount = models.PositiveIntegerField(_("amount (SEK)"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["initiative", "year", "kind"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "year", "kind"], name="budget_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative} {self.year} {self.kind}: {self.amount}"


class Decision(TimeStampedModel):
    """Leadership's decision on a submitted version."""

    version = models.OneToOneField(
        PlanVersion, on_delete=models.CASCADE, related_name="decision", verbose_name=_("version")
    )
    outcome = models.CharField(_("decision"), max_length=30, choices=Outcome.choices)
    comment = models.TextField(_("comment"), max_length=5000)
    decided_on = models.DateField(_("date of decision"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.version}: {self.get_outcome_display()}"


class CheckIn(TimeStampedModel):
    """A light, trust-based follow-up of one initiative: a short story, a light, the next step."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="check_ins",
        verbose_name=_("initiative"),
    )
    checked_on = models.DateField(_("date"))
    light = models.CharField(_("traffic light"), max_length=10, choices=Light.choices)
    narrative = models.TextField(_("how it goes"), max_length=2000)
    next_step = models.CharField(_("next step"), max_length=500)
    next_step_due = models.DateField(_("next step by"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["initiative", "-checked_on", "-pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.initiative} {self.checked_on}: {self.light}"
