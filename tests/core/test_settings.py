from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_forandra(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "forandra.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment the production profile requires."""
    return {
        "DJANGO_SETTINGS_MODULE": "forandra.settings.production",
        "SECRET_KEY": "k9$Qw!pL2z@Xr7#Vb4&Nm8^Ty1*Hc6%Jd3(Gf5)Ks0-Ua9_Ie2+Ow7=Lq4",
        "ALLOWED_HOSTS": "forandra.example.se",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **overrides,
    }


def test_production_profile_passes_check_deploy_without_warnings(tmp_path: Path) -> None:
    env = production_env(tmp_path)

    result = run_forandra("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_forandra("check", env=production_env(tmp_path, SECRET_KEY=""))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("only the SQLite profile uses WAL; this run is on " + connection.vendor)
    options = connection.settings_dict["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5


def test_the_forandra_script_runs_management_commands() -> None:
    result = run_forandra("help", "register_load", env={})

    assert result.returncode == 0
    assert "290" in result.stdout


def test_production_profile_keeps_database_connections_open(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"

    result = run_forandra("shell", "-c", code, env=production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "60"
