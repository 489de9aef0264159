"""The pages for a draft's capabilities and initiatives: the forms with the budget grid and
their errors, deleting on a page of its own, initiatives from the portfolio, who may use them,
and the 409 page for a version that is no longer a draft (nothing changes)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from forandra.accounts.models import User
from forandra.ideas.models import Idea
from forandra.municipalities.models import Municipality
from forandra.plans import editing, services
from forandra.plans.models import BudgetLine, Capability, Initiative, PlanVersion, Status
from tests.conftest import Users
from tests.ideas.test_bank_services import idea, waves_of
from tests.plans.builders import add_initiative, make_plan

from .test_items_services import portfolio_ideas

pytestmark = pytest.mark.django_db


def client_for(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def url(name: str, version: PlanVersion, item: int | None = None) -> str:
    plan = version.plan
    args: list[Any] = [plan.municipality.code, plan.pk, version.number]
    if item is not None:
        args.append(item)
    return reverse(f"plans:{name}", args=args)


def version_url(version: PlanVersion) -> str:
    return url("version_detail", version)


def draft(municipality: Municipality) -> PlanVersion:
    return services.current_version(make_plan(municipality))


def text_of(response: HttpResponse) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def message_of(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def grid(**cells: int | str) -> dict[str, str]:
    """Every cell of a 2027-2029 budget grid, empty unless given (`budget_2028_innovation`)."""
    data = {
        f"budget_{year}_{kind}": ""
        for kind in ("investment", "operations", "innovation")
        for year in (2027, 2028, 2029)
    }
    data.update({name: str(value) for name, value in cells.items()})
    return data


# --- Capabilities -------------------------------------------------------------------------------


def test_a_member_adds_and_edits_a_capability(home: Municipality, users: Users) -> None:
    version = draft(home)
    page = client_for(users.member)

    added = page.post(
        url("capability_add", version),
        {"name": "Delad data", "dimension": "data", "current_score": "35,5", "target_score": "70"},
    )

    assert added.status_code == 302 and added["Location"] == version_url(version)
    assert message_of(added) == ["The capability “Delad data” is added."]
    made = version.capabilities.get()
    assert (made.dimension, made.current_score, made.target_score) == ("data", 35.5, 70)

    form = page.get(url("capability_edit", version, made.pk))
    assert 'value="Delad data"' in form.content.decode()
    page.post(
        url("capability_edit", version, made.pk),
        {
            "name": "Delad data i kommunen",
            "dimension": "",
            "current_score": "",
            "target_score": "80",
        },
    )
    made.refresh_from_db()
    assert (made.name, made.dimension, made.current_score, made.target_score) == (
        "Delad data i kommunen",
        "",
        None,
        80,
    )


def test_a_capability_form_with_errors_says_what_and_where(
    home: Municipality, users: Users
) -> None:
    version = draft(home)

    response = client_for(users.member).post(
        url("capability_add", version),
        {"name": "", "current_score": "mycket", "target_score": "120"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert '<a href="#id_name">Capability: Name the capability.</a>' in body
    assert 'href="#id_current_score">Current score: Enter the score as a number' in body
    assert '<a href="#id_target_score">Target score: Enter a score from 0 to 100.</a>' in body
    assert 'value="mycket"' in body  # what was typed is kept
    assert not Capability.objects.exists()


def test_deleting_a_capability_asks_first(home: Municipality, users: Users) -> None:
    version = draft(home)
    data = editing.capability_create(version=version, name="Delad data", target_score=70)
    editing.initiative_create(version=version, title="Datalager", capabilities=[data])
    page = client_for(users.member)

    asked = page.get(url("capability_delete", version, data.pk))
    assert asked.status_code == 200 and Capability.objects.filter(pk=data.pk).exists()
    assert "Datalager" in text_of(asked)  # the initiative that loses its link is named

    done = page.post(url("capability_delete", version, data.pk))
    assert done.status_code == 302 and not Capability.objects.filter(pk=data.pk).exists()
    assert message_of(done) == ["The capability “Delad data” is deleted."]


# --- Initiatives --------------------------------------------------------------------------------


def initiative_data(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "E-tjänst för bygglov",
        "description": "Ansökan på webben.",
        "owner": "Samhällsbyggnad",
        "start": "2027-02-01",
        "end": "2027-11-30",
        "first_step": "Kartlägg dagens ansökningar.",
        "citizen_benefit": "Besked på dagar i stället för veckor.",
        **grid(budget_2027_investment="200 000", budget_2028_innovation="50000 kr"),
    }
    data.update(fields)
    return data


def test_the_form_shows_the_grid_with_a_label_for_every_cell(
    home: Municipality, users: Users
) -> None:
    version = draft(home)
    waves_of(home)

    body = client_for(users.member).get(url("initiative_add", version)).content.decode()

    assert "<caption" in body and "Budget per year and kind (SEK)" in body
    for kind in ("Investment", "Operations", "Innovation"):
        for year in (2027, 2028, 2029):
            name = f"budget_{year}_{kind.lower()}"
            assert (
                f'<label class="visually-hidden" for="id_{name}">{kind} {year} (SEK)</label>'
                in body
            )
            assert f'id="id_{name}"' in body
    # The region's waves in the user's language, the region's other municipalities.
    partners = body.split('id="id_collaborating"')[1].split("</fieldset>")[0]
    assert "Bjurholm" in partners and "Vindeln" not in partners
    assert "There is nothing to choose from yet." not in body.split("Waves of change")[1][:3000]


def test_an_initiative_round_trips_through_the_form(
    home: Municipality, neighbour: Municipality, users: Users
) -> None:
    version = draft(home)
    waves = waves_of(home)
    data_capability = editing.capability_create(version=version, name="Delad data", target_score=70)
    page = client_for(users.member)

    added = page.post(
        url("initiative_add", version),
        initiative_data(
            waves=[waves[0].key, waves[2].key],
            capabilities=[str(data_capability.pk)],
            collaborating=[neighbour.code],
        ),
    )

    assert added.status_code == 302 and added["Location"] == version_url(version)
    made = version.initiatives.get()
    assert (made.title, made.owner, made.start, made.end) == (
        "E-tjänst för bygglov",
        "Samhällsbyggnad",
        date(2027, 2, 1),
        date(2027, 11, 30),
    )
    assert {(b.year, b.kind, b.amount) for b in made.budget_lines.all()} == {
        (2027, "investment", 200_000),
        (2028, "innovation", 50_000),
    }
    assert {w.key for w in made.waves.all()} == {waves[0].key, waves[2].key}
    assert list(made.capabilities.all()) == [data_capability]
    assert list(made.collaborating.all()) == [neighbour]

    # The edit page shows what is stored; sending it back unchanged changes nothing.
    form = page.get(url("initiative_edit", version, made.pk)).content.decode()
    assert 'name="budget_2027_investment" value="200000"' in form
    assert 'name="budget_2028_innovation" value="50000"' in form
    assert 'value="2027-02-01"' in form
    lines = list(BudgetLine.objects.values_list("pk", "year", "kind", "amount"))
    resent = initiative_data(
        budget_2027_investment="200000",
        budget_2028_innovation="50000",
        waves=[waves[0].key, waves[2].key],
        capabilities=[str(data_capability.pk)],
        collaborating=[neighbour.code],
    )
    assert page.post(url("initiative_edit", version, made.pk), resent).status_code == 302
    assert list(BudgetLine.objects.values_list("pk", "year", "kind", "amount")) == lines

    # A changed cell and an emptied one.
    page.post(
        url("initiative_edit", version, made.pk),
        initiative_data(budget_2027_investment="", budget_2028_innovation="75000"),
    )
    assert {(b.year, b.kind, b.amount) for b in made.budget_lines.all()} == {
        (2028, "innovation", 75_000)
    }
    assert list(made.waves.all()) == [] and list(made.collaborating.all()) == []


def test_the_initiative_form_names_each_wrong_field_in_the_summary(
    home: Municipality, users: Users
) -> None:
    version = draft(home)

    response = client_for(users.member).post(
        url("initiative_add", version),
        initiative_data(
            title="",
            start="2027-05-01",
            end="2027-04-01",
            budget_2028_innovation="12,5",
            budget_2029_operations="-3",
            budget_2027_investment="50.000",  # fifty or fifty thousand? Not guessed at.
            collaborating=["2404"],  # the municipality itself is not offered
        ),
    )

    body = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in body
    summary = body.split('class="error-summary"')[1].split("</div>")[0]
    assert '<a href="#id_title">Title: Give the initiative a title.</a>' in summary
    assert '<a href="#id_end">End: The end must be on or after the start.</a>' in summary
    assert (
        '<a href="#id_budget_2028_innovation">Innovation 2028 (SEK): '
        "Enter a whole number of kronor, such as 50000.</a>"
    ) in summary
    assert (
        '<a href="#id_budget_2029_operations">Operations 2029 (SEK): '
        "The amount cannot be negative.</a>"
    ) in summary
    assert 'href="#id_budget_2027_investment">Investment 2027 (SEK): Enter a whole' in summary
    assert 'href="#id_collaborating">Collaborating municipalities: Choose among' in summary
    # Beside the grid too, tied to the cell; what was typed is kept.
    assert 'id="id_budget_2028_innovation_error"' in body
    cell = re.search(r"<input[^>]*id=\"id_budget_2028_innovation\"[^>]*>", body)
    assert cell is not None
    assert 'aria-invalid="true"' in cell.group(0) and 'value="12,5"' in cell.group(0)
    assert 'aria-describedby="id_budget_2028_innovation_error"' in cell.group(0)
    assert not Initiative.objects.exists()


def test_lines_of_years_outside_the_plan_are_pointed_out(home: Municipality, users: Users) -> None:
    version = draft(home)
    initiative = add_initiative(version)
    BudgetLine.objects.create(initiative=initiative, year=2031, kind="innovation", amount=5)

    body = text_of(client_for(users.member).get(url("initiative_edit", version, initiative.pk)))

    assert "budget lines outside the plan's years (2031). Saving removes them." in body


def test_deleting_an_initiative_asks_first(home: Municipality, users: Users) -> None:
    version = draft(home)
    initiative = add_initiative(version)
    page = client_for(users.member)

    asked = page.get(url("initiative_delete", version, initiative.pk))
    assert asked.status_code == 200 and Initiative.objects.filter(pk=initiative.pk).exists()
    assert "280,000 kr" in text_of(asked)

    done = page.post(url("initiative_delete", version, initiative.pk))
    assert done.status_code == 302 and done["Location"] == version_url(version)
    assert not Initiative.objects.exists() and not BudgetLine.objects.exists()


def test_an_item_of_another_version_is_not_found(home: Municipality, users: Users) -> None:
    version = draft(home)
    other = draft(home)
    initiative = add_initiative(other)
    page = client_for(users.member)

    assert page.get(url("initiative_edit", version, initiative.pk)).status_code == 404
    assert page.post(url("initiative_delete", version, initiative.pk)).status_code == 404
    assert Initiative.objects.filter(pk=initiative.pk).exists()


@pytest.mark.parametrize("role", ["leadership", "other_member", "other_coordinator"])
def test_who_may_not_edit_plans_is_refused_and_nothing_changes(
    home: Municipality, users: Users, role: str
) -> None:
    version = draft(home)
    initiative = add_initiative(version)
    page = client_for(getattr(users, role))

    for response in (
        page.post(url("initiative_add", version), initiative_data()),
        page.post(url("initiative_edit", version, initiative.pk), initiative_data(title="X")),
        page.post(url("initiative_delete", version, initiative.pk)),
        page.post(url("capability_add", version), {"name": "X", "target_score": "5"}),
    ):
        assert response.status_code in (403, 404)
    assert list(Initiative.objects.values_list("title", flat=True)) == ["E-tjänst för bygglov"]
    assert not Capability.objects.exists()


@pytest.mark.parametrize("role", ["member", "coordinator", "admin"])
def test_who_may_edit_plans_gets_the_forms(home: Municipality, users: Users, role: str) -> None:
    version = draft(home)
    page = client_for(getattr(users, role))
    for name in ("initiative_add", "capability_add", "initiative_from_portfolio"):
        assert page.get(url(name, version)).status_code == 200


# --- A version that is no longer a draft ----------------------------------------------------------


def frozen(municipality: Municipality, state: str) -> PlanVersion:
    version = draft(municipality)
    add_initiative(version)
    editing.capability_create(version=version, name="Delad data", target_score=70)
    services.version_submit(version=version, user=None)
    if state != Status.SUBMITTED:
        services.version_decide(
            version=version,
            outcome=state,
            comment="Beslut.",
            decided_on=date(2027, 1, 20),
            user=None,
        )
    version.refresh_from_db()
    return version


def everything(version: PlanVersion) -> tuple[object, ...]:
    return (
        list(
            Capability.objects.values_list(*[f.attname for f in Capability._meta.concrete_fields])
        ),
        list(
            Initiative.objects.values_list(*[f.attname for f in Initiative._meta.concrete_fields])
        ),
        list(BudgetLine.objects.values_list("pk", "initiative", "year", "kind", "amount")),
        list(Initiative.waves.through.objects.values_list("pk", "initiative", "wave")),
        list(Initiative.collaborating.through.objects.values_list("pk", "initiative")),
        list(Initiative.capabilities.through.objects.values_list("pk", "initiative", "capability")),
        PlanVersion.objects.values_list("status", flat=True).get(pk=version.pk),
    )


@pytest.mark.parametrize("state", [Status.SUBMITTED, Status.APPROVED, Status.RETURNED])
def test_a_crafted_post_to_a_frozen_version_answers_409_and_changes_nothing(
    home: Municipality, users: Users, state: str
) -> None:
    version = frozen(home, state)
    initiative = version.initiatives.get()
    capability = version.capabilities.get()
    chosen, _left_out = portfolio_ideas(home)
    page = client_for(users.member)
    before = everything(version)
    posts = [
        (url("initiative_add", version), initiative_data(title="Smygen")),
        (url("initiative_edit", version, initiative.pk), initiative_data(title="Ändrad")),
        (url("initiative_delete", version, initiative.pk), {}),
        (url("capability_add", version), {"name": "Ny", "target_score": "50"}),
        (url("capability_edit", version, capability.pk), {"name": "Ändrad", "target_score": "9"}),
        (url("capability_delete", version, capability.pk), {}),
        (url("initiative_from_portfolio", version), {"ideas": [str(chosen.pk)]}),
    ]

    for target, data in posts:
        response = page.post(target, data)
        assert response.status_code == 409, target
        assert "can no longer be changed" in text_of(response)
        # The form pages answer the same when opened.
        assert page.get(target).status_code == 409

    assert everything(version) == before


# --- From the portfolio -------------------------------------------------------------------------


def test_without_a_portfolio_the_page_says_so_and_links_to_the_portfolios(
    home: Municipality, users: Users
) -> None:
    version = draft(home)
    response = client_for(users.member).get(url("initiative_from_portfolio", version))
    assert response.status_code == 200
    assert "There is no saved portfolio yet." in text_of(response)
    assert reverse("ideas:portfolio_list", args=[home.code]) in response.content.decode()


def checkbox(body: str, value: int) -> str:
    found = re.search(rf'<input type="checkbox" name="ideas" value="{value}"[^>]*>', body)
    assert found is not None, value
    return found.group(0)


def test_the_latest_portfolio_s_ideas_are_offered_with_the_chosen_ticked(
    home: Municipality, users: Users
) -> None:
    version = draft(home)
    chosen, left_out = portfolio_ideas(home)
    page = client_for(users.member)

    body = page.get(url("initiative_from_portfolio", version)).content.decode()

    assert "checked" in checkbox(body, chosen.pk)
    assert "checked" not in checkbox(body, left_out.pk)
    assert "one-time 120,000 kr, yearly 25,000 kr" in body


def test_adding_from_the_portfolio_makes_initiatives_and_never_twice(
    home: Municipality, users: Users
) -> None:
    version = draft(home)
    chosen, left_out = portfolio_ideas(home)
    page = client_for(users.member)
    target = url("initiative_from_portfolio", version)

    added = page.post(target, {"ideas": [str(chosen.pk)]})

    assert added.status_code == 302 and added["Location"] == version_url(version)
    assert message_of(added) == ["1 initiative is added from the portfolio."]
    made = version.initiatives.get()
    assert made.idea == chosen and made.citizen_benefit == chosen.need

    # Now the idea is marked as added and no longer offered; a crafted POST is refused.
    body = page.get(target).content.decode()
    assert f'value="{chosen.pk}"' not in body and "Already in this version" in body
    again = page.post(target, {"ideas": [str(chosen.pk)]})
    assert again.status_code == 200
    assert "Choose among the ideas of the portfolio not yet in the plan." in text_of(again)
    assert version.initiatives.count() == 1

    page.post(target, {"ideas": [str(left_out.pk)]})
    assert set(version.initiatives.values_list("idea", flat=True)) == {chosen.pk, left_out.pk}
    assert "Every idea of the portfolio is already in this version" in text_of(page.get(target))


def test_choosing_nothing_asks_for_an_idea(home: Municipality, users: Users) -> None:
    version = draft(home)
    portfolio_ideas(home)
    response = client_for(users.member).post(
        url("initiative_from_portfolio", version), {"csrfmiddlewaretoken": "x"}
    )
    assert response.status_code == 200
    assert '<a href="#id_ideas">Ideas to add: Choose at least one idea to add.</a>' in (
        response.content.decode()
    )
    assert not Initiative.objects.exists()


def test_an_idea_of_an_older_portfolio_or_another_municipality_is_not_offered(
    home: Municipality, neighbour: Municipality, users: Users
) -> None:
    version = draft(home)
    portfolio_ideas(home)
    stranger: Idea = idea(neighbour, "Grannens idé")
    response = client_for(users.member).post(
        url("initiative_from_portfolio", version), {"ideas": [str(stranger.pk)]}
    )
    assert response.status_code == 200 and not Initiative.objects.exists()


def test_waves_are_named_in_the_user_s_language(home: Municipality, users: Users) -> None:
    version = draft(home)
    wave = waves_of(home)[0]
    target = url("initiative_add", version)

    swedish = client_for(users.member, "sv").get(target).content.decode()
    english = client_for(users.member, "en").get(target).content.decode()

    assert f">{wave.name_sv}</label>" in swedish and f">{wave.name_en}</label>" not in swedish
    assert f">{wave.name_en}</label>" in english
