"""Portfolios: the service that runs and saves them, and their pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from forandra.ideas import portfolio as service
from forandra.ideas.models import Idea, Portfolio, PortfolioChoice
from forandra.municipalities.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """English words, whatever the catalogues say (numbers as in English too)."""
    with translation.override("en"):
        yield


def make_idea(municipality: Municipality, title: str, **fields: Any) -> Idea:
    defaults: dict[str, Any] = {"need": "Ett behov.", "source": "group", "one_time_cost": 10_000}
    return Idea.objects.create(municipality=municipality, title=title, **{**defaults, **fields})


@pytest.fixture
def ideas(home: Municipality) -> dict[str, Idea]:
    return {
        "chatbot": make_idea(home, "Chatbot", one_time_cost=80_000, benefit=5, feasibility=4),
        "data": make_idea(home, "Öppna data", one_time_cost=30_000, benefit=4),
        "signs": make_idea(home, "Skyltar", one_time_cost=5_000, benefit=2),
        "parked": make_idea(home, "Parkerad", status="parked", benefit=5),
        "pending": make_idea(home, "Väntar", moderation="pending", benefit=5),
    }


def test_a_run_saves_version_1_then_2_with_a_reason_for_every_candidate(
    home: Municipality, ideas: dict[str, Idea], users: Any
) -> None:
    rules = service.Rules(budget=100_000)
    first = service.run(municipality=home, rules=rules, created_by=users.member)
    second = service.run(municipality=home, rules=service.Rules(budget=40_000))
    assert (first.version, second.version) == (1, 2)
    assert first.created_by == users.member
    choices = PortfolioChoice.objects.filter(portfolio=first)
    # Parked and unmoderated ideas take no part.
    assert {c.idea.title for c in choices} == {"Chatbot", "Öppna data", "Skyltar"}
    assert all(c.reason for c in choices)
    chosen = {c.idea.title for c in choices if c.selected}
    assert sum(i.one_time_cost for i in ideas.values() if i.title in chosen) <= 100_000
    assert first.result["count"] == len(chosen)
    assert first.result["curve"][0][0] <= first.result["curve"][-1][0]
    # The cheaper version leaves the chatbot out because it is too dear even alone.
    left = PortfolioChoice.objects.get(portfolio=second, idea=ideas["chatbot"])
    assert not left.selected
    assert "budget" in left.reason


def test_an_infeasible_run_names_the_conflict_and_saves_nothing(
    home: Municipality, ideas: dict[str, Idea]
) -> None:
    rules = service.Rules(budget=50_000, must_include=(ideas["chatbot"].pk,))
    with pytest.raises(service.PortfolioInfeasible) as raised:
        service.run(municipality=home, rules=rules)
    assert raised.value.conflicts == ["the budget of 50,000 kr", "must include: Chatbot"]
    assert not Portfolio.objects.exists()


def test_dependencies_and_exclusive_groups_are_kept_and_explained(
    home: Municipality, ideas: dict[str, Idea]
) -> None:
    rules = service.Rules(
        exclusive=((ideas["chatbot"].pk, ideas["data"].pk),),
        requires=((ideas["signs"].pk, ideas["parked"].pk),),  # a parked idea is never chosen
    )
    saved = service.run(municipality=home, rules=rules)
    rows = {row.idea.title: row for row in service.choice_rows(portfolio=saved)}
    assert rows["Chatbot"].selected != rows["Öppna data"].selected
    loser = rows["Öppna data"] if rows["Chatbot"].selected else rows["Chatbot"]
    assert "only one of" in loser.reason
    assert rows["Skyltar"].selected  # the dependency on a non-candidate is dropped


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_new_page_runs_and_redirects_to_the_saved_version(
    client: Client, home: Municipality, ideas: dict[str, Idea], users: Any
) -> None:
    login(client, users.member)
    url = reverse("ideas:portfolio_new", args=[home.code])
    assert client.get(url).status_code == 200
    data = {
        "title": "Första utkastet",
        "budget": "100000",
        "counts-TOTAL_FORMS": "1",
        "counts-INITIAL_FORMS": "0",
        "exclusive-TOTAL_FORMS": "1",
        "exclusive-INITIAL_FORMS": "0",
        "requires-TOTAL_FORMS": "1",
        "requires-INITIAL_FORMS": "0",
        "requires-0-idea": str(ideas["signs"].pk),
        "requires-0-needs": str(ideas["data"].pk),
    }
    response = client.post(url, data)
    portfolio = Portfolio.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ideas:portfolio_detail", args=[home.code, 1])
    assert portfolio.title == "Första utkastet"
    assert portfolio.constraints["requires"] == [[ideas["signs"].pk, ideas["data"].pk]]
    page = client.get(response["Location"]).content.decode()
    assert "Chatbot" in page and "Skyltar" in page
    assert "<svg" in page and 'role="img"' in page
    list_page = client.get(reverse("ideas:portfolio_list", args=[home.code])).content.decode()
    assert "Första utkastet" in list_page


def test_the_new_page_shows_conflicts_keeps_the_form_and_saves_nothing(
    client: Client, home: Municipality, ideas: dict[str, Idea], users: Any
) -> None:
    login(client, users.member)
    data = {
        "budget": "50000",
        "must_include": [str(ideas["chatbot"].pk)],
        "counts-TOTAL_FORMS": "0",
        "counts-INITIAL_FORMS": "0",
        "exclusive-TOTAL_FORMS": "0",
        "exclusive-INITIAL_FORMS": "0",
        "requires-TOTAL_FORMS": "0",
        "requires-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("ideas:portfolio_new", args=[home.code]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in page
    assert "must include: Chatbot" in page
    assert 'value="50000"' in page  # what was typed is kept
    assert not Portfolio.objects.exists()


def test_a_bad_count_rule_is_named_on_its_field(
    client: Client, home: Municipality, ideas: dict[str, Idea], users: Any
) -> None:
    login(client, users.member)
    data = {
        "counts-TOTAL_FORMS": "1",
        "counts-INITIAL_FORMS": "0",
        "counts-0-tag": "dim:leadership",
        "counts-0-minimum": "3",
        "counts-0-maximum": "1",
        "exclusive-TOTAL_FORMS": "0",
        "exclusive-INITIAL_FORMS": "0",
        "requires-TOTAL_FORMS": "0",
        "requires-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("ideas:portfolio_new", args=[home.code]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_counts-0-maximum"' in page
    assert not Portfolio.objects.exists()


def test_the_weakest_dimensions_option_is_disabled_without_a_closed_round(
    client: Client, home: Municipality, users: Any
) -> None:
    login(client, users.member)
    page = client.get(reverse("ideas:portfolio_new", args=[home.code])).content.decode()
    assert "no closed maturity round" in page
    assert 'name="weakest"' in page and "disabled" in page


def test_another_municipalitys_member_is_refused(
    client: Client, home: Municipality, ideas: dict[str, Idea], users: Any
) -> None:
    service.run(municipality=home, rules=service.Rules())
    login(client, users.other_member)
    for name, args in (
        ("ideas:portfolio_list", [home.code]),
        ("ideas:portfolio_detail", [home.code, 1]),
        ("ideas:portfolio_new", [home.code]),
    ):
        assert client.get(reverse(name, args=args)).status_code in (403, 404)
    assert client.post(reverse("ideas:portfolio_new", args=[home.code]), {}).status_code in (
        403,
        404,
    )
    assert Portfolio.objects.count() == 1


def test_the_curve_chart_puts_the_budget_on_the_line() -> None:
    chart = service.curve_chart([[0, 0.0], [100, 50.0], [200, 60.0]], budget=100)
    assert chart is not None
    assert chart.current_x == "330.0"  # halfway between 70 and 590, with a decimal point
    assert len(chart.dots) == 3
    assert service.curve_chart([[0, 0.0]], budget=None) is None
