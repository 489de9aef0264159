"""The region the public-page and open-data tests read: three municipalities that publish all,
a part, or nothing, each with maturity rounds, a radar and plans, and the helpers that read
every public page and file as text.

- Bjurholm (neighbour) publishes everything: a closed group round (shown), a closed staff survey
  with fewer answers than the minimum (never shown), an open group round (never shown), a decided
  plan (shown), a draft plan (never shown), a wave on its radar.
- Vindeln (home) publishes its radar only: its closed round and its decided plan stay hidden.
- Nordmaling publishes nothing: its decided plan and its wave stay hidden.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from forandra.maturity import services as maturity_services
from forandra.maturity.instrument import default_instrument
from forandra.maturity.models import Mode, Round, min_group_size
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality, Region
from forandra.plans import services as plan_services
from forandra.plans.models import PlanVersion
from forandra.regional import opendata, services
from forandra.scanning import services as scanning_services
from forandra.scanning.models import Wave
from tests.conftest import Users
from tests.plans import builders

OPEN_PLAN = "Bjurholms beslutade plan"
OPEN_INITIATIVE = "Digital bokning av lokaler i Bjurholm"
DRAFT_PLAN = "Bjurholms utkast som ingen ser"
SECRET_PLAN = "Vindelns opublicerade plan"
SECRET_INITIATIVE = "Hemlig insats i Vindeln"
SILENT_PLAN = "Nordmalings opublicerade plan"
SILENT_INITIATIVE = "Tyst insats i Nordmaling"
SHOWN_WAVE = "Bjurholms synliga våg"
HOME_WAVE = "Vindelns publicerade våg"
SILENT_WAVE = "Nordmalings dolda våg"
# Vindeln's and Nordmaling's group rounds open on days no published round has, so a date in a
# page or file would tell of them.
HIDDEN_DAY = date(2025, 2, 17)


@dataclass
class World:
    region: Region
    shown: Municipality  # Bjurholm: everything
    home: Municipality  # Vindeln: radar only
    silent: Municipality  # Nordmaling: nothing
    group_round: Round  # Bjurholm's closed group round
    small_survey: Round  # Bjurholm's closed survey, one answer short of the minimum
    open_round: Round  # Bjurholm's open group round
    hidden_round: Round  # Vindeln's closed group round


def group_round(municipality: Municipality, opened_on: date, value: int, *, close: bool) -> Round:
    """A group round answering `value` to every statement (reversed ones the other way)."""
    round_ = maturity_services.round_open(
        municipality=municipality, mode=Mode.CONSENSUS, title="Gruppen", opened_on=opened_on
    )
    maturity_services.consensus_save(
        round_=round_,
        answers={
            statement.key: (6 - value if statement.reverse else value, "Ett skäl som ingen ser")
            for _dimension, statement in default_instrument().statements()
        },
    )
    if close:
        maturity_services.round_close(round_=round_, at=datetime(2026, 1, 1, 12, tzinfo=UTC))
    round_.refresh_from_db()
    return round_


def survey_round(municipality: Municipality, opened_on: date, answers: int) -> Round:
    """A closed staff survey with `answers` responses."""
    round_ = maturity_services.round_open(
        municipality=municipality, mode=Mode.SURVEY, title="Enkäten", opened_on=opened_on
    )
    add_answers(round_, answers)
    maturity_services.round_close(round_=round_, at=datetime(2026, 4, 1, 12, tzinfo=UTC))
    round_.refresh_from_db()
    return round_


def add_answers(round_: Round, answers: int) -> None:
    statements = default_instrument().statements()
    maturity_services.survey_import(
        round_=round_,
        responses=[
            maturity_services.ImportedResponse(
                answers={statement.key: 1 + i % 5 for _d, statement in statements}
            )
            for i in range(answers)
        ],
        on=round_.opened_on,
    )
    round_.refresh_from_db()


def decided_plan(
    municipality: Municipality, title: str, initiative: str, first_year: int = 2027
) -> PlanVersion:
    plan = builders.make_plan(
        municipality, title=title, first_year=first_year, last_year=first_year + 2
    )
    version = plan_services.current_version(plan)
    builders.add_initiative(version, title=initiative)
    plan_services.version_submit(version=version, user=None)
    plan_services.version_decide(
        version=version,
        outcome="approved",
        comment="Ett beslut som inte publiceras.",
        decided_on=date(2026, 12, 1),
        user=None,
    )
    version.refresh_from_db()
    return version


def wave(region: Region, key: str, name: str) -> Wave:
    return scanning_services.wave_create(region=region, key=key, name_sv=name, name_en=name)


def build_world(region: Region, shown: Municipality, home: Municipality) -> World:
    silent = municipality_selectors.municipality_get(code="2401")  # Nordmaling
    k = min_group_size()
    world = World(
        region=region,
        shown=shown,
        home=home,
        silent=silent,
        group_round=group_round(shown, date(2026, 3, 1), 4, close=True),
        small_survey=survey_round(shown, date(2026, 3, 20), k - 1),
        open_round=group_round(shown, date(2026, 5, 1), 2, close=False),
        hidden_round=group_round(home, HIDDEN_DAY, 5, close=True),
    )
    group_round(silent, HIDDEN_DAY, 1, close=True)
    decided_plan(shown, OPEN_PLAN, OPEN_INITIATIVE)
    draft = builders.make_plan(shown, title=DRAFT_PLAN, first_year=2030, last_year=2031)
    builders.add_initiative(plan_services.current_version(draft), title="Utkastets insats")
    decided_plan(home, SECRET_PLAN, SECRET_INITIATIVE)
    decided_plan(silent, SILENT_PLAN, SILENT_INITIATIVE)
    scanning_services.placement_set(
        municipality=shown, wave=wave(region, "synlig", SHOWN_WAVE), ring="adopt"
    )
    scanning_services.placement_set(
        municipality=home,
        wave=wave(region, "hemma", HOME_WAVE),
        ring="try",
        rationale="Ett skäl som ingen ser",
    )
    scanning_services.placement_set(
        municipality=silent, wave=wave(region, "dold", SILENT_WAVE), ring="watch"
    )
    services.publication_set(municipality=shown, maturity=True, radar=True, plans=True, by=None)
    services.publication_set(municipality=home, maturity=False, radar=True, plans=False, by=None)
    open_page(region)
    return world


def open_page(region: Region) -> None:
    services.public_summary_set(region=region, enabled=True, intro="Välkommen.", by=None)


@pytest.fixture(name="world")
def world_fixture(
    users: Users, region: Region, neighbour: Municipality, home: Municipality
) -> World:
    return build_world(region, neighbour, home)


# --- Reading what the public gets ----------------------------------------------------------------


def download_paths(region: Region) -> list[str]:
    return [
        reverse("regional:data_download", args=[region.code, dataset.key, fmt])
        for dataset in opendata.datasets()
        for fmt in opendata.FORMATS
    ]


def public_paths(region: Region) -> list[str]:
    return [
        reverse("regional:public_summary", args=[region.code]),
        reverse("regional:data_dictionary", args=[region.code]),
        *download_paths(region),
    ]


def readable(path: str, content: bytes) -> str:
    """A file's text as a reader would search it: an XLSX is unzipped, its XML parts joined."""
    if path.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "\n".join(
                book.read(name).decode() for name in book.namelist() if name.endswith(".xml")
            )
    return content.decode()


def everything_public(client: Client, region: Region) -> dict[str, str]:
    """path -> text of every public page and file; each must answer 200."""
    seen = {}
    for path in public_paths(region):
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = readable(path, response.content)
    return seen


def test_the_world_is_as_described(world: World) -> None:
    assert world.small_survey.response_count == min_group_size() - 1
    assert world.group_round.closed_at is not None
    assert world.open_round.closed_at is None
    assert world.hidden_round.closed_at is not None
