"""Survey submissions under concurrency: every response counted once, every token used once.

Real threads with their own database connections submit at the same time, so the data they need
must be committed: these tests use a transactional database. They run on SQLite (the default) and
on PostgreSQL (with DATABASE_URL set).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import translation

from forandra.maturity import services
from forandra.maturity.instrument import Instrument
from forandra.maturity.models import (
    AnswerCount,
    Response,
    Round,
    SurveyToken,
    UnitResponseCount,
)
from forandra.municipalities.models import Unit

from .conftest import all_answers

pytestmark = pytest.mark.django_db(transaction=True)

SUBMITTERS = 50
RESPONSES_EACH = 40
TOKENS = 50
THREADS_PER_TOKEN = 5
JOIN_TIMEOUT = 50  # seconds; a hung submitter fails the test rather than the whole run


@pytest.fixture(autouse=True)
def file_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, run the test on a file copy of the in-memory test database.

    Django's in-memory test database is one shared cache, which locks whole tables between
    connections and fails at once with "database table is locked" rather than waiting for the
    busy timeout. A file database, as in production, makes a second writer wait. The in-memory
    connection is set aside and put back afterwards, so the rest of the run is unaffected.
    """
    settings_dict = connection.settings_dict  # the same dict the threads' connections read
    name = settings_dict["NAME"]
    if connection.vendor != "sqlite" or not (name == ":memory:" or "mode=memory" in str(name)):
        yield
        return
    path = tmp_path / "concurrency.sqlite3"
    connection.ensure_connection()
    memory = connection.connection
    with sqlite3.connect(path) as copy:
        memory.backup(copy)
    copy.close()
    settings_dict["NAME"] = str(path)
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = name
        connection.connection = memory


