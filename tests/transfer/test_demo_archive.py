"""The archive of the whole demo: lossless round trips, and refusals that write nothing.

The demo is loaded once for the module (it takes seconds), exported as a whole and for Vindeln,
and rolled back: every test starts from an empty database (migrated, nothing else) and the
archives' bytes. Exported, imported into that empty database and exported again, an archive
must come out byte for byte the same; a corrupted or clashing archive must be refused with a
message naming what is wrong, and not one row of any table may change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from forandra.core import demo
from forandra.municipalities.models import Municipality
from forandra.plans.models import Plan
from forandra.transfer import registry
from forandra.transfer.importing import ArchiveRefusedError
from tests.plans.builders import make_plan

from .helpers import archived_tables, edited, export_bytes, import_bytes, rows_of, table_rows

pytestmark = pytest.mark.django_db

VINDELN = "2404"


@dataclass(frozen=True)
class Archives:
    whole: bytes
    vindeln: bytes
    rows: dict[str, int]  # every table's rows with the demo loaded


@pytest.fixture(scope="module")
def archives(django_db_setup: None, django_db_blocker: Any) -> Archives:
    """The demo's archives, made once; the demo itself is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert demo.demo_load().loaded
        made = Archives(
            whole=export_bytes(),
            vindeln=export_bytes(Municipality.objects.get(code=VINDELN)),
            rows=table_rows(),
        )
        transaction.set_rollback(True)
    return made


def test_the_whole_demo_round_trips_byte_for_byte(archives: Archives) -> None:
    assert not Plan.objects.exists()  # an empty database

    summary = import_bytes(archives.whole)

    assert export_bytes() == archives.whole
    assert summary.written == summary.rows > 25_000
    assert summary.present == 0
    # Every table an archive covers (many-to-many links included) has its rows back.
    now = table_rows()
    assert {t: now[t] for t in archived_tables()} == {
        t: archives.rows[t] for t in archived_tables()
    }
    # New rows get keys after the imported ones (PostgreSQL's sequences were moved on).
    newest = max(row["pk"] for row in rows_of(json.loads(archives.whole), "plans.plan"))
    assert make_plan(Municipality.objects.get(code=VINDELN)).pk > newest


def test_the_archive_lists_every_model_in_order_with_rows_in_key_order(archives: Archives) -> None:
    document = json.loads(archives.whole)

    assert list(document)[:2] == ["format", "version"]
    assert document["format"] == registry.FORMAT
    assert document["scope"] == {"kind": "database"}
    assert list(document["models"]) == [registry.label(m) for m in registry.archived_models()]
    for rows in document["models"].values():
        keys = [row["pk"] for row in rows]
        assert keys == sorted(keys)
    # Times keep their microseconds; references to content types or permissions would be
    # natural keys (tests/transfer/test_archive.py), to everything else primary keys.
    history = [
        row["fields"]["history_date"] for row in rows_of(document, "plans.historicalsection")
    ]
    assert any("." in moment for moment in history)
    assert isinstance(rows_of(document, "plans.plan")[0]["fields"]["municipality"], int)


def test_importing_an_archive_twice_changes_nothing(archives: Archives) -> None:
    import_bytes(archives.vindeln)
    before = table_rows()

    again = import_bytes(archives.vindeln)

    assert again.written == 0
    assert again.present == again.rows
    assert table_rows() == before


def test_a_municipality_archive_round_trips_and_holds_what_it_refers_to(
    archives: Archives,
) -> None:
    document = json.loads(archives.vindeln)

    import_bytes(archives.vindeln)

    assert export_bytes(Municipality.objects.get(code=VINDELN)) == archives.vindeln
    assert document["scope"] == {"kind": "municipality", "code": VINDELN, "name": "Vindeln"}
    vindeln = next(
        row["pk"]
        for row in rows_of(document, "municipalities.municipality")
        if row["fields"]["code"] == VINDELN
    )
    plans = rows_of(document, "plans.plan")
    assert plans
    assert all(row["fields"]["municipality"] == vindeln for row in plans)
    groups = rows_of(document, "municipalities.digitalisationgroup")
    assert [row["fields"]["municipality"] for row in groups] == [vindeln]
    # What its rows refer to comes along (the region, the instrument, the waves), but not the
    # rows of other municipalities that merely exist.
    assert len(rows_of(document, "municipalities.region")) == 1
    assert rows_of(document, "maturity.instrumentversion")
    assert rows_of(document, "scanning.wave")
    assert not rows_of(document, "regional.publicsummary")
    assert len(rows_of(document, "ideas.idea")) < len(
        json.loads(archives.whole)["models"]["ideas.idea"]
    )


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def newer_version(data: bytes) -> bytes:
    return edited(data, lambda document: document.update(version=registry.VERSION + 1))


