"""The portfolio optimiser against brute force, a greedy choice, and its explanations."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forandra.ideas.optimiser import (
    Constraint,
    CountRule,
    Infeasible,
    Item,
    Problem,
    curve,
    solve,
)

TAGS = ("wave:ai", "wave:data", "dim:leadership", "dim:competence")
EPS = 1e-6


def keeps_every_rule(problem: Problem, chosen: frozenset[int]) -> bool:
    items = [item for item in problem.items if item.id in chosen]
    if problem.budget is not None and sum(i.one_time for i in items) > problem.budget:
        return False
    if problem.yearly_cap is not None and sum(i.yearly for i in items) > problem.yearly_cap:
        return False
    if problem.capacity is not None and sum(i.effort for i in items) > problem.capacity + EPS:
        return False
    for rule in problem.counts:
        count = sum(1 for i in items if rule.tag in i.tags)
        if count < rule.minimum or (rule.maximum is not None and count > rule.maximum):
            return False
    if not problem.must_include <= chosen or problem.must_exclude & chosen:
        return False
    if any(len(group & chosen) > 1 for group in problem.exclusive):
        return False
    return all(b in chosen for a, b in problem.requires if a in chosen)


def value_of(problem: Problem, chosen: frozenset[int]) -> float:
    return sum(item.value for item in problem.items if item.id in chosen)


def brute_force(problem: Problem) -> float | None:
    ids = [item.id for item in problem.items]
    best: float | None = None
    for size in range(len(ids) + 1):
        for subset in itertools.combinations(ids, size):
            chosen = frozenset(subset)
            if keeps_every_rule(problem, chosen):
                value = value_of(problem, chosen)
                best = value if best is None else max(best, value)
    return best


def greedy(problem: Problem) -> frozenset[int] | None:
    """Value per krona, highest first, adding each idea that keeps the rules that a growing
    selection can keep (then checking every rule on the result)."""
    order = sorted(problem.items, key=lambda i: -i.value / max(i.one_time + 3 * i.yearly, 1))
    chosen = frozenset(problem.must_include)
    for item in order:
        trial = chosen | {item.id}
        relaxed = Problem(
            items=problem.items,
            budget=problem.budget,
            yearly_cap=problem.yearly_cap,
            capacity=problem.capacity,
            counts=tuple(CountRule(r.tag, 0, r.maximum) for r in problem.counts),
            must_exclude=problem.must_exclude,
            exclusive=problem.exclusive,
        )
        if keeps_every_rule(relaxed, trial):
            chosen = trial
    return chosen if keeps_every_rule(problem, chosen) else None


@st.composite
def problems(draw: st.DrawFn, max_items: int = 12) -> Problem:
    n = draw(st.integers(min_value=0, max_value=max_items))
    items = tuple(
        Item(
            id=k + 1,
            title=f"Idé {k + 1}",
            value=draw(st.floats(min_value=0, max_value=100, allow_nan=False)),
            one_time=draw(st.integers(min_value=0, max_value=200)) * 1000,
            yearly=draw(st.integers(min_value=0, max_value=50)) * 1000,
            effort=draw(st.integers(min_value=0, max_value=60)) / 10,
            tags=frozenset(draw(st.sets(st.sampled_from(TAGS), max_size=2))),
        )
        for k in range(n)
    )
    ids = [item.id for item in items]
    total = sum(item.one_time for item in items)
    maybe = st.none() | st.integers(min_value=0, max_value=max(total, 1))
    budget = draw(maybe)
    yearly_cap = draw(st.none() | st.integers(min_value=0, max_value=150_000))
    capacity = draw(st.none() | st.integers(min_value=0, max_value=150).map(lambda v: v / 10))
    counts = tuple(
        CountRule(tag, minimum, None if maximum is None else minimum + maximum, label=tag)
        for tag, minimum, maximum in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(TAGS),
                    st.integers(min_value=0, max_value=2),
                    st.none() | st.integers(min_value=0, max_value=3),
                ),
                max_size=2,
            )
        )
    )
    some = st.frozensets(st.sampled_from(ids), max_size=2) if ids else st.just(frozenset[int]())
    must_include = draw(some)
    must_exclude = draw(some)
    exclusive = tuple(draw(st.lists(some, max_size=2)))
    requires: tuple[tuple[int, int], ...] = ()
    if ids:
        pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
        requires = tuple(draw(st.lists(pairs, max_size=3)))
    return Problem(
        items=items,
        budget=budget,
        yearly_cap=yearly_cap,
        capacity=capacity,
        counts=counts,
        must_include=must_include,
        must_exclude=must_exclude,
        exclusive=exclusive,
        requires=requires,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solve_matches_brute_force_and_beats_greedy(problem: Problem) -> None:
    best = brute_force(problem)
    if best is None:
        with pytest.raises(Infeasible) as raised:
            solve(problem)
        assert raised.value.conflicts  # it names at least one rule
        return
    solution = solve(problem)
    assert keeps_every_rule(problem, solution.selected)
    assert solution.value == pytest.approx(value_of(problem, solution.selected))
    assert solution.value == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert solution.optimal
    greedy_choice = greedy(problem)
    if greedy_choice is not None:
        assert solution.value >= value_of(problem, greedy_choice) - 1e-6
    # Every idea has a reason, in for the chosen and out for the others.
    assert set(solution.explanations) == {item.id for item in problem.items}
    chosen_kinds = {"must_include", "selected_required_by", "selected"}
    for item_id, explanation in solution.explanations.items():
        assert (explanation.kind in chosen_kinds) == (item_id in solution.selected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_items=18))
def test_solve_matches_brute_force_on_up_to_18_ideas(problem: Problem) -> None:
    best = brute_force(problem)
    if best is None:
        with pytest.raises(Infeasible):
            solve(problem, explain=False)
    else:
        assert solve(problem, explain=False).value == pytest.approx(best, rel=1e-6, abs=1e-6)


def only(problem: Problem, rules: tuple[Constraint, ...]) -> Problem:
    """The problem's items with only these rules."""
    of = {kind: [c for c in rules if c.kind == kind] for kind in {c.kind for c in rules}}

    def amount(kind: str) -> float | None:
        return of[kind][0].amount if kind in of else None

    capacity = amount("capacity")
    return Problem(
        items=problem.items,
        budget=None if amount("budget") is None else int(amount("budget") or 0),
        yearly_cap=None if amount("yearly_cap") is None else int(amount("yearly_cap") or 0),
        capacity=capacity,
        counts=tuple(CountRule(c.tag, int(c.amount or 0)) for c in of.get("count_min", []))
        + tuple(CountRule(c.tag, 0, int(c.amount or 0)) for c in of.get("count_max", [])),
        must_include=frozenset(c.ids[0] for c in of.get("must_include", [])),
        must_exclude=frozenset(c.ids[0] for c in of.get("must_exclude", [])),
        exclusive=tuple(frozenset(c.ids) for c in of.get("exclusive", [])),
        requires=tuple((c.ids[0], c.ids[1]) for c in of.get("requires", [])),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_items=8))
