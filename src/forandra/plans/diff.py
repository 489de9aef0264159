"""What changed between two versions of a plan: the text of each of Kotter's steps and of the
management/leadership check (line by line), the capabilities (added, removed, changed) and the
initiatives (matched by their `key`, which a new version keeps), with the changed fields' old
and new values, budget lines per year and kind, waves, capabilities and partners.

`compare` reads each version in a constant number of queries; `text_diff` and the comparisons
below it are plain Python.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils import formats

from .models import BudgetKind, Capability, Initiative, PlanVersion, Step

#: Lines of unchanged text shown around a change.
CONTEXT = 2


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "added" or "removed"
    text: str
    # For a line that replaced a similar one: the line in pieces, (changed, text), so only the
    # words that changed are marked. Empty: the whole line is added or removed.
    parts: tuple[tuple[bool, str], ...] = ()


@dataclass(frozen=True)
class TextDiff:
    """A text's changes as hunks of lines with a little context; empty when nothing changed."""

    hunks: list[list[Line]]

    @property
    def changed(self) -> bool:
        return bool(self.hunks)


@dataclass(frozen=True)
class SectionDiff:
    step: int
    title: str
    diff: TextDiff


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class SetChange:
    label: str
    added: list[str]
    removed: list[str]


@dataclass(frozen=True)
class ItemChange:
    """A capability or initiative that is in both versions but changed."""

    name: str
    fields: list[FieldChange] = field(default_factory=list)
    sets: list[SetChange] = field(default_factory=list)
    budget: list[FieldChange] = field(default_factory=list)  # label: "2027, innovation"

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.sets or self.budget)


@dataclass(frozen=True)
class ItemsDiff:
    added: list[str]
    removed: list[str]
    changed: list[ItemChange]

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class VersionDiff:
    a: PlanVersion
    b: PlanVersion
    sections: list[SectionDiff]  # only the steps whose text changed
    leadership_check: TextDiff
    capabilities: ItemsDiff
    initiatives: ItemsDiff

    @property
    def any(self) -> bool:
        return bool(
            self.sections
            or self.leadership_check.changed
            or self.capabilities.any
            or self.initiatives.any
        )


def text_diff(old: str, new: str, context: int = CONTEXT) -> TextDiff:
    """Line by line: what was removed from `old` and added in `new`, in hunks with context.
    Blank lines only space paragraphs, so they are left out of the comparison."""
    a = [line for line in old.splitlines() if line.strip()]
    b = [line for line in new.splitlines() if line.strip()]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    hunks: list[list[Line]] = []
    for group in matcher.get_grouped_opcodes(context):
        hunk: list[Line] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk += [Line("same", text) for text in a[i1:i2]]
                continue
            removed, added = a[i1:i2], b[j1:j2]
            if tag == "replace" and len(removed) == len(added):
                for old_line, new_line in zip(removed, added, strict=True):
                    hunk += _word_diff(old_line, new_line)
                continue
            hunk += [Line("removed", text) for text in removed]
            hunk += [Line("added", text) for text in added]
        hunks.append(hunk)
    return TextDiff(hunks)


#: How alike two lines must be (0-1) for their changed words to be marked, not the whole line.
ALIKE = 0.5


def _word_diff(old: str, new: str) -> list[Line]:
    """A line replaced by another: removed and added, with the changed words marked when the
    two are alike enough."""
    words = difflib.SequenceMatcher(a=old.split(), b=new.split(), autojunk=False)
    if words.ratio() < ALIKE:
        return [Line("removed", old), Line("added", new)]
    a, b = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    before: list[tuple[bool, str]] = []
    after: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            before.append((tag != "equal", "".join(a[i1:i2])))
        if j2 > j1:
            after.append((tag != "equal", "".join(b[j1:j2])))
    lines = []
    # A line that only gained words is not also shown as removed, nor one that only lost some
    # as added.
    if any(changed for changed, _text in before):
        lines.append(Line("removed", old, tuple(before)))
    if any(changed for changed, _text in after):
        lines.append(Line("added", new, tuple(after)))
    return lines


