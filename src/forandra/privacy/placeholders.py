"""What deletion writes in place of a person: in the installation's language, not the visitor's.

The texts are marked for translation here and translated when they are stored, with the
installation's LANGUAGE_CODE active, so a plan written in Swedish gets a Swedish placeholder
whichever language the person who deleted their data used. Pages that explain deletion show
the same stored text.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_noop

REMOVED = gettext_noop("[removed]")
FORMER_MEMBER = gettext_noop("Former member")
REMOVED_PROPOSAL = gettext_noop("Proposal removed by the resident")
REMOVED_NEED = gettext_noop("The resident who proposed this idea has removed its text.")


def stored(text: str) -> str:
    """A placeholder as it is stored."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(text)


def shown(text: str) -> SafeString:
    """A placeholder quoted on a page: as stored, marked with the language it is stored in
    (it may differ from the page's)."""
    return format_html('<span lang="{}">{}</span>', settings.LANGUAGE_CODE, stored(text))
