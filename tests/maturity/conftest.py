from __future__ import annotations

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
