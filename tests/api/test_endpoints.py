"""What the endpoints do beyond their shape: the k-anonymity rule on scores, the survey's rules,
leadership's decisions and the follow-up through the same services as the pages, e-mail
addresses only for those who manage the group, pagination and filters, and errors as problem
details."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forandra.api.main import api
from forandra.maturity import services as maturity_services
from forandra.maturity.models import Round
from forandra.plans.models import Status
from tests.conftest import Users

from .builders import OPERATIONS, World, add_more, token_for, url_of
from .conftest import problem

pytestmark = pytest.mark.django_db


def _base(world: World) -> str:
    return f"/api/municipalities/{world.municipality.code}"


def test_scores_are_shown_only_once_a_survey_has_enough_responses(
    member_api: Client, home_world: World
) -> None:
    small = member_api.get(f"{_base(home_world)}/rounds/{home_world.small_survey.pk}/scores")
    enough = member_api.get(f"{_base(home_world)}/rounds/{home_world.survey.pk}/scores")
    group = member_api.get(f"{_base(home_world)}/rounds/{home_world.consensus.pk}/scores")

    assert small.status_code == 409
    assert problem(small)["type"] == "urn:forandra:problem:results-hidden"
    assert b"score" not in small.content
    assert enough.status_code == 200
    assert enough.json()["responses"] == 7
    assert enough.json()["dimensions"][0]["score"] is not None
    assert group.status_code == 200  # the group's own answers always show
    rounds = member_api.get(f"{_base(home_world)}/rounds").json()["items"]
    shown = {r["id"]: r["results_shown"] for r in rounds}
    assert shown[home_world.small_survey.pk] is False


def test_a_survey_takes_an_anonymous_response_by_the_pages_rules(home_world: World) -> None:
    anonymous = Client()
    url = f"/api/surveys/{home_world.survey.link_key}"
    questions = anonymous.get(url).json()
    key = questions["dimensions"][0]["statements"][0]["key"]
    body = {"answers": {key: 4}, "client_key": "k" * 32}

    taken = anonymous.post(f"{url}/responses", body, content_type="application/json")
    again = anonymous.post(f"{url}/responses", body, content_type="application/json")
    unknown = anonymous.post(
        f"{url}/responses", {"answers": {"no_such": 1}}, content_type="application/json"
    )
    off_scale = anonymous.post(
        f"{url}/responses", {"answers": {key: 99}}, content_type="application/json"
    )

    assert taken.status_code == 201
    assert Round.objects.get(pk=home_world.survey.pk).response_count == 8
    assert again.status_code == 409
    assert problem(again)["type"] == "urn:forandra:problem:survey-refused"
    assert unknown.status_code == 422
    assert off_scale.status_code == 422
    assert f"answers.{key}" in problem(off_scale)["errors"]
    maturity_services.round_close(round_=home_world.survey)
    closed = anonymous.post(f"{url}/responses", {"answers": {}}, content_type="application/json")
    assert closed.status_code == 409
    assert Round.objects.get(pk=home_world.survey.pk).response_count == 8


def test_a_survey_with_personal_links_takes_only_their_tokens(home_world: World) -> None:
    (token,) = maturity_services.tokens_issue(round_=home_world.survey, count=1)
    url = f"/api/surveys/{home_world.survey.link_key}/responses"
    client = Client()

    without = client.post(url, {"answers": {}}, content_type="application/json")
    once = client.post(url, {"answers": {}, "token": token}, content_type="application/json")
    twice = client.post(url, {"answers": {}, "token": token}, content_type="application/json")

    assert (without.status_code, once.status_code, twice.status_code) == (409, 201, 409)


def test_a_consensus_round_has_no_survey_link(home_world: World) -> None:
    answer = Client().get(f"/api/surveys/{home_world.consensus.link_key}")
    assert answer.status_code == 404
    problem(answer)


def test_leadership_decides_once_with_a_comment_through_the_service(
    users: Users, bearer: Callable[[str], Client], home_world: World
) -> None:
    version = home_world.submitted
    url = f"{_base(home_world)}/plans/{version.plan_id}/versions/{version.number}/decision"
    leadership = bearer(token_for(users.leadership))
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    by_member = bearer(token_for(users.member)).post(
        url, {"outcome": "approved", "comment": "Ja", "decided_on": today}, "application/json"
    )
    no_comment = leadership.post(
        url, {"outcome": "returned", "comment": " ", "decided_on": today}, "application/json"
    )
    future = leadership.post(
        url, {"outcome": "approved", "comment": "Ja", "decided_on": tomorrow}, "application/json"
    )
    decision = {"outcome": "approved", "comment": "Beslutat.", "decided_on": today}
    decided = leadership.post(url, decision, "application/json")
    again = leadership.post(
        url, {"outcome": "returned", "comment": "Nej", "decided_on": today}, "application/json"
    )

    assert by_member.status_code == 403
    assert set(problem(no_comment)["errors"]) == {"comment"}
    assert set(problem(future)["errors"]) == {"decided_on"}
    assert decided.status_code == 201
    assert decided.json()["outcome"] == "approved"
    version.refresh_from_db()
    assert version.status == Status.APPROVED
    assert again.status_code == 409
    assert problem(again)["type"] == "urn:forandra:problem:conflict"
    assert leadership.get(url).json()["comment"] == "Beslutat."


def test_check_ins_are_made_on_an_approved_plan_only(member_api: Client, home_world: World) -> None:
    approved, submitted = home_world.approved, home_world.submitted
    today = timezone.localdate()
    body = {
        "checked_on": today.isoformat(),
        "light": "yellow",
        "narrative": "Det dröjer.",
        "next_step": "Ring leverantören.",
        "next_step_due": (today - datetime.timedelta(days=1)).isoformat(),
    }

    def url(version: Any) -> str:
        item = version.initiatives.get().pk
        return f"{_base(home_world)}/plans/{version.plan_id}/initiatives/{item}/check-ins"

    due_before = member_api.post(url(approved), body, content_type="application/json")
    made = member_api.post(
        url(approved), body | {"next_step_due": None}, content_type="application/json"
    )
    on_submitted = member_api.post(
        url(submitted), body | {"next_step_due": None}, content_type="application/json"
    )

    assert set(problem(due_before)["errors"]) == {"next_step_due"}
    assert made.status_code == 201
    assert made.json()["light"] == "yellow"
    assert on_submitted.status_code == 409
    listed = member_api.get(f"{_base(home_world)}/plans/{approved.plan_id}/check-ins").json()
    assert listed["count"] == 2
    assert listed["items"][0]["narrative"] == "Det dröjer."


def test_e_mail_addresses_only_for_those_who_manage_the_group(
    users: Users, bearer: Callable[[str], Client], home_world: World
) -> None:
    url = f"{_base(home_world)}/group"
    member = bearer(token_for(users.member)).get(url).json()
    leadership = bearer(token_for(users.leadership)).get(url).json()

    assert all(m["email"] for m in member["members"])
    assert leadership["members"] and all(m["email"] is None for m in leadership["members"])


def test_an_idea_is_added_through_the_service_and_checked_like_the_form(
    member_api: Client, home_world: World
) -> None:
    url = f"{_base(home_world)}/ideas"
    wave = member_api.get(f"/api/regions/{home_world.municipality.region.code}/waves").json()
    key = wave["items"][0]["key"]

    made = member_api.post(
        url,
        {"title": "Chattbot", "need": "Frågor på kvällen", "waves": [key], "effort": "1.5"},
        content_type="application/json",
    )
    wrong = member_api.post(
        url,
        {"title": "x", "need": "y", "waves": ["no-such-wave"], "dimensions": ["no_such"]},
        content_type="application/json",
    )

    assert made.status_code == 201
    assert made.json()["waves"] == [key]
    assert made.json()["effort"] == 1.5
    assert member_api.get(f"{url}/{made.json()['id']}").status_code == 200
    assert "waves" in problem(wrong)["errors"]


def test_lists_are_paginated_capped_and_filtered(member_api: Client, home_world: World) -> None:
    url = f"{_base(home_world)}/rounds"

    first = member_api.get(url, {"limit": 2}).json()
    rest = member_api.get(url, {"limit": 2, "offset": 2}).json()
    surveys = member_api.get(url, {"mode": "survey"}).json()
    too_many = member_api.get(url, {"limit": 201})

    assert first["count"] == rest["count"] == 3
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 1
    assert {r["mode"] for r in surveys["items"]} == {"survey"}
    assert surveys["count"] == 2
    assert "limit" in problem(too_many)["errors"]


def test_errors_are_problem_details(member_api: Client, home_world: World, settings: Any) -> None:
    url = f"{_base(home_world)}/ideas"

    not_json = member_api.post(url, "{", content_type="application/json")
    not_allowed = member_api.delete(url)
    unknown = member_api.get("/api/no/such/thing")
    bad_code = member_api.get("/api/municipalities/24O4")

    assert problem(not_json)["status"] == 400
    assert problem(not_allowed)["status"] == 405
    assert not_allowed["Allow"] == "GET, POST"
    assert problem(unknown)["status"] == 404
    assert "code" in problem(bad_code)["errors"]
    settings.API_RATE_SIGNED_IN = "2/min"
    member_api.get("/api/me")
    member_api.get("/api/me")
    throttled = member_api.get("/api/me")
    assert problem(throttled)["status"] == 429
    assert int(throttled["Retry-After"]) > 0


def test_the_description_documents_problem_details_for_every_error() -> None:
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        f"{method} {path} {status}"
                    )
            if operation.get("security"):
                assert {"401", "403"} <= set(operation["responses"])


def test_the_documentation_loads_nothing_from_elsewhere(client: Client) -> None:
    page = client.get("/api/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "https://" not in page
    assert client.get("/api/").url == "/api/docs"
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Förändra API"


def test_the_lists_read_a_fixed_number_of_queries(
    users: Users, member_api: Client, home_world: World
) -> None:
    """However many rows a municipality has, a list costs the same number of queries."""
    lists = [
        url_of(path, home_world.params_for(path, method))
        for path, method in OPERATIONS
        if method == "GET" and not path.endswith("}")
    ]

    def counts() -> dict[str, int]:
        result = {}
        for url in lists:
            with CaptureQueriesContext(connection) as queries:
                assert member_api.get(url).status_code == 200, url
            result[url] = len(queries)
        return result

    counts()  # warm: the token's last use and the scores' cache are written once
    before = counts()
    add_more(home_world, users.member)
    after = counts()
    assert {u: (before[u], after[u]) for u in lists if before[u] != after[u]} == {}
