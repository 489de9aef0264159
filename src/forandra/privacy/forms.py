"""Forms for personal data: confirming an account's deletion, and the residents' requests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from forandra.accounts.models import User


def confirmation_word(user: User) -> str:
    """What a user without a password types to confirm: their e-mail address, or username."""
    return user.email.strip() or user.get_username()


class AccountDeleteForm(forms.Form):
    """Asks again before an account is deleted: the password, or for single sign-on users
    (who have none here) their e-mail address typed out."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you who deletes the account."),
    )
    confirmation = forms.CharField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        if user.has_usable_password():
            del self.fields["confirmation"]
        else:
            del self.fields["password"]
            field = self.fields["confirmation"]
            if not user.email.strip():
                field.label = _("Your username")
            field.help_text = _(
                "You sign in through your organisation, so you have no password here. Type "
                "“%(word)s” to confirm that you want to delete your account."
            ) % {"word": confirmation_word(user)}

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # Through the authentication backends, so wrong passwords count towards the lockout.
        found = authenticate(self.request, username=self.user.get_username(), password=password)
        if found is None or found.pk != self.user.pk:
            raise forms.ValidationError(_("The password is not right."), code="wrong")
        return password

    def clean_confirmation(self) -> str:
        typed: str = self.cleaned_data["confirmation"].strip()
        if typed.casefold() != confirmation_word(self.user).casefold():
            raise forms.ValidationError(
                _("Type “%(word)s” exactly as it is shown.")
                % {"word": confirmation_word(self.user)},
                code="mismatch",
            )
        return typed


class ResidentRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The address you gave when you proposed an idea."),
    )


class ResidentChoice:
    CONTACT = "contact"
    PROPOSALS = "proposals"


class ResidentDeleteForm(forms.Form):
    what = forms.ChoiceField(
        label=_("What should be deleted?"),
        widget=forms.RadioSelect,
        choices=[
            (
                ResidentChoice.CONTACT,
                _(
                    "Only my e-mail address: my proposals stay, without anything that links "
                    "them to me"
                ),
            ),
            (
                ResidentChoice.PROPOSALS,
                _("My e-mail address and what I wrote in my proposals"),
            ),
        ],
        error_messages={"required": _("Choose what should be deleted.")},
    )
