"""What a round's results show, gathered once for the results page and the PDF report.

Every figure is read through the selectors, so the minimum group size holds wherever results are
shown: a survey with too few responses gives no result, and departments too small to show alone
are merged or left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import charts, scoring, selectors
from .models import Round


@dataclass(frozen=True)
class StatementRow:
    text: str
    reverse: bool
    score: scoring.StatementScore
    distribution: scoring.Distribution


@dataclass(frozen=True)
class DimensionRow:
    """One dimension of the results table: the score beside what it is compared with."""

    name: str
    score: scoring.DimensionScore
    previous: float | None
    other: float | None  # the counterpart round of the other mode
    region: selectors.Spread | None
    statements: list[StatementRow]

    @property
    def change(self) -> float | None:
        return _difference(self.score.score, self.previous)

    @property
    def gap(self) -> float | None:
        return _difference(self.other, self.score.score)


def _difference(later: float | None, earlier: float | None) -> float | None:
    return None if later is None or earlier is None else later - earlier


def response_rate(round_: Round) -> int | None:
    """Responses as a whole percentage of those invited, when the round says how many were."""
    return round(100 * round_.response_count / round_.invited) if round_.invited else None


def results_context(*, round_: Round, language: str) -> dict[str, Any]:
    """Everything the results page and the report show, read through the selectors."""
    result = selectors.round_result(round_=round_)
    if result is None:
        return {"result": None}
    instrument = result.instrument
    region = selectors.region_comparison(round_=round_)
    previous = selectors.previous(round_=round_)
    previous_result = selectors.round_result(round_=previous) if previous else None
    other = selectors.counterpart(round_=round_)
    other_result = selectors.round_result(round_=other) if other else None
    rows = []
    for dimension in instrument.dimensions:
        score = result.result.dimensions[dimension.key]
        before = previous_result.result.dimensions[dimension.key] if previous_result else None
        theirs = other_result.result.dimensions[dimension.key] if other_result else None
        rows.append(
            DimensionRow(
                name=dimension.name.get(language),
                score=score,
                previous=before.score if before else None,
                other=theirs.score if theirs else None,
                region=region.get(dimension.key),
                statements=[
                    StatementRow(
                        text=statement.text.get(language),
                        reverse=statement.reverse,
                        score=score.statements[statement.key],
                        distribution=result.distribution(statement.key),
                    )
                    for statement in dimension.statements
                ],
            )
        )
    chart = charts.bar_chart(
        [
            (row.name, row.score.score, row.region.median if row.region else None, row.previous)
            for row in rows
        ]
    )
    return {
        "result": result,
        "rows": rows,
        "chart": chart,
        "weakest": [
            instrument.dimension(d.key).name.get(language)
            for d in scoring.weakest(result.result, 3)
        ],
        "scale": [step.label.get(language) for step in instrument.scale.steps],
        "dont_know": instrument.scale.dont_know.get(language),
        "previous": previous,
        "other": other,
        "has_region": bool(region),
        "units": selectors.unit_breakdown(round_=round_),
        "dimension_names": [d.name.get(language) for d in instrument.dimensions],
        "dimension_keys": [d.key for d in instrument.dimensions],
        "level_name": result.result.level.name.get(language) if result.result.level else None,
        "level_description": (
            result.result.level.description.get(language) if result.result.level else None
        ),
        "quadrant": result.result.quadrant,
        "quadrant_name": (
            result.result.quadrant.name.get(language) if result.result.quadrant else None
        ),
        "quadrant_description": (
            result.result.quadrant.description.get(language) if result.result.quadrant else None
        ),
    }
