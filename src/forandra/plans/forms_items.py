"""Forms for a draft's capabilities and initiatives (with the budget grid: one cell per year of
the plan and kind), and for picking ideas of the portfolio."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from forandra.municipalities.models import Municipality
from forandra.scanning.models import Wave

from .editing import MAX_AMOUNT, budget_field
from .models import BudgetKind, Capability, Initiative

SCORE_ERRORS = {
    "invalid": _("Enter the score as a number from 0 to 100, such as 42 or 42.5."),
    "min_value": _("Enter a score from 0 to 100."),
    "max_value": _("Enter a score from 0 to 100."),
}


class ScoreField(forms.FloatField):
    """A score from 0 to 100, with a decimal comma or point whatever the language."""

    # django-stubs type FloatField.to_python as IntegerField's (int | None); it gives a float.
    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0]+", "", value).replace(",", ".")
        return super().to_python(value)


def _score(label: Any, help_text: Any, *, required: bool) -> ScoreField:
    errors = dict(SCORE_ERRORS)
    errors["required"] = _("Enter the target score, from 0 to 100.")
    return ScoreField(
        label=label,
        required=required,
        min_value=0,
        max_value=100,
        localize=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "plans-short"}),
        error_messages=errors,
    )


class CapabilityForm(forms.Form):
    """A capability to develop: a name, optionally its maturity dimension, and the scores."""

    name = forms.CharField(
        label=_("Capability"),
        max_length=200,
        help_text=_(
            "What the municipality must get better at, such as “Shared data between services”."
        ),
        error_messages={"required": _("Name the capability.")},
    )
    dimension = forms.ChoiceField(
        label=_("Maturity dimension"),
        required=False,
        help_text=_("The dimension of the maturity survey it belongs to, if any."),
        error_messages={"invalid_choice": _("Choose among the maturity dimensions.")},
    )
    current_score = _score(
        _("Current score"),
        _("From the latest maturity results, 0 to 100; leave empty if it is not known."),
        required=False,
    )
    target_score = _score(
        _("Target score"), _("Where the plan aims to be at its end, 0 to 100."), required=True
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why this capability matters, or how it will be measured."),
    )

    def __init__(self, *args: Any, dimensions: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["dimension"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("No dimension")), *dimensions]

    @staticmethod
    def initial_for(capability: Capability) -> dict[str, Any]:
        return {
            "name": capability.name,
            "dimension": capability.dimension,
            "current_score": capability.current_score,
            "target_score": capability.target_score,
            "note": capability.note,
        }


class KronorField(forms.IntegerField):
    """Whole kronor; spaces between the thousands ("50 000") and a trailing "kr" are fine. A
    point or comma is refused rather than guessed at: "50.000" could be fifty or fifty
    thousand."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]+", "", value)
            value = re.sub(r"(?i)(kr|sek)$", "", value)
            if "." in value or "," in value:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@dataclass(frozen=True)
class BudgetRow:
    """One kind of the budget grid: its label and a cell (bound field) per year."""

    label: str
    cells: list[BoundField]


