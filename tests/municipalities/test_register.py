from __future__ import annotations

import csv
from importlib import resources

import pytest
from django.core.management import call_command

from forandra.municipalities import services
from forandra.municipalities.models import Municipality, Region

pytestmark = pytest.mark.django_db


def shipped_rows() -> list[dict[str, str]]:
    path = resources.files("forandra.municipalities").joinpath("data", services.REGISTER_FILE)
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_register_load_creates_all_21_regions_and_290_municipalities() -> None:
    result = services.register_load()

    assert (result.regions_created, result.municipalities_created) == (21, 290)
    assert Region.objects.count() == 21
    assert Municipality.objects.count() == 290
    assert Municipality.objects.get(code="2404").name == "Vindeln"
    assert Municipality.objects.get(code="2404").region.code == "24"
    assert Region.objects.get(code="01").county_name == "Stockholms län"


def test_every_municipality_code_starts_with_its_county_code() -> None:
    services.register_load()

    for municipality in Municipality.objects.select_related("region"):
        assert municipality.code[:2] == municipality.region.code


def test_register_load_twice_changes_nothing() -> None:
    services.register_load()
    history_before = Municipality.history.count()

    result = services.register_load()

    assert result == services.RegisterResult(0, 0, 0, 0)
    assert Municipality.objects.count() == 290
    assert Municipality.history.count() == history_before


def test_register_load_repairs_a_changed_name_and_keeps_the_regions_own_name() -> None:
    services.register_load()
    Municipality.objects.filter(code="2404").update(name="Fel namn")
    region = Region.objects.get(code="24")
    services.region_rename(region=region, name="Region Västerbotten")

    result = services.register_load()

    assert result.municipalities_updated == 1
    assert Municipality.objects.get(code="2404").name == "Vindeln"
    assert Region.objects.get(code="24").name == "Region Västerbotten"


def test_register_load_records_history_for_created_rows() -> None:
    services.register_load()

    assert Municipality.history.filter(code="2404", history_type="+").count() == 1


def test_shipped_register_matches_the_official_list_size_and_has_unique_codes() -> None:
    rows = shipped_rows()

    assert len(rows) == 290
    assert len({row["municipality_code"] for row in rows}) == 290
    assert len({row["county_code"] for row in rows}) == 21


def test_register_load_command_reports_what_it_did(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("register_load")
    call_command("register_load")

    out = capsys.readouterr().out.splitlines()
    assert "21" in out[0] and "290" in out[0]
    assert "21" not in out[1] and "290" not in out[1]
