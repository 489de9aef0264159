"""Forms for opening rounds and answering the instrument."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from forandra.municipalities.models import Unit

from .instrument import Dimension, Instrument
from .models import Mode

DONT_KNOW = "dk"


class RoundForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=150, help_text=_("For example 'Baseline 2026'.")
    )
    mode = forms.ChoiceField(
        label=_("How to answer"), choices=Mode.choices, widget=forms.RadioSelect
    )
    opened_on = forms.DateField(
        label=_("Date"),
        help_text=_("Write the date as 2026-03-15."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    invited = forms.IntegerField(
        label=_("Number of staff invited"),
        min_value=1,
        required=False,
        help_text=_("For a survey: how many received the link, so the response rate can be shown."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()


def _scale_choices(instrument: Instrument, language: str) -> list[tuple[str, str]]:
    choices = [(str(step.value), step.label.get(language)) for step in instrument.scale.steps]
    return [*choices, (DONT_KNOW, instrument.scale.dont_know.get(language))]


class DimensionAnswersForm(forms.Form):
    """One dimension's statements; each is a fieldset of the scale's steps and "don't know".

    With `with_why`, each statement also has a short "why" (consensus mode)."""

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        dimension: Dimension,
        with_why: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "sv"
        self.dimension = dimension
        for statement in dimension.statements:
            self.fields[statement.key] = forms.ChoiceField(
                label=statement.text.get(language),
                choices=_scale_choices(instrument, language),
                widget=forms.RadioSelect,
                required=False,
            )
            if with_why:
                self.fields[f"{statement.key}__why"] = forms.CharField(
                    label=_("Why this answer?"),
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def answers(self) -> dict[str, int | None]:
        """Statement key -> value (None for "don't know" or no answer)."""
        result: dict[str, int | None] = {}
        for statement in self.dimension.statements:
            raw = self.cleaned_data.get(statement.key) or ""
            result[statement.key] = int(raw) if raw and raw != DONT_KNOW else None
        return result

    def whys(self) -> dict[str, str]:
        return {
            s.key: self.cleaned_data.get(f"{s.key}__why", "") or ""
            for s in self.dimension.statements
        }


class FinishSurveyForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Your department"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("I would rather not say"),
        help_text=_("Departments with fewer than five answers are never shown on their own."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class TokensForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of personal links"),
        min_value=1,
        max_value=5000,
        help_text=_("Each link can be used to answer once. The open link stops taking answers."),
    )
