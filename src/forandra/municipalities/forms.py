"""Forms for digitalisation groups, their members and the municipality's departments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GroupRole, Unit


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


class UnitForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the department"),
        max_length=Unit._meta.get_field("name").max_length,
        help_text=_("As staff know it, e.g. 'Socialtjänsten' or 'Barn- och utbildning'."),
        error_messages={
            "required": _("Enter the name of the department."),
            "max_length": _("The name can be at most %(limit_value)s characters long."),
        },
    )
