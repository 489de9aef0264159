"""Writes for regions, municipalities and digitalisation groups."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from .models import DigitalisationGroup, GroupMember, GroupRole, Municipality, Region

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
    r_created = r_updated = m_created = m_updated = 0
    for row in rows:
        code, county = row["county_code"], row["county_name"]
        if code in regions:
            continue
        regions[code] = Region.objects.create(code=code, county_name=county, name=county)
        r_created += 1
    for row in rows:
        region = regions[row["county_code"]]
        if region.county_name != row["county_name"]:
            region.county_name = row["county_name"]
            region.save(update_fields=["county_name", "updated_at"])
            r_updated += 1

    existing = {m.code: m for m in Municipality.objects.all()}
    for row in rows:
        code, name = row["municipality_code"], row["municipality_name"]
        region = regions[row["county_code"]]
        current = existing.get(code)
        if current is None:
            Municipality.objects.create(code=code, name=name, region=region)
            m_created += 1
        elif current.name != name or current.region_id != region.pk:
            current.name, current.region = name, region
            current.save(update_fields=["name", "region", "updated_at"])
            m_updated += 1
    return RegisterResult(r_created, r_updated, m_created, m_updated)


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
        group=group, name=name.strip(), email=email.strip().lower(), function=function.strip(),
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
