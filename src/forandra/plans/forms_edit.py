"""Forms of the plan pages: a new plan, its title and years, a step's text, the check of
management versus leadership."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_YEARS = 10  # a plan covers a few years; a longer span is most likely a typing error
YEAR_MIN, YEAR_MAX = 2000, 2100


class PlanForm(forms.Form):
    """The plan's title and years."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example “Digital transformation 2027–2029”."),
    )
    first_year = forms.IntegerField(label=_("First year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    last_year = forms.IntegerField(
        label=_("Last year"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=_("The budget and the roadmap cover every year from the first to the last."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_year", "last_year"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "input--year"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first is not None and last is not None:
            if last < first:
                self.add_error("last_year", _("The last year cannot come before the first year."))
            elif last - first + 1 > MAX_YEARS:
                self.add_error(
                    "last_year",
                    _("A plan covers at most %(count)s years.") % {"count": MAX_YEARS},
                )
        return data


class NewPlanForm(PlanForm):
    """A new plan: title, years, and whether the first draft starts from the data."""

    from_data = forms.BooleanField(
        label=_("Start the first draft from the municipality's data"),
        required=False,
        initial=True,
        help_text=_(
            "Step 1 starts with what the maturity results and the radar say, the capabilities "
            "are the three weakest dimensions, and the initiatives are the ideas chosen in the "
            "latest portfolio. You edit everything afterwards."
        ),
    )


class SectionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "plan-textarea"}),
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )


class LeadershipCheckForm(forms.Form):
    text = forms.CharField(
        label=_("Management and leadership in this plan"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "plan-textarea"}),
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )
