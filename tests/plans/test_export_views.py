"""Downloading a plan version: who may, the file's name and type, unknown formats and versions,
and the language of the file."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from forandra.municipalities.models import Municipality
from forandra.plans import services
from forandra.plans.models import PlanVersion
from tests.conftest import Users
from tests.plans.builders import complete_draft, make_plan
from tests.plans.test_export_document import FIRST_TITLE, rich_version

pytestmark = pytest.mark.django_db


def url(version: PlanVersion, fmt: str, code: str | None = None) -> str:
    plan = version.plan
    return reverse(
        "plans:export",
        kwargs={
            "code": code or plan.municipality.code,
            "pk": plan.pk,
            "number": version.number,
            "fmt": fmt,
        },
    )


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize(
    ("role", "fmt", "content_type"),
    [
        (
            "member",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("leadership", "pdf", "application/pdf"),
        ("coordinator", "md", "text/markdown; charset=utf-8"),
        ("admin", "md", "text/markdown; charset=utf-8"),
    ],
)
def test_readers_of_the_plans_download_each_format(
    users: Users, home: Municipality, role: str, fmt: str, content_type: str
) -> None:
    version = rich_version(home, initiatives=2, decided=True)

    response = client_for(users.by_name(role)).get(url(version, fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="plan-vindeln-2027-2029-v1.{fmt}"'
    )
    if fmt == "docx":
        document = Document(io.BytesIO(response.content))
        assert document.paragraphs[0].text == "Digital omställning"
    elif fmt == "pdf":
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert FIRST_TITLE in text
    else:
        assert response.content.decode().startswith("# Digital omställning\n")


@pytest.mark.parametrize("role", ["other_member", "other_coordinator"])
def test_others_get_nothing(users: Users, home: Municipality, role: str) -> None:
    version = complete_draft(home)

    response = client_for(users.by_name(role)).get(url(version, "md"))

    assert response.status_code in (403, 404)
    assert "Content-Disposition" not in response


def test_an_anonymous_visitor_is_sent_to_log_in(home: Municipality) -> None:
    response = Client().get(url(complete_draft(home), "md"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_format_or_version_is_not_found(users: Users, home: Municipality) -> None:
    version = complete_draft(home)
    client = client_for(users.member)
    missing = PlanVersion(plan=version.plan, number=7)

    assert client.get(url(version, "odt")).status_code == 404
    assert client.get(url(version, "DOCX")).status_code == 404
    assert client.get(url(missing, "md")).status_code == 404


def test_a_plan_is_found_only_under_its_own_municipality(
    users: Users, home: Municipality, neighbour: Municipality
) -> None:
    version = complete_draft(neighbour)

    response = client_for(users.admin).get(url(version, "md", code=home.code))

    assert response.status_code == 404


def test_each_version_has_its_own_file_name(users: Users, home: Municipality) -> None:
    version = rich_version(home, initiatives=1, decided=True)
    second = services.version_new(plan=version.plan, user=None)
    one_year = services.current_version(make_plan(home, first_year=2028, last_year=2028))
    client = client_for(users.member)

    response = client.get(url(second, "md"))
    single = client.get(url(one_year, "md"))

    assert response["Content-Disposition"] == 'attachment; filename="plan-vindeln-2027-2029-v2.md"'
    assert "- **Version:** 2" in response.content.decode()
    assert single["Content-Disposition"] == 'attachment; filename="plan-vindeln-2028-v1.md"'


def test_the_file_is_in_the_readers_language(users: Users, home: Municipality) -> None:
    version = rich_version(home, initiatives=1)
    client = client_for(users.member)

    swedish = client.get(url(version, "md"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(url(version, "md"))

    assert swedish["Content-Language"] == "sv"
    assert english["Content-Language"] == "en"
    assert "## The plan along Kotter's eight steps" in english.content.decode()
    assert "### 1. Establishing a sense of urgency" in english.content.decode()
