"""A municipality's idea bank, citizens' proposals and support, dot voting, scoring weights and
saved portfolios, and the region's shared library of ideas ("Lego bricks").

See README.md for the domain words. In short: an *idea* is a small, concrete change with
estimates; *citizens* propose ideas on a public page (moderated before they show) and support
published ones; a *vote* is a workshop's dot voting; *weights* turn an idea's estimates into one
score; a *portfolio* is one saved run of the optimiser: the chosen ideas and why each is in or out.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forandra.core.models import TimeStampedModel
from forandra.municipalities.models import Municipality
from forandra.scanning.models import Wave

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Source(models.TextChoices):
    GROUP = "group", _("The group")
    STAFF = "staff", _("Staff")
    CITIZEN = "citizen", _("A resident")
    WORKSHOP = "workshop", _("A workshop")


class Status(models.TextChoices):
    NEW = "new", _("New")
    CONSIDERED = "considered", _("Considered")
    SELECTED = "selected", _("Selected")
    IN_PLAN = "in_plan", _("In the plan")
    PARKED = "parked", _("Parked")


class Moderation(models.TextChoices):
    """Where a resident's proposal stands; ideas from the group itself are `published` at once."""

    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")


class Idea(TimeStampedModel):
    """A small, concrete change: a Lego brick that can be combined with others."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="ideas", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=200)
    need = models.TextField(_("the residents' need or problem"), max_length=2000)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    waves = models.ManyToManyField(
        Wave, related_name="ideas", blank=True, verbose_name=_("waves of change")
    )
    # Keys of the maturity instrument's dimensions the idea builds.
    dimensions = models.JSONField(_("maturity dimensions"), default=list, blank=True)
    one_time_cost = models.PositiveIntegerField(_("one-time cost (SEK)"), default=0)
    yearly_cost = models.PositiveIntegerField(_("yearly cost (SEK)"), default=0)
    effort = models.DecimalField(
        _("effort (person-months)"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    benefit = models.PositiveSmallIntegerField(
        _("benefit for residents (1–5)"), default=3, validators=ONE_TO_FIVE
    )
    feasibility = models.PositiveSmallIntegerField(
        _("feasibility (1–5)"), default=3, validators=ONE_TO_FIVE
    )
    risk = models.PositiveSmallIntegerField(_("risk (1–5)"), default=3, validators=ONE_TO_FIVE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="new")
    moderation = models.CharField(
        _("moderation"), max_length=20, choices=Moderation.choices, default="published"
    )
    # Shown to the proposer (and only to them, through their private link) when declined.
    decline_reason = models.TextField(_("reason for declining"), max_length=1000, blank=True)
    # A resident's private link to follow their proposal: /ideas/proposal/<token>/.
    proposer_token = models.UUIDField(_("proposer's link"), null=True, blank=True, unique=True)
    # Residents' support (IdeaSupport rows), kept as a count for listing.
    support_count = models.PositiveIntegerField(_("support"), default=0)
    # Shared to the region's library ("Lego bricks"), and where a copy came from.
    shared_at = models.DateTimeField(_("shared with the region"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    # "From Vindeln's digitalisation group": kept when the original is removed.
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords(excluded_fields=["support_count"])

    class Meta:
        ordering = ["municipality", "-created_at", "pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [models.Index(fields=["municipality", "moderation"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit__gte=1, benefit__lte=5)
                & Q(feasibility__gte=1, feasibility__lte=5)
                & Q(risk__gte=1, risk__lte=5),
                name="idea_scales_one_to_five",
            ),
            models.CheckConstraint(condition=Q(effort__gte=0), name="idea_effort_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class ProposerContact(TimeStampedModel):
    """A resident's optional e-mail for follow-up, kept apart from the idea and deletable.

    Never shown publicly, never exported; deleting it leaves the idea as it is.
    """

    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, related_name="contact", verbose_name=_("idea")
    )
    email = models.EmailField(_("e-mail"))

    class Meta:
        verbose_name = _("proposer's contact")
        verbose_name_plural = _("proposers' contacts")

    def __str__(self) -> str:
        return str(self.idea)


class IdeaSupport(models.Model):
    """A resident's support for a published idea: one per browser (a random key in a cookie,
    stored only as a hash), without an account or personal data."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="supports", verbose_name=_("idea")
    )
    supporter = models.CharField(_("supporter (hashed key)"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("support")
        constraints = [
            models.UniqueConstraint(fields=["idea", "supporter"], name="idea_support_one_each")
        ]

    def __str__(self) -> str:
        return f"{self.idea}"


class ScoringWeights(TimeStampedModel):
    """How much each criterion counts in a municipality's score of an idea (0–10 each)."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="scoring_weights",
        verbose_name=_("municipality"),
    )
    benefit = models.PositiveSmallIntegerField(
        _("benefit for residents"), default=5, validators=[MaxValueValidator(10)]
    )
    feasibility = models.PositiveSmallIntegerField(
        _("feasibility"), default=3, validators=[MaxValueValidator(10)]
    )
    risk = models.PositiveSmallIntegerField(
        _("low risk"), default=2, validators=[MaxValueValidator(10)]
    )
    cost = models.PositiveSmallIntegerField(
        _("low cost"), default=2, validators=[MaxValueValidator(10)]
    )
    effort = models.PositiveSmallIntegerField(
        _("low effort"), default=1, validators=[MaxValueValidator(10)]
    )
    support = models.PositiveSmallIntegerField(
        _("support from residents and dots"), default=2, validators=[MaxValueValidator(10)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring weights")
        verbose_name_plural = _("scoring weights")

    def __str__(self) -> str:
        return str(self.municipality)


class Vote(TimeStampedModel):
    """A workshop's dot voting: each participant places up to `dots` dots on the ideas."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="votes", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=200)
    dots = models.PositiveSmallIntegerField(
        _("dots per participant"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    ideas = models.ManyToManyField(Idea, related_name="votes", verbose_name=_("ideas"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["municipality", "-created_at"]
        verbose_name = _("dot voting")
        verbose_name_plural = _("dot votings")

    def __str__(self) -> str:
        return self.title


class Dot(models.Model):
    """The dots one participant placed on one idea in a vote (a count, at least 1)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="placed")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="dots")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveSmallIntegerField(_("dots"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("dot")
        verbose_name_plural = _("dots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "idea", "user"], name="dot_one_row_each"),
            models.CheckConstraint(condition=Q(count__gte=1), name="dot_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.vote}: {self.idea} × {self.count}"


class Portfolio(TimeStampedModel):
    """One saved run of the optimiser: a version of the municipality's selection.

    `constraints` holds what was asked (budget, caps, counts, must/never, exclusive groups,
    dependencies) and `result` what came out (value, proven optimal or not, the budget curve);
    `PortfolioChoice` rows hold each idea's place and reason, for the plan to use.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="portfolios",
        verbose_name=_("municipality"),
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    constraints = models.JSONField(_("constraints"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["municipality", "-version"]
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "version"], name="portfolio_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} v{self.version}"


class PortfolioChoice(models.Model):
    """One idea in a saved portfolio: chosen or not, its score then, and why."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.CASCADE, related_name="choices", verbose_name=_("portfolio")
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="portfolio_choices", verbose_name=_("idea")
    )
    selected = models.BooleanField(_("selected"))
    value = models.FloatField(_("value"))
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ["portfolio", "-selected", "-value"]
        verbose_name = _("portfolio choice")
        verbose_name_plural = _("portfolio choices")
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "idea"], name="portfolio_choice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.portfolio}: {self.idea}"
