"""The programme part of the demo: Region Västerbotten's "Att leda digital förändring 2018".

In 2018 the region ran the four workshops for the 14 municipalities with a digitalisation group
("14 municipalities x 4 workshops during 2018"). The demo groups them in four cohorts by
geography, each meeting in one of its towns, spring to autumn with the summer at home. All of
2018 is past, so every session has attendance: most members were there, some were not, and one
group missed a workshop altogether. The home assignments stand differently from group to group,
and what is not done is late. Vindeln, where the demo logins belong, has its own definitions of
a few of the glossary's terms and a board of challenges, opportunities and risks from workshop 1;
the demo leader has worked through two modules of the learning path.

Everything is drawn deterministically (a seeded random.Random), so every demo looks the same.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from forandra.accounts.models import User
from forandra.municipalities.models import DigitalisationGroup, Municipality, Region

from . import services
from .models import (
    AssignmentState,
    AssignmentStatus,
    Attendance,
    BoardColumn,
    BoardNote,
    DefinitionMark,
    LearningNote,
    Session,
    TermDefinition,
)

PROGRAMME_NAME = "Att leda digital förändring 2018"
STARTS_ON = date(2018, 2, 1)
ENDS_ON = date(2018, 11, 30)
HOME = "2404"  # Vindeln

# Cohorts by geography: (name, place, municipality codes). Umeå (2480) ran its own programme.
COHORTS = [
    ("Kohort A – Umeåregionen", "Kommunhuset, Vindeln", ["2401", "2403", "2404", "2409", "2460"]),
    ("Kohort B – Skelleftebygden", "Stadshuset, Skellefteå", ["2482", "2417", "2418"]),
    ("Kohort C – Södra Lappland", "Kommunhuset, Vilhelmina", ["2462", "2425", "2463"]),
    ("Kohort D – Lappland", "Kommunhuset, Lycksele", ["2481", "2421", "2422"]),
]
# The Monday of each workshop's week; cohort n meets n days later, 09:00-12:30. The summer lies
# between workshops 2 and 3, and weeks of work at home between all of them.
WORKSHOP_WEEKS = [date(2018, 2, 12), date(2018, 4, 16), date(2018, 9, 10), date(2018, 11, 5)]
STARTS_AT = time(9)
# Sorsele's group could not come to workshop 3 (the roads in September, the story goes).
MISSED = {("2422", 3)}

D, P, N = AssignmentState.DONE, AssignmentState.IN_PROGRESS, AssignmentState.NOT_STARTED
# Per group, the state of the three home assignments (after WS1, WS2, WS3). Not done is late:
# every due date was in 2018.
ASSIGNMENT_STATES = {
    "2401": (D, D, D),
    "2403": (D, D, D),
    "2404": (D, D, D),
    "2409": (D, P, N),
    "2460": (D, D, P),
    "2482": (D, D, D),
    "2417": (D, D, P),
    "2418": (P, N, N),
    "2462": (D, D, D),
    "2425": (D, D, N),
    "2463": (D, P, N),
    "2481": (D, D, D),
    "2421": (D, D, P),
    "2422": (N, N, N),
}
# Malå was given more time for its first assignment, and still has not finished it.
OWN_DUE_DATES = {("2418", 1): date(2018, 5, 31)}

# Vindeln's shared concepts from workshop 1, written by the demo member: (term, text, agrees).
DEFINITIONS = [
    (
        "digitisation",
        "Att göra om något analogt till digitalt, t.ex. att skanna pappersakter. Arbetet blir "
        "detsamma, bara i ny form.",
        True,
    ),
    (
        "digitalisation",
        "Att använda digital teknik för att förändra hur vi arbetar och vad vi erbjuder "
        "invånarna, inte bara att flytta pappret till skärmen.",
        True,
    ),
    (
        "digital_transformation",
        "När digitaliseringen ändrar hela verksamheten: roller, arbetssätt och hur vi möter "
        "invånarna. Målet är en bättre kommun, inte tekniken.",
        False,
    ),
]
BOARD = [
    (
        BoardColumn.CHALLENGE,
        "Långa avstånd och glesbygd: många invånare har långt till kommunhuset.",
    ),
    (BoardColumn.CHALLENGE, "Svårt att rekrytera IT-kompetens till en liten kommun."),
    (
        BoardColumn.OPPORTUNITY,
        "E-tjänster som är öppna dygnet runt, även för den som bor långt bort.",
    ),
    (BoardColumn.OPPORTUNITY, "Välfärdsteknik som gör att äldre kan bo kvar hemma längre."),
    (BoardColumn.OPPORTUNITY, "Samverka med grannkommunerna i stället för att bygga allt själva."),
    (BoardColumn.RISK, "Att de som inte är digitala hamnar utanför."),
    (BoardColumn.RISK, "Informationssäkerheten hänger inte med när fler tjänster blir digitala."),
]
# The demo leader's notes on two modules of the learning path.
LEARNING = [
    (
        "digital_culture",
        "Invånarna vill vara med och skapa. Vi behöver fler vägar in än blanketter och "
        "telefontider: pröva en medborgardialog digitalt i höst.",
        date(2018, 3, 5),
    ),
    (
        "leaders_role",
        "Ledningsgruppen förvaltar mest. Att leda förändring kräver att vi avsätter tid och "
        "budget för utveckling, inte bara att systemen fungerar.",
        date(2018, 4, 23),
    ),
]


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=timezone.get_current_timezone())


def _start(workshop: int, cohort_index: int) -> datetime:
    return _at(WORKSHOP_WEEKS[workshop - 1] + timedelta(days=cohort_index), STARTS_AT)


def demo_load(
    *,
    region: Region,
    municipalities: list[Municipality],
    coordinator: User,
    member: User,
    leadership: User,
) -> None:
    """The 2018 programme with its cohorts, sessions, attendance and home assignments, Vindeln's
    workshop 1 work, and the demo leader's learning notes."""
    rng = random.Random(2018_6)  # noqa: S311 (demo data, not security)
    taking_part = {m.code: m for m in municipalities}
    programme = services.programme_create(
        region=region,
        name=PROGRAMME_NAME,
        starts_on=STARTS_ON,
        ends_on=ENDS_ON,
        municipalities=[taking_part[code] for cohort in COHORTS for code in cohort[2]],
        facilitators=[coordinator],
    )
    groups = {
        group.municipality.code: group
        for group in DigitalisationGroup.objects.filter(
            municipality__code__in=taking_part
        ).select_related("municipality")
    }
    members = {code: list(group.members.order_by("pk")) for code, group in groups.items()}
    workshops = list(programme.workshops.order_by("number"))

    # Cohorts and their four sessions each.
    cohort_of: dict[str, int] = {}
    sessions: dict[tuple[int, int], Session] = {}  # (cohort index, workshop number)
    for index, (name, place, codes) in enumerate(COHORTS):
        cohort = services.cohort_create(
            programme=programme, name=name, groups=[groups[code] for code in codes]
        )
        for code in codes:
            cohort_of[code] = index
        for workshop in workshops:
            starts_at = _start(workshop.number, index)
            sessions[(index, workshop.number)] = services.session_schedule(
                workshop=workshop,
                cohort=cohort,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=workshop.minutes or 210),
                place=place,
            )

    # Attendance at every session: most members there, a few not, some leaving early.
    attendance: list[Attendance] = []
    for code, index in cohort_of.items():
        for number in range(1, len(workshops) + 1):
            session = sessions[(index, number)]
            people = members[code]
            missed = (code, number) in MISSED
            present = [not missed and rng.random() < 0.85 for _person in people]
            if people and not missed and not any(present):
                present[0] = True  # someone from the group was always there
            for person, here in zip(people, present, strict=True):
                hours = Decimal("0")
                if here:
                    early = rng.random() < 0.08  # left after the break
                    hours = session.hours - (Decimal("1.5") if early else Decimal("0"))
                attendance.append(
                    Attendance(session=session, member=person, present=here, hours=hours)
                )
    bulk_create_with_history(attendance, Attendance)

    # Home assignments: started a week after their workshop, done before (or after) the next.
    statuses = []
    assignments = list(programme.assignments.order_by("after_workshop"))
    for code, states in ASSIGNMENT_STATES.items():
        index = cohort_of[code]
        for assignment, state in zip(assignments, states, strict=True):
            due_on = OWN_DUE_DATES.get((code, assignment.after_workshop))
            if state == AssignmentState.NOT_STARTED and due_on is None:
                continue  # no row: not started
            after = sessions[(index, assignment.after_workshop)].ends_at
            following = sessions[(index, assignment.after_workshop + 1)].starts_at
            started_at = after + timedelta(days=rng.randint(3, 12), hours=rng.randint(0, 6))
            done_at = None
            if state == AssignmentState.DONE:
                # Most finish before the next workshop, now and then one a few days after it.
                done_at = following - timedelta(days=rng.randint(-4, 10), hours=rng.randint(1, 8))
                done_at = max(done_at, started_at + timedelta(days=1))
            statuses.append(
                AssignmentStatus(
                    assignment=assignment,
                    group=groups[code],
                    state=state,
                    due_on=due_on,
                    started_at=started_at if state != AssignmentState.NOT_STARTED else None,
                    done_at=done_at,
                )
            )
    bulk_create_with_history(statuses, AssignmentStatus)

    # Vindeln's workshop 1: its own definitions, the demo member's agreement, and the board.
    home = groups[HOME]
    for term_key, text, agrees in DEFINITIONS:
        definition = TermDefinition.objects.create(
            programme=programme, group=home, term_key=term_key, text=text, written_by=member
        )
        DefinitionMark.objects.create(definition=definition, user=member, agrees=agrees)
    for column, text in BOARD:
        BoardNote.objects.create(
            programme=programme, group=home, column=column, text=text, written_by=member
        )

    LearningNote.objects.bulk_create(
        LearningNote(user=leadership, module_key=key, note=note, done_at=_at(done, time(15)))
        for key, note, done in LEARNING
    )
