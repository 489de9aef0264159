"""Ideas: how fast the portfolio optimiser solves a large problem.

- `ideas.optimise_2000_s`: the wall time of `optimiser.solve` (explanations included) on 2,000
  made-up ideas (seed 1) with every kind of rule: a budget, a yearly cap and a capacity each
  near an eighth to a tenth of the total, three count rules, two must-include and two
  must-exclude ideas, 20 exclusive groups of three and 30 dependencies. Target <= 2 s, from the
  issue. With three tight limits at once, 2,000 ideas make a hard multi-dimensional knapsack:
  HiGHS gets `optimiser.TIME_LIMIT` (1 s) for the main solve and returns the best selection
  found by then, marked "not proven optimal" when the proof is not complete (stderr says which,
  and the gap); the explanations of 2,000 ideas use the approximation (the exact re-solving is
  for up to 200 ideas). A municipality's real bank of tens of ideas solves, proven, in
  milliseconds. Pure Python and HiGHS in this process: no site, no database.
"""

from __future__ import annotations

import random
import time

from forandra.ideas.optimiser import CountRule, Item, Problem, solve
from harness import Context, benchmark, log


def problem(n: int = 2000, seed: int = 1) -> Problem:
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    waves = [f"wave:w{i}" for i in range(8)]
    dims = [f"dim:d{i}" for i in range(9)]
    items = tuple(
        Item(
            id=i + 1,
            title=f"Idea {i + 1}",
            value=round(rng.uniform(10, 90), 2),
            one_time=rng.randrange(0, 500_000, 1000),
            yearly=rng.randrange(0, 100_000, 1000),
            effort=rng.randrange(0, 60) / 10,
            tags=frozenset({rng.choice(waves), rng.choice(dims)}),
        )
        for i in range(n)
    )
    return Problem(
        items=items,
        budget=sum(i.one_time for i in items) // 10,
        yearly_cap=sum(i.yearly for i in items) // 8,
        capacity=sum(i.effort for i in items) / 8,
        counts=(
            CountRule("dim:d0", 1, None, "D0"),
            CountRule("wave:w1", 0, 20, "W1"),
            CountRule("dim:d3", 2, 30, "D3"),
        ),
        must_include=frozenset({1, 2}),
        must_exclude=frozenset({3, 4}),
        exclusive=tuple(frozenset({5 + 3 * k, 6 + 3 * k, 7 + 3 * k}) for k in range(20)),
        requires=tuple((100 + k, 150 + k) for k in range(30)),
    )


@benchmark("ideas.optimise_2000_s", unit="s", op="<=", target=2, precision=2)
def optimise_2000(ctx: Context) -> float:
    instance = problem()
    solve(problem(200))  # warm up scipy and HiGHS
    start = time.perf_counter()
    solution = solve(instance)
    elapsed = time.perf_counter() - start
    log(
        f"2000 ideas: {len(solution.selected)} chosen, value {solution.value:.1f}, "
        f"proven optimal: {solution.optimal}, {len(solution.explanations)} reasons"
    )
    return elapsed


@benchmark("ideas.optimise_2000_proven", unit="share", op=">=", target=1, precision=0)
def optimise_2000_proven(ctx: Context) -> float:
    """Whether the selection `ideas.optimise_2000_s` times is proven optimal (1) or only the best
    found within the time limit (0): the issue asks for *optimal* in under 2 s, so both count."""
    solution = solve(problem())
    return 1.0 if solution.optimal else 0.0
