"""The portfolio optimiser: which ideas give the most value within the limits (plain Python).

A *problem* is a set of items (ideas with a value, costs and effort) and the rules a selection
must keep: a budget for one-time costs, a cap on yearly costs, a capacity in person-months,
minimum and maximum counts per tag (a wave or a maturity dimension), ideas that must or must not
be in, groups of which at most one may be chosen, and dependencies (a needs b). `solve` picks the
selection of the highest total value as a 0-1 integer programme (scipy's `milp`, the HiGHS
solver) and says for every item why it is in or out; `curve` shows what more money would buy.

When no selection keeps every rule, `solve` raises `Infeasible`, naming a small set of rules
that cannot all hold (a deletion filter over the rules: drop each in turn and keep it only if
the rest could then be met). Reasons and conflicts carry a *kind* code and parameters, so the
web pages can word them in the reader's language; `label` is an English fallback.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

# HiGHS's relative gap: a selection is "proven optimal" when no other can be better by more
# than a millionth of its value (0.0003 points on a portfolio of 300), far below what the
# scores, shown with one decimal, can tell apart.
MIP_REL_GAP = 1e-6
TOLERANCE = 1e-6  # for comparing sums of floats (effort, values)
# Seconds for the main solve: a hard instance (thousands of ideas, several tight limits) gets
# the best selection found by then, marked as not proven optimal.
TIME_LIMIT = 1.0
# Seconds, in all, for re-solving with each left-out idea forced in (up to
# EXACT_EXPLANATIONS_UP_TO ideas); the ideas left when it runs out get the cheap approximation.
EXPLAIN_TIME = 2.0
EXACT_EXPLANATIONS_UP_TO = 200
CURVE_TIME_LIMIT = 1.0  # seconds per point of the budget curve
LONG_TIME_LIMIT = 120.0  # seconds to find any selection at all, when the first try found none


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    value: float
    one_time: int  # SEK
    yearly: int  # SEK per year
    effort: float  # person-months
    tags: frozenset[str] = frozenset()  # e.g. "wave:ai", "dim:leadership"


@dataclass(frozen=True)
class CountRule:
    """At least `minimum` and at most `maximum` chosen items carrying `tag`.

    `label` names the tag's group for people ("Digital leadership"); the tag itself if empty."""

    tag: str
    minimum: int = 0
    maximum: int | None = None
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.tag


@dataclass(frozen=True)
class Problem:
    items: tuple[Item, ...]
    budget: int | None = None  # one-time costs, SEK
    yearly_cap: int | None = None  # yearly costs, SEK
    capacity: float | None = None  # person-months
    counts: tuple[CountRule, ...] = ()
    must_include: frozenset[int] = frozenset()
    must_exclude: frozenset[int] = frozenset()
    exclusive: tuple[frozenset[int], ...] = ()  # at most one of each group
    requires: tuple[tuple[int, int], ...] = ()  # (a, b): a may be chosen only with b


@dataclass(frozen=True)
class Explanation:
    """Why an item is in or out: a kind code and its parameters.

    Chosen: "must_include"; "selected_required_by" (other: a chosen item that needs it);
    "selected". Left out: "excluded_by_rule" (must not be in); "exclusive_with" (other: the
    chosen item of its group); "depends" (other: the item it needs, not chosen); "count_max"
    (tag, label: the group already has its maximum); "budget", "yearly_cap", "capacity"
    (amount: by how much adding it would exceed that limit, which it exceeds even alone);
    "better_use" (others: the chosen items that would have to go to make room for it; amount:
    the value that would be lost; exact: whether found by re-solving); "no_room" (no selection
    keeping every rule can include it); "no_value" (it adds nothing); "unproven" (it would
    fit, but the solver ran out of time before it could prove a better selection has it).
    """

    kind: str
    amount: float | None = None
    other: int | None = None
    others: tuple[int, ...] = ()
    tag: str = ""
    label: str = ""
    loss: float | None = None  # "better_use": the value lost by taking it instead
    exact: bool = True


@dataclass(frozen=True)
class Constraint:
    """One rule of a problem, as named in a conflict.

    kind: "budget", "yearly_cap", "capacity" (amount); "count_min", "count_max" (tag, label,
    amount = the count); "must_include", "must_exclude" (ids: the item); "exclusive" (ids);
    "requires" (ids: a, b). `label` is the rule in English words."""

    kind: str
    label: str
    amount: float | None = None
    tag: str = ""
    ids: tuple[int, ...] = ()


