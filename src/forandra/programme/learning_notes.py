"""The leaders' learning path as each user walks it: their own notes, and which modules are done.

A *note* is a leader's own: only its writer reads it. The region's coordinator sees only counts
(how many leaders of each municipality have begun, finished, done each module), never the text;
where the programme failed, it was engaged leadership that was missing, so the counts show where
leaders take part and where none has yet.

Selectors (reads) first, then the service (writes). The modules themselves are in `learning.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forandra.accounts.models import Role, User
from forandra.municipalities.models import Municipality, Region

from .learning import LearningPath, Module, default_learning_path
from .models import LearningNote

NOTE_MAX_LENGTH = 5000

# --- Selectors ------------------------------------------------------------------------------------


def module_get(*, key: str, path: LearningPath | None = None) -> Module | None:
    """The path's module with this key, or None."""
    path = path or default_learning_path()
    return next((m for m in path.modules if m.key == key), None)


def note_get(*, user: User, module_key: str) -> LearningNote | None:
    """The user's own note on a module, if they have written or marked it."""
    return LearningNote.objects.filter(user=user, module_key=module_key).first()


@dataclass(frozen=True)
class ModuleProgress:
    """One module for one user: whether it is done and whether they have written a note."""

    module: Module
    done: bool
    has_note: bool


def path_progress(*, user: User, path: LearningPath | None = None) -> list[ModuleProgress]:
    """The path's modules in order with the user's progress on each, in one query."""
    path = path or default_learning_path()
    notes = {
        key: (done, written)
        for key, done, written in LearningNote.objects.filter(user=user, module_key__in=path.keys)
        .annotate(_written=_written())
        .values_list("module_key", "done_at", "_written")
    }
    return [
        ModuleProgress(
            module=module,
            done=notes.get(module.key, (None, False))[0] is not None,
            has_note=bool(notes.get(module.key, (None, False))[1]),
        )
        for module in path.modules
    ]


def modules_done(*, user: User, path: LearningPath | None = None) -> int:
    """How many of the path's modules the user has marked as done."""
    path = path or default_learning_path()
    return LearningNote.objects.filter(
        user=user, module_key__in=path.keys, done_at__isnull=False
    ).count()


def _written() -> ExpressionWrapper[Q]:
    """Whether a note has text, computed in the database so the text itself is never read."""
    return ExpressionWrapper(~Q(note=""), output_field=BooleanField())


@dataclass(frozen=True)
class MunicipalityParticipation:
    """How one municipality's leadership takes part in the path: counts only, never notes."""

    municipality: Municipality
    leaders: int  # active users with the leadership role
    begun: int  # leaders who have written a note or marked a module done
    finished: int  # leaders who have marked every module done
    done_per_module: tuple[int, ...]  # in the path's order

    @property
    def no_leader_taking_part(self) -> bool:
        return self.begun == 0


@dataclass(frozen=True)
class Participation:
    path: LearningPath
    rows: tuple[MunicipalityParticipation, ...]

    @property
    def leaders(self) -> int:
        return sum(row.leaders for row in self.rows)

    @property
    def begun(self) -> int:
        return sum(row.begun for row in self.rows)

    @property
    def finished(self) -> int:
        return sum(row.finished for row in self.rows)

    @property
    def without_leaders_taking_part(self) -> int:
        return sum(1 for row in self.rows if row.no_leader_taking_part)


def learning_participation(*, region: Region, path: LearningPath | None = None) -> Participation:
    """Per municipality of the region: its leaders, how many have begun and finished the path,
    and how many have done each module. Three queries however many municipalities there are."""
    path = path or default_learning_path()
    municipalities = list(Municipality.objects.filter(region=region).order_by("name"))
    leaders: dict[int, set[int]] = {}
    for user_id, municipality_id in User.objects.filter(
        role=Role.LEADERSHIP, is_active=True, municipality__region=region
    ).values_list("pk", "municipality_id"):
        leaders.setdefault(municipality_id, set()).add(user_id)
    begun: set[int] = set()
    done: dict[int, set[str]] = {}
    for user_id, key, done_at, written in (
        LearningNote.objects.filter(
            user__role=Role.LEADERSHIP,
            user__is_active=True,
            user__municipality__region=region,
            module_key__in=path.keys,
        )
        .annotate(_written=_written())
        .values_list("user_id", "module_key", "done_at", "_written")
    ):
        if done_at is not None:
            done.setdefault(user_id, set()).add(key)
        if done_at is not None or written:
            begun.add(user_id)
    every = set(path.keys)
    rows = []
    for municipality in municipalities:
        ids = leaders.get(municipality.pk, set())
        rows.append(
            MunicipalityParticipation(
                municipality=municipality,
                leaders=len(ids),
                begun=len(ids & begun),
                finished=sum(1 for i in ids if done.get(i, set()) >= every),
                done_per_module=tuple(
                    sum(1 for i in ids if key in done.get(i, set())) for key in path.keys
                ),
            )
        )
    return Participation(path=path, rows=tuple(rows))


# --- Services -------------------------------------------------------------------------------------


@transaction.atomic
def note_save(*, user: User, module_key: str, note: str, done: bool) -> LearningNote:
    """Keep the user's own note on a module, and mark it done or not done."""
    if module_get(key=module_key) is None:
        raise ValidationError(
            {"module_key": _("There is no module “%(key)s” in the path.") % {"key": module_key}},
            code="unknown_module",
        )
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": _(
                    "The note has %(length)s characters; it may have at most %(limit)s. "
                    "Shorten it by %(over)s."
                )
                % {
                    "length": len(note),
                    "limit": NOTE_MAX_LENGTH,
                    "over": len(note) - NOTE_MAX_LENGTH,
                }
            },
            code="too_long",
        )
    record, _created = LearningNote.objects.select_for_update().get_or_create(
        user=user, module_key=module_key
    )
    record.note = note
    if done and record.done_at is None:
        record.done_at = timezone.now()
    elif not done:
        record.done_at = None
    record.full_clean()
    record.save()
    return record
