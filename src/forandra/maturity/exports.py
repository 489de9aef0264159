"""Tables for the exports of a round: scores, and the anonymous responses.

Each export is a header and rows of plain values, written out as CSV or XLSX. The minimum group
size holds here as on the results page: survey scores appear only when enough have answered, a
department is named only when it has enough responses on its own, and a round with too few
responses exports no responses at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook

from . import scoring, selectors
from .models import Mode, Response, Round, UnitResponseCount, min_group_size

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    name: str
    header: list[str]
    rows: list[list[Cell]]


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _scores_row(label: str, responses: int, result: scoring.Result) -> list[Cell]:
    row: list[Cell] = [label, responses, _score(result.overall)]
    return row + [_score(d.score) for d in result.dimensions.values()]


def scores_table(*, round_: Round, language: str) -> Table | None:
    """Scores per dimension (and per department shown on the results page), or None if hidden."""
    result = selectors.round_result(round_=round_)
    if result is None:
        return None
    instrument = result.instrument
    header = [_("Group"), _("Responses"), _("Overall")] + [
        d.name.get(language) for d in instrument.dimensions
    ]
    rows = [_scores_row(_("All"), round_.response_count, result.result)]
    for unit in selectors.unit_breakdown(round_=round_):
        rows.append(_scores_row(unit.name or _("Other departments"), unit.responses, unit.result))
    return Table(name=_("Scores"), header=header, rows=rows)


def responses_table(*, round_: Round) -> Table | None:
    """One row per response with its answers (empty for "don't know"); None below the minimum."""
    if not selectors.shows_results(round_=round_):
        return None
    instrument = selectors.instrument_for(round_=round_)
    keys = [statement.key for _dimension, statement in instrument.statements()]
    named_units = set(
        UnitResponseCount.objects.filter(
            round=round_, count__gte=min_group_size(), unit_key__gt=0
        ).values_list("unit_key", flat=True)
    )
    consensus = round_.mode == Mode.CONSENSUS
    header = [_("Response"), _("Department"), *keys]
    if consensus:
        why = _("why")
        header += [f"{key} ({why})" for key in keys]
    rows: list[list[Cell]] = []
    responses = Response.objects.filter(round=round_).select_related("unit").order_by("pk")
    for number, response in enumerate(responses.iterator(chunk_size=2000), start=1):
        unit = response.unit.name if response.unit_id in named_units and response.unit else ""
        row: list[Cell] = [number, unit, *(response.answers.get(key) for key in keys)]
        if consensus:
            row += [response.whys.get(key, "") for key in keys]
        rows.append(row)
    return Table(name=_("Responses"), header=header, rows=rows)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read å, ä and ö right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One worksheet per table."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.name[:31])
        sheet.append(table.header)
        for row in table.rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
