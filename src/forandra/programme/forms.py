"""Forms of the programme's management pages: the programme, a workshop and its agenda, cohorts,
a cohort's schedule, attendance and a group's home assignments."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from forandra.accounts.models import Role, User
from forandra.municipalities.models import DigitalisationGroup, Municipality

from . import services
from .models import DEFAULT_MIN_GAP_HOURS, AssignmentState, Session, Workshop
from .workshops import HALF_DAY_MINUTES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class MunicipalityChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: Any) -> str:
        """ "Vindeln", or "Bjurholm (no digitalisation group yet)"."""
        if hasattr(obj, "group"):
            return str(obj.name)
        return _("%(name)s (no digitalisation group yet)") % {"name": obj.name}


class GroupChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.municipality.name}: {obj.name}"


class FacilitatorChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: Any) -> str:
        """ "Anna Berg (Vindeln, leadership)", so two people of one name can be told apart."""
        name = obj.get_full_name() or obj.username
        where = obj.municipality.name if obj.municipality else _("region coordinator")
        if obj.role == Role.COORDINATOR:
            return f"{name} ({where})"
        return f"{name} ({where}, {obj.get_role_display().lower()})"


class ProgrammeForm(forms.Form):
    """A programme's name, period, municipalities, facilitators and least gap between sessions."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    starts_on = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())
    municipalities = MunicipalityChoiceField(
        label=gettext_lazy("Participating municipalities"),
        queryset=Municipality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Their digitalisation groups take part in the workshops."),
    )
    facilitators = FacilitatorChoiceField(
        label=gettext_lazy("Facilitators"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "The people who lead the workshops: they see the programme and run its sessions."
        ),
    )
    min_gap_hours = forms.IntegerField(
        label=gettext_lazy("Hours between sessions"),
        min_value=0,
        max_value=24 * 60,
        initial=DEFAULT_MIN_GAP_HOURS,
        help_text=gettext_lazy(
            "The least time from the end of one session to the start of a group's next, so "
            "there is time to work at home. Half a day is 12 hours."
        ),
    )

    def __init__(
        self,
        *args: Any,
        municipalities: Any,
        facilitators: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        municipality_field = self.fields["municipalities"]
        facilitator_field = self.fields["facilitators"]
        assert isinstance(municipality_field, forms.ModelMultipleChoiceField)
        assert isinstance(facilitator_field, forms.ModelMultipleChoiceField)
        municipality_field.queryset = municipalities
        facilitator_field.queryset = facilitators

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on",
                _("The last day, %(last)s, is before the first day, %(first)s.")
                % {"last": ends_on.isoformat(), "first": starts_on.isoformat()},
            )
        return data


