"""The form that makes a personal API token."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Scope


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, such as “BI report on maturity”."),
        error_messages={"required": _("Give the token a name.")},
    )
    scope = forms.ChoiceField(
        label=_("What the token may do"),
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text=_("Read only is enough for reports; writing adds ideas, decisions, check-ins."),
        error_messages={"required": _("Choose whether the token may only read or also write.")},
    )
    expires_on = forms.DateField(
        label=_("Valid through"),
        widget=DateInput(),
        error_messages={
            "required": _("Give the last day the token is valid."),
            "invalid": _("Write the date as 2027-01-20."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first, last = services.expiry_bounds()
        field = self.fields["expires_on"]
        field.initial = first + datetime.timedelta(days=90)
        field.help_text = _(
            "At most %(days)s days ahead, until %(last)s. Write the date as 2027-01-20."
        ) % {"days": services.max_days(), "last": last.isoformat()}
        field.widget.attrs.update({"min": first.isoformat(), "max": last.isoformat()})

    def clean_expires_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["expires_on"]
        first, last = services.expiry_bounds()
        if day < first:
            raise forms.ValidationError(_("Choose a date from today on."))
        if day > last:
            raise forms.ValidationError(
                _("A token is valid for at most %(days)s days: choose %(last)s or earlier.")
                % {"days": services.max_days(), "last": last.isoformat()}
            )
        return day
