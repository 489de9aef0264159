"""Logs: one line per request with a request id, user id and duration; JSON on demand; errors
carry the request id that the error page shows; no personal data or secrets in any log line."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from forandra.accounts.models import Role
from forandra.core.logs import JsonFormatter, RequestIdFilter, TextFormatter
from forandra.maturity import services as maturity_services
from forandra.maturity.instrument import default_instrument
from forandra.maturity.models import Mode
from forandra.municipalities.models import DigitalisationGroup, Municipality
from tests.conftest import PASSWORD, Users, make_user

from .conftest import forandra, sqlite_url

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Logs:
    """What the console handler would have written, in both formats, and the records."""

    text_stream: io.StringIO = field(default_factory=io.StringIO)
    json_stream: io.StringIO = field(default_factory=io.StringIO)
    records: list[logging.LogRecord] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.text_stream.getvalue()

    @property
    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.json_stream.getvalue().splitlines()]

    def requests(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.name == "forandra.requests"]

    @property
    def everything(self) -> str:
        return self.text + self.json_stream.getvalue()


class _Keep(logging.Handler):
    def __init__(self, logs: Logs) -> None:
        super().__init__(logging.DEBUG)
        self.logs = logs

    def emit(self, record: logging.LogRecord) -> None:
        self.logs.records.append(record)


@pytest.fixture
def logs() -> Iterator[Logs]:
    """Handlers like the configured console one, on the root logger, at INFO for everything."""
    captured = Logs()
    handlers: list[logging.Handler] = [_Keep(captured)]
    for stream, formatter in (
        (captured.text_stream, TextFormatter()),
        (captured.json_stream, JsonFormatter()),
    ):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handlers.append(handler)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    for handler in handlers:
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    yield captured
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_a_request_is_one_line_with_request_id_status_duration_and_user_id(
    logs: Logs, users: Users
) -> None:
    client = Client()
    client.force_login(users.member)

    response = client.get("/?next=/secret-query-value&token=abc123token")

    [record] = logs.requests()
    request_id = response["X-Request-ID"]
    assert HEX_ID.match(request_id)
    assert record.request_id == request_id
    assert (record.method, record.path, record.status) == ("GET", "/", 200)
    assert record.user_id == users.member.pk
    assert isinstance(record.duration_ms, int) and record.duration_ms >= 0
    line = next(line for line in logs.text.splitlines() if "forandra.requests" in line)
    assert re.search(rf"GET / 200 \d+ms user={users.member.pk} request_id={request_id}$", line)
    assert "secret-query-value" not in logs.everything and "abc123token" not in logs.everything
    assert "?" not in line


@pytest.mark.django_db
def test_anonymous_requests_log_no_user(logs: Logs) -> None:
    Client().get("/healthz")

    [record] = logs.requests()
    assert record.user_id is None
    assert "user=-" in logs.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("3f9a1c0e7b2d4e5f8a6b9c0d1e2f3a4b", True),  # nginx's $request_id
        ("req-2026.11.28_abc:1", True),
        ("bad id\nINJECTED line", False),
        ("x" * 65, False),
        ("short", False),
        ('"><script>', False),
    ],
)
def test_the_proxys_request_id_is_kept_only_when_it_is_a_sane_token(
    logs: Logs, sent: str, kept: bool
) -> None:
    response = Client().get("/healthz", headers={"X-Request-ID": sent})

    echoed = response["X-Request-ID"]
    assert (echoed == sent) is kept
    if not kept:
        assert HEX_ID.match(echoed)
        assert "INJECTED" not in logs.everything
    assert logs.requests()[0].request_id == echoed


@pytest.mark.django_db
def test_secret_parts_of_a_path_are_redacted(logs: Logs, home: Municipality) -> None:
    survey = maturity_services.round_open(
        municipality=home, mode=Mode.SURVEY, title="Enkät", opened_on=date(2026, 3, 1)
    )
    client = Client()

    client.get(reverse("maturity:survey_start", args=[survey.link_key]))
    client.get(reverse("maturity:survey_token", args=[survey.link_key, "personal-token-xyz"]))
    client.get("/accounts/password/reset/MTIz/cq7k2m-0123456789abcdef0123456789abcdef/")

    paths = [record.path for record in logs.requests()]
    assert paths == [
        "/survey/[redacted]/",
        "/survey/[redacted]/personal/[redacted]/",
        "/accounts/password/reset/[redacted]/[redacted]/",
    ]
    assert survey.link_key not in logs.everything
    assert "personal-token-xyz" not in logs.everything
    assert "0123456789abcdef" not in logs.everything


@pytest.mark.django_db
def test_no_password_answer_or_e_mail_reaches_the_logs(
    logs: Logs, home: Municipality, home_group: DigitalisationGroup
) -> None:
    person = make_user(
        "kalle.unikson", Role.MEMBER, municipality=home
    )  # e-mail kalle.unikson@example.org
    client = Client()

    wrong = client.post(
        "/accounts/login/", {"username": "kalle.unikson", "password": "fel-lösen-Qx81"}
    )
    right = client.post("/accounts/login/", {"username": "kalle.unikson", "password": PASSWORD})
    round_ = maturity_services.round_open(
        municipality=home, mode=Mode.CONSENSUS, title="Runda", opened_on=date(2026, 3, 1)
    )
    first = default_instrument().dimensions[0]
    answer = {s.key: "4" for s in first.statements}
    answer[f"{first.statements[0].key}__why"] = "Hemlig-motivering-7731"
    answered = client.post(
        reverse("maturity:consensus_answer", args=[home.code, round_.pk, 1]), answer
    )
    proposed = Client().post(
        reverse("ideas:public_propose", args=[home.code]),
        {
            "title": "Snöröjning i appen",
            "need": "Invånare-vill-veta-9921",
            "description": "",
            "email": "invanare.hemlig@example.se",
        },
    )

    assert wrong.status_code == 200 and right.status_code == 302
    assert answered.status_code == 302 and proposed.status_code == 302
    assert len(logs.requests()) == 4
    assert logs.requests()[1].user_id == person.pk  # signed in by that request
    for secret in (
        "fel-lösen-Qx81",
        PASSWORD,
        "kalle.unikson",
        "Hemlig-motivering-7731",
        "invanare.hemlig",
        "Invånare-vill-veta-9921",
        "Snöröjning i appen",
        "127.0.0.1",  # no address either
    ):
        assert secret not in logs.everything, secret


@pytest.mark.django_db
def test_a_server_error_is_logged_with_the_request_id_the_error_page_shows(
    logs: Logs, settings
) -> None:
    settings.ROOT_URLCONF = "tests.operations.urls"
    client = Client(raise_request_exception=False)

    response = client.get("/fails/?token=in-the-query", headers={"X-Request-ID": "user-report-42"})

    assert response.status_code == 500
    assert response["X-Request-ID"] == "user-report-42"
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert '<code id="request-id">user-report-42</code>' in page
    [error] = [r for r in logs.records if r.name == "django.request"]
    assert error.levelno == logging.ERROR and error.exc_info
    assert error.request_id == "user-report-42"
    [json_error] = [line for line in logs.json_lines if line["logger"] == "django.request"]
    assert json_error["request_id"] == "user-report-42"
    assert "RuntimeError: the view failed" in json_error["exception"]
    assert json_error["status_code"] == 500
    # Only known fields: not the request object Django passes along (its text has the query).
    assert set(json_error) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "status_code",
        "exception",
    }
    assert "in-the-query" not in logs.everything
    [request_line] = logs.requests()
    assert request_line.status == 500 and request_line.levelno == logging.WARNING


@pytest.mark.django_db
def test_json_lines_carry_the_request_fields(logs: Logs) -> None:
    Client().get("/healthz", headers={"X-Request-ID": "probe-000001"})

    [line] = [entry for entry in logs.json_lines if entry["logger"] == "forandra.requests"]
    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "forandra.requests",
        "message": line["message"],
        "request_id": "probe-000001",
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "duration_ms": line["duration_ms"],
    }
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line["time"])


def test_log_format_json_makes_the_console_write_json(tmp_path) -> None:
    code = "import logging; logging.getLogger('forandra.check').error('written as %s', 'json')"

    result = forandra(
        "shell", "-c", code, database_url=sqlite_url(tmp_path / "db.sqlite3"), LOG_FORMAT="json"
    )

    assert result.returncode == 0, result.stderr
    [line] = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert line["message"] == "written as json" and line["level"] == "ERROR"
