"""The follow-up: what is overdue (each rule), the leadership's overview in a constant number of
queries, check-ins that follow an initiative from version to version, and the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality
from forandra.plans import followup, services
from forandra.plans.followup import Overdue, Reason, overdue_for
from forandra.plans.models import CheckIn, Initiative, Light, PlanVersion, Status
from tests.conftest import Users
from tests.plans.builders import add_initiative, complete_draft, make_plan

TODAY = date(2027, 6, 1)


# --- The rules, one by one ------------------------------------------------------------------


def an_initiative(start: date | None = None, end: date | None = None) -> Initiative:
    return Initiative(title="E-tjänst", start=start, end=end)


def a_check_in(checked_on: date, due: date | None = None) -> CheckIn:
    return CheckIn(checked_on=checked_on, next_step_due=due, light=Light.GREEN)


def test_a_next_step_past_its_date_is_overdue() -> None:
    latest = a_check_in(TODAY - timedelta(days=20), due=TODAY - timedelta(days=3))

    found = overdue_for(
        initiative=an_initiative(),
        latest=latest,
        decided_on=TODAY - timedelta(days=40),
        status=Status.IN_PROGRESS,
        today=TODAY,
    )

    assert found == [Overdue(Reason.NEXT_STEP, TODAY - timedelta(days=3), 3)]


def test_a_next_step_due_today_is_not_overdue() -> None:
    latest = a_check_in(TODAY - timedelta(days=20), due=TODAY)

    found = overdue_for(
        initiative=an_initiative(),
        latest=latest,
        decided_on=TODAY - timedelta(days=40),
        status=Status.IN_PROGRESS,
        today=TODAY,
    )

    assert found == []


@pytest.mark.parametrize(("days", "overdue"), [(92, False), (93, True)])
def test_no_check_in_for_more_than_92_days_since_the_decision_is_overdue(
    days: int, overdue: bool
) -> None:
    decided_on = TODAY - timedelta(days=days)

    found = overdue_for(
        initiative=an_initiative(start=decided_on - timedelta(days=30)),
        latest=None,
        decided_on=decided_on,
        status=Status.APPROVED,
        today=TODAY,
    )

    assert found == ([Overdue(Reason.QUIET, decided_on, days)] if overdue else [])


def test_the_quiet_time_counts_from_the_start_when_it_is_later_than_the_decision() -> None:
    start = TODAY - timedelta(days=60)

    quiet = overdue_for(
        initiative=an_initiative(start=start),
        latest=None,
        decided_on=TODAY - timedelta(days=200),
        status=Status.APPROVED,
        today=TODAY,
    )
    later = overdue_for(
        initiative=an_initiative(start=start),
        latest=None,
        decided_on=TODAY - timedelta(days=200),
        status=Status.APPROVED,
        today=TODAY + timedelta(days=40),
    )

    assert quiet == []
    assert later == [Overdue(Reason.QUIET, start, 100)]


def test_a_recent_check_in_ends_the_quiet() -> None:
    found = overdue_for(
        initiative=an_initiative(start=TODAY - timedelta(days=300)),
        latest=a_check_in(TODAY - timedelta(days=10)),
        decided_on=TODAY - timedelta(days=300),
        status=Status.IN_PROGRESS,
        today=TODAY,
    )

    assert found == []


@pytest.mark.parametrize(
    ("status", "overdue"),
    [(Status.IN_PROGRESS, True), (Status.APPROVED, True), (Status.CLOSED, False)],
)
def test_an_end_date_past_while_the_plan_is_followed_is_overdue(status: str, overdue: bool) -> None:
    end = TODAY - timedelta(days=1)

    found = overdue_for(
        initiative=an_initiative(start=TODAY - timedelta(days=50), end=end),
        latest=a_check_in(TODAY - timedelta(days=5)),
        decided_on=TODAY - timedelta(days=60),
        status=status,
        today=TODAY,
    )

    assert found == ([Overdue(Reason.ENDED, end, 1)] if overdue else [])


def test_every_reason_that_applies_is_given() -> None:
    found = overdue_for(
        initiative=an_initiative(start=TODAY - timedelta(days=400), end=TODAY - timedelta(days=7)),
        latest=a_check_in(TODAY - timedelta(days=100), due=TODAY - timedelta(days=70)),
        decided_on=TODAY - timedelta(days=400),
        status=Status.IN_PROGRESS,
        today=TODAY,
    )

    assert [item.reason for item in found] == [Reason.NEXT_STEP, Reason.QUIET, Reason.ENDED]


# --- Plans built for the overview -----------------------------------------------------------


def followed(
    municipality: Municipality,
    count: int = 1,
    *,
    decided_on: date,
    title: str = "Digital omställning 2027–2029",
    user: User | None = None,
) -> PlanVersion:
    """An approved plan with `count` initiatives that start on the day of the decision."""
    version = services.current_version(make_plan(municipality, user, title=title))
    for n in range(count):
        initiative = add_initiative(version, title=f"Initiativ {n + 1}")
        initiative.start, initiative.end = decided_on, decided_on + timedelta(days=600)
        initiative.save()
    services.version_submit(version=version, user=user)
    services.version_decide(
        version=version, outcome=Status.APPROVED, comment="Ja.", decided_on=decided_on, user=user
    )
    version.refresh_from_db()
    return version


def check_in(
    initiative: Initiative, on: date, light: str = Light.GREEN, due: date | None = None
) -> CheckIn:
    return services.check_in(
        initiative=initiative,
        checked_on=on,
        light=light,
        narrative=f"Läget {on.isoformat()}",
        next_step=f"Nästa steg efter {on.isoformat()}",
        next_step_due=due,
        user=None,
    )


def with_check_ins(version: PlanVersion, day: date) -> None:
    for initiative in version.initiatives.all():
        check_in(initiative, day - timedelta(days=30))
        check_in(initiative, day - timedelta(days=5), Light.YELLOW)


@pytest.mark.django_db
def test_the_overview_reads_3_or_12_initiatives_in_three_queries(
    home: Municipality, django_assert_num_queries
) -> None:
    decided_on = TODAY - timedelta(days=120)
    with_check_ins(followed(home, 3, decided_on=decided_on, title="Första"), TODAY)
    with django_assert_num_queries(3):
        few = followup.leadership_overview(municipality=home, today=TODAY)

    with_check_ins(followed(home, 9, decided_on=decided_on, title="Andra"), TODAY)
    with django_assert_num_queries(3):
        many = followup.leadership_overview(municipality=home, today=TODAY)

    assert [len(plan.initiatives) for plan in few] == [3]
    assert [len(plan.initiatives) for plan in many] == [9, 3]  # "Andra" before "Första"
    latest = many[1].initiatives[0].latest
    assert latest is not None and latest.light == Light.YELLOW
    assert latest.checked_on == TODAY - timedelta(days=5)


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def english(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_the_overview_page_takes_as_many_queries_for_12_initiatives_as_for_3(
    home: Municipality, users: Users
) -> None:
    today = timezone.localdate()
    decided_on = today - timedelta(days=120)
    page = english(users.leadership)
    url = reverse("plans:leadership_overview", args=[home.code])
    with_check_ins(followed(home, 3, decided_on=decided_on), today)
    few = page_queries(page, url)
    with_check_ins(followed(home, 9, decided_on=decided_on, title="Andra"), today)

    many = page_queries(page, url)

    assert many == few
    body = page.get(url).content.decode()
    assert body.count('class="check-in"') == 12


@pytest.mark.django_db
def test_the_overview_says_what_is_overdue_and_why(home: Municipality, users: Users) -> None:
    today = timezone.localdate()
    version = followed(home, 3, decided_on=today - timedelta(days=200))
    late, _quiet, fine = version.initiatives.order_by("pk")
    check_in(late, today - timedelta(days=20), Light.RED, due=today - timedelta(days=2))
    check_in(fine, today - timedelta(days=3), Light.GREEN, due=today + timedelta(days=30))

    body = (
        english(users.leadership)
        .get(reverse("plans:leadership_overview", args=[home.code]))
        .content.decode()
    )

    assert "2 initiatives have something overdue" in body
    with translation.override("en"):
        due = formats.date_format(today - timedelta(days=2), "SHORT_DATE_FORMAT")
    assert f"The next step was due on {due}." in body
    assert "No check-in for 200 days" in body
    assert "Stuck" in body and "On track" in body  # lights in words
    assert "■" in body and "●" in body  # and shapes


@pytest.mark.django_db
def test_the_overview_shows_followed_plans_only(
    home: Municipality, neighbour: Municipality
) -> None:
    decided_on = TODAY - timedelta(days=10)
    followed(home, decided_on=decided_on, title="Följs")
    closed = followed(home, decided_on=decided_on, title="Stängd")
    services.version_close(version=closed)
    complete_draft(home)
    followed(neighbour, decided_on=decided_on, title="Grannens")

    plans = followup.leadership_overview(municipality=home, today=TODAY)

    assert [plan.plan.title for plan in plans] == ["Följs"]


@pytest.mark.django_db
def test_check_ins_follow_an_initiative_into_the_next_version(home: Municipality) -> None:
    first = followed(home, 2, decided_on=TODAY - timedelta(days=100))
    one, two = first.initiatives.order_by("pk")
    check_in(one, TODAY - timedelta(days=50), Light.RED)
    second = services.version_new(plan=first.plan, user=None)
    second.initiatives.get(key=two.key).delete()
    services.version_submit(version=second, user=None)
    services.version_decide(
        version=second,
        outcome=Status.APPROVED,
        comment="Ja.",
        decided_on=TODAY - timedelta(days=20),
        user=None,
    )

    plans = followup.leadership_overview(municipality=home, today=TODAY)
    second.refresh_from_db()
    items = followup.follow_up(version=second, today=TODAY)

    assert [plan.version.number for plan in plans] == [2]
    (item,) = plans[0].initiatives
    assert item.initiative.key == one.key and item.initiative.version_id == second.pk
    assert item.latest is not None and item.latest.light == Light.RED
    assert [len(i.check_ins) for i in items] == [1]
    assert followup.followed_version(first.plan) == second


@pytest.mark.django_db
def test_the_follow_up_page_lists_check_ins_newest_first(home: Municipality, users: Users) -> None:
    today = timezone.localdate()
    version = followed(home, decided_on=today - timedelta(days=40))
    initiative = version.initiatives.get()
    check_in(initiative, today - timedelta(days=30))
    check_in(initiative, today - timedelta(days=2), Light.YELLOW)

    body = (
        english(users.member)
        .get(reverse("plans:follow_up", args=[home.code, version.plan_id]))
        .content.decode()
    )

    newer = body.index(f"Läget {(today - timedelta(days=2)).isoformat()}")
    older = body.index(f"Läget {(today - timedelta(days=30)).isoformat()}")
    assert newer < older
    assert "2 check-ins, newest first" in body
    assert "Needs attention" in body and "On track" in body
