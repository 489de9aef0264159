"""The material library's services: what a file must be to be stored, links, and removal.

Every sample file is built here, small but real in the bytes that matter: a PDF header, zips made
with zipfile, images made with Pillow, an MP3 tag, an MPEG-4 `ftyp` box, UTF-8 text.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import Image

from forandra.municipalities.models import DigitalisationGroup
from forandra.programme import library
from forandra.programme.models import Material, Programme, Workshop
from tests.conftest import Users
from tests.programme.builders import make_programme

pytestmark = pytest.mark.django_db

MEGABYTE = 1024 * 1024


def zipped(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            # OpenDocument keeps its mimetype first and uncompressed; so do we.
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


def ooxml(folder: str, part: str) -> bytes:
    return zipped(
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
        ("_rels/.rels", b"<Relationships/>"),
        (f"{folder}/{part}", b"<doc/>"),
    )


def opendocument(kind: str) -> bytes:
    return zipped(
        ("mimetype", f"application/vnd.oasis.opendocument.{kind}".encode()),
        ("content.xml", b"<office:document-content/>"),
    )


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (11, 79, 108)).save(buffer, fmt)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SAMPLES: dict[str, tuple[bytes, str]] = {
    "plan.pdf": (PDF, "application/pdf"),
    "bilder.pptx": (
        ooxml("ppt", "presentation.xml"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "text.docx": (
        ooxml("word", "document.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "budget.xlsx": (
        ooxml("xl", "workbook.xml"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "bilder.odp": (opendocument("presentation"), "application/vnd.oasis.opendocument.presentation"),
    "text.odt": (opendocument("text"), "application/vnd.oasis.opendocument.text"),
    "karta.png": (image("PNG"), "image/png"),
    "foto.jpg": (image("JPEG"), "image/jpeg"),
    "foto.JPEG": (image("JPEG"), "image/jpeg"),
    "podd.mp3": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64, "audio/mpeg"),
    "utan-tagg.mp3": (b"\xff\xfb\x90\x64" + b"\x00" * 64, "audio/mpeg"),
    "intervju.m4a": (
        b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 8,
        "audio/mp4",
    ),
    "film.mp4": (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video/mp4"),
    "anteckningar.txt": (
        "Digital mognad i Vindeln – år 2026\n".encode(),
        "text/plain; charset=utf-8",
    ),
    "läsning.md": (
        "# Läsning\n\n- Kotter, *Leading Change*\n".encode(),
        "text/markdown; charset=utf-8",
    ),
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    """A storage of this test's own, so what it finds there is what it stored."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def programme(home_group: DigitalisationGroup) -> Programme:
    municipality = home_group.municipality
    return make_programme(municipality.region, [municipality])


@pytest.fixture
def workshop(programme: Programme) -> Workshop:
    return programme.workshops.get(number=1)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def add(workshop: Workshop, **fields: Any) -> Material:
    values: dict[str, Any] = {
        "kind": "reading",
        "language": "sv",
        "title_sv": "Läsning",
        "title_en": "Reading",
    }
    return library.material_add(workshop=workshop, **(values | fields))


def refusal(error: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(error.value.message_dict[field])


# --- Files that are accepted ----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_allowed_kind_of_file_is_stored_with_our_content_type(
    workshop: Workshop, users: Users, name: str
) -> None:
    data, content_type = SAMPLES[name]

    # The browser's claim (text/html) is never what we keep.
    material = add(workshop, file=upload(name, data, "text/html"), added_by=users.coordinator)

    material.refresh_from_db()
    assert material.content_type == content_type
    assert material.filename == name
    assert material.size == len(data)
    assert material.url == ""
    assert material.added_by == users.coordinator
    assert material.file.name.startswith(f"programme/{workshop.programme_id}/")
    assert name not in material.file.name  # a random name in storage
    with material.file.open("rb") as stored:
        assert stored.read() == data


def test_a_new_material_comes_last_in_its_workshop(workshop: Workshop) -> None:
    last = workshop.materials.order_by("-position")[0].position

    material = add(workshop, url="https://www.example.se/rapport")

    assert material.position == last + 1
    assert list(workshop.materials.order_by("position", "pk"))[-1] == material


def test_a_link_is_stored_with_its_titles_tidied(workshop: Workshop) -> None:
    material = add(
        workshop,
        kind="podcast",
        language="en",
        title_sv="  Podd   om  digitalisering ",
        url=" http://podd.example.org/avsnitt-1 ",
    )

    assert (material.title_sv, material.url) == (
        "Podd om digitalisering",
        "http://podd.example.org/avsnitt-1",
    )
    assert not material.file


