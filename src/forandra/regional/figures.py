"""Figures the regional pages share: each municipality's latest maturity round with results and
its baseline, scored in one batch, and each plan's latest version with its budget and
initiatives. Every function takes querysets already cut down by a viewer's `Sight`, and reads
them in one query each, whatever the number of municipalities.

Survey rounds count only once they have enough responses (`maturity.selectors.shows_results`,
the k-anonymity rule), here as on the maturity pages.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, QuerySet, Sum

from forandra.maturity import selectors as maturity_selectors
from forandra.maturity.instrument import Instrument
from forandra.maturity.models import InstrumentVersion, Round
from forandra.plans.models import BudgetKind, BudgetLine, Initiative, PlanVersion

#: Raise when the shape of what the regional pages cache changes.
CACHE_FORMAT = 1


def whole(value: float) -> int:
    """A score or change rounded to a whole number, halves away from zero (as floatformat)."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Maturity ------------------------------------------------------------------------------------


def dimension_scores(rounds: Sequence[Round], key: str) -> list[dict[str, float | None]]:
    """Each round's dimension scores (0-100, None where unanswered), scored in one batch.

    The maturity app scores many rounds at once and keeps them in one cache entry (`key`): the
    regional pages' door to it, so that their queries do not grow with the rounds.
    """
    return maturity_selectors.dimension_scores(rounds=rounds, key=key)


def overall(scores: dict[str, float | None]) -> float | None:
    """The overall score as the maturity results have it: the mean of the dimension scores."""
    present = [score for score in scores.values() if score is not None]
    return statistics.fmean(present) if present else None


@dataclass(frozen=True)
class Measured:
    """A municipality's latest round with results, and its baseline: the earliest round with
    results of the same instrument and mode (the latest itself when it is the only one)."""

    latest: Round
    baseline: Round

    @property
    def has_baseline(self) -> bool:
        return self.baseline.pk != self.latest.pk


def rounds_with_results(rounds: QuerySet[Round]) -> QuerySet[Round]:
    """`rounds` with only what picking them and their scores' cache key need, oldest first."""
    return (
        rounds.select_related("instrument")
        .only(
            "municipality_id",
            "instrument_id",
            "instrument__instrument_id",
            "instrument__version",
            "mode",
            "opened_on",
            "response_count",
            "counts_version",
            "is_demo",
        )
        .order_by("opened_on", "pk")
    )


def measured(rounds: Iterable[Round]) -> dict[int, Measured]:
    """municipality id -> its latest round with results and its baseline (`rounds` oldest
    first). A survey round below the minimum number of responses never counts."""
    shown: dict[int, list[Round]] = {}
    for round_ in rounds:
        if maturity_selectors.shows_results(round_=round_):
            shown.setdefault(round_.municipality_id, []).append(round_)
    result = {}
    for municipality_id, mine in shown.items():
        latest = mine[-1]
        baseline = next(
            r
            for r in mine
            if r.mode == latest.mode
            and r.instrument.instrument_id == latest.instrument.instrument_id
        )
        result[municipality_id] = Measured(latest=latest, baseline=baseline)
    return result


Scores = dict[str, float | None]


def scores_of(
    found: dict[int, Measured], key: str, *, baselines: bool = True
) -> dict[int, tuple[Scores, Scores | None]]:
    """municipality id -> (latest round's scores, baseline's scores or None), every round scored
    in one batch; `baselines=False` scores only the latest rounds."""
    rounds: dict[int, Round] = {}
    for item in found.values():
        rounds[item.latest.pk] = item.latest
        if baselines:
            rounds[item.baseline.pk] = item.baseline
    ordered = list(rounds.values())
    scored = dict(zip((r.pk for r in ordered), dimension_scores(ordered, key), strict=True))
    return {
        municipality_id: (
            scored[item.latest.pk],
            scored.get(item.baseline.pk) if baselines else None,
        )
        for municipality_id, item in found.items()
    }


def instrument_get(version_id: int) -> Instrument:
    """The parsed instrument version (its source read here, parsed once per process)."""
    version = InstrumentVersion.objects.only("pk", "source").get(pk=version_id)
    return maturity_selectors.instrument_for(round_=Round(instrument=version))


# --- Plans ---------------------------------------------------------------------------------------


@dataclass
class PlanTally:
    """One plan's latest version among those given, and the latest decision among them."""

    version_id: int
    municipality_id: int
    region_id: int
    status: str
    outcome: str | None = None


def plan_tallies(versions: QuerySet[PlanVersion]) -> dict[int, PlanTally]:
    """plan id -> its latest version among `versions`, with the latest decision among them."""
    tallies: dict[int, PlanTally] = {}
    for pk, plan_id, municipality_id, region_id, status, outcome in (
        versions.annotate(
            municipality_id=F("plan__municipality_id"),
            region_id=F("plan__municipality__region_id"),
        )
        .order_by("plan_id", "-number")
        .values_list("pk", "plan_id", "municipality_id", "region_id", "status", "decision__outcome")
    ):
        tally = tallies.get(plan_id)
        if tally is None:
            tally = tallies[plan_id] = PlanTally(pk, municipality_id, region_id, status)
        if tally.outcome is None and outcome:
            tally.outcome = outcome
    return tallies


def budget_by_version(lines: QuerySet[BudgetLine]) -> dict[int, tuple[int, int]]:
    """version id -> (budget total, innovation total) of `lines`, summed in the database."""
    totals: dict[int, tuple[int, int]] = {}
    for version_id, kind, amount in (
        lines.values("initiative__version_id", "kind")
        .annotate(amount=Sum("amount"))
        .values_list("initiative__version_id", "kind", "amount")
    ):
        total, innovation = totals.get(version_id, (0, 0))
        amount = int(amount or 0)
        innovation += amount if kind == BudgetKind.INNOVATION else 0
        totals[version_id] = (total + amount, innovation)
    return totals


def initiatives_by_version(initiatives: QuerySet[Initiative]) -> dict[int, int]:
    """version id -> its number of initiatives, counted in the database."""
    return dict(
        initiatives.values("version_id")
        .annotate(n=Count("pk"))
        .values_list("version_id", "n")
        .order_by()
    )
