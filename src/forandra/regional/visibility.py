"""What a viewer sees of a region's municipalities: the one place the regional pages and the
open data ask.

The rules are those of `core.permissions`: the coordinator of the region and admins see every
municipality's data (`Perm.REGION_UNPUBLISHED`); a member or leader of one of the region's
municipalities sees their own municipality's data and, of the others, only what their groups
have published (`Publication`); the public page and the open data show only what is published,
and only where the region has opened its public page. Of plans, what is published is the
versions leadership has approved (and those followed up or closed since), never a draft, a
submitted or a returned version.

Every regional query filters through a `Sight`, so the rule cannot be forgotten in one place
and kept in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet

from forandra.core.permissions import Perm, allowed
from forandra.plans.models import Status

from .models import Part, PublicSummary

if TYPE_CHECKING:
    from forandra.core.permissions import AnyUser
    from forandra.municipalities.models import Region

M = TypeVar("M", bound=Model)

#: The plan versions a municipality publishes when it publishes its plans.
PUBLISHED_PLAN_STATUSES = (
    Status.APPROVED,
    Status.APPROVED_WITH_CHANGES,
    Status.IN_PROGRESS,
    Status.CLOSED,
)


def _field(path: str, name: str) -> str:
    return f"{path}__{name}" if path else name


@dataclass(frozen=True)
class Sight:
    """What one viewer sees of one region.

    `everything`: the coordinator's and admins' view; `own`: the viewer's own municipality (its
    id) when it belongs to this region; otherwise only what is published.
    """

    region: Region
    everything: bool = False
    own: int | None = None

    def municipalities(self, part: Part, path: str = "") -> Q:
        """A filter for the municipalities whose `part` this viewer sees; `path` leads from the
        filtered model to its municipality ("" when filtering municipalities themselves)."""
        in_region = Q(**{_field(path, "region"): self.region})
        if self.everything:
            return in_region
        published = Q(**{_field(path, f"publication__{part}"): True})
        if self.own is not None:
            published |= Q(**{path or "pk": self.own})
        return in_region & published

    def filter(self, queryset: QuerySet[M], part: Part, path: str = "municipality") -> QuerySet[M]:
        """`queryset` cut down to the rows of the municipalities whose `part` this viewer sees."""
        return queryset.filter(self.municipalities(part, path))

    def plan_versions(self, path: str = "") -> Q:
        """A filter for the plan versions this viewer sees; `path` leads to a PlanVersion."""
        municipality = _field(path, "plan__municipality")
        if self.everything:
            return self.municipalities(Part.PLANS, municipality)
        published = Q(**{_field(municipality, "publication__plans"): True}) & Q(
            **{_field(path, "status__in"): PUBLISHED_PLAN_STATUSES}
        )
        if self.own is not None:
            published |= Q(**{municipality: self.own})
        return Q(**{_field(municipality, "region"): self.region}) & published

    def sees(self, part: Part, municipality_id: int, published: bool) -> bool:
        """Whether this viewer sees `part` of one municipality (`published`: its flag)."""
        return self.everything or municipality_id == self.own or published


def sight_for(user: AnyUser, region: Region) -> Sight:
    """What a signed-in user sees of the region (call after checking REGION_DASHBOARD)."""
    if allowed(user, Perm.REGION_UNPUBLISHED, region):
        return Sight(region=region, everything=True)
    municipality_id = getattr(user, "municipality_id", None)
    municipality = getattr(user, "municipality", None) if municipality_id else None
    own = municipality_id if municipality and municipality.region_id == region.pk else None
    return Sight(region=region, own=own)


def public_sight(region: Region) -> Sight:
    """What everyone sees: only what is published."""
    return Sight(region=region)


def public_page_open(region: Region) -> bool:
    """Whether the region has opened its public page and open data."""
    return PublicSummary.objects.filter(region=region, enabled=True).exists()


def open_public_regions() -> QuerySet[Region]:
    """The regions whose public page and open data are open, by name."""
    from forandra.municipalities.models import Region

    return Region.objects.filter(public_summary__enabled=True).order_by("name")
