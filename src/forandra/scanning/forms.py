"""Forms for scanning: feeds, OPML files, signals, wave confirmations, radar placements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import byor
from .models import Wave
from .radar import RINGS

# --- Feeds and signals ---------------------------------------------------------------------------

OPML_MAX_BYTES = 2 * 1024 * 1024  # a podcast app's export of a thousand feeds is ~300 KB


class FeedForm(forms.Form):
    url = forms.CharField(
        label=_("Feed address"),
        max_length=2000,
        help_text=_(
            "The address of an RSS, Atom or podcast feed, such as https://example.se/feed.xml. "
            'In a podcast app, look for "Copy feed address" or "RSS".'
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the address of the feed.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave it empty to use the feed's own title."),
    )


class OpmlForm(forms.Form):
    file = forms.FileField(
        label=_("OPML file"),
        help_text=_(
            "Podcast apps and feed readers can export the feeds you follow as an OPML file "
            "(.opml or .xml)."
        ),
        error_messages={
            "required": _("Choose an OPML file to import."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > OPML_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB; an OPML file is much smaller."),
                params={"limit": OPML_MAX_BYTES // (1024 * 1024)},
            )
        return file


class SignalForm(forms.Form):
    title = forms.CharField(
        label=_("What did you notice?"),
        max_length=500,
        help_text=_("A few words, like a headline."),
        error_messages={"required": _("Write what you noticed, in a few words.")},
    )
    link = forms.URLField(
        label=_("Link"),
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text=_("Where others can read or listen, if there is such a page."),
        error_messages={"invalid": _("Enter a web address that starts with https://.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why it matters for the municipality, or what you want the group to see."),
    )


class SignalFilterForm(forms.Form):
    """The signals list's filters (a GET form)."""

    wave = forms.ChoiceField(label=_("Wave"), required=False)
    unconfirmed = forms.BooleanField(label=_("Only signals not yet confirmed"), required=False)

    def __init__(self, *args: Any, waves: Sequence[Wave], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["wave"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All waves")), *((wave.key, wave.name) for wave in waves)]


class SignalWavesForm(forms.Form):
    """The waves a signal belongs to: the region's waves, by key; none is a valid answer."""

    waves = forms.MultipleChoiceField(
        label=_("Waves"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the region's waves.")},
    )

    def __init__(self, *args: Any, waves: Sequence[Wave], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waves = {wave.key: wave for wave in waves}
        field = self.fields["waves"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(wave.key, wave.name) for wave in waves]

    def chosen(self) -> list[Wave]:
        return [self._waves[key] for key in self.cleaned_data["waves"]]


# --- The radar and the region's waves -------------------------------------------------------

# What each ring means for a municipality, shown beside the choice (centre out).
RING_HINTS = {
    "adopt": _("We use it in our everyday work and build on it."),
    "try": _("We are trying it out, in a pilot or a project."),
    "explore": _("We are finding out what it could mean for us: reading, visiting, asking others."),
    "watch": _("We keep an eye on it, but do nothing about it yet."),
}


class PlacementForm(forms.Form):
    ring = forms.ChoiceField(
        label=_("Ring"),
        choices=[(ring.key, ring.name) for ring in RINGS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the ring where the wave stands for you.")},
    )
    rationale = forms.CharField(
        label=_("Why there?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A sentence or two for the group and the leadership: what you have seen, what you plan."
        ),
    )

    def ring_choices(self) -> list[tuple[Any, Any]]:
        """(radio, its hint) for each ring, so the template can show what each ring means."""
        return [(choice, RING_HINTS[str(choice.data["value"])]) for choice in self["ring"]]


class RadarImportForm(forms.Form):
    file = forms.FileField(
        label=_("Radar file"),
        help_text=_(
            "A CSV or JSON file in the format of Build Your Own Radar, such as one exported here: "
            "the columns name, ring, quadrant (the wave), isNew, status and description."
        ),
        error_messages={
            "required": _("Choose a radar file to import."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > byor.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB."),
                params={"limit": byor.MAX_BYTES // 1_000_000},
            )
        return file


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


KEYWORDS_HELP = _(
    "One word or phrase per line. They help Förändra suggest this wave for new signals: write "
    "the words people use, inflected forms and compounds too."
)


class WaveForm(forms.Form):
    name_sv = forms.CharField(
        label=_("Name in Swedish"),
        max_length=150,
        widget=forms.TextInput(attrs={"lang": "sv"}),
        error_messages={"required": _("Write the wave's name in Swedish.")},
    )
    name_en = forms.CharField(
        label=_("Name in English"),
        max_length=150,
        widget=forms.TextInput(attrs={"lang": "en"}),
        error_messages={"required": _("Write the wave's name in English.")},
    )
    description_sv = forms.CharField(
        label=_("Description in Swedish"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "sv"}),
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
    )
    keywords_sv = forms.CharField(
        label=_("Keywords in Swedish"),
        required=False,
        help_text=KEYWORDS_HELP,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "sv", "spellcheck": "false"}),
    )
    keywords_en = forms.CharField(
        label=_("Keywords in English"),
        required=False,
        help_text=KEYWORDS_HELP,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "en", "spellcheck": "false"}),
    )

    @classmethod
    def initial_for(cls, wave: Wave) -> dict[str, str]:
        return {
            "name_sv": wave.name_sv,
            "name_en": wave.name_en,
            "description_sv": wave.description_sv,
            "description_en": wave.description_en,
            "keywords_sv": "\n".join(wave.keywords.get("sv", [])),
            "keywords_en": "\n".join(wave.keywords.get("en", [])),
        }

    def wave_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it, keywords as lists."""
        data = dict(self.cleaned_data)
        data["keywords_sv"] = _lines(data.get("keywords_sv", ""))
        data["keywords_en"] = _lines(data.get("keywords_en", ""))
        return data


class WaveCreateForm(WaveForm):
    key = forms.CharField(
        label=_("Key"),
        max_length=60,
        help_text=_(
            "A short name for addresses and files, which cannot be changed later: lower-case "
            "letters a–z and digits, joined by hyphens or underscores, such as open_data."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
        error_messages={"required": _("Give the wave a key, such as open_data.")},
    )
    field_order = ["name_sv", "name_en", "key"]
