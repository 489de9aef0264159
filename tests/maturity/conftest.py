from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from django.utils import translation

from forandra.maturity import services
from forandra.maturity.instrument import Instrument, default_instrument
from forandra.maturity.models import Mode, Round
from forandra.municipalities.models import Municipality, Unit


@pytest.fixture
def instrument() -> Instrument:
    return default_instrument()


@pytest.fixture
def survey(home: Municipality) -> Round:
    return services.round_open(
        municipality=home,
        mode=Mode.SURVEY,
        title="Enkät 2026",
        opened_on=date(2026, 3, 1),
        invited=40,
    )


@pytest.fixture
def consensus(home: Municipality) -> Round:
    return services.round_open(
        municipality=home, mode=Mode.CONSENSUS, title="Gruppen 2026", opened_on=date(2026, 3, 2)
    )


@pytest.fixture
def units(home: Municipality) -> list[Unit]:
    return [Unit.objects.create(municipality=home, name=name) for name in ("Skola", "Vård", "IT")]


def all_answers(instrument: Instrument, value: int | None) -> dict[str, int | None]:
    return {statement.key: value for _dimension, statement in instrument.statements()}


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Messages are asserted in English, the source language."""
    with translation.override("en"):
        yield


def checked(body: str, name: str) -> str | None:
    """The value of the checked radio button of a statement, if any."""
    for tag in re.findall(r"<input[^>]*>", body):
        if f'name="{name}"' in tag and "checked" in tag:
            match = re.search(r'value="([^"]*)"', tag)
            return match.group(1) if match else None
    return None


def fill(survey: Round, instrument: Instrument, plan: list[tuple[Unit | None, int]]) -> None:
    """Submit responses: for each (department, how many), that many, with answers 1 to 5 in turn."""
    index = 0
    for unit, count in plan:
        for _ in range(count):
            services.survey_submit(
                round_=survey,
                answers=all_answers(instrument, 1 + index % 5),
                unit=unit,
                client_key=f"k{index}",
            )
            index += 1
    survey.refresh_from_db()
