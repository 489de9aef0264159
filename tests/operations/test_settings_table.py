"""The settings table of docs/admin.md is generated from the code and must be current."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forandra.core import settings_doc

from .conftest import ROOT

GUIDE = ROOT / "docs" / "admin.md"


def test_the_settings_table_in_the_guide_is_current() -> None:
    assert settings_doc.table_in(GUIDE.read_text(encoding="utf-8")) == settings_doc.table(), (
        "The settings table in docs/admin.md is stale: run "
        "`.venv/bin/forandra settings_table --write docs/admin.md`."
    )


def test_the_table_has_every_environment_setting_with_its_default() -> None:
    table = settings_doc.table()

    for line in (
        "| `READY_WORKER_MAX_AGE` | integer | `300` |",
        "| `ALLOWED_HOSTS` | list | `127.0.0.1,localhost,[::1]`; production: **required** |",
        "| `SECURE_HSTS_SECONDS` | integer | `31536000` (production) |",
        "| `PROGRAMME_MATERIAL_MAX_BYTES` | integer | `20971520` |",
        "| `LOG_FORMAT` | text | `text` |",
    ):
        assert line in table
    names = [setting.name for setting in settings_doc.collect()]
    assert len(names) == len(set(names)) > 30


def test_a_setting_without_a_meaning_fails_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    meanings = dict(settings_doc.MEANINGS)
    del meanings["LOG_FORMAT"]
    monkeypatch.setattr(settings_doc, "MEANINGS", meanings)

    with pytest.raises(settings_doc.SettingsDocError, match=r"Describe these settings.*LOG_FORMAT"):
        settings_doc.table()


def test_the_command_writes_and_checks_the_table(tmp_path: Path) -> None:
    stale = tmp_path / "admin.md"
    stale.write_text(
        f"# Guide\n\n{settings_doc.START_MARKER}\n| old |\n{settings_doc.END_MARKER}\n\nAfter.\n"
    )

    with pytest.raises(CommandError, match="stale") as failed:
        call_command("settings_table", "--check", str(stale))
    assert failed.value.returncode == 1

    call_command("settings_table", "--write", str(stale))
    written = stale.read_text()
    assert written.startswith("# Guide\n\n") and written.endswith("\n\nAfter.\n")
    assert "| old |" not in written
    call_command("settings_table", "--check", str(stale))


def test_the_env_example_names_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")

    missing = [s.name for s in settings_doc.collect() if s.name not in example]
    assert missing == []
