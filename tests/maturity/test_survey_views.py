"""The staff survey page: the whole survey is one form, sent in one POST, anonymous."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from forandra.maturity import services
from forandra.maturity.instrument import Instrument
from forandra.maturity.models import Response, Round
from forandra.maturity.views import CLIENT_COOKIE
from forandra.municipalities.models import Unit
from tests.maturity.conftest import checked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    """Pages in English, the source language the assertions are written in."""
    client.cookies["forandra_language"] = "en"


def browser() -> Client:
    """Another respondent's browser."""
    other = Client()
    other.cookies["forandra_language"] = "en"
    return other


def start_url(round_: Round) -> str:
    return reverse("maturity:survey_start", args=[round_.link_key])


def personal_url(round_: Round, token: str) -> str:
    return reverse("maturity:survey_token", args=[round_.link_key, token])


def answers(instrument: Instrument, value: str) -> dict[str, str]:
    return {statement.key: value for _dimension, statement in instrument.statements()}


def test_the_page_holds_every_statement_in_parts_and_sets_a_key_for_this_browser(
    client: Client, survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    page = client.get(start_url(survey))

    body = page.content.decode()
    assert page.status_code == 200
    for dimension, statement in instrument.statements():
        assert f'name="{statement.key}"' in body
        assert dimension.name.en in body
    assert body.count('class="survey-part"') == len(instrument.dimensions) + 1
    assert all(unit.name in body for unit in units)
    cookie = page.cookies[CLIENT_COOKIE]
    assert len(cookie.value) == 43
    assert cookie["path"] == start_url(survey)
    assert cookie["httponly"]
    assert settings.SESSION_COOKIE_NAME not in client.cookies  # no session row per respondent


def test_one_post_stores_the_whole_response_and_the_browser_cannot_answer_twice(
    client: Client, survey: Round, instrument: Instrument, units: list[Unit]
) -> None:
    client.get(start_url(survey))
    data = answers(instrument, "5")
    keys = [s.key for _d, s in instrument.statements()]
    data[keys[0]] = "dk"
    del data[keys[1]]  # left unanswered

    sent = client.post(start_url(survey), {**data, "unit": str(units[0].pk)})

    assert sent["Location"] == reverse("maturity:survey_thanks", args=[survey.link_key])
    stored = Response.objects.get(round=survey)
    assert stored.unit == units[0]
    assert stored.answers[keys[0]] is None
    assert stored.answers[keys[1]] is None
    assert stored.answers[keys[2]] == 5
    assert len(stored.answers) == len(keys)
    assert stored.client_key == client.cookies[CLIENT_COOKIE].value
    again = client.post(start_url(survey), {**data, "unit": ""})
    assert again.status_code == 200
    assert "You have already answered this survey." in again.content.decode()
    assert Response.objects.filter(round=survey).count() == 1
    assert "Send the answers" not in client.get(start_url(survey)).content.decode()


def test_another_browser_answers_the_open_link_too(survey: Round, instrument: Instrument) -> None:
    for _browser in range(3):
        browser_ = browser()
        browser_.get(start_url(survey))
        assert browser_.post(start_url(survey), answers(instrument, "3")).status_code == 302
    survey.refresh_from_db()
    assert survey.response_count == 3


def test_a_made_up_browser_key_is_replaced(
    client: Client, survey: Round, instrument: Instrument
) -> None:
    client.cookies[CLIENT_COOKIE] = "short"
    page = client.get(start_url(survey))
    assert page.cookies[CLIENT_COOKIE].value != "short"
    client.post(start_url(survey), answers(instrument, "2"))
    assert Response.objects.get(round=survey).client_key == client.cookies[CLIENT_COOKIE].value


def test_a_value_outside_the_scale_is_refused_naming_the_statement(
    client: Client, survey: Round, instrument: Instrument
) -> None:
    data = answers(instrument, "4")
    first = instrument.dimensions[0].statements[0]
    data[first.key] = "9"

    page = client.post(start_url(survey), data)

    body = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in body
    assert f'href="#id_{first.key}_0"' in body
    assert "data-survey-errors" in body
    assert checked(body, instrument.dimensions[0].statements[1].key) == "4"  # answers kept
    assert not Response.objects.filter(round=survey).exists()


def test_a_personal_link_answers_once(
    client: Client, survey: Round, instrument: Instrument
) -> None:
    token, spare = services.tokens_issue(round_=survey, count=2)

    sent = client.post(personal_url(survey, token), answers(instrument, "4"))

    assert sent.status_code == 302
    assert Response.objects.get(round=survey).token.token == token
    other_browser = browser()
    used = other_browser.get(personal_url(survey, token)).content.decode()
    assert "This link has already been used to answer." in used
    again = other_browser.post(personal_url(survey, token), answers(instrument, "1"))
    assert "This link has already been used to answer." in again.content.decode()
    assert Response.objects.filter(round=survey).count() == 1
    assert "Send the answers" in browser().get(personal_url(survey, spare)).content.decode()


def test_with_personal_links_the_open_link_and_made_up_tokens_answer_nothing(
    client: Client, survey: Round, instrument: Instrument
) -> None:
    services.tokens_issue(round_=survey, count=1)

    open_link = client.post(start_url(survey), answers(instrument, "4")).content.decode()
    made_up = client.post(personal_url(survey, "x" * 30), answers(instrument, "4"))

    assert "This survey is answered through personal links only." in open_link
    assert "The link is not valid for this survey." in made_up.content.decode()
    assert not Response.objects.filter(round=survey).exists()


def test_a_closed_survey_takes_no_answers(
    client: Client, survey: Round, instrument: Instrument
) -> None:
    services.round_close(round_=survey)

    page = client.post(start_url(survey), answers(instrument, "4"))

    assert "The survey is closed" in page.content.decode()
    assert "Send the answers" not in page.content.decode()
    assert not Response.objects.filter(round=survey).exists()


def test_the_page_follows_the_chosen_language(
    client: Client, survey: Round, instrument: Instrument
) -> None:
    statement = instrument.dimensions[0].statements[0]
    del client.cookies["forandra_language"]
    swedish = client.get(start_url(survey)).content.decode()  # Swedish first: the default
    client.cookies["forandra_language"] = "en"
    english = client.get(start_url(survey)).content.decode()
    assert statement.text.sv in swedish
    assert statement.text.en not in swedish
    assert statement.text.en in english
    assert "Send the answers" in english


def test_the_thanks_page_tells_the_browser_to_forget_the_kept_answers(
    client: Client, survey: Round
) -> None:
    page = client.get(reverse("maturity:survey_thanks", args=[survey.link_key]))
    assert f'data-survey-done="{survey.link_key}"' in page.content.decode()


def test_without_departments_the_survey_asks_for_none(client: Client, survey: Round) -> None:
    body = client.get(start_url(survey)).content.decode()
    assert 'name="unit"' not in body
    assert "Send the answers" in body
