"""Quarters for the roadmap: which quarters a plan covers and which of them an initiative spans.
Plain Python, no Django; the page's SVG and the Word file's image both draw from this."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1-4

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)


def quarter_of(day: datetime.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarters(first_year: int, last_year: int) -> list[Quarter]:
    """Every quarter from the first to the last year, in order."""
    return [Quarter(year, n) for year in range(first_year, last_year + 1) for n in range(1, 5)]


@dataclass(frozen=True)
class Span:
    """Where an initiative lies on the plan's quarters: indices into `quarters(...)`, or None
    when it has no dates. `clipped_*` say that it starts before or ends after the plan."""

    first: int | None
    last: int | None
    clipped_start: bool = False
    clipped_end: bool = False


def span(
    start: datetime.date | None, end: datetime.date | None, first_year: int, last_year: int
) -> Span:
    """The quarters an initiative from `start` to `end` covers within the plan's years. A
    missing end means one quarter; a missing start means no place on the roadmap."""
    if start is None:
        return Span(None, None)
    all_quarters = quarters(first_year, last_year)
    begin, finish = quarter_of(start), quarter_of(end or start)
    if finish < all_quarters[0] or begin > all_quarters[-1]:
        return Span(None, None)
    clipped_start, clipped_end = begin < all_quarters[0], finish > all_quarters[-1]
    begin, finish = max(begin, all_quarters[0]), min(finish, all_quarters[-1])
    return Span(all_quarters.index(begin), all_quarters.index(finish), clipped_start, clipped_end)
