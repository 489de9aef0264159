"""Forms of the idea bank: an idea, the bank's filters, the weights, proposals and moderation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Idea, Source, Status
from .scoring import CRITERIA

MAX_COST = 2_000_000_000  # SEK; what a PositiveIntegerField holds, with room to spare

BENEFIT_CHOICES = [
    (1, _("1 – hardly any")),
    (2, _("2 – some")),
    (3, _("3 – clear")),
    (4, _("4 – large")),
    (5, _("5 – very large")),
]
FEASIBILITY_CHOICES = [
    (1, _("1 – very hard")),
    (2, _("2 – hard")),
    (3, _("3 – doable")),
    (4, _("4 – easy")),
    (5, _("5 – very easy")),
]
RISK_CHOICES = [
    (1, _("1 – very low")),
    (2, _("2 – low")),
    (3, _("3 – moderate")),
    (4, _("4 – high")),
    (5, _("5 – very high")),
]


def _scale(label: Any, choices: list[tuple[int, Any]], help_text: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        initial=3,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": _("Choose a value from 1 to 5.")},
    )


class IdeaForm(forms.Form):
    """An idea of the bank, with its estimates: the same form adds and edits."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("A few words that name the change, such as “Book the sports hall online”."),
        error_messages={"required": _("Give the idea a title.")},
    )
    need = forms.CharField(
        label=_("The residents' need or problem"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Whose need, and what is hard for them today."),
        error_messages={"required": _("Describe the need or problem the idea meets.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What would be done, and how."),
    )
    source = forms.ChoiceField(
        label=_("Where the idea comes from"),
        choices=Source.choices,
        initial=Source.GROUP,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where the idea comes from.")},
    )
    waves = forms.MultipleChoiceField(
        label=_("Waves of change"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The region's waves of change the idea rides on."),
        error_messages={"invalid_choice": _("Choose among the region's waves.")},
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Maturity dimensions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The areas of digital maturity the idea builds."),
        error_messages={"invalid_choice": _("Choose among the maturity dimensions.")},
    )
    one_time_cost = forms.IntegerField(
        label=_("One-time cost (SEK)"),
        min_value=0,
        max_value=MAX_COST,
        initial=0,
        help_text=_("Whole kronor, without spaces, such as 120000."),
        error_messages={
            "required": _("Enter the one-time cost in kronor; 0 if there is none."),
            "invalid": _("Enter the one-time cost as a whole number of kronor, such as 120000."),
            "min_value": _("The one-time cost cannot be negative."),
        },
    )
    yearly_cost = forms.IntegerField(
        label=_("Yearly cost (SEK)"),
        min_value=0,
        max_value=MAX_COST,
        initial=0,
        help_text=_("Licences, operation and support per year, in whole kronor."),
        error_messages={
            "required": _("Enter the yearly cost in kronor; 0 if there is none."),
            "invalid": _("Enter the yearly cost as a whole number of kronor, such as 25000."),
            "min_value": _("The yearly cost cannot be negative."),
        },
    )
    effort = forms.DecimalField(
        label=_("Effort (person-months)"),
        min_value=0,
        max_value=99999,
        decimal_places=1,
        initial=0,
        help_text=_("The municipality's own work, such as 1.5 for six weeks of one person."),
        error_messages={
            "required": _("Enter the effort in person-months; 0 if there is none."),
            "invalid": _("Enter the effort as a number of person-months, such as 1.5."),
            "min_value": _("The effort cannot be negative."),
            "max_decimal_places": _("Give the effort with at most one decimal, such as 1.5."),
        },
    )
    benefit = _scale(
        _("Benefit for residents"),
        BENEFIT_CHOICES,
        _("How much residents gain when the idea is done."),
    )
    feasibility = _scale(
        _("Feasibility"),
        FEASIBILITY_CHOICES,
        _("How easy it is to carry out for the municipality."),
    )
    risk = _scale(_("Risk"), RISK_CHOICES, _("How much could go wrong: cost, time, trust, law."))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Status.choices,
        initial=Status.NEW,
        error_messages={"required": _("Choose the idea's status.")},
    )

    def __init__(
        self,
        *args: Any,
        waves: Sequence[Any],
        dimensions: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._waves = {wave.key: wave for wave in waves}
        wave_field = self.fields["waves"]
        assert isinstance(wave_field, forms.MultipleChoiceField)
        wave_field.choices = [(wave.key, wave.name) for wave in waves]
        dimension_field = self.fields["dimensions"]
        assert isinstance(dimension_field, forms.MultipleChoiceField)
        dimension_field.choices = list(dimensions)

    @classmethod
    def initial_for(cls, idea: Idea) -> dict[str, Any]:
        """The form's starting values for an existing idea."""
        return {
            "title": idea.title,
            "need": idea.need,
            "description": idea.description,
            "source": idea.source,
            "waves": [wave.key for wave in idea.waves.all()],
            "dimensions": list(idea.dimensions),
            "one_time_cost": idea.one_time_cost,
            "yearly_cost": idea.yearly_cost,
            "effort": idea.effort,
            "benefit": idea.benefit,
            "feasibility": idea.feasibility,
            "risk": idea.risk,
            "status": idea.status,
        }

    def values(self) -> dict[str, Any]:
        """The cleaned values as the services take them (waves as Wave objects)."""
        data = dict(self.cleaned_data)
        data["waves"] = [self._waves[key] for key in data["waves"]]
        return data


SORT_CHOICES = [
    ("score", _("Highest score")),
    ("newest", _("Newest")),
    ("benefit", _("Highest benefit for residents")),
]


class IdeaFilterForm(forms.Form):
    """The idea bank's filters and order (a GET form)."""

    q = forms.CharField(label=_("Words in the idea"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    wave = forms.ChoiceField(label=_("Wave of change"), required=False)
    dimension = forms.ChoiceField(label=_("Maturity dimension"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=SORT_CHOICES)

    def __init__(
        self,
        *args: Any,
        waves: Sequence[Any],
        dimensions: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "status": [("", _("Any status")), *Status.choices],
            "source": [("", _("Any source")), *Source.choices],
            "wave": [("", _("Any wave")), *((wave.key, wave.name) for wave in waves)],
            "dimension": [("", _("Any dimension")), *dimensions],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values

    def filters(self) -> dict[str, str]:
        """The chosen filters and order; an invalid value counts as not chosen."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "text": data["q"].strip(),
            "status": data["status"],
            "source": data["source"],
            "wave": data["wave"],
            "dimension": data["dimension"],
            "sort": data["sort"] or "score",
        }


# What each criterion means, shown beside its weight (see scoring.py).
CRITERION_HINTS = {
    "benefit": _("How much residents gain: the idea's benefit on its scale of 1 to 5."),
    "feasibility": _("How easy the idea is to carry out: its feasibility on 1 to 5."),
    "risk": _("Low risk counts as good: an idea with risk 1 gets all the points, risk 5 none."),
    "cost": _(
        "Low cost counts as good: the one-time cost plus three years of the yearly cost, "
        "compared with the most expensive idea in the bank (which gets no points)."
    ),
    "effort": _(
        "Low effort counts as good: person-months compared with the idea that takes the most."
    ),
    "support": _(
        "Residents' support and the dots from workshop votes, compared with the most "
        "supported idea (which gets all the points)."
    ),
}
CRITERION_LABELS = {
    "benefit": _("Benefit for residents"),
    "feasibility": _("Feasibility"),
    "risk": _("Low risk"),
    "cost": _("Low cost"),
    "effort": _("Low effort"),
    "support": _("Support from residents and dots"),
}


class WeightsForm(forms.Form):
    """How much each criterion counts in the score, 0 to 10."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in CRITERIA:
            self.fields[criterion] = forms.IntegerField(
                label=CRITERION_LABELS[criterion],
                min_value=0,
                max_value=10,
                help_text=CRITERION_HINTS[criterion],
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "ideas-weight"}),
                error_messages={
                    "required": _("Enter a weight from 0 to 10."),
                    "invalid": _("Enter a whole number from 0 to 10."),
                    "min_value": _("Enter a weight from 0 to 10."),
                    "max_value": _("Enter a weight from 0 to 10."),
                },
            )


class ProposalForm(forms.Form):
    """A resident's proposal: no account, an optional e-mail, and a field only bots fill in."""

    title = forms.CharField(
        label=_("Your idea in a few words"),
        max_length=200,
        error_messages={"required": _("Write your idea in a few words.")},
    )
    need = forms.CharField(
        label=_("What need or problem would it solve?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who has the problem, and what is hard today?"),
        error_messages={"required": _("Write what need or problem the idea would solve.")},
    )
    description = forms.CharField(
        label=_("Describe your idea"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("How could it work? Do not write names or other personal details."),
    )
    email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an e-mail address like name@example.se.")},
    )
    # The honeypot: hidden from people and assistive technology; bots fill in every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)


class ModerationForm(forms.Form):
    """Publish or decline one proposal; declining needs a reason the proposer will see."""

    decision = forms.ChoiceField(
        choices=[("publish", _("Publish")), ("decline", _("Decline"))],
        error_messages={"required": _("Choose to publish or decline the proposal.")},
    )
    reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
