"""A plan's history: who changed what and when, from django-simple-history's records (users set
by its request middleware), submissions and decisions; copies of a new version left out;
newest first, 50 a page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality
from forandra.plans import history, services
from forandra.plans.models import BudgetKind, PlanVersion, Section, Status, Step
from tests.conftest import Users
from tests.plans.builders import complete_draft, decided

pytestmark = pytest.mark.django_db


def english(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def history_url(version: PlanVersion, page: int | None = None) -> str:
    url = reverse("plans:history", args=[version.plan.municipality.code, version.plan_id])
    return f"{url}?page={page}" if page else url


def version_url(name: str, version: PlanVersion) -> str:
    return reverse(name, args=[version.plan.municipality.code, version.plan_id, version.number])


def entries(version: PlanVersion) -> list[history.Entry]:
    with translation.override("en"):
        return history.plan_history(plan=version.plan)


def test_submission_and_decision_made_through_the_pages_name_their_users(
    home: Municipality, users: Users
) -> None:
    users.leadership.first_name, users.leadership.last_name = "Lena", "Ledare"
    users.leadership.save()
    version = complete_draft(home)

    english(users.member).post(version_url("plans:version_submit", version))
    english(users.leadership).post(
        version_url("plans:version_decide", version),
        {
            "outcome": Status.RETURNED,
            "comment": "Budgeten saknar en plan för drift.",
            "decided_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )

    records = PlanVersion.history.filter(id=version.pk).order_by("-history_date")
    assert records[0].history_user == users.leadership  # the decision's status change
    assert records[1].history_user == users.member  # the submission
    body = english(users.member).get(history_url(version)).content.decode()
    assert "Leadership decided on version 1: returned" in body
    assert "Budgeten saknar en plan för drift." in body
    assert "Lena Ledare" in body
    assert "Version 1 submitted to leadership." in body
    assert body.index("Leadership decided") < body.index("submitted to leadership")
    # The decision's status change is told once, by the decision.
    assert "Version 1 is now returned" not in body


def test_changed_fields_are_named_with_who_changed_them(home: Municipality, users: Users) -> None:
    version = complete_draft(home)
    initiative = version.initiatives.get()
    initiative.owner, initiative.end = "Bygg och miljö", date(2027, 12, 31)
    initiative._history_user = users.member  # type: ignore[attr-defined]
    initiative.save()
    section = version.sections.get(step=Step.VISION)
    section.text = "Alla ärenden kan göras digitalt 2029."
    section._history_user = users.coordinator  # type: ignore[attr-defined]
    section.save()

    found = entries(version)

    assert found[0].what == "Step 3, “Developing a vision and strategy”, changed."
    assert found[0].who == "coordinator"
    assert found[1].what == "Initiative “E-tjänst för bygglov” changed."
    assert sorted(found[1].fields) == ["end", "owner"]
    assert found[1].who == "member"


def test_budget_changes_say_which_line_and_amount(home: Municipality, users: Users) -> None:
    version = complete_draft(home)
    line = version.initiatives.get().budget_lines.get(kind=BudgetKind.INNOVATION)
    line.amount = 80_000
    line._history_user = users.member  # type: ignore[attr-defined]
    line.save()
    line.delete()

    found = [e.what for e in entries(version) if e.what.startswith("Budget")]

    assert found[:2] == [
        "Budget of “E-tjänst för bygglov”: 2027 innovation, 80,000 kr removed.",
        "Budget of “E-tjänst för bygglov”: 2027 innovation changed from 50,000 kr to 80,000 kr.",
    ]
    # The lines were made in bulk, with their history: each says what it was set to.
    assert "Budget of “E-tjänst för bygglov”: 2027 innovation, 50,000 kr added." in found[2:]


def test_a_new_version_is_listed_once_not_item_by_item(home: Municipality, users: Users) -> None:
    first = decided(home)

    second = services.version_new(plan=first.plan, user=users.member)

    found = entries(second)
    assert found[0].what == "Version 2 started from version 1."
    assert [e for e in found if e.version == 2] == [found[0]]
    assert any(e.what == "Initiative “E-tjänst för bygglov” added." for e in found)  # in v1


def test_the_history_has_50_entries_a_page_newest_first(home: Municipality, users: Users) -> None:
    version = complete_draft(home)
    section = version.sections.get(step=Step.URGENCY)
    for n in range(60):
        section.text = f"Text {n}"
        section.save()
    total = len(entries(version))
    page = english(users.member)

    first = page.get(history_url(version)).content.decode()
    last = page.get(history_url(version, 2)).content.decode()

    assert total > 60
    assert first.count('class="history__entry"') == 50
    assert last.count('class="history__entry"') == total - 50
    assert f"{total} changes, page 1 of 2" in first
    assert "Older changes" in first and "Newer changes" in last


def test_the_history_is_read_in_a_constant_number_of_queries(
    home: Municipality, django_assert_num_queries
) -> None:
    version = complete_draft(home)
    for step in Step:
        Section.objects.get(version=version, step=step).save()

    with django_assert_num_queries(6):
        history.plan_history(plan=version.plan)