def _show(value: Any) -> str:
    """A value as the reader sees it: dates and numbers in their language, nothing as "–"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=0 if value.is_integer() else 1)
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    if hasattr(value, "isoformat"):
        return str(formats.date_format(value, "SHORT_DATE_FORMAT"))
    return str(value)


def _fields(old: Any, new: Any, names: list[str]) -> list[FieldChange]:
    changes = []
    for name in names:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(FieldChange(_label(type(new), name), _show(before), _show(after)))
    return changes


def _set(label: str, old: set[str], new: set[str]) -> list[SetChange]:
    if old == new:
        return []
    return [SetChange(label, sorted(new - old), sorted(old - new))]


CAPABILITY_FIELDS = ["name", "dimension", "current_score", "target_score", "note"]
INITIATIVE_FIELDS = [
    "title",
    "owner",
    "start",
    "end",
    "first_step",
    "citizen_benefit",
    "description",
]


def _capability_key(capability: Capability) -> str:
    """Capabilities have no key of their own: the same dimension, or else the same name."""
    if capability.dimension:
        return f"d:{capability.dimension}"
    return f"n:{capability.name.strip().casefold()}"


def _capabilities(a: PlanVersion, b: PlanVersion) -> ItemsDiff:
    old = {_capability_key(c): c for c in a.capabilities.all()}
    new = {_capability_key(c): c for c in b.capabilities.all()}
    changed = []
    for key in old.keys() & new.keys():
        change = ItemChange(new[key].name, _fields(old[key], new[key], CAPABILITY_FIELDS))
        if change.changed:
            changed.append(change)
    return ItemsDiff(
        added=[new[k].name for k in new if k not in old],
        removed=[old[k].name for k in old if k not in new],
        changed=sorted(changed, key=lambda c: c.name),
    )


def _budget(old: Initiative, new: Initiative) -> list[FieldChange]:
    labels = dict(BudgetKind.choices)
    before = {(line.year, line.kind): line.amount for line in old.budget_lines.all()}
    after = {(line.year, line.kind): line.amount for line in new.budget_lines.all()}
    order = {kind: index for index, kind in enumerate(BudgetKind.values)}
    changes = []
    for year, kind in sorted(before.keys() | after.keys(), key=lambda k: (k[0], order[k[1]])):
        was, now = before.get((year, kind), 0), after.get((year, kind), 0)
        if was != now:
            label = f"{year}, {str(labels[kind]).lower()}"
            changes.append(FieldChange(label, _show(was), _show(now)))
    return changes


def _label(model: type[Model], name: str) -> str:
    """A field's name as the reader sees it: its verbose name, capitalised."""
    label = str(getattr(model._meta.get_field(name), "verbose_name", name))
    return label[:1].upper() + label[1:]


def _names(items: Any) -> set[str]:
    return {item.name for item in items.all()}


def _initiative(old: Initiative, new: Initiative) -> ItemChange:
    sets = [
        change
        for name in ("waves", "capabilities", "collaborating")
        for change in _set(
            _label(Initiative, name), _names(getattr(old, name)), _names(getattr(new, name))
        )
    ]
    return ItemChange(new.title, _fields(old, new, INITIATIVE_FIELDS), sets, _budget(old, new))


def _initiatives(a: PlanVersion, b: PlanVersion) -> ItemsDiff:
    old = {i.key: i for i in a.initiatives.all()}
    new = {i.key: i for i in b.initiatives.all()}
    changed = []
    for initiative in new.values():  # in the order of the newer version
        if initiative.key in old:
            change = _initiative(old[initiative.key], initiative)
            if change.changed:
                changed.append(change)
    return ItemsDiff(
        added=[i.title for k, i in new.items() if k not in old],
        removed=[i.title for k, i in old.items() if k not in new],
        changed=changed,
    )


def _load(version: PlanVersion) -> PlanVersion:
    """The version with everything the comparison reads, prefetched (seven queries)."""
    return (
        PlanVersion.objects.select_related("plan")
        .prefetch_related(
            "sections",
            "capabilities",
            "initiatives__budget_lines",
            "initiatives__waves",
            "initiatives__capabilities",
            "initiatives__collaborating",
        )
        .get(pk=version.pk)
    )


def compare(a: PlanVersion, b: PlanVersion) -> VersionDiff:
    """What changed from version `a` to version `b` of the same plan."""
    a, b = _load(a), _load(b)
    old_texts = {s.step: s.text for s in a.sections.all()}
    new_texts = {s.step: s.text for s in b.sections.all()}
    sections = []
    for step in Step:
        diff = text_diff(old_texts.get(step.value, ""), new_texts.get(step.value, ""))
        if diff.changed:
            sections.append(SectionDiff(step.value, str(step.label), diff))
    return VersionDiff(
        a=a,
        b=b,
        sections=sections,
        leadership_check=text_diff(a.leadership_check, b.leadership_check),
        capabilities=_capabilities(a, b),
        initiatives=_initiatives(a, b),
    )
