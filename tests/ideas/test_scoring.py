"""The weighted score of ideas (forandra.ideas.scoring): plain Python, no database."""

from __future__ import annotations

import math

import pytest

from forandra.ideas.scoring import CRITERIA, IdeaFacts, scores

WEIGHTS = {"benefit": 5, "feasibility": 3, "risk": 2, "cost": 2, "effort": 1, "support": 2}


def facts(id: int, **changes: float) -> IdeaFacts:
    values = {
        "benefit": 3,
        "feasibility": 3,
        "risk": 3,
        "one_time_cost": 100_000,
        "yearly_cost": 10_000,
        "effort": 2.0,
        "support": 4,
    }
    values.update(changes)
    return IdeaFacts(id=id, **values)  # type: ignore[arg-type]


def test_the_score_rises_with_benefit_and_nothing_else_changes() -> None:
    ideas = [facts(benefit, benefit=benefit) for benefit in range(1, 6)]

    result = scores(ideas, WEIGHTS)

    totals = [result[benefit].total for benefit in range(1, 6)]
    assert totals == sorted(totals)
    assert len(set(totals)) == 5  # strictly rising
    assert result[5].parts["benefit"] == pytest.approx(100 * 5 / 15)
    assert result[1].parts["benefit"] == 0


def test_the_parts_sum_to_the_total_for_every_idea() -> None:
    ideas = [
        facts(1, benefit=5, risk=1, one_time_cost=0, yearly_cost=0, effort=0.5, support=0),
        facts(2, benefit=2, feasibility=5, one_time_cost=900_000, effort=12, support=30),
        facts(3, risk=5, feasibility=1, yearly_cost=200_000, support=7),
    ]

    result = scores(ideas, WEIGHTS)

    for score in result.values():
        assert set(score.parts) == set(CRITERIA)
        assert math.isclose(sum(score.parts.values()), score.total)
        assert 0 <= score.total <= 100


def test_the_best_idea_on_every_criterion_scores_100() -> None:
    best = facts(
        1, benefit=5, feasibility=5, risk=1, one_time_cost=0, yearly_cost=0, effort=0, support=9
    )
    worst = facts(
        2, benefit=1, feasibility=1, risk=5, one_time_cost=500, yearly_cost=5, effort=3, support=0
    )

    result = scores([best, worst], WEIGHTS)

    assert result[1].total == pytest.approx(100)
    assert result[2].total == pytest.approx(0)


def test_zero_weights_give_every_idea_zero() -> None:
    result = scores([facts(1, benefit=5), facts(2)], dict.fromkeys(CRITERIA, 0))

    assert [result[1].total, result[2].total] == [0, 0]
    assert all(part == 0 for part in result[1].parts.values())


def test_a_single_weight_decides_alone() -> None:
    result = scores([facts(1, risk=1), facts(2, risk=5)], {"risk": 10})

    assert result[1].total == pytest.approx(100)
    assert result[2].total == 0


def test_cost_is_relative_to_the_most_expensive_idea_with_three_years_of_yearly_cost() -> None:
    # 100 000 + 3 × 100 000 = 400 000 is the highest; 200 000 one-time is half of it.
    ideas = [
        facts(1, one_time_cost=100_000, yearly_cost=100_000),
        facts(2, one_time_cost=200_000, yearly_cost=0),
        facts(3, one_time_cost=0, yearly_cost=0),
    ]

    result = scores(ideas, {"cost": 1})

    assert result[1].total == pytest.approx(0)
    assert result[2].total == pytest.approx(50)
    assert result[3].total == pytest.approx(100)


def test_doubling_every_cost_leaves_the_cost_points_unchanged() -> None:
    cheap = [facts(1, one_time_cost=10, yearly_cost=0), facts(2, one_time_cost=40, yearly_cost=0)]
    dear = [facts(1, one_time_cost=20, yearly_cost=0), facts(2, one_time_cost=80, yearly_cost=0)]

    assert scores(cheap, {"cost": 3})[1].total == pytest.approx(scores(dear, {"cost": 3})[1].total)


def test_when_nobody_has_cost_effort_or_support_everyone_gets_the_best() -> None:
    ideas = [
        facts(1, one_time_cost=0, yearly_cost=0, effort=0, support=0),
        facts(2, one_time_cost=0, yearly_cost=0, effort=0, support=0),
    ]

    result = scores(ideas, {"cost": 1, "effort": 1, "support": 1})

    assert result[1].total == pytest.approx(100)


def test_an_unknown_criterion_is_refused() -> None:
    with pytest.raises(ValueError, match="beauty"):
        scores([facts(1)], {"beauty": 3})
