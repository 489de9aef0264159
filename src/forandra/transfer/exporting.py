"""Writing an archive: the whole database, or one municipality's part of it (see README.md).

Rows go through Django's Python serializer, with three changes (`ArchiveSerializer`): a row
refers to a content type or a permission (which `forandra migrate` makes, so they are not in
the archive) by its natural key, and to anything else by primary key; many-to-many lists are
read in one query per relation and sorted; the model's label is said once for all its rows.
The file is deterministic: models in label order, rows in primary-key order, fields in name
order, and no time of export inside, so exporting the same data twice gives the same bytes.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TextIO

from django.core.serializers import python
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.fields.files import FileField
from django.utils.encoding import is_protected_type
from django.utils.translation import gettext as _

from forandra.municipalities.models import Municipality

from . import registry
from .encoding import dumps, sort_key
from .progress import Progress, Silent

Record = dict[str, Any]  # {"pk": …, "fields": {name: value}}
Count = Callable[[int], None]
CHUNK = 500  # values per IN (…) list: far below every database's limit on parameters


class ExportError(Exception):
    """The database cannot be exported as it is (a row refers to one that is missing)."""


@dataclass
class ExportSummary:
    rows: int = 0
    models: int = 0  # models with at least one row
    files: int = 0
    missing_files: list[str] = field(default_factory=list)


class NaturalKeys:
    """Natural keys of the rows of models that are not in the archive, read once per model."""

    def __init__(self, using: str) -> None:
        self.using = using
        self._keys: dict[type[models.Model], dict[Any, list[Any]]] = {}

    @staticmethod
    def applies(model: type[models.Model]) -> bool:
        """Whether rows refer to this model by natural key: it is not in archives, and has one."""
        return _by_natural_key(model)

    def get(self, model: type[models.Model], pk: Any) -> list[Any]:
        if model not in self._keys:
            rows = model._base_manager.using(self.using).select_related()
            self._keys[model] = {row.pk: list(row.natural_key()) for row in rows}  # type: ignore[attr-defined]  # checked by applies()
        try:
            return self._keys[model][pk]
        except KeyError:
            raise ExportError(
                _("%(model)s pk %(pk)s is referred to but does not exist")
                % {"model": registry.label(model), "pk": pk}
            ) from None


@cache
def _by_natural_key(model: type[models.Model]) -> bool:
    return registry.model_for(registry.label(model)) is None and hasattr(model, "natural_key")


class ArchiveSerializer(python.Serializer):
    """Django's Python serializer, as the module docstring says."""

    _current: dict[str, Any]  # the row being serialized (set by Django's serializer)

    def __init__(
        self, natural: NaturalKeys, m2m: dict[str, dict[Any, list[Any]]], count: Count
    ) -> None:
        super().__init__()
        self.natural = natural
        self.m2m = m2m
        self.count = count

    def handle_fk_field(self, obj: models.Model, field: Any) -> None:
        related = field.related_model
        value = getattr(obj, field.attname)
        if value is not None and isinstance(related, type) and self.natural.applies(related):
            self._current[field.name] = self.natural.get(related, value)
        else:
            self._current[field.name] = _value(obj, field)

    def handle_m2m_field(self, obj: models.Model, field: Any) -> None:
        if field.remote_field.through._meta.auto_created:
            self._current[field.name] = self.m2m[field.name].get(obj.pk, [])

    def get_dump_object(self, obj: models.Model) -> Record:
        fields = {name: self._current[name] for name in sorted(self._current)}
        return {"pk": _value(obj, obj._meta.pk), "fields": fields}

    def end_object(self, obj: models.Model) -> None:
        super().end_object(obj)
        self.count(1)


def _value(obj: models.Model, model_field: Any) -> Any:
    """A field's value as Django's Python serializer writes it: numbers, dates and times as
    they are, anything else as the field's text."""
    value = model_field.value_from_object(obj)
    return value if is_protected_type(value) else model_field.value_to_string(obj)


