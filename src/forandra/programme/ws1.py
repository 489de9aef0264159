"""Workshop 1 and the facilitator's screen: reads and writes.

In workshop 1 each group writes its own definition of the glossary's terms and every participant
marks whether they agree with the current text; the group also fills a board of what
digitalisation means for its community (challenges, opportunities, risks). The facilitator leads
the session from a screen that shows the agenda's current step, a timer, and the groups' work as
it comes in from their phones.

Words used here:

- The **participants** of a group are the users who may mark its definitions as members of the
  municipality: its active users with the role *member*. Anyone else who marked the current text
  (a coordinator, say) counts as a participant of that definition too. "3 of 4 participants
  agree" means three of those four marked "We agree"; the others marked "I do not agree yet" or
  have not marked the text.
- A **mark** is on a text: when the definition changes, its revision rises and the earlier
  marks are removed in the same transaction.
- The **timer** of a step runs from `timer_started_at` for `timer_seconds`. Paused, it keeps the
  seconds left in `timer_left_seconds`; started again, `timer_started_at` is set back by the time
  already spent, so that rule stays true. Reset (and a new step) sets it back to the step's length.

Each live partial costs a fixed number of queries, however many terms, marks or notes there are.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from forandra.accounts.models import Role, User
from forandra.municipalities.models import DigitalisationGroup

from .glossary import Term, default_glossary
from .models import (
    BoardColumn,
    BoardNote,
    CohortGroup,
    DefinitionMark,
    Facilitation,
    Programme,
    Session,
    TermDefinition,
    Workshop,
)

DEFINITION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500


def _version(*parts: object) -> str:
    """A short fingerprint of what a live region shows: the page sends it back when it polls,
    and only regions whose fingerprint changed are sent again."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).hexdigest()


def user_name(user: User | None) -> str:
    """How a participant is named on the pages: their full name, else their username."""
    if user is None:
        return _("someone no longer here")
    return user.get_full_name() or user.get_username()


def _language() -> str:
    return get_language() or "sv"


# --- Definitions and agreement --------------------------------------------------------------------


def _check_term(term_key: str) -> Term:
    try:
        return default_glossary().term(term_key)
    except StopIteration:
        raise ValidationError(
            {"term_key": _("There is no term “%(key)s” in the glossary.") % {"key": term_key}}
        ) from None


@transaction.atomic
def definition_set(
    *,
    programme: Programme,
    group: DigitalisationGroup,
    term_key: str,
    text: str,
    by: User | None,
    seen_revision: int | None = None,
) -> TermDefinition:
    """Write or replace the group's definition of a term; a changed text clears the marks.

    `seen_revision` is the revision the writer had in front of them (0: none yet); if someone
    saved another text since, the write is refused so that neither text is lost unseen."""
    _check_term(term_key)
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not text:
        raise ValidationError({"text": _("Write the group's definition of the term.")})
    if len(text) > DEFINITION_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("The definition is %(length)d characters long; keep it within %(limit)d.")
                % {"length": len(text), "limit": DEFINITION_MAX_LENGTH}
            }
        )
    definition = (
        TermDefinition.objects.select_for_update()
        .filter(programme=programme, group=group, term_key=term_key)
        .first()
    )
    current = definition.revision if definition else 0
    if seen_revision is not None and seen_revision != current:
        message = _(
            "While you wrote, someone in the group saved a new definition of this term (shown on "
            "the page). Read it; if yours should replace it, save yours again."
        )
        raise ValidationError({"text": ValidationError(message, code="changed")})
    if definition is None:
        definition = TermDefinition(
            programme=programme, group=group, term_key=term_key, text=text, written_by=by
        )
    elif definition.text == text:
        return definition  # nothing changed: the marks still stand
    else:
        definition.text = text
        definition.revision += 1
        definition.written_by = by
    definition.full_clean()
    definition.save()
    # Agreement is on a text: marks of an earlier text no longer count.
    DefinitionMark.objects.filter(definition=definition).delete()
    return definition


@transaction.atomic
def definition_mark(
    *, definition: TermDefinition, user: User, agrees: bool, seen_revision: int | None = None
) -> DefinitionMark:
    """Mark whether the participant agrees with the definition's current text (one mark each;
    marking again changes it). Refused if the text changed since the participant read it."""
    current = TermDefinition.objects.select_for_update().get(pk=definition.pk)
    if seen_revision is not None and seen_revision != current.revision:
        message = _(
            "The definition changed before your mark was saved. Read the new text and mark again."
        )
        raise ValidationError({"revision": ValidationError(message, code="changed")})
    mark, _created = DefinitionMark.objects.update_or_create(
        definition=current, user=user, defaults={"agrees": agrees}
    )
    return mark


