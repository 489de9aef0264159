"""Scoring computes with ratios of whole numbers for speed; these tests hold it to the plain
definition computed with `fractions.Fraction`, bit for bit."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings

from forandra.maturity.instrument import Axis, Instrument
from forandra.maturity.scoring import Counts, answer_score, score
from tests.maturity.test_scoring import make_instrument, scored

Scores = tuple[object, ...]


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _sqrt(value: Fraction | None) -> float | None:
    return None if value is None else math.sqrt(value)


def _moments(mapped: list[tuple[Fraction, int]]) -> tuple[Fraction | None, Fraction | None]:
    """The mean and population variance of mapped answers given as (score, how many)."""
    answers = sum(count for _score, count in mapped)
    if not answers:
        return None, None
    mean = sum((value * count for value, count in mapped), Fraction(0)) / answers
    variance = sum(((value - mean) ** 2 * count for value, count in mapped), Fraction(0))
    return mean, variance / answers


def reference(instrument: Instrument, counts: Counts) -> Scores:
    """The scores by the module docstring's definition, in exact fractions rounded at the end."""
    size = instrument.scale.size
    dimensions: list[object] = []
    exact: dict[Axis, list[Fraction]] = {Axis.CAPABILITY: [], Axis.PREREQUISITE: []}
    for dimension in instrument.dimensions:
        statements = []
        means = []
        pooled: list[tuple[Fraction, int]] = []
        for statement in dimension.statements:
            mapped = [
                (
                    Fraction(100 * (size - v if statement.reverse else v - 1), size - 1),
                    count,
                )
                for v, count in counts.get(statement.key, {}).items()
                if v
            ]
            mean, variance = _moments(mapped)
            statements.append((_float(mean), _sqrt(variance)))
            if mean is not None:
                means.append(mean)
            pooled += mapped
        dimension_mean = _mean(means)
        if dimension_mean is not None:
            exact[dimension.axis].append(dimension_mean)
        dimensions.append((_float(dimension_mean), _sqrt(_moments(pooled)[1]), statements))
    everything = exact[Axis.CAPABILITY] + exact[Axis.PREREQUISITE]
    return (
        dimensions,
        _float(_mean(everything)),
        _float(_mean(exact[Axis.CAPABILITY])),
        _float(_mean(exact[Axis.PREREQUISITE])),
    )


def found(instrument: Instrument, counts: Counts) -> Scores:
    result = score(instrument, counts)
    return (
        [
            (d.score, d.spread, [(s.score, s.spread) for s in d.statements.values()])
            for d in result.dimensions.values()
        ],
        result.overall,
        result.capability,
        result.prerequisite,
    )


@settings(max_examples=200, deadline=None)
@given(scored())
def test_scores_are_the_exact_definition_rounded_once(case: tuple[Instrument, Counts]) -> None:
    instrument, counts = case
    assert found(instrument, counts) == reference(instrument, counts)


def test_scores_of_thousands_of_answers_with_unlike_denominators_are_exact() -> None:
    # Statement means with coprime answer totals: their exact mean needs a large common
    # denominator, where a float sum would be off in the last bit.
    instrument = make_instrument(
        [
            ("a", Axis.CAPABILITY, [("a1", False), ("a2", True), ("a3", False)]),
            ("b", Axis.PREREQUISITE, [("b1", False), ("b2", False)]),
        ],
        scale_size=7,
    )
    counts = {
        "a1": {1: 9973, 4: 7919, 7: 104729},
        "a2": {2: 15485863, 6: 1},
        "a3": {3: 3, 5: 7},
        "b1": {7: 32452843, 1: 2},
        "b2": {1: 1},
    }
    assert found(instrument, counts) == reference(instrument, counts)


def test_answer_score_is_the_exact_fraction_rounded_once() -> None:
    for size in range(2, 12):
        for value in range(1, size + 1):
            assert answer_score(value, size) == float(Fraction(100 * (value - 1), size - 1))
            assert answer_score(value, size, reverse=True) == float(
                Fraction(100 * (size - value), size - 1)
            )
