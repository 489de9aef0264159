"""The commands: what they write, their messages and their exit statuses (0 done, 1 refused or
failed, 2 wrong usage), through `call_command` and, for a few, through the real `forandra`
script in a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from pypdf import PdfReader

from forandra import cli
from forandra.maturity.models import InstrumentVersion
from forandra.municipalities.models import Municipality
from forandra.plans.models import PlanVersion
from forandra.transfer import registry
from forandra.transfer.management.commands import serve
from tests.plans.builders import decided

from .helpers import table_rows

pytestmark = pytest.mark.django_db

INSTRUMENTS = Path(__file__).resolve().parents[1] / "maturity" / "instruments"
FORANDRA = Path(sys.executable).with_name("forandra")  # the console script pip installed


def run(*args: str) -> tuple[str, str]:
    """Run a command; its standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args: str) -> CommandError:
    with pytest.raises(CommandError) as raised:
        run(*args)
    return raised.value


# --- export and import ---------------------------------------------------------------------------


def test_export_writes_the_archive_to_standard_output_or_a_file(
    home: Municipality, tmp_path: Path
) -> None:
    out, err = run("export", "--municipality", home.code)
    assert json.loads(out)["scope"]["code"] == home.code
    assert err.startswith(f"Exported Vindeln ({home.code}): ")  # the summary stays off stdout

    target = tmp_path / "all.json"
    out, _err = run("export", "--output", str(target))
    assert json.loads(target.read_bytes())["format"] == registry.FORMAT
    assert out.startswith("Exported the whole database: ")
    assert not list(tmp_path.glob("*.partial"))


def test_export_refuses_bad_arguments_with_status_2(home: Municipality, tmp_path: Path) -> None:
    target = tmp_path / "exists.json"
    target.write_text("keep me")

    unknown = refused("export", "--municipality", "9999")
    exists = refused("export", "--output", str(target))
    no_folder = refused("export", "--output", str(tmp_path / "no" / "such.json"))

    assert (unknown.returncode, str(unknown)) == (2, "No municipality has the code 9999.")
    assert exists.returncode == 2
    assert "exists already" in str(exists)
    assert target.read_text() == "keep me"
    assert no_folder.returncode == 2


def test_import_checks_with_dry_run_and_writes_nothing_twice(
    home: Municipality, tmp_path: Path
) -> None:
    archive = tmp_path / "all.json"
    run("export", "--output", str(archive))
    before = table_rows()

    dry, _err = run("import", str(archive), "--dry-run")
    again, _err = run("import", str(archive))

    rows = sum(len(r) for r in json.loads(archive.read_bytes())["models"].values())
    assert f"is a valid archive: {rows:,} rows".replace(",", " ") in dry
    assert "Nothing was written (--dry-run)." in dry
    assert "0 rows written" in again
    assert table_rows() == before


def test_import_refuses_an_invalid_archive_with_status_1_and_a_line_per_problem(
    home: Municipality, tmp_path: Path
) -> None:
    archive = tmp_path / "bad.json"
    run("export", "--output", str(archive))
    document = json.loads(archive.read_bytes())
    document["models"]["plans.blueprint"] = []
    document["models"]["municipalities.region"][0]["fields"]["code"] = "245"
    archive.write_text(json.dumps(document))
    before = table_rows()

    error = refused("import", str(archive))

    region = document["models"]["municipalities.region"][0]["pk"]
    assert error.returncode == 1
    assert str(error).splitlines() == [
        f"{archive} was refused; nothing was written.",
        f"{archive}: municipalities.region pk {region}, field 'code': Ensure this value has at "
        "most 2 characters (it has 3).",
        f"{archive}: Unknown model plans.blueprint.",
    ]
    assert table_rows() == before


def test_import_of_a_file_that_cannot_be_read_is_wrong_usage(tmp_path: Path) -> None:
    error = refused("import", str(tmp_path / "missing.json"))

    assert error.returncode == 2
    assert str(error).startswith(f"Cannot read {tmp_path / 'missing.json'}:")


# --- instrument validate -------------------------------------------------------------------------


def test_instrument_validate_accepts_a_valid_instrument_and_stores_nothing() -> None:
    out, _err = run("instrument", "validate", str(INSTRUMENTS / "valid.yaml"))

    assert "is a valid instrument:" in out
    assert not InstrumentVersion.objects.exists()


def test_instrument_validate_names_the_line_of_the_problem_with_status_1() -> None:
    error = refused("instrument", "validate", str(INSTRUMENTS / "unknown_axis.yaml"))

    assert error.returncode == 1
    assert str(error).startswith(f"{INSTRUMENTS / 'unknown_axis.yaml'}: line ")
    assert "axis" in str(error)


def test_instrument_without_a_file_or_an_action_is_wrong_usage() -> None:
    assert refused("instrument", "validate", "/no/such.yaml").returncode == 2
    assert refused("instrument").returncode == 2


