"""Forms of workshop 1 (a group's definitions, agreement marks, board notes) and of the
facilitator's controls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BoardColumn
from .ws1 import DEFINITION_MAX_LENGTH, NOTE_MAX_LENGTH


class DefinitionForm(forms.Form):
    """The group's own definition of one term; `revision` is the one the writer had in front of
    them, so a text saved meanwhile by someone else is not overwritten unseen."""

    text = forms.CharField(
        label=_("Our definition"),
        max_length=DEFINITION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the group's definition of the term.")},
    )
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, term_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if term_name:
            self.fields["text"].label = _("Our definition of “%(term)s”") % {"term": term_name}
        self.fields["text"].help_text = _(
            "In your own words, at most %(limit)d characters. Saving a new text clears the "
            "group's marks: everyone marks the new text again."
        ) % {"limit": DEFINITION_MAX_LENGTH}


class MarkForm(forms.Form):
    """A participant's mark on a definition's current text (the revision they read)."""

    agrees = forms.TypedChoiceField(
        label=_("Do you agree?"),
        choices=[("yes", _("We agree")), ("no", _("I do not agree yet"))],
        coerce=lambda value: value == "yes",
        error_messages={"required": _("Choose “We agree” or “I do not agree yet”.")},
    )
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class BoardNoteForm(forms.Form):
    column = forms.ChoiceField(
        label=_("Column"),
        choices=BoardColumn.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a column: challenges, opportunities or risks.")},
    )
    text = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _(
            "What digitalisation means for your community, at most %(limit)d characters."
        ) % {"limit": NOTE_MAX_LENGTH}


TIMER_ACTIONS = ("start", "pause", "reset")
STEP_MOVES = {"previous": -1, "next": 1}
