"""Workshop 1's pages and the facilitator's screen, through the test client."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.accounts.models import Role, User
from forandra.municipalities.models import DigitalisationGroup
from forandra.programme import services, ws1
from forandra.programme.glossary import default_glossary
from forandra.programme.models import BoardNote, DefinitionMark, Facilitation, Programme, Session
from tests.conftest import Users, make_user
from tests.programme.builders import make_programme, schedule_four

pytestmark = pytest.mark.django_db

TERM = default_glossary().terms[0].key
HTMX = {"HX-Request": "true"}


@pytest.fixture
def programme(home_group: DigitalisationGroup) -> Programme:
    municipality = home_group.municipality
    return make_programme(municipality.region, [municipality])


@pytest.fixture
def sessions(programme: Programme, home_group: DigitalisationGroup) -> list[Session]:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    return schedule_four(programme, cohort, ["2026-03-10", "2026-03-17"])


@pytest.fixture
def session(sessions: list[Session]) -> Session:
    return sessions[0]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def group_url(programme: Programme, group: DigitalisationGroup, name: str, *more: object) -> str:
    return reverse(f"programme:{name}", args=[programme.pk, group.municipality.code, *more])


def session_url(session: Session, name: str = "facilitate") -> str:
    return reverse(f"programme:{name}", args=[session.workshop.programme_id, session.pk])


def versions(html: str) -> dict[str, str]:
    """The fingerprints a page (or a live answer) carries, as the poll sends them back."""
    return dict(re.findall(r'class="live-version" name="([^"]+)" value="([^"]*)"', html))


# --- Shared concepts ------------------------------------------------------------------------------


def test_the_concepts_page_lists_every_term_with_a_form_for_members(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    page = client_for(users.member).get(group_url(programme, home_group, "concepts"))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="ws1-term"') == len(default_glossary().terms)
    assert f'name="{TERM}-text"' in html
    assert 'hx-trigger="every 2s"' in html


def test_leadership_reads_the_concepts_without_forms(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    page = client_for(users.leadership).get(group_url(programme, home_group, "concepts"))

    assert page.status_code == 200
    assert f'name="{TERM}-text"' not in page.content.decode()


def test_a_definition_posted_without_htmx_is_saved_and_leads_back_to_its_term(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    response = client_for(users.member).post(
        group_url(programme, home_group, "concepts_define", TERM),
        {f"{TERM}-text": "Att göra analogt digitalt.", f"{TERM}-revision": "0"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/concepts/#term-{TERM}")
    definition = ws1.group_definition(programme=programme, group=home_group, term_key=TERM)
    assert definition is not None and definition.written_by == users.member


def test_an_empty_definition_shows_the_error_on_its_field(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    response = client_for(users.member).post(
        group_url(programme, home_group, "concepts_define", TERM),
        {f"{TERM}-text": "", f"{TERM}-revision": "0"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fel:" in html or "<title>Error:" in html
    assert f'href="#id_{TERM}-text"' in html
    assert not ws1.group_definition(programme=programme, group=home_group, term_key=TERM)


def test_a_definition_saved_meanwhile_keeps_the_writers_text_and_lets_them_save_again(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    ws1.definition_set(
        programme=programme, group=home_group, term_key=TERM, text="Andras text.", by=users.admin
    )
    client = client_for(users.member)
    url = group_url(programme, home_group, "concepts_define", TERM)

    refused = client.post(url, {f"{TERM}-text": "Min text.", f"{TERM}-revision": "0"})

    html = refused.content.decode()
    assert "Min text." in html
    assert re.search(rf'name="{TERM}-revision" value="1"', html)
    saved = client.post(url, {f"{TERM}-text": "Min text.", f"{TERM}-revision": "1"})
    assert saved.status_code == 302
    definition = ws1.group_definition(programme=programme, group=home_group, term_key=TERM)
    assert definition is not None and definition.text == "Min text."


def test_a_mark_without_htmx_redirects_and_with_htmx_returns_the_terms_fragment(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    definition = ws1.definition_set(
        programme=programme, group=home_group, term_key=TERM, text="Text.", by=users.member
    )
    client = client_for(users.member)
    url = group_url(programme, home_group, "concepts_mark", TERM)

    plain = client.post(url, {"agrees": "no", "revision": "1"})
    fragment = client.post(url, {"agrees": "yes", "revision": "1"}, headers=HTMX)

    assert plain.status_code == 302
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in html
    assert re.search(r'value="yes" id="[^"]+" class="[^"]+" aria-pressed="true"', html)
    assert "1 av 1 deltagare är överens" in html  # Swedish is the default language
    assert DefinitionMark.objects.get(definition=definition, user=users.member).agrees is True


def test_a_mark_on_an_older_text_is_refused_with_a_message(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    ws1.definition_set(
        programme=programme, group=home_group, term_key=TERM, text="Text.", by=users.member
    )
    ws1.definition_set(
        programme=programme, group=home_group, term_key=TERM, text="Ny.", by=users.member
    )

    response = client_for(users.member).post(
        group_url(programme, home_group, "concepts_mark", TERM),
        {"agrees": "yes", "revision": "1"},
        headers=HTMX,
    )

    assert 'role="alert"' in response.content.decode()
    assert not DefinitionMark.objects.exists()


def test_the_live_partial_sends_only_what_changed(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    client = client_for(users.member)
    live = group_url(programme, home_group, "concepts_live")
    first = client.get(live, headers=HTMX)
    seen = versions(first.content.decode())
    assert len(seen) == len(default_glossary().terms) + 1  # each term, and the current step

    unchanged = client.get(live, seen, headers=HTMX)
    ws1.definition_set(
        programme=programme, group=home_group, term_key=TERM, text="Ny text.", by=users.admin
    )
    changed = client.get(live, seen, headers=HTMX)

    assert unchanged.status_code == 204
    html = changed.content.decode()
    assert list(versions(html)) == [f"v-term-{TERM}-live"]
    assert f'<div id="term-{TERM}-live" hx-swap-oob="innerHTML">' in html
    assert "Ny text." in html
    assert 'id="live-status"' in html


def test_the_live_partial_costs_the_same_queries_however_many_definitions(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    client = client_for(users.member)
    live = group_url(programme, home_group, "concepts_live")
    client.get(live, headers=HTMX)
    with CaptureQueriesContext(connection) as few:
        client.get(live, headers=HTMX)
    for term in default_glossary().terms[:10]:
        definition = ws1.definition_set(
            programme=programme, group=home_group, term_key=term.key, text="T", by=users.member
        )
        ws1.definition_mark(definition=definition, user=users.member, agrees=True)
    with CaptureQueriesContext(connection) as many:
        client.get(live, headers=HTMX)

    assert len(many) == len(few)
    assert len(few) <= 12


@pytest.mark.parametrize("name", ["concepts", "concepts_live", "board", "board_live"])
def test_a_member_of_another_municipality_is_refused(
    programme: Programme, home_group: DigitalisationGroup, users: Users, name: str
) -> None:
    response = client_for(users.other_member).get(group_url(programme, home_group, name))

    assert response.status_code == 403


def test_a_member_of_another_municipality_cannot_define(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    response = client_for(users.other_member).post(
        group_url(programme, home_group, "concepts_define", TERM),
        {f"{TERM}-text": "Intrång", f"{TERM}-revision": "0"},
    )

    assert response.status_code == 403
    assert not ws1.group_definition(programme=programme, group=home_group, term_key=TERM)


def test_the_participants_see_the_current_step_once_the_facilitator_begins(
    programme: Programme, home_group: DigitalisationGroup, users: Users, session: Session
) -> None:
    client = client_for(users.member)
    assert (
        'class="ws1-now"'
        not in client.get(group_url(programme, home_group, "board")).content.decode()
    )

    ws1.facilitation_step_set(session=session, step=2)

    html = client.get(group_url(programme, home_group, "board")).content.decode()
    assert 'class="ws1-now"' in html
    assert "Begreppen: våra egna definitioner" in html


# --- The board ------------------------------------------------------------------------------------


def test_a_note_posted_without_htmx_lands_on_the_board(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    response = client_for(users.member).post(
        group_url(programme, home_group, "board_add"),
        {"column": "risk", "text": "Digitalt utanförskap"},
    )

    note = BoardNote.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/board/#note-{note.pk}")
    assert (note.column, note.text, note.written_by) == (
        "risk",
        "Digitalt utanförskap",
        users.member,
    )


def test_a_note_without_a_column_or_text_names_both(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    response = client_for(users.member).post(group_url(programme, home_group, "board_add"), {})

    html = response.content.decode()
    assert 'href="#id_column_0"' in html
    assert 'href="#id_text"' in html
    assert not BoardNote.objects.exists()


def test_the_boards_live_partial_brings_a_new_note(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    client = client_for(users.leadership)
    live = group_url(programme, home_group, "board_live")
    seen = versions(client.get(live, headers=HTMX).content.decode())
    ws1.board_note_add(
        programme=programme, group=home_group, column="opportunity", text="E-tjänster", by=None
    )

    html = client.get(live, seen, headers=HTMX).content.decode()

    assert list(versions(html)) == ["v-board-live"]
    assert "E-tjänster" in html


def test_a_member_removes_their_own_note_but_not_anothers(
    programme: Programme, home_group: DigitalisationGroup, users: Users, home: object
) -> None:
    colleague = make_user("colleague", Role.MEMBER, municipality=home)
    own = ws1.board_note_add(
        programme=programme, group=home_group, column="risk", text="Min", by=users.member
    )
    theirs = ws1.board_note_add(
        programme=programme, group=home_group, column="risk", text="Din", by=colleague
    )
    client = client_for(users.member)

    refused = client.post(group_url(programme, home_group, "board_note_remove", theirs.pk))
    asked = client.get(group_url(programme, home_group, "board_note_remove", own.pk))
    removed = client.post(group_url(programme, home_group, "board_note_remove", own.pk))

    assert refused.status_code == 403
    assert asked.status_code == 200 and "Min" in asked.content.decode()
    assert removed.status_code == 302
    assert list(BoardNote.objects.values_list("text", flat=True)) == ["Din"]


def test_the_coordinator_removes_any_note(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    note = ws1.board_note_add(
        programme=programme, group=home_group, column="risk", text="Min", by=users.member
    )

    client_for(users.coordinator).post(
        group_url(programme, home_group, "board_note_remove", note.pk)
    )

    assert not BoardNote.objects.exists()


# --- The facilitator's screen ---------------------------------------------------------------------


def test_the_facilitator_sees_the_first_step_and_its_timer(session: Session, users: Users) -> None:
    html = client_for(users.coordinator).get(session_url(session)).content.decode()

    assert "Välkomna, syfte och förväntningar" in html
    assert 'data-remaining="1200"' in html
    assert 'data-running="false"' in html
    assert ">20:00<" in html
    assert "programme/js/facilitate.js" in html


def test_the_facilitators_controls_are_stored_and_shown_after_a_reload(
    session: Session, users: Users
) -> None:
    client = client_for(users.coordinator)

    started = client.post(session_url(session, "facilitate_timer"), {"action": "start"})
    moved = client.post(session_url(session, "facilitate_step"), {"move": "next"})
    client.post(session_url(session, "facilitate_timer"), {"action": "start"})

    assert started.status_code == moved.status_code == 302
    assert started["Location"] == session_url(session)
    facilitation = Facilitation.objects.get(session=session)
    assert facilitation.step == 1 and facilitation.timer_started_at is not None
    html = client.get(session_url(session)).content.decode()
    assert "Digitalisering är en lagsport" in html
    assert 'data-running="true"' in html


def test_previous_at_the_first_step_is_refused_with_a_message(
    session: Session, users: Users
) -> None:
    client = client_for(users.coordinator)

    response = client.post(
        session_url(session, "facilitate_step"), {"move": "previous"}, follow=True
    )

    assert "This is the first step" in response.content.decode() or "första steget" in (
        response.content.decode()
    )
    assert not Facilitation.objects.filter(step__gt=0).exists()


def test_the_facilitators_live_results_count_agreement_per_group(
    programme: Programme, home_group: DigitalisationGroup, session: Session, users: Users
) -> None:
    client = client_for(users.coordinator)
    live = session_url(session, "facilitate_live")
    seen = versions(client.get(live, headers=HTMX).content.decode())
    definition = ws1.definition_set(
        programme=programme, group=home_group, term_key=TERM, text="Text.", by=users.member
    )
    ws1.definition_mark(definition=definition, user=users.member, agrees=True)

    html = client.get(live, seen, headers=HTMX).content.decode()

    assert list(versions(html)) == ["v-facilitate-results"]
    assert re.search(rf'data-term="{TERM}">.*1 av 1 är överens', html, re.S)


def test_the_screen_of_a_later_workshop_links_to_each_groups_dot_voting(
    sessions: list[Session], users: Users
) -> None:
    html = client_for(users.coordinator).get(session_url(sessions[1])).content.decode()

    assert (
        reverse("ideas:vote_list", args=[sessions[1].cohort.groups.get().municipality.code]) in html
    )


def test_a_member_cannot_run_the_facilitators_screen(session: Session, users: Users) -> None:
    client = client_for(users.member)

    assert client.get(session_url(session)).status_code == 403
    assert (
        client.post(session_url(session, "facilitate_timer"), {"action": "start"}).status_code
        == 403
    )
    assert not Facilitation.objects.exists()
