"""Forms of dot voting: opening a vote, and one participant's dots on one idea."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from .models import Idea
from .voting import MAX_DOTS, MIN_IDEAS


class IdeaChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class VoteForm(forms.Form):
    """A vote's title, each participant's dots and the ideas to choose between."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("For example “Workshop 3: which ideas go on?”"),
    )
    dots = forms.IntegerField(
        label=gettext_lazy("Dots per participant"),
        min_value=1,
        max_value=MAX_DOTS,
        initial=5,
        help_text=gettext_lazy("From 1 to 50. A participant may put several dots on one idea."),
    )
    ideas = IdeaChoiceField(
        label=gettext_lazy("Ideas to vote on"),
        queryset=Idea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "At least two. Parked ideas and unpublished proposals are left out."
        ),
        error_messages={
            "required": gettext_lazy("Choose at least two ideas to vote on."),
            "invalid_choice": gettext_lazy(
                "One of the chosen ideas can no longer be voted on. Choose again."
            ),
        },
    )

    def __init__(self, *args: Any, ideas: QuerySet[Idea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ideas"]
        assert isinstance(field, IdeaChoiceField)
        field.queryset = ideas

    def clean_ideas(self) -> list[Idea]:
        chosen = list(self.cleaned_data["ideas"])
        if len(chosen) < MIN_IDEAS:
            raise forms.ValidationError(
                gettext_lazy("Choose at least two ideas: a vote needs something to choose between.")
            )
        return chosen


class DotForm(forms.Form):
    """How many dots the participant puts on one idea (0 takes them off)."""

    idea = forms.IntegerField(widget=forms.HiddenInput)
    count = forms.IntegerField(
        label=gettext_lazy("Your dots"),
        error_messages={
            "required": gettext_lazy("Give the number of dots, from 0 up."),
            "invalid": gettext_lazy("Give the number of dots as a whole number, from 0 up."),
        },
    )