def group_definition(
    *, programme: Programme, group: DigitalisationGroup, term_key: str
) -> TermDefinition | None:
    """The group's definition of one term, if it has written one."""
    return TermDefinition.objects.filter(
        programme=programme, group=group, term_key=term_key
    ).first()


def group_participants(*, group: DigitalisationGroup) -> QuerySet[User]:
    """The users who take part for the group: its municipality's active members."""
    return User.objects.filter(
        municipality_id=group.municipality_id, role=Role.MEMBER, is_active=True
    ).order_by("first_name", "last_name", "username")


@dataclass(frozen=True)
class MarkLine:
    name: str
    agrees: bool


@dataclass(frozen=True)
class Agreement:
    """Who agrees with a definition's current text: `agree` of `participants`."""

    agree: int
    not_yet: int
    participants: int
    marks: tuple[MarkLine, ...]
    mine: bool | None  # the reader's own mark; None when they have not marked this text

    @property
    def unmarked(self) -> int:
        return self.participants - self.agree - self.not_yet

    @property
    def all_agree(self) -> bool:
        return self.participants > 0 and self.agree == self.participants


@dataclass(frozen=True)
class TermRow:
    """One glossary term on the concepts page: the shipped text and the group's own."""

    term: Term
    definition: TermDefinition | None
    agreement: Agreement | None
    written_by: str

    @property
    def key(self) -> str:
        return self.term.key

    @property
    def name(self) -> str:
        return self.term.term.get(_language())

    @property
    def reference(self) -> str:
        return self.term.definition.get(_language())

    @property
    def example(self) -> str:
        return self.term.example.get(_language())

    @property
    def revision(self) -> int:
        return self.definition.revision if self.definition else 0

    @property
    def version(self) -> str:
        agreement = self.agreement
        return _version(
            _language(),
            self.key,
            self.definition.text if self.definition else None,
            self.revision,
            self.written_by,
            agreement.marks if agreement else None,
            agreement.participants if agreement else None,
            agreement.mine if agreement else None,
        )


def concepts_rows(
    *, programme: Programme, group: DigitalisationGroup, user: User | None
) -> list[TermRow]:
    """Every glossary term with the group's definition and who agrees with it; three queries."""
    definitions = {
        d.term_key: d
        for d in TermDefinition.objects.filter(programme=programme, group=group).select_related(
            "written_by"
        )
    }
    marks: dict[int, list[DefinitionMark]] = defaultdict(list)
    for mark in (
        DefinitionMark.objects.filter(definition__programme=programme, definition__group=group)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    ):
        marks[mark.definition_id].append(mark)
    participant_ids = set(group_participants(group=group).values_list("pk", flat=True))
    rows = []
    for term in default_glossary().terms:
        definition = definitions.get(term.key)
        agreement = None
        if definition is not None:
            given = marks.get(definition.pk, [])
            agreement = Agreement(
                agree=sum(1 for m in given if m.agrees),
                not_yet=sum(1 for m in given if not m.agrees),
                participants=len(participant_ids | {m.user_id for m in given}),
                marks=tuple(MarkLine(name=user_name(m.user), agrees=m.agrees) for m in given),
                mine=next(
                    (m.agrees for m in given if user is not None and m.user_id == user.pk), None
                ),
            )
        rows.append(
            TermRow(
                term=term,
                definition=definition,
                agreement=agreement,
                written_by=user_name(definition.written_by) if definition else "",
            )
        )
    return rows


# --- The community board --------------------------------------------------------------------------


@transaction.atomic
def board_note_add(
    *, programme: Programme, group: DigitalisationGroup, column: str, text: str, by: User | None
) -> BoardNote:
    """Put a note in one of the board's columns."""
    errors: dict[str, str] = {}
    if column not in BoardColumn.values:
        errors["column"] = _("Choose a column: challenges, opportunities or risks.")
    text = " ".join(text.split())
    if not text:
        errors["text"] = _("Write the note.")
    elif len(text) > NOTE_MAX_LENGTH:
        errors["text"] = _("The note is %(length)d characters long; keep it within %(limit)d.") % {
            "length": len(text),
            "limit": NOTE_MAX_LENGTH,
        }
    if errors:
        raise ValidationError(errors)
    note = BoardNote(programme=programme, group=group, column=column, text=text, written_by=by)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def board_note_remove(*, note: BoardNote) -> None:
    """Take a note off the board."""
    note.delete()


