"""Waves, feeds, signals and each municipality's radar placements (see README.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forandra.core.models import TimeStampedModel
from forandra.municipalities.models import Municipality, Region


class Ring(models.TextChoices):
    """Where a municipality stands with a wave, from the radar's centre out."""

    ADOPT = "adopt", _("Adopt")
    TRY = "try", _("Try")
    EXPLORE = "explore", _("Explore")
    WATCH = "watch", _("Watch")


class Wave(TimeStampedModel):
    """One wave of a region's catalogue; seeded from the shipped catalogue, then the region's."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="waves")
    key = models.SlugField(_("key"), max_length=60)
    name_sv = models.CharField(_("name in Swedish"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150)
    description_sv = models.TextField(_("description in Swedish"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    # Keys of the maturity dimensions the wave builds.
    dimensions = models.JSONField(_("maturity dimensions"), default=list, blank=True)
    # {"sv": [...], "en": [...]}: they teach the classifier, with the confirmed signals.
    keywords = models.JSONField(_("keywords"), default=dict, blank=True)
    examples = models.JSONField(_("example signals"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "position", "key"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.UniqueConstraint(fields=["region", "key"], name="wave_key_unique_in_region")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_sv

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_sv


class FetchStatus(models.TextChoices):
    NEW = "new", _("Not fetched yet")
    OK = "ok", _("Fetched")
    NOT_MODIFIED = "not_modified", _("Unchanged since the last fetch")
    ERROR = "error", _("Failed")


class Feed(TimeStampedModel):
    """An RSS, Atom or podcast feed a municipality follows, or (without a municipality) one the
    region's coordinator curates for all its groups."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="feeds")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="feeds", null=True, blank=True
    )
    url = models.URLField(_("feed address"), max_length=2000)
    title = models.CharField(_("title"), max_length=300, blank=True)
    site_url = models.URLField(_("website"), max_length=2000, blank=True)
    is_podcast = models.BooleanField(_("podcast"), default=False)
    folder = models.CharField(_("folder"), max_length=300, blank=True)
    # Conditional GET: what the server said last time.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FetchStatus.choices, default=FetchStatus.NEW
    )
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    # The last failure, as a stable code and its parameters; the reason is written out in the
    # reader's language when shown (see fetch.ScanningError).
    error_code = models.CharField(max_length=50, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    warnings = models.JSONField(default=list, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["title", "url"]
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "url"],
                condition=Q(municipality__isnull=False),
                name="feed_url_unique_in_municipality",
            ),
            models.UniqueConstraint(
                fields=["region", "url"],
                condition=Q(municipality__isnull=True),
                name="feed_url_unique_in_region",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class Signal(TimeStampedModel):
    """Something noticed: a feed item or podcast episode, or a note a group member wrote."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="signals")
    # Empty for a signal from one of the region's curated feeds: every group of the region sees it.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="signals", null=True, blank=True
    )
    feed = models.ForeignKey(
        Feed, on_delete=models.CASCADE, related_name="signals", null=True, blank=True
    )
    # The feed item's identity (a hash of its guid, link or title and date), so a re-scan
    # never adds it twice.
    item_key = models.CharField(max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=500)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    summary_html = models.TextField(blank=True)  # sanitised with nh3 (feeds.sanitise_html)
    summary_text = models.TextField(_("summary"), blank=True)
    note = models.TextField(_("note"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    episode = models.PositiveIntegerField(_("episode"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration"), null=True, blank=True)
    enclosure_url = models.URLField(_("audio or file"), max_length=2000, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Suggested waves, best first: [[wave key, score 0-1], ...].
    suggestions = models.JSONField(default=list, blank=True)
    waves = models.ManyToManyField(Wave, related_name="signals", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("waves confirmed"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "item_key"],
                condition=Q(feed__isnull=False),
                name="signal_item_unique_in_feed",
            )
        ]
        indexes = [models.Index(fields=["region", "municipality", "-published_at"])]

    def __str__(self) -> str:
        return self.title


class Placement(TimeStampedModel):
    """Where a municipality places a wave on its radar, and why; the ring before the last change
    gives the movement the radar shows."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="placements"
    )
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="placements")
    ring = models.CharField(_("ring"), max_length=10, choices=Ring.choices)
    previous_ring = models.CharField(
        _("previous ring"), max_length=10, choices=Ring.choices, blank=True
    )
    rationale = models.TextField(_("rationale"), blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality", "wave"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "wave"], name="placement_unique_per_wave"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.wave} ({self.ring})"
