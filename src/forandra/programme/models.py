"""A region's programme: its workshops, cohorts, sessions, attendance and home assignments.

See README.md for the domain words. In short: a *programme* runs four half-day *workshops* for
the digitalisation groups of its municipalities; groups that meet together form a *cohort*; a
*session* is one workshop held for one cohort at a time and place; between workshops each group
does a *home assignment* in the part of Förändra where the work is done.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forandra.core.models import TimeStampedModel
from forandra.municipalities.models import DigitalisationGroup, GroupMember, Municipality, Region

# Half a day: the seed's "at least half a day between sessions to keep working at home". Counted
# from the end of one session to the start of the next, so a morning and an afternoon session on
# the same day are refused, and the next morning is allowed.
DEFAULT_MIN_GAP_HOURS = 12


def _in_language(sv: str, en: str) -> str:
    return en if (get_language() or "sv").startswith("en") else sv


class Feature(models.TextChoices):
    """The part of Förändra where an exercise or a home assignment is done."""

    GLOSSARY = "glossary", _("Shared concepts")
    MATURITY = "maturity", _("Digital maturity")
    SCANNING = "scanning", _("Environmental scanning")
    IDEAS = "ideas", _("Ideas")
    PLANS = "plans", _("Transformation plan")


class Programme(TimeStampedModel):
    """A region's run of the workshops for some of its municipalities' groups."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    municipalities = models.ManyToManyField(
        Municipality,
        related_name="programmes",
        blank=True,
        verbose_name=_("participating municipalities"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="facilitated_programmes",
        blank=True,
        verbose_name=_("facilitators"),
    )
    min_gap_hours = models.PositiveSmallIntegerField(
        _("hours between sessions"),
        default=DEFAULT_MIN_GAP_HOURS,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_(
            "The least time from the end of one session to the start of a group's next, so "
            "there is time to work at home. Half a day is 12 hours."
        ),
    )
    # Which template the workshops and assignments were copied from, for the record.
    template_id = models.CharField(_("template"), max_length=100, blank=True)
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_start",
                violation_error_message=_("The programme cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Workshop(TimeStampedModel):
    """One of the programme's half-day workshops, copied from the template and then editable.

    `agenda` is a list of time blocks `{"start": minutes after the beginning, "minutes": length,
    "title": {"sv", "en"}}`; `exercises` is a list in the template's shape. The workshop's
    material is in `Material`, so files can be added to it.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="workshops", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title_sv = models.CharField(_("title in Swedish"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    goals_sv = models.TextField(_("goals in Swedish"), blank=True)
    goals_en = models.TextField(_("goals in English"), blank=True)
    agenda = models.JSONField(_("agenda"), default=list, blank=True)
    exercises = models.JSONField(_("exercises"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="workshop_number_unique_in_programme",
                violation_error_message=_("The programme already has a workshop with this number."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="workshop_number_positive"),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """ "Workshop 2", as messages and calendars name it."""
        return gettext("Workshop %(number)d") % {"number": self.number}

    @property
    def title(self) -> str:
        return _in_language(self.title_sv, self.title_en)

    @property
    def goals(self) -> str:
        return _in_language(self.goals_sv, self.goals_en)

    @property
    def minutes(self) -> int:
        """The agenda's length: where its last block ends."""
        return max((int(b["start"]) + int(b["minutes"]) for b in self.agenda), default=0)


class Cohort(TimeStampedModel):
    """Groups that attend the workshops together, on the same dates.

    Dates "per group" are a cohort of one group; so a session always belongs to a cohort, and the
    time-at-home rule has one scope. A group is in at most one cohort of a programme.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=150)
    groups: models.ManyToManyField[DigitalisationGroup, CohortGroup] = models.ManyToManyField(
        DigitalisationGroup,
        through="CohortGroup",
        related_name="cohorts",
        verbose_name=_("groups"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="cohort_name_unique_in_programme",
                violation_error_message=_("The programme already has a cohort with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CohortGroup(models.Model):
    """A group's place in a cohort; `programme` repeats the cohort's so the database can refuse
    a group in two cohorts of one programme."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cohort")
    )
    group = models.ForeignKey(
        DigitalisationGroup,
        on_delete=models.CASCADE,
        related_name="cohort_memberships",
        verbose_name=_("group"),
    )

    class Meta:
        verbose_name = _("group in a cohort")
        verbose_name_plural = _("groups in cohorts")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "group"],
                name="cohort_group_one_cohort_per_programme",
                violation_error_message=_("The group is already in a cohort of this programme."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort} – {self.group}"


