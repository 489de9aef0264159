"""Geometry for the dimension chart: horizontal bars on a 0-100 axis, drawn as SVG by a
template. Plain Python, no Django."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 260
PLOT_WIDTH = 400
ROW_HEIGHT = 36
BAR_HEIGHT = 18
TOP = 28
VALUE_GAP = 14  # between the plot's right edge (100) and the column of scores
VALUE_WIDTH = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    y: int
    width: float
    text_y: int
    median_x: float | None  # the region's median, drawn as a tick
    previous_x: float | None  # the previous round, drawn as a hollow diamond

    @property
    def value_x(self) -> float:
        """Where the number goes: in a column of its own right of the plot, so the region's tick
        and the previous round's diamond never cover it."""
        return LABEL_WIDTH + PLOT_WIDTH + VALUE_GAP


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    ticks: tuple[tuple[int, float], ...] = ()

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + VALUE_GAP + VALUE_WIDTH


def _x(value: float | None) -> float | None:
    return None if value is None else LABEL_WIDTH + PLOT_WIDTH * max(0.0, min(100.0, value)) / 100


def bar_chart(rows: list[tuple[str, float | None, float | None, float | None]]) -> Chart:
    """Rows of (label, score, region median, previous score) -> bar geometry."""
    bars = []
    for index, (label, value, median, previous) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=0.0 if value is None else PLOT_WIDTH * value / 100,
                text_y=y + BAR_HEIGHT - 4,
                median_x=_x(median),
                previous_x=_x(previous),
            )
        )
    ticks = tuple((v, LABEL_WIDTH + PLOT_WIDTH * v / 100) for v in (0, 25, 50, 75, 100))
    return Chart(bars=tuple(bars), height=TOP + len(rows) * ROW_HEIGHT + 8, ticks=ticks)
