"""The Västerbotten demo: the programme the product comes from, with made-up people.

Region Västerbotten ran "Att leda digital förändring" for its 15 municipalities; 14 of them
formed digitalisation groups. The demo loads that region with groups of about five people from
varied functions, and one login per role. Every demo object is marked `is_demo`, and pages that
show demo data say so. Later domains add their own demo data here, one step each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from forandra.accounts import selectors as account_selectors
from forandra.accounts import services as account_services
from forandra.accounts.models import Role
from forandra.ideas import demo as ideas_demo
from forandra.maturity import services as maturity_services
from forandra.maturity.instrument import Instrument, default_instrument
from forandra.maturity.models import Mode
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities import services as municipality_services
from forandra.municipalities.models import GroupRole, Municipality, Unit
from forandra.plans import demo as plans_demo
from forandra.programme import demo as programme_demo
from forandra.regional import demo as regional_demo
from forandra.scanning import demo as scanning_demo

DEMO_PASSWORD = "demo-forandra"  # noqa: S105 (printed to the person who starts the demo)
REGION_CODE = "24"
REGION_NAME = "Region Västerbotten"
# Umeå ran its own programme ("Teach us to lead digitally"), so it has no group in the demo.
WITHOUT_GROUP = {"2480"}
HOME_MUNICIPALITY = "2404"  # Vindeln: where the member and leadership demo logins belong

FIRST_NAMES = [
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Johan",
    "Sara",
    "Per",
    "Eva",
    "Anders",
    "Lena",
    "Mikael",
    "Emma",
    "Nils",
    "Ingrid",
    "Olof",
    "Sofia",
    "Jonas",
    "Elin",
    "Henrik",
]
LAST_NAMES = [
    "Lindqvist",
    "Öberg",
    "Nilsson",
    "Holmström",
    "Berglund",
    "Sjöberg",
    "Lundgren",
    "Åström",
    "Markström",
    "Granberg",
    "Burman",
    "Wikström",
    "Forsberg",
    "Hedlund",
]
FUNCTIONS = [
    "Socialtjänst",
    "IT",
    "Skola",
    "Äldreomsorg",
    "Ekonomi",
    "Kommunikation",
    "Samhällsbyggnad",
    "HR",
    "Kultur och fritid",
    "Kommunledning",
    "Bibliotek",
    "Teknisk förvaltning",
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    scope: str


@dataclass(frozen=True)
class DemoResult:
    loaded: bool
    logins: list[DemoLogin]


def database_is_empty() -> bool:
    """Empty means: nobody has signed up and no group exists. The register does not count."""
    return not account_selectors.any_user_exists() and not municipality_selectors.any_group_exists()


def demo_logins() -> list[DemoLogin]:
    """The demo accounts that exist, for printing at start."""
    return [
        DemoLogin(
            role=str(user.get_role_display()),
            username=user.username,
            scope=str(user.region or user.municipality or ""),
        )
        for user in account_selectors.demo_users()
    ]


@transaction.atomic
def demo_load() -> DemoResult:
    """Load the demo into an empty database; leave a database with data untouched."""
    if not database_is_empty():
        return DemoResult(loaded=False, logins=demo_logins())

    # Step 1: the official register, so the region and its municipalities exist.
    municipality_services.register_load()
    region = municipality_selectors.region_get(code=REGION_CODE)
    municipality_services.region_rename(region=region, name=REGION_NAME)

    # Step 2: a digitalisation group in 14 of the 15 municipalities, 4 to 6 people each, drawn
    # deterministically so every demo looks the same.
    municipalities = list(municipality_selectors.region_municipalities(region=region))
    person = 0
    for index, municipality in enumerate(municipalities):
        if municipality.code in WITHOUT_GROUP:
            continue
        group = municipality_services.group_create(
            municipality=municipality,
            name=f"Digitaliseringsgruppen i {municipality.name}",
            is_demo=True,
        )
        size = 4 + index % 3
        for seat in range(size):
            first = FIRST_NAMES[person % len(FIRST_NAMES)]
            last = LAST_NAMES[(person * 7 + index) % len(LAST_NAMES)]
            # A few groups repeat a function, so cross-functionality differs between groups.
            function = FUNCTIONS[(index * 3 + seat * (1 + index % 2)) % len(FUNCTIONS)]
            group_role = GroupRole.MEMBER
            if seat == 0:
                group_role = GroupRole.LEAD
            elif seat == size - 1:
                group_role = GroupRole.SPONSOR
            municipality_services.member_add(
                group=group,
                name=f"{first} {last}",
                email=f"{first}.{last}.{person}@demo.example".lower().translate(
                    str.maketrans("åäö", "aao")
                ),
                function=function,
                role=group_role,
            )
            person += 1

    # Step 3: the maturity baseline (2018) and follow-up (2019), in both modes, and in the home
    # municipality an open staff survey, so the survey can be tried from its link.
    _maturity_rounds(municipalities)
    maturity_services.round_open(
        municipality=municipality_selectors.municipality_get(code=HOME_MUNICIPALITY),
        mode=Mode.SURVEY,
        title="Personalenkät 2026",
        opened_on=date(2026, 3, 2),
        invited=45,
        is_demo=True,
    )

    home = municipality_selectors.municipality_get(code=HOME_MUNICIPALITY)
    # Step 4: environmental scanning: waves, feeds and their signals, and a radar per group.
    scanning_demo.demo_load(
        region=region,
        municipalities=[m for m in municipalities if m.code not in WITHOUT_GROUP],
        home=home,
    )

    # Step 5: one login per role.
    accounts = [
        ("demo-koordinator", Role.COORDINATOR, "Kerstin", "Koordinator", region, None),
        ("demo-grupp", Role.MEMBER, "Gustav", "Gruppmedlem", None, home),
        ("demo-ledning", Role.LEADERSHIP, "Linnea", "Ledning", None, home),
        ("demo-admin", Role.ADMIN, "Adam", "Administratör", None, None),
    ]
    logins = {}
    for username, role, first, last, user_region, user_municipality in accounts:
        logins[username] = account_services.user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.example",
            region=user_region,
            municipality=user_municipality,
            is_demo=True,
        )

    # Step 6: the 2018 programme: cohorts, sessions, attendance, home assignments, and the home
    # group's workshop 1 work; the coordinator facilitates it.
    programme_demo.demo_load(
        region=region,
        municipalities=[m for m in municipalities if m.code not in WITHOUT_GROUP],
        coordinator=logins["demo-koordinator"],
        member=logins["demo-grupp"],
        leadership=logins["demo-ledning"],
    )
    # Step 7: idea banks in every group's municipality, and Vindeln's dot votes.
    ideas_demo.demo_load(
        region=region,
        municipalities=[m for m in municipalities if m.code not in WITHOUT_GROUP],
        member=logins["demo-grupp"],
        coordinator=logins["demo-koordinator"],
    )
    # Step 8: thirty transformation plans in every status, with decisions and check-ins.
    plans_demo.demo_load(
        region=region,
        municipalities=municipalities,
        member=logins["demo-grupp"],
        leadership=logins["demo-ledning"],
        coordinator=logins["demo-koordinator"],
    )
    # Step 9: what the municipalities publish, the region's public page, a joint initiative.
    regional_demo.demo_load(
        region=region, municipalities=municipalities, coordinator=logins["demo-koordinator"]
    )
    return DemoResult(loaded=True, logins=demo_logins())


UNITS = [
    "Socialtjänst",
    "Skola och förskola",
    "Vård och omsorg",
    "Samhällsbyggnad",
    "Kommunledning",
]


def _answer(rng: random.Random, level: float, instrument: Instrument, reverse: bool) -> int | None:
    """One plausible answer around a 0-100 level; now and then "don't know"."""
    if rng.random() < 0.06:
        return None
    size = instrument.scale.size
    value = round(1 + (size - 1) * level / 100 + rng.gauss(0, 0.8))
    value = max(1, min(size, value))
    return size + 1 - value if reverse else value


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def _maturity_rounds(municipalities: list[Municipality]) -> None:
    """Synthetic but plausible rounds: each municipality has its own profile, the staff see it
    a little lower than the group does, and most dimensions rise from 2018 to 2019."""
    rng = random.Random(2018)  # noqa: S311 (demo data, not security)
    instrument = default_instrument()
    for municipality in municipalities:
        if municipality.code in WITHOUT_GROUP:
            continue
        units = [Unit.objects.create(municipality=municipality, name=name) for name in UNITS]
        profile = {d.key: rng.uniform(25, 60) for d in instrument.dimensions}
        for year, lift in ((2018, 0.0), (2019, 1.0)):
            levels = {
                key: min(95.0, value + lift * rng.uniform(-2, 12)) for key, value in profile.items()
            }
            consensus = maturity_services.round_open(
                municipality=municipality,
                mode=Mode.CONSENSUS,
                title=f"Gruppens bedömning {year}",
                opened_on=date(year, 3, 14),
                is_demo=True,
            )
            maturity_services.consensus_save(
                round_=consensus,
                answers={
                    statement.key: (
                        _answer(rng, levels[dimension.key], instrument, statement.reverse),
                        "",
                    )
                    for dimension, statement in instrument.statements()
                },
            )
            maturity_services.round_close(round_=consensus, at=_noon(date(year, 3, 14)))
            invited = rng.randint(30, 60)
            survey = maturity_services.round_open(
                municipality=municipality,
                mode=Mode.SURVEY,
                title=f"Personalenkät {year}",
                opened_on=date(year, 3, 20),
                invited=invited,
                is_demo=True,
            )
            responses = []
            for _index in range(int(invited * rng.uniform(0.4, 0.8))):
                staff_gap = rng.uniform(4, 14)
                responses.append(
                    maturity_services.ImportedResponse(
                        answers={
                            statement.key: _answer(
                                rng,
                                levels[dimension.key] - staff_gap,
                                instrument,
                                statement.reverse,
                            )
                            for dimension, statement in instrument.statements()
                        },
                        unit=rng.choice([*units, None]),
                    )
                )
            maturity_services.survey_import(
                round_=survey, responses=responses, on=date(year, 3, 28)
            )
            maturity_services.round_close(round_=survey, at=_noon(date(year, 4, 3)))
