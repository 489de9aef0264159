"""Dot voting under concurrency: five participants placing dots at the same time, and one
participant racing with themselves for their last dot.

Real threads with their own database connections place dots at once, so the data they need must
be committed: these tests use a transactional database. They run on SQLite (the default) and on
PostgreSQL (with DATABASE_URL set).
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from forandra.accounts.models import Role, User
from forandra.ideas import voting
from forandra.ideas.models import Dot, Idea, Vote
from forandra.municipalities.models import Municipality
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

PARTICIPANTS = 5
DOTS = 5
CHANGES_EACH = 30
ROUNDS = 8
JOIN_TIMEOUT = 50  # seconds; a hung participant fails the test rather than the whole run


@pytest.fixture(autouse=True)
def file_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, run the test on a file copy of the in-memory test database, where a second
    writer waits for the first (the shared in-memory cache fails at once with "table is
    locked"); the in-memory connection is put back afterwards."""
    settings_dict = connection.settings_dict  # the same dict the threads' connections read
    name = settings_dict["NAME"]
    if connection.vendor != "sqlite" or not (name == ":memory:" or "mode=memory" in str(name)):
        yield
        return
    path = tmp_path / "voting.sqlite3"
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
    """What one thread saw: its own dots after each accepted change, refusals, and errors."""

    mine: dict[int, int] = field(default_factory=dict)
    accepted: int = 0
    refused: list[str] = field(default_factory=list)
    unexpected: list[BaseException] = field(default_factory=list)


def run_threads(
    count: int, work: Callable[[int, Vote, Outcome], None], vote_pk: int
) -> list[Outcome]:
    """Run `work` in `count` threads that start together; each loads the vote itself, as a
    request would, and closes its own connection at the end."""
    barrier = threading.Barrier(count, timeout=JOIN_TIMEOUT)
    outcomes = [Outcome() for _ in range(count)]

    def target(index: int) -> None:
        outcome = outcomes[index]
        try:
            vote = Vote.objects.get(pk=vote_pk)
            barrier.wait()
            work(index, vote, outcome)
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
    assert not [t for t in threads if t.is_alive()], "a participant did not finish in time"
    causes = [
        repr(error)
        for outcome in outcomes
        for error in outcome.unexpected
        if not isinstance(error, threading.BrokenBarrierError)
    ]
    assert causes == [], causes[:3]
    return outcomes


@pytest.fixture
def ideas(home: Municipality) -> list[Idea]:
    return [
        Idea.objects.create(municipality=home, title=f"Idé {n}", need="Ett behov.", source="group")
        for n in range(5)
    ]


@pytest.fixture
def participants(home: Municipality) -> list[User]:
    return [make_user(f"deltagare{n}", Role.MEMBER, municipality=home) for n in range(PARTICIPANTS)]


@pytest.fixture
def vote(home: Municipality, ideas: list[Idea]) -> Vote:
    return voting.vote_create(municipality=home, title="Workshop", dots=DOTS, ideas=ideas, by=None)


def stored_per_user(vote: Vote) -> dict[int, dict[int, int]]:
    per_user: dict[int, dict[int, int]] = {}
    for user_id, idea_id, count in Dot.objects.filter(vote=vote).values_list(
        "user_id", "idea_id", "count"
    ):
        per_user.setdefault(user_id, {})[idea_id] = count
    return per_user


def test_five_participants_at_once_leave_exactly_the_dots_each_placed(
    vote: Vote, ideas: list[Idea], participants: list[User]
) -> None:
    def place(index: int, vote: Vote, outcome: Outcome) -> None:
        rng = random.Random(index)  # noqa: S311 (test data)
        user = participants[index]
        for _change in range(CHANGES_EACH):
            idea = rng.choice(ideas)
            count = max(0, outcome.mine.get(idea.pk, 0) + rng.choice([1, 1, 1, 2, -1]))
            try:
                voting.dot_set(vote=vote, idea=idea, user=user, count=count)
            except ValidationError as refusal:
                outcome.refused.append(refusal.messages[0])
            else:
                outcome.accepted += 1
                if count:
                    outcome.mine[idea.pk] = count
                else:
                    outcome.mine.pop(idea.pk, None)

    outcomes = run_threads(PARTICIPANTS, place, vote.pk)

    # Each participant's stored dots are exactly what their own accepted changes left.
    stored = stored_per_user(vote)
    assert stored == {
        participants[i].pk: outcome.mine for i, outcome in enumerate(outcomes) if outcome.mine
    }
    assert all(sum(mine.values()) <= DOTS for mine in stored.values())
    # They tried more than their dots, so some changes were refused, with the reason.
    assert any(o.refused for o in outcomes)
    assert {m.split(" och ")[0] for o in outcomes for m in o.refused} == {
        "Du har 5 prickar i röstningen"
    }
    # The results screen shows the same totals.
    expected: Counter[int] = Counter()
    for outcome in outcomes:
        expected.update(outcome.mine)
    results = voting.vote_results(vote=vote)
    assert {row.idea.pk: row.dots for row in results.rows} == {
        idea.pk: expected.get(idea.pk, 0) for idea in ideas
    }
    assert results.dots_placed == sum(expected.values())
    assert results.participants == len(stored)
    assert voting.dots_per_idea(vote.municipality) == {k: v for k, v in expected.items() if v}


def test_one_participant_racing_for_their_last_dot_never_exceeds_their_total(
    vote: Vote, ideas: list[Idea], participants: list[User]
) -> None:
    user = participants[0]
    threads = 2
    for _round in range(ROUNDS):
        Dot.objects.filter(vote=vote).delete()
        voting.dot_set(vote=vote, idea=ideas[0], user=user, count=DOTS - 1)

        def last_dot(index: int, vote: Vote, outcome: Outcome) -> None:
            try:
                voting.dot_set(vote=vote, idea=ideas[1 + index], user=user, count=1)
            except ValidationError as refusal:
                outcome.refused.append(refusal.messages[0])
            else:
                outcome.accepted += 1

        outcomes = run_threads(threads, last_dot, vote.pk)

        assert sum(o.accepted for o in outcomes) == 1
        assert len([m for o in outcomes for m in o.refused]) == threads - 1
        total = Dot.objects.filter(vote=vote, user=user).aggregate(n=Sum("count"))["n"]
        assert total == DOTS


def test_one_participant_in_five_tabs_at_once_stays_within_their_total(
    vote: Vote, ideas: list[Idea], participants: list[User]
) -> None:
    user = participants[0]

    def climb(index: int, vote: Vote, outcome: Outcome) -> None:
        idea = ideas[index]
        for count in range(1, DOTS + 1):
            try:
                voting.dot_set(vote=vote, idea=idea, user=user, count=count)
            except ValidationError:
                return
            outcome.mine[idea.pk] = count

    outcomes = run_threads(len(ideas), climb, vote.pk)

    stored = stored_per_user(vote).get(user.pk, {})
    assert sum(stored.values()) == DOTS  # every dot used, none more
    assert stored == {k: v for o in outcomes for k, v in o.mine.items()}
