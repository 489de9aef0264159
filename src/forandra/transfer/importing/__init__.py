"""Reading an archive back: everything is checked first, then written in one transaction.

The checks, in order, each naming the model, the primary key and the field it is about
(`header.py`, `rows.py`, `checks.py`): the file is JSON (else the line and column where it
stops being JSON); it is a Förändra archive of a version this release reads; it was exported
from a database with the same migrations; every model and every field is known; every value is
valid for its field; every reference leads to a row of the archive or of the database; no row
clashes with one in the database (the same primary key with other content, or the same unique
value on another row); every uploaded file a row names is there. Rows already in the database
with exactly the archive's content are left as they are, so importing an archive twice changes
nothing. Only then is anything written (`writer.py`), in one transaction: any error rolls it
all back, and files stored on the way are removed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.fields.files import FileField
from django.utils.translation import gettext as _

from forandra.transfer.progress import Progress, Silent

from . import checks, writer
from .header import check_header, parse
from .problems import ArchiveRefusedError
from .rows import Archive

__all__ = ["ArchiveRefusedError", "ImportSummary", "import_archive", "row_count"]


@dataclass
class ImportSummary:
    scope: dict[str, Any]
    rows: int = 0  # rows in the archive
    written: int = 0  # rows inserted
    present: int = 0  # rows the database had already, with the same content
    models: int = 0  # models with at least one row in the archive
    files: int = 0  # files stored
    missing_files: list[str] = field(default_factory=list)  # named by rows, found nowhere


def row_count(document: dict[str, Any]) -> int:
    """How many rows the (parsed) archive holds, for a progress bar."""
    models = document.get("models")
    if not isinstance(models, dict):
        return 0
    return sum(len(rows) for rows in models.values() if isinstance(rows, list))


def import_archive(
    data: bytes,
    *,
    dry_run: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check the archive and, unless `dry_run`, write it; ArchiveRefusedError says what is
    wrong, and then nothing was written."""
    progress = progress or Silent()
    ContentType.objects.clear_cache()  # their ids may have changed (e.g. after `flush`)
    document = parse(data)
    check_header(document, using)
    progress.start(_("Checking"), row_count(document))
    archive = Archive(document, using)
    archive.read(progress.update)
    for check in (checks.check_references, checks.check_conflicts, checks.check_files):
        if archive.problems:
            break
        check(archive)
    if archive.problems:
        raise archive.problems.refuse()
    summary = ImportSummary(scope=document["scope"])
    summary.rows = archive.total()
    summary.present = sum(row.present for rows in archive.rows.values() for row in rows.values())
    summary.models = sum(1 for rows in archive.rows.values() if rows)
    summary.files = len(archive.new_files)
    summary.missing_files = sorted(archive.missing_files)
    if dry_run:
        return summary
    stored: list[tuple[FileField, str]] = []
    try:
        with transaction.atomic(using=using):
            progress.start(_("Writing"), summary.rows - summary.present)
            summary.written = writer.write_rows(archive, progress.update)
            writer.write_files(archive, stored)
            # Cached figures (maturity scores, …) describe the database as it was.
            transaction.on_commit(cache.clear, using=using)
    except BaseException:
        for file_field, name in stored:
            file_field.storage.delete(name)
        raise
    return summary
