"""The weighted score of an idea, with its parts: plain Python, no Django.

Each criterion is put on a scale from 0 (worst) to 1 (best) and weighted by the municipality's
weights (0–10 each); the score is the weighted mean on a scale of 0 to 100, and its *parts* are
each criterion's share of it, so a page can show why an idea scores as it does.

- benefit for residents and feasibility: (value − 1) / 4 on their 1–5 scales;
- low risk: (5 − risk) / 4;
- low cost: 1 − cost / the highest cost among the ideas scored together, where cost is the
  one-time cost plus three years of the yearly cost (so ideas are compared with their peers);
- low effort: 1 − effort / the highest effort among them;
- support: (residents' support + dots) / the highest among them.
A criterion whose highest value is 0 (nobody has any cost, say) counts as best for every idea.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CRITERIA = ("benefit", "feasibility", "risk", "cost", "effort", "support")
COST_YEARS = 3  # a yearly cost counts for three years beside the one-time cost


@dataclass(frozen=True)
class IdeaFacts:
    """What the score of one idea is computed from."""

    id: int
    benefit: int  # 1–5
    feasibility: int  # 1–5
    risk: int  # 1–5
    one_time_cost: int  # SEK
    yearly_cost: int  # SEK per year
    effort: float  # person-months
    support: int  # residents' support plus dots from votes

    @property
    def cost(self) -> int:
        return self.one_time_cost + COST_YEARS * self.yearly_cost


@dataclass(frozen=True)
class Score:
    total: float  # 0–100
    parts: dict[str, float]  # criterion -> points of the total (they sum to `total`)


def _relative_low(value: float, highest: float) -> float:
    return 1.0 if highest <= 0 else 1.0 - value / highest


def scores(ideas: Iterable[IdeaFacts], weights: Mapping[str, int]) -> dict[int, Score]:
    """Each idea's score, the ideas compared with one another for cost, effort and support."""
    ideas = list(ideas)
    unknown = set(weights) - set(CRITERIA)
    if unknown:
        raise ValueError(f"unknown criteria: {', '.join(sorted(unknown))}")
    weight = {c: max(0, int(weights.get(c, 0))) for c in CRITERIA}
    total_weight = sum(weight.values())
    highest_cost = max((i.cost for i in ideas), default=0)
    highest_effort = max((i.effort for i in ideas), default=0.0)
    highest_support = max((i.support for i in ideas), default=0)
    result: dict[int, Score] = {}
    for idea in ideas:
        scale = {
            "benefit": (idea.benefit - 1) / 4,
            "feasibility": (idea.feasibility - 1) / 4,
            "risk": (5 - idea.risk) / 4,
            "cost": _relative_low(idea.cost, highest_cost),
            "effort": _relative_low(idea.effort, highest_effort),
            "support": 1.0 if highest_support <= 0 else idea.support / highest_support,
        }
        if total_weight == 0:
            parts = dict.fromkeys(CRITERIA, 0.0)
        else:
            parts = {c: 100 * weight[c] * scale[c] / total_weight for c in CRITERIA}
        result[idea.id] = Score(total=sum(parts.values()), parts=parts)
    return result
