"""The region's open data: the dictionary and the files agree, each format parses, and no file
carries what a municipality has not published (see test_public_world for the region)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify
from openpyxl import load_workbook

from forandra.maturity.models import Mode, min_group_size
from forandra.municipalities.models import Region
from forandra.regional import opendata
from tests.regional.test_public import publish_everything
from tests.regional.test_public_world import (
    DRAFT_PLAN,
    HIDDEN_DAY,
    HOME_WAVE,
    OPEN_INITIATIVE,
    OPEN_PLAN,
    SECRET_INITIATIVE,
    SECRET_PLAN,
    SHOWN_WAVE,
    SILENT_INITIATIVE,
    SILENT_PLAN,
    SILENT_WAVE,
    World,
    add_answers,
    download_paths,
    everything_public,
    open_page,
    readable,
    world_fixture,  # noqa: F401 (the fixture `world`, imported to be found)
)

pytestmark = pytest.mark.django_db


def download(region: Region, dataset: str, fmt: str) -> bytes:
    response = Client().get(reverse("regional:data_download", args=[region.code, dataset, fmt]))
    assert response.status_code == 200
    return response.content


def csv_rows(region: Region, dataset: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(download(region, dataset, "csv").decode("utf-8"))))


def xlsx_rows(region: Region, dataset: str) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(download(region, dataset, "xlsx")))
    assert book.sheetnames == [dataset]
    return list(book.active.iter_rows(values_only=True))


def test_the_dictionary_lists_every_dataset_with_its_fields_and_downloads(world: World) -> None:
    response = Client().get(reverse("regional:data_dictionary", args=[world.region.code]))
    body = response.content.decode()

    assert response.status_code == 200
    for dataset in opendata.datasets():
        assert f'id="{dataset.key}"' in body
        for column in dataset.columns:
            assert f'<code lang="en">{column.name}</code></th>' in body
        for fmt in opendata.FORMATS:
            path = reverse("regional:data_download", args=[world.region.code, dataset.key, fmt])
            assert f'href="{path}"' in body
    assert opendata.LICENCE_ID[:3] in body


@pytest.mark.parametrize("dataset", list(opendata.DATASETS))
def test_every_format_has_exactly_the_dictionarys_fields(world: World, dataset: str) -> None:
    names = opendata.DATASETS[dataset].names
    region = world.region

    csv_header = next(csv.reader(io.StringIO(download(region, dataset, "csv").decode("utf-8"))))
    xlsx_header = list(xlsx_rows(region, dataset)[0])
    document = json.loads(download(region, dataset, "json"))

    assert csv_header == names
    assert xlsx_header == names
    assert [field["name"] for field in document["fields"]] == names
    assert all(list(row) == names for row in document["rows"])


def typed(kind: str, value: object) -> object:
    """A cell of any format as one comparable value of the column's type."""
    if value is None or value == "":
        return None
    if kind == opendata.Kind.BOOLEAN:
        return value in (True, "true")
    if kind == opendata.Kind.INTEGER:
        return int(value)  # type: ignore[call-overload]
    if kind == opendata.Kind.DECIMAL:
        return float(value)  # type: ignore[arg-type]
    if kind == opendata.Kind.DATE:
        if isinstance(value, datetime):
            return value.date().isoformat()
        return value.isoformat() if isinstance(value, date) else value
    return str(value)


@pytest.mark.parametrize("dataset", list(opendata.DATASETS))
def test_the_three_formats_carry_the_same_rows(world: World, dataset: str) -> None:
    region = world.region
    kinds = [column.kind for column in opendata.DATASETS[dataset].columns]

    def rows(cells: list[list[object]]) -> list[list[object]]:
        return [[typed(kind, cell) for kind, cell in zip(kinds, row, strict=True)] for row in cells]

    as_csv = rows([list(row.values()) for row in csv_rows(region, dataset)])
    as_xlsx = rows([list(row) for row in xlsx_rows(region, dataset)[1:]])
    as_json = rows(
        [list(row.values()) for row in json.loads(download(region, dataset, "json"))["rows"]]
    )

    assert as_csv, dataset  # the world gives every dataset a row
    assert as_csv == as_xlsx
    assert as_csv == as_json


def test_the_json_file_names_the_dataset_when_it_was_made_and_its_licence(world: World) -> None:
    document = json.loads(download(world.region, "plans", "json"))

    assert document["dataset"] == "plans"
    assert document["region"] == {"code": "24", "name": world.region.name}
    assert document["licence"] == opendata.LICENCE_ID
    assert datetime.fromisoformat(document["generated_at"]).tzinfo is not None
    assert {field["type"] for field in document["fields"]} <= {
        "text",
        "integer",
        "decimal",
        "date",
        "boolean",
    }
    assert [row["title"] for row in document["rows"]] == [OPEN_PLAN]
    assert document["rows"][0]["budget_total"] == 280_000  # numbers stay numbers
    assert document["rows"][0]["decided_on"] == "2026-12-01"