class Infeasible(Exception):  # noqa: N818 (the name says what it is, like Django's Http404)
    """No selection keeps every rule; `constraints` is a small set of rules that conflict."""

    def __init__(self, constraints: Sequence[Constraint]) -> None:
        self.constraints = tuple(constraints)
        self.conflicts = tuple(c.label for c in self.constraints)
        super().__init__("; ".join(self.conflicts))


@dataclass(frozen=True)
class Solution:
    selected: frozenset[int]
    value: float
    optimal: bool  # proven by the solver
    explanations: dict[int, Explanation] = field(default_factory=dict)
    one_time: int = 0
    yearly: int = 0
    effort: float = 0.0


# --- The integer programme ----------------------------------------------------------------------


def _amount(value: float) -> str:
    """1234567 -> "1 234 567" (English fallback labels only)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.1f}".replace(",", " ")


class _Model:
    """A problem's items indexed 0..n-1, its rules as constraints that can be switched off."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.items = problem.items
        self.index = {item.id: i for i, item in enumerate(self.items)}
        if len(self.index) != len(self.items):
            raise ValueError("item ids must be unique")
        known = set(self.index)
        mentioned = set(problem.must_include) | set(problem.must_exclude)
        mentioned |= {i for group in problem.exclusive for i in group}
        mentioned |= {i for pair in problem.requires for i in pair}
        if mentioned - known:
            raise ValueError(f"unknown item ids: {sorted(mentioned - known)}")
        self.n = len(self.items)
        self.value = np.array([item.value for item in self.items], dtype=float)
        self.one_time = np.array([item.one_time for item in self.items], dtype=float)
        self.yearly = np.array([item.yearly for item in self.items], dtype=float)
        self.effort = np.array([item.effort for item in self.items], dtype=float)
        self.title = {item.id: item.title for item in self.items}
        self.rules = self._rules()
        self.last_status = 0  # scipy's milp status of the last run (2: proven infeasible)

    def _rules(self) -> list[tuple[Constraint, list[tuple[list[int], list[float]]], float, float]]:
        """Each rule with its rows: (constraint, [(columns, coefficients)], lower, upper).

        must include/exclude are kept as rules (not bounds) so conflicts can name them."""
        p = self.problem
        all_columns = list(range(self.n))
        rules: list[tuple[Constraint, list[tuple[list[int], list[float]]], float, float]] = []
        if p.budget is not None:
            label = f"budget {_amount(p.budget)} kr"
            row = (all_columns, list(self.one_time))
            rules.append((Constraint("budget", label, amount=p.budget), [row], -np.inf, p.budget))
        if p.yearly_cap is not None:
            label = f"yearly costs at most {_amount(p.yearly_cap)} kr"
            row = (all_columns, list(self.yearly))
            constraint = Constraint("yearly_cap", label, amount=p.yearly_cap)
            rules.append((constraint, [row], -np.inf, p.yearly_cap))
        if p.capacity is not None:
            label = f"capacity {_amount(p.capacity)} person-months"
            row = (all_columns, list(self.effort))
            constraint = Constraint("capacity", label, amount=p.capacity)
            rules.append((constraint, [row], -np.inf, p.capacity + TOLERANCE))
        for rule in p.counts:
            columns = [i for i, item in enumerate(self.items) if rule.tag in item.tags]
            row = (columns, [1.0] * len(columns))
            if rule.minimum > 0:
                noun = "idea" if rule.minimum == 1 else "ideas"
                label = f"at least {rule.minimum} {noun} for {rule.name}"
                constraint = Constraint(
                    "count_min", label, amount=rule.minimum, tag=rule.tag, ids=()
                )
                rules.append((constraint, [row], rule.minimum, np.inf))
            if rule.maximum is not None:
                noun = "idea" if rule.maximum == 1 else "ideas"
                label = f"at most {rule.maximum} {noun} for {rule.name}"
                constraint = Constraint("count_max", label, amount=rule.maximum, tag=rule.tag)
                rules.append((constraint, [row], -np.inf, rule.maximum))
        for item_id in sorted(p.must_include):
            constraint = Constraint(
                "must_include", f"must include: {self.title[item_id]}", ids=(item_id,)
            )
            rules.append((constraint, [([self.index[item_id]], [1.0])], 1, np.inf))
        for item_id in sorted(p.must_exclude):
            constraint = Constraint(
                "must_exclude", f"must leave out: {self.title[item_id]}", ids=(item_id,)
            )
            rules.append((constraint, [([self.index[item_id]], [1.0])], -np.inf, 0))
        for group in p.exclusive:
            ids = tuple(sorted(group))
            label = "at most one of: " + ", ".join(self.title[i] for i in ids)
            columns = [self.index[i] for i in ids]
            rules.append(
                (Constraint("exclusive", label, ids=ids), [(columns, [1.0] * len(ids))], -np.inf, 1)
            )
        for a, b in p.requires:
            label = f"{self.title[a]} needs {self.title[b]}"
            if a == b:
                continue  # needing itself asks nothing
            row = ([self.index[a], self.index[b]], [1.0, -1.0])
            rules.append((Constraint("requires", label, ids=(a, b)), [row], -np.inf, 0))
        return rules

    def run(
        self,
        *,
        active: Iterable[int] | None = None,
        objective: np.ndarray | None = None,
        fixed_in: Iterable[int] = (),
        budget: float | None = None,
        drop_budget: bool = False,
        time_limit: float = TIME_LIMIT,
        retry: bool = True,
    ) -> tuple[np.ndarray | None, bool]:
        """Solve with the rules numbered in `active` (all by default): (x or None, proven).

        `objective` is maximised (the values by default); `fixed_in` are item indexes forced in;
        `budget` replaces the budget; `drop_budget` leaves it out."""
        rules = self.rules if active is None else [self.rules[i] for i in active]
        rows: list[int] = []
        cols: list[int] = []
        data: list[float] = []
        lower: list[float] = []
        upper: list[float] = []
        r = 0
        for constraint, parts, lo, hi in rules:
            if constraint.kind == "budget":
                if drop_budget:
                    continue
                if budget is not None:
                    hi = budget
            for columns, coefficients in parts:
                rows.extend([r] * len(columns))
                cols.extend(columns)
                data.extend(coefficients)
                lower.append(lo)
                upper.append(hi)
                r += 1
        if budget is not None and not any(c.kind == "budget" for c, *_ in rules):
            rows.extend([r] * self.n)
            cols.extend(range(self.n))
            data.extend(self.one_time)
            lower.append(-np.inf)
            upper.append(budget)
            r += 1
        if self.n == 0:  # HiGHS wants a variable: an empty selection keeps the rules or not
            empty = all(lo <= 0 <= hi for lo, hi in zip(lower, upper, strict=True))
            return (np.zeros(0), True) if empty else (None, False)
        lb = np.zeros(self.n)
        for i in fixed_in:
            lb[i] = 1.0
        c = -(self.value if objective is None else objective)
        constraints = []
        if r:
            matrix = csr_array((data, (rows, cols)), shape=(r, self.n))
            constraints.append(LinearConstraint(matrix, lower, upper))
        result = milp(
            c,
            integrality=np.ones(self.n),
            bounds=Bounds(lb, np.ones(self.n)),
            constraints=constraints,
            options={"mip_rel_gap": MIP_REL_GAP, "time_limit": max(time_limit, 0.01)},
        )
        self.last_status = result.status
        if result.x is None and result.status == 1 and retry:
            # Out of time before any selection was found (a busy machine): that says nothing
            # about feasibility, so search on rather than report a conflict that is not there.
            return self.run(
                active=active,
                objective=objective,
                fixed_in=fixed_in,
                budget=budget,
                drop_budget=drop_budget,
                time_limit=LONG_TIME_LIMIT,
                retry=False,
            )
        if result.x is None:
            return None, False
        x = np.round(result.x)
        gap = getattr(result, "mip_gap", None)
        proven = result.status == 0 and (gap is None or gap <= MIP_REL_GAP * 1.0001)
        return x, proven

    def feasible(self, active: Iterable[int]) -> bool:
        x, _proven = self.run(active=active, objective=np.zeros(self.n))
        return x is not None

    def conflict(self) -> list[Constraint]:
        """A small set of rules that cannot all hold: a deletion filter over the rules."""
        keep = list(range(len(self.rules)))
        for index in list(keep):
            trial = [k for k in keep if k != index]
            if not self.feasible(trial):
                keep = trial  # still infeasible without it: it is not needed to explain
        return [self.rules[k][0] for k in keep]


