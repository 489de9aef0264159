"""The archive with small data: which models it holds, natural keys, uploaded files, and
refusals that need no demo."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from forandra.accounts.models import User
from forandra.municipalities.models import DigitalisationGroup, Municipality
from forandra.plans.models import Plan
from forandra.programme import library
from forandra.programme.models import Material
from forandra.transfer import registry
from forandra.transfer.importing import ArchiveRefusedError
from tests.conftest import Users
from tests.plans.builders import make_plan
from tests.programme.builders import make_programme

from .helpers import edited, export_bytes, import_bytes, rows_of, table_rows

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_every_model_of_every_app_is_archived_unless_excluded_with_a_reason() -> None:
    archived = {registry.label(model) for model in registry.archived_models()}
    concrete = {
        registry.label(model)
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
    }

    assert concrete - archived == set(registry.EXCLUDED)
    assert all(reason for reason in registry.EXCLUDED.values())
    assert "plans.historicalplanversion" in archived  # history is data


def test_every_archived_model_is_owned_by_a_municipality_or_shared() -> None:
    """A new model makes its author decide what a municipality's archive holds of it."""
    archived = {registry.label(model) for model in registry.archived_models()}

    assert registry.unclassified() == []
    assert set(registry.OWNED) <= archived
    assert set(registry.SHARED) <= archived
    assert not set(registry.OWNED) & set(registry.SHARED)


def test_every_path_to_the_owning_municipality_is_a_valid_lookup(
    home_group: DigitalisationGroup, neighbour_group: DigitalisationGroup
) -> None:
    home = home_group.municipality
    found = {}
    for model in registry.archived_models():
        owned = registry.owned_filter(model, home.pk)
        if owned is not None:  # every lookup runs
            found[registry.label(model)] = set(model._base_manager.filter(owned))

    assert found["municipalities.municipality"] == {home}
    assert found["municipalities.groupmember"] == set(home_group.members.all())
    assert len(found["municipalities.historicalgroupmember"]) == home_group.members.count()


def test_rows_refer_to_content_types_and_permissions_by_natural_key(users: Users) -> None:
    permission = Permission.objects.get(codename="view_plan")
    users.admin.user_permissions.add(permission)
    plans = ContentType.objects.get_for_model(Plan)
    LogEntry.objects.create(
        user=users.admin, content_type=plans, object_id="1", object_repr="A plan",
        action_flag=ADDITION,
    )  # fmt: skip
    data = export_bytes()
    document = json.loads(data)
    admin = next(r for r in rows_of(document, "accounts.user") if r["pk"] == users.admin.pk)
    assert admin["fields"]["user_permissions"] == [["view_plan", "plans", "plan"]]
    assert rows_of(document, "admin.logentry")[0]["fields"]["content_type"] == ["plans", "plan"]
    User.objects.filter(pk=users.admin.pk).delete()  # and its log entry with it
    assert not LogEntry.objects.exists()

    summary = import_bytes(data)

    assert summary.written == 2
    entry = LogEntry.objects.get()
    assert entry.content_type == plans
    assert list(User.objects.get(pk=users.admin.pk).user_permissions.all()) == [permission]


def test_an_uploaded_file_travels_inside_the_archive(
    media: Any, home_group: DigitalisationGroup
) -> None:
    programme = make_programme(home_group.municipality.region, [home_group.municipality])
    material = library.material_add(
        workshop=programme.workshops.get(number=1),
        kind="reading",
        language="sv",
        title_sv="Planen",
        title_en="The plan",
        file=SimpleUploadedFile("Plan.pdf", PDF, content_type="application/pdf"),
    )
    name = material.file.name
    data = export_bytes()
    assert base64.b64decode(json.loads(data)["files"][name]) == PDF
    Material.objects.filter(pk=material.pk).delete()
    default_storage.delete(name)

    summary = import_bytes(data, dry_run=False)

    assert summary.files == 1
    assert Material.objects.get(pk=material.pk).file.name == name
    with default_storage.open(name, "rb") as stored:
        assert stored.read() == PDF


def test_another_file_under_the_same_name_is_a_clash(
    media: Any, home_group: DigitalisationGroup
) -> None:
    programme = make_programme(home_group.municipality.region, [home_group.municipality])
    material = library.material_add(
        workshop=programme.workshops.get(number=1),
        kind="reading",
        language="sv",
        title_sv="Planen",
        title_en="The plan",
        file=SimpleUploadedFile("Plan.pdf", PDF, content_type="application/pdf"),
    )
    data = export_bytes()
    Material.objects.filter(pk=material.pk).delete()
    with default_storage.open(material.file.name, "wb") as stored:
        stored.write(b"something else")
    before = table_rows()

    with pytest.raises(ArchiveRefusedError) as refused:
        import_bytes(data)

    assert refused.value.problems == [
        f"programme.material pk {material.pk}, field 'file': the storage has another file "
        f"named {material.file.name}."
    ]
    assert table_rows() == before


def test_an_archive_of_another_schema_is_refused(home: Municipality) -> None:
    def older(document: dict[str, Any]) -> None:
        document["schema"]["plans"] = ["0001_initial", "0002_made_up"]

    with pytest.raises(ArchiveRefusedError) as refused:
        import_bytes(edited(export_bytes(), older))

    assert refused.value.problems == [
        "The archive comes from a database whose plans migrations differ from this one's "
        "(archive: 0002_made_up; here: 0001_initial): import it with the release that exported "
        "it, then upgrade."
    ]


def test_models_kept_out_of_archives_are_refused_by_name(home: Municipality) -> None:
    def with_sessions(document: dict[str, Any]) -> None:
        document["models"]["sessions.session"] = []

    with pytest.raises(ArchiveRefusedError) as refused:
        import_bytes(edited(export_bytes(), with_sessions))

    assert refused.value.problems[0].startswith("The model sessions.session is never imported:")


def test_a_file_that_is_not_an_archive_is_refused() -> None:
    for data, problem in (
        (b"\xff\xfe", "The file is not UTF-8 text (line 1)."),
        (b"[]", "The file is JSON but not a Förändra archive."),
        (b'{"format": "csv"}', 'its "format" is "csv"'),
    ):
        with pytest.raises(ArchiveRefusedError) as refused:
            import_bytes(data)
        assert problem in refused.value.problems[0]


def test_a_municipality_archive_leaves_out_other_municipalities_rows(
    home: Municipality, neighbour: Municipality
) -> None:
    mine = make_plan(home)
    make_plan(neighbour)

    document = json.loads(export_bytes(home))

    assert [row["pk"] for row in rows_of(document, "plans.plan")] == [mine.pk]
    assert {row["fields"]["code"] for row in rows_of(document, "municipalities.municipality")} == {
        home.code
    }
