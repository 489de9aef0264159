"""Operations tests: the `forandra` command in subprocesses against databases of their own.

`migrated_sqlite` is a SQLite file with every migration applied, made once per run (from the
test database when the tests run on SQLite, by `forandra migrate` otherwise); tests copy it.
`postgres` gives the connection settings of the PostgreSQL test server and makes throw-away
databases on it (only when the tests run on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 120


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Commands called in this process speak the active language; the tests read English, so
    an earlier test that left Swedish active does not change what they see."""
    with translation.override("en"):
        yield


def forandra(
    *args: str, database_url: str, timeout: float = COMMAND_TIMEOUT, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `forandra ARGS` (development profile) against the database at database_url."""
    return subprocess.run(
        [sys.executable, "-m", "forandra.cli", *args],
        env=command_env(database_url, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


def command_env(database_url: str, **env: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "forandra.settings.development",
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        **env,
    }


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def migrated_sqlite(
    tmp_path_factory: pytest.TempPathFactory,
    django_db_setup: None,
    django_db_blocker: Any,
) -> Path:
    """A SQLite file with every migration applied and nothing else."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
    with django_db_blocker.unblock():
        # pytest-django sets up the test database only when a selected test uses it; without
        # one, `connection` still names the development database, which is never copied.
        test_database = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if test_database:
        # The test database has just been migrated: copy it (an instant `forandra migrate`).
        with django_db_blocker.unblock():
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
    else:
        result = forandra("migrate", "--no-input", "-v0", database_url=sqlite_url(path))
        assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def sqlite_db(migrated_sqlite: Path, tmp_path: Path) -> Path:
    """A migrated SQLite file of this test's own."""
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated_sqlite, path)
    return path


@dataclass(frozen=True)
class Postgres:
    """The PostgreSQL server the tests run on; databases made here are dropped afterwards."""

    settings: dict[str, Any]
    made: list[str]

    def url(self, name: str) -> str:
        user = quote(self.settings.get("USER") or "", safe="")
        password = quote(str(self.settings.get("PASSWORD") or ""), safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = self.settings.get("HOST") or "127.0.0.1"
        port = self.settings.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{name}"

    def connect(self, name: str) -> Any:
        import psycopg

        return psycopg.connect(self.url(name), autocommit=True)

    def create(self) -> str:
        name = f"{self.settings['NAME']}_ops_{uuid.uuid4().hex[:8]}"
        with self.connect("postgres") as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return name


@pytest.fixture
def postgres(django_db_setup: None) -> Iterator[Postgres]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL part: the tests run on " + connection.vendor + "; CI runs them again "
            "with DATABASE_URL=postgres://…"
        )
    server = Postgres(dict(connection.settings_dict), [])
    yield server
    with server.connect("postgres") as admin:
        for name in server.made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_rows(fetch: Callable[[str], list[tuple[Any, ...]]], tables: list[str]) -> dict:
    """Every row of every table, ordered by all columns: a comparable picture of the data."""
    picture = {}
    for table in tables:
        rows = fetch(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
        picture[table] = sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))
    return picture
