"""Every page reads in Swedish by default and in English after the switch.

For each page of the permission table, requested by a role that may open it, the Swedish
rendering must contain none of the English source texts that have a Swedish translation, and the
English rendering none of the Swedish translations.
"""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from forandra.municipalities.models import DigitalisationGroup
from tests.conftest import Users
from tests.test_permission_matrix import TABLE, make_ctx
from tests.test_translations import SV, placeholders, read_po

# Downloads (CSV, XLSX, YAML, ICS) are files, not pages; their own tests check their language.
DOWNLOADS = {
    "programme:calendar",
    "programme:group_calendar",
    "maturity:round_export",
    "maturity:instrument_yaml",
    "maturity:round_report",
    "scanning:radar_export",
    "programme:material_file",
    "programme:report_export",
    "plans:export",
    "regional:data_download",
    "privacy:my_data_download",
    "privacy:resident_download",
    # operations
    "healthz",  # text/plain "ok" for probes
    "readyz",  # JSON for probes
    # operations: end
}
# The API answers programs, in JSON, and documents itself in English (Swagger UI); single sign-on
# is off in the tests, so its two addresses are not found.
NOT_PAGES = ("admin:", "api:", "oidc_")
PAGES = sorted(
    name
    for name, rule in TABLE.items()
    if rule.method == "get" and not name.startswith(NOT_PAGES) and name not in DOWNLOADS
)
# Parts of a page that htmx fetches to update it live: no <html> of their own, but their words
# are checked like a page's.
FRAGMENTS = {
    "programme:concepts_live",
    "programme:board_live",
    "programme:facilitate_live",
    "ideas:vote_results_live",
}
LONG_ENOUGH = 12  # shorter texts ("Start", "Region") may be the same word in both languages


def distinctive_texts() -> tuple[set[str], set[str]]:
    """(English msgids, Swedish msgstrs) that differ and are long enough to be telling."""
    english, swedish = set(), set()
    for entry in read_po(SV):
        if entry.is_header or entry.msgid_plural or placeholders(entry.msgid):
            continue
        translation = entry.msgstr.get(0, "")
        if "{{" in entry.msgid or not translation or translation == entry.msgid:
            continue
        if len(entry.msgid) >= LONG_ENOUGH:
            english.add(entry.msgid)
        if len(translation) >= LONG_ENOUGH:
            swedish.add(translation)
    return english, swedish


ENGLISH, SWEDISH = distinctive_texts()


def visible_text(body: str, language: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    # A part marked as another language (WCAG 3.1.2: a source's own title, a text stored in the
    # installation's language) is that language's, not the page's.
    body = re.sub(
        rf'<(\w+)\b[^>]*\slang="(?!{language}")[^"]*"[^>]*>.*?</\1>', " ", body, flags=re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def contains(page: str, text: str) -> bool:
    """Whether the text stands in the page as whole words."""
    return re.search(rf"(?<!\w){re.escape(text)}(?!\w)", page) is not None


def role_for(name: str) -> str:
    allowed = TABLE[name].allowed
    roles = ("anonymous", "member", "coordinator", "admin", "leadership")
    return next(role for role in roles if role in allowed)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_page_is_swedish_by_default_and_english_after_the_switch(
    name: str, users: Users, home_group: DigitalisationGroup
) -> None:
    rule = TABLE[name]
    ctx = make_ctx(users, home_group)
    url = reverse(name, kwargs=rule.kwargs(ctx))
    client = Client()
    user = users.by_name(role_for(name))
    if user is not None:
        client.force_login(user)

    swedish = client.get(url, follow=True)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(url, follow=True)

    assert swedish.status_code == english.status_code == 200
    sv_text, en_text = (
        visible_text(swedish.content.decode(), "sv"),
        visible_text(english.content.decode(), "en"),
    )
    if name not in FRAGMENTS:
        assert '<html lang="sv">' in swedish.content.decode()
        assert '<html lang="en">' in english.content.decode()
        assert "Hoppa till innehåll" in sv_text and "Skip to content" in en_text
    assert sorted(text for text in ENGLISH if contains(sv_text, text)) == []
    assert sorted(text for text in SWEDISH if contains(en_text, text)) == []


def test_the_check_knows_enough_texts_and_matches_whole_words() -> None:
    assert len(ENGLISH) > 50
    assert len(SWEDISH) > 50
    assert contains("Öppna gruppen nu", "Öppna gruppen")
    assert not contains("Digitaliseringsgruppen i Vindeln", "Digitaliseringsgrupp")
