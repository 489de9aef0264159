"""Forms for running a portfolio: the limits, and small formsets for counts, exclusive groups
and dependencies. Each takes the municipality's candidate ideas (and tags) as choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .portfolio import Rules

IdeaChoices = list[tuple[int, str]]


class PortfolioForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("For example “Budget proposal, first draft”."),
    )
    budget = forms.IntegerField(
        label=_("Budget for one-time costs (kr)"),
        min_value=0,
        required=False,
        help_text=_("Leave empty for no limit."),
    )
    yearly_cap = forms.IntegerField(
        label=_("Most yearly costs (kr per year)"),
        min_value=0,
        required=False,
        help_text=_("Leave empty for no limit."),
    )
    capacity = forms.DecimalField(
        label=_("Capacity (person-months)"),
        min_value=0,
        max_digits=7,
        decimal_places=1,
        required=False,
        help_text=_("The work the group can put in. Leave empty for no limit."),
    )
    weakest = forms.BooleanField(
        label=_("At least one idea for each of the three weakest dimensions"),
        required=False,
    )
    must_include = forms.TypedMultipleChoiceField(
        label=_("Ideas that must be included"), coerce=int, required=False
    )
    must_exclude = forms.TypedMultipleChoiceField(
        label=_("Ideas that must be left out"), coerce=int, required=False
    )

    def __init__(
        self, *args: Any, ideas: IdeaChoices, weakest_help: str, weakest_available: bool, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        for name in ("must_include", "must_exclude"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedMultipleChoiceField)
            field.choices = ideas
            field.widget = forms.CheckboxSelectMultiple(choices=ideas)
        self.fields["weakest"].help_text = weakest_help
        self.fields["weakest"].disabled = not weakest_available

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("must_include") or ()) & set(data.get("must_exclude") or ())
        if both:
            self.add_error(
                "must_exclude", _("An idea cannot both be included and left out: choose one.")
            )
        return data


class CountForm(forms.Form):
    tag = forms.ChoiceField(label=_("Wave or dimension"), required=False)
    minimum = forms.IntegerField(label=_("At least"), min_value=0, required=False)
    maximum = forms.IntegerField(label=_("At most"), min_value=0, required=False)

    def __init__(self, *args: Any, tags: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["tag"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("(none)")), *tags]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tag, low, high = data.get("tag"), data.get("minimum"), data.get("maximum")
        if not tag and (low is not None or high is not None):
            self.add_error("tag", _("Choose the wave or dimension the numbers are for."))
        if tag and low is None and high is None:
            self.add_error("minimum", _("Give at least or at most how many ideas."))
        if low is not None and high is not None and high < low:
            self.add_error("maximum", _("“At most” cannot be less than “at least”."))
        return data


class ExclusiveForm(forms.Form):
    ideas = forms.TypedMultipleChoiceField(
        label=_("At most one of these ideas"), coerce=int, required=False
    )

    def __init__(self, *args: Any, ideas: IdeaChoices, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["ideas"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = ideas
        field.widget = forms.CheckboxSelectMultiple(choices=ideas)

    def clean_ideas(self) -> list[int]:
        ideas: list[int] = self.cleaned_data["ideas"]
        if len(ideas) == 1:
            raise ValidationError(_("Choose at least two ideas, or none."))
        return ideas


class RequiresForm(forms.Form):
    idea = forms.TypedChoiceField(label=_("Idea"), coerce=int, required=False, empty_value=None)
    needs = forms.TypedChoiceField(
        label=_("needs idea"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, ideas: IdeaChoices, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for name in ("idea", "needs"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", _("(none)")), *ideas]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        idea, needs = data.get("idea"), data.get("needs")
        if (idea is None) != (needs is None):
            self.add_error("needs" if needs is None else "idea", _("Choose both ideas, or none."))
        elif idea is not None and idea == needs:
            self.add_error("needs", _("An idea cannot need itself: choose another."))
        return data


CountFormSet = forms.formset_factory(CountForm, extra=3, max_num=20)
ExclusiveFormSet = forms.formset_factory(ExclusiveForm, extra=2, max_num=10)
RequiresFormSet = forms.formset_factory(RequiresForm, extra=3, max_num=20)


def rules_from(
    form: PortfolioForm,
    counts: Any,
    exclusive: Any,
    requires: Any,
    *,
    weakest: list[str] | None,
) -> Rules:
    """The rules from valid forms."""
    data = form.cleaned_data
    capacity = data.get("capacity")
    return Rules(
        budget=data.get("budget"),
        yearly_cap=data.get("yearly_cap"),
        capacity=None if capacity is None else float(capacity),
        weakest=tuple(weakest or ()) if data.get("weakest") else (),
        counts=tuple(
            (f.cleaned_data["tag"], f.cleaned_data.get("minimum") or 0, f.cleaned_data["maximum"])
            for f in counts
            if f.cleaned_data.get("tag")
        ),
        must_include=tuple(data.get("must_include") or ()),
        must_exclude=tuple(data.get("must_exclude") or ()),
        exclusive=tuple(
            tuple(f.cleaned_data["ideas"]) for f in exclusive if f.cleaned_data.get("ideas")
        ),
        requires=tuple(
            (f.cleaned_data["idea"], f.cleaned_data["needs"])
            for f in requires
            if f.cleaned_data.get("idea") is not None
        ),
    )
