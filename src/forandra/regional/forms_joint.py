"""The form of a joint initiative: its title, description and the items it links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from .collaboration_items import Item
from .joint import DESCRIPTION_MAX, TITLE_MAX


@dataclass(frozen=True)
class Choice:
    """One item's checkbox, with the item for its label."""

    widget: BoundWidget
    item: Item


@dataclass(frozen=True)
class ChoiceGroup:
    municipality: str
    choices: list[Choice]


class JointForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("What the municipalities will do together, in a few words."),
        error_messages={"required": _("Give the joint initiative a title.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who does what, and what the residents of each municipality gain."),
    )
    items = forms.MultipleChoiceField(
        label=_("Initiatives and ideas it links"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose items of at least two municipalities."),
        error_messages={
            "required": _(
                "Choose the initiatives and ideas to link, of at least two municipalities."
            ),
            "invalid_choice": _(
                "An item you chose cannot be linked: it is not in the region, or you may not "
                "see it. Choose among the items listed."
            ),
        },
    )

    def __init__(self, *args: Any, items: Sequence[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_value = {str(item.ref): item for item in items}
        field = self.fields["items"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(value, item.title) for value, item in self.by_value.items()]

    def clean_items(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["items"]
        if len({self.by_value[value].place.pk for value in chosen}) < 2:
            raise forms.ValidationError(
                _(
                    "Choose items of at least two municipalities: a joint initiative is done "
                    "by two or more municipalities together."
                ),
                code="one_municipality",
            )
        return chosen

    def _choices(self) -> tuple[list[Choice], list[Choice]]:
        """(checked, unchecked) checkboxes, in the order of the items."""
        checked: list[Choice] = []
        others: list[Choice] = []
        for widget in self["items"]:
            choice = Choice(widget, self.by_value[str(widget.data["value"])])
            (checked if widget.data["selected"] else others).append(choice)
        return checked, others

    @property
    def checked(self) -> list[Choice]:
        return self._choices()[0]

    @property
    def other_groups(self) -> list[ChoiceGroup]:
        """The unchecked items by municipality."""
        groups: dict[str, list[Choice]] = {}
        for choice in self._choices()[1]:
            groups.setdefault(choice.item.place.name, []).append(choice)
        return [ChoiceGroup(name, choices) for name, choices in groups.items()]
