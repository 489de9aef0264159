"""The leaders' learning path: its pages, each user's own note (read by nobody else), and the
coordinator's view of how the region's leadership takes part, in counts only."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.accounts.models import Role, User
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality, Region
from forandra.programme import learning_notes
from forandra.programme.learning import default_learning_path
from forandra.programme.models import LearningNote
from tests.conftest import Users, make_user
from tests.programme.builders import MORE_CODES

pytestmark = pytest.mark.django_db

PATH = default_learning_path()
KEYS = list(PATH.keys)
SECRET = "Jag är osäker på om vi i ledningen verkligen vill det här."


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def module_url(key: str) -> str:
    return reverse("programme:learning_module", args=[key])


def participation_url(region: Region) -> str:
    return reverse("programme:learning_participation", args=[region.code])


def text_of(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def finish(user: User, keys: list[str] = KEYS, note: str = "") -> None:
    for key in keys:
        learning_notes.note_save(user=user, module_key=key, note=note, done=True)


# --- The path and its modules ---------------------------------------------------------------------


def test_the_path_lists_the_five_modules_with_the_user_s_progress(users: Users) -> None:
    learning_notes.note_save(user=users.leadership, module_key=KEYS[1], note="Min tanke", done=True)
    learning_notes.note_save(user=users.leadership, module_key=KEYS[2], note="Utkast", done=False)

    text = text_of(signed_in(users.leadership).get(reverse("programme:learning_path")))

    assert "1 of 5 modules done" in text
    for module in PATH.modules:
        assert f"Module {module.number}: {module.title.en}" in text
    assert text.count("You have written a note") == 2
    assert text.count("Done") >= 1 and text.count("Not done yet") == 4


def test_a_module_shows_its_reading_with_named_sources_and_its_questions(users: Users) -> None:
    module = PATH.modules[0]

    response = signed_in(users.member).get(module_url(module.key))
    text = text_of(response)

    assert response.status_code == 200
    for source in module.reading:
        assert source.title in text and source.by in text
        if source.url:
            assert f'href="{source.url}"' in response.content.decode()
    for question in module.questions:
        assert question.en in text
    assert module.note_prompt.en in text
    assert "Only you can read your note." in text


def test_an_unknown_module_is_not_found(users: Users) -> None:
    assert signed_in(users.member).get(module_url("no_such_module")).status_code == 404


def test_a_note_marked_done_is_saved_and_counted(users: Users) -> None:
    client = signed_in(users.leadership)

    response = client.post(module_url(KEYS[0]), {"note": f"  {SECRET}  ", "done": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("programme:learning_path")
    note = LearningNote.objects.get(user=users.leadership, module_key=KEYS[0])
    assert note.note == SECRET and note.done_at is not None
    assert learning_notes.modules_done(user=users.leadership) == 1
    assert SECRET in text_of(client.get(module_url(KEYS[0])))


def test_a_note_can_be_saved_without_marking_and_a_mark_taken_back(users: Users) -> None:
    client = signed_in(users.member)
    client.post(module_url(KEYS[3]), {"note": "Första", "done": "on"})

    response = client.post(module_url(KEYS[3]), {"note": "Andra"})

    assert response["Location"] == module_url(KEYS[3])
    note = LearningNote.objects.get(user=users.member, module_key=KEYS[3])
    assert (note.note, note.done_at) == ("Andra", None)


def test_a_note_that_is_too_long_is_refused_and_kept_in_the_form(users: Users) -> None:
    long = "å" * (learning_notes.NOTE_MAX_LENGTH + 1)

    response = signed_in(users.leadership).post(module_url(KEYS[0]), {"note": long})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "The note may have at most 5000 characters; it has 5001." in text_of(response)
    assert long in body
    assert not LearningNote.objects.filter(user=users.leadership).exists()


def test_the_service_refuses_an_unknown_module_and_a_long_note(users: Users) -> None:
    with pytest.raises(ValidationError) as unknown:
        learning_notes.note_save(user=users.member, module_key="nope", note="", done=True)
    with pytest.raises(ValidationError) as long:
        learning_notes.note_save(user=users.member, module_key=KEYS[0], note="x" * 5001, done=False)

    assert "module_key" in unknown.value.message_dict
    assert "note" in long.value.message_dict
    assert not LearningNote.objects.exists()


# --- Notes are private ----------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["member", "coordinator", "admin", "other_member"])
def test_nobody_else_sees_anything_of_a_note(users: Users, region: Region, reader: str) -> None:
    learning_notes.note_save(user=users.leadership, module_key=KEYS[0], note=SECRET, done=True)
    client = signed_in(users.by_name(reader))

    module = client.get(module_url(KEYS[0]))
    path = client.get(reverse("programme:learning_path"))

    for response in (module, path):
        assert SECRET not in text_of(response)
    assert "You have written a note" not in text_of(path)
    assert "0 of 5 modules done" in text_of(path)
    if reader in ("coordinator", "admin"):
        participation = client.get(participation_url(region))
        assert participation.status_code == 200
        assert SECRET not in text_of(participation)


def test_saving_writes_only_the_user_s_own_note(users: Users) -> None:
    learning_notes.note_save(user=users.leadership, module_key=KEYS[0], note=SECRET, done=True)

    signed_in(users.member).post(module_url(KEYS[0]), {"note": "Mitt eget"})

    assert LearningNote.objects.get(user=users.leadership, module_key=KEYS[0]).note == SECRET
    assert LearningNote.objects.get(user=users.member, module_key=KEYS[0]).note == "Mitt eget"


# --- Participation --------------------------------------------------------------------------------


def test_participation_counts_leaders_begun_finished_and_modules_per_municipality(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    second = make_user("leadership2", Role.LEADERSHIP, municipality=home)
    make_user("neighbour_leader", Role.LEADERSHIP, municipality=neighbour)
    finish(users.leadership, note=SECRET)
    learning_notes.note_save(user=second, module_key=KEYS[1], note="", done=True)
    # Members' own progress is theirs, not the leadership's: it is not counted.
    finish(users.member)

    rows = {
        row.municipality.code: row
        for row in learning_notes.learning_participation(region=region).rows
    }

    assert (rows[home.code].leaders, rows[home.code].begun, rows[home.code].finished) == (2, 2, 1)
    assert rows[home.code].done_per_module == (1, 2, 1, 1, 1)
    assert rows[neighbour.code].leaders == 1 and rows[neighbour.code].begun == 0
    assert rows[neighbour.code].no_leader_taking_part


def test_a_note_written_but_not_done_counts_as_begun(
    users: Users, region: Region, home: Municipality
) -> None:
    learning_notes.note_save(user=users.leadership, module_key=KEYS[0], note="Tanke", done=False)

    row = next(
        r
        for r in learning_notes.learning_participation(region=region).rows
        if r.municipality == home
    )

    assert (row.begun, row.finished, row.done_per_module) == (1, 0, (0, 0, 0, 0, 0))


def test_the_participation_page_marks_municipalities_without_leaders_in_words(
    users: Users, region: Region, neighbour: Municipality
) -> None:
    make_user("neighbour_leader", Role.LEADERSHIP, municipality=neighbour)
    finish(users.leadership)

    response = signed_in(users.coordinator).get(participation_url(region))
    text = text_of(response)

    assert response.status_code == 200
    assert "Engaged leadership was what the programme lacked where it failed." in text
    assert f"{neighbour.name} No leader has taken part yet" in text
    assert "Vindeln No leader" not in text
    # Every other municipality of the region has no leadership user at all.
    assert text.count("No leadership user in Förändra") == (
        municipality_selectors.region_municipalities(region=region).count() - 2
    )


def test_the_participation_page_takes_the_same_queries_for_2_and_12_municipalities(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    client = signed_in(users.coordinator)

    def leaders_in(codes: list[str]) -> None:
        for code in codes:
            municipality = municipality_selectors.municipality_get(code=code)
            leader = make_user(f"leader_{code}", Role.LEADERSHIP, municipality=municipality)
            finish(leader, KEYS[:2], note="Anteckning")

    leaders_in([home.code, neighbour.code])
    with CaptureQueriesContext(connection) as few:
        assert client.get(participation_url(region)).status_code == 200
    leaders_in(MORE_CODES[:10])
    with CaptureQueriesContext(connection) as many:
        response = client.get(participation_url(region))

    assert learning_notes.learning_participation(region=region).begun == 12
    assert "No leader has taken part yet" not in text_of(response)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_path_links_to_participation_only_for_those_who_may_see_it(
    users: Users, region: Region
) -> None:
    link = participation_url(region)

    assert (
        link
        in signed_in(users.coordinator).get(reverse("programme:learning_path")).content.decode()
    )
    assert link in signed_in(users.admin).get(reverse("programme:learning_path")).content.decode()
    for reader in (users.member, users.leadership, users.other_coordinator):
        page = signed_in(reader).get(reverse("programme:learning_path")).content.decode()
        assert link not in page


# --- The start page -------------------------------------------------------------------------------


def test_the_start_page_invites_leaders_to_the_path_with_their_progress(users: Users) -> None:
    finish(users.leadership, KEYS[:2])

    text = text_of(signed_in(users.leadership).get(reverse("core:start")))

    assert "You have done 2 of 5 modules." in text
    assert "Continue the learning path" in text


def test_the_start_page_links_other_signed_in_users_to_the_path(users: Users) -> None:
    member = signed_in(users.member).get(reverse("core:start")).content.decode()
    anonymous = Client().get(reverse("core:start")).content.decode()

    assert reverse("programme:learning_path") in member
    assert "you have done 0 of 5 modules." in " ".join(member.split())
    assert reverse("programme:learning_path") not in anonymous
