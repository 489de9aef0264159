from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from forandra.maturity import scoring, selectors, services
from forandra.maturity.instrument import Instrument, instrument_to_yaml
from forandra.maturity.models import AnswerCount, Response, Round
from forandra.municipalities.models import Municipality, Unit
from tests.maturity.conftest import all_answers

pytestmark = pytest.mark.django_db


def test_survey_submit_stores_the_response_and_counts_its_answers(
    survey: Round, instrument: Instrument
) -> None:
    services.survey_submit(round_=survey, answers=all_answers(instrument, 4), client_key="a")

    survey.refresh_from_db()
    assert survey.response_count == 1
    assert AnswerCount.objects.filter(round=survey, value=4).aggregate(n=Sum("count"))["n"] == 47


def test_dont_know_is_counted_apart_and_moves_no_score(
    survey: Round, instrument: Instrument
) -> None:
    first = instrument.dimensions[0].statements[0].key
    for index in range(6):
        services.survey_submit(
            round_=survey,
            answers={**all_answers(instrument, None), first: 4 if index < 5 else None},
            client_key=str(index),
        )

    assert Response.objects.filter(round=survey).first().answers[first] in (4, None)
    counts = AnswerCount.objects.filter(round=survey, count__gt=0)
    assert set(counts.values_list("value", flat=True)) == {scoring.DONT_KNOW, 4}
    assert counts.get(statement_key=first, value=scoring.DONT_KNOW).count == 1
    survey.refresh_from_db()
    result = selectors.round_result(round_=survey)
    assert result is not None
    assert result.distribution(first).dont_know == 1
    statement = result.result.dimensions[instrument.dimensions[0].key].statements[first]
    assert statement.score == 75.0  # five answers of 4 on a 1-5 scale; don't-know left out
    assert statement.answers == 5


def test_one_browser_answers_an_open_link_once(survey: Round, instrument: Instrument) -> None:
    services.survey_submit(round_=survey, answers=all_answers(instrument, 3), client_key="a")

    with pytest.raises(services.SurveyRefusedError, match="already answered"):
        services.survey_submit(round_=survey, answers=all_answers(instrument, 5), client_key="a")

    survey.refresh_from_db()
    assert survey.response_count == 1
    assert not AnswerCount.objects.filter(round=survey, value=5).exists()


def test_a_personal_link_answers_once_and_closes_the_open_link(
    survey: Round, instrument: Instrument
) -> None:
    token = services.tokens_issue(round_=survey, count=2)[0]
    services.survey_submit(round_=survey, answers=all_answers(instrument, 3), token=token)

    with pytest.raises(services.SurveyRefusedError, match="already been used"):
        services.survey_submit(round_=survey, answers=all_answers(instrument, 3), token=token)
    with pytest.raises(services.SurveyRefusedError, match="personal links only"):
        services.survey_submit(round_=survey, answers=all_answers(instrument, 3), client_key="b")
    with pytest.raises(services.SurveyRefusedError, match="not valid"):
        services.survey_submit(round_=survey, answers=all_answers(instrument, 3), token="x")
    assert Response.objects.filter(round=survey).count() == 1


def test_a_closed_round_takes_no_answers(survey: Round, instrument: Instrument) -> None:
    services.round_close(round_=survey)

    with pytest.raises(services.SurveyRefusedError, match="closed"):
        services.survey_submit(round_=survey, answers=all_answers(instrument, 3), client_key="a")


def test_an_answer_outside_the_scale_or_an_unknown_statement_is_refused(
    survey: Round, instrument: Instrument
) -> None:
    with pytest.raises(ValidationError):
        services.survey_submit(round_=survey, answers=all_answers(instrument, 6), client_key="a")
    with pytest.raises(ValidationError):
        services.survey_submit(round_=survey, answers={"no_such": 3}, client_key="a")
    assert not Response.objects.exists()


def test_a_department_of_another_municipality_is_refused(
    survey: Round, instrument: Instrument, neighbour: Municipality
) -> None:
    stranger = Unit.objects.create(municipality=neighbour, name="Skola")

    with pytest.raises(services.SurveyRefusedError):
        services.survey_submit(
            round_=survey, answers=all_answers(instrument, 3), unit=stranger, client_key="a"
        )


def test_consensus_save_replaces_answers_and_keeps_counts_right(
    consensus: Round, instrument: Instrument
) -> None:
    key = instrument.dimensions[0].statements[0].key
    services.consensus_save(round_=consensus, answers={key: (2, "Vi saknar en strategi")})
    services.consensus_save(round_=consensus, answers={key: (4, "Strategin är beslutad")})

    counts = dict(
        AnswerCount.objects.filter(round=consensus, count__gt=0).values_list("value", "count")
    )
    assert counts == {4: 1}
    assert selectors.consensus_answers(round_=consensus)[key] == (4, "Strategin är beslutad")
    consensus.refresh_from_db()
    assert consensus.response_count == 1


def test_a_published_instrument_version_cannot_change(instrument: Instrument) -> None:
    services.instrument_default_version()
    edited = instrument_to_yaml(instrument).replace("Stämmer helt", "Stämmer precis", 1)

    with pytest.raises(ValidationError, match="cannot change"):
        services.instrument_publish(source=edited)
    assert services.instrument_publish(source=edited.replace("version: 1", "version: 2", 1))


def test_survey_results_stay_hidden_below_the_minimum_group_size(
    survey: Round, instrument: Instrument
) -> None:
    for index in range(4):
        services.survey_submit(
            round_=survey, answers=all_answers(instrument, 3), client_key=str(index)
        )
    survey.refresh_from_db()
    assert selectors.round_result(round_=survey) is None

    services.survey_submit(round_=survey, answers=all_answers(instrument, 5), client_key="5")
    survey.refresh_from_db()
    result = selectors.round_result(round_=survey)
    assert result is not None
    assert result.result.overall is not None


def test_small_departments_are_merged_and_never_shown_alone(
    survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    school, care, it = units
    plan = [(school, 5), (care, 3), (it, 1), (None, 1)]
    index = 0
    for unit, count in plan:
        for _ in range(count):
            services.survey_submit(
                round_=survey,
                answers=all_answers(instrument, 3),
                unit=unit,
                client_key=str(index),
            )
            index += 1
    survey.refresh_from_db()

    breakdown = selectors.unit_breakdown(round_=survey)

    assert [(u.name, u.responses) for u in breakdown] == [("Skola", 5), (None, 5)]


def test_small_merged_remainder_is_not_shown_either(
    survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    school, care, _it = units
    for index in range(7):
        unit = school if index < 5 else care
        services.survey_submit(
            round_=survey, answers=all_answers(instrument, 3), unit=unit, client_key=str(index)
        )
    survey.refresh_from_db()

    assert [(u.name, u.responses) for u in selectors.unit_breakdown(round_=survey)] == [
        ("Skola", 5)
    ]