class WorkshopForm(forms.Form):
    """A workshop's titles and goals in both languages."""

    title_sv = forms.CharField(label=gettext_lazy("Title in Swedish"), max_length=200)
    title_en = forms.CharField(label=gettext_lazy("Title in English"), max_length=200)
    goals_sv = forms.CharField(
        label=gettext_lazy("Goals in Swedish"), widget=forms.Textarea(attrs={"rows": 4})
    )
    goals_en = forms.CharField(
        label=gettext_lazy("Goals in English"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AgendaBlockForm(forms.Form):
    """One time block of a workshop's agenda."""

    start = forms.IntegerField(
        label=gettext_lazy("Starts at minute"), min_value=0, max_value=HALF_DAY_MINUTES
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=1, max_value=HALF_DAY_MINUTES
    )
    title_sv = forms.CharField(label=gettext_lazy("Title in Swedish"), max_length=200)
    title_en = forms.CharField(label=gettext_lazy("Title in English"), max_length=200)


class BaseAgendaFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        """The agenda's rules (first at 0, no overlap, within a half day), each problem shown at
        the block it is about."""
        if any(form.errors for form in self.forms if not _deleted(form)):
            return
        kept = [form for form in self.forms if form.has_changed() and not _deleted(form)]
        kept.sort(key=lambda form: form.cleaned_data["start"])
        for problem in services.agenda_problems([block_of(form) for form in kept]):
            if kept:
                kept[problem.index].add_error(problem.field or None, problem.message)
            else:
                raise ValidationError(problem.message)

    def blocks(self) -> list[dict[str, Any]]:
        """The agenda as the service takes it, in the order of the blocks' starts."""
        return sorted(
            (block_of(form) for form in self.forms if form.has_changed() and not _deleted(form)),
            key=lambda block: int(block["start"]),
        )


def _deleted(form: forms.Form) -> bool:
    """Whether the block's "remove" box is ticked."""
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


def block_of(form: forms.Form) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "start": data["start"],
        "minutes": data["minutes"],
        "title": {"sv": data["title_sv"], "en": data["title_en"]},
    }


AgendaFormSet = forms.formset_factory(
    AgendaBlockForm, formset=BaseAgendaFormSet, extra=1, can_delete=True
)


def agenda_initial(workshop: Workshop) -> list[dict[str, Any]]:
    return [
        {
            "start": block["start"],
            "minutes": block["minutes"],
            "title_sv": block["title"]["sv"],
            "title_en": block["title"]["en"],
        }
        for block in workshop.agenda
    ]


class CohortForm(forms.Form):
    """A new cohort: a name and the groups that meet together."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=150,
        help_text=gettext_lazy("For example Cohort A, or the municipalities' names."),
    )
    groups = GroupChoiceField(
        label=gettext_lazy("Groups"),
        queryset=DigitalisationGroup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Groups that attend the workshops together, on the same dates. One group alone is fine."
        ),
        error_messages={"required": gettext_lazy("Choose at least one group.")},
    )

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["groups"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = groups


class ScheduleRowForm(forms.Form):
    """When and where a cohort meets for one workshop; all empty: not scheduled here."""

    day = forms.DateField(label=gettext_lazy("Date"), widget=DateInput(), required=False)
    starts = forms.TimeField(label=gettext_lazy("Starts"), widget=TimeInput(), required=False)
    ends = forms.TimeField(label=gettext_lazy("Ends"), widget=TimeInput(), required=False)
    place = forms.CharField(
        label=pgettext_lazy("where a session is held", "Place"), max_length=300, required=False
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        self.workshop = workshop
        kwargs["prefix"] = f"ws{workshop.number}"
        super().__init__(*args, **kwargs)

    @property
    def is_empty(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("day", "starts", "ends", "place"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_empty or self.errors:
            return data
        missing = {
            "day": _("Enter the date of %(workshop)s, or leave its row empty."),
            "starts": _("Enter when %(workshop)s starts, for example 09:00."),
            "ends": _("Enter when %(workshop)s ends, for example 12:30."),
        }
        for name, message in missing.items():
            if not data.get(name):
                self.add_error(name, message % {"workshop": self.workshop.label})
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error(
                "ends",
                _("%(workshop)s must end after it starts.") % {"workshop": self.workshop.label},
            )
        return data

    def plan(self) -> services.SessionPlan | None:
        """The session this row asks for, in local time; None for an empty row."""
        if self.is_empty:
            return None
        day: date = self.cleaned_data["day"]
        return services.SessionPlan(
            workshop=self.workshop,
            starts_at=_aware(day, self.cleaned_data["starts"]),
            ends_at=_aware(day, self.cleaned_data["ends"]),
            place=self.cleaned_data["place"],
        )


def _aware(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def schedule_initial(session: Session | None) -> dict[str, Any]:
    if session is None:
        return {}
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return {
        "day": starts.date(),
        "starts": starts.time(),
        "ends": ends.time(),
        "place": session.place,
    }


class AttendanceRowForm(forms.Form):
    """One member at one session: there or not, and for how many hours."""

    present = forms.BooleanField(label=gettext_lazy("Present"), required=False)
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"),
        min_value=Decimal("0"),
        max_digits=4,
        decimal_places=2,
        required=False,
        localize=True,
    )

    def __init__(self, *args: Any, session_hours: Decimal, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.session_hours = session_hours

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours = data.get("hours")
        if hours is not None and hours > self.session_hours:
            self.add_error(
                "hours",
                _("At most the session's %(hours)s hours.")
                % {"hours": number_format(self.session_hours, decimal_pos=2)},
            )
        return data


class AssignmentStatusForm(forms.Form):
    """Where a group stands with a home assignment; for managers, also its own due date."""

    state = forms.ChoiceField(
        label=gettext_lazy("Set the status"),
        choices=AssignmentState.choices,
        widget=forms.RadioSelect,
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due"),
        widget=DateInput(),
        required=False,
        help_text=gettext_lazy("Leave empty: due when the group's next workshop starts."),
    )

    def __init__(self, *args: Any, can_set_due: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_set_due:
            del self.fields["due_on"]