def unknown_model(data: bytes) -> bytes:
    return edited(data, lambda document: document["models"].update({"plans.blueprint": []}))


def unknown_field(data: bytes) -> bytes:
    def change(document: dict[str, Any]) -> None:
        rows_of(document, "plans.plan")[0]["fields"]["colour"] = "grön"

    return edited(data, change)


def dangling_reference(data: bytes) -> bytes:
    return edited(data, lambda document: document["models"].update({"municipalities.region": []}))


def invalid_choice(data: bytes) -> bytes:
    def change(document: dict[str, Any]) -> None:
        rows_of(document, "plans.planversion")[0]["fields"]["status"] = "bogus"

    return edited(data, change)


def years_backwards(data: bytes) -> bytes:
    """Valid field by field; the database's check constraint refuses it while writing."""

    def change(document: dict[str, Any]) -> None:
        plan = rows_of(document, "plans.plan")[-1]["fields"]
        plan["last_year"] = plan["first_year"] - 1

    return edited(data, change)


CORRUPTIONS: dict[str, tuple[Callable[[bytes], bytes], list[str]]] = {
    "truncated JSON": (truncated, ["not valid JSON at line", "column"]),
    "a newer version": (newer_version, [f"version {registry.VERSION + 1}"]),
    "an unknown model": (unknown_model, ["Unknown model plans.blueprint"]),
    "an unknown field": (unknown_field, ["plans.plan pk", "field 'colour': unknown field"]),
    "a dangling reference": (
        dangling_reference,
        ["field 'region'", "municipalities.region pk", "neither in the archive nor"],
    ),
    "an invalid value": (invalid_choice, ["plans.planversion pk", "field 'status'", "bogus"]),
    "a check the database makes": (years_backwards, ["plans.plan", "plan_years_in_order"]),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=list(CORRUPTIONS))
def test_a_corrupted_archive_is_refused_naming_the_problem_and_nothing_is_written(
    archives: Archives, corruption: str
) -> None:
    corrupt, words = CORRUPTIONS[corruption]
    source = archives.whole if corruption == "truncated JSON" else archives.vindeln
    before = table_rows()

    with pytest.raises(ArchiveRefusedError) as refused:
        import_bytes(corrupt(source))

    message = "\n".join(refused.value.problems)
    for word in words:
        assert word in message
    assert table_rows() == before


def test_an_archive_that_clashes_with_the_database_is_refused_and_nothing_is_written(
    archives: Archives,
) -> None:
    import_bytes(archives.whole)
    plan = Plan.objects.order_by("pk").first()
    assert plan is not None
    Plan.objects.filter(pk=plan.pk).update(title="Ändrad titel")
    before = table_rows()

    with pytest.raises(ArchiveRefusedError) as refused:
        import_bytes(archives.whole)

    assert refused.value.problems == [
        f"plans.plan pk {plan.pk}: the database has a row with this primary key and other "
        "content (fields: title).",
        "1 row clashes with the database's: an archive goes into an empty database (made with "
        "`forandra migrate` alone) or the one it came from.",
    ]
    assert table_rows() == before
    assert Plan.objects.get(pk=plan.pk).title == "Ändrad titel"


def test_a_unique_value_of_another_row_is_a_clash(archives: Archives) -> None:
    import_bytes(archives.vindeln)
    document = json.loads(archives.vindeln)
    region = rows_of(document, "municipalities.region")[0]
    region["pk"] += 1000  # the same region (code 24) under another key
    before = table_rows()

    with pytest.raises(ArchiveRefusedError) as refused:
        import_bytes(json.dumps(document).encode())

    assert any(
        f'municipalities.region pk {region["pk"]}: its code ["24"] is that of another row'
        in problem
        for problem in refused.value.problems
    )
    assert table_rows() == before
