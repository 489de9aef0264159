"""Scoring: worked examples with exact numbers, and properties checked with hypothesis.

Instruments are built here from the dataclasses, so these tests do not depend on any YAML file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forandra.maturity.instrument import (
    Axis,
    Dimension,
    Instrument,
    Level,
    Quadrant,
    Scale,
    ScaleStep,
    Statement,
    Text,
)
from forandra.maturity.scoring import (
    Counts,
    Result,
    answer_score,
    distribution,
    gap,
    level_for,
    merge_counts,
    quadrant_for,
    score,
    weakest,
)


def text(value: str) -> Text:
    return Text(sv=value, en=value)


def level(key: str, minimum: float) -> Level:
    return Level(key=key, minimum=minimum, name=text(key), description=text(key))


def quadrant(key: str, high_capability: bool, high_prerequisite: bool) -> Quadrant:
    return Quadrant(
        key=key,
        high_capability=high_capability,
        high_prerequisite=high_prerequisite,
        name=text(key),
        description=text(key),
    )


LEVELS = (level("l1", 0), level("l2", 25), level("l3", 50), level("l4", 75))
QUADRANTS = (
    quadrant("low_low", False, False),
    quadrant("high_capability", True, False),
    quadrant("high_prerequisite", False, True),
    quadrant("high_high", True, True),
)


def make_instrument(
    dimensions: list[tuple[str, Axis, list[tuple[str, bool]]]],
    *,
    scale_size: int = 5,
    threshold: float = 50.0,
    levels: tuple[Level, ...] = LEVELS,
) -> Instrument:
    return Instrument(
        id="test",
        version=1,
        name=text("Test"),
        description=text("Test"),
        scale=Scale(
            steps=tuple(ScaleStep(value=v, label=text(str(v))) for v in range(1, scale_size + 1)),
            dont_know=text("?"),
        ),
        levels=levels,
        quadrant_threshold=threshold,
        quadrants=QUADRANTS,
        dimensions=tuple(
            Dimension(
                key=key,
                axis=axis,
                name=text(key),
                description=text(key),
                statements=tuple(
                    Statement(key=s, text=text(s), reverse=reverse) for s, reverse in statements
                ),
            )
            for key, axis, statements in dimensions
        ),
    )


# strategy: s1, s2 (reverse); leadership: l1; infrastructure: i1, i2; competence: c1.
FIVE = make_instrument(
    [
        ("strategy", Axis.CAPABILITY, [("s1", False), ("s2", True)]),
        ("leadership", Axis.CAPABILITY, [("l1", False)]),
        ("infrastructure", Axis.PREREQUISITE, [("i1", False), ("i2", False)]),
        ("competence", Axis.PREREQUISITE, [("c1", False)]),
    ]
)
ALL_STATEMENTS = ("s1", "s2", "l1", "i1", "i2", "c1")


def everyone_at(value: int, times: int = 1) -> dict[str, dict[int, int]]:
    """Every statement answered so that it maps to the same score (s2 is reverse)."""
    return {key: {6 - value if key == "s2" else value: times} for key in ALL_STATEMENTS}


# --- Worked examples ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "size", "reverse", "expected"),
    [
        (1, 5, False, 0.0),
        (2, 5, False, 25.0),
        (3, 5, False, 50.0),
        (5, 5, False, 100.0),
        (1, 5, True, 100.0),
        (4, 5, True, 25.0),
        (2, 2, False, 100.0),
        (2, 4, False, 100 / 3),
    ],
)
def test_an_answer_maps_linearly_onto_0_to_100(value, size, reverse, expected):
    assert answer_score(value, size, reverse=reverse) == pytest.approx(expected)


@pytest.mark.parametrize(("value", "size"), [(0, 5), (6, 5), (1, 1)])
def test_answer_score_rejects_values_off_the_scale(value, size):
    with pytest.raises(ValueError, match="scale"):
        answer_score(value, size)


def test_all_threes_on_a_five_step_scale_score_50_everywhere():
    result = score(FIVE, everyone_at(3, times=7))
    assert {k: d.score for k, d in result.dimensions.items()} == dict.fromkeys(
        ["strategy", "leadership", "infrastructure", "competence"], 50.0
    )
    assert result.overall == 50.0
    assert result.capability == result.prerequisite == 50.0
    assert result.dimensions["strategy"].spread == 0.0
    assert result.dimensions["strategy"].answers == 14
    assert result.dimensions["strategy"].statements["s2"].score == 50.0


def test_a_reverse_statement_answered_1_scores_100():
    result = score(FIVE, {"s2": {1: 4}})
    assert result.dimensions["strategy"].statements["s2"].score == 100.0
    assert result.dimensions["strategy"].score == 100.0


def test_statements_weigh_equally_however_many_answered_them():
    # One answer of 2 (25) and nine of 4 (75): the statements' means are 25 and 75.
    result = score(FIVE, {"i1": {2: 1}, "i2": {4: 9}})
    infrastructure = result.dimensions["infrastructure"]
    assert infrastructure.statements["i1"].score == 25.0
    assert infrastructure.statements["i2"].score == 75.0
    assert infrastructure.score == 50.0
    assert infrastructure.answers == 10
    assert infrastructure.answered_statements == 2
    # The spread pools the answers: mean 70, variance (45² + 9 · 5²) / 10 = 225.
    assert infrastructure.spread == 15.0


def test_a_statement_mean_and_spread():
    statement = score(FIVE, {"c1": {1: 1, 5: 1}}).dimensions["competence"].statements["c1"]
    assert (statement.answers, statement.score, statement.spread) == (2, 50.0, 50.0)


def test_unanswered_statements_and_dimensions_have_no_score():
    result = score(FIVE, {"s1": {5: 2}, "c1": {4: 1}})
    strategy = result.dimensions["strategy"]
    assert strategy.score == 100.0
    assert strategy.answered_statements == 1
    assert strategy.statements["s2"].answers == 0
    assert strategy.statements["s2"].score is None
    assert strategy.statements["s2"].spread is None
    leadership = result.dimensions["leadership"]
    assert (leadership.score, leadership.answers, leadership.spread) == (None, 0, None)
    assert leadership.answered_statements == 0
    # One answer has no spread.
    assert result.dimensions["competence"].spread == 0.0


def test_overall_and_axes_are_means_of_the_scored_dimensions():
    # strategy 100 (s2 unanswered), leadership unscored, infrastructure 0, competence 50.
    result = score(FIVE, {"s1": {5: 1}, "i1": {1: 1}, "c1": {3: 1}})
    assert result.overall == 50.0
    assert result.capability == 100.0
    assert result.prerequisite == 25.0
    assert result.level is not None and result.level.key == "l3"
    assert result.quadrant is not None and result.quadrant.key == "high_capability"


def test_nothing_answered_gives_no_scores():
    result = score(FIVE, {})
    assert list(result.dimensions) == ["strategy", "leadership", "infrastructure", "competence"]
    assert all(d.score is None and d.answers == 0 for d in result.dimensions.values())
    assert result == Result(
        dimensions=result.dimensions,
        overall=None,
        level=None,
        capability=None,
        prerequisite=None,
        quadrant=None,
    )


def test_dont_know_under_0_or_none_and_unknown_statements_are_ignored():
    plain = score(FIVE, {"s1": {4: 2}})
    noisy: Counts = {"s1": {4: 2, 0: 5, None: 3}, "s2": {0: 9}, "retired": {5: 100}}
    assert score(FIVE, noisy) == plain
    assert score(FIVE, noisy).dimensions["strategy"].answers == 2


@pytest.mark.parametrize(
    ("counts", "message"),
    [({"s1": {6: 1}}, "scale"), ({"s1": {-1: 1}}, "scale"), ({"s1": {3: -1}}, "negative")],
)
def test_answers_off_the_scale_and_negative_counts_are_errors(counts, message):
    with pytest.raises(ValueError, match=message):
        score(FIVE, counts)


@pytest.mark.parametrize(
    ("overall", "expected"),
    [
        (0.0, "l1"),
        (24.999, "l1"),
        (25.0, "l2"),
        (49.99, "l2"),
        (50.0, "l3"),
        (75.0, "l4"),
        (100.0, "l4"),
        (None, None),
    ],
)
def test_a_level_starts_at_exactly_its_minimum(overall, expected):
    found = level_for(FIVE, overall)
    assert (found.key if found else None) == expected


def test_level_from_scores_on_the_boundary():
    assert score(FIVE, everyone_at(2)).level == LEVELS[1]  # exactly 25
    assert score(FIVE, everyone_at(4)).level == LEVELS[3]  # exactly 75
    assert score(FIVE, everyone_at(1)).level == LEVELS[0]  # exactly 0


def test_level_is_the_highest_reached_whatever_the_order_and_none_below_all():
    shuffled = replace(FIVE, levels=(LEVELS[2], LEVELS[0], LEVELS[3], LEVELS[1]))
    assert level_for(shuffled, 60.0) == LEVELS[2]
    no_zero = replace(FIVE, levels=(level("started", 20),))
    assert level_for(no_zero, 19.9) is None
    assert level_for(no_zero, 20.0) == no_zero.levels[0]


@pytest.mark.parametrize(
    ("capability", "prerequisite", "expected"),
    [
        (50.0, 50.0, "high_high"),
        (49.99, 50.0, "high_prerequisite"),
        (50.0, 49.99, "high_capability"),
        (0.0, 0.0, "low_low"),
        (100.0, 100.0, "high_high"),
        (None, 80.0, None),
        (80.0, None, None),
    ],
)
def test_an_axis_at_exactly_the_threshold_is_high(capability, prerequisite, expected):
    found = quadrant_for(FIVE, capability, prerequisite)
    assert (found.key if found else None) == expected


def test_quadrant_from_scores():
    # Capability exactly 50 (all 3s); prerequisite 25 (all 2s).
    counts = {"s1": {3: 1}, "s2": {3: 1}, "l1": {3: 2}, "i1": {2: 1}, "i2": {2: 3}, "c1": {2: 1}}
    result = score(FIVE, counts)
    assert (result.capability, result.prerequisite) == (50.0, 25.0)
    assert result.quadrant is not None and result.quadrant.key == "high_capability"
    high_threshold = replace(FIVE, quadrant_threshold=60.0)
    found = score(high_threshold, counts).quadrant
    assert found is not None and found.key == "low_low"
    # Only one axis answered: no position.
    assert score(FIVE, {"s1": {5: 1}}).quadrant is None


def test_weakest_lists_the_lowest_first_ties_in_instrument_order_and_skips_unscored():
    # strategy 50, leadership 25, infrastructure unscored, competence 25.
    result = score(FIVE, {"s1": {3: 1}, "l1": {2: 1}, "c1": {2: 4}})
    assert [d.key for d in weakest(result)] == ["leadership", "competence", "strategy"]
    assert [d.key for d in weakest(result, n=1)] == ["leadership"]
    assert weakest(result, n=0) == []
    assert len(weakest(result, n=10)) == 3
    with pytest.raises(ValueError, match="negative"):
        weakest(result, n=-1)


def test_gap_is_b_minus_a_where_both_are_scored():
    consensus = score(FIVE, {"s1": {5: 1}, "l1": {3: 1}, "i1": {2: 1}})
    survey = score(FIVE, {"s1": {3: 10}, "l1": {4: 10}, "c1": {5: 10}})
    assert gap(consensus, survey) == {"strategy": -50.0, "leadership": 25.0}
    assert gap(survey, consensus) == {"strategy": 50.0, "leadership": -25.0}


def test_distribution_counts_and_shares_among_those_who_answered():
    found = distribution({1: 2, 3: 6, 0: 4, None: 1}, 5)
    assert (found.answered, found.dont_know) == (8, 5)
    assert [s.value for s in found.steps] == [1, 2, 3, 4, 5]
    assert [s.count for s in found.steps] == [2, 0, 6, 0, 0]
    assert [s.share for s in found.steps] == [0.25, 0.0, 0.75, 0.0, 0.0]


def test_distribution_of_nothing_answered_has_zero_shares():
    found = distribution({0: 3}, 4)
    assert (found.answered, found.dont_know) == (0, 3)
    assert [s.share for s in found.steps] == [0.0] * 4
    with pytest.raises(ValueError, match="scale"):
        distribution({5: 1}, 4)


def test_merge_counts_adds_and_keeps_dont_know_under_0():
    first: Counts = {"s1": {1: 2, None: 1}}
    second: Counts = {"s1": {1: 1, 0: 2}, "s2": {5: 1}}
    assert merge_counts(first, second) == {"s1": {1: 3, 0: 3}, "s2": {5: 1}}
    assert merge_counts() == {}


# --- Properties ---------------------------------------------------------------------------------


# Hypothesis spends most of its time on drawing, so these strategies make few, large draws (both
# shrink towards the simplest case):
# - a dimension is one integer: bit 0 its axis, bits 1-2 its number of statements less one, bits
#   3-6 which of them are reverse;
# - the counts are one byte string with `size + 1` bytes per statement in instrument order: the
#   statement is left out when the first is below 64, and the next give max(0, byte - 128) // 4
#   answers of the values 1..size (so half of them are 0).
MAX_SIZE, MAX_DIMENSIONS, MAX_STATEMENTS = 7, 5, 4


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    size = draw(st.integers(min_value=2, max_value=MAX_SIZE))
    codes = draw(
        st.lists(st.integers(min_value=0, max_value=127), min_size=1, max_size=MAX_DIMENSIONS)
    )
    threshold = draw(st.floats(min_value=0, max_value=100))
    dimensions = [
        (
            f"d{d}",
            Axis.PREREQUISITE if code & 1 else Axis.CAPABILITY,
            [(f"d{d}s{i}", bool(code >> (3 + i) & 1)) for i in range(1 + (code >> 1 & 3))],
        )
        for d, code in enumerate(codes)
    ]
    return make_instrument(dimensions, scale_size=size, threshold=threshold)


def counts_for(instrument: Instrument) -> st.SearchStrategy[Counts]:
    size = instrument.scale.size
    keys = [s.key for _, s in instrument.statements()]
    width = size + 1

    def to_counts(raw: bytes) -> Counts:
        chunks = [raw[i * width : (i + 1) * width] for i in range(len(keys))]
        return {
            key: {value: max(0, byte - 128) // 4 for value, byte in enumerate(chunk[1:], start=1)}
            for key, chunk in zip(keys, chunks, strict=True)
            if chunk[0] >= 64
        }

    # Always as many bytes as the largest instrument needs: were the length to follow the
    # instrument, varying the instrument would replace the bytes by the simplest (no answers).
    most = (MAX_SIZE + 1) * MAX_DIMENSIONS * MAX_STATEMENTS
    return st.binary(min_size=most, max_size=most).map(to_counts)


@st.composite
def scored(draw: st.DrawFn) -> tuple[Instrument, Counts]:
    instrument = draw(instruments())
    return instrument, draw(counts_for(instrument))


def scores_only(result: Result) -> object:
    """Everything in a result except how many answered."""
    return (
        [
            (
                d.score,
                d.spread,
                d.answered_statements,
                [(s.score, s.spread) for s in d.statements.values()],
            )
            for d in result.dimensions.values()
        ],
        result.overall,
        result.level,
        result.capability,
        result.prerequisite,
        result.quadrant,
    )


def flip(instrument: Instrument, key: str) -> Instrument:
    """The instrument with one statement's reverse scoring switched."""
    return replace(
        instrument,
        dimensions=tuple(
            replace(
                d,
                statements=tuple(
                    replace(s, reverse=not s.reverse) if s.key == key else s for s in d.statements
                ),
            )
            for d in instrument.dimensions
        ),
    )


