"""Workshop 1's reads and writes (`programme.ws1`): definitions and marks, the board, and the
facilitator's steps and timer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forandra.accounts.models import Role, User
from forandra.municipalities.models import DigitalisationGroup
from forandra.programme import services, ws1
from forandra.programme.glossary import default_glossary
from forandra.programme.models import (
    DefinitionMark,
    Facilitation,
    Programme,
    Session,
    TermDefinition,
)
from tests.conftest import Users, make_user
from tests.programme.builders import STOCKHOLM, make_programme, schedule_four

pytestmark = pytest.mark.django_db

TERM = default_glossary().terms[0].key
OTHER_TERM = default_glossary().terms[1].key
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=STOCKHOLM)


@pytest.fixture
def programme(home_group: DigitalisationGroup) -> Programme:
    municipality = home_group.municipality
    return make_programme(municipality.region, [municipality])


@pytest.fixture
def session(programme: Programme, home_group: DigitalisationGroup) -> Session:
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    return schedule_four(programme, cohort, ["2026-03-10"])[0]


def define(
    programme: Programme,
    group: DigitalisationGroup,
    text: str,
    by: User,
    *,
    term: str = TERM,
    seen_revision: int | None = None,
) -> TermDefinition:
    return ws1.definition_set(
        programme=programme,
        group=group,
        term_key=term,
        text=text,
        by=by,
        seen_revision=seen_revision,
    )


# --- Definitions and marks ------------------------------------------------------------------------


def test_a_changed_text_raises_the_revision_and_clears_the_marks(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    definition = define(programme, home_group, "Att göra analogt digitalt.", users.member)
    ws1.definition_mark(definition=definition, user=users.member, agrees=True)
    ws1.definition_mark(definition=definition, user=users.coordinator, agrees=False)

    changed = define(
        programme, home_group, "Att omvandla analogt till digitalt.", users.coordinator
    )

    assert changed.pk == definition.pk
    assert changed.revision == 2
    assert changed.written_by == users.coordinator
    assert DefinitionMark.objects.filter(definition=changed).count() == 0


def test_saving_the_same_text_again_keeps_the_marks(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    definition = define(programme, home_group, "Att göra analogt digitalt.", users.member)
    ws1.definition_mark(definition=definition, user=users.member, agrees=True)

    same = define(programme, home_group, "  Att göra analogt digitalt.  ", users.coordinator)

    assert same.revision == 1
    assert DefinitionMark.objects.filter(definition=same).count() == 1


def test_a_definition_saved_meanwhile_is_not_overwritten_unseen(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    define(programme, home_group, "Första texten.", users.member)
    define(programme, home_group, "Andra texten.", users.coordinator, seen_revision=1)

    with pytest.raises(ValidationError) as refused:
        define(programme, home_group, "Min text.", users.member, seen_revision=1)

    assert "text" in refused.value.error_dict
    assert ws1.group_definition(programme=programme, group=home_group, term_key=TERM).text == (  # type: ignore[union-attr]
        "Andra texten."
    )


@pytest.mark.parametrize(
    ("text", "term", "field"),
    [("   ", TERM, "text"), ("x" * 2001, TERM, "text"), ("Text", "no-such-term", "term_key")],
)
def test_a_definition_is_refused_with_the_field_named(
    programme: Programme,
    home_group: DigitalisationGroup,
    users: Users,
    text: str,
    term: str,
    field: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        define(programme, home_group, text, users.member, term=term)

    assert list(refused.value.error_dict) == [field]


def test_a_participant_has_one_mark_and_marking_again_changes_it(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    definition = define(programme, home_group, "Text.", users.member)
    ws1.definition_mark(definition=definition, user=users.member, agrees=False)
    ws1.definition_mark(definition=definition, user=users.member, agrees=True)

    marks = DefinitionMark.objects.filter(definition=definition)
    assert [(m.user_id, m.agrees) for m in marks] == [(users.member.pk, True)]


def test_a_mark_on_a_text_that_changed_meanwhile_is_refused(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    definition = define(programme, home_group, "Text.", users.member)
    define(programme, home_group, "Ny text.", users.coordinator)

    with pytest.raises(ValidationError) as refused:
        ws1.definition_mark(definition=definition, user=users.member, agrees=True, seen_revision=1)

    assert "revision" in refused.value.error_dict
    assert not DefinitionMark.objects.exists()


def test_the_counts_say_how_many_of_the_participants_agree(
    programme: Programme, home_group: DigitalisationGroup, users: Users, home: object
) -> None:
    second = make_user("member2", Role.MEMBER, municipality=home)
    make_user("member3", Role.MEMBER, municipality=home)
    gone = make_user("member4", Role.MEMBER, municipality=home)
    gone.is_active = False
    gone.save()
    definition = define(programme, home_group, "Text.", users.member)
    ws1.definition_mark(definition=definition, user=users.member, agrees=True)
    ws1.definition_mark(definition=definition, user=second, agrees=False)
    # A coordinator who marks counts as a participant of that text.
    ws1.definition_mark(definition=definition, user=users.coordinator, agrees=True)

    rows = {r.key: r for r in ws1.concepts_rows(programme=programme, group=home_group, user=second)}

    agreement = rows[TERM].agreement
    assert agreement is not None
    # member, member2, member3 (active members of Vindeln) and the coordinator who marked.
    assert (agreement.agree, agreement.not_yet, agreement.unmarked) == (2, 1, 1)
    assert agreement.participants == 4
    assert agreement.mine is False
    assert rows[OTHER_TERM].agreement is None
    assert len(rows) == len(default_glossary().terms)


def test_the_concepts_rows_cost_the_same_queries_however_many_terms_and_marks(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    define(programme, home_group, "Text.", users.member)
    with CaptureQueriesContext(connection) as few:
        ws1.concepts_rows(programme=programme, group=home_group, user=users.member)
    for term in default_glossary().terms[:8]:
        definition = define(programme, home_group, "Text.", users.member, term=term.key)
        ws1.definition_mark(definition=definition, user=users.member, agrees=True)
        ws1.definition_mark(definition=definition, user=users.coordinator, agrees=False)
    with CaptureQueriesContext(connection) as many:
        ws1.concepts_rows(programme=programme, group=home_group, user=users.member)

    assert len(many) == len(few) == 3


def test_a_fingerprint_changes_with_a_mark(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    definition = define(programme, home_group, "Text.", users.member)

    def version() -> str:
        rows = ws1.concepts_rows(programme=programme, group=home_group, user=users.member)
        return rows[0].version

    before = version()
    assert version() == before
    ws1.definition_mark(definition=definition, user=users.coordinator, agrees=True)
    assert version() != before


# --- The board ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "text", "fields"),
    [
        ("risk", "  ", ["text"]),
        ("risk", "x" * 501, ["text"]),
        ("threat", "En text", ["column"]),
        ("", "", ["column", "text"]),
    ],
)
def test_a_board_note_is_refused_with_the_field_named(
    programme: Programme,
    home_group: DigitalisationGroup,
    users: Users,
    column: str,
    text: str,
    fields: list[str],
) -> None:
    with pytest.raises(ValidationError) as refused:
        ws1.board_note_add(
            programme=programme, group=home_group, column=column, text=text, by=users.member
        )

    assert sorted(refused.value.error_dict) == fields


def test_board_notes_sit_in_their_columns_in_the_order_written(
    programme: Programme, home_group: DigitalisationGroup, users: Users
) -> None:
    for column, text in [("risk", "Utanförskap"), ("opportunity", "E-tjänster"), ("risk", "Ny")]:
        ws1.board_note_add(
            programme=programme, group=home_group, column=column, text=text, by=users.member
        )

    columns = {
        c.key: [n.text for n in c.notes]
        for c in ws1.board_columns(programme=programme, group=home_group)
    }

    assert columns == {
        "challenge": [],
        "opportunity": ["E-tjänster"],
        "risk": ["Utanförskap", "Ny"],
    }


# --- Steps and the timer --------------------------------------------------------------------------


def test_the_steps_are_the_agenda_blocks_at_their_clock_times(session: Session) -> None:
    steps = ws1.session_steps(session=session)

    assert [s.start for s in steps] == [0, 20, 50, 100, 115, 170, 195]
    assert steps[2].starts_at == datetime(2026, 3, 10, 9, 50, tzinfo=STOCKHOLM)
    assert steps[2].minutes == 50


def test_a_step_outside_the_agenda_is_refused(session: Session) -> None:
    with pytest.raises(ValidationError) as before_first:
        ws1.facilitation_step_move(session=session, by=-1)
    ws1.facilitation_step_set(session=session, step=6)
    with pytest.raises(ValidationError) as after_last:
        ws1.facilitation_step_move(session=session, by=1)

    assert list(before_first.value.error_dict) == ["step"]
    assert list(after_last.value.error_dict) == ["step"]
    assert Facilitation.objects.get(session=session).step == 6


def test_a_new_step_sets_the_timer_to_its_length(session: Session) -> None:
    ws1.facilitation_timer_start(session=session, now=NOW)
    ws1.facilitation_step_move(session=session, by=1)

    state = ws1.facilitation_state(session=session, now=NOW + timedelta(minutes=5))

    assert state.step is not None and state.step.index == 1
    assert (state.running, state.remaining, state.length) == (False, 30 * 60, 30 * 60)


def test_the_timer_counts_down_pauses_goes_on_and_resets(session: Session) -> None:
    length = 20 * 60  # the first block
    assert ws1.facilitation_state(session=session, now=NOW).remaining == length

    ws1.facilitation_timer_start(session=session, now=NOW)
    assert ws1.facilitation_state(session=session, now=NOW + timedelta(seconds=90)).remaining == (
        length - 90
    )

    ws1.facilitation_timer_pause(session=session, now=NOW + timedelta(seconds=100))
    paused = ws1.facilitation_state(session=session, now=NOW + timedelta(hours=1))
    assert (paused.running, paused.remaining) == (False, length - 100)

    ws1.facilitation_timer_start(session=session, now=NOW + timedelta(seconds=500))
    # Started again twice: the second start changes nothing.
    ws1.facilitation_timer_start(session=session, now=NOW + timedelta(seconds=510))
    going = ws1.facilitation_state(session=session, now=NOW + timedelta(seconds=530))
    assert (going.running, going.remaining) == (True, length - 130)

    over = ws1.facilitation_state(session=session, now=NOW + timedelta(hours=2))
    assert over.remaining == 0

    ws1.facilitation_timer_reset(session=session)
    reset = ws1.facilitation_state(session=session, now=NOW + timedelta(hours=3))
    assert (reset.running, reset.remaining) == (False, length)


def test_pausing_a_paused_timer_changes_nothing(session: Session) -> None:
    ws1.facilitation_timer_start(session=session, now=NOW)
    ws1.facilitation_timer_pause(session=session, now=NOW + timedelta(seconds=60))
    ws1.facilitation_timer_pause(session=session, now=NOW + timedelta(seconds=600))

    assert ws1.facilitation_state(session=session, now=NOW).remaining == 20 * 60 - 60


def test_the_group_sees_the_step_only_once_the_facilitator_has_begun(
    programme: Programme, home_group: DigitalisationGroup, session: Session
) -> None:
    assert ws1.group_now_step(programme=programme, group=home_group) is None

    ws1.facilitation_step_set(session=session, step=2)
    now = ws1.group_now_step(programme=programme, group=home_group)

    assert now is not None
    assert now.step.title_en == "The concepts: our own definitions"


def test_the_cohort_results_count_agreement_per_group_and_term(
    programme: Programme,
    home_group: DigitalisationGroup,
    session: Session,
    users: Users,
) -> None:
    definition = define(programme, home_group, "Text.", users.member)
    ws1.definition_mark(definition=definition, user=users.member, agrees=True)
    ws1.board_note_add(
        programme=programme, group=home_group, column="risk", text="Risk", by=users.member
    )

    with CaptureQueriesContext(connection) as queries:
        results = ws1.cohort_results(session=session)

    assert len(queries) == 5
    assert [t.key for t in results.terms] == [TERM]
    (group_results,) = results.groups
    assert group_results.cell(TERM) == (1, 1)
    assert group_results.cell(OTHER_TERM) is None
    assert [len(c.notes) for c in group_results.board] == [0, 0, 1]