def board_note_get(*, programme: Programme, group: DigitalisationGroup, pk: int) -> BoardNote:
    """One note of the group's board; raises BoardNote.DoesNotExist."""
    return BoardNote.objects.select_related("written_by").get(
        programme=programme, group=group, pk=pk
    )


@dataclass(frozen=True)
class BoardColumnNotes:
    key: str
    label: str
    notes: tuple[BoardNote, ...]


def board_columns(*, programme: Programme, group: DigitalisationGroup) -> list[BoardColumnNotes]:
    """The board's three columns with their notes, oldest first; one query."""
    notes: dict[str, list[BoardNote]] = defaultdict(list)
    for note in BoardNote.objects.filter(programme=programme, group=group).select_related(
        "written_by"
    ):
        notes[note.column].append(note)
    return [
        BoardColumnNotes(key=str(key), label=str(label), notes=tuple(notes[key]))
        for key, label in BoardColumn.choices
    ]


def board_version(columns: list[BoardColumnNotes], *extra: object) -> str:
    """The fingerprint of a board as shown (notes, and whatever else the page shows with it)."""
    return _version(
        _language(),
        [(c.key, [(n.pk, n.text, n.written_by_id) for n in c.notes]) for c in columns],
        *extra,
    )


# --- Facilitation: steps and the timer ------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One block of the workshop's agenda, as a step of the session."""

    index: int
    start: int  # minutes after the session starts
    minutes: int
    title_sv: str
    title_en: str
    starts_at: datetime  # the clock time: the session's start plus the block's
    ends_at: datetime

    @property
    def title(self) -> str:
        return self.title_en if _language().startswith("en") else self.title_sv

    @property
    def number(self) -> int:
        return self.index + 1


def workshop_steps(*, workshop: Workshop, starts_at: datetime) -> list[Step]:
    """The workshop's agenda as steps in time order, with their clock times."""
    blocks = sorted(workshop.agenda or [], key=lambda b: int(b.get("start", 0)))
    steps = []
    for index, block in enumerate(blocks):
        title = block.get("title") or {}
        start, minutes = int(block.get("start", 0)), int(block.get("minutes", 0))
        steps.append(
            Step(
                index=index,
                start=start,
                minutes=minutes,
                title_sv=str(title.get("sv", "")),
                title_en=str(title.get("en", "")),
                starts_at=starts_at + timedelta(minutes=start),
                ends_at=starts_at + timedelta(minutes=start + minutes),
            )
        )
    return steps


def session_steps(*, session: Session) -> list[Step]:
    """The session's steps: its workshop's agenda blocks from the session's start."""
    return workshop_steps(workshop=session.workshop, starts_at=session.starts_at)


def timer_remaining(facilitation: Facilitation, *, now: datetime) -> int:
    """Seconds left on the step's timer at `now` (never below zero)."""
    if facilitation.timer_started_at is not None:
        spent = (now - facilitation.timer_started_at).total_seconds()
        return max(0, int(facilitation.timer_seconds - spent))
    if facilitation.timer_left_seconds is not None:
        return facilitation.timer_left_seconds
    return facilitation.timer_seconds


@dataclass(frozen=True)
class FacilitationState:
    """Where a session stands: the current step, and its timer at `now`."""

    session: Session
    steps: tuple[Step, ...]
    step: Step | None
    running: bool
    remaining: int
    length: int
    started_at: datetime | None  # when the running timer counts from
    started: bool  # whether the facilitator has begun (a Facilitation exists)

    @property
    def previous(self) -> Step | None:
        if self.step is None or self.step.index == 0:
            return None
        return self.steps[self.step.index - 1]

    @property
    def next(self) -> Step | None:
        if self.step is None or self.step.index + 1 >= len(self.steps):
            return None
        return self.steps[self.step.index + 1]

    @property
    def version(self) -> str:
        return _version(
            _language(),
            self.step.index if self.step else None,
            self.step.title if self.step else None,
            self.running,
            self.length,
            # Paused, the seconds left are part of what is shown; running, the start is.
            self.remaining if not self.running else None,
            self.started_at,
        )