def in_range(value: float | None, top: float = 100.0) -> bool:
    return value is None or 0.0 <= value <= top


PROPERTY = settings(max_examples=40, deadline=None)


@PROPERTY
@given(scored())
def test_every_score_stays_within_0_to_100(case):
    instrument, counts = case
    result = score(instrument, counts)
    for dimension in result.dimensions.values():
        assert in_range(dimension.score)
        assert in_range(dimension.spread, top=50.0)  # never negative
        assert (dimension.spread is None) == (dimension.answers == 0)
        for statement in dimension.statements.values():
            assert in_range(statement.score)
            assert in_range(statement.spread, top=50.0)
    assert in_range(result.overall)
    assert in_range(result.capability)
    assert in_range(result.prerequisite)


@PROPERTY
@given(scored())
def test_means_lie_between_their_parts_and_match_the_level(case):
    instrument, counts = case
    result = score(instrument, counts)
    for dimension in result.dimensions.values():
        parts = [s.score for s in dimension.statements.values() if s.score is not None]
        assert dimension.answered_statements == len(parts)
        assert dimension.answers == sum(s.answers for s in dimension.statements.values())
        if parts:
            # Exact means rounded once: no tolerance needed.
            assert min(parts) <= (dimension.score or 0.0) <= max(parts)
        else:
            assert dimension.score is None
    scores = [d.score for d in result.dimensions.values() if d.score is not None]
    if scores:
        assert result.overall is not None
        assert min(scores) <= result.overall <= max(scores)
        assert result.level is not None and result.level.minimum <= result.overall
        assert all(
            level.minimum <= result.level.minimum or level.minimum > result.overall
            for level in instrument.levels
        )
    else:
        assert (result.overall, result.level) == (None, None)
    assert gap(result, result) == dict.fromkeys(
        [key for key, d in result.dimensions.items() if d.score is not None], 0.0
    )