def test_an_infeasible_problem_names_a_minimal_set_of_rules_that_conflict(
    problem: Problem,
) -> None:
    if brute_force(problem) is not None:
        return
    with pytest.raises(Infeasible) as raised:
        solve(problem, explain=False)
    rules = raised.value.constraints
    assert len(raised.value.conflicts) == len(rules)
    assert all(isinstance(label, str) and label for label in raised.value.conflicts)
    assert brute_force(only(problem, rules)) is None  # together they cannot hold
    for index in range(len(rules)):  # and without any one of them, the rest can
        rest = rules[:index] + rules[index + 1 :]
        assert brute_force(only(problem, rest)) is not None


def idea(id: int, value: float, one_time: int, **rest: object) -> Item:
    return Item(
        id=id,
        title=rest.pop("title", f"Idé {id}"),  # type: ignore[arg-type]
        value=value,
        one_time=one_time,
        yearly=rest.pop("yearly", 0),  # type: ignore[arg-type]
        effort=rest.pop("effort", 0.0),  # type: ignore[arg-type]
        tags=rest.pop("tags", frozenset()),  # type: ignore[arg-type]
    )


def test_a_budget_too_small_for_a_must_include_names_both() -> None:
    problem = Problem(
        items=(
            idea(1, 50, 150_000, title="Chatbot"),
            idea(2, 40, 10_000, title="Öppna data"),
            idea(3, 10, 5_000, title="Skyltar"),
        ),
        budget=100_000,
        must_include=frozenset({1}),
        must_exclude=frozenset({3}),
    )
    with pytest.raises(Infeasible) as raised:
        solve(problem)
    assert raised.value.conflicts == ("budget 100 000 kr", "must include: Chatbot")
    assert [c.kind for c in raised.value.constraints] == ["budget", "must_include"]


