"""Helpers shared by the forms of every app."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _


def apply_validation_error(form: forms.Form, error: ValidationError | IntegrityError) -> None:
    """Show a service's validation error on the form: on its field when the form has that
    field, otherwise at the top of the form."""
    if isinstance(error, IntegrityError):
        form.add_error(None, _("This could not be saved because it conflicts with stored data."))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)
