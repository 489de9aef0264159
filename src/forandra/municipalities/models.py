"""Regions, municipalities and their digitalisation groups.

A *region* here is one of Sweden's 21 counties (län) and the regional council that runs the
programme for its municipalities; its code is the official two-digit county code. A
*municipality* (kommun) has the official four-digit code, whose first two digits are its county.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forandra.core.models import TimeStampedModel


class Region(TimeStampedModel):
    """A county and its region, from the official register."""

    code = models.CharField(_("county code"), max_length=2, unique=True)
    county_name = models.CharField(_("county name"), max_length=100)
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("The region's own name, e.g. 'Region Västerbotten'."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{2}$"), name="region_code_two_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipalities:region_detail", args=[self.code])


class Municipality(TimeStampedModel):
    """A municipality from the official register."""

    code = models.CharField(_("municipality code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{4}$"),
                name="municipality_code_four_digits",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipalities:municipality_detail", args=[self.code])


class DigitalisationGroup(TimeStampedModel):
    """A municipality's cross-functional team of change agents (about five people)."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="group",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=150)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality__name"]
        verbose_name = _("digitalisation group")
        verbose_name_plural = _("digitalisation groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipalities:group_detail", args=[self.municipality.code])


class GroupRole(models.TextChoices):
    """A member's role in the group."""

    LEAD = "lead", _("Group lead")
    MEMBER = "member", _("Member")
    SPONSOR = "sponsor", _("Sponsor in management")


class GroupMember(TimeStampedModel):
    """A person in a digitalisation group, with the function they come from."""

    group = models.ForeignKey(
        DigitalisationGroup,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("group"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    function = models.CharField(
        _("function or department"),
        max_length=150,
        help_text=_("Where the person works, e.g. social services, IT, education."),
    )
    role = models.CharField(
        _("role in the group"), max_length=20, choices=GroupRole.choices, default=GroupRole.MEMBER
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "email"],
                name="group_member_unique_email",
                violation_error_message=_("Someone in the group already has this e-mail."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Unit(TimeStampedModel):
    """A department or unit of a municipality (förvaltning, enhet), from its own list.

    Survey respondents may say which unit they work in, so results can be broken down by unit
    when enough have answered.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="units", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=150)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