@PROPERTY
@given(scored(), st.binary())
def test_dont_know_never_moves_a_score(case, raw):
    instrument, counts = case
    keys = [s.key for _, s in instrument.statements()] + ["not_in_the_instrument"]
    # Byte i adds don't-know answers to statement i, some under 0 and some under None.
    with_dont_know: dict[str, dict[int | None, int]] = {k: dict(v) for k, v in counts.items()}
    for key, byte in zip(keys, raw, strict=False):
        with_dont_know.setdefault(key, {}).update({0: byte // 16, None: byte % 16})
    assert score(instrument, with_dont_know) == score(instrument, counts)
    assert score(instrument, merge_counts(counts, with_dont_know)) == score(
        instrument, merge_counts(counts, counts)
    )


@PROPERTY
@given(scored(), st.integers(min_value=0, max_value=MAX_DIMENSIONS * MAX_STATEMENTS))
def test_reversing_a_statement_twice_changes_nothing_and_once_mirrors_it(case, index):
    instrument, counts = case
    keys = [s.key for _, s in instrument.statements()]
    key = keys[index % len(keys)]
    flipped = flip(instrument, key)
    before = score(instrument, counts)
    assert flip(flipped, key) == instrument
    assert score(flip(flipped, key), counts) == before
    dimension = next(d for d, s in instrument.statements() if s.key == key).key
    original = before.dimensions[dimension].statements[key]
    mirrored = score(flipped, counts).dimensions[dimension].statements[key]
    if original.score is None:
        assert mirrored.score is None
    else:
        assert mirrored.score == pytest.approx(100.0 - original.score)
        assert mirrored.spread == original.spread
    # Reversing the statement and mirroring its answers gives back exactly the same result.
    size = instrument.scale.size
    mirrored_counts = {**counts, key: {size + 1 - v: c for v, c in counts.get(key, {}).items()}}
    assert score(flipped, mirrored_counts) == before


@PROPERTY
@given(scored(), st.integers(min_value=1, max_value=1000))
def test_scaling_all_counts_leaves_scores_unchanged(case, k):
    instrument, counts = case
    scaled = {key: {v: c * k for v, c in per.items()} for key, per in counts.items()}
    before, after = score(instrument, counts), score(instrument, scaled)
    assert scores_only(after) == scores_only(before)
    assert [d.answers for d in after.dimensions.values()] == [
        d.answers * k for d in before.dimensions.values()
    ]


@PROPERTY
@given(instruments().flatmap(lambda i: st.tuples(st.just(i), *[counts_for(i)] * 3)))
def test_merging_is_commutative_and_scores_the_summed_counts(case):
    instrument, a, b, c = case
    assert merge_counts(a, b) == merge_counts(b, a)
    assert merge_counts(merge_counts(a, b), c) == merge_counts(a, merge_counts(b, c))
    summed: dict[str, Counter[int]] = {}
    for part in (a, b):
        for key, per in part.items():
            summed.setdefault(key, Counter()).update(per)
    merged = score(instrument, merge_counts(a, b))
    assert merged == score(instrument, summed)
    assert [d.answers for d in merged.dimensions.values()] == [
        x.answers + y.answers
        for x, y in zip(
            score(instrument, a).dimensions.values(),
            score(instrument, b).dimensions.values(),
            strict=True,
        )
    ]


@PROPERTY
@given(instruments(), st.binary(min_size=30, max_size=30))
def test_equal_answers_have_no_spread(instrument, raw):
    size = instrument.scale.size
    counts: dict[str, dict[int, int]] = {}
    expected: dict[str, float] = {}
    # Byte i picks dimension i's one answer and how often each of its statements got it.
    for dimension, byte in zip(instrument.dimensions, raw, strict=False):
        value = 1 + byte % size
        expected[dimension.key] = answer_score(value, size)
        for index, statement in enumerate(dimension.statements):
            answer = size + 1 - value if statement.reverse else value
            counts[statement.key] = {answer: 1 + (byte >> index) % 7}
    for key, dimension in score(instrument, counts).dimensions.items():
        assert dimension.spread == 0.0
        assert dimension.score == expected[key]
        assert all(s.spread == 0.0 for s in dimension.statements.values())


@PROPERTY
@given(scored(), st.integers(min_value=0, max_value=6))
def test_weakest_returns_scores_in_ascending_order(case, n):
    instrument, counts = case
    result = score(instrument, counts)
    found = weakest(result, n)
    scores = [d.score for d in found if d.score is not None]
    assert len(scores) == len(found)
    assert scores == sorted(scores)
    scored_dimensions = [d for d in result.dimensions.values() if d.score is not None]
    assert len(found) == min(n, len(scored_dimensions))
    if found:
        rest = [d for d in scored_dimensions if d not in found]
        assert all((d.score or 0.0) >= (found[-1].score or 0.0) for d in rest)


@PROPERTY
@given(st.integers(min_value=2, max_value=7), st.binary(max_size=9))
def test_distribution_shares_sum_to_one(size, raw):
    # Bytes are the counts of don't know (None), then of values 0 (also don't know), 1, 2, ...
    per = dict(zip([None, *range(size + 1)], raw, strict=False))
    found = distribution(per, size)
    assert len(found.steps) == size
    assert sum(s.count for s in found.steps) == found.answered
    assert found.answered + found.dont_know == sum(per.values())
    if found.answered:
        assert sum(s.share for s in found.steps) == pytest.approx(1.0)
    assert all(0.0 <= s.share <= 1.0 for s in found.steps)
