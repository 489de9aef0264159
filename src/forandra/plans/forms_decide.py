"""Forms of the decision and the follow-up: leadership's decision, a check-in, and the choice of
two versions to compare."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Light, Outcome


class DateInput(forms.DateInput):
    """A browser date picker; its value is always ISO (2027-01-20), whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


DATE_HINT = _("Write the date as 2027-01-20.")

#: What leadership must say in the comment, by outcome.
COMMENT_REQUIRED: dict[str, Any] = {
    Outcome.APPROVED: _("Write a comment on the decision, such as where it was taken."),
    Outcome.APPROVED_WITH_CHANGES: _("Say which changes leadership asks for."),
    Outcome.RETURNED: _("Say why the plan is returned and what it needs before it comes back."),
}


class DecisionForm(forms.Form):
    """Leadership's decision on a submitted version: the outcome, a comment and the date."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Always needed. When the plan is approved with changes, say which changes; when it "
            "is returned, say why and what it needs."
        ),
    )
    decided_on = forms.DateField(
        label=_("Date of decision"),
        widget=DateInput(),
        help_text=DATE_HINT,
        error_messages={
            "required": _("Give the date of the decision."),
            "invalid": _("Write the date of the decision as 2027-01-20."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()

    def clean_decided_on(self) -> Any:
        day = self.cleaned_data["decided_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of decision cannot be in the future."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        comment = self["comment"]
        if not comment.data or not str(comment.data).strip():
            # The missing comment's message says what this outcome's comment must tell.
            outcome = cleaned.get("outcome") or Outcome.APPROVED
            self.errors["comment"] = self.error_class([COMMENT_REQUIRED[outcome]])
        return cleaned


class CheckInForm(forms.Form):
    """A trust-based check-in: how it goes, a traffic light, the next step and by when."""

    narrative = forms.CharField(
        label=_("How it goes"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences are enough: what has happened, and what residents notice."),
        error_messages={"required": _("Write a few words on how it goes.")},
    )
    light = forms.ChoiceField(
        label=_("Traffic light"),
        choices=Light.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the initiative is going.")},
    )
    next_step = forms.CharField(
        label=_("Next step"),
        max_length=500,
        help_text=_("One concrete step, such as “Test the form with five applicants”."),
        error_messages={"required": _("Name the next step.")},
    )
    next_step_due = forms.DateField(
        label=_("Next step by"),
        required=False,
        widget=DateInput(),
        help_text=DATE_HINT,
        error_messages={"invalid": _("Write the date of the next step as 2027-01-20.")},
    )
    checked_on = forms.DateField(
        label=_("Date of the check-in"),
        widget=DateInput(),
        help_text=DATE_HINT,
        error_messages={
            "required": _("Give the date of the check-in."),
            "invalid": _("Write the date of the check-in as 2027-01-20."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()

    def clean_checked_on(self) -> Any:
        day = self.cleaned_data["checked_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The check-in cannot be dated in the future."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, due = cleaned.get("checked_on"), cleaned.get("next_step_due")
        if day and due and due < day:
            self.add_error(
                "next_step_due", _("The next step cannot be due before the check-in's date.")
            )
        return cleaned


class VersionPairForm(forms.Form):
    """Which two versions of a plan to compare: `a` (from) and `b` (to)."""

    a = forms.TypedChoiceField(
        label=_("Compare version"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose a version of this plan.")},
    )
    b = forms.TypedChoiceField(
        label=_("with version"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose a version of this plan.")},
    )

    def __init__(self, *args: Any, versions: list[tuple[int, str]], **kwargs: Any) -> None:
        """`versions`: (number, label) of each version of the plan, oldest first."""
        super().__init__(*args, **kwargs)
        choices = [(str(number), label) for number, label in versions]
        for name in ("a", "b"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices
            field.error_messages["required"] = _("Choose a version of this plan.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("a") is not None and cleaned.get("a") == cleaned.get("b"):
            self.add_error("b", _("Choose two different versions."))
        return cleaned
