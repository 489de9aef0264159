"""A round's results as a PDF report, to hand to the leadership or keep in the archive.

The report is the HTML template `maturity/report.html` printed by WeasyPrint. It shows what the
results page shows, from the same `results.results_context`, so the minimum group size holds in
it exactly as on the page. WeasyPrint fetches nothing from the network or the file system: its
URL fetcher serves only the app's own static files, by relative URLs in the template.
"""

from __future__ import annotations

import mimetypes
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html

from . import results, selectors
from .instrument import Instrument
from .models import Round, min_group_size

# Relative URLs in the template resolve against this base, which the fetcher maps to the static
# folders. The `.invalid` top-level domain never resolves, so nothing can leave the machine.
STATIC_BASE = "https://static.forandra.invalid/"


class StaticFileRefusedError(ValueError):
    """The report asked for something that is not one of the app's static files."""


def static_file(url: str) -> tuple[bytes, str]:
    """The content and media type of a static file the report refers to; refuses anything else."""
    if not url.startswith(STATIC_BASE):
        raise StaticFileRefusedError(f"the report fetches only its own static files, not {url}")
    name = url.removeprefix(STATIC_BASE).split("?", 1)[0].split("#", 1)[0]
    if not name or any(part in ("", ".", "..") for part in name.split("/")):
        raise StaticFileRefusedError(f"not a static file name: {name!r}")
    found = finders.find(name)
    if not isinstance(found, str):
        raise StaticFileRefusedError(f"no static file {name!r}")
    media_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
    return Path(found).read_bytes(), media_type


def _fetcher() -> Any:
    """WeasyPrint's URL fetcher, narrowed to `static_file`."""
    from weasyprint.urls import (
        URLFetcher,
        URLFetcherResponse,
    )

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]  # URLFetcher is untyped
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, media_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    return StaticFilesOnly()


# The quadrant figure: the two axis scores as a point on a square split at the threshold.
PLOT = 220  # side of the square
LEFT = 28  # room for the capability axis label
TOP = 8
BOTTOM = 34  # room for the ticks and the prerequisite axis label
NAME_WIDTH = 15  # characters per line of a quadrant's name


@dataclass(frozen=True)
class QuadrantCell:
    x: float
    y: float
    width: float
    height: float
    lines: tuple[tuple[float, float, str], ...]  # (x, y, text) of each line of the name
    current: bool


@dataclass(frozen=True)
class QuadrantFigure:
    cells: tuple[QuadrantCell, ...]
    point: tuple[float, float] | None  # (prerequisite, capability) placed on the square
    ticks_x: tuple[tuple[float, str], ...]
    ticks_y: tuple[tuple[float, str], ...]
    left: int = LEFT
    top: int = TOP
    plot: int = PLOT

    @property
    def width(self) -> int:
        return LEFT + PLOT + 8

    @property
    def height(self) -> int:
        return TOP + PLOT + BOTTOM

    @property
    def right(self) -> int:
        return LEFT + PLOT

    @property
    def bottom(self) -> int:
        return TOP + PLOT


def quadrant_figure(
    instrument: Instrument,
    capability: float | None,
    prerequisite: float | None,
    current: str | None,
    language: str,
) -> QuadrantFigure:
    """Prerequisites run left to right, capability bottom to top, split at the threshold."""

    def x(value: float) -> float:
        return LEFT + PLOT * value / 100

    def y(value: float) -> float:
        return TOP + PLOT * (1 - value / 100)

    split = instrument.quadrant_threshold
    cells = []
    for quadrant in instrument.quadrants:
        left, right = (x(split), x(100)) if quadrant.high_prerequisite else (x(0), x(split))
        top, bottom = (y(100), y(split)) if quadrant.high_capability else (y(split), y(0))
        lines = textwrap.wrap(quadrant.name.get(language), NAME_WIDTH) or [""]
        middle = (top + bottom) / 2 - 6 * (len(lines) - 1) + 3
        cells.append(
            QuadrantCell(
                x=left,
                y=top,
                width=right - left,
                height=bottom - top,
                lines=tuple(
                    ((left + right) / 2, middle + 12 * index, line)
                    for index, line in enumerate(lines)
                ),
                current=quadrant.key == current,
            )
        )
    point = None
    if capability is not None and prerequisite is not None:
        point = (x(prerequisite), y(capability))
    ticks = (0.0, split, 100.0)
    return QuadrantFigure(
        cells=tuple(cells),
        point=point,
        ticks_x=tuple((x(value), f"{value:g}") for value in ticks),
        ticks_y=tuple((y(value), f"{value:g}") for value in ticks),
    )


def _department_rows(context: dict[str, Any]) -> list[tuple[str, list[float | None]]]:
    """The department table turned on its side: one row per dimension, one column per group,
    so that any number of dimensions fits the width of the page."""
    units = context.get("units") or []
    return [
        (name, [unit.result.dimensions[key].score for unit in units])
        for name, key in zip(context["dimension_names"], context["dimension_keys"], strict=True)
    ]


def report_context(round_: Round, *, language: str) -> dict[str, Any]:
    """Everything the report template needs, in the given language."""
    instrument = selectors.instrument_for(round_=round_)
    context = results.results_context(round_=round_, language=language)
    context.update(
        {
            "language": language,
            "municipality": round_.municipality,
            "round": round_,
            "instrument_name": instrument.name.get(language),
            "instrument_version": instrument.version,
            "response_rate": results.response_rate(round_),
            "min_group_size": min_group_size(),
            "is_demo": round_.is_demo,
            "created": timezone.now(),
            # Filled in by the page counters of the print CSS, on each page.
            "page_number": format_html('<span class="{}"></span>', "page-number"),
            "page_count": format_html('<span class="{}"></span>', "page-count"),
        }
    )
    result = context["result"]
    if result is not None:
        context["quadrant_figure"] = quadrant_figure(
            instrument,
            result.result.capability,
            result.result.prerequisite,
            result.result.quadrant.key if result.result.quadrant else None,
            language,
        )
        context["department_rows"] = _department_rows(context)
    return context


def results_pdf(round_: Round, *, language: str) -> bytes:
    """The round's results report as a PDF document, in the given language."""
    # Imported here: loading WeasyPrint (and Pango) takes about a second, and only this needs it.
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("maturity/report.html", report_context(round_, language=language))
        document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=_fetcher())
        pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf
