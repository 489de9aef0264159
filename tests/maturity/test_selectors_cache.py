"""Cached scores: never stale after any write to the counts, and reads whose query count does
not grow with the responses, the departments or the municipalities compared.

Scores are cached under a round's `counts_version`, so each test first shows that a second read
really comes from the cache (no query), which makes "the next read is fresh" mean something.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.maturity import scoring, selectors, services
from forandra.maturity.instrument import Instrument
from forandra.maturity.models import Mode, Round
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality, Region, Unit
from tests.conftest import Users

pytestmark = pytest.mark.django_db


def all_answers(instrument: Instrument, value: int) -> dict[str, int | None]:
    """Answers that score the same everywhere: `value`, reversed for a reverse statement."""
    size = instrument.scale.size
    return {
        statement.key: size + 1 - value if statement.reverse else value
        for _dimension, statement in instrument.statements()
    }


def fresh(round_: Round) -> Round:
    """The round as a request reads it."""
    return selectors.round_get(municipality=round_.municipality, pk=round_.pk)


def overall(round_: Round) -> float | None:
    result = selectors.round_result(round_=round_)
    assert result is not None
    return result.result.overall


def submit(round_: Round, answers: dict[str, int | None], count: int, **extra: object) -> None:
    for _index in range(count):
        services.survey_submit(round_=round_, answers=answers, **extra)  # type: ignore[arg-type]


def imported(
    round_: Round, answers: dict[str, int | None], count: int, unit: Unit | None = None
) -> None:
    services.survey_import(
        round_=round_,
        responses=[services.ImportedResponse(answers=answers, unit=unit)] * count,
        on=round_.opened_on,
    )


def test_a_second_read_of_unchanged_counts_comes_from_the_cache(
    survey: Round, instrument: Instrument
) -> None:
    imported(survey, all_answers(instrument, 2), 5)
    survey = fresh(survey)
    first = selectors.round_result(round_=survey)

    with CaptureQueriesContext(connection) as queries:
        second = selectors.round_result(round_=survey)

    assert len(queries) == 0
    assert first is not None and second is not None
    assert second.result == first.result == scoring.score(instrument, first.counts)
    assert second.counts == first.counts


def test_round_result_is_never_stale_after_a_survey_submit(
    survey: Round, instrument: Instrument
) -> None:
    for index in range(5):
        services.survey_submit(
            round_=survey, answers=all_answers(instrument, 1), client_key=f"a{index}"
        )
    survey = fresh(survey)
    assert overall(survey) == 0.0
    assert overall(survey) == 0.0  # now cached

    for index in range(5):
        services.survey_submit(
            round_=survey, answers=all_answers(instrument, 5), client_key=f"b{index}"
        )

    assert overall(fresh(survey)) == 50.0


def test_the_submitting_round_object_gets_the_new_counts_version(
    survey: Round, instrument: Instrument
) -> None:
    before = survey.counts_version

    services.survey_submit(round_=survey, answers=all_answers(instrument, 3), client_key="x")

    assert survey.counts_version != before
    assert survey.counts_version == fresh(survey).counts_version


def test_round_result_is_never_stale_after_a_consensus_save(
    consensus: Round, instrument: Instrument
) -> None:
    # The group changes its answers: the round's total stays 1, only its counts change.
    services.consensus_save(
        round_=consensus, answers={k: (v, "") for k, v in all_answers(instrument, 1).items()}
    )
    consensus = fresh(consensus)
    assert overall(consensus) == 0.0
    assert overall(consensus) == 0.0  # now cached

    services.consensus_save(
        round_=consensus,
        answers={k: (v, "Vi är överens") for k, v in all_answers(instrument, 5).items()},
    )
    consensus = fresh(consensus)

    assert consensus.response_count == 1
    assert overall(consensus) == 100.0


def test_round_result_is_never_stale_after_an_import(survey: Round, instrument: Instrument) -> None:
    imported(survey, all_answers(instrument, 5), 5)
    survey = fresh(survey)
    assert overall(survey) == 100.0
    assert overall(survey) == 100.0  # now cached

    imported(survey, all_answers(instrument, 1), 5)

    assert overall(fresh(survey)) == 50.0


def test_a_read_through_a_round_held_before_the_import_is_not_served_the_old_scores(
    survey: Round, instrument: Instrument
) -> None:
    imported(survey, all_answers(instrument, 5), 5)
    survey.refresh_from_db()
    assert overall(survey) == 100.0

    imported(survey, all_answers(instrument, 1), 5)  # the same object, not read again

    assert overall(survey) == 50.0


def test_the_unit_breakdown_is_never_stale_and_shows_current_names(
    survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    school, care, _it = units
    imported(survey, all_answers(instrument, 1), 5, unit=school)
    imported(survey, all_answers(instrument, 1), 5, unit=care)
    survey = fresh(survey)
    breakdown = [
        (u.name, u.responses, u.result.overall) for u in selectors.unit_breakdown(round_=survey)
    ]
    assert breakdown == [("Skola", 5, 0.0), ("Vård", 5, 0.0)]
    with CaptureQueriesContext(connection) as queries:
        selectors.unit_breakdown(round_=survey)
    assert len(queries) == 2  # sizes and names only: the scores come from the cache

    imported(survey, all_answers(instrument, 5), 5, unit=care)
    survey = fresh(survey)
    assert [
        (u.name, u.responses, u.result.overall) for u in selectors.unit_breakdown(round_=survey)
    ] == [("Skola", 5, 0.0), ("Vård", 10, 50.0)]

    Unit.objects.filter(pk=care.pk).update(name="Omsorg")  # renamed: names are never cached

    assert [u.name for u in selectors.unit_breakdown(round_=survey)] == ["Omsorg", "Skola"]


def test_the_unit_breakdown_runs_the_same_queries_for_one_and_for_three_departments(
    survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    def cold_queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert selectors.unit_breakdown(round_=fresh(survey))
        return len(queries)

    imported(survey, all_answers(instrument, 2), 5, unit=units[0])
    imported(survey, all_answers(instrument, 3), 5)  # no department: merged
    one = cold_queries()
    imported(survey, all_answers(instrument, 4), 5, unit=units[1])
    imported(survey, all_answers(instrument, 5), 5, unit=units[2])
    three = cold_queries()

    assert [u.name for u in selectors.unit_breakdown(round_=fresh(survey))] == [
        "IT",
        "Skola",
        "Vård",
        None,
    ]
    assert one == three


def survey_rounds(municipalities: list[Municipality], instrument: Instrument) -> list[Round]:
    """A survey round of 5 responses in each municipality, each scoring its index x 25."""
    rounds = []
    for index, municipality in enumerate(municipalities):
        round_ = services.round_open(
            municipality=municipality,
            mode=Mode.SURVEY,
            title=f"Enkät {municipality.name}",
            opened_on=date(2026, 3, 1),
        )
        imported(round_, all_answers(instrument, 1 + index % 5), 5)
        rounds.append(fresh(round_))
    return rounds


def test_region_comparison_is_never_stale_after_a_change_in_another_municipality(
    home: Municipality, neighbour: Municipality, instrument: Instrument
) -> None:
    ours, theirs = survey_rounds([home, neighbour], instrument)
    spread = selectors.region_comparison(round_=ours)["strategy"]
    assert (spread.municipalities, spread.q1, spread.median, spread.q3) == (2, 6.25, 12.5, 18.75)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.region_comparison(round_=ours)["strategy"] == spread
    assert len(queries) == 1  # which rounds: the scores come from the cache

    imported(theirs, all_answers(instrument, 5), 5)  # 5 x 25 and 5 x 100: 62.5

    spread = selectors.region_comparison(round_=fresh(ours))["strategy"]
    assert (spread.q1, spread.median, spread.q3) == (15.625, 31.25, 46.875)


def test_region_comparison_takes_a_newer_round_of_a_municipality_at_once(
    home: Municipality, neighbour: Municipality, instrument: Instrument
) -> None:
    ours, _theirs = survey_rounds([home, neighbour], instrument)
    assert selectors.region_comparison(round_=ours)["strategy"].median == 12.5

    later = services.round_open(
        municipality=neighbour, mode=Mode.SURVEY, title="Enkät 2027", opened_on=date(2027, 3, 1)
    )
    imported(later, all_answers(instrument, 5), 5)

    assert selectors.region_comparison(round_=fresh(ours))["strategy"].median == 50.0


@pytest.mark.parametrize("count", [3, 12])
def test_region_comparison_runs_a_fixed_number_of_queries(
    region: Region, instrument: Instrument, count: int
) -> None:
    municipalities = list(municipality_selectors.region_municipalities(region=region)[:count])
    rounds = survey_rounds(municipalities, instrument)
    ours = rounds[0]
    cache.clear()

    with CaptureQueriesContext(connection) as cold:
        spreads = selectors.region_comparison(round_=ours)
    with CaptureQueriesContext(connection) as warm:
        assert selectors.region_comparison(round_=ours) == spreads

    assert spreads["strategy"].municipalities == count
    # Cold: which rounds, their instrument versions, their counts. Warm: which rounds.
    assert (len(cold), len(warm)) == (3, 1)


def test_the_results_page_runs_the_same_queries_for_15_and_75_responses_cold_and_warm(
    client: Client,
    users: Users,
    survey: Round,
    neighbour: Municipality,
    instrument: Instrument,
    units: list[Unit],
) -> None:
    survey_rounds([neighbour], instrument)  # so that the page compares with the region
    client.force_login(users.member)
    url = reverse("maturity:round_detail", args=[survey.municipality.code, survey.pk])

    def render_twice(responses: int) -> tuple[int, int]:
        for index in range(responses):
            imported(survey, all_answers(instrument, 1 + index % 5), 1, unit=units[index % 3])
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as warm:
            assert client.get(url).status_code == 200
        return len(cold), len(warm)

    few = render_twice(15)
    many = render_twice(60)

    assert few == many
    assert few[1] < few[0]  # the second render reads its scores from the cache