def _ids(model: _Model, x: np.ndarray) -> frozenset[int]:
    return frozenset(model.items[i].id for i in np.flatnonzero(x > 0.5))


def _optimise(model: _Model, **kwargs: object) -> tuple[np.ndarray, bool]:
    x, proven = model.run(**kwargs)  # type: ignore[arg-type]
    if x is None:
        raise Infeasible(model.conflict())
    return x, proven


def solve(problem: Problem, *, explain: bool = True, time_limit: float = TIME_LIMIT) -> Solution:
    """The selection of the highest total value keeping every rule, with a reason per item.

    Raises Infeasible (naming conflicting rules) when no selection keeps them all."""
    model = _Model(problem)
    x, proven = _optimise(model, time_limit=time_limit)
    selected = _ids(model, x)
    chosen = x > 0.5
    solution = Solution(
        selected=selected,
        value=float(model.value[chosen].sum()),
        optimal=proven,
        one_time=int(model.one_time[chosen].sum()),
        yearly=int(model.yearly[chosen].sum()),
        effort=float(model.effort[chosen].sum()),
    )
    if explain:
        solution.explanations.update(_explain(model, x))
    return solution


def curve(problem: Problem, points: int = 10) -> list[tuple[int, float]]:
    """The best value for budgets from the smallest that allows a selection to the total cost.

    The other rules all hold; raises Infeasible if they cannot, whatever the budget."""
    model = _Model(problem)
    if model.n == 0:
        return [(0, 0.0)]
    # The cheapest selection keeping the other rules (minimise the one-time cost).
    x, _proven = _optimise(model, objective=-model.one_time, drop_budget=True)
    low = int(model.one_time[x > 0.5].sum())
    excluded = {model.index[i] for i in problem.must_exclude}
    high = int(sum(model.one_time[i] for i in range(model.n) if i not in excluded))
    high = max(high, low)
    count = max(2, points) if high > low else 1
    budgets = sorted({round(float(b)) for b in np.linspace(low, high, count)})
    result: list[tuple[int, float]] = []
    best = -np.inf
    for budget in budgets:
        xb, _proven = model.run(budget=budget, time_limit=CURVE_TIME_LIMIT)
        value = float(model.value[xb > 0.5].sum()) if xb is not None else 0.0
        best = max(best, value)  # never less with more money (guards solver tolerance)
        result.append((budget, best))
    return result


