"""The material library's pages: the list per workshop, adding a link or a file, downloading it
(only for those who may see the programme, always as an attachment), and removing it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from forandra.municipalities.models import DigitalisationGroup
from forandra.programme import library
from forandra.programme.models import Material, Programme, Workshop
from tests.conftest import Users
from tests.programme.builders import make_programme
from tests.programme.test_library import PDF, image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def programme(home_group: DigitalisationGroup) -> Programme:
    municipality = home_group.municipality
    return make_programme(municipality.region, [municipality])


@pytest.fixture
def workshop(programme: Programme) -> Workshop:
    return programme.workshops.get(number=2)


@pytest.fixture
def coordinator(users: Users) -> Client:
    return signed_in(users.coordinator)


def add_url(workshop: Workshop) -> str:
    return reverse("programme:material_add", args=[workshop.programme_id, workshop.number])


def file_url(material: Material) -> str:
    return reverse("programme:material_file", args=[material.workshop.programme_id, material.pk])


def pdf_material(workshop: Workshop, name: str = "Plan för 2026.pdf") -> Material:
    return library.material_add(
        workshop=workshop,
        kind="reading",
        language="sv",
        title_sv="Planen",
        title_en="The plan",
        file=SimpleUploadedFile(name, PDF, content_type="application/pdf"),
    )


FORM = {"kind": "slides", "language": "sv", "title_sv": "Bilder", "title_en": "Slides"}


def error_summary(response: Any) -> str:
    body = response.content.decode()
    match = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert match, "no error summary on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


# --- The list -------------------------------------------------------------------------------------


def test_the_material_page_has_a_section_and_a_table_per_workshop(
    users: Users, programme: Programme, workshop: Workshop
) -> None:
    material = pdf_material(workshop)

    body = signed_in(users.member).get(reverse("programme:material", args=[programme.pk]))
    text = body.content.decode()

    assert body.status_code == 200
    for number in (1, 2, 3, 4):
        assert f'id="workshop-{number}"' in text
    assert "<caption" in text and 'scope="col"' in text
    assert file_url(material) in text
    assert "Download Plan för 2026.pdf" in text
    assert "application/pdf" in text
    # A member may read, not add or remove.
    assert "Add material to" not in text
    assert reverse("programme:material_remove", args=[programme.pk, material.pk]) not in text


def test_the_coordinator_sees_where_to_add_and_remove(
    coordinator: Client, programme: Programme, workshop: Workshop
) -> None:
    text = coordinator.get(reverse("programme:material", args=[programme.pk])).content.decode()

    assert add_url(workshop) in text
    first = Material.objects.filter(workshop__programme=programme).order_by("pk")[0]
    assert reverse("programme:material_remove", args=[programme.pk, first.pk]) in text


def test_the_filters_show_one_workshop_of_one_kind(
    coordinator: Client, programme: Programme, workshop: Workshop
) -> None:
    library.material_add(
        workshop=workshop,
        kind="video",
        language="en",
        title_sv="Film om Kotter",
        title_en="A film on Kotter",
        url="https://video.example.org/kotter",
    )

    response = coordinator.get(
        reverse("programme:material", args=[programme.pk]),
        {"workshop": "2", "kind": "video", "language": "en"},
    )
    text = response.content.decode()

    assert 'id="workshop-2"' in text and 'id="workshop-1"' not in text
    assert "https://video.example.org/kotter" in text
    assert "1 material matches." in text


def test_a_bad_filter_shows_everything_rather_than_failing(
    coordinator: Client, programme: Programme
) -> None:
    response = coordinator.get(
        reverse("programme:material", args=[programme.pk]), {"workshop": "x", "kind": "nope"}
    )

    assert response.status_code == 200
    assert 'id="workshop-4"' in response.content.decode()


# --- Adding ---------------------------------------------------------------------------------------


def test_the_coordinator_adds_a_link(coordinator: Client, workshop: Workshop) -> None:
    response = coordinator.post(add_url(workshop), {**FORM, "url": "https://www.example.se/bilder"})

    assert response.status_code == 302
    assert response["Location"].endswith("#workshop-2")
    material = workshop.materials.order_by("-pk")[0]
    assert (material.title_en, material.url, material.kind) == (
        "Slides",
        "https://www.example.se/bilder",
        "slides",
    )


def test_the_coordinator_uploads_a_file_and_its_type_is_ours(
    coordinator: Client, users: Users, workshop: Workshop
) -> None:
    upload = SimpleUploadedFile("bilder.png", image("PNG"), content_type="application/x-evil")

    response = coordinator.post(add_url(workshop), {**FORM, "file": upload})

    assert response.status_code == 302
    material = workshop.materials.order_by("-pk")[0]
    assert (material.filename, material.content_type) == ("bilder.png", "image/png")
    assert material.added_by == users.coordinator
    assert default_storage.exists(material.file.name)


def test_a_file_that_is_not_what_its_name_says_is_refused_naming_it_and_keeping_the_titles(
    coordinator: Client, workshop: Workshop
) -> None:
    before = workshop.materials.count()
    upload = SimpleUploadedFile("rapport.pdf", image("PNG"), content_type="application/pdf")

    response = coordinator.post(
        add_url(workshop), {**FORM, "title_sv": "Min rapport", "file": upload}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "<title>Error:" in text
    assert "“rapport.pdf” is named as a PDF file, but its content is not one" in error_summary(
        response
    )
    assert 'value="Min rapport"' in text
    assert workshop.materials.count() == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, "Enter a web address, or choose a file to upload."),
        (
            {"url": "https://www.example.se/", "file": "pdf"},
            "Give either a web address or a file, not both.",
        ),
        ({"url": "ftp://files.example.se/plan.pdf"}, "starts with https:// or http://"),
    ],
)
def test_a_link_or_a_file_is_needed_but_not_both(
    coordinator: Client, workshop: Workshop, data: dict[str, str], expected: str
) -> None:
    before = workshop.materials.count()
    posted: dict[str, Any] = {**FORM, **data}
    if posted.get("file") == "pdf":
        posted["file"] = SimpleUploadedFile("plan.pdf", PDF)

    response = coordinator.post(add_url(workshop), posted)

    assert response.status_code == 200
    assert expected in error_summary(response)
    if "url" in data:  # what was typed stays in the form
        assert f'value="{data["url"]}"' in response.content.decode()
    assert workshop.materials.count() == before


def test_a_chosen_file_must_be_chosen_again_when_another_field_is_wrong(
    coordinator: Client, workshop: Workshop
) -> None:
    upload = SimpleUploadedFile("plan.pdf", PDF)

    response = coordinator.post(add_url(workshop), {**FORM, "title_en": "", "file": upload})

    text = " ".join(response.content.decode().split())
    assert "Write the title in English." in error_summary(response)
    assert "You chose “plan.pdf”: choose it again before you send" in text


def test_a_workshop_the_programme_does_not_have_is_not_found(
    coordinator: Client, programme: Programme
) -> None:
    response = coordinator.get(reverse("programme:material_add", args=[programme.pk, 9]))

    assert response.status_code == 404


# --- Downloading ----------------------------------------------------------------------------------


def test_a_file_downloads_as_an_attachment_with_its_name_and_our_type(
    users: Users, workshop: Workshop
) -> None:
    material = pdf_material(workshop)

    response = signed_in(users.leadership).get(file_url(material))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Plan%20f%C3%B6r%202026.pdf" in disposition


def test_a_member_of_a_municipality_outside_the_programme_cannot_download(
    users: Users, workshop: Workshop
) -> None:
    material = pdf_material(workshop)

    response = signed_in(users.other_member).get(file_url(material))

    assert response.status_code == 403


def test_a_link_has_no_file_to_download(users: Users, workshop: Workshop) -> None:
    link = workshop.materials.filter(file="").order_by("pk")[0]

    response = signed_in(users.member).get(file_url(link))

    assert response.status_code == 404


def test_a_file_is_found_only_through_its_own_programme(
    coordinator: Client, programme: Programme, workshop: Workshop
) -> None:
    material = pdf_material(workshop)
    other = make_programme(programme.region, [])

    response = coordinator.get(reverse("programme:material_file", args=[other.pk, material.pk]))

    assert response.status_code == 404


# --- Removing -------------------------------------------------------------------------------------


def test_removing_asks_first_then_deletes_the_row_and_the_file(
    coordinator: Client, workshop: Workshop, django_capture_on_commit_callbacks: Any
) -> None:
    material = pdf_material(workshop)
    stored = material.file.name
    url = reverse("programme:material_remove", args=[workshop.programme_id, material.pk])

    confirm = coordinator.get(url)
    assert confirm.status_code == 200
    assert "Remove “Planen”?" in confirm.content.decode() or "Remove “The plan”?" in (
        confirm.content.decode()
    )
    assert Material.objects.filter(pk=material.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(url)

    assert response.status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists()
    assert not default_storage.exists(stored)


def test_a_member_cannot_remove_material(users: Users, workshop: Workshop) -> None:
    material = pdf_material(workshop)
    url = reverse("programme:material_remove", args=[workshop.programme_id, material.pk])

    response = signed_in(users.member).post(url)

    assert response.status_code == 403
    assert Material.objects.filter(pk=material.pk).exists()
    assert default_storage.exists(material.file.name)


def test_a_wrong_file_is_named_together_with_the_other_mistakes(
    coordinator: Client, workshop: Workshop
) -> None:
    upload = SimpleUploadedFile("rapport.pdf", image("PNG"))

    response = coordinator.post(add_url(workshop), {**FORM, "title_en": "", "file": upload})

    summary = error_summary(response)
    assert "Write the title in English." in summary
    assert "“rapport.pdf” is named as a PDF file" in summary


def test_an_empty_post_shows_every_missing_answer(coordinator: Client, workshop: Workshop) -> None:
    response = coordinator.post(add_url(workshop), {})

    summary = error_summary(response)
    for message in (
        "Choose what kind of material it is.",
        "Choose the language the material is in.",
        "Write the title in Swedish.",
        "Enter a web address, or choose a file to upload.",
    ):
        assert message in summary
