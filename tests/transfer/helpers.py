"""Helpers for the archive tests: exporting to bytes, and counting every table's rows."""

from __future__ import annotations

import io
import json
from typing import Any

from django.db import connection

from forandra.municipalities.models import Municipality
from forandra.transfer import exporting, importing, registry


def export_bytes(municipality: Municipality | None = None) -> bytes:
    """The archive of the database (or of one municipality), as the file would hold it."""
    out = io.StringIO()
    exporting.export_archive(out, municipality=municipality)
    return out.getvalue().encode("utf-8")


def import_bytes(data: bytes, **options: Any) -> importing.ImportSummary:
    return importing.import_archive(data, **options)


def table_rows() -> dict[str, int]:
    """The number of rows in every table of the database (to show that nothing was written)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from the database itself)
            counts[table] = cursor.fetchone()[0]
    return counts


def archived_tables() -> set[str]:
    """The tables an archive covers: its models' and their many-to-many link tables."""
    tables = set()
    for model in registry.archived_models():
        tables.add(model._meta.db_table)
        for relation in registry.m2m_fields(model):
            tables.add(registry.m2m_columns(relation)[0]._meta.db_table)
    return tables


def edited(data: bytes, change: Any) -> bytes:
    """The archive after `change(document)` edited its parsed JSON."""
    document = json.loads(data)
    change(document)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def rows_of(document: dict[str, Any], label: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = document["models"][label]
    return rows
