"""The region's open data: datasets of what its municipalities publish, and the files they are
written to (CSV, XLSX and JSON).

Each dataset is defined once, as its columns (name, type and meaning) and a reader of its rows;
the data dictionary page and all three formats are made from that one definition, so a file
cannot carry a column the dictionary does not explain, or the other way round. Every row comes
from `public.py`, which reads only what is published (`visibility.public_sight`). Column names
are stable ASCII identifiers; the texts in the rows (names of dimensions and waves) follow the
language the file was downloaded in, codes (modes, rings, statuses) do not.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from forandra.municipalities.models import Region

from . import public

Cell = str | int | float | bool | datetime.date | None
Row = tuple[Cell, ...]

#: The licence of the open data, as a short identifier and in words.
LICENCE_ID = "CC0-1.0"
LICENCE = _("CC0 1.0: free to reuse for any purpose, without asking and without naming the source.")


class Kind:
    """The types a column can have, with their names in the dictionary."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"

    NAMES: dict[str, Promise] = {
        TEXT: _("text"),
        INTEGER: _("whole number"),
        DECIMAL: _("decimal number"),
        DATE: _("date (YYYY-MM-DD)"),
        BOOLEAN: _("true or false"),
    }


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    meaning: str | Promise

    @property
    def kind_name(self) -> str:
        return str(Kind.NAMES[self.kind])


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]
    read: Callable[[Region], Iterable[Row]]

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- The rows ------------------------------------------------------------------------------------


def _municipalities(region: Region) -> Iterable[Row]:
    for choice in public.publication_choices(region=region):
        municipality = choice.municipality
        yield (municipality.code, municipality.name, choice.maturity, choice.radar, choice.plans)


def _maturity_scores(region: Region) -> Iterable[Row]:
    for scores in public.maturity_published(region=region):
        round_ = scores.round
        for dimension in scores.dimensions:
            yield (
                scores.municipality.code,
                scores.municipality.name,
                round_.opened_on,
                scores.closed_on,
                round_.mode,
                round_.response_count,
                scores.instrument,
                scores.instrument_version,
                dimension.key,
                dimension.name,
                _score(dimension.score),
            )


def _radar(region: Region) -> Iterable[Row]:
    for placement in public.radar_published(region=region):
        yield (
            placement.municipality.code,
            placement.municipality.name,
            placement.wave.key,
            placement.wave.name,
            placement.ring,
        )


def _plans(region: Region) -> Iterable[Row]:
    for item in public.plans_published(region=region):
        plan, version, decision = item.plan, item.version, item.decision
        yield (
            plan.municipality.code,
            plan.municipality.name,
            plan.pk,
            plan.title,
            plan.first_year,
            plan.last_year,
            version.number,
            version.status,
            decision.outcome if decision else None,
            decision.decided_on if decision else None,
            len(item.initiatives),
            item.budget_total,
            item.innovation_total,
            _share(item.innovation_share),
        )


def _initiatives(region: Region) -> Iterable[Row]:
    for item in public.plans_published(region=region):
        for initiative in item.initiatives:
            yield (
                item.municipality.code,
                item.municipality.name,
                item.plan.pk,
                item.version.number,
                initiative.title,
                initiative.start,
                initiative.end,
                initiative.budget_total,
                initiative.innovation_total,
            )


def _budget(region: Region) -> Iterable[Row]:
    for item in public.plans_published(region=region):
        for (year, kind), amount in item.budget.items():
            yield (item.municipality.code, item.municipality.name, item.plan.pk, year, kind, amount)


# --- The definitions -----------------------------------------------------------------------------

_CODE = Column("municipality_code", Kind.TEXT, _("The municipality’s official four-digit code."))
_NAME = Column("municipality", Kind.TEXT, _("The municipality’s name."))
_PLAN = Column(
    "plan_id",
    Kind.INTEGER,
    _("The plan’s number in Förändra; joins the plans, initiatives and budget datasets."),
)

