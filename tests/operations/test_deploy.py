"""The files in deploy/: the systemd units pass `systemd-analyze verify` and the nginx site
passes `nginx -t`, when those programs are installed (skipped with a message otherwise)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("forandra-*"))
SITE = DEPLOY / "nginx" / "forandra.conf"
VENV_BIN = "/opt/forandra/venv/bin/"


def unit_setting(unit: str, key: str) -> str:
    text = (DEPLOY / "systemd" / unit).read_text()
    match = re.search(rf"^{key}=(.*)$", text, re.MULTILINE)
    assert match, f"{unit} has no {key}"
    return match.group(1)


def test_the_units_and_the_site_are_all_there() -> None:
    assert [unit.name for unit in UNITS] == [
        "forandra-backup.service",
        "forandra-backup.timer",
        "forandra-web.service",
        "forandra-worker.service",
    ]
    assert SITE.is_file() and (DEPLOY / "forandra.env.example").is_file()


def test_the_units_keep_their_promises() -> None:
    # The web server does not start with unapplied migrations.
    assert unit_setting("forandra-web.service", "ExecStartPre").endswith("check --no-worker")
    # The worker gets longer to stop than it gives the task in hand.
    stop_timeout = int(unit_setting("forandra-worker.service", "TimeoutStopSec"))
    assert stop_timeout > settings.WORKER_STOP_GRACE
    assert unit_setting("forandra-worker.service", "ExecStart").endswith(
        "forandra worker --verbosity 1"
    )


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units were not verified")
    # The units name the virtualenv of a server; verify checks that the programs exist, so
    # they point at this one here.
    for unit in UNITS:
        text = unit.read_text().replace(VENV_BIN, f"{Path(sys.executable).parent}/")
        (tmp_path / unit.name).write_text(text)

    result = subprocess.run(
        [analyze, "verify", *sorted(str(path) for path in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Warnings (an unknown key, a bad value) do not change the exit status: none may be there.
    assert not [line for line in output.splitlines() if "forandra-" in line], output


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("nginx or openssl is not installed: the site was not checked with nginx -t")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=forandra.example.se",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    site = (
        SITE.read_text()
        .replace(
            "/etc/letsencrypt/live/forandra.example.se/fullchain.pem", str(tmp_path / "cert.pem")
        )
        .replace("/etc/letsencrypt/live/forandra.example.se/privkey.pem", str(tmp_path / "key.pem"))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n"
        + "".join(
            f"    {kind}_temp_path {temp};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {tmp_path}/site.conf;\n}}\n"
    )

    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_site_keeps_secrets_out_of_nginx_logs_and_passes_the_request_id() -> None:
    site = SITE.read_text()

    assert re.search(r"^\s*access_log off;", site, re.MULTILINE)
    assert "proxy_set_header X-Request-ID $request_id;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    body_limit = int(re.search(r"client_max_body_size (\d+)m;", site).group(1)) * 1024 * 1024
    assert body_limit > settings.PROGRAMME_MATERIAL_MAX_BYTES
