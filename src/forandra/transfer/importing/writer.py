"""Writing the checked rows, inside the caller's transaction.

Rows are inserted as they are, as Django's `loaddata` saves them (`raw`): no `auto_now` time
is renewed and no signal fires, so no historical record is made twice (the archive has them).
The INSERT statement is Django's own for the model, run once per row with `executemany`.
Then the many-to-many links; then the database's own checks of the foreign keys, so that a
violation shows now rather than at the commit; then PostgreSQL's sequences are moved past the
imported keys, so the next row made by the application gets a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models
from django.db.models.fields.files import FileField
from django.db.models.sql import InsertQuery
from django.utils.translation import gettext as _

from forandra.transfer import registry

from .problems import ArchiveRefusedError
from .rows import Archive

Progress = Callable[[int], None]
BATCH = 1000


def write_rows(archive: Archive, count: Progress) -> int:
    """Insert the rows the database does not have yet; the number inserted."""
    connection = connections[archive.using]
    written = 0
    with connection.cursor() as cursor:
        for model, rows in archive.rows.items():
            new = [row for row in rows.values() if not row.present]
            if not new:
                continue
            fields = [f for f in model._meta.local_concrete_fields if not f.generated]
            sql = insert_sql(model, fields, archive.using)
            params = [
                [
                    f.get_db_prep_save(
                        row.data[f.attname] if f.attname in row.data else f.get_default(),
                        connection,
                    )
                    for f in fields
                ]
                for row in new
            ]
            try:
                for batch in _batches(params):
                    cursor.executemany(sql, batch)
                    count(len(batch))
                for relation in registry.m2m_fields(model):
                    through, source, target = registry.m2m_columns(relation)
                    links = [
                        through(**{source: row.pk, target: value})
                        for row in new
                        for value in row.m2m.get(relation.name, [])
                    ]
                    through._base_manager.using(archive.using).bulk_create(links, batch_size=BATCH)
            except DatabaseError as error:
                raise ArchiveRefusedError(
                    [
                        _("%(model)s: the database refused the rows: %(error)s")
                        % {"model": registry.label(model), "error": _one_line(error)}
                    ]
                ) from error
            written += len(new)
    _check_constraints(archive)
    if connection.vendor == "postgresql":
        statements = connection.ops.sequence_reset_sql(no_style(), list(archive.rows))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return written


def insert_sql(model: type[models.Model], fields: list[Any], using: str) -> str:
    """Django's INSERT statement for one row of the model, with a placeholder per field."""
    query = InsertQuery(model)
    query.insert_values(fields, [model(**{f.attname: None for f in fields})], raw=True)
    [(sql, _params)] = query.get_compiler(using=using).as_sql()
    return str(sql)


def _check_constraints(archive: Archive) -> None:
    connection = connections[archive.using]
    tables = [model._meta.db_table for model in archive.rows] + [
        registry.m2m_columns(relation)[0]._meta.db_table
        for model in archive.rows
        for relation in registry.m2m_fields(model)
    ]
    try:
        connection.check_constraints(table_names=tables)
    except DatabaseError as error:
        raise ArchiveRefusedError(
            [_("The database refused the rows: %(error)s") % {"error": _one_line(error)}]
        ) from error


def write_files(archive: Archive, stored: list[tuple[FileField, str]]) -> None:
    """Store the archive's files the storage does not have; each one stored is added to
    `stored`, so that the caller can remove it again if the transaction fails."""
    by_name: dict[str, FileField] = {}
    for model, rows in archive.rows.items():
        for file_field in model._meta.concrete_fields:
            if isinstance(file_field, FileField):
                for row in rows.values():
                    name = row.data.get(file_field.attname)
                    if name in archive.new_files:
                        by_name[name] = file_field
    for name, file_field in sorted(by_name.items()):
        saved = file_field.storage.save(name, ContentFile(archive.new_files[name]))
        stored.append((file_field, saved))
        if saved != name:
            raise ArchiveRefusedError(
                [_("The file %(name)s could not be stored under its name.") % {"name": name}]
            )


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