# --- Files that are refused -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("rapport.pdf", image("PNG"), "PDF"),
        ("bilder.pptx", ooxml("word", "document.xml"), "PowerPoint"),
        ("text.docx", zipped(("word/document.xml", b"<doc/>")), "Word"),  # no [Content_Types].xml
        ("budget.xlsx", PDF, "Excel"),
        ("text.odt", opendocument("presentation"), "OpenDocument Text"),
        ("bilder.odp", zipped(("content.xml", b"<doc/>")), "OpenDocument Presentation"),
        ("foto.jpg", image("PNG"), "JPEG"),
        ("karta.png", image("JPEG"), "PNG"),
        ("podd.mp3", b"MZ\x90\x00" + b"\x00" * 60, "MP3"),
        ("film.mp4", b"RIFF\x00\x00\x00\x00AVI LIST", "MP4"),
        ("anteckningar.txt", b"text\x00with a NUL", "Text"),
        ("latin1.txt", "år".encode("latin-1"), "Text"),
        ("läsning.md", image("PNG"), "Markdown"),
    ],
)
def test_a_file_whose_content_does_not_match_its_name_is_refused_naming_it(
    workshop: Workshop, name: str, data: bytes, kind: str
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(workshop, file=upload(name, data))

    message = refusal(error, "file")
    assert f"“{name}”" in message
    assert f"named as a {kind} file, but its content is not one" in message
    assert not Material.objects.filter(filename=name).exists()


def test_a_kind_of_file_the_library_does_not_take_is_refused_with_the_kinds_it_takes(
    workshop: Workshop,
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(workshop, file=upload("program.exe", b"MZ\x90\x00"))

    message = refusal(error, "file")
    assert "“program.exe” is not a kind of file the library takes" in message
    assert ".pdf, .pptx, .docx, .xlsx, .odp, .odt, .png, .jpg" in message


@override_settings(PROGRAMME_MATERIAL_MAX_BYTES=1 * MEGABYTE)
def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit_in_mb(
    workshop: Workshop, media: Any
) -> None:
    data = PDF + b"0" * (MEGABYTE + MEGABYTE // 2 - len(PDF))

    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(workshop, file=upload("stor.pdf", data))

    assert refusal(error, "file").startswith("“stor.pdf” is 1.5 MB; a file may be at most 1 MB.")
    assert [p for p in media.rglob("*") if p.is_file()] == []


@override_settings(PROGRAMME_MATERIAL_MAX_BYTES=1 * MEGABYTE)
def test_a_file_of_exactly_the_limit_is_taken(workshop: Workshop) -> None:
    data = PDF + b"0" * (MEGABYTE - len(PDF))

    assert add(workshop, file=upload("precis.pdf", data)).size == MEGABYTE


def test_the_sizes_are_written_in_swedish_numbers_in_swedish(workshop: Workshop) -> None:
    with (
        override_settings(PROGRAMME_MATERIAL_MAX_BYTES=MEGABYTE),
        translation.override("sv"),
        pytest.raises(ValidationError) as error,
    ):
        add(workshop, file=upload("stor.pdf", PDF + b"0" * (2 * MEGABYTE + MEGABYTE // 2)))

    assert "2,5 MB" in refusal(error, "file")


def test_an_empty_file_is_refused(workshop: Workshop) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(workshop, file=upload("tom.pdf", b""))

    assert refusal(error, "file") == "“tom.pdf” is empty. Choose another file."


def test_neither_a_web_address_nor_a_file_is_refused(workshop: Workshop) -> None:
    before = workshop.materials.count()

    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(workshop)

    assert refusal(error, "url") == "Enter a web address, or choose a file to upload."
    assert workshop.materials.count() == before


def test_both_a_web_address_and_a_file_are_refused(workshop: Workshop) -> None:
    before = workshop.materials.count()

    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(workshop, url="https://www.example.se/", file=upload("plan.pdf", PDF))

    assert refusal(error, "file").startswith("Give either a web address or a file, not both.")
    assert workshop.materials.count() == before


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example.se/plan.pdf", "file:///etc/passwd"]
)
def test_only_http_and_https_addresses_are_taken(workshop: Workshop, url: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(workshop, url=url)

    assert "starts with https:// or http://" in refusal(error, "url")


def test_a_folder_in_the_file_name_is_dropped_and_a_long_name_keeps_its_ending(
    workshop: Workshop,
) -> None:
    assert library.file_name("C:\\Users\\anna\\plan.pdf") == "plan.pdf"
    long = library.file_name("a" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


# --- Removal --------------------------------------------------------------------------------------


def test_removing_a_file_material_deletes_its_file_after_commit(
    workshop: Workshop, django_capture_on_commit_callbacks: Any
) -> None:
    material = add(workshop, file=upload("plan.pdf", PDF))
    stored = material.file.name
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        library.material_remove(material=material)
        assert default_storage.exists(stored)  # not before the removal is committed
    for callback in callbacks:
        callback()

    assert not Material.objects.filter(pk=material.pk).exists()
    assert not default_storage.exists(stored)


def test_removing_a_link_touches_no_storage(
    workshop: Workshop, django_capture_on_commit_callbacks: Any
) -> None:
    material = workshop.materials.order_by("pk")[0]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        library.material_remove(material=material)

    assert callbacks == []
    assert not Material.objects.filter(pk=material.pk).exists()


# --- Reading --------------------------------------------------------------------------------------


def test_the_sections_hold_every_workshop_in_order_with_its_own_material(
    programme: Programme,
) -> None:
    sections = library.material_sections(programme=programme)

    assert [s.workshop.number for s in sections] == [1, 2, 3, 4]
    for section in sections:
        assert all(m.workshop_id == section.workshop.pk for m in section.materials)
    assert (
        sum(len(s.materials) for s in sections)
        == Material.objects.filter(workshop__programme=programme).count()
    )


def test_the_filters_narrow_by_workshop_kind_and_language(
    programme: Programme, workshop: Workshop
) -> None:
    add(workshop, kind="video", language="en", url="https://video.example.org/1")

    sections = library.material_sections(
        programme=programme, workshop=1, kind="video", language="en"
    )

    assert [s.workshop.number for s in sections] == [1]
    assert [m.url for m in sections[0].materials] == ["https://video.example.org/1"]


def test_the_material_of_another_programme_is_not_found(
    programme: Programme, workshop: Workshop
) -> None:
    other = make_programme(programme.region, [])
    material = add(workshop, url="https://www.example.se/")

    with pytest.raises(Material.DoesNotExist):
        library.material_get(programme=other, pk=material.pk)
