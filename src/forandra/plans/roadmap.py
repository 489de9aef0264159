"""The roadmap's geometry: where each initiative's bar lies on the plan's quarters, for a
server-rendered SVG drawn by a template (the page) and read the same way by anything else that
draws it. Plain Python, no Django: the words (quarter and year labels, the chart's title) are the
template's.

The chart is drawn at its natural size and scrolls sideways in its own box on a narrow screen,
so its text is never scaled below the size set here.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from .timeline import Quarter, Span, quarters, span

LABEL_WIDTH = 232  # the initiatives' names, left of the first quarter
QUARTER_WIDTH = 48
YEAR_HEIGHT = 26  # the row of years
QUARTER_HEIGHT = 24  # the row of quarters under it
ROW_HEIGHT = 48  # one initiative: room for its name on two lines
BAR_INSET = 10  # space above and below a bar inside its row
BAR_GAP = 2  # space between a bar and its quarter's edge
RIGHT_MARGIN = 8
LINE_CHARS = 28  # characters of a name per line at the chart's font size
LINES = 2
ARROW = 8  # the notch that says a bar runs on before or after the plan's years


@dataclass(frozen=True)
class RoadmapItem:
    """What the roadmap needs of an initiative."""

    title: str
    start: datetime.date | None
    end: datetime.date | None


@dataclass(frozen=True)
class YearBand:
    year: int
    x: float
    width: float
    label_x: float
    shaded: bool  # every other year, so the years read apart


@dataclass(frozen=True)
class QuarterMark:
    quarter: Quarter
    x: float  # the left edge of its column
    label_x: float  # its centre


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    clipped_start: bool
    clipped_end: bool

    @property
    def points(self) -> str:
        """The bar as a polygon: a notch on a side that runs on past the plan's years."""
        left, right = self.x, self.x + self.width
        top, bottom, middle = self.y, self.y + self.height, self.y + self.height / 2
        corners = [(left, top), (right, top)]
        if self.clipped_end:
            corners.append((right - ARROW, middle))
        corners += [(right, bottom), (left, bottom)]
        if self.clipped_start:
            corners.append((left + ARROW, middle))
        return " ".join(f"{x:g},{y:g}" for x, y in corners)


@dataclass(frozen=True)
class Row:
    index: int
    title: str
    lines: list[str]  # the name as drawn: at most two lines, cut with an ellipsis
    y: float  # the row's top
    text_y: float  # the baseline of the name's first line
    span: Span
    bar: Bar | None  # None when the initiative has no dates inside the plan's years
    first: Quarter | None
    last: Quarter | None


@dataclass(frozen=True)
class Roadmap:
    width: float
    height: float
    chart_left: float
    header_height: float
    years: list[YearBand]
    quarters: list[QuarterMark]
    rows: list[Row]

    @property
    def first(self) -> Quarter:
        return self.quarters[0].quarter

    @property
    def last(self) -> Quarter:
        return self.quarters[-1].quarter

    @property
    def placed(self) -> int:
        """How many initiatives have a bar."""
        return sum(1 for row in self.rows if row.bar is not None)


def wrap(title: str, width: int = LINE_CHARS, lines: int = LINES) -> list[str]:
    """The title in at most `lines` lines of at most `width` characters, words kept whole where
    they fit; what does not fit ends in an ellipsis (the table beside the chart has it all)."""
    pieces = []
    for word in title.split():
        # A word longer than a line (a Swedish compound) is split with a hyphen.
        while len(word) > width:
            pieces.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        pieces.append(word)
    filled: list[str] = []
    for piece in pieces:
        if filled and len(filled[-1]) + 1 + len(piece) <= width:
            filled[-1] += " " + piece
        else:
            filled.append(piece)
    if len(filled) <= lines:
        return filled
    return [*filled[: lines - 1], filled[lines - 1][: width - 1].rstrip() + "…"]


def layout(items: Sequence[RoadmapItem], first_year: int, last_year: int) -> Roadmap:
    """The roadmap of `items` on the quarters from `first_year` to `last_year`: one row per
    item in the order given, a bar from its start quarter to its end quarter."""
    all_quarters = quarters(first_year, last_year)
    header = YEAR_HEIGHT + QUARTER_HEIGHT
    width = LABEL_WIDTH + len(all_quarters) * QUARTER_WIDTH + RIGHT_MARGIN
    years = [
        YearBand(
            year=year,
            x=LABEL_WIDTH + index * 4 * QUARTER_WIDTH,
            width=4 * QUARTER_WIDTH,
            label_x=LABEL_WIDTH + index * 4 * QUARTER_WIDTH + 2 * QUARTER_WIDTH,
            shaded=index % 2 == 1,
        )
        for index, year in enumerate(range(first_year, last_year + 1))
    ]
    marks = [
        QuarterMark(
            quarter=quarter,
            x=LABEL_WIDTH + index * QUARTER_WIDTH,
            label_x=LABEL_WIDTH + index * QUARTER_WIDTH + QUARTER_WIDTH / 2,
        )
        for index, quarter in enumerate(all_quarters)
    ]
    rows = []
    for index, item in enumerate(items):
        top = header + index * ROW_HEIGHT
        where = span(item.start, item.end, first_year, last_year)
        bar = None
        first = last = None
        if where.first is not None and where.last is not None:
            first, last = all_quarters[where.first], all_quarters[where.last]
            bar = Bar(
                x=LABEL_WIDTH + where.first * QUARTER_WIDTH + BAR_GAP,
                y=top + BAR_INSET,
                width=(where.last - where.first + 1) * QUARTER_WIDTH - 2 * BAR_GAP,
                height=ROW_HEIGHT - 2 * BAR_INSET,
                clipped_start=where.clipped_start,
                clipped_end=where.clipped_end,
            )
        lines = wrap(item.title)
        # One line sits in the row's middle; two lines around it.
        text_y = top + ROW_HEIGHT / 2 + (5 if len(lines) <= 1 else -3)
        rows.append(
            Row(
                index=index,
                title=item.title,
                lines=lines,
                y=top,
                text_y=text_y,
                span=where,
                bar=bar,
                first=first,
                last=last,
            )
        )
    return Roadmap(
        width=width,
        height=header + max(len(rows), 1) * ROW_HEIGHT,
        chart_left=LABEL_WIDTH,
        header_height=header,
        years=years,
        quarters=marks,
        rows=rows,
    )
