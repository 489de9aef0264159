"""Scoring an instrument from aggregated answer counts.

The input is already counted (statement key -> answer value -> number of answers), so the
database does the counting and this module never loops over individual responses. An answer
``v`` on an ``n``-step scale maps linearly to ``100 * (v - 1) / (n - 1)``; a reverse statement
first turns ``v`` into ``n + 1 - v``. "Don't know" is no answer: it is left out of the counts or
given under the value 0 or ``None``, and then ignored.

- A statement's score is the mean of its mapped answers.
- A dimension's score is the mean of its answered statements' scores, so every answered statement
  weighs the same however many skipped it; its spread is the population standard deviation of
  all mapped answers in the dimension.
- The overall score is the mean of the dimension scores that exist; the level is the highest one
  whose minimum it reaches.
- Each axis score is the mean of its dimensions' scores; the two place the result in one of the
  four quadrants, where a score at or above the instrument's threshold counts as high.

Means and variances are computed exactly, as ratios of whole numbers, and rounded to floats once
at the end, so scaling all counts, merging counts in any order, or adding don't-know answers gives
bit-for-bit the same scores. Plain Python, no Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from .instrument import Axis, Instrument, Level, Quadrant

DONT_KNOW = 0  # the value under which merge_counts keeps don't-know answers

AnswerCounts: TypeAlias = Mapping[int, int] | Mapping[int | None, int]
"""Answer value (1..n; 0 or None for don't know) -> number of answers, for one statement."""

Counts: TypeAlias = Mapping[str, AnswerCounts]
"""Statement key -> its answer counts."""


@dataclass(frozen=True)
class StatementScore:
    """One statement's answers: how many, their mean (0-100) and standard deviation."""

    key: str
    answers: int
    score: float | None  # None when nobody answered
    spread: float | None  # population standard deviation of the mapped answers


@dataclass(frozen=True)
class DimensionScore:
    """One dimension: the mean of its statement scores, with answers and spread."""

    key: str
    axis: Axis
    score: float | None  # None when no statement in it is answered
    answers: int  # all answers to its statements
    answered_statements: int
    spread: float | None  # population standard deviation of all its mapped answers
    statements: dict[str, StatementScore]  # in instrument order


@dataclass(frozen=True)
class Result:
    """An instrument scored: dimensions, overall score and level, axes and quadrant."""

    dimensions: dict[str, DimensionScore]  # in instrument order
    overall: float | None
    level: Level | None
    capability: float | None
    prerequisite: float | None
    quadrant: Quadrant | None


@dataclass(frozen=True)
class DistributionStep:
    """How many chose one answer value, and their share (0-1) of those who answered."""

    value: int
    count: int
    share: float


@dataclass(frozen=True)
class Distribution:
    """The answers to one statement per scale value 1..n, plus the don't-know count."""

    answered: int
    dont_know: int
    steps: tuple[DistributionStep, ...]  # values 1..n in order; shares 0.0 when none answered


# --- Exact arithmetic ---------------------------------------------------------------------------

# An exact value is a ratio of two whole numbers (numerator, denominator > 0), never reduced: a
# region comparison scores hundreds of rounds, and `fractions.Fraction`, which reduces after every
# step, took most of that time. Dividing the two ints with `/` rounds correctly in Python, exactly
# as `float(Fraction(...))` does, so the floats are the same bit for bit.
_Ratio: TypeAlias = tuple[int, int]


@dataclass(frozen=True)
class _Sums:
    """Answers as integer sums of u = steps above the scale's bottom (after reversing)."""

    count: int = 0  # number of answers
    total: int = 0  # sum of u
    squares: int = 0  # sum of u²

    def __add__(self, other: _Sums) -> _Sums:
        return _Sums(
            self.count + other.count, self.total + other.total, self.squares + other.squares
        )

    def mean(self, scale_size: int) -> _Ratio | None:
        """The mean mapped answer: 100 / (n - 1) times the mean u."""
        if not self.count:
            return None
        return 100 * self.total, (scale_size - 1) * self.count

    def variance(self, scale_size: int) -> _Ratio | None:
        """The population variance of the mapped answers."""
        if not self.count:
            return None
        spread = 100 * 100 * (self.count * self.squares - self.total**2)
        return spread, ((scale_size - 1) * self.count) ** 2


def _check_scale(scale_size: int) -> None:
    if scale_size < 2:
        raise ValueError(f"A scale needs at least two steps, not {scale_size}.")


def _answered(value: int | None, count: int, scale_size: int) -> int | None:
    """The value if it is an answer, None for don't know; raise for bad values and counts."""
    if count < 0:
        raise ValueError(f"A count cannot be negative: {value!r}: {count}.")
    if value is None or value == DONT_KNOW:
        return None
    if not 1 <= value <= scale_size:
        raise ValueError(f"The answer {value!r} is not on a scale of 1..{scale_size}.")
    return value


def _tally(answer_counts: AnswerCounts, scale_size: int) -> tuple[dict[int, int], int]:
    """Counts per value 1..n and the don't-know count; reject bad values and counts."""
    tally = dict.fromkeys(range(1, scale_size + 1), 0)
    dont_know = 0
    for value, count in answer_counts.items():
        answer = _answered(value, count, scale_size)
        if answer is None:
            dont_know += count
        else:
            tally[answer] += count
    return tally, dont_know


def _sums(answer_counts: AnswerCounts, scale_size: int, reverse: bool) -> _Sums:
    count = total = squares = 0
    for value, times in answer_counts.items():
        answer = _answered(value, times, scale_size)
        if answer is not None:
            steps_up = scale_size - answer if reverse else answer - 1
            count += times
            total += steps_up * times
            squares += steps_up * steps_up * times
    return _Sums(count, total, squares)


def _mean(values: Iterable[_Ratio]) -> _Ratio | None:
    """The exact mean of ratios, over their least common denominator."""
    present = list(values)
    if not present:
        return None
    common = math.lcm(*(denominator for _numerator, denominator in present))
    total = sum(numerator * (common // denominator) for numerator, denominator in present)
    return total, common * len(present)


def _float(value: _Ratio | None) -> float | None:
    return None if value is None else value[0] / value[1]


def _sqrt(value: _Ratio | None) -> float | None:
    return None if value is None else math.sqrt(value[0] / value[1])


# --- Public API ---------------------------------------------------------------------------------


def answer_score(value: int, scale_size: int, *, reverse: bool = False) -> float:
    """Map one answer value 1..n to 0-100, reversing it first for a reverse statement."""
    _check_scale(scale_size)
    if not 1 <= value <= scale_size:
        raise ValueError(f"The answer {value!r} is not on a scale of 1..{scale_size}.")
    steps_up = scale_size - value if reverse else value - 1
    return 100 * steps_up / (scale_size - 1)


def level_for(instrument: Instrument, overall: float | None) -> Level | None:
    """The highest level whose minimum the overall score reaches (None without a score)."""
    if overall is None:
        return None
    reached = [level for level in instrument.levels if level.minimum <= overall]
    return max(reached, key=lambda level: level.minimum, default=None)


def quadrant_for(
    instrument: Instrument, capability: float | None, prerequisite: float | None
) -> Quadrant | None:
    """The quadrant two axis scores fall in (at the threshold is high); None if either is None."""
    if capability is None or prerequisite is None:
        return None
    high_capability = capability >= instrument.quadrant_threshold
    high_prerequisite = prerequisite >= instrument.quadrant_threshold
    return next(
        (
            quadrant
            for quadrant in instrument.quadrants
            if quadrant.high_capability == high_capability
            and quadrant.high_prerequisite == high_prerequisite
        ),
        None,
    )


def score(instrument: Instrument, counts: Counts) -> Result:
    """Score an instrument from answer counts per statement; unknown statement keys are ignored."""
    size = instrument.scale.size
    _check_scale(size)
    empty: dict[int, int] = {}
    dimensions: dict[str, DimensionScore] = {}
    exact: dict[str, _Ratio] = {}  # dimension key -> exact score, for the overall and axes
    for dimension in instrument.dimensions:
        statements: dict[str, StatementScore] = {}
        statement_means: list[_Ratio] = []
        pooled = _Sums()
        for statement in dimension.statements:
            sums = _sums(counts.get(statement.key, empty), size, statement.reverse)
            mean = sums.mean(size)
            statements[statement.key] = StatementScore(
                key=statement.key,
                answers=sums.count,
                score=_float(mean),
                spread=_sqrt(sums.variance(size)),
            )
            if mean is not None:
                statement_means.append(mean)
            pooled += sums
        dimension_mean = _mean(statement_means)
        if dimension_mean is not None:
            exact[dimension.key] = dimension_mean
        dimensions[dimension.key] = DimensionScore(
            key=dimension.key,
            axis=dimension.axis,
            score=_float(dimension_mean),
            answers=pooled.count,
            answered_statements=len(statement_means),
            spread=_sqrt(pooled.variance(size)),
            statements=statements,
        )
    overall = _float(_mean(exact.values()))
    capability, prerequisite = (
        _float(_mean(value for key, value in exact.items() if dimensions[key].axis == axis))
        for axis in (Axis.CAPABILITY, Axis.PREREQUISITE)
    )
    return Result(
        dimensions=dimensions,
        overall=overall,
        level=level_for(instrument, overall),
        capability=capability,
        prerequisite=prerequisite,
        quadrant=quadrant_for(instrument, capability, prerequisite),
    )


def weakest(result: Result, n: int = 3) -> list[DimensionScore]:
    """The n lowest-scoring dimensions, lowest first; ties in instrument order, unscored skipped."""
    if n < 0:
        raise ValueError(f"n cannot be negative: {n}.")
    scored = [d for d in result.dimensions.values() if d.score is not None]
    # sorted() is stable, so equal scores keep their instrument order.
    return sorted(scored, key=lambda d: d.score or 0.0)[:n]


def gap(a: Result, b: Result) -> dict[str, float]:
    """Per dimension scored in both, b's score minus a's, in a's dimension order."""
    gaps: dict[str, float] = {}
    for key, first in a.dimensions.items():
        second = b.dimensions.get(key)
        if first.score is not None and second is not None and second.score is not None:
            gaps[key] = second.score - first.score
    return gaps


def distribution(counts_for_statement: AnswerCounts, scale_size: int) -> Distribution:
    """Counts per answer value 1..n and each one's share (0-1) of those who answered."""
    _check_scale(scale_size)
    tally, dont_know = _tally(counts_for_statement, scale_size)
    answered = sum(tally.values())
    return Distribution(
        answered=answered,
        dont_know=dont_know,
        steps=tuple(
            DistributionStep(value=v, count=c, share=c / answered if answered else 0.0)
            for v, c in tally.items()
        ),
    )


def merge_counts(*counts: Counts) -> dict[str, dict[int, int]]:
    """Add count maps together (e.g. departments); don't-know (0 or None) is kept under 0."""
    merged: dict[str, dict[int, int]] = {}
    for part in counts:
        for key, answer_counts in part.items():
            target = merged.setdefault(key, {})
            for value, count in answer_counts.items():
                normal = DONT_KNOW if value is None else value
                target[normal] = target.get(normal, 0) + count
    return merged