# --- Why each item is in or out -----------------------------------------------------------------


def _explain(model: _Model, x: np.ndarray) -> dict[int, Explanation]:
    p = model.problem
    items = model.items
    chosen = x > 0.5
    selected = _ids(model, x)
    needed_by: dict[int, int] = {}
    needs: dict[int, list[int]] = {}
    for a, b in p.requires:
        needs.setdefault(a, []).append(b)
        if a in selected and b != a:
            needed_by.setdefault(b, a)
    exclusive_of: dict[int, list[frozenset[int]]] = {}
    for group in p.exclusive:
        for i in group:
            exclusive_of.setdefault(i, []).append(group)
    tag_count: dict[str, int] = {}
    for item in items:
        if item.id in selected:
            for tag in item.tags:
                tag_count[tag] = tag_count.get(tag, 0) + 1
    at_max = [
        rule
        for rule in p.counts
        if rule.maximum is not None and tag_count.get(rule.tag, 0) >= rule.maximum
    ]
    used = {
        "budget": float(model.one_time[chosen].sum()),
        "yearly_cap": float(model.yearly[chosen].sum()),
        "capacity": float(model.effort[chosen].sum()),
    }
    limits = {"budget": p.budget, "yearly_cap": p.yearly_cap, "capacity": p.capacity}
    deadline = time.monotonic() + EXPLAIN_TIME
    must = {model.index[i] for i in p.must_include}
    cost = model.one_time + 3 * model.yearly
    order = sorted(
        (int(i) for i in np.flatnonzero(chosen) if i not in must),
        key=lambda i: (model.value[i] / max(cost[i], 1.0), i),
    )
    exact = model.n <= EXACT_EXPLANATIONS_UP_TO
    explanations: dict[int, Explanation] = {}
    for i, item in enumerate(items):
        if item.id in selected:
            if item.id in p.must_include:
                explanations[item.id] = Explanation("must_include")
            elif item.id in needed_by:
                explanations[item.id] = Explanation(
                    "selected_required_by", other=needed_by[item.id]
                )
            else:
                explanations[item.id] = Explanation("selected")
            continue
        if item.id in p.must_exclude:
            explanations[item.id] = Explanation("excluded_by_rule")
            continue
        rival = next(
            (
                other
                for group in exclusive_of.get(item.id, [])
                for other in sorted(group)
                if other in selected and other != item.id
            ),
            None,
        )
        if rival is not None:
            explanations[item.id] = Explanation("exclusive_with", other=rival)
            continue
        missing = next((b for b in needs.get(item.id, []) if b not in selected), None)
        if missing is not None:
            explanations[item.id] = Explanation("depends", other=missing)
            continue
        full = next((rule for rule in at_max if rule.tag in item.tags), None)
        if full is not None:
            explanations[item.id] = Explanation("count_max", tag=full.tag, label=full.name)
            continue
        own = {"budget": item.one_time, "yearly_cap": item.yearly, "capacity": item.effort}
        alone = next(
            (
                kind
                for kind, limit in limits.items()
                if limit is not None and own[kind] > limit + TOLERANCE
            ),
            None,
        )
        if alone is not None:
            over = used[alone] + own[alone] - float(limits[alone] or 0)
            explanations[item.id] = Explanation(alone, amount=over)
            continue
        overshoot = 0.0
        if p.budget is not None:
            overshoot = max(0.0, used["budget"] + item.one_time - p.budget)
        remaining = deadline - time.monotonic()
        found = None
        if exact and remaining > 0.05:
            found = _exact_better_use(model, i, selected, overshoot, remaining)
        if found is not None:
            explanations[item.id] = found
        else:
            explanations[item.id] = _approximate_better_use(
                model, i, order, used, limits, overshoot
            )
    return explanations


