"""Forms for opening rounds and answering the instrument."""

from __future__ import annotations

from collections.abc import Mapping
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


class SurveyForm(forms.Form):
    """The whole staff survey in one form: every statement, then the optional department.

    Statements are grouped into parts (one per dimension) by the template; unanswered statements
    count as "don't know", so a respondent may skip what they cannot judge.
    """

    unit = forms.ModelChoiceField(
        label=_("Your department"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("I would rather not say"),
        help_text=_("Departments with fewer than five answers are never shown on their own."),
    )

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        units: Any,
        with_statements: bool = True,
        **kwargs: Any,
    ) -> None:
        """Without statements, the form is only the department: enough for an empty page whose
        statements come from the cache (see `parts`)."""
        super().__init__(*args, **kwargs)
        language = get_language() or "sv"
        self.instrument = instrument
        choices = _scale_choices(instrument, language)
        unit = self.fields.pop("unit")
        for _dimension, statement in instrument.statements() if with_statements else ():
            self.fields[statement.key] = forms.ChoiceField(
                label=statement.text.get(language),
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
            )
        unit.queryset = units  # type: ignore[attr-defined]
        self.fields["unit"] = unit

    def parts(self) -> list[tuple[Dimension, list[forms.BoundField]]]:
        """Each dimension with the bound fields of its statements, in the instrument's order."""
        return [(d, [self[s.key] for s in d.statements]) for d in self.instrument.dimensions]

    def answers(self) -> dict[str, int | None]:
        """Statement key -> value (None for "don't know" or no answer)."""
        result: dict[str, int | None] = {}
        for _dimension, statement in self.instrument.statements():
            raw = self.cleaned_data.get(statement.key) or ""
            result[statement.key] = int(raw) if raw and raw != DONT_KNOW else None
        return result


def survey_answers(instrument: Instrument, data: Mapping[str, str]) -> dict[str, int | None] | None:
    """The answers of a survey POST that `SurveyForm` would accept, read without building the
    form (47 fields cost more than the rest of the request); None for anything else, which the
    form then reads and explains."""
    accepted = {"", DONT_KNOW, *(str(step.value) for step in instrument.scale.steps)}
    answers: dict[str, int | None] = {}
    for _dimension, statement in instrument.statements():
        raw = data.get(statement.key, "")
        if raw not in accepted:
            return None
        answers[statement.key] = int(raw) if raw and raw != DONT_KNOW else None
    return answers


class TokensForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of personal links"),
        min_value=1,
        max_value=5000,
        help_text=_("Each link can be used to answer once. The open link stops taking answers."),
    )
