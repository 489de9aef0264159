"""Reading the archive's rows: every model and field known, every value valid for its field.

Values go through each field's `to_python`, as Django's deserializers do, then through
Django's own checks of a field (empty or not, choices, the field's validators such as length
and range), less "may not be blank": the database holds what the application stored, and an
empty text is a value it may store. References are collected here and checked later, once every
row of the archive is known (`checks.py`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FileField
from django.utils.translation import gettext as _

from forandra.transfer import registry
from forandra.transfer.exporting import NaturalKeys

from .problems import Problems, where

Progress = Callable[[int], None]


@dataclass
class Row:
    """One row of the archive, its values converted for the database."""

    pk: Any
    record: dict[str, Any]  # as read from the file
    data: dict[str, Any] = field(default_factory=dict)  # attname -> value
    m2m: dict[str, list[Any]] = field(default_factory=dict)  # relation name -> target keys
    present: bool = False  # in the database already, with the same content


@dataclass(frozen=True)
class Pending:
    """A reference still to be checked: the row and field it is in, and the value it names."""

    model: type[models.Model]
    pk: Any
    field: str
    value: Any


class Archive:
    """The archive's rows, read and checked field by field."""

    def __init__(self, document: dict[str, Any], using: str) -> None:
        self.document = document
        self.using = using
        self.problems = Problems()
        self.rows: dict[type[models.Model], dict[Any, Row]] = {}
        # (target model, target attname) -> references to it
        self.pending: dict[tuple[type[models.Model], str], list[Pending]] = defaultdict(list)
        self.natural: dict[tuple[type[models.Model], tuple[Any, ...]], Any] = {}
        self.files: dict[str, bytes] = {}  # the archive's files, decoded
        self.new_files: dict[str, bytes] = {}  # those to store (see checks.check_files)
        self.missing_files: set[str] = set()  # named by a row, in neither archive nor storage

    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def read(self, count: Progress) -> None:
        for name, records in self.document["models"].items():
            model = registry.model_for(name)
            if model is None:
                if name in registry.EXCLUDED:
                    self.problems.add(
                        _("The model %(model)s is never imported: %(reason)s.")
                        % {"model": name, "reason": registry.EXCLUDED[name]}
                    )
                else:
                    self.problems.add(_("Unknown model %(model)s.") % {"model": name})
                continue
            if not isinstance(records, list):
                self.problems.add(_("%(model)s: its rows are not a list.") % {"model": name})
                continue
            self.rows[model] = {}
            fields = _fields(model)
            for index, record in enumerate(records, start=1):
                self.read_row(model, fields, index, record)
                count(1)

    def read_row(
        self, model: type[models.Model], fields: dict[str, Any], index: int, record: Any
    ) -> None:
        name = registry.label(model)
        if not isinstance(record, dict) or set(record) != {"pk", "fields"}:
            self.problems.add(
                _('%(model)s, row %(index)d: a row is an object with "pk" and "fields".')
                % {"model": name, "index": index}
            )
            return
        try:
            pk = model._meta.pk.to_python(record["pk"])
        except ValidationError as error:
            pk = error
        if pk is None or isinstance(pk, ValidationError):
            self.problems.add(
                _("%(model)s, row %(index)d: %(pk)s is not a valid primary key.")
                % {"model": name, "index": index, "pk": json.dumps(record["pk"])}
            )
            return
        if pk in self.rows[model]:
            self.problems.add(
                _("%(where)s: the archive has two rows with this primary key.")
                % {"where": where(model, record["pk"])}
            )
            return
        values = record["fields"]
        if not isinstance(values, dict):
            self.problems.add(
                _('%(where)s: "fields" is not an object.') % {"where": where(model, pk)}
            )
            return
        row = Row(pk=pk, record=record)
        row.data[model._meta.pk.attname] = pk
        for unknown in sorted(set(values) - set(fields)):
            self.problems.add(_("%(where)s: unknown field.") % {"where": where(model, pk, unknown)})
        for field_name, model_field in fields.items():
            if field_name not in values:
                self.problems.add(
                    _("%(where)s: the field is missing.") % {"where": where(model, pk, field_name)}
                )
                continue
            try:
                self.read_value(model, row, model_field, values[field_name])
            except ValidationError as error:
                self.problems.add(f"{where(model, pk, field_name)}: {' '.join(error.messages)}")
            except (TypeError, ValueError) as error:
                self.problems.add(f"{where(model, pk, field_name)}: {error}")
        self.rows[model][pk] = row

    def read_value(self, model: type[models.Model], row: Row, model_field: Any, raw: Any) -> None:
        if model_field.many_to_many:
            row.m2m[model_field.name] = self.read_many(model, row, model_field, raw)
        elif model_field.is_relation:
            row.data[model_field.attname] = self.read_key(model, row, model_field, raw)
        else:
            value = model_field.to_python(raw)
            check_value(model_field, value)
            row.data[model_field.attname] = value
            if isinstance(model_field, FileField) and value:
                self.read_file(model, row, model_field, str(value))

    def read_key(self, model: type[models.Model], row: Row, model_field: Any, raw: Any) -> Any:
        if raw is None:
            if not model_field.null:
                raise ValidationError(model_field.error_messages["null"])
            return None
        target = model_field.related_model
        if NaturalKeys.applies(target):
            return self.by_natural_key(target, raw)
        value = model_field.target_field.to_python(raw)
        if getattr(model_field, "db_constraint", True):
            self.pending[(target, model_field.target_field.attname)].append(
                Pending(model, row.pk, model_field.name, value)
            )
        return value

    def read_many(
        self, model: type[models.Model], row: Row, model_field: Any, raw: Any
    ) -> list[Any]:
        if not isinstance(raw, list):
            raise ValidationError(_("A many-to-many field holds a list."))
        target = model_field.related_model
        values = []
        for item in raw:
            if NaturalKeys.applies(target):
                values.append(self.by_natural_key(target, item))
                continue
            value = target._meta.pk.to_python(item)
            self.pending[(target, target._meta.pk.attname)].append(
                Pending(model, row.pk, model_field.name, value)
            )
            values.append(value)
        return values

    def by_natural_key(self, target: type[models.Model], raw: Any) -> Any:
        """The primary key, in this database, of a row named by natural key (a content type,
        a permission), which `forandra migrate` makes."""
        if not isinstance(raw, list):
            raise ValidationError(
                _("%(model)s is referred to by its natural key, a list.")
                % {"model": registry.label(target)}
            )
        key = (target, tuple(raw))
        if key not in self.natural:
            manager: Any = target._default_manager.db_manager(self.using)
            try:
                self.natural[key] = manager.get_by_natural_key(*raw).pk
            except (target.DoesNotExist, TypeError, ValueError):  # type: ignore[attr-defined]
                self.natural[key] = None
        pk = self.natural[key]
        if pk is None:
            raise ValidationError(
                _("%(model)s %(key)s does not exist in this database.")
                % {"model": registry.label(target), "key": json.dumps(raw, ensure_ascii=False)}
            )
        return pk

    def read_file(self, model: type[models.Model], row: Row, model_field: Any, name: str) -> None:
        if name in self.files:
            return
        encoded = self.document["files"].get(name)
        if encoded is None:
            return  # perhaps in the storage already (checks.check_files)
        try:
            self.files[name] = base64.b64decode(encoded, validate=True)
        except (binascii.Error, TypeError, ValueError):
            self.problems.add(
                _("%(where)s: the archive's copy of the file %(name)s is not base64.")
                % {"where": where(model, row.pk, model_field.name), "name": name}
            )


def _fields(model: type[models.Model]) -> dict[str, Any]:
    """The fields a row of the model has in an archive: those Django's serializers write."""
    names: dict[str, Any] = {}
    for model_field in model._meta.local_fields:
        if getattr(model_field, "serialize", True):
            names[model_field.name] = model_field
    for relation in registry.m2m_fields(model):
        names[relation.name] = relation
    return names


@cache
def _choices(model_field: Any) -> frozenset[Any]:
    return frozenset(key for key, _label in model_field.flatchoices)


def check_value(model_field: Any, value: Any) -> None:
    """Django's checks of one field's value, less "may not be blank" (see the docstring)."""
    if value is None:
        if not model_field.null:
            raise ValidationError(model_field.error_messages["null"], code="null")
        return
    if (
        model_field.choices is not None
        and value not in model_field.empty_values
        and value not in _choices(model_field)
    ):
        raise ValidationError(
            model_field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )
    model_field.run_validators(value)