def _step_seconds(steps: list[Step], index: int) -> int:
    return steps[index].minutes * 60 if 0 <= index < len(steps) else 0


def facilitation_state(*, session: Session, now: datetime | None = None) -> FacilitationState:
    """The session's current step and timer, as stored (or as at the start, before any)."""
    now = now or timezone.now()
    steps = session_steps(session=session)
    facilitation = Facilitation.objects.filter(session=session).first()
    started = facilitation is not None
    if facilitation is None:
        facilitation = Facilitation(session=session, step=0, timer_seconds=_step_seconds(steps, 0))
    # The agenda may have been shortened since: stay on its last step.
    index = min(facilitation.step, len(steps) - 1)
    return FacilitationState(
        session=session,
        steps=tuple(steps),
        step=steps[index] if steps else None,
        running=facilitation.timer_started_at is not None,
        remaining=timer_remaining(facilitation, now=now),
        length=facilitation.timer_seconds,
        started_at=facilitation.timer_started_at,
        started=started,
    )


def _facilitation_for_update(session: Session, steps: list[Step]) -> Facilitation:
    facilitation, _created = Facilitation.objects.get_or_create(
        session=session, defaults={"step": 0, "timer_seconds": _step_seconds(steps, 0)}
    )
    return Facilitation.objects.select_for_update().get(pk=facilitation.pk)


@transaction.atomic
def facilitation_step_set(*, session: Session, step: int) -> Facilitation:
    """Move the session to another step of the agenda (0 is the first); its timer is reset to
    the step's length. A step outside the agenda is refused."""
    steps = session_steps(session=session)
    if not steps:
        raise ValidationError({"step": _("The workshop has no agenda, so it has no steps.")})
    if step < 0:
        raise ValidationError({"step": _("This is the first step; there is none before it.")})
    if step >= len(steps):
        raise ValidationError({"step": _("This is the last step; there is none after it.")})
    facilitation = _facilitation_for_update(session, steps)
    facilitation.step = step
    facilitation.timer_seconds = _step_seconds(steps, step)
    facilitation.timer_started_at = None
    facilitation.timer_left_seconds = None
    facilitation.full_clean()
    facilitation.save()
    return facilitation


@transaction.atomic
def facilitation_step_move(*, session: Session, by: int) -> Facilitation:
    """Move `by` steps forward (negative: back) from where the session is now."""
    steps = session_steps(session=session)
    current = Facilitation.objects.filter(session=session).values_list("step", flat=True).first()
    index = min(current or 0, max(len(steps) - 1, 0))
    return facilitation_step_set(session=session, step=index + by)


@transaction.atomic
def facilitation_timer_start(*, session: Session, now: datetime | None = None) -> Facilitation:
    """Start the step's timer, or go on from where it was paused; running, nothing changes."""
    now = now or timezone.now()
    facilitation = _facilitation_for_update(session, session_steps(session=session))
    if facilitation.timer_started_at is None:
        left = facilitation.timer_left_seconds
        spent = facilitation.timer_seconds - (
            left if left is not None else facilitation.timer_seconds
        )
        facilitation.timer_started_at = now - timedelta(seconds=spent)
        facilitation.timer_left_seconds = None
        facilitation.save()
    return facilitation


@transaction.atomic
def facilitation_timer_pause(*, session: Session, now: datetime | None = None) -> Facilitation:
    """Stop the timer and keep the seconds left; paused, nothing changes."""
    now = now or timezone.now()
    facilitation = _facilitation_for_update(session, session_steps(session=session))
    if facilitation.timer_started_at is not None:
        facilitation.timer_left_seconds = timer_remaining(facilitation, now=now)
        facilitation.timer_started_at = None
        facilitation.save()
    return facilitation


@transaction.atomic
def facilitation_timer_reset(*, session: Session) -> Facilitation:
    """Stop the timer and set it back to the current step's whole length."""
    steps = session_steps(session=session)
    facilitation = _facilitation_for_update(session, steps)
    facilitation.timer_seconds = _step_seconds(steps, min(facilitation.step, len(steps) - 1))
    facilitation.timer_started_at = None
    facilitation.timer_left_seconds = None
    facilitation.save()
    return facilitation


@dataclass(frozen=True)
class NowStep:
    """The step the group's workshop-1 session is at, for the participants' pages."""

    session: Session
    step: Step

    @property
    def version(self) -> str:
        return _version(_language(), self.session.pk, self.step.index, self.step.title)


