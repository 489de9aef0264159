"""The material library: reading, slides, podcasts and links for each workshop of a programme.

A *material* is either a web address or an uploaded file. Files are checked twice before they
are stored: the name must end in one of the kinds of file the library takes, and the content
must be that kind of file (its first bytes, or for office documents the parts inside the zip),
so a program renamed to `.pdf` is refused. The type we store and serve is the one we decided,
never the one the browser sent. Files are served only through a view that checks the reader's
access to the programme, always as a download.

Selectors (reads) first, then the file checks, then the services (writes).
"""

from __future__ import annotations

import codecs
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from forandra.accounts.models import User

from .models import Material, Programme, Workshop

# --- Selectors ------------------------------------------------------------------------------------


def material_list(
    *, programme: Programme, workshop: int | None = None, kind: str = "", language: str = ""
) -> QuerySet[Material]:
    """The programme's material in workshop order, optionally of one workshop, kind or language."""
    materials = Material.objects.filter(workshop__programme=programme)
    if workshop is not None:
        materials = materials.filter(workshop__number=workshop)
    if kind:
        materials = materials.filter(kind=kind)
    if language:
        materials = materials.filter(language=language)
    return materials.select_related("workshop").order_by("workshop__number", "position", "pk")


@dataclass(frozen=True)
class WorkshopMaterial:
    """One workshop's section of the library."""

    workshop: Workshop
    materials: tuple[Material, ...]


def material_sections(
    *, programme: Programme, workshop: int | None = None, kind: str = "", language: str = ""
) -> list[WorkshopMaterial]:
    """The library per workshop (every workshop, or only the chosen one), in two queries."""
    workshops = Workshop.objects.filter(programme=programme).order_by("number")
    if workshop is not None:
        workshops = workshops.filter(number=workshop)
    by_workshop: dict[int, list[Material]] = {}
    for material in material_list(
        programme=programme, workshop=workshop, kind=kind, language=language
    ):
        by_workshop.setdefault(material.workshop_id, []).append(material)
    return [WorkshopMaterial(w, tuple(by_workshop.get(w.pk, ()))) for w in workshops]


def material_get(*, programme: Programme, pk: int) -> Material:
    """One material of the programme; raises Material.DoesNotExist."""
    return Material.objects.select_related("workshop").get(pk=pk, workshop__programme=programme)


# --- File checks ----------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
HEAD_BYTES = 64
TEXT_CHUNK = 64 * 1024


def _read_head(file: IO[bytes]) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def _zip_names(file: IO[bytes]) -> list[str] | None:
    """The names inside a zip file (read from its directory, nothing unpacked), or None."""
    if not _read_head(file).startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(file) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)


def _ooxml(folder: str) -> Callable[[IO[bytes]], bool]:
    """An Office Open XML document: a zip with `[Content_Types].xml` and its program's folder."""

    def check(file: IO[bytes]) -> bool:
        names = _zip_names(file)
        return (
            names is not None
            and "[Content_Types].xml" in names
            and any(name.startswith(folder) for name in names)
        )

    return check


def _opendocument(mimetype: str) -> Callable[[IO[bytes]], bool]:
    """An OpenDocument file: a zip whose `mimetype` entry names the kind of document."""

    def check(file: IO[bytes]) -> bool:
        names = _zip_names(file)
        if names is None or "mimetype" not in names:
            return False
        try:
            with zipfile.ZipFile(file) as archive, archive.open("mimetype") as entry:
                # A mimetype entry is a few dozen bytes; read no more than that.
                return entry.read(len(mimetype) + 1).strip() == mimetype.encode("ascii")
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            return False
        finally:
            file.seek(0)

    return check


def _starts_with(*magics: bytes) -> Callable[[IO[bytes]], bool]:
    def check(file: IO[bytes]) -> bool:
        return _read_head(file).startswith(magics)

    return check


def _mp3(file: IO[bytes]) -> bool:
    """An ID3 tag, or an MPEG audio frame's sync word (eleven bits set)."""
    head = _read_head(file)
    return head.startswith(b"ID3") or (
        len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    )


def _iso_media(file: IO[bytes]) -> bool:
    """MPEG-4 (mp4, m4a): the first box is `ftyp`."""
    return _read_head(file)[4:8] == b"ftyp"