DATASETS: dict[str, Dataset] = {
    dataset.key: dataset
    for dataset in (
        Dataset(
            key="municipalities",
            title=_("Municipalities"),
            description=_(
                "Every municipality of the region and the parts of its data it publishes."
            ),
            columns=(
                _CODE,
                _NAME,
                Column(
                    "publishes_maturity", Kind.BOOLEAN, _("Whether it publishes maturity results.")
                ),
                Column("publishes_radar", Kind.BOOLEAN, _("Whether it publishes its radar.")),
                Column("publishes_plans", Kind.BOOLEAN, _("Whether it publishes decided plans.")),
            ),
            read=_municipalities,
        ),
        Dataset(
            key="maturity_scores",
            title=_("Maturity scores"),
            description=_(
                "One row per dimension of every closed maturity round with results. A staff "
                "survey is included only when enough people answered; single answers and "
                "comments are never published."
            ),
            columns=(
                _CODE,
                _NAME,
                Column("round_opened_on", Kind.DATE, _("When the round opened.")),
                Column("round_closed_on", Kind.DATE, _("When the round closed.")),
                Column(
                    "mode",
                    Kind.TEXT,
                    _(
                        "consensus: the digitalisation group answered together; survey: staff "
                        "answered anonymously."
                    ),
                ),
                Column("responses", Kind.INTEGER, _("How many answered (1 for the group).")),
                Column("instrument", Kind.TEXT, _("The questionnaire the round used.")),
                Column("instrument_version", Kind.INTEGER, _("The questionnaire’s version.")),
                Column("dimension_key", Kind.TEXT, _("The dimension’s identifier.")),
                Column("dimension", Kind.TEXT, _("The dimension’s name.")),
                Column(
                    "score",
                    Kind.DECIMAL,
                    _("The dimension’s score from 0 to 100; empty if nobody answered it."),
                ),
            ),
            read=_maturity_scores,
        ),
        Dataset(
            key="radar",
            title=_("Radar of waves"),
            description=_("One row per wave of change a municipality has placed on its radar."),
            columns=(
                _CODE,
                _NAME,
                Column("wave_key", Kind.TEXT, _("The wave’s identifier.")),
                Column("wave", Kind.TEXT, _("The wave’s name.")),
                Column(
                    "ring",
                    Kind.TEXT,
                    _(
                        "adopt (in use), try (being tried), explore (being looked into) or "
                        "watch (followed from a distance)."
                    ),
                ),
            ),
            read=_radar,
        ),
        Dataset(
            key="plans",
            title=_("Decided plans"),
            description=_(
                "One row per transformation plan, as its latest version that leadership has "
                "decided on."
            ),
            columns=(
                _CODE,
                _NAME,
                _PLAN,
                Column("title", Kind.TEXT, _("The plan’s title.")),
                Column("first_year", Kind.INTEGER, _("The plan’s first year.")),
                Column("last_year", Kind.INTEGER, _("The plan’s last year.")),
                Column("version", Kind.INTEGER, _("The number of the version published.")),
                Column(
                    "status",
                    Kind.TEXT,
                    _(
                        "approved, approved_with_changes, in_progress (being followed up) or "
                        "closed."
                    ),
                ),
                Column(
                    "decision",
                    Kind.TEXT,
                    _("Leadership’s decision: approved or approved_with_changes."),
                ),
                Column("decided_on", Kind.DATE, _("The date of the decision.")),
                Column("initiatives", Kind.INTEGER, _("The number of initiatives in the plan.")),
                Column("budget_total", Kind.INTEGER, _("The plan’s budget in kronor (SEK).")),
                Column(
                    "innovation_total",
                    Kind.INTEGER,
                    _("The part of the budget set aside for innovation, in kronor (SEK)."),
                ),
                Column(
                    "innovation_share",
                    Kind.DECIMAL,
                    _("Innovation’s share of the budget in per cent; empty without a budget."),
                ),
            ),
            read=_plans,
        ),
        Dataset(
            key="initiatives",
            title=_("Initiatives of decided plans"),
            description=_("One row per initiative of a published plan version."),
            columns=(
                _CODE,
                _NAME,
                _PLAN,
                Column("version", Kind.INTEGER, _("The number of the plan version.")),
                Column("title", Kind.TEXT, _("The initiative’s title.")),
                Column("start", Kind.DATE, _("When the initiative starts; empty if not set.")),
                Column("end", Kind.DATE, _("When the initiative ends; empty if not set.")),
                Column("budget_total", Kind.INTEGER, _("The initiative’s budget in kronor (SEK).")),
                Column(
                    "innovation_total",
                    Kind.INTEGER,
                    _("The part of its budget set aside for innovation, in kronor (SEK)."),
                ),
            ),
            read=_initiatives,
        ),
        Dataset(
            key="budget",
            title=_("Budget of decided plans"),
            description=_("One row per plan, year and kind of cost, summed over its initiatives."),
            columns=(
                _CODE,
                _NAME,
                _PLAN,
                Column("year", Kind.INTEGER, _("The budget year.")),
                Column(
                    "kind",
                    Kind.TEXT,
                    _("investment, operations (running costs) or innovation: the kind of cost."),
                ),
                Column("amount", Kind.INTEGER, _("The amount in kronor (SEK).")),
            ),
            read=_budget,
        ),
    )
}


