"""Helpers for the programme tests: a programme in Region Västerbotten, times in Stockholm."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import DigitalisationGroup, Municipality, Region
from forandra.programme import services
from forandra.programme.models import Cohort, Programme, Session
from tests.conftest import make_group

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Region Västerbotten's municipalities other than Vindeln (2404) and Bjurholm (2403).
MORE_CODES = [
    "2401", "2409", "2417", "2418", "2421", "2422", "2425", "2460", "2462", "2463", "2480",
    "2481", "2482",
]  # fmt: skip


def at(day: str, time: str) -> datetime:
    """An aware Stockholm time: `at("2026-03-10", "09:00")`."""
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=STOCKHOLM)


def make_programme(
    region: Region, municipalities: list[Municipality], **options: object
) -> Programme:
    return services.programme_create(
        region=region,
        name="Att leda digital förändring 2026",
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 6, 30),
        municipalities=municipalities,
        **options,  # type: ignore[arg-type]
    )


def more_groups(count: int, skip: int = 0) -> list[DigitalisationGroup]:
    """Groups in `count` further municipalities of the region, each with three functions."""
    groups = []
    for code in MORE_CODES[skip : skip + count]:
        municipality = municipality_selectors.municipality_get(code=code)
        groups.append(make_group(municipality, ["IT", "Skola", "Omsorg"]))
    return groups


def schedule_four(programme: Programme, cohort: Cohort, days: list[str]) -> list[Session]:
    """The four workshops for the cohort, mornings 09:00-12:30 on the given days."""
    return [
        services.session_schedule(
            workshop=programme.workshops.get(number=number),
            cohort=cohort,
            starts_at=at(day, "09:00"),
            ends_at=at(day, "12:30"),
            place="Kommunhuset, Vindeln",
        )
        for number, day in enumerate(days, start=1)
    ]


def programme_with_records(group: DigitalisationGroup) -> Programme:
    """A programme with one of every record (cohort, session, attendance, assignment status) for
    the group, so that each admin page has an object to show."""
    municipality = group.municipality
    programme = make_programme(municipality.region, [municipality])
    cohort = services.cohort_create(programme=programme, name="Kohort A", groups=[group])
    session = schedule_four(programme, cohort, ["2026-03-10"])[0]
    member = group.members.order_by("pk")[0]
    services.attendance_set(session=session, member=member, present=True)
    services.assignment_status_set(
        assignment=programme.assignments.order_by("pk")[0], group=group, state="in_progress"
    )
    return programme