@dataclass
class Outcome:
    """What one thread saw: the answers it got accepted, refusals, and anything unexpected."""

    accepted: list[tuple[int, dict[str, int | None]]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # the personal links it answered through
    unexpected: list[BaseException] = field(default_factory=list)


def run_threads(
    count: int, work: Callable[[int, Round, Outcome], None], round_pk: int
) -> list[Outcome]:
    """Run `work` in `count` threads that start together; each loads the round itself, as a
    request would, and closes its own connection at the end."""
    barrier = threading.Barrier(count, timeout=JOIN_TIMEOUT)
    outcomes = [Outcome() for _ in range(count)]

    def target(index: int) -> None:
        outcome = outcomes[index]
        try:
            round_ = Round.objects.select_related("instrument").get(pk=round_pk)
            barrier.wait()
            with translation.override("en"):  # the language is per thread
                work(index, round_, outcome)
        except BaseException as error:  # kept for the test to report, not lost in the thread
            outcome.unexpected.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not [t for t in threads if t.is_alive()], "a submitter did not finish in time"
    causes = [
        repr(error)
        for outcome in outcomes
        for error in outcome.unexpected
        if not isinstance(error, threading.BrokenBarrierError)
    ]
    assert causes == [], causes[:3]
    return outcomes


def answers_for(instrument: Instrument, seed: int) -> dict[str, int | None]:
    """Varied answers, some "don't know", different for each seed."""
    answers = all_answers(instrument, None)
    for index, key in enumerate(answers):
        answers[key] = None if (seed + index) % 7 == 0 else 1 + (seed * 3 + index) % 5
    return answers


def expected_counts(
    accepted: list[tuple[int, dict[str, int | None]]],
) -> tuple[Counter[tuple[int, str, int]], Counter[int]]:
    answers: Counter[tuple[int, str, int]] = Counter()
    sizes: Counter[int] = Counter()
    for unit_key, given in accepted:
        sizes[unit_key] += 1
        answers.update((unit_key, k, 0 if v is None else v) for k, v in given.items())
    return answers, sizes


def stored_counts(round_: Round) -> tuple[Counter[tuple[int, str, int]], Counter[int]]:
    answers = Counter(
        {
            (row.unit_key, row.statement_key, row.value): row.count
            for row in AnswerCount.objects.filter(round=round_)
            if row.count
        }
    )
    sizes = Counter(
        {
            row.unit_key: row.count
            for row in UnitResponseCount.objects.filter(round=round_)
            if row.count
        }
    )
    return answers, sizes


def assert_counts_match(round_: Round, accepted: list[tuple[int, dict[str, int | None]]]) -> None:
    """The round's counts are exactly those of the accepted answers, and of the stored rows."""
    round_.refresh_from_db()
    expected_answers, expected_sizes = expected_counts(accepted)
    stored = [
        ((r.unit_id or 0), r.answers) for r in Response.objects.filter(round=round_).order_by("pk")
    ]

    assert Response.objects.filter(round=round_).count() == len(accepted)
    assert round_.response_count == len(accepted)
    assert stored_counts(round_) == (expected_answers, expected_sizes)
    assert expected_counts(stored) == (expected_answers, expected_sizes)
    assert UnitResponseCount.objects.filter(round=round_).aggregate(n=Sum("count"))["n"] == len(
        accepted
    )
    per_statement = {
        row["statement_key"]: row["n"]
        for row in AnswerCount.objects.filter(round=round_)
        .values("statement_key")
        .annotate(n=Sum("count"))
    }
    given_keys: Counter[str] = Counter()  # don't-know is counted too, under value 0
    for _unit_key, given in accepted:
        given_keys.update(list(given))
    assert {k: n for k, n in per_statement.items() if n} == dict(given_keys)


def test_fifty_parallel_submitters_leave_exactly_two_thousand_responses(
    survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    unit_choices: list[Unit | None] = [*units, None]

    def submit_forty(index: int, round_: Round, outcome: Outcome) -> None:
        for number in range(RESPONSES_EACH):
            seed = index * RESPONSES_EACH + number
            unit = unit_choices[seed % len(unit_choices)]
            answers = answers_for(instrument, seed)
            services.survey_submit(
                round_=round_, answers=answers, unit=unit, client_key=f"browser-{index}-{number}"
            )
            outcome.accepted.append((unit.pk if unit else 0, answers))

    outcomes = run_threads(SUBMITTERS, submit_forty, survey.pk)

    assert [error for o in outcomes for error in o.unexpected] == []
    accepted = [item for o in outcomes for item in o.accepted]
    assert len(accepted) == SUBMITTERS * RESPONSES_EACH == 2000
    assert_counts_match(survey, accepted)

    # The same browser again is refused and changes nothing.
    with pytest.raises(services.SurveyRefusedError, match="already answered"):
        services.survey_submit(
            round_=survey, answers=answers_for(instrument, 1), client_key="browser-0-0"
        )
    assert_counts_match(survey, accepted)


def test_each_token_raced_by_several_threads_counts_once(
    survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    tokens = services.tokens_issue(round_=survey, count=TOKENS)
    groups = SUBMITTERS // THREADS_PER_TOKEN  # threads in a group submit the same tokens at once
    unit_choices: list[Unit | None] = [*units, None]

    def submit_tokens(index: int, round_: Round, outcome: Outcome) -> None:
        for token_index in range(index % groups, TOKENS, groups):
            unit = unit_choices[token_index % len(unit_choices)]
            answers = answers_for(instrument, index * TOKENS + token_index)
            try:
                services.survey_submit(
                    round_=round_, answers=answers, unit=unit, token=tokens[token_index]
                )
            except services.SurveyRefusedError as refusal:
                outcome.refused.append(str(refusal))
            else:
                outcome.accepted.append((unit.pk if unit else 0, answers))
                outcome.tokens.append(tokens[token_index])

    outcomes = run_threads(SUBMITTERS, submit_tokens, survey.pk)

    assert [error for o in outcomes for error in o.unexpected] == []
    winners = Counter(token for o in outcomes for token in o.tokens)
    assert winners == dict.fromkeys(tokens, 1)
    refusals = [message for o in outcomes for message in o.refused]
    assert len(refusals) == TOKENS * (THREADS_PER_TOKEN - 1)
    assert set(refusals) == {"This link has already been used to answer."}
    accepted = [item for o in outcomes for item in o.accepted]
    assert len(accepted) == TOKENS
    assert_counts_match(survey, accepted)
    assert set(Response.objects.filter(round=survey).values_list("token__token", flat=True)) == set(
        tokens
    )
    assert not SurveyToken.objects.filter(round=survey, used_at__isnull=True).exists()

    # Resubmitting a used token changes nothing; the open link stays closed.
    for token in tokens[:5]:
        with pytest.raises(services.SurveyRefusedError, match="already been used"):
            services.survey_submit(round_=survey, answers=answers_for(instrument, 0), token=token)
    with pytest.raises(services.SurveyRefusedError, match="personal links only"):
        services.survey_submit(
            round_=survey, answers=answers_for(instrument, 0), client_key="browser"
        )
    assert_counts_match(survey, accepted)