# --- The files -----------------------------------------------------------------------------------

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8; header=present",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FORMATS = tuple(CONTENT_TYPES)


@dataclass(frozen=True)
class Table:
    """A dataset's rows for one region, read at one moment."""

    dataset: Dataset
    region: Region
    rows: list[Row]
    generated_at: datetime.datetime


def table_read(*, dataset: Dataset, region: Region, now: datetime.datetime) -> Table:
    """The dataset's rows for the region (only what its municipalities publish)."""
    rows = [tuple(row) for row in dataset.read(region)]
    for row in rows:
        assert len(row) == len(dataset.columns), dataset.key  # one definition, one width
    return Table(dataset=dataset, region=region, rows=rows, generated_at=now)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 (without a byte-order mark), a header row of the column names, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.dataset.names)
    writer.writerows([_text(cell) for cell in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """One worksheet named for the dataset; the header row bold and frozen."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = table.dataset.key[:31]
    sheet.append(table.dataset.names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in table.rows:
        sheet.append(list(row))
    for index, column in enumerate(table.dataset.columns, start=1):
        if column.kind == Kind.DATE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
        widths = [len(column.name), *(len(_text(row[index - 1])) for row in table.rows)]
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(widths) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json_value(value: Cell) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def to_json(table: Table) -> bytes:
    """An object with the dataset's name, when it was made, its fields and its rows."""
    dataset = table.dataset
    document = {
        "dataset": dataset.key,
        "title": str(dataset.title),
        "region": {"code": table.region.code, "name": table.region.name},
        "generated_at": table.generated_at.isoformat(timespec="seconds"),
        "licence": LICENCE_ID,
        "fields": [
            {"name": c.name, "type": c.kind, "description": str(c.meaning)} for c in dataset.columns
        ],
        "rows": [
            {name: _json_value(cell) for name, cell in zip(dataset.names, row, strict=True)}
            for row in table.rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


WRITERS: dict[str, Callable[[Table], bytes]] = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}


def filename(*, region: Region, dataset: Dataset, fmt: str, on: datetime.date) -> str:
    """`region-vasterbotten-plans-2026-12-07.csv`: ASCII, the region, the dataset and the day."""
    place = slugify(region.name) or region.code
    return f"{place}-{dataset.key.replace('_', '-')}-{on.isoformat()}.{fmt}"


def datasets() -> Sequence[Dataset]:
    return list(DATASETS.values())
