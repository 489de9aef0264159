"""Calendar export (iCalendar, RFC 5545) of a programme's sessions, for all groups or for one.

Each session is one VEVENT whose UID is the session's own, kept when the session moves, and whose
SEQUENCE rises with each move, so a subscribed calendar updates the event instead of adding one.
Times are written in UTC, which every calendar client reads the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from forandra.municipalities.models import DigitalisationGroup

from . import selectors
from .models import Programme, Session

PRODID = "-//Förändra//Programme calendar//EN"


def _calendar(name: str, sessions: Iterable[Session]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = datetime.now(tz=UTC)
    for session in sessions:
        workshop = session.workshop
        event = Event()
        event.add("uid", str(session.uid))
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("sequence", session.sequence)
        event.add("last-modified", session.updated_at.astimezone(UTC))
        event.add(
            "summary",
            _("%(workshop)s: %(title)s (%(cohort)s)")
            % {"workshop": workshop.label, "title": workshop.title, "cohort": session.cohort.name},
        )
        if session.place:
            event.add("location", session.place)
        if workshop.goals:
            event.add("description", workshop.goals)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def programme_calendar(*, programme: Programme, language: str | None = None) -> bytes:
    """Every session of the programme, for the coordinator and the facilitators."""
    with translation.override(language or translation.get_language()):
        sessions = selectors.programme_sessions(programme=programme)
        return _calendar(programme.name, sessions)


def group_calendar(
    *, programme: Programme, group: DigitalisationGroup, language: str | None = None
) -> bytes:
    """The sessions of the group's cohort, for the group's members."""
    with translation.override(language or translation.get_language()):
        sessions = selectors.programme_sessions(programme=programme, group=group)
        return _calendar(f"{programme.name} – {group.name}", sessions)


def calendar_filename(*, programme: Programme, group: DigitalisationGroup | None = None) -> str:
    """A file name for the download: ASCII, no spaces, ending in .ics."""
    parts = [programme.name] + ([group.municipality.name] if group else [])
    stem = "-".join(slugify(part) for part in parts) or "programme"
    return f"{stem}-{timezone.localdate():%Y%m%d}.ics"