class InitiativeForm(forms.Form):
    """An initiative: what, who, when, the first step, the benefit, the budget per year and
    kind, and its links to waves, capabilities and collaborating municipalities."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("A few words that name the change, such as “E-service for building permits”."),
        error_messages={"required": _("Give the initiative a title.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What will be done, and how."),
    )
    owner = forms.CharField(
        label=_("Owner"),
        max_length=150,
        required=False,
        help_text=_(
            "The person or function responsible, such as “Head of social services”. "
            "Every initiative needs an owner before the plan is submitted."
        ),
    )
    start = forms.DateField(
        label=_("Start"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the start as a date, such as 2027-03-01.")},
    )
    end = forms.DateField(
        label=_("End"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the end as a date, such as 2027-11-30.")},
    )
    first_step = forms.CharField(
        label=_("First step"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happens first, and soon: a meeting, a survey, a test with residents."),
    )
    citizen_benefit = forms.CharField(
        label=_("Benefit for residents"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What residents gain when the initiative is done."),
    )
    waves = forms.MultipleChoiceField(
        label=_("Waves of change"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The region's waves of change the initiative rides on."),
        error_messages={"invalid_choice": _("Choose among the region's waves.")},
    )
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities it builds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The capabilities of this plan the initiative helps develop."),
        error_messages={"invalid_choice": _("Choose among this plan's capabilities.")},
    )
    collaborating = forms.MultipleChoiceField(
        label=_("Collaborating municipalities"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Municipalities of the region that do this together with you."),
        error_messages={"invalid_choice": _("Choose among the region's other municipalities.")},
    )

    # Where the grid goes among the fields (and so in the error summary's order).
    BUDGET_AFTER = "citizen_benefit"

    def __init__(
        self,
        *args: Any,
        years: Sequence[int],
        waves: Sequence[Wave],
        capabilities: Sequence[Capability],
        partners: Sequence[Municipality],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.years = list(years)
        self._waves = {wave.key: wave for wave in waves}
        self._capabilities = {str(c.pk): c for c in capabilities}
        self._partners = {m.code: m for m in partners}
        self._set_choices("waves", [(wave.key, wave.name) for wave in waves])
        self._set_choices("capabilities", [(str(c.pk), c.name) for c in capabilities])
        self._set_choices("collaborating", [(m.code, m.name) for m in partners])
        self._add_budget_cells()

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices

    def _add_budget_cells(self) -> None:
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name == self.BUDGET_AFTER:
                for kind in BudgetKind:
                    for year in self.years:
                        fields[budget_field(year, kind.value)] = self._cell(year, kind)
        self.fields = fields

    @staticmethod
    def _cell(year: int, kind: BudgetKind) -> KronorField:
        return KronorField(
            label=_("%(kind)s %(year)s (SEK)") % {"kind": kind.label, "year": year},
            required=False,
            min_value=0,
            max_value=MAX_AMOUNT,
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "class": "plans-amount"}
            ),
            error_messages={
                "invalid": _("Enter a whole number of kronor, such as 50000."),
                "min_value": _("The amount cannot be negative."),
                "max_value": _("Enter at most %(limit_value)s kronor."),
            },
        )

    @property
    def budget_fields(self) -> list[str]:
        return [budget_field(year, kind.value) for kind in BudgetKind for year in self.years]

    def budget_rows(self) -> list[BudgetRow]:
        """The grid for the template: a row per kind, a cell per year."""
        return [
            BudgetRow(
                str(kind.label), [self[budget_field(year, kind.value)] for year in self.years]
            )
            for kind in BudgetKind
        ]

    def budget_errors(self) -> list[tuple[BoundField, str]]:
        """Each cell's errors, in the grid's order, for the list above the grid."""
        return [
            (self[name], str(error)) for name in self.budget_fields for error in self[name].errors
        ]

    @classmethod
    def initial_for(cls, initiative: Initiative) -> dict[str, Any]:
        """The form's starting values for an existing initiative (lines of years outside the
        plan have no cell)."""
        initial: dict[str, Any] = {
            "title": initiative.title,
            "description": initiative.description,
            "owner": initiative.owner,
            "start": initiative.start,
            "end": initiative.end,
            "first_step": initiative.first_step,
            "citizen_benefit": initiative.citizen_benefit,
            "waves": [wave.key for wave in initiative.waves.all()],
            "capabilities": [str(c.pk) for c in initiative.capabilities.all()],
            "collaborating": [m.code for m in initiative.collaborating.all()],
        }
        for line in initiative.budget_lines.all():
            initial[budget_field(line.year, line.kind)] = line.amount
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end must be on or after the start."))
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned values as the services take them: objects for the links, the budget as
        (year, kind, amount) lines."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (
                "title",
                "description",
                "owner",
                "start",
                "end",
                "first_step",
                "citizen_benefit",
            )
        }
        values["waves"] = [self._waves[key] for key in data["waves"]]
        values["capabilities"] = [self._capabilities[pk] for pk in data["capabilities"]]
        values["collaborating"] = [self._partners[code] for code in data["collaborating"]]
        values["budget"] = [
            (year, kind.value, data[budget_field(year, kind.value)] or 0)
            for kind in BudgetKind
            for year in self.years
        ]
        return values


class FromPortfolioForm(forms.Form):
    """The portfolio's ideas to make initiatives of (those already in the plan are not
    offered)."""

    ideas = forms.MultipleChoiceField(
        label=_("Ideas to add"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one idea to add."),
            "invalid_choice": _("Choose among the ideas of the portfolio not yet in the plan."),
        },
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ideas"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(pk), title) for pk, title in choices]

    def chosen(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["ideas"]}