def _exact_better_use(
    model: _Model, index: int, selected: frozenset[int], overshoot: float, time_limit: float
) -> Explanation | None:
    """Re-solve with the item forced in: the chosen items the best such selection gives up.

    None when the time ran out before any selection with it was found."""
    x, proven = model.run(fixed_in=[index], time_limit=time_limit, retry=False)
    if x is None:
        return Explanation("no_room") if model.last_status == 2 else None
    with_it = _ids(model, x)
    pushed_out = tuple(sorted(selected - with_it))
    current = sum(model.value[model.index[i]] for i in selected)
    loss = current - float(model.value[x > 0.5].sum())
    if not pushed_out:
        return Explanation("no_value")
    return Explanation(
        "better_use", amount=overshoot, others=pushed_out, loss=max(loss, 0.0), exact=proven
    )


def _approximate_better_use(
    model: _Model,
    index: int,
    order: list[int],
    used: dict[str, float],
    limits: dict[str, float | int | None],
    overshoot: float,
) -> Explanation:
    """The chosen items of the lowest value per krona that would have to go to fit it.

    `order`: the chosen items that may go (not must-include), lowest value per krona first."""
    item = model.items[index]
    own = {"budget": item.one_time, "yearly_cap": item.yearly, "capacity": item.effort}
    columns = {"budget": model.one_time, "yearly_cap": model.yearly, "capacity": model.effort}
    need = {
        kind: used[kind] + own[kind] - float(limit)
        for kind, limit in limits.items()
        if limit is not None
    }
    if all(amount <= TOLERANCE for amount in need.values()):
        return Explanation("no_value") if item.value <= TOLERANCE else Explanation("unproven")
    out: list[int] = []
    lost = 0.0
    for i in order:
        if all(amount <= TOLERANCE for amount in need.values()):
            break
        out.append(model.items[i].id)
        lost += float(model.value[i])
        for kind in need:
            need[kind] -= columns[kind][i]
    if any(amount > TOLERANCE for amount in need.values()):
        return Explanation("no_room")
    return Explanation(
        "better_use", amount=overshoot, others=tuple(out), loss=lost - item.value, exact=False
    )
