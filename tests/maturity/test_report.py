from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from forandra.maturity import report, results, services
from forandra.maturity.instrument import Instrument
from forandra.maturity.models import Round
from forandra.municipalities.models import Municipality, Unit
from tests.conftest import Users
from tests.maturity.conftest import all_answers, fill

pytestmark = pytest.mark.django_db


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def get_report(client: Client, round_: Round) -> object:
    return client.get(reverse("maturity:round_report", args=["2404", round_.pk]))


@pytest.fixture
def member_client(client: Client, users: Users) -> Client:
    client.force_login(users.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_report_is_a_pdf_with_the_municipality_and_the_score_of_each_dimension(
    member_client: Client, consensus: Round, instrument: Instrument
) -> None:
    values = [1, 2, 3, 4, 5]
    services.consensus_save(
        round_=consensus,
        answers={
            statement.key: (values[index % 5], "")
            for index, (_dimension, statement) in enumerate(instrument.statements())
        },
    )

    response = get_report(member_client, consensus)

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"  # type: ignore[index]
    assert response["Content-Disposition"] == (  # type: ignore[index]
        'attachment; filename="2404-20260302-consensus-report.pdf"'
    )
    body = response.content  # type: ignore[attr-defined]
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert "Vindeln: Gruppen 2026" in text
    lines = text.splitlines()
    rows = results.results_context(round_=consensus, language="en")["rows"]
    assert len(rows) == len(instrument.dimensions)
    for row in rows:
        # The row of the data table: the dimension's name, then its score.
        score = floatformat(row.score.score, 0)
        assert any(line.startswith(f"{row.name} {score} ") for line in lines), row.name


def test_the_report_is_written_in_the_language_asked_for(
    consensus: Round, instrument: Instrument
) -> None:
    services.consensus_save(
        round_=consensus, answers=dict.fromkeys(all_answers(instrument, 3), (3, ""))
    )

    swedish = pdf_text(report.results_pdf(consensus, language="sv"))
    english = pdf_text(report.results_pdf(consensus, language="en"))

    assert "Poäng per dimension" in swedish
    assert instrument.dimensions[0].name.sv in swedish
    assert "Score per dimension" in english
    assert instrument.dimensions[0].name.en in english


def test_a_survey_with_too_few_responses_shows_no_scores_in_the_report(
    member_client: Client, survey: Round, instrument: Instrument
) -> None:
    fill(survey, instrument, [(None, 4)])

    response = get_report(member_client, survey)

    assert response.status_code == 200  # type: ignore[attr-defined]
    text = pdf_text(response.content)  # type: ignore[attr-defined]
    assert "at least 5 have answered" in text
    assert "4 of 40 invited (10 %)" in text
    assert "/ 100" not in text
    assert "Score" not in text
    for dimension in instrument.dimensions:
        assert dimension.name.en not in text


def test_a_department_with_too_few_responses_is_not_named_in_the_report(
    member_client: Client, survey: Round, instrument: Instrument, home: Municipality
) -> None:
    big, small, smaller = (
        Unit.objects.create(municipality=home, name=name)
        for name in ("Skolförvaltningen", "Kulturskolan", "Fritidsgården")
    )
    fill(survey, instrument, [(big, 5), (small, 4), (smaller, 1)])

    text = pdf_text(get_report(member_client, survey).content)  # type: ignore[attr-defined]
    page = member_client.get(reverse("maturity:round_detail", args=["2404", survey.pk]))

    assert "Skolförvaltningen" in text
    assert "Other departments" in text  # the two small ones together reach 5
    assert "Kulturskolan" not in text
    assert "Fritidsgården" not in text
    # The page and the report show the same departments.
    assert "Skolförvaltningen" in page.content.decode()
    assert "Kulturskolan" not in page.content.decode()


def test_the_round_detail_links_to_the_report(
    member_client: Client, consensus: Round, instrument: Instrument
) -> None:
    services.consensus_save(
        round_=consensus, answers=dict.fromkeys(all_answers(instrument, 3), (3, ""))
    )

    page = member_client.get(reverse("maturity:round_detail", args=["2404", consensus.pk]))

    assert reverse("maturity:round_report", args=["2404", consensus.pk]) in page.content.decode()
    assert "Results report (PDF)" in page.content.decode()


@pytest.mark.parametrize("name", ["other_member", "other_coordinator"])
def test_a_user_of_another_municipality_cannot_get_the_report(
    client: Client, users: Users, consensus: Round, name: str
) -> None:
    client.force_login(users.by_name(name))  # type: ignore[arg-type]

    assert get_report(client, consensus).status_code in (403, 404)  # type: ignore[attr-defined]


def test_the_report_reads_the_apps_static_files() -> None:
    body, media_type = report.static_file(report.STATIC_BASE + "forandra/favicon.svg")

    assert body.startswith(b"<svg")
    assert media_type == "image/svg+xml"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/style.css",
        "http://127.0.0.1:8000/static/forandra/css/forandra.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        report.STATIC_BASE + "../settings/base.py",
        report.STATIC_BASE + "forandra//favicon.svg",
        report.STATIC_BASE + "forandra/no-such-file.css",
        report.STATIC_BASE,
    ],
)
def test_the_report_fetches_nothing_but_the_apps_static_files(url: str) -> None:
    with pytest.raises(report.StaticFileRefusedError):
        report.static_file(url)
