"""Forms of the material library and the leaders' learning path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from . import library
from .learning_notes import NOTE_MAX_LENGTH
from .models import MaterialKind, MaterialLanguage, Workshop


class MaterialForm(forms.Form):
    """A workshop's material: a web address or a file (the service checks which, and the file)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=MaterialKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of material it is.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the material"),
        choices=MaterialLanguage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the language the material is in.")},
    )
    title_sv = forms.CharField(
        label=_("Title in Swedish"),
        max_length=200,
        error_messages={"required": _("Write the title in Swedish.")},
    )
    title_en = forms.CharField(
        label=_("Title in English"),
        max_length=200,
        error_messages={"required": _("Write the title in English.")},
    )
    url = forms.URLField(
        label=_("Web address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("For material on the web. Leave it empty to upload a file instead."),
        error_messages={
            "invalid": _(
                "Enter a web address that starts with https:// or http://, such as "
                "https://www.example.se/report."
            )
        },
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "Or a file from your computer, at most %(limit)s MB: PDF, PowerPoint, Word, Excel, "
            "OpenDocument, PNG, JPEG, MP3, M4A, MP4, text or Markdown (%(extensions)s)."
        ),
        error_messages={"empty": _("The file is empty. Choose another file.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.help_text = field.help_text % {
            "limit": library.megabytes(library.max_bytes()),
            "extensions": library.allowed_extensions(),
        }
        # The browser filters the file chooser; the server still checks every file.
        field.widget.attrs["accept"] = ",".join(f".{ext}" for ext in library.BY_EXTENSION)

    def clean_file(self) -> Any:
        """Check the file now, so its problem shows with the others (the service checks again)."""
        file = self.cleaned_data.get("file")
        if file:
            try:
                library.file_check(
                    name=library.file_name(file.name or ""), file=file, size=file.size
                )
            except ValidationError as error:
                raise ValidationError(error.message_dict["file"]) from None
        return file

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "url" in cleaned and "file" in cleaned:
            try:
                library.source_check(url=cleaned["url"], has_file=bool(cleaned["file"]))
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return cleaned


class MaterialFilterForm(forms.Form):
    """The library's filters (a GET form)."""

    workshop = forms.TypedChoiceField(label=_("Workshop"), required=False, coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *MaterialKind.choices],
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All languages")), *MaterialLanguage.choices],
    )

    def __init__(self, *args: Any, workshops: Sequence[Workshop], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["workshop"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", _("All workshops")),
            *((str(w.number), f"{w.label}: {w.title}") for w in workshops),
        ]


class LearningNoteForm(forms.Form):
    """A leader's own note on a module, and whether they have done it."""

    note = forms.CharField(
        label=_("My note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "max_length": _(
                "The note may have at most %(limit_value)d characters; it has %(show_value)d."
            )
        },
    )
    done = forms.BooleanField(label=_("I have done this module"), required=False)

    def __init__(self, *args: Any, prompt: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        note = self.fields["note"]
        # Help texts are shown as HTML; the prompt is text.
        note.help_text = _("%(prompt)s Only you can read your note.") % {"prompt": escape(prompt)}
