"""The national view: the 21 regions side by side, for admins.

Each region's row counts its municipalities, those with a group and those with maturity results,
gives the median of their overall maturity, their plans by status, the budget with its
innovation share, and the initiatives. The rows are read through the viewer's `Sight` of each
region, joined into one filter per kind of row, so the view never shows more than the regional
pages would, and it reads a fixed number of queries whatever the number of regions and
municipalities.
"""

from __future__ import annotations

import operator
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q

from forandra.maturity.models import Round
from forandra.municipalities.models import Region
from forandra.plans.models import BudgetLine, Initiative, PlanVersion, Status

from . import figures
from .models import Part
from .visibility import Sight, sight_for

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from forandra.core.permissions import AnyUser

_CACHE_KEY = f"regional:{figures.CACHE_FORMAT}:national"


@dataclass
class RegionLine:
    """One region in the national view, or the whole country (`region` None)."""

    region: Region | None
    municipalities: int = 0
    with_group: int = 0
    with_maturity: int = 0
    median_maturity: float | None = None
    statuses: Counter[str] = field(default_factory=Counter)
    budget_total: int = 0
    innovation_total: int = 0
    initiatives: int = 0

    @property
    def plans(self) -> int:
        return sum(self.statuses.values())

    @property
    def status_counts(self) -> list[int]:
        """Plans per status of their latest version, in the order of `Status`."""
        return [self.statuses.get(value, 0) for value in Status.values]

    @property
    def innovation_share(self) -> float | None:
        """Innovation's share of the budget in per cent, None without a budget."""
        return 100 * self.innovation_total / self.budget_total if self.budget_total else None


@dataclass(frozen=True)
class NationalOverview:
    rows: list[RegionLine]
    total: RegionLine
    statuses: list[tuple[str, str | Promise]]
    is_demo: bool


def _seen(filters: list[Q]) -> Q:
    """What any of the region's sights sees (nothing without regions)."""
    return reduce(operator.or_, filters, Q(pk__in=[]))


def national_overview(*, user: AnyUser) -> NationalOverview:
    """Every region with its figures, as `user` sees each one (admins see everything)."""
    regions = list(
        Region.objects.annotate(
            municipality_count=Count("municipalities", distinct=True),
            group_count=Count("municipalities__group", distinct=True),
            demo_groups=Count(
                "municipalities__group", filter=Q(municipalities__group__is_demo=True)
            ),
        ).order_by("code")
    )
    sights: list[Sight] = [sight_for(user, region) for region in regions]
    lines = {
        region.pk: RegionLine(
            region=region,
            municipalities=region.municipality_count,
            with_group=region.group_count,
        )
        for region in regions
    }

    rounds = figures.rounds_with_results(
        Round.objects.filter(
            _seen([s.municipalities(Part.MATURITY, "municipality") for s in sights])
        )
    ).annotate(region_id=F("municipality__region_id"))
    found = figures.measured(rounds)
    scores = figures.scores_of(found, _CACHE_KEY, baselines=False)
    overall: dict[int, list[float]] = {}
    for municipality_id, item in found.items():
        score = figures.overall(scores[municipality_id][0])
        if score is not None:
            overall.setdefault(item.latest.region_id, []).append(score)  # type: ignore[attr-defined]
    for region_id, values in overall.items():
        lines[region_id].with_maturity = len(values)
        lines[region_id].median_maturity = statistics.median(values)

    tallies = figures.plan_tallies(
        PlanVersion.objects.filter(_seen([s.plan_versions() for s in sights]))
    )
    budgets = figures.budget_by_version(
        BudgetLine.objects.filter(_seen([s.plan_versions("initiative__version") for s in sights]))
    )
    initiatives = figures.initiatives_by_version(
        Initiative.objects.filter(_seen([s.plan_versions("version") for s in sights]))
    )
    for tally in tallies.values():
        line = lines[tally.region_id]
        line.statuses[tally.status] += 1
        budget, innovation = budgets.get(tally.version_id, (0, 0))
        line.budget_total += budget
        line.innovation_total += innovation
        line.initiatives += initiatives.get(tally.version_id, 0)

    rows = list(lines.values())
    everywhere = [score for values in overall.values() for score in values]
    total = RegionLine(
        region=None,
        municipalities=sum(row.municipalities for row in rows),
        with_group=sum(row.with_group for row in rows),
        with_maturity=len(everywhere),
        median_maturity=statistics.median(everywhere) if everywhere else None,
        statuses=sum((row.statuses for row in rows), Counter()),
        budget_total=sum(row.budget_total for row in rows),
        innovation_total=sum(row.innovation_total for row in rows),
        initiatives=sum(row.initiatives for row in rows),
    )
    return NationalOverview(
        rows=rows,
        total=total,
        statuses=list(Status.choices),
        is_demo=any(region.demo_groups for region in regions),
    )
