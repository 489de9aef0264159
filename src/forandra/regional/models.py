"""The region's shared view: what each municipality publishes, the region's opt-in public page,
and joint initiatives that tie similar initiatives and ideas of several municipalities together.

A municipality's data is its own until its group publishes a part of it (`Publication`): then
the other municipalities of the region see that part on the regional pages, and, where the
region has opened its public page (`PublicSummary`), so does everyone, with the open-data files.
Who sees what is decided in `visibility.py`, with the rules of `core.permissions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from forandra.core.models import TimeStampedModel
from forandra.ideas.models import Idea
from forandra.municipalities.models import Municipality, Region


class Part(models.TextChoices):
    """The parts of a municipality's data its group can publish."""

    MATURITY = "maturity", _("Maturity results")
    RADAR = "radar", _("Radar of waves")
    PLANS = "plans", _("Decided plans")


class Publication(TimeStampedModel):
    """What one municipality has published; no row means nothing is published."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="publication",
        verbose_name=_("municipality"),
    )
    maturity = models.BooleanField(
        _("maturity results"),
        default=False,
        help_text=_(
            "The scores per dimension of rounds with results. Survey rounds are shown only once "
            "enough people have answered; single answers and comments are never published."
        ),
    )
    radar = models.BooleanField(
        _("radar of waves"),
        default=False,
        help_text=_("Which waves of change the municipality watches, explores, tries or adopts."),
    )
    plans = models.BooleanField(
        _("decided plans"),
        default=False,
        help_text=_(
            "Plans leadership has approved: their initiatives, budget and decision. Drafts, "
            "submitted and returned versions are never published."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return str(self.municipality)

    def publishes(self, part: Part | str) -> bool:
        return bool(getattr(self, str(part)))


class PublicSummary(TimeStampedModel):
    """The region's public page and open data: off until the coordinator opens them."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="public_summary", verbose_name=_("region")
    )
    enabled = models.BooleanField(
        _("public page open"),
        default=False,
        help_text=_(
            "Anyone can then read what the region's municipalities have chosen to publish, and "
            "download it as open data."
        ),
    )
    intro = models.TextField(
        _("introduction"),
        max_length=2000,
        blank=True,
        help_text=_("A few sentences at the top of the public page."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("public summary")
        verbose_name_plural = _("public summaries")

    def __str__(self) -> str:
        return str(self.region)


class JointInitiative(TimeStampedModel):
    """Something two or more municipalities of a region do once, together."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="joint_initiatives", verbose_name=_("region")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("joint initiative")
        verbose_name_plural = _("joint initiatives")

    def __str__(self) -> str:
        return self.title


class JointLink(models.Model):
    """One municipality's part of a joint initiative: an initiative of its plans (by the key it
    keeps across versions, so a new version stays linked) or an idea of its idea bank."""

    joint = models.ForeignKey(
        JointInitiative, on_delete=models.CASCADE, related_name="links", verbose_name=_("joint")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    initiative_key = models.UUIDField(_("initiative"), null=True, blank=True)
    idea = models.ForeignKey(
        Idea,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="joint_links",
        verbose_name=_("idea"),
    )

    class Meta:
        verbose_name = _("link to a joint initiative")
        verbose_name_plural = _("links to joint initiatives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(initiative_key__isnull=False, idea__isnull=True)
                | models.Q(initiative_key__isnull=True, idea__isnull=False),
                name="joint_link_initiative_or_idea",
            ),
            models.UniqueConstraint(
                fields=["joint", "initiative_key"], name="joint_link_initiative_once"
            ),
            models.UniqueConstraint(fields=["joint", "idea"], name="joint_link_idea_once"),
        ]
        indexes = [models.Index(fields=["initiative_key"])]

    def __str__(self) -> str:
        return f"{self.joint} – {self.municipality}"
