"""The region's shared library of ideas ("Lego bricks"): share, browse, copy, similar, clusters.

A municipality's group shares a published idea with its region; the other municipalities see it
in the library and may copy it into their own bank, with attribution. Similar ideas are found
among what the user may see: their own municipality's ideas and the ones others shared, never
another municipality's unshared ideas. The coordinator sees clusters over every idea of the
region: the same idea in two or more municipalities, candidates for doing it together.

Selectors (reads) and services (writes) of the library, kept in one module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality, Region

from . import similarity
from .models import Idea, Moderation, Status

SIMILAR = 5
CACHE_SECONDS = 3600


# --- Selectors ----------------------------------------------------------------------------------


def shared_ideas(*, region: Region, query: str = "") -> QuerySet[Idea]:
    """The region's shared, published ideas, newest shared first, filtered by a search text."""
    ideas = (
        Idea.objects.filter(
            municipality__region=region,
            shared_at__isnull=False,
            moderation=Moderation.PUBLISHED,
        )
        .select_related("municipality")
        .prefetch_related("waves")
        .order_by("-shared_at", "pk")
    )
    for word in query.split():
        ideas = ideas.filter(
            Q(title__icontains=word) | Q(need__icontains=word) | Q(description__icontains=word)
        )
    return ideas


def shared_idea_get(*, region: Region, pk: int) -> Idea:
    """A shared, published idea of the region (Idea.DoesNotExist otherwise)."""
    return shared_ideas(region=region).get(pk=pk)


def _visible(*, municipality: Municipality) -> QuerySet[Idea]:
    """The published ideas a user of `municipality` may see in the region: own and shared."""
    return (
        Idea.objects.filter(
            municipality__region_id=municipality.region_id, moderation=Moderation.PUBLISHED
        )
        .filter(Q(municipality=municipality) | Q(shared_at__isnull=False))
        .select_related("municipality")
        .order_by("pk")
    )


def _text(idea: Idea) -> str:
    return similarity.idea_text(idea.title, idea.need, idea.description)


@dataclass(frozen=True)
class Similar:
    """An idea like another, with its cosine similarity (0-1) and as a whole percentage."""

    idea: Idea
    similarity: float

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


def similar_ideas(*, idea: Idea, k: int = SIMILAR) -> list[Similar]:
    """The k ideas most like `idea` among those its municipality's users may see in the region.

    The IDF is learnt from exactly those ideas (one query, one small matrix product).
    """
    pool = list(_visible(municipality=idea.municipality).exclude(pk=idea.pk))
    if not pool:
        return []
    texts = [_text(idea), *(_text(other) for other in pool)]
    found = similarity.neighbours_of(texts, 0, k)
    return [Similar(idea=pool[j - 1], similarity=score) for j, score in found]


@dataclass(frozen=True)
class ClusterIdea:
    pk: int
    title: str
    municipality: str
    municipality_code: str
    shared: bool


@dataclass(frozen=True)
class Cluster:
    """Ideas alike across two or more municipalities of the region."""

    ideas: list[ClusterIdea]

    @property
    def municipalities(self) -> list[str]:
        return sorted({idea.municipality for idea in self.ideas})


def region_clusters(*, region: Region) -> list[Cluster]:
    """Clusters of similar published ideas found in two or more of the region's municipalities.

    Cached per region, keyed by the number of ideas and the newest change to any of them.
    """
    ideas = Idea.objects.filter(municipality__region=region, moderation=Moderation.PUBLISHED)
    stamp = ideas.aggregate(newest=Max("updated_at"))["newest"]
    key = f"ideas:clusters:{region.pk}:{ideas.count()}:{stamp.isoformat() if stamp else '-'}"
    cached: list[Cluster] | None = cache.get(key)
    if cached is not None:
        return cached
    rows = list(
        ideas.order_by("pk").values(
            "pk",
            "title",
            "need",
            "description",
            "shared_at",
            "municipality__name",
            "municipality__code",
        )
    )
    items = [
        similarity.Item(
            key=row["pk"],
            owner=row["municipality__code"],
            text=similarity.idea_text(row["title"], row["need"], row["description"]),
        )
        for row in rows
    ]
    by_pk = {row["pk"]: row for row in rows}
    result = [
        Cluster(
            ideas=[
                ClusterIdea(
                    pk=by_pk[item.key]["pk"],
                    title=by_pk[item.key]["title"],
                    municipality=by_pk[item.key]["municipality__name"],
                    municipality_code=by_pk[item.key]["municipality__code"],
                    shared=by_pk[item.key]["shared_at"] is not None,
                )
                for item in group
            ]
        )
        for group in similarity.clusters(items)
    ]
    cache.set(key, result, CACHE_SECONDS)
    return result


# --- Services -----------------------------------------------------------------------------------


def idea_share(*, idea: Idea, shared: bool) -> Idea:
    """Share a published idea with the region, or take it back."""
    if shared and idea.moderation != Moderation.PUBLISHED:
        raise ValidationError(
            {"shared_at": _("Only published ideas can be shared with the region.")}
        )
    idea.shared_at = (idea.shared_at or timezone.now()) if shared else None
    idea.full_clean()
    idea.save(update_fields=["shared_at", "updated_at"])
    return idea


def attribution_for(source: Idea) -> str:
    """ "From Vindeln's digitalisation group": where a copied idea came from."""
    return _("From %(municipality)s's digitalisation group") % {
        "municipality": source.municipality.name
    }


@transaction.atomic
def idea_copy(*, source: Idea, municipality: Municipality, by: User | None) -> Idea:
    """Copy a shared idea of another municipality of the region into `municipality`'s bank."""
    if source.municipality_id == municipality.pk:
        raise ValidationError(
            {"copied_from": _("This idea is already in your idea bank: it is your own.")}
        )
    if (
        source.shared_at is None
        or source.moderation != Moderation.PUBLISHED
        or source.municipality.region_id != municipality.region_id
    ):
        raise ValidationError(
            {"copied_from": _("Only ideas shared with your region's library can be copied.")}
        )
    copy = Idea(
        municipality=municipality,
        title=source.title,
        need=source.need,
        description=source.description,
        source=source.source,
        dimensions=list(source.dimensions),
        one_time_cost=source.one_time_cost,
        yearly_cost=source.yearly_cost,
        effort=source.effort,
        benefit=source.benefit,
        feasibility=source.feasibility,
        risk=source.risk,
        status=Status.NEW,
        moderation=Moderation.PUBLISHED,
        copied_from=source,
        attribution=attribution_for(source),
        created_by=by,
    )
    copy.full_clean()
    copy.save()
    copy.waves.set(source.waves.filter(region_id=municipality.region_id))
    return copy