class Session(TimeStampedModel):
    """A workshop held for one cohort, at a time and place."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("workshop")
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    # The calendar identity: kept when the session moves, so calendars update the event in place.
    uid = models.UUIDField(_("calendar id"), default=uuid.uuid4, unique=True, editable=False)
    # Raised each time the session moves; calendar clients take the highest as current.
    sequence = models.PositiveIntegerField(_("times moved"), default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "cohort"],
                name="session_one_per_workshop_and_cohort",
                violation_error_message=_("This workshop is already scheduled for the cohort."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop.label} – {self.cohort}"

    @property
    def hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds() / 3600).quantize(
            Decimal("0.01")
        )


class Attendance(TimeStampedModel):
    """Whether a group member took part in a session, and for how many hours (for the funder)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    member = models.ForeignKey(
        GroupMember,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("group member"),
    )
    present = models.BooleanField(_("present"), default=False)
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "member__name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], name="attendance_one_per_member_and_session"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="attendance_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.session}"


class Assignment(TimeStampedModel):
    """A home assignment between two workshops, done in one or more parts of Förändra.

    It is due when the group's next workshop starts, unless a group's status sets its own date.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("programme")
    )
    key = models.SlugField(_("key"), max_length=60)
    after_workshop = models.PositiveSmallIntegerField(
        _("after workshop"), validators=[MinValueValidator(1)]
    )
    title_sv = models.CharField(_("title in Swedish"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    description_sv = models.TextField(_("description in Swedish"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    # Keys of `Feature`: where the work is done, first the main one.
    features = models.JSONField(_("where the work is done"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "after_workshop", "key"]
        verbose_name = _("home assignment")
        verbose_name_plural = _("home assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "key"], name="assignment_key_unique_in_programme"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        features = self.features if isinstance(self.features, list) else [self.features]
        unknown = [str(f) for f in features if f not in Feature.values]
        if unknown:
            raise ValidationError(
                {"features": gettext("Unknown feature: %(keys)s.") % {"keys": ", ".join(unknown)}}
            )

    @property
    def title(self) -> str:
        return _in_language(self.title_sv, self.title_en)

    @property
    def description(self) -> str:
        return _in_language(self.description_sv, self.description_en)


class AssignmentState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class AssignmentStatus(TimeStampedModel):
    """Where one group stands with one home assignment. No row means not started."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("assignment")
    )
    group = models.ForeignKey(
        DigitalisationGroup,
        on_delete=models.CASCADE,
        related_name="assignment_statuses",
        verbose_name=_("group"),
    )
    state = models.CharField(
        _("status"),
        max_length=20,
        choices=AssignmentState.choices,
        default=AssignmentState.NOT_STARTED,
    )
    # Empty: due when the group's next workshop starts.
    due_on = models.DateField(_("due"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment status")
        verbose_name_plural = _("assignment statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "group"], name="assignment_status_one_per_group"
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(done_at__isnull=False),
                name="assignment_status_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} – {self.group}: {self.get_state_display()}"


class MaterialKind(models.TextChoices):
    READING = "reading", _("Reading")
    SLIDES = "slides", _("Slides")
    PODCAST = "podcast", _("Podcast")
    VIDEO = "video", _("Video")
    LINK = "link", _("Link")


class MaterialLanguage(models.TextChoices):
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


def material_upload_to(instance: Material, filename: str) -> str:
    """Files under the programme's own folder, with a random name (the original is kept in
    `filename`), so no upload can overwrite another or guess its address."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"programme/{instance.workshop.programme_id}/{uuid.uuid4().hex}.{suffix}"


class Material(TimeStampedModel):
    """Reading, slides, a podcast or a link for a workshop: a web address or an uploaded file.

    Files are served only through a view that checks the reader's access to the programme.
    """

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="materials", verbose_name=_("workshop")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=MaterialLanguage.choices,
        help_text=_("The language the material itself is in."),
    )
    title_sv = models.CharField(_("title in Swedish"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=material_upload_to, blank=True, max_length=300)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["workshop", "position", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("material")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self.title_sv, self.title_en)


class TermDefinition(TimeStampedModel):
    """A group's own definition of one of the glossary's terms, written in workshop 1.

    Agreement is on a text: when the text changes, the earlier marks no longer count
    (`revision` rises and `DefinitionMark` rows of older revisions are removed).
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="definitions", verbose_name=_("programme")
    )
    group = models.ForeignKey(
        DigitalisationGroup,
        on_delete=models.CASCADE,
        related_name="term_definitions",
        verbose_name=_("group"),
    )
    term_key = models.SlugField(_("term"), max_length=60)
    text = models.TextField(_("our definition"), max_length=2000)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "group", "term_key"]
        verbose_name = _("definition")
        verbose_name_plural = _("definitions")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "group", "term_key"], name="definition_one_per_group_and_term"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.term_key}"