def test_instrument_load_publishes() -> None:
    run("instrument", "load", str(INSTRUMENTS / "valid.yaml"))

    assert InstrumentVersion.objects.count() == 1


# --- export-plan ---------------------------------------------------------------------------------


@pytest.fixture
def version(home: Municipality) -> PlanVersion:
    return decided(home)


def test_export_plan_writes_word_pdf_and_markdown_that_open(
    version: PlanVersion, tmp_path: Path
) -> None:
    plan = version.plan
    code, pk = plan.municipality.code, str(plan.pk)

    out, _err = run(
        "export_plan", code, pk, "--format", "docx", "--output", str(tmp_path / "p.docx")
    )
    run("export_plan", code, pk, "--version", "1", "--output", str(tmp_path / "p.pdf"))
    run("export_plan", code, pk, "--output", str(tmp_path / "p.md"), "--language", "en")

    assert out.startswith(f"Wrote {tmp_path / 'p.docx'}: version 1 of “{plan.title}”")
    document = Document(str(tmp_path / "p.docx"))
    assert plan.title in [paragraph.text for paragraph in document.paragraphs]
    pdf = PdfReader(tmp_path / "p.pdf")
    assert plan.title in pdf.pages[0].extract_text()
    markdown = (tmp_path / "p.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# {plan.title}\n")
    assert "Transformation plan of Vindeln" in markdown


def test_export_plan_names_the_file_as_the_page_does(
    version: PlanVersion, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    run("export_plan", version.plan.municipality.code, str(version.plan.pk), "--format", "md")

    assert [p.name for p in tmp_path.iterdir()] == ["plan-vindeln-2027-2029-v1.md"]


def test_export_plan_refuses_what_does_not_exist_with_status_2(
    version: PlanVersion, neighbour: Municipality, tmp_path: Path
) -> None:
    plan = version.plan
    target = str(tmp_path / "p.md")

    other_municipality = refused("export_plan", neighbour.code, str(plan.pk), "--output", target)
    no_version = refused("export_plan", "2404", str(plan.pk), "--version", "2", "--output", target)
    no_format = refused("export_plan", "2404", str(plan.pk), "--output", str(tmp_path / "p.txt"))

    assert other_municipality.returncode == no_version.returncode == no_format.returncode == 2
    assert str(other_municipality) == f"Bjurholm has no plan number {plan.pk}."
    assert str(no_version) == f"The plan “{plan.title}” has no version 2 (it has 1)."
    assert not list(tmp_path.iterdir())


# --- serve ---------------------------------------------------------------------------------------


def test_serve_runs_the_development_server_on_loopback_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **o: calls.append((a, o)))

    run("serve")
    run("serve", "--host", "::1", "--port", "8010", "--noreload")

    assert calls == [
        (("runserver", "127.0.0.1:8000"), {"use_reloader": True, "use_ipv6": False}),
        (("runserver", "[::1]:8010"), {"use_reloader": False, "use_ipv6": True}),
    ]


def test_serve_production_starts_gunicorn_and_never_with_debug_on(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, args: started.append(list(args)))
    settings.DEBUG = True
    assert refused("serve", "--production").returncode == 1

    settings.DEBUG = False
    run("serve", "--production", "--port", "8001", "--workers", "2")

    assert started == [
        [
            sys.executable, "-m", "gunicorn", "forandra.wsgi",
            "--bind", "127.0.0.1:8001", "--workers", "2",
        ]
    ]  # fmt: skip


# --- the script -----------------------------------------------------------------------------


def test_hyphenated_command_names_run_their_modules() -> None:
    assert cli.command_line(["forandra", "export-plan", "2404"]) == [
        "forandra", "export_plan", "2404"
    ]  # fmt: skip
    assert cli.command_line(["forandra", "help", "export-plan"])[2] == "export_plan"
    assert cli.command_line(["forandra", "export"]) == ["forandra", "export"]


def forandra(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FORANDRA), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "forandra.settings.test",
            "DATABASE_URL": f"sqlite:///{cwd / 'unused.sqlite3'}",
            "LANGUAGE": "en",
        },
    )


def test_the_forandra_script_reports_errors_on_one_line_with_its_exit_status(
    tmp_path: Path,
) -> None:
    bad = INSTRUMENTS / "unknown_axis.yaml"

    invalid = forandra("instrument", "validate", str(bad), cwd=tmp_path)
    unknown = forandra("exprot", cwd=tmp_path)
    usage = forandra("export-plan", cwd=tmp_path)
    listing = forandra("help", cwd=tmp_path)

    assert invalid.returncode == 1
    assert invalid.stdout == ""
    [line] = invalid.stderr.splitlines()
    assert line.startswith(f"CommandError: {bad}: line ")
    assert unknown.returncode == 2
    assert "Unknown command: 'exprot'. Did you mean export?" in unknown.stderr
    assert usage.returncode == 2
    assert usage.stderr.startswith("usage: forandra export-plan")
    assert listing.returncode == 0
    assert "    export-plan\n" in listing.stdout
    assert "export_plan" not in listing.stdout