def test_the_xlsx_header_is_bold_and_frozen(world: World) -> None:
    book = load_workbook(io.BytesIO(download(world.region, "initiatives", "xlsx")))
    sheet = book.active

    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet.cell(row=2, column=1).font.bold


def test_csv_is_utf8_with_a_header_row(world: World) -> None:
    content = download(world.region, "municipalities", "csv")

    assert not content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    by_code = {row["municipality_code"]: row for row in rows}
    assert by_code[world.home.code]["municipality"] == "Vindeln"
    assert by_code[world.home.code]["publishes_radar"] == "true"
    assert by_code[world.home.code]["publishes_plans"] == "false"
    assert by_code[world.silent.code]["publishes_maturity"] == "false"
    assert len(rows) == world.region.municipalities.count()


def test_the_file_is_an_attachment_with_an_ascii_name(world: World) -> None:
    response = Client().get(
        reverse("regional:data_download", args=[world.region.code, "plans", "csv"])
    )

    disposition = response["Content-Disposition"]
    place = slugify(world.region.name)  # "region-vasterbotten" in the demo
    assert place.isascii() and place
    assert disposition.startswith(f'attachment; filename="{place}-plans-20')
    assert disposition.endswith('.csv"')
    assert disposition.isascii()
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")


@pytest.mark.parametrize(
    ("dataset", "fmt"), [("plans", "pdf"), ("plans", "CSV"), ("secrets", "csv"), ("", "json")]
)
def test_an_unknown_dataset_or_format_is_not_found(world: World, dataset: str, fmt: str) -> None:
    path = f"/public/regions/{world.region.code}/data/{dataset}.{fmt}"

    assert Client().get(path).status_code == 404


def test_no_file_carries_what_a_municipality_has_not_published(world: World) -> None:
    seen = everything_public(Client(), world.region)
    files = {path: text for path, text in seen.items() if "/data/" in path and "." in path[-5:]}

    assert len(files) == len(opendata.DATASETS) * len(opendata.FORMATS)
    for path, text in files.items():
        for hidden in (
            SECRET_PLAN,
            SECRET_INITIATIVE,
            SILENT_PLAN,
            SILENT_INITIATIVE,
            SILENT_WAVE,
            DRAFT_PLAN,
            HIDDEN_DAY.isoformat(),  # the day Vindeln's and Nordmaling's rounds opened
            "Ett skäl som ingen ser",
            "Ett beslut som inte publiceras.",
        ):
            assert hidden not in text, (path, hidden)
    published = "\n".join(files.values())
    for shown in (OPEN_PLAN, OPEN_INITIATIVE, SHOWN_WAVE, HOME_WAVE):
        assert shown in published


@pytest.mark.parametrize("dataset", ["maturity_scores", "radar", "plans", "initiatives", "budget"])
def test_rows_come_only_from_municipalities_publishing_that_part(
    world: World, dataset: str
) -> None:
    codes = {row["municipality_code"] for row in csv_rows(world.region, dataset)}

    expected = {world.shown.code, world.home.code} if dataset == "radar" else {world.shown.code}
    assert codes == expected


def test_a_survey_below_the_minimum_is_in_no_file_until_enough_answer(world: World) -> None:
    def modes() -> set[str]:
        return {row["mode"] for row in csv_rows(world.region, "maturity_scores")}

    opened = world.small_survey.opened_on.isoformat()
    for path in download_paths(world.region):
        content = Client().get(path).content
        assert opened not in readable(path, content), path
    assert modes() == {Mode.CONSENSUS}  # the open group round is not in it either

    add_answers(world.small_survey, 1)

    assert world.small_survey.response_count == min_group_size()
    assert modes() == {Mode.CONSENSUS, Mode.SURVEY}


def test_scores_are_per_dimension_of_closed_rounds(world: World) -> None:
    rows = csv_rows(world.region, "maturity_scores")

    assert {row["round_opened_on"] for row in rows} == {world.group_round.opened_on.isoformat()}
    assert {row["score"] for row in rows} == {"75.0"}
    assert len({row["dimension_key"] for row in rows}) == len(rows)


def queries(path: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(path).status_code == 200
    return len(captured.captured_queries)


def test_a_download_takes_as_many_queries_for_many_municipalities_as_for_one(
    region: Region,
) -> None:
    open_page(region)
    municipalities = list(region.municipalities.order_by("code"))
    publish_everything(municipalities[0], region, 0)
    paths = [
        reverse("regional:data_download", args=[region.code, key, "json"])
        for key in opendata.DATASETS
    ]
    one = [queries(path) for path in paths]

    for number, municipality in enumerate(municipalities[1:6], start=1):
        publish_everything(municipality, region, number)
    six = [queries(path) for path in paths]

    assert len(json.loads(Client().get(paths[3]).content)["rows"]) == 6  # six plans
    assert six == one
