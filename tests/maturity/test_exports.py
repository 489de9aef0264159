from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from forandra.maturity import services
from forandra.maturity.instrument import Instrument, load_instrument
from forandra.maturity.models import Round
from forandra.municipalities.models import Unit
from tests.conftest import Users
from tests.maturity.conftest import fill

pytestmark = pytest.mark.django_db


def export(client: Client, round_: Round, kind: str, fmt: str) -> object:
    return client.get(reverse("maturity:round_export", args=["2404", round_.pk, kind, fmt]))


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def member_client(client: Client, users: Users) -> Client:
    client.force_login(users.member)
    return client


def test_no_export_of_a_survey_with_too_few_responses(
    member_client: Client, survey: Round, instrument: Instrument
) -> None:
    fill(survey, instrument, [(None, 4)])

    for kind in ("scores", "responses"):
        for fmt in ("csv", "xlsx"):
            assert export(member_client, survey, kind, fmt).status_code == 404  # type: ignore[attr-defined]


def test_responses_export_names_only_departments_large_enough(
    member_client: Client, survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    school, care, _it = units
    fill(survey, instrument, [(school, 5), (care, 2)])

    rows = read_csv(export(member_client, survey, "responses", "csv").content)  # type: ignore[attr-defined]

    assert len(rows) == 1 + 7
    assert rows[0][:2] == ["Svar", "Förvaltning"]
    assert len(rows[0]) == 2 + len(instrument.statements())
    departments = [row[1] for row in rows[1:]]
    assert departments.count("Skola") == 5
    assert "Vård" not in departments
    assert departments.count("") == 2


def test_scores_export_in_excel_has_the_overall_and_merged_small_departments(
    member_client: Client, survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    school, care, it = units
    fill(survey, instrument, [(school, 6), (care, 3), (it, 3)])

    response = export(member_client, survey, "scores", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active  # type: ignore[attr-defined]
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]

    assert [row[:2] for row in rows[1:]] == [
        ("Alla", 12),
        ("Skola", 6),
        ("Övriga förvaltningar", 6),
    ]
    assert len(rows[0]) == 3 + len(instrument.dimensions)
    assert all(0 <= value <= 100 for value in rows[1][2:])


def test_consensus_export_keeps_the_groups_reasons(
    member_client: Client, consensus: Round, instrument: Instrument
) -> None:
    key = instrument.dimensions[0].statements[0].key
    services.consensus_save(round_=consensus, answers={key: (4, "Beslutad strategi")})

    rows = read_csv(export(member_client, consensus, "responses", "csv").content)  # type: ignore[attr-defined]

    assert rows[1][rows[0].index(key)] == "4"
    assert "Beslutad strategi" in rows[1]


def test_the_instrument_downloads_as_the_yaml_it_was_published_from(
    member_client: Client, survey: Round, instrument: Instrument
) -> None:
    response = member_client.get(reverse("maturity:instrument_yaml", args=["2404", survey.pk]))

    assert load_instrument(response.content.decode()) == instrument
