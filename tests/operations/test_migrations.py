"""Upgrades: migrations only move forward, from an empty database and from the previous release.

`upgrade.py` runs in a subprocess against an empty database of its own (a SQLite file, or a new
PostgreSQL database when the tests run on PostgreSQL): it applies the previous release's
migrations, loads that release's data with its own models, applies every later migration, and
checks the data is still there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from .conftest import ROOT, Postgres, command_env, sqlite_url
from .upgrade import DATA

PREVIOUS = json.loads((DATA / "previous_release_migrations.json").read_text())


def upgrade(database_url: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.operations.upgrade"],
        env=command_env(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def check_upgrade(summary: dict) -> None:
    fixture = json.loads((DATA / "previous_release.json").read_text(encoding="utf-8"))
    assert summary["applied_before"] == 0  # from an empty database
    assert summary["previous_schema_matches"]
    assert summary["loaded"] == len(fixture) > 1000
    assert summary["unapplied_after"] == 0
    assert summary["missing"] == []
    assert summary["changed"] == []


def test_the_previous_release_is_a_prefix_of_todays_migrations() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    every = set(loader.graph.nodes)

    assert {tuple(entry) for entry in PREVIOUS} <= every
    # The previous release is the one before plans and operations: both add tables.
    assert not {tuple(e) for e in PREVIOUS} & {("plans", "0001_initial"), ("core", "0001_initial")}
    # Migrations only move forward: no migration of the previous release was replaced.
    assert not [key for key, migration in loader.disk_migrations.items() if migration.replaces]


def test_upgrade_from_the_previous_release_keeps_its_data_on_sqlite(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite upgrade is tested when the tests run on SQLite")
    check_upgrade(upgrade(sqlite_url(tmp_path / "upgraded.sqlite3")))


def test_upgrade_from_the_previous_release_keeps_its_data_on_postgresql(
    postgres: Postgres,
) -> None:
    check_upgrade(upgrade(postgres.url(postgres.create())))