def _utf8_text(file: IO[bytes]) -> bool:
    """Valid UTF-8 all through, and no NUL byte (binary files nearly always have one)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    file.seek(0)
    try:
        while chunk := file.read(TEXT_CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


@dataclass(frozen=True)
class FileType:
    """A kind of file the library takes: its name, endings, the type we serve, its test."""

    name: str
    extensions: tuple[str, ...]
    content_type: str
    check: Callable[[IO[bytes]], bool]


FILE_TYPES: tuple[FileType, ...] = (
    FileType("PDF", ("pdf",), "application/pdf", _starts_with(b"%PDF-")),
    FileType(
        "PowerPoint",
        ("pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ooxml("ppt/"),
    ),
    FileType(
        "Word",
        ("docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ooxml("word/"),
    ),
    FileType(
        "Excel",
        ("xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ooxml("xl/"),
    ),
    FileType(
        "OpenDocument Presentation",
        ("odp",),
        "application/vnd.oasis.opendocument.presentation",
        _opendocument("application/vnd.oasis.opendocument.presentation"),
    ),
    FileType(
        "OpenDocument Text",
        ("odt",),
        "application/vnd.oasis.opendocument.text",
        _opendocument("application/vnd.oasis.opendocument.text"),
    ),
    FileType("PNG", ("png",), "image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
    FileType("JPEG", ("jpg", "jpeg"), "image/jpeg", _starts_with(b"\xff\xd8\xff")),
    FileType("MP3", ("mp3",), "audio/mpeg", _mp3),
    FileType("M4A", ("m4a",), "audio/mp4", _iso_media),
    FileType("MP4", ("mp4",), "video/mp4", _iso_media),
    FileType("Text", ("txt",), "text/plain; charset=utf-8", _utf8_text),
    FileType("Markdown", ("md",), "text/markdown; charset=utf-8", _utf8_text),
)
BY_EXTENSION = {ext: file_type for file_type in FILE_TYPES for ext in file_type.extensions}
FILENAME_MAX_LENGTH = 255
MEGABYTE = 1024 * 1024


def allowed_extensions() -> str:
    """ ".pdf, .pptx, ...": for hints and messages."""
    return ", ".join(f".{ext}" for ext in BY_EXTENSION)


def max_bytes() -> int:
    return int(settings.PROGRAMME_MATERIAL_MAX_BYTES)


def megabytes(size: int) -> str:
    """A size in MB in the reader's number format: "20", "1,5"."""
    value = size / MEGABYTE
    return formats.number_format(value, decimal_pos=0 if value == int(value) else 1)


def file_name(name: str) -> str:
    """The original name without any folder, shortened (keeping its ending) to fit the field."""
    name = os.path.basename(name.replace("\\", "/")).strip() or "file"
    if len(name) <= FILENAME_MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:FILENAME_MAX_LENGTH]
    return f"{stem[: FILENAME_MAX_LENGTH - len(extension) - 1]}.{extension}"


def file_check(*, name: str, file: IO[bytes], size: int) -> FileType:
    """The kind of the file, if the library takes it: not too large, a name ending the library
    knows, and content that is what the name says. Raises ValidationError on `file`."""
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” is %(size)s MB; a file may be at most %(limit)s MB. Make it "
                    "smaller, or share it by a web address instead."
                )
                % {"name": name, "size": megabytes(size), "limit": megabytes(limit)}
            },
            code="too_large",
        )
    if size == 0:
        raise ValidationError(
            {"file": _("“%(name)s” is empty. Choose another file.") % {"name": name}},
            code="empty",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    file_type = BY_EXTENSION.get(extension)
    if file_type is None:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” is not a kind of file the library takes. Choose a file ending in "
                    "%(extensions)s."
                )
                % {"name": name, "extensions": allowed_extensions()}
            },
            code="file_type",
        )
    if not file_type.check(file):
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” is named as a %(kind)s file, but its content is not one. Choose "
                    "the file again, or save it as %(kind)s first."
                )
                % {"name": name, "kind": file_type.name}
            },
            code="content_mismatch",
        )
    return file_type


def source_check(*, url: str, has_file: bool) -> None:
    """A material is a web address or a file: one of them, not both."""
    if url and has_file:
        raise ValidationError(
            {
                "file": _(
                    "Give either a web address or a file, not both. Remove the web address to "
                    "add the file."
                )
            },
            code="both",
        )
    if not url and not has_file:
        raise ValidationError(
            {"url": _("Enter a web address, or choose a file to upload.")}, code="neither"
        )


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            {
                "url": _(
                    "Enter a web address that starts with https:// or http://, such as "
                    "https://www.example.se/report."
                )
            },
            code="url_scheme",
        )


# --- Services -------------------------------------------------------------------------------------


@transaction.atomic
def material_add(
    *,
    workshop: Workshop,
    kind: str,
    language: str,
    title_sv: str,
    title_en: str,
    url: str = "",
    file: Any = None,
    added_by: User | None = None,
) -> Material:
    """Add a web address or a checked file to a workshop's material, last in its list.

    `file` is an uploaded file (anything with `name`, `size`, `read` and `seek`)."""
    url = url.strip()
    source_check(url=url, has_file=file is not None)
    position = (
        Material.objects.filter(workshop=workshop).aggregate(last=Max("position"))["last"] or 0
    ) + 1
    material = Material(
        workshop=workshop,
        kind=kind,
        language=language,
        title_sv=" ".join(title_sv.split()),
        title_en=" ".join(title_en.split()),
        url=url,
        added_by=added_by,
        position=position,
    )
    if url:
        _check_url(url)
        material.full_clean()
        material.save()
        return material
    name = file_name(str(file.name or ""))
    file_type = file_check(name=name, file=file, size=int(file.size))
    material.filename = name
    material.content_type = file_type.content_type
    material.size = int(file.size)
    material.full_clean(exclude=["file"])
    file.seek(0)
    material.file.save(name, file, save=False)
    try:
        material.save()
    except BaseException:
        material.file.delete(save=False)
        raise
    return material


@transaction.atomic
def material_remove(*, material: Material) -> None:
    """Remove a material; its file leaves storage once the removal is committed."""
    stored = material.file.name if material.file else ""
    storage = material.file.storage
    material.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
