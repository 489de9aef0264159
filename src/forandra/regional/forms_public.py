"""Forms for what a municipality publishes and for the region's public page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.forms.boundfield import BoundWidget
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Part, Publication, PublicSummary


def _help_text(model: type[models.Model], name: str) -> str | Promise:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # a concrete field, not a relation's other end
    return field.help_text


class HintedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes each tied to its own hint (`<id>_hint`) with aria-describedby."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_hint"
        return option


class PublicationForm(forms.Form):
    """The parts of the municipality's data its group publishes: one fieldset of checkboxes,
    each with what it means (the model's help text)."""

    parts = forms.MultipleChoiceField(
        label=_("Publish"),
        choices=Part.choices,
        required=False,
        widget=HintedCheckboxes,
        help_text=_("Tick what the others may see. Untick a part to take it back."),
        error_messages={"invalid_choice": _("Choose among the parts listed.")},
    )

    def options(self) -> list[tuple[BoundWidget, str]]:
        """Each checkbox with what publishing its part means (the model's help text)."""
        return [(box, str(_help_text(Publication, box.data["value"]))) for box in self["parts"]]

    @staticmethod
    def initial_for(publication: Publication) -> dict[str, list[str]]:
        return {"parts": [part.value for part in Part if publication.publishes(part)]}

    def chosen(self) -> dict[str, bool]:
        """maturity/radar/plans -> published, for `services.publication_set`."""
        parts = set(self.cleaned_data["parts"])
        return {part.value: part.value in parts for part in Part}


class PublicSummaryForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Open the public page and the open data"),
        required=False,
        help_text=PublicSummary._meta.get_field("enabled").help_text,
    )
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=PublicSummary._meta.get_field("intro").max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences at the top of the public page; needed to open it."),
        error_messages={
            "max_length": _(
                "The introduction can be at most %(limit_value)d characters long "
                "(it has %(show_value)d)."
            )
        },
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("enabled") and not (data.get("intro") or "").strip():
            self.add_error(
                "intro",
                _("Write a few sentences for the top of the page before you open it."),
            )
        return data
