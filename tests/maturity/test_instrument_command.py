from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from forandra.maturity.models import InstrumentVersion

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "instruments"


def test_instrument_load_publishes_a_valid_file(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("instrument_load", str(SAMPLES / "valid.yaml"))
    call_command("instrument_load", str(SAMPLES / "valid.yaml"))

    assert InstrumentVersion.objects.count() == 1
    assert "version 1" in capsys.readouterr().out


def test_instrument_load_names_the_line_and_field_of_a_malformed_file() -> None:
    with pytest.raises(CommandError, match=r"unknown_axis\.yaml: line \d+, dimensions\[\d\]\.axis"):
        call_command("instrument_load", str(SAMPLES / "unknown_axis.yaml"))

    assert not InstrumentVersion.objects.exists()


def test_instrument_load_refuses_to_change_a_published_version(tmp_path: Path) -> None:
    call_command("instrument_load", str(SAMPLES / "valid.yaml"))
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        (SAMPLES / "valid.yaml").read_text(encoding="utf-8").replace("en: ", "en:  Edited ", 1),
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="cannot change"):
        call_command("instrument_load", str(edited))
