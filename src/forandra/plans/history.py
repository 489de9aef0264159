"""A plan's history: who changed what, and when, newest first.

The entries come from django-simple-history's records of the plan's versions, sections,
capabilities, initiatives and budget lines (who: `history_user`, set by its request middleware;
which fields: `diff_against` the object's previous record), and from the decisions. A change of
a version's status is told as what it means: submitted, withdrawn, follow-up started, closed.

Two things are left out because they would only repeat something else: the status change a
decision makes (the decision itself is listed, with its comment), and the items a new version
copies from the one before (the new version is listed, "started from version N").

Six queries, however long the history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils import formats
from django.utils.translation import gettext as _

from .models import (
    DECIDED,
    BudgetKind,
    BudgetLine,
    Capability,
    Decision,
    Initiative,
    Plan,
    PlanVersion,
    Section,
    Status,
    Step,
)

#: Fields whose change says nothing to the reader (the time of the change is the entry's own).
NOT_SHOWN = {"created_at", "updated_at", "submitted_at", "submitted_by", "order"}
#: Items created this soon after their version are the copy `version_new` makes, not edits.
COPY_WINDOW = datetime.timedelta(seconds=10)


@dataclass(frozen=True)
class Entry:
    when: datetime.datetime
    who: str  # the user's name, or "" when no user made the change (the demo, a command)
    version: int | None
    what: str  # a sentence, in the reader's language
    fields: list[str] = field(default_factory=list)  # the changed fields' names
    comment: str = ""  # a decision's comment


def _who(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _changed(model: type[Model], record: Any, previous: Any | None) -> list[str]:
    """The names (labels) of the fields `record` changed since `previous`."""
    if previous is None or record.history_type != "~":
        return []
    delta = record.diff_against(previous, excluded_fields=NOT_SHOWN)
    return [
        str(getattr(model._meta.get_field(change.field), "verbose_name", change.field))
        for change in delta.changes
    ]


def _unchanged(record: Any, previous: Any | None, fields: list[str]) -> bool:
    """A save that changed no shown field. A change with no earlier record (the object was
    created by a bulk write, which keeps no record) is listed, without field names."""
    return record.history_type == "~" and previous is not None and not fields


def _with_previous(records: list[Any]) -> list[tuple[Any, Any | None]]:
    """Each record with the previous record of the same object (records sorted by object and
    time)."""
    pairs, previous = [], None
    for record in records:
        same = previous is not None and previous.id == record.id
        pairs.append((record, previous if same else None))
        previous = record
    return pairs


def _ordered(manager: Any, **filters: Any) -> list[Any]:
    return list(
        manager.filter(**filters)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )


def _amount(value: int) -> str:
    return _("%(amount)s kr") % {"amount": formats.number_format(value, force_grouping=True)}


def plan_history(*, plan: Plan) -> list[Entry]:
    """Every change to the plan's versions and their content, and the decisions; newest first."""
    version_records = _ordered(PlanVersion.history, plan_id=plan.pk)
    numbers = {r.id: r.number for r in version_records}
    started: dict[int, tuple[datetime.datetime, bool]] = {}  # version id: (created, is a copy)
    decisions = list(
        Decision.objects.filter(version__plan=plan).select_related("version", "decided_by")
    )
    decided = {decision.version_id for decision in decisions}
    decided_at: dict[int, datetime.datetime] = {}  # version id: when its status became decided
    entries: list[Entry] = []

    for record, previous in _with_previous(version_records):
        who, when, number = _who(record.history_user), record.history_date, record.number
        if record.history_type == "+":
            started[record.id] = (when, record.based_on_id is not None)
            base = numbers.get(record.based_on_id)
            what = (
                _("Version %(number)s started from version %(base)s.")
                % {"number": number, "base": base}
                if base
                else _("Version %(number)s started.") % {"number": number}
            )
            entries.append(Entry(when, who, number, what))
            continue
        if record.history_type == "-":
            entries.append(Entry(when, who, number, _("Version %(n)s removed.") % {"n": number}))
            continue
        fields = _changed(PlanVersion, record, previous)
        status_label = str(PlanVersion._meta.get_field("status").verbose_name)
        if previous is not None and record.status != previous.status:
            fields = [f for f in fields if f != status_label]
            what = _status_change(previous.status, record.status, number)
            if record.status in DECIDED and record.id in decided:
                decided_at[record.id] = when
                what = ""  # the decision's own entry tells it, at this time
            if what:
                entries.append(Entry(when, who, number, what))
        if fields:
            entries.append(
                Entry(when, who, number, _("Version %(n)s changed.") % {"n": number}, fields)
            )

    def copied(record: Any, version_id: int) -> bool:
        begun = started.get(version_id)
        return (
            record.history_type == "+"
            and begun is not None
            and begun[1]
            and record.history_date - begun[0] <= COPY_WINDOW
        )

    version_ids = list(numbers)
    step_names = dict(Step.choices)
    for record, previous in _with_previous(_ordered(Section.history, version_id__in=version_ids)):
        if copied(record, record.version_id):
            continue
        if _unchanged(record, previous, _changed(Section, record, previous)):
            continue
        what = _("Step %(step)s, “%(title)s”, changed.") % {
            "step": record.step,
            "title": step_names.get(record.step, ""),
        }
        entries.append(
            Entry(
                record.history_date, _who(record.history_user), numbers.get(record.version_id), what
            )
        )

    items: list[tuple[type[Model], Any, str, str, str]] = [
        (
            Capability,
            Capability.history,
            _("Capability “%(name)s” added."),
            _("Capability “%(name)s” removed."),
            _("Capability “%(name)s” changed."),
        ),
        (
            Initiative,
            Initiative.history,
            _("Initiative “%(name)s” added."),
            _("Initiative “%(name)s” removed."),
            _("Initiative “%(name)s” changed."),
        ),
    ]
    titles: dict[int, str] = {}  # initiative id: its latest title
    initiative_versions: dict[int, int] = {}  # initiative id: version id
    for model, manager, added, removed, changed in items:
        for record, previous in _with_previous(_ordered(manager, version_id__in=version_ids)):
            name = str(getattr(record, "title", "") or getattr(record, "name", ""))
            if model is Initiative:
                titles[record.id] = name
                initiative_versions[record.id] = record.version_id
            if copied(record, record.version_id):
                continue
            fields = _changed(model, record, previous)
            if _unchanged(record, previous, fields):
                continue
            template = {"+": added, "-": removed}.get(record.history_type, changed)
            entries.append(
                Entry(
                    record.history_date,
                    _who(record.history_user),
                    numbers.get(record.version_id),
                    template % {"name": name},
                    fields,
                )
            )

    kinds = dict(BudgetKind.choices)
    lines = _ordered(BudgetLine.history, initiative_id__in=list(titles))
    for record, previous in _with_previous(lines):
        version_id = initiative_versions.get(record.initiative_id, 0)
        if copied(record, version_id):
            continue
        values = {
            "name": titles.get(record.initiative_id, ""),
            "year": record.year,
            "kind": str(kinds.get(record.kind, record.kind)).lower(),
            "amount": _amount(record.amount),
        }
        if record.history_type == "+":
            what = _("Budget of “%(name)s”: %(year)s %(kind)s, %(amount)s added.") % values
        elif record.history_type == "-":
            what = _("Budget of “%(name)s”: %(year)s %(kind)s, %(amount)s removed.") % values
        elif previous is None:  # its creation was not recorded (a bulk write)
            what = _("Budget of “%(name)s”: %(year)s %(kind)s set to %(amount)s.") % values
        elif previous.amount != record.amount:
            values["old"] = _amount(previous.amount)
            what = (
                _("Budget of “%(name)s”: %(year)s %(kind)s changed from %(old)s to %(amount)s.")
                % values
            )
        else:
            continue
        entries.append(
            Entry(record.history_date, _who(record.history_user), numbers.get(version_id), what)
        )

    for decision in decisions:
        what = _("Leadership decided on version %(number)s: %(outcome)s, on %(day)s.") % {
            "number": decision.version.number,
            "outcome": decision.get_outcome_display().lower(),
            "day": formats.date_format(decision.decided_on, "SHORT_DATE_FORMAT"),
        }
        entries.append(
            Entry(
                decided_at.get(decision.version_id, decision.created_at),
                _who(decision.decided_by),
                decision.version.number,
                what,
                comment=decision.comment,
            )
        )

    # Newest first; of changes made at the same moment, the one listed last happened last
    # (a version is listed before its items).
    order = {id(entry): index for index, entry in enumerate(entries)}
    entries.sort(key=lambda entry: (entry.when, order[id(entry)]), reverse=True)
    return entries


def _status_change(old: str, new: str, number: int) -> str:
    """What a change of a version's status means, as a sentence."""
    values = {"n": number}
    if new == Status.SUBMITTED:
        return _("Version %(n)s submitted to leadership.") % values
    if old == Status.SUBMITTED and new == Status.DRAFT:
        return _("Version %(n)s withdrawn from leadership.") % values
    if new == Status.IN_PROGRESS:
        return _("Follow-up of version %(n)s started.") % values
    if new == Status.CLOSED:
        return _("Follow-up of version %(n)s closed.") % values
    return _("Version %(n)s is now %(status)s.") % {
        "n": number,
        "status": Status(new).label.lower(),
    }
