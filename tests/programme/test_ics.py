"""Calendar export: parsed back with icalendar, the events are the sessions."""

from __future__ import annotations

import pytest
from django.utils import translation
from icalendar import Calendar

from forandra.municipalities.models import DigitalisationGroup, Municipality, Region
from forandra.programme import ics, services
from forandra.programme.models import Programme, Session

from .builders import at, make_programme, schedule_four

DAYS = ["2026-03-10", "2026-04-07", "2026-05-05", "2026-06-02"]


@pytest.fixture
def programme(region: Region, home: Municipality, neighbour: Municipality) -> Programme:
    return make_programme(region, [home, neighbour])


@pytest.fixture
def sessions(
    programme: Programme, home_group: DigitalisationGroup, neighbour_group: DigitalisationGroup
) -> tuple[list[Session], list[Session]]:
    first = services.cohort_create(programme=programme, name="Kohort A", groups=[home_group])
    second = services.cohort_create(programme=programme, name="Kohort B", groups=[neighbour_group])
    return (
        schedule_four(programme, first, DAYS),
        schedule_four(programme, second, ["2026-03-12", "2026-04-09", "2026-05-07", "2026-06-04"]),
    )


def events(data: bytes) -> list:
    return Calendar.from_ical(data).walk("VEVENT")


def test_the_programme_calendar_has_every_session_with_its_details(programme, sessions):
    data = ics.programme_calendar(programme=programme, language="en")

    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == programme.name
    found = events(data)
    all_sessions = sorted(sessions[0] + sessions[1], key=lambda s: s.starts_at)
    assert [str(e["UID"]) for e in found] == [str(s.uid) for s in all_sessions]
    first = found[0]
    assert first.decoded("DTSTART") == at("2026-03-10", "09:00")
    assert first.decoded("DTEND") == at("2026-03-10", "12:30")
    assert first.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert b"DTSTART:20260310T080000Z" in data
    assert str(first["SUMMARY"]) == "Workshop 1: What is digitalisation? (Kohort A)"
    assert str(first["LOCATION"]) == "Kommunhuset, Vindeln"
    assert str(first["DESCRIPTION"]).startswith("The group means the same things")
    assert int(first["SEQUENCE"]) == 0


def test_the_calendar_speaks_swedish_by_default(programme, sessions):
    with translation.override("sv"):
        first = events(ics.programme_calendar(programme=programme))[0]

    assert "Vad är digitalisering?" in str(first["SUMMARY"])
    assert str(first["DESCRIPTION"]).startswith("Gruppen menar samma sak")


def test_a_group_calendar_has_only_its_cohort_s_sessions(programme, sessions, neighbour_group):
    found = events(ics.group_calendar(programme=programme, group=neighbour_group, language="en"))

    assert [str(e["UID"]) for e in found] == [str(s.uid) for s in sessions[1]]
    assert all("(Kohort B)" in str(e["SUMMARY"]) for e in found)


def test_a_moved_session_keeps_its_uid_and_raises_its_sequence(programme, sessions):
    session = sessions[0][3]
    before = {str(e["UID"]) for e in events(ics.programme_calendar(programme=programme))}
    services.session_schedule(
        workshop=session.workshop,
        cohort=session.cohort,
        starts_at=at("2026-06-03", "13:00"),
        ends_at=at("2026-06-03", "16:30"),
        place="Folkets hus",
    )

    found = events(ics.programme_calendar(programme=programme))

    assert {str(e["UID"]) for e in found} == before
    moved = next(e for e in found if str(e["UID"]) == str(session.uid))
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == at("2026-06-03", "13:00")
    assert str(moved["LOCATION"]) == "Folkets hus"


def test_a_calendar_without_sessions_is_still_a_calendar(programme):
    assert events(ics.programme_calendar(programme=programme)) == []


def test_the_file_name_is_plain_ascii(programme, home_group):
    name = ics.calendar_filename(programme=programme, group=home_group)

    assert name.startswith("att-leda-digital-forandring-2026-vindeln-") and name.endswith(".ics")