def test_a_dependency_and_a_minimum_count_are_named_when_they_conflict() -> None:
    problem = Problem(
        items=(
            idea(1, 50, 60_000, title="Chatbot", tags=frozenset({"dim:leadership"})),
            idea(2, 40, 60_000, title="Open data"),
            idea(3, 40, 1_000, title="Other"),
        ),
        budget=100_000,
        counts=(CountRule("dim:leadership", 1, label="Digital leadership"),),
        requires=((1, 2),),
    )
    with pytest.raises(Infeasible) as raised:
        solve(problem)
    assert set(raised.value.conflicts) == {
        "budget 100 000 kr",
        "at least 1 idea for Digital leadership",
        "Chatbot needs Open data",
    }


def test_reasons_say_what_keeps_each_idea_out() -> None:
    problem = Problem(
        items=(
            idea(1, 140, 80_000, title="Chatbot"),
            idea(2, 60, 50_000, title="E-tjänst"),
            idea(3, 30, 10_000, title="Needs E-tjänst"),
            idea(4, 20, 10_000, title="Twin of Chatbot"),
            idea(5, 70, 500_000, title="Too dear"),
            idea(6, 5, 1_000, title="Never"),
            idea(7, 40, 15_000, title="Good value"),
        ),
        budget=100_000,
        must_exclude=frozenset({6}),
        exclusive=(frozenset({1, 4}),),
        requires=((3, 2),),
    )
    solution = solve(problem)
    assert solution.selected == frozenset({1, 7})
    kinds = {i: e.kind for i, e in solution.explanations.items()}
    assert kinds[1] == kinds[7] == "selected"
    assert solution.explanations[2].kind == "better_use"
    assert set(solution.explanations[2].others) == {1}  # the chatbot would have to go
    assert solution.explanations[2].amount == 45_000  # over the budget by, if simply added
    assert solution.explanations[3].kind == "depends"
    assert solution.explanations[3].other == 2
    assert solution.explanations[4].kind == "exclusive_with"
    assert solution.explanations[4].other == 1
    assert solution.explanations[5].kind == "budget"
    assert solution.explanations[5].amount == 495_000
    assert kinds[6] == "excluded_by_rule"


def test_an_idea_chosen_because_another_needs_it_says_so() -> None:
    problem = Problem(
        items=(idea(1, 90, 10_000), idea(2, 0, 10_000)),
        budget=100_000,
        requires=((1, 2),),
    )
    solution = solve(problem)
    assert solution.selected == frozenset({1, 2})
    assert solution.explanations[2].kind == "selected_required_by"
    assert solution.explanations[2].other == 1


def test_the_curve_rises_from_the_cheapest_allowed_selection_to_the_total_cost() -> None:
    problem = Problem(
        items=(idea(1, 30, 10_000), idea(2, 50, 40_000), idea(3, 20, 50_000)),
        budget=20_000,
        must_include=frozenset({1}),
    )
    points = curve(problem, points=5)
    assert points[0] == (10_000, 30)
    assert points[-1] == (100_000, 100)
    values = [value for _budget, value in points]
    assert values == sorted(values)
    assert len(points) == 5
