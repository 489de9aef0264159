"""The checks across rows: references, clashes with the database, files.

A reference must lead to a row of the archive or of the database. A row whose primary key the
database has already is fine if the database's row has exactly the archive's content (it is
then left as it is), and a clash otherwise; a unique value (a municipality's code, a survey
token, …) must not be twice in the archive nor on another row of the database. Conditional
unique constraints and check constraints are left to the database, when the rows are written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models.fields.files import FileField
from django.utils.translation import gettext as _

from forandra.transfer import registry
from forandra.transfer.encoding import plain, sort_key
from forandra.transfer.exporting import NaturalKeys, serialize_rows

from .problems import where
from .rows import Archive, Row

CHUNK = 500  # values per IN (…) list


def check_references(archive: Archive) -> None:
    """Every reference leads to a row of the archive or of the database."""
    for (target, attname), pending in archive.pending.items():
        inside = _values(archive, target, attname)
        outside = {item.value for item in pending} - inside
        found: set[Any] = set()
        manager = target._base_manager.using(archive.using)
        for chunk in _chunks(sorted(outside, key=sort_key)):
            found.update(
                manager.filter(**{f"{attname}__in": chunk}).values_list(attname, flat=True)
            )
        key = "pk" if attname == target._meta.pk.attname else attname
        for item in pending:
            if item.value in inside or item.value in found:
                continue
            archive.problems.add(
                _(
                    "%(where)s: it refers to %(target)s %(key)s %(value)s, which is neither in "
                    "the archive nor in the database."
                )
                % {
                    "where": where(item.model, item.pk, item.field),
                    "target": registry.label(target),
                    "key": key,
                    "value": json.dumps(plain(item.value)),
                }
            )


def _values(archive: Archive, model: type[models.Model], attname: str) -> set[Any]:
    rows = archive.rows.get(model, {})
    if attname == model._meta.pk.attname:
        return set(rows)
    return {row.data.get(attname) for row in rows.values()}


def check_conflicts(archive: Archive) -> None:
    """Rows already in the database: the same (left as they are) or a clash; unique values."""
    natural = NaturalKeys(archive.using)
    for model, rows in archive.rows.items():
        if not rows:
            continue
        filled = model._base_manager.using(archive.using).exists()
        if filled:
            _check_keys(archive, model, rows, natural)
        _check_unique(archive, model, rows, filled=filled)


def _check_keys(
    archive: Archive, model: type[models.Model], rows: dict[Any, Row], natural: NaturalKeys
) -> None:
    manager = model._base_manager.using(archive.using)
    for chunk in _chunks(sorted(rows, key=sort_key)):
        for record in serialize_rows(model, manager.filter(pk__in=chunk), natural):
            row = rows[model._meta.pk.to_python(record["pk"])]
            theirs = plain(record)
            if theirs == row.record:
                row.present = True
                continue
            differing = [
                name
                for name in sorted(theirs["fields"])
                if theirs["fields"][name] != row.record["fields"].get(name)
            ]
            archive.problems.clashes += 1
            archive.problems.add(
                _(
                    "%(where)s: the database has a row with this primary key and other content "
                    "(fields: %(fields)s)."
                )
                % {"where": where(model, row.pk), "fields": ", ".join(differing)}
            )


def _check_unique(
    archive: Archive, model: type[models.Model], rows: dict[Any, Row], *, filled: bool
) -> None:
    manager = model._base_manager.using(archive.using)
    new = [row for row in rows.values() if not row.present]
    for fields in unique_sets(model):
        attnames = [f.attname for f in fields]
        names = ", ".join(f.name for f in fields)
        keys: dict[tuple[Any, ...], Any] = {}
        for row in new:
            key = tuple(row.data.get(attname) for attname in attnames)
            if any(value is None for value in key):
                continue  # empty values never clash
            if key in keys:
                archive.problems.add(
                    _("%(where)s: its %(fields)s is the same as that of row pk %(other)s.")
                    % {
                        "where": where(model, row.pk),
                        "fields": names,
                        "other": json.dumps(plain(keys[key])),
                    }
                )
            keys[key] = row.pk
        if not filled:
            continue
        for chunk in _chunks(sorted(keys, key=str)):
            query = models.Q()
            for key in chunk:
                query |= models.Q(**dict(zip(attnames, key, strict=True)))
            for *found, pk in manager.filter(query).values_list(*attnames, "pk"):
                mine = keys.get(tuple(found))
                if mine is None or mine == pk:
                    continue
                archive.problems.clashes += 1
                archive.problems.add(
                    _(
                        "%(where)s: its %(fields)s %(value)s is that of another row in the "
                        "database (pk %(other)s)."
                    )
                    % {
                        "where": where(model, mine),
                        "fields": names,
                        "value": json.dumps(plain(found), ensure_ascii=False),
                        "other": json.dumps(plain(pk)),
                    }
                )


def unique_sets(model: type[models.Model]) -> list[list[Any]]:
    """The model's unique fields and sets of fields, without conditions or expressions."""
    meta = model._meta
    sets: list[list[Any]] = [
        [f] for f in meta.local_concrete_fields if f.unique and not f.primary_key
    ]
    for names in meta.unique_together:
        sets.append([meta.get_field(name) for name in names])
    for constraint in meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and not constraint.condition
            and not constraint.expressions
        ):
            sets.append([meta.get_field(name) for name in constraint.fields])
    return sets


def check_files(archive: Archive) -> None:
    """Each file a new row names is in the archive or the storage, and not another file under
    its name; those only in the archive are to be stored."""
    for model, rows in archive.rows.items():
        for file_field in model._meta.concrete_fields:
            if not isinstance(file_field, FileField):
                continue
            for row in rows.values():
                name = row.data.get(file_field.attname)
                if not name or row.present:
                    continue
                stored = file_field.storage.exists(name)
                if name not in archive.files:
                    if not stored:
                        archive.missing_files.add(name)
                    continue
                if not stored:
                    archive.new_files[name] = archive.files[name]
                    continue
                with file_field.storage.open(name, "rb") as file:
                    same = file.read() == archive.files[name]
                if not same:
                    archive.problems.add(
                        _("%(where)s: the storage has another file named %(name)s.")
                        % {"where": where(model, row.pk, file_field.name), "name": name}
                    )


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
