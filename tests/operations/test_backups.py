"""`forandra backup` while the application writes, and `forandra restore` into an empty database.

The source is a database with the register, users and a group, and a writer that keeps
committing transactions during the backup: each adds a heartbeat row w000001, w000002, … and
sets a counter row to the number written, in one transaction. The restored copy must be one
moment of the source: the counter equals the rows present, those rows are exactly the first
ones and identical to the source's, every other table is identical. With writes stopped, a
backup restores to an identical `forandra dumpdata` export. SQLite always; PostgreSQL when the
tests run on it (CI runs them on both).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from forandra.municipalities.models import DigitalisationGroup
from tests.conftest import Users

from .conftest import Postgres, forandra, sqlite_url, table_rows

HEARTBEATS = "core_workerheartbeat"
COUNTER = "counter"
WAIT = 60


@dataclass
class Database:
    """One side of the comparison: how to reach it from a subprocess and from here."""

    url: str
    fetch: Callable[[str], list[tuple[Any, ...]]]
    tables: Callable[[], list[str]]


def sqlite_side(path: Path) -> Database:
    def fetch(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(path, timeout=20) as conn:
            return conn.execute(sql).fetchall()

    def tables() -> list[str]:
        rows = fetch("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [name for (name,) in rows]

    return Database(sqlite_url(path), fetch, tables)


def postgres_side(server: Postgres, name: str) -> Database:
    def fetch(sql: str) -> list[tuple[Any, ...]]:
        with server.connect(name) as conn:
            return conn.execute(sql).fetchall()

    def tables() -> list[str]:
        rows = fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        return [name for (name,) in rows]

    return Database(server.url(name), fetch, tables)


class Writer(threading.Thread):
    """Commits transactions into the source until stopped: a heartbeat row and the counter."""

    def __init__(
        self, begin: Callable[[], Any], placeholder: str, close: Callable[[], None]
    ) -> None:
        super().__init__(daemon=True)
        self.begin = begin
        self.close = close
        values = ", ".join([placeholder] * 5)
        columns = "worker_id, hostname, pid, started_at, seen_at"
        # The table name is a constant of this module; the values go as parameters.
        self.insert = f"INSERT INTO {HEARTBEATS} ({columns}) VALUES ({values})"  # noqa: S608
        self.update = f"UPDATE {HEARTBEATS} SET pid = {placeholder} WHERE worker_id = {placeholder}"  # noqa: S608
        self.written = 0
        self.error: BaseException | None = None
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                number = self.written + 1
                now = datetime.now(UTC).replace(tzinfo=None)
                with self.begin() as execute:
                    execute(self.insert, (f"w{number:06d}", "writer", number, now, now))
                    execute(self.update, (number, COUNTER))
                self.written = number
                time.sleep(0.002)
        except BaseException as error:
            self.error = error

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=WAIT)
        self.close()
        assert self.error is None, self.error


def sqlite_writer(path: Path) -> Writer:
    conn = sqlite3.connect(path, timeout=20, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")

    @contextmanager
    def begin() -> Iterator[Callable[..., Any]]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn.execute
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    return Writer(begin, "?", conn.close)


def postgres_writer(server: Postgres, name: str) -> Writer:
    conn = server.connect(name)

    @contextmanager
    def begin() -> Iterator[Callable[..., Any]]:
        with conn.transaction():
            yield conn.execute

    return Writer(begin, "%s", conn.close)


def add_counter(writer: Writer) -> None:
    with writer.begin() as execute:
        now = datetime.now(UTC).replace(tzinfo=None)
        execute(writer.insert, (COUNTER, "writer", 0, now, now))


def heartbeat_rows(side: Database) -> dict[str, tuple[Any, ...]]:
    return {row[1]: row for row in side.fetch(f"SELECT * FROM {HEARTBEATS} ORDER BY id")}  # noqa: S608


def backup_during_writes_and_restore(
    source: Database,
    writer: Writer,
    restored: Database,
    again: Database,
    tmp_path: Path,
) -> None:
    add_counter(writer)
    writer.start()
    deadline = time.monotonic() + WAIT
    while writer.written < 30 and writer.error is None and time.monotonic() < deadline:
        time.sleep(0.01)
    before = writer.written

    made = forandra("backup", str(tmp_path / "during.backup"), database_url=source.url)

    after = writer.written
    writer.stop()
    assert made.returncode == 0, made.stdout + made.stderr
    assert after > before  # the writer went on committing while the backup was made
    back = forandra("restore", str(tmp_path / "during.backup"), database_url=restored.url)
    assert back.returncode == 0, back.stdout + back.stderr

    # One moment of the source: the counter matches the rows, which are the first ones.
    rows = heartbeat_rows(restored)
    counted = rows.pop(COUNTER)[3]
    assert before <= counted <= after, (before, counted, after)
    assert sorted(rows) == [f"w{number:06d}" for number in range(1, counted + 1)]
    source_rows = heartbeat_rows(source)
    assert all(row == source_rows[worker_id] for worker_id, row in rows.items())
    # Every other table is as in the source.
    others = [t for t in source.tables() if t not in (HEARTBEATS, "sqlite_sequence")]
    assert restored.tables() == source.tables()
    assert table_rows(restored.fetch, others) == table_rows(source.fetch, others)

    # With the writes stopped: the same export, table by table and by `forandra dumpdata`.
    made = forandra("backup", str(tmp_path / "still.backup"), database_url=source.url)
    assert made.returncode == 0, made.stderr
    back = forandra("restore", str(tmp_path / "still.backup"), database_url=again.url)
    assert back.returncode == 0, back.stderr
    tables = source.tables()
    assert table_rows(again.fetch, tables) == table_rows(source.fetch, tables)
    exports = [forandra("dumpdata", database_url=side.url) for side in (source, again)]
    assert all(export.returncode == 0 for export in exports), exports[0].stderr
    assert exports[0].stdout == exports[1].stdout
    assert '"model": "municipalities.municipality"' in exports[0].stdout


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_during_writes_restores_one_moment_and_an_identical_export(
    users: Users, home_group: DigitalisationGroup, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup is tested when the tests run on SQLite")
    path = tmp_path / "source.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)  # the test database, with this test's data
    target.close()

    backup_during_writes_and_restore(
        sqlite_side(path),
        sqlite_writer(path),
        sqlite_side(tmp_path / "restored.sqlite3"),
        sqlite_side(tmp_path / "again.sqlite3"),
        tmp_path,
    )


@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_during_writes_restores_one_moment_and_an_identical_export(
    postgres: Postgres, users: Users, home_group: DigitalisationGroup, tmp_path: Path
) -> None:
    name = connection.settings_dict["NAME"]  # the test database, with this test's data
    source = postgres_side(postgres, name)

    backup_during_writes_and_restore(
        source,
        postgres_writer(postgres, name),
        postgres_side(postgres, postgres.create()),
        again := postgres_side(postgres, postgres.create()),
        tmp_path,
    )

    # Sequences go along, so the restored database hands out new ids after the old ones.
    sequences = "SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename"
    assert again.fetch(sequences) == source.fetch(sequences)


@pytest.mark.django_db
def test_postgresql_client_programs_match_the_server(postgres: Postgres) -> None:
    import shutil
    import subprocess

    server_major = connection.cursor().connection.info.server_version // 10000
    for program in ("pg_dump", "pg_restore"):
        found = shutil.which(program)
        assert found, f"{program} is needed for backups on PostgreSQL"
        version = subprocess.run(
            [found, "--version"], capture_output=True, text=True, check=True
        ).stdout
        client_major = int(version.split()[2].split(".")[0])
        assert client_major >= server_major, version


# --- Refusals -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path: Path) -> None:
    backup = tmp_path / "x.backup"
    backup.write_bytes(
        b"SQLite format 3\x00" if connection.vendor == "sqlite" else b"PGDMP\x01\x0e"
    )

    with pytest.raises(CommandError, match="not empty") as refused:
        call_command("restore", str(backup))

    assert refused.value.returncode == 1
    assert "empty database" in str(refused.value)


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup_of_this_kind_of_database(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP\x01" if connection.vendor == "sqlite" else b"SQLite format 3\x00")

    with pytest.raises(CommandError, match="neither a SQLite backup nor a pg_dump archive"):
        call_command("restore", str(text))
    with pytest.raises(CommandError, match=r"restore it into a (PostgreSQL|SQLite) database"):
        call_command("restore", str(other))
    with pytest.raises(CommandError, match="is not a file"):
        call_command("restore", str(tmp_path / "missing.backup"))


def test_backup_does_not_replace_a_file_unless_forced(sqlite_db: Path, tmp_path: Path) -> None:
    existing = tmp_path / "existing.backup"
    existing.write_text("yesterday's backup")
    url = sqlite_url(sqlite_db)

    refused = forandra("backup", str(existing), database_url=url)
    assert refused.returncode == 1
    assert str(existing) in refused.stderr and "--force" in refused.stderr
    assert existing.read_text() == "yesterday's backup"

    forced = forandra("backup", "--force", str(existing), database_url=url)
    assert forced.returncode == 0, forced.stderr
    assert existing.read_bytes().startswith(b"SQLite format 3\x00")
    assert forced.stdout.startswith("SQLite: ")  # says how it copies (in the default language)
    assert not list(tmp_path.glob("*.partial"))
