"""Reads for regions, municipalities, their departments and digitalisation groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet

from .models import DigitalisationGroup, GroupMember, Municipality, Region, Unit


@dataclass(frozen=True)
class CrossFunctionality:
    """How many distinct functions a group brings together.

    The programme found that groups which formed new cross-functional teams succeeded best, so
    the product shows this on every group.
    """

    members: int
    functions: tuple[str, ...]

    @property
    def distinct(self) -> int:
        return len(self.functions)

    @property
    def is_cross_functional(self) -> bool:
        """Three or more functions counts as cross-functional."""
        return self.distinct >= 3


def cross_functionality(functions: list[str]) -> CrossFunctionality:
    """Count distinct functions, ignoring case and surrounding space ("IT" equals "it ")."""
    seen: dict[str, str] = {}
    for function in functions:
        key = " ".join(function.split()).casefold()
        if key and key not in seen:
            seen[key] = " ".join(function.split())
    return CrossFunctionality(members=len(functions), functions=tuple(sorted(seen.values())))


def group_cross_functionality(*, group: DigitalisationGroup) -> CrossFunctionality:
    """The cross-functionality of one group, from its members' functions."""
    return cross_functionality([member.function for member in group.members.all()])


def region_list() -> QuerySet[Region]:
    """All regions with their number of municipalities and groups."""
    return Region.objects.annotate(
        municipality_count=Count("municipalities", distinct=True),
        group_count=Count("municipalities__group", distinct=True),
    ).order_by("code")


def region_get(*, code: str) -> Region:
    """One region by its county code; raises Region.DoesNotExist."""
    return Region.objects.get(code=code)


def region_municipalities(*, region: Region) -> QuerySet[Municipality]:
    """The region's municipalities, each with its group and members loaded in few queries."""
    return (
        Municipality.objects.filter(region=region)
        .select_related("region", "group")
        .prefetch_related(Prefetch("group__members", queryset=GroupMember.objects.order_by("name")))
        .order_by("name")
    )


@dataclass(frozen=True)
class RegionRow:
    """One municipality of a region, with its group (if any) and how cross-functional it is."""

    municipality: Municipality
    group: DigitalisationGroup | None
    cross: CrossFunctionality | None


def region_rows(*, region: Region) -> list[RegionRow]:
    """The region's municipalities with their groups, in a fixed number of queries."""
    rows = []
    for municipality in region_municipalities(region=region):
        group = getattr(municipality, "group", None)
        cross = None
        if group is not None:
            cross = cross_functionality([member.function for member in group.members.all()])
        rows.append(RegionRow(municipality=municipality, group=group, cross=cross))
    return rows


def municipality_get(*, code: str) -> Municipality:
    """One municipality by its code, with its region; raises Municipality.DoesNotExist."""
    return Municipality.objects.select_related("region").get(code=code)


def group_for(*, municipality: Municipality) -> DigitalisationGroup | None:
    """The municipality's group with its members, or None if it has none yet."""
    return (
        DigitalisationGroup.objects.filter(municipality=municipality)
        .prefetch_related(Prefetch("members", queryset=GroupMember.objects.order_by("name")))
        .first()
    )


def member_get(*, group: DigitalisationGroup, pk: int) -> GroupMember:
    """One member of the given group; raises GroupMember.DoesNotExist for another group's."""
    return GroupMember.objects.get(group=group, pk=pk)


def municipality_is_demo(*, municipality: Municipality) -> bool:
    """Whether the municipality's data is the demo's (its group is marked as demo data)."""
    return DigitalisationGroup.objects.filter(municipality=municipality, is_demo=True).exists()


def unit_list(*, municipality: Municipality) -> QuerySet[Unit]:
    """The municipality's departments, by name."""
    return Unit.objects.filter(municipality=municipality).order_by("name")


def unit_get(*, municipality: Municipality, pk: int) -> Unit:
    """One department of the given municipality; raises Unit.DoesNotExist for another's."""
    return Unit.objects.select_related("municipality").get(municipality=municipality, pk=pk)


def unit_in_use(*, unit: Unit) -> bool:
    """Whether any survey response names the department.

    Responses are the record: the maturity counts keyed by unit are derived from them and are
    only ever deleted together with them, with their round.
    """
    return Unit.objects.filter(pk=unit.pk, maturity_responses__isnull=False).exists()


@dataclass(frozen=True)
class Change:
    """One entry of a group's history: who changed what, and when."""

    when: datetime
    who: str
    what: str
    kind: str


def group_changes(*, group: DigitalisationGroup, limit: int = 10) -> list[Change]:
    """The latest changes to the group and its members, newest first."""
    group_history = list(
        DigitalisationGroup.history.filter(id=group.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    member_history = list(
        GroupMember.history.filter(group_id=group.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    entries = [
        Change(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else "",
            what=record.name,
            kind=record.history_type,
        )
        for record in group_history + member_history
    ]
    entries.sort(key=lambda change: change.when, reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class RegionSummary:
    """A region at a glance: how many municipalities take part and with how many people."""

    municipalities: int
    groups: int
    members: int
    is_demo: bool


def region_summary(*, region: Region) -> RegionSummary:
    """Counts for the coordinator's start page, in one query per figure."""
    groups = DigitalisationGroup.objects.filter(municipality__region=region)
    return RegionSummary(
        municipalities=Municipality.objects.filter(region=region).count(),
        groups=groups.count(),
        members=GroupMember.objects.filter(group__municipality__region=region).count(),
        is_demo=groups.filter(is_demo=True).exists(),
    )


def any_group_exists() -> bool:
    """Whether any municipality has formed a group."""
    return DigitalisationGroup.objects.exists()
