"""Forms for digitalisation groups and their members."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GroupRole


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the group"),
        max_length=150,
        help_text=_("For example 'Digitaliseringsgruppen i Vindeln'."),
    )


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    function = forms.CharField(
        label=_("Function or department"),
        max_length=150,
        help_text=_("Where the person works, e.g. social services, IT, education."),
    )
    role = forms.ChoiceField(
        label=_("Role in the group"),
        choices=GroupRole.choices,
        initial=GroupRole.MEMBER,
        widget=forms.RadioSelect,
    )
