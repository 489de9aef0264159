"""The roadmap and the budget as PNG images for the Word export, drawn with matplotlib.

Plain Python, no Django: the caller passes the labels in the document's language and a function
that formats numbers the way the language does. Drawn with the Agg backend (no screen) and
DejaVu Sans, the font matplotlib ships, so the images look the same on every machine and need
nothing from outside. Colour never carries meaning alone: roadmap bars are labelled by their row,
and the innovation part of the budget is hatched as well as coloured.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a server; set before anything draws

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import RcKeyType

FONT = "DejaVu Sans"
STYLE: dict[RcKeyType, Any] = {
    "font.family": FONT,
    "font.size": 8,
    "axes.edgecolor": "#6b7280",
    "axes.labelcolor": "#1b1f24",
    "xtick.color": "#1b1f24",
    "ytick.color": "#1b1f24",
    "savefig.dpi": 150,
    "svg.fonttype": "none",
}
# rc_context changes matplotlib's global settings for the drawing: one drawing at a time, so a
# threaded server's concurrent exports do not mix their settings.
_DRAWING = threading.Lock()
WIDTH_IN = 6.7  # 17 cm: the text width of an A4 page with 2 cm margins
ROW_IN = 0.24
LABEL_CHARS = 38
BAR = "#0b4f6c"
CLIPPED = "#4a5563"
TEXT = "#1b1f24"
GRID = "#d0d5dc"
# Investment, operations, innovation: dark, light, and a warm colour with a hatch.
KIND_COLOURS = ("#0b4f6c", "#7fb3cc", "#c2571a")
KIND_HATCHES = ("", "", "///")


@dataclass(frozen=True)
class RoadmapRow:
    label: str
    first: int  # index of the first quarter
    last: int  # index of the last quarter
    clipped_start: bool = False  # starts before the plan's first quarter
    clipped_end: bool = False  # ends after its last


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # attaches itself to the figure: drawn by Agg, without pyplot
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def roadmap_png(
    rows: Sequence[RoadmapRow], quarter_labels: Sequence[tuple[int, str]], *, axis_label: str
) -> bytes:
    """A bar per initiative across the quarters it spans, the first at the top.

    `quarter_labels` are (year, short label such as "Q1") of every quarter of the plan, in
    order. Bars cut off at the plan's edges end in an arrow, as the page's roadmap does. Drawn
    with plain texts, lines and one collection of bars rather than matplotlib's axes and ticks,
    which cost several times as much for the same picture.
    """
    count = len(quarter_labels)
    height = 0.9 + ROW_IN * max(len(rows), 1)
    with _DRAWING, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_IN, height))
        axes = figure.add_axes((0.4, 0.55 / height, 0.58, 1 - 0.85 / height))
        axes.set_axis_off()
        bottom = len(rows) - 0.5 if rows else 0.5
        axes.set_xlim(-0.3, count + 0.3)
        axes.set_ylim(bottom, -0.5)
        # Years: a line where each begins, the year centred above its quarters.
        years: dict[int, list[int]] = {}
        for index, (year, _label) in enumerate(quarter_labels):
            years.setdefault(year, []).append(index)
        axes.vlines(range(count + 1), -0.5, bottom, colors=GRID, linewidth=0.4, linestyles=":")
        axes.vlines(
            [indices[0] for indices in years.values()] + [count],
            -0.5,
            bottom,
            colors=GRID,
            linewidth=0.8,
        )
        for year, indices in years.items():
            axes.text(
                (indices[0] + indices[-1] + 1) / 2,
                -0.55,
                str(year),
                ha="center",
                va="bottom",
                fontweight="bold",
                color=TEXT,
            )
        axes.hlines(bottom, 0, count, colors=CLIPPED, linewidth=0.8)
        if count <= 16:  # the quarters' labels while they fit
            for index, (_year, label) in enumerate(quarter_labels):
                axes.text(index + 0.5, bottom + 0.15, label, ha="center", va="top", color=TEXT)
        axes.text(count / 2, bottom + 0.9, axis_label, ha="center", va="top", color=TEXT)
        boxes = [
            [
                (row.first, index - 0.31),
                (row.last + 1, index - 0.31),
                (row.last + 1, index + 0.31),
                (row.first, index + 0.31),
            ]
            for index, row in enumerate(rows)
        ]
        axes.add_collection(
            PolyCollection(boxes, facecolors=BAR, edgecolors="white", linewidths=0.5)
        )
        for index, row in enumerate(rows):
            axes.text(-0.4, index, _short(row.label), ha="right", va="center", color=TEXT)
            if row.clipped_start:
                axes.text(row.first - 0.05, index, "◀", ha="right", va="center", color=CLIPPED)
            if row.clipped_end:
                axes.text(row.last + 1.05, index, "▶", ha="left", va="center", color=CLIPPED)
        return _png(figure)


def budget_png(
    years: Sequence[int],
    kinds: Sequence[tuple[str, Sequence[int]]],
    *,
    amount_label: str,
    number_format: Callable[[float], str],
) -> bytes:
    """Stacked bars per year, one part per kind of cost (label, amounts per year), in the order
    investment, operations, innovation; innovation hatched."""
    with _DRAWING, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_IN, 3.2))
        axes = figure.add_axes((0.16, 0.14, 0.82, 0.72))
        positions = list(range(len(years)))
        bottoms = [0] * len(years)
        handles = []
        for index, (label, amounts) in enumerate(kinds):
            colour = KIND_COLOURS[index % len(KIND_COLOURS)]
            hatch = KIND_HATCHES[index % len(KIND_HATCHES)]
            axes.bar(
                positions,
                amounts,
                bottom=bottoms,
                width=0.6,
                color=colour,
                hatch=hatch,
                edgecolor="white",
                linewidth=0.6,
            )
            handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="white", label=label))
            bottoms = [b + a for b, a in zip(bottoms, amounts, strict=True)]
        for position, total in zip(positions, bottoms, strict=True):
            if total:
                axes.text(position, total, number_format(total), ha="center", va="bottom")
        axes.set_xticks(positions, [str(year) for year in years])
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number_format(value)))
        axes.set_ylabel(amount_label)
        axes.set_ylim(0, max(max(bottoms, default=0), 1) * 1.15)
        axes.grid(axis="y", color=GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.legend(
            handles=handles, loc="upper center", ncols=len(handles), frameon=False, fontsize=8
        )
        return _png(figure)