class DefinitionMark(models.Model):
    """One participant's agreement with a group's definition: agrees or not (yet)."""

    definition = models.ForeignKey(
        TermDefinition, on_delete=models.CASCADE, related_name="marks", verbose_name=_("definition")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="definition_marks",
        verbose_name=_("participant"),
    )
    agrees = models.BooleanField(_("agrees"))
    marked_at = models.DateTimeField(_("marked"), auto_now=True)

    class Meta:
        verbose_name = _("agreement mark")
        verbose_name_plural = _("agreement marks")
        constraints = [
            models.UniqueConstraint(fields=["definition", "user"], name="definition_mark_one_each")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.definition}"


class BoardColumn(models.TextChoices):
    CHALLENGE = "challenge", _("Challenges")
    OPPORTUNITY = "opportunity", _("Opportunities")
    RISK = "risk", _("Risks")


class BoardNote(TimeStampedModel):
    """A note on the group's board of what digitalisation means for its community."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="board_notes", verbose_name=_("programme")
    )
    group = models.ForeignKey(
        DigitalisationGroup,
        on_delete=models.CASCADE,
        related_name="board_notes",
        verbose_name=_("group"),
    )
    column = models.CharField(_("column"), max_length=20, choices=BoardColumn.choices)
    text = models.CharField(_("note"), max_length=500)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "group", "created_at", "pk"]
        verbose_name = _("board note")
        verbose_name_plural = _("board notes")

    def __str__(self) -> str:
        return self.text


class Facilitation(TimeStampedModel):
    """Where the facilitator is in a session: the current step of the agenda and its timer.

    The timer runs from `timer_started_at` for `timer_seconds`; paused, it keeps what was left in
    `timer_left_seconds` and `timer_started_at` is empty.
    """

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="facilitation", verbose_name=_("session")
    )
    step = models.PositiveSmallIntegerField(_("step"), default=0)
    timer_seconds = models.PositiveIntegerField(_("timer length in seconds"), default=0)
    timer_started_at = models.DateTimeField(_("timer started"), null=True, blank=True)
    timer_left_seconds = models.PositiveIntegerField(_("seconds left"), null=True, blank=True)

    class Meta:
        verbose_name = _("facilitation")
        verbose_name_plural = _("facilitations")

    def __str__(self) -> str:
        return f"{self.session}: {self.step}"


class LearningNote(TimeStampedModel):
    """A leader's own note on one module of the learning path, and whether it is done.

    The note is the leader's alone; the coordinator sees only that a module is done.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="learning_notes",
        verbose_name=_("user"),
    )
    module_key = models.SlugField(_("module"), max_length=60)
    note = models.TextField(_("my note"), blank=True, max_length=5000)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["user", "module_key"]
        verbose_name = _("learning note")
        verbose_name_plural = _("learning notes")
        constraints = [
            models.UniqueConstraint(fields=["user", "module_key"], name="learning_note_one_each")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.module_key}"
