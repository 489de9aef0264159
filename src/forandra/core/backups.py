"""Backups of the database while the application runs, and restoring one into an empty database.

SQLite: SQLite's online backup API copies the database in one step, as one read transaction, so
the copy is the database as it was at one moment although the application goes on writing (in
WAL mode readers do not block the writer). The copy is a single SQLite file.

PostgreSQL: `pg_dump` in its custom format; it reads within one snapshot, so the dump is
consistent too. Restoring runs `pg_restore` in a single transaction. The client programs' major
version must be at least the server's (Debian: the postgresql-client package of that version).

Uploaded files (MEDIA_ROOT) are not in the database: back that folder up after the database.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_TIMEOUT = 6 * 60 * 60  # seconds: a backup or restore that takes longer is stuck


class BackupError(Exception):
    """Why a backup or restore cannot be done; the message is for the administrator."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    vendor: str
    method: str  # "sqlite-backup-api", "pg_dump", "pg_restore"
    size: int


def backup(connection: BaseDatabaseWrapper, path: Path, *, replace: bool = False) -> Outcome:
    """Copy the database into `path` (written to a temporary name, then renamed)."""
    path = path.resolve()
    if path.exists() and not replace:
        raise BackupError(
            _("%(path)s exists already: choose a new name, or give --force to replace it.")
            % {"path": path}
        )
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(connection, partial)
            method = "sqlite-backup-api"
        elif connection.vendor == "postgresql":
            _pg_dump(connection, partial)
            method = "pg_dump"
        else:
            raise BackupError(
                _("Backups of %(vendor)s databases are not supported.")
                % {"vendor": connection.vendor}
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Outcome(path, connection.vendor, method, path.stat().st_size)


def restore(connection: BaseDatabaseWrapper, path: Path) -> Outcome:
    """Restore the backup at `path` into the connection's database, which must be empty."""
    path = path.resolve()
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": path})
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    kind = (
        "sqlite"
        if head == SQLITE_MAGIC
        else "postgresql"
        if head.startswith(PG_DUMP_MAGIC)
        else None
    )
    if kind is None:
        raise BackupError(
            _("%(path)s is neither a SQLite backup nor a pg_dump archive (custom format).")
            % {"path": path}
        )
    if kind != connection.vendor:
        raise BackupError(
            _(
                "%(path)s is a %(kind)s backup, but this installation's database is "
                "%(vendor)s: restore it into a %(kind)s database."
            )
            % {
                "path": path,
                "kind": VENDORS[kind],
                "vendor": VENDORS.get(connection.vendor, connection.vendor),
            }
        )
    tables = existing_tables(connection)
    if tables:
        raise BackupError(
            _(
                "The database is not empty (it has %(count)d tables): a backup is restored only "
                "into an empty database. Create a new database, point DATABASE_URL at it and "
                "run the restore again."
            )
            % {"count": len(tables)}
        )
    if kind == "sqlite":
        _sqlite_restore(connection, path)
        method = "sqlite-backup-api"
    else:
        _pg_restore(connection, path)
        method = "pg_restore"
    return Outcome(path, kind, method, path.stat().st_size)


def existing_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


# --- SQLite ---------------------------------------------------------------------------------------


def _raw_sqlite(connection: BaseDatabaseWrapper) -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _sqlite_backup(connection: BaseDatabaseWrapper, target_path: Path) -> None:
    source = _raw_sqlite(connection)
    target = sqlite3.connect(target_path)
    try:
        # pages=-1 (the default): everything in one step, within one read transaction.
        source.backup(target)
        # A backup is one self-contained file, without a write-ahead log beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        _sqlite_quick_check(target, target_path)
    finally:
        target.close()


def _regexp(pattern: str | None, value: object) -> bool:
    """SQLite's REGEXP, as Django's connections define it (CHECK constraints may use it)."""
    if pattern is None or value is None:
        return False
    return re.search(pattern, str(value)) is not None


def _sqlite_quick_check(database: sqlite3.Connection, path: Path) -> None:
    database.create_function("REGEXP", 2, _regexp, deterministic=True)
    try:
        (result,) = database.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            _("%(path)s is not a usable SQLite database: %(error)s")
            % {"path": path, "error": error}
        ) from error
    if result != "ok":
        raise BackupError(
            _("%(path)s failed SQLite's integrity check: %(result)s")
            % {"path": path, "result": result}
        )


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        _sqlite_quick_check(source, path)
        (found,) = source.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
        ).fetchone()
        if not found:
            raise BackupError(
                _("%(path)s is a SQLite database, but not a Förändra backup.") % {"path": path}
            )
        target = _raw_sqlite(connection)
        source.backup(target)
    finally:
        source.close()
    with connection.cursor() as cursor:
        # The copy says "no write-ahead log"; the application's connections use one.
        cursor.execute("PRAGMA journal_mode=WAL")


# --- PostgreSQL -----------------------------------------------------------------------------------


def libpq_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The connection settings as libpq's environment variables: no password on a command line."""
    settings_dict = connection.settings_dict
    options = settings_dict.get("OPTIONS") or {}
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGDATABASE", settings_dict.get("NAME")),
        ("PGSERVICE", options.get("service")),
        ("PGPASSFILE", options.get("passfile")),
        ("PGSSLMODE", options.get("sslmode")),
        ("PGSSLROOTCERT", options.get("sslrootcert")),
        ("PGSSLCERT", options.get("sslcert")),
        ("PGSSLKEY", options.get("sslkey")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _client(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            _(
                "%(program)s was not found: install the PostgreSQL client programs of the "
                "server's version (Debian: apt-get install postgresql-client)."
            )
            % {"program": program}
        )
    return found


def _run(args: list[str], env: dict[str, str], program: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (the PostgreSQL client, arguments built here)
            args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BackupError(
            _("%(program)s did not finish within %(hours)d hours.")
            % {"program": program, "hours": PG_TIMEOUT // 3600}
        ) from error
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed (exit status %(status)d): %(error)s")
            % {"program": program, "status": result.returncode, "error": result.stderr.strip()}
        )


def _pg_dump(connection: BaseDatabaseWrapper, target: Path) -> None:
    env = libpq_environment(connection)
    program = _client("pg_dump")
    _run([program, "--format=custom", "--no-password", f"--file={target}"], env, "pg_dump")


def _pg_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    env = libpq_environment(connection)
    program = _client("pg_restore")
    if not env.get("PGDATABASE"):
        # Without a database pg_restore would print the dump instead of restoring it.
        raise BackupError(_("DATABASE_URL names no database to restore into."))
    connection.close()
    _run(
        [
            program,
            "--no-password",
            "--exit-on-error",
            "--single-transaction",
            # Objects belong to the user the application connects as, whoever owned them before.
            "--no-owner",
            "--no-privileges",
            f"--dbname={env['PGDATABASE']}",
            str(path),
        ],
        env,
        "pg_restore",
    )