def group_now_step(*, programme: Programme, group: DigitalisationGroup) -> NowStep | None:
    """Where the facilitator is in workshop 1 for the group's cohort, once they have begun; one
    query."""
    facilitation = (
        Facilitation.objects.filter(
            session__workshop__programme=programme,
            session__workshop__number=1,
            session__cohort__memberships__group=group,
        )
        .select_related("session__workshop")
        .first()
    )
    if facilitation is None:
        return None
    steps = session_steps(session=facilitation.session)
    if not steps:
        return None
    return NowStep(session=facilitation.session, step=steps[min(facilitation.step, len(steps) - 1)])


# --- The facilitator's live results ---------------------------------------------------------------


@dataclass(frozen=True)
class GroupResults:
    """One group's workshop-1 work, as the facilitator's screen shows it."""

    group: DigitalisationGroup
    participants: int  # the municipality's active members
    # term key -> (how many agree with the current text, of how many participants)
    agree: dict[str, tuple[int, int]]
    board: list[BoardColumnNotes]

    def cell(self, term_key: str) -> tuple[int, int] | None:
        return self.agree.get(term_key)


@dataclass(frozen=True)
class TermResult:
    key: str
    name: str
    cells: list[tuple[GroupResults, tuple[int, int] | None]]


@dataclass(frozen=True)
class CohortResults:
    groups: list[GroupResults]
    terms: list[TermResult] = field(default_factory=list)  # terms any group has defined

    @property
    def version(self) -> str:
        return _version(
            _language(),
            [
                (
                    g.group.pk,
                    g.participants,
                    sorted(g.agree.items()),
                    [(c.key, [(n.pk, n.text) for n in c.notes]) for c in g.board],
                )
                for g in self.groups
            ],
        )


def cohort_results(*, session: Session) -> CohortResults:
    """Per group of the session's cohort: agreement per term, and the board's notes per column;
    four queries, however many groups, terms and notes there are."""
    programme_id = session.workshop.programme_id
    groups = [
        membership.group
        for membership in CohortGroup.objects.filter(cohort_id=session.cohort_id)
        .select_related("group__municipality")
        .order_by("group__municipality__name")
    ]
    group_ids = [g.pk for g in groups]
    defined: dict[int, set[str]] = defaultdict(set)
    for group_id, term_key in TermDefinition.objects.filter(
        programme_id=programme_id, group_id__in=group_ids
    ).values_list("group_id", "term_key"):
        defined[group_id].add(term_key)
    marks: dict[tuple[int, str], list[tuple[int, bool]]] = defaultdict(list)
    rows: Any = DefinitionMark.objects.filter(
        definition__programme_id=programme_id, definition__group_id__in=group_ids
    ).values_list("definition__group_id", "definition__term_key", "user_id", "agrees")
    for group_id, term_key, user_id, agrees in rows:
        marks[(group_id, term_key)].append((user_id, agrees))
    members: dict[int, set[int]] = defaultdict(set)
    for user_id, municipality_id in User.objects.filter(
        municipality_id__in=[g.municipality_id for g in groups], role=Role.MEMBER, is_active=True
    ).values_list("pk", "municipality_id"):
        members[municipality_id].add(user_id)
    notes: dict[int, dict[str, list[BoardNote]]] = defaultdict(lambda: defaultdict(list))
    for note in BoardNote.objects.filter(programme_id=programme_id, group_id__in=group_ids):
        notes[note.group_id][note.column].append(note)

    results = []
    for group in groups:
        agree = {}
        for term_key in defined[group.pk]:
            given = marks[(group.pk, term_key)]
            agree[term_key] = (
                sum(1 for _user, agrees in given if agrees),
                len(members[group.municipality_id] | {user for user, _agrees in given}),
            )
        results.append(
            GroupResults(
                group=group,
                participants=len(members[group.municipality_id]),
                agree=agree,
                board=[
                    BoardColumnNotes(
                        key=str(key), label=str(label), notes=tuple(notes[group.pk][key])
                    )
                    for key, label in BoardColumn.choices
                ],
            )
        )
    terms = [
        TermResult(
            key=term.key,
            name=term.term.get(_language()),
            cells=[(g, g.cell(term.key)) for g in results],
        )
        for term in default_glossary().terms
        if any(term.key in g.agree for g in results)
    ]
    return CohortResults(groups=results, terms=terms)
