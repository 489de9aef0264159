"""Schemathesis against the OpenAPI description, in process (the WSGI application).

Every operation gets generated requests of three kinds: valid ones aimed at a small world's
real objects (so answers are 200s and 201s, not only 404s), valid ones with generated path
parameters, and invalid ones. Each response must not be a server error and must match the
description: its status documented, its media type and body as described. Examples are bounded
and never shrunk, so the test takes seconds; it prints how many cases it ran.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Users

from .builders import World, token_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation and kind of request (real objects, generated, invalid).
EXAMPLES = {"aimed": 12, "generated": 6, "invalid": 6}


def _run(strategy: Any, examples: int, ran: list[str], failures: list[str], **call: Any) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        ran.append(case.operation.label)
        try:
            case.call_and_validate(checks=CHECKS, **call)
        except Exception as error:  # every failure is collected and reported
            failures.append(f"{case.operation.label} {case.path_parameters}: {error}"[:2000])

    run()


@pytest.fixture
def keep_connection() -> Any:
    """Requests through the WSGI application keep the test's database connection (and its
    transaction) open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_connection")
def test_the_api_keeps_its_openapi_description(
    users: Users, home_world: World, settings: Any
) -> None:
    settings.API_RATE_SIGNED_IN = "100000/min"
    settings.API_RATE_ANONYMOUS = "100000/min"
    application = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    member = {"Authorization": f"Bearer {token_for(users.member)}"}
    # Leadership decides on plans; the group member does everything else.
    leadership = {"Authorization": f"Bearer {token_for(users.leadership)}"}
    ran: list[str] = []
    failures: list[str] = []
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        aimed = home_world.params_for(operation.path, operation.method.upper())
        decides = operation.method.upper() == "POST" and operation.path.endswith("/decision")
        headers = leadership if decides else member
        names = [p.name for p in operation.path_parameters]
        fixed = {name: _value(operation.path, name, aimed) for name in names}
        _run(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
            EXAMPLES["aimed"],
            ran,
            failures,
            headers=headers,
        )
        _run(
            operation.as_strategy(GenerationMode.POSITIVE),
            EXAMPLES["generated"],
            ran,
            failures,
            headers=headers,
        )
        _run(
            operation.as_strategy(GenerationMode.NEGATIVE),
            EXAMPLES["invalid"],
            ran,
            failures,
            headers=headers,
        )
    seconds = time.perf_counter() - started
    operations = len(set(ran))
    print(f"\nschemathesis: {len(ran)} cases over {operations} operations in {seconds:.1f} s")
    assert failures == [], "\n\n".join(failures[:10])
    assert operations >= 25


def _value(path: str, name: str, params: dict[str, Any]) -> Any:
    """The world's value for parameter `name` of `path` (named by the segment before it)."""
    segments = path.split("/")
    index = segments.index("{" + name + "}")
    return params[segments[index - 1]]
