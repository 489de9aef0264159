from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.maturity import services
from forandra.maturity.instrument import Instrument
from forandra.maturity.models import Round
from forandra.municipalities.models import Unit
from tests.conftest import Users
from tests.maturity.conftest import all_answers, checked

pytestmark = pytest.mark.django_db


def test_a_member_opens_a_consensus_round_and_answers_it_step_by_step(
    client: Client, users: Users, instrument: Instrument
) -> None:
    client.force_login(users.member)
    response = client.post(
        reverse("maturity:round_create", args=["2404"]),
        {"title": "Nollmätning", "mode": "consensus", "opened_on": "2026-03-15"},
    )
    round_ = Round.objects.get(title="Nollmätning")
    assert response["Location"] == reverse("maturity:consensus_answer", args=["2404", round_.pk, 1])

    first = instrument.dimensions[0]
    data = {s.key: "4" for s in first.statements}
    data[f"{first.statements[0].key}__why"] = "Vi har en beslutad strategi"
    data[first.statements[1].key] = "dk"
    step = client.post(reverse("maturity:consensus_answer", args=["2404", round_.pk, 1]), data)

    assert step["Location"] == reverse("maturity:consensus_answer", args=["2404", round_.pk, 2])
    again = client.get(reverse("maturity:consensus_answer", args=["2404", round_.pk, 1]))
    body = again.content.decode()
    assert "Vi har en beslutad strategi" in body
    assert checked(body, first.statements[1].key) == "dk"
    assert checked(body, first.statements[0].key) == "4"
    results = client.get(reverse("maturity:round_detail", args=["2404", round_.pk]))
    assert results.status_code == 200
    assert first.name.sv in results.content.decode()


def test_the_results_page_hides_a_survey_with_too_few_responses(
    client: Client, users: Users, survey: Round, instrument: Instrument
) -> None:
    for index in range(4):
        services.survey_submit(
            round_=survey, answers=all_answers(instrument, 2), client_key=str(index)
        )
    client.force_login(users.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    body = client.get(reverse("maturity:round_detail", args=["2404", survey.pk])).content.decode()

    assert "at least 5 have answered" in body
    assert "<svg" not in body
    assert instrument.dimensions[0].statements[0].text.en not in body


def test_the_results_page_runs_the_same_queries_for_5_and_25_responses(
    client: Client, users: Users, survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    client.force_login(users.member)
    url = reverse("maturity:round_detail", args=["2404", survey.pk])

    def submit(count: int, offset: int) -> None:
        for index in range(count):
            services.survey_submit(
                round_=survey,
                answers=all_answers(instrument, 1 + index % 5),
                unit=units[index % 3],
                client_key=f"{offset}-{index}",
            )

    submit(15, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    submit(60, 1)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)
