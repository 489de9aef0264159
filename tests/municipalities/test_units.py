"""A municipality's own list of departments (units): add, rename, remove, and who may."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from forandra.maturity import selectors as maturity_selectors
from forandra.maturity import services as maturity_services
from forandra.maturity.instrument import default_instrument
from forandra.maturity.models import AnswerCount, Mode, Response, Round, UnitResponseCount
from forandra.municipalities import selectors, services
from forandra.municipalities.models import DigitalisationGroup, Municipality, Unit
from tests.conftest import Users

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Messages are asserted in English, the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def skola(home: Municipality) -> Unit:
    return services.unit_create(municipality=home, name="Skola")


@pytest.fixture
def survey(home: Municipality) -> Round:
    return maturity_services.round_open(
        municipality=home, mode=Mode.SURVEY, title="Enkät 2026", opened_on=date(2026, 3, 1)
    )


def answer(survey: Round, unit: Unit | None, times: int = 1) -> None:
    """Submit `times` survey responses naming `unit`, each from its own browser."""
    answers = {statement.key: 4 for _dimension, statement in default_instrument().statements()}
    for index in range(times):
        maturity_services.survey_submit(
            round_=survey, answers=answers, unit=unit, client_key=f"browser-{unit}-{index}"
        )


def stored(survey: Round) -> tuple[object, ...]:
    """Everything a survey round keeps about departments."""
    return (
        tuple(Response.objects.filter(round=survey).values_list("pk", "unit_id").order_by("pk")),
        tuple(
            AnswerCount.objects.filter(round=survey)
            .values_list("unit_key", "statement_key", "value", "count")
            .order_by("pk")
        ),
        tuple(UnitResponseCount.objects.filter(round=survey).values_list("unit_key", "count")),
    )


# --- Services ------------------------------------------------------------------------------------


def test_unit_create_trims_the_name_and_collapses_inner_spaces(home: Municipality) -> None:
    unit = services.unit_create(municipality=home, name="  Vård   och omsorg ")

    assert unit.name == "Vård och omsorg"
    assert list(selectors.unit_list(municipality=home)) == [unit]


@pytest.mark.parametrize("name", ["skola", "SKOLA", " Skola "])
def test_unit_create_refuses_a_name_the_municipality_has_in_any_case(
    home: Municipality, skola: Unit, name: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.unit_create(municipality=home, name=name)

    assert error.value.message_dict == {
        "name": ["The municipality already has a department called Skola."]
    }
    assert Unit.objects.filter(municipality=home).count() == 1


def test_case_is_ignored_beyond_ascii_too(home: Municipality) -> None:
    services.unit_create(municipality=home, name="Äldreomsorg")

    with pytest.raises(ValidationError):
        services.unit_create(municipality=home, name="äldreomsorg")


def test_another_municipality_may_use_the_same_name(skola: Unit, neighbour: Municipality) -> None:
    other = services.unit_create(municipality=neighbour, name="skola")

    assert other.municipality == neighbour


@pytest.mark.parametrize("name", ["", "   "])
def test_unit_create_refuses_a_blank_name(home: Municipality, name: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.unit_create(municipality=home, name=name)

    assert "name" in error.value.message_dict
    assert not Unit.objects.exists()


def test_unit_create_refuses_a_name_longer_than_the_model_allows(home: Municipality) -> None:
    limit = Unit._meta.get_field("name").max_length
    assert limit is not None

    with pytest.raises(ValidationError) as error:
        services.unit_create(municipality=home, name="x" * (limit + 1))

    assert "name" in error.value.message_dict
    assert services.unit_create(municipality=home, name="x" * limit).name == "x" * limit


def test_unit_rename_may_change_only_the_case_of_its_own_name(skola: Unit) -> None:
    services.unit_rename(unit=skola, name="SKOLA")

    skola.refresh_from_db()
    assert skola.name == "SKOLA"


def test_unit_rename_refuses_the_name_of_another_unit(home: Municipality, skola: Unit) -> None:
    vard = services.unit_create(municipality=home, name="Vård")

    with pytest.raises(ValidationError) as error:
        services.unit_rename(unit=vard, name="  skola")

    assert "already has a department called Skola" in error.value.message_dict["name"][0]
    vard.refresh_from_db()
    assert vard.name == "Vård"


def test_a_renamed_unit_keeps_its_responses_and_results_show_the_new_name(
    skola: Unit, survey: Round
) -> None:
    answer(survey, skola, times=5)
    before = stored(survey)

    services.unit_rename(unit=skola, name="Barn och utbildning")

    assert stored(survey) == before
    survey.refresh_from_db()
    names = [unit.name for unit in maturity_selectors.unit_breakdown(round_=survey)]
    assert names == ["Barn och utbildning"]


def test_unit_remove_deletes_a_unit_no_response_names_and_history_keeps_it(
    home: Municipality, skola: Unit, survey: Round
) -> None:
    answer(survey, None)  # a response without a department does not hold any unit
    unit_id = skola.pk

    services.unit_remove(unit=skola)

    assert not Unit.objects.filter(pk=unit_id).exists()
    kinds = Unit.history.filter(id=unit_id).order_by("history_date")
    assert [record.history_type for record in kinds] == ["+", "-"]


def test_unit_remove_refuses_a_unit_that_responses_name_and_keeps_every_stored_figure(
    skola: Unit, survey: Round
) -> None:
    answer(survey, skola, times=2)
    before = stored(survey)

    with pytest.raises(ValidationError) as error:
        services.unit_remove(unit=skola)

    assert error.value.code == "in_use"
    assert "Skola cannot be removed" in error.value.messages[0]
    assert Unit.objects.filter(pk=skola.pk).exists()
    assert stored(survey) == before
    assert set(Response.objects.values_list("unit_id", flat=True)) == {skola.pk}


def test_unit_remove_of_a_unit_already_removed_does_nothing(skola: Unit) -> None:
    services.unit_remove(unit=skola)

    services.unit_remove(unit=skola)

    assert not Unit.objects.exists()


# --- Pages ---------------------------------------------------------------------------------------


def signed_in(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def member_client(client: Client, users: Users) -> Client:
    return signed_in(client, users.member)


def test_the_municipality_page_lists_the_departments_with_links_to_change_them(
    member_client: Client, skola: Unit
) -> None:
    body = member_client.get(reverse("municipalities:municipality_detail", args=["2404"]))

    text = body.content.decode()
    assert '<h2 id="units-heading">Departments</h2>' in text
    assert "<td>Skola</td>" in text
    assert reverse("municipalities:unit_add", args=["2404"]) in text
    assert reverse("municipalities:unit_edit", args=["2404", skola.pk]) in text
    assert reverse("municipalities:unit_remove", args=["2404", skola.pk]) in text
    assert "<title>Municipality – Vindeln – Förändra</title>" in text


def test_the_municipality_page_reads_the_departments_in_a_fixed_number_of_queries(
    member_client: Client, home: Municipality, home_group: DigitalisationGroup
) -> None:
    url = reverse("municipalities:municipality_detail", args=["2404"])
    services.unit_create(municipality=home, name="Skola")

    with CaptureQueriesContext(connection) as few:
        member_client.get(url)
    for name in ("Vård", "IT", "Ekonomi", "Kultur"):
        services.unit_create(municipality=home, name=name)
    with CaptureQueriesContext(connection) as many:
        response = member_client.get(url)

    assert "<td>Kultur</td>" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_adding_a_department_saves_it_and_returns_to_the_municipality(
    member_client: Client, home: Municipality
) -> None:
    response = member_client.post(
        reverse("municipalities:unit_add", args=["2404"]), {"name": " Socialtjänst "}, follow=True
    )

    assert response.redirect_chain == [
        (reverse("municipalities:municipality_detail", args=["2404"]), 302)
    ]
    assert "Socialtjänst has been added to the departments." in response.content.decode()
    assert [unit.name for unit in selectors.unit_list(municipality=home)] == ["Socialtjänst"]


def test_adding_a_duplicate_department_shows_the_error_on_the_field_and_keeps_the_input(
    member_client: Client, skola: Unit
) -> None:
    response = member_client.post(
        reverse("municipalities:unit_add", args=["2404"]), {"name": "SKOLA"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert 'role="alert"' in body
    assert (
        '<a href="#id_name">Name of the department: '
        "The municipality already has a department called Skola.</a>"
    ) in body
    assert 'id="id_name_error"' in body and 'aria-invalid="true"' in body
    assert 'value="SKOLA"' in body
    assert Unit.objects.count() == 1


def test_adding_a_blank_department_is_refused_with_a_message_naming_the_field(
    member_client: Client,
) -> None:
    response = member_client.post(reverse("municipalities:unit_add", args=["2404"]), {"name": " "})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Name of the department: Enter the name of the department." in body
    assert not Unit.objects.exists()


def test_adding_a_too_long_name_is_refused_with_the_limit(member_client: Client) -> None:
    response = member_client.post(
        reverse("municipalities:unit_add", args=["2404"]), {"name": "x" * 151}
    )

    assert "The name can be at most 150 characters long." in response.content.decode()
    assert not Unit.objects.exists()


def test_renaming_a_department_shows_the_current_name_and_saves_the_new_one(
    member_client: Client, skola: Unit
) -> None:
    url = reverse("municipalities:unit_edit", args=["2404", skola.pk])

    page = member_client.get(url).content.decode()
    response = member_client.post(url, {"name": "Barn och utbildning"})

    assert "<h1>Rename Skola</h1>" in page and 'value="Skola"' in page
    assert response.status_code == 302
    skola.refresh_from_db()
    assert skola.name == "Barn och utbildning"


def test_a_refused_rename_keeps_the_stored_name_in_the_heading(
    member_client: Client, home: Municipality, skola: Unit
) -> None:
    vard = services.unit_create(municipality=home, name="Vård")

    response = member_client.post(
        reverse("municipalities:unit_edit", args=["2404", vard.pk]), {"name": "skola"}
    )

    body = response.content.decode()
    assert "<h1>Rename Vård</h1>" in body
    assert "already has a department called Skola" in body
    vard.refresh_from_db()
    assert vard.name == "Vård"


def test_removing_an_unused_department_asks_first_then_removes_it(
    member_client: Client, skola: Unit
) -> None:
    url = reverse("municipalities:unit_remove", args=["2404", skola.pk])

    page = member_client.get(url).content.decode()
    assert Unit.objects.filter(pk=skola.pk).exists()
    response = member_client.post(url, follow=True)

    assert "Remove Skola from the departments?" in page
    assert "Yes, remove the department" in page
    assert "Skola has been removed from the departments." in response.content.decode()
    assert not Unit.objects.filter(pk=skola.pk).exists()


def test_a_department_that_responses_name_cannot_be_removed(
    member_client: Client, skola: Unit, survey: Round
) -> None:
    answer(survey, skola)
    before = stored(survey)
    url = reverse("municipalities:unit_remove", args=["2404", skola.pk])

    page = member_client.get(url).content.decode()
    response = member_client.post(url)

    assert "Skola cannot be removed" in page
    assert "Yes, remove" not in page and "<form" not in page.split("<main", 1)[1]
    assert reverse("municipalities:unit_edit", args=["2404", skola.pk]) in page
    assert response.status_code == 200
    assert "Skola cannot be removed" in response.content.decode()
    assert Unit.objects.filter(pk=skola.pk).exists()
    assert stored(survey) == before


# --- Who may -------------------------------------------------------------------------------------


def unit_urls(unit: Unit) -> list[str]:
    code = unit.municipality.code
    return [
        reverse("municipalities:unit_add", args=[code]),
        reverse("municipalities:unit_edit", args=[code, unit.pk]),
        reverse("municipalities:unit_remove", args=[code, unit.pk]),
    ]


def units_snapshot() -> tuple[object, ...]:
    return tuple(Unit.objects.values_list("pk", "municipality_id", "name").order_by("pk"))


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_the_regions_coordinator_and_admins_may_keep_the_list(
    client: Client, users: Users, skola: Unit, role: str
) -> None:
    signed_in(client, getattr(users, role))

    for url in unit_urls(skola):
        assert client.get(url).status_code == 200
    client.post(unit_urls(skola)[1], {"name": f"Skola ({role})"})

    skola.refresh_from_db()
    assert skola.name == f"Skola ({role})"


@pytest.mark.parametrize("role", ["other_member", "leadership", "other_coordinator"])
def test_others_are_refused_and_change_nothing(
    client: Client, users: Users, skola: Unit, role: str
) -> None:
    signed_in(client, getattr(users, role))
    before = units_snapshot()

    for url in unit_urls(skola):
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "Intrång"}).status_code == 403

    assert units_snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(client: Client, skola: Unit) -> None:
    for url in unit_urls(skola):
        response = client.post(url, {"name": "Intrång"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    assert Unit.objects.get().name == "Skola"


def test_leadership_sees_the_departments_but_no_links_to_change_them(
    client: Client, users: Users, skola: Unit
) -> None:
    signed_in(client, users.leadership)

    body = client.get(reverse("municipalities:municipality_detail", args=["2404"])).content
    text = body.decode()

    assert "<td>Skola</td>" in text
    for url in unit_urls(skola):
        assert url not in text


def test_another_municipalitys_department_is_not_found_through_ones_own_page(
    member_client: Client, neighbour: Municipality
) -> None:
    theirs = services.unit_create(municipality=neighbour, name="Deras skola")
    before = units_snapshot()

    for url in unit_urls(theirs)[1:]:
        own = url.replace(f"/{neighbour.code}/", "/2404/")
        assert member_client.get(own).status_code == 404
        assert member_client.post(own, {"name": "Intrång"}).status_code == 404

    assert units_snapshot() == before
