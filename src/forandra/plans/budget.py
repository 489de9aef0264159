"""A plan version's budget: totals per year and kind, innovation as its own line. One query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from .models import BudgetKind, BudgetLine, PlanVersion


@dataclass(frozen=True)
class BudgetRow:
    kind: str
    label: str
    amounts: list[int]  # one per year of the plan
    total: int


@dataclass(frozen=True)
class BudgetTable:
    years: list[int]
    rows: list[BudgetRow]  # investment, operations, innovation: always all three
    year_totals: list[int]
    total: int

    @property
    def innovation(self) -> BudgetRow:
        return next(row for row in self.rows if row.kind == BudgetKind.INNOVATION)

    @property
    def innovation_share(self) -> float | None:
        """The innovation line's share of the whole budget, 0-1; None when there is no budget."""
        return self.innovation.total / self.total if self.total else None


def totals(version: PlanVersion) -> BudgetTable:
    """The version's budget per kind and year. Years are the plan's; a line outside them (after
    the plan's years changed) is still counted, in a year column of its own."""
    sums = (
        BudgetLine.objects.filter(initiative__version=version)
        .values("year", "kind")
        .annotate(amount=Sum("amount"))
    )
    by_key = {(row["year"], row["kind"]): int(row["amount"]) for row in sums}
    years = sorted(set(version.plan.years) | {year for year, _kind in by_key})
    rows = []
    for kind in BudgetKind:
        amounts = [by_key.get((year, kind.value), 0) for year in years]
        rows.append(BudgetRow(kind.value, str(kind.label), amounts, sum(amounts)))
    year_totals = [sum(row.amounts[i] for row in rows) for i in range(len(years))]
    return BudgetTable(years, rows, year_totals, sum(year_totals))
