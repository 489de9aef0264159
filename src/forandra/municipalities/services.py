"""Writes for regions, municipalities, their departments and digitalisation groups."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import selectors
from .models import DigitalisationGroup, GroupMember, GroupRole, Municipality, Region, Unit

REGISTER_FILE = "sweden-municipalities.csv"


@dataclass(frozen=True)
class RegisterResult:
    """What a register load changed."""

    regions_created: int
    regions_updated: int
    municipalities_created: int
    municipalities_updated: int


@transaction.atomic
def register_load() -> RegisterResult:
    """Create or update all counties and municipalities from the shipped official register.

    Idempotent: a second run changes nothing. A region's own `name` is kept once set, since a
    region may call itself something other than its county ("Region Västerbotten").
    """
    text = resources.files("forandra.municipalities").joinpath("data", REGISTER_FILE)
    with text.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    regions = {region.code: region for region in Region.objects.all()}
    counties = {row["county_code"]: row["county_name"] for row in rows}
    new_regions = [
        Region(code=code, county_name=county, name=county)
        for code, county in counties.items()
        if code not in regions
    ]
    bulk_create_with_history(new_regions, Region)
    regions = {region.code: region for region in Region.objects.all()}
    renamed_regions = []
    for code, county in counties.items():
        if regions[code].county_name != county:
            regions[code].county_name = county
            regions[code].updated_at = timezone.now()
            renamed_regions.append(regions[code])
    bulk_update_with_history(renamed_regions, Region, ["county_name", "updated_at"])

    existing = {m.code: m for m in Municipality.objects.all()}
    new_municipalities, changed = [], []
    for row in rows:
        code, name = row["municipality_code"], row["municipality_name"]
        region = regions[row["county_code"]]
        current = existing.get(code)
        if current is None:
            new_municipalities.append(Municipality(code=code, name=name, region=region))
        elif current.name != name or current.region_id != region.pk:
            current.name, current.region, current.updated_at = name, region, timezone.now()
            changed.append(current)
    bulk_create_with_history(new_municipalities, Municipality)
    bulk_update_with_history(changed, Municipality, ["name", "region", "updated_at"])
    return RegisterResult(
        regions_created=len(new_regions),
        regions_updated=len(renamed_regions),
        municipalities_created=len(new_municipalities),
        municipalities_updated=len(changed),
    )


def region_rename(*, region: Region, name: str) -> Region:
    """Give a region its own name."""
    region.name = name
    region.full_clean()
    region.save(update_fields=["name", "updated_at"])
    return region


def group_create(
    *, municipality: Municipality, name: str, is_demo: bool = False
) -> DigitalisationGroup:
    """Form the municipality's digitalisation group."""
    group = DigitalisationGroup(municipality=municipality, name=name, is_demo=is_demo)
    group.full_clean()
    group.save()
    return group


def group_update(*, group: DigitalisationGroup, name: str) -> DigitalisationGroup:
    """Rename a digitalisation group."""
    group.name = name
    group.full_clean()
    group.save(update_fields=["name", "updated_at"])
    return group


def member_add(
    *,
    group: DigitalisationGroup,
    name: str,
    email: str,
    function: str,
    role: str = GroupRole.MEMBER,
) -> GroupMember:
    """Add a person to a digitalisation group."""
    member = GroupMember(
        group=group,
        name=name.strip(),
        email=email.strip().lower(),
        function=function.strip(),
        role=role,
    )
    member.full_clean()
    member.save()
    return member


def member_update(
    *, member: GroupMember, name: str, email: str, function: str, role: str
) -> GroupMember:
    """Change a group member's details."""
    member.name, member.email = name.strip(), email.strip().lower()
    member.function, member.role = function.strip(), role
    member.full_clean()
    member.save()
    return member


def member_remove(*, member: GroupMember) -> None:
    """Take a person out of the group; the history keeps who they were."""
    member.delete()


def _unit_name_check(*, municipality: Municipality, name: str, unit: Unit | None = None) -> None:
    """Refuse a name another unit of the municipality already has, ignoring case.

    Compared in Python with `casefold`, because SQLite's case-insensitive matching knows only
    ASCII, and "Äldreomsorg" must clash with "äldreomsorg" on every database.
    """
    key = name.casefold()
    for other in selectors.unit_list(municipality=municipality):
        if other.name.casefold() == key and (unit is None or other.pk != unit.pk):
            raise ValidationError(
                {
                    "name": _("The municipality already has a department called %(name)s.")
                    % {"name": other.name}
                },
                code="unique",
            )


@transaction.atomic
def unit_create(*, municipality: Municipality, name: str) -> Unit:
    """Add a department to the municipality's own list, which the staff survey offers."""
    # Lock the municipality so that two people adding the same name cannot both pass the check.
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    unit = Unit(municipality=municipality, name=" ".join(name.split()))
    _unit_name_check(municipality=municipality, name=unit.name)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def unit_rename(*, unit: Unit, name: str) -> Unit:
    """Rename a department; results show the new name, since responses refer to the unit."""
    Municipality.objects.select_for_update().filter(pk=unit.municipality_id).first()
    unit.name = " ".join(name.split())
    _unit_name_check(municipality=unit.municipality, name=unit.name, unit=unit)
    unit.full_clean()
    unit.save(update_fields=["name", "updated_at"])
    return unit


@transaction.atomic
def unit_remove(*, unit: Unit) -> None:
    """Delete a department that no survey response names; refuse one that any response names.

    Deleting a named unit would blank the responses' department and drop it from the results'
    breakdown, so such a unit stays: it can be renamed, never removed.
    """
    # The lock makes a survey response naming the unit wait until the check and delete are done.
    locked = Unit.objects.select_for_update().filter(pk=unit.pk).first()
    if locked is None:
        return  # already removed, e.g. by a second click
    if selectors.unit_in_use(unit=locked):
        raise ValidationError(
            _(
                "%(name)s cannot be removed: survey responses name it, and the results would "
                "lose it."
            )
            % {"name": locked.name},
            code="in_use",
        )
    locked.delete()
