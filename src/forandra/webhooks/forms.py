"""The webhook form: an address, the events, and whether it is on."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SUBSCRIBABLE


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=2000,
        help_text=_(
            "Where Förändra sends the events, such as https://example.se/hooks/forandra. It must "
            "be reachable from the internet: internal network addresses are refused."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the address the events are sent to.")},
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(event.value, event.label) for event in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one event."),
            "invalid_choice": _("Choose among the events offered."),
        },
    )
    active = forms.BooleanField(
        label=_("Send events to this address"),
        required=False,
        initial=True,
        help_text=_("Turn it off to pause the webhook without losing its settings or log."),
    )