def serialize_rows(
    model: type[models.Model],
    queryset: models.QuerySet[Any],
    natural: NaturalKeys,
    count: Count = lambda n: None,
) -> list[Record]:
    """The rows of `queryset` (of `model`) as archive records, in no particular order."""
    m2m: dict[str, dict[Any, list[Any]]] = {}
    for relation in registry.m2m_fields(model):
        through, source, target = registry.m2m_columns(relation)
        related = relation.related_model
        assert isinstance(related, type)
        lists: dict[Any, list[Any]] = defaultdict(list)
        links = through._base_manager.using(queryset.db).filter(
            **{f"{source}__in": queryset.values("pk")}
        )
        for owner, value in links.values_list(source, target):
            if natural.applies(related):
                value = natural.get(related, value)
            elif not is_protected_type(value):
                value = str(value)  # e.g. a UUID key, written as Django writes the row's own
            lists[owner].append(value)
        m2m[relation.name] = {
            owner: sorted(values, key=sort_key) for owner, values in lists.items()
        }
    serializer = ArchiveSerializer(natural, m2m, count)
    records: list[Record] = serializer.serialize(queryset.order_by().iterator(chunk_size=2000))
    return records


@dataclass
class Collected:
    """Rows chosen for an archive: by model, by primary key."""

    rows: dict[type[models.Model], dict[Any, Record]]

    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def collect(
    municipality: Municipality | None, *, using: str = DEFAULT_DB_ALIAS, count: Count
) -> Collected:
    """The rows of the whole database, or the municipality's rows and what they refer to."""
    natural = NaturalKeys(using)
    chosen: dict[type[models.Model], dict[Any, Record]] = {
        model: {} for model in registry.archived_models()
    }
    fresh: list[tuple[type[models.Model], list[Record]]] = []
    for model in registry.archived_models():
        queryset = model._base_manager.using(using).all()
        if municipality is not None:
            owned = registry.owned_filter(model, municipality.pk)
            if owned is None:
                continue
            queryset = queryset.filter(owned)
        records = serialize_rows(model, queryset, natural, count)
        for record in records:
            chosen[model][record["pk"]] = record
        fresh.append((model, records))
    # What the chosen rows refer to, and what that refers to in turn, until nothing is missing.
    while fresh:
        missing = _missing(fresh, chosen)
        fresh = []
        for (target, attname), values in sorted(
            missing.items(), key=lambda item: (registry.label(item[0][0]), item[0][1])
        ):
            found: list[Record] = []
            for chunk in _chunks(sorted(values, key=sort_key)):
                queryset = target._base_manager.using(using).filter(**{f"{attname}__in": chunk})
                found.extend(serialize_rows(target, queryset, natural, count))
            new = [record for record in found if record["pk"] not in chosen[target]]
            for record in new:
                chosen[target][record["pk"]] = record
            if len(_values(target, attname, found)) < len(values):
                absent = sorted(values - _values(target, attname, found), key=sort_key)
                raise ExportError(
                    _("%(model)s %(field)s %(value)s is referred to but does not exist")
                    % {"model": registry.label(target), "field": attname, "value": absent[0]}
                )
            fresh.append((target, new))
    return Collected(chosen)


def _values(model: type[models.Model], attname: str, records: Iterable[Record]) -> set[Any]:
    if attname == model._meta.pk.attname:
        return {record["pk"] for record in records}
    name = next(f.name for f in model._meta.concrete_fields if f.attname == attname)
    return {record["fields"][name] for record in records}


def _missing(
    fresh: list[tuple[type[models.Model], list[Record]]],
    chosen: dict[type[models.Model], dict[Any, Record]],
) -> dict[tuple[type[models.Model], str], set[Any]]:
    wanted: dict[tuple[type[models.Model], str], set[Any]] = defaultdict(set)
    for model, records in fresh:
        for reference in registry.references(model):
            if registry.model_for(registry.label(reference.target)) is None:
                continue  # not in archives: referred to by natural key
            name = reference.field.name
            for record in records:
                value = record["fields"][name]
                if value is None:
                    continue
                for item in value if reference.many else [value]:
                    wanted[(reference.target, reference.target_field)].add(item)
    missing: dict[tuple[type[models.Model], str], set[Any]] = {}
    for (target, attname), values in wanted.items():
        have = _values(target, attname, chosen[target].values())
        if values - have:
            missing[(target, attname)] = values - have
    return missing


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def schema(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The migrations applied to the database, per app whose models an archive holds: an
    archive is imported only into a database with the same ones (the same tables and fields)."""
    labels = {model._meta.app_label for model in registry.archived_models()}
    applied = MigrationRecorder(connections[using]).applied_migrations()
    found: dict[str, list[str]] = {app: [] for app in sorted(labels)}
    for app, name in applied:
        if app in found:
            found[app].append(name)
    return {app: sorted(names) for app, names in found.items()}


def scope_of(municipality: Municipality | None) -> dict[str, str]:
    if municipality is None:
        return {"kind": "database"}
    return {"kind": "municipality", "code": municipality.code, "name": municipality.name}


def archive_files(collected: Collected, summary: ExportSummary) -> dict[str, str]:
    """The uploaded files the rows name, base64-encoded, by their name in the storage."""
    files: dict[str, str] = {}
    for model, rows in collected.rows.items():
        for file_field in model._meta.concrete_fields:
            if not isinstance(file_field, FileField):
                continue
            for record in rows.values():
                name = record["fields"][file_field.name]
                if not name or name in files:
                    continue
                try:
                    with file_field.storage.open(name, "rb") as stored:
                        files[name] = base64.b64encode(stored.read()).decode("ascii")
                except OSError:
                    summary.missing_files.append(name)
    summary.files = len(files)
    return files


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """Read everything in one transaction, so the archive is the database at one moment."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def row_count(municipality: Municipality | None, using: str = DEFAULT_DB_ALIAS) -> int:
    """About how many rows an export writes (for a progress bar): the municipality's own rows,
    without those they refer to."""
    total = 0
    for model in registry.archived_models():
        queryset = model._base_manager.using(using).all()
        if municipality is not None:
            owned = registry.owned_filter(model, municipality.pk)
            if owned is None:
                continue
            queryset = queryset.filter(owned)
        total += queryset.count()
    return total


def export_archive(
    out: TextIO,
    *,
    municipality: Municipality | None = None,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write the archive of the whole database (or of one municipality) to `out`."""
    summary = ExportSummary()
    progress = progress or Silent()
    with _snapshot(using):
        progress.start(_("Exporting"), row_count(municipality, using))
        collected = collect(municipality, using=using, count=progress.update)
        files = archive_files(collected, summary)
        applied = schema(using)
    write(out, scope=scope_of(municipality), schema=applied, files=files, collected=collected)
    summary.rows = collected.total()
    summary.models = sum(1 for rows in collected.rows.values() if rows)
    return summary


def write(
    out: TextIO,
    *,
    scope: dict[str, str],
    schema: dict[str, list[str]],
    files: dict[str, str],
    collected: Collected,
) -> None:
    """The archive's text: a header, then a line per file and per row."""
    out.write("{\n")
    out.write(f'"format": {dumps(registry.FORMAT)},\n')
    out.write(f'"version": {dumps(registry.VERSION)},\n')
    out.write(f'"scope": {dumps(scope)},\n')
    out.write(f'"schema": {dumps(schema)},\n')
    out.write('"files": {')
    out.write(",".join(f"\n{dumps(name)}: {dumps(files[name])}" for name in sorted(files)))
    out.write("\n},\n" if files else "},\n")
    out.write('"models": {\n')
    models_in_order = sorted(collected.rows, key=registry.label)
    for index, model in enumerate(models_in_order):
        rows = collected.rows[model]
        out.write(f"{dumps(registry.label(model))}: [")
        lines = (dumps(rows[pk]) for pk in sorted(rows, key=sort_key))
        first = True
        for line in lines:
            out.write("\n" if first else ",\n")
            out.write(line)
            first = False
        out.write("]" if first else "\n]")
        out.write(",\n" if index < len(models_in_order) - 1 else "\n")
    out.write("}\n}\n")
