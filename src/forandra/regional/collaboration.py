"""Reads for collaboration across a region's municipalities: clusters of alike initiatives and
ideas in two or more municipalities, and the joint initiatives that link them.

What an item is, and which items a viewer sees, is in `collaboration_items`: every query here
goes through the viewer's `Sight` too, so nothing a viewer may not see is counted, named or
clustered, and a link to something they may not see is only counted ("not shown").
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, When

from forandra.ideas import similarity
from forandra.plans.models import Initiative

from .collaboration_items import (
    IDEA,
    INITIATIVE,
    INITIATIVE_FIELDS,
    Item,
    ItemRef,
    ItemUrls,
    Place,
    Pool,
    add_waves,
    idea_item,
    initiative_item,
    pool_of,
    texts_of,
    visible_ideas,
)
from .models import JointInitiative, JointLink

if TYPE_CHECKING:
    from forandra.core.permissions import AnyUser

    from .visibility import Sight

CACHE_SECONDS = 3600
CLUSTERS_PER_PAGE = 15


def _seen_links(links: QuerySet[JointLink], sight: Sight) -> QuerySet[JointLink]:
    """`links`, each annotated `seen`: whether the viewer sees what it links (an initiative in
    any plan version they see, or an idea they see)."""
    initiative = Exists(
        Initiative.objects.filter(
            Q(key=OuterRef("initiative_key")) & sight.plan_versions("version")
        )
    )
    return links.annotate(
        seen=Case(
            When(Q(initiative_key__isnull=False) & initiative, then=True),
            When(Q(idea__isnull=False) & visible_ideas(sight, "idea"), then=True),
            default=False,
            output_field=BooleanField(),
        )
    )


# --- Clusters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """Alike items of two or more municipalities: candidates for doing it once, together."""

    items: list[Item]

    @property
    def name(self) -> str:
        """The title most of its items share (the first one's on a tie)."""
        return Counter(item.title for item in self.items).most_common(1)[0][0]

    @property
    def municipalities(self) -> list[str]:
        return sorted({item.place.name for item in self.items})

    @property
    def query(self) -> str:
        """The cluster's name and items as the create form's query string."""
        return urlencode([("title", self.name), *(("item", str(i.ref)) for i in self.items)])

    @property
    def is_demo(self) -> bool:
        return any(item.is_demo for item in self.items)


def _groups(sight: Sight, pool: Pool) -> list[list[int]]:
    """The clusters as positions in the pool. They are cached, keyed by what the viewer sees
    (the whole region, or one municipality's view of it) and the pool's stamp, so an edit, a
    new version or a newly shared idea makes a new key; the texts are read only on a miss."""
    scope = "all" if sight.everything else f"own{sight.own or 0}"
    key = f"regional:clusters:{sight.region.pk}:{scope}:{pool.stamp}"
    cached: list[list[int]] | None = cache.get(key)
    if cached is not None:
        return cached
    items = [
        similarity.Item(key=position, owner=item.place.pk, text=text)
        for position, (item, text) in enumerate(zip(pool.items, texts_of(pool.items), strict=True))
    ]
    groups = [[item.key for item in group] for group in similarity.clusters(items)]
    cache.set(key, groups, CACHE_SECONDS)
    return groups


@dataclass(frozen=True)
class JointSummary:
    joint: JointInitiative
    municipalities: list[str]  # of the links the viewer sees
    shown: int
    hidden: int


@dataclass(frozen=True)
class Collaboration:
    """The collaboration page: a page of clusters, the filter's choices and the joints."""

    page: Page[Cluster]
    clusters: int
    municipalities: list[Place]  # those found in some cluster, for the filter
    joints: list[JointSummary]

    @property
    def is_demo(self) -> bool:
        return any(c.is_demo for c in self.page.object_list) or any(
            j.joint.is_demo for j in self.joints
        )


def collaboration_overview(
    *, sight: Sight, user: AnyUser, municipality: str = "", page: Any = 1
) -> Collaboration:
    """The clusters the viewer sees (those with `municipality`'s code, when given), one page of
    them with their waves, and the region's joint initiatives. A fixed number of queries."""
    pool = pool_of(sight)
    clusters = [Cluster([pool.items[i] for i in group]) for group in _groups(sight, pool)]
    places = sorted(
        {item.place for cluster in clusters for item in cluster.items}, key=lambda p: p.name
    )
    if municipality:
        clusters = [c for c in clusters if any(i.place.code == municipality for i in c.items)]
    shown = Paginator(clusters, CLUSTERS_PER_PAGE).get_page(page)
    on_page = [item for cluster in shown.object_list for item in cluster.items]
    add_waves(on_page)
    ItemUrls(user, sight).fill(on_page)
    return Collaboration(
        page=shown,
        clusters=len(clusters),
        municipalities=places,
        joints=joint_summaries(sight=sight),
    )


# --- Joint initiatives --------------------------------------------------------------------------


def joint_summaries(*, sight: Sight) -> list[JointSummary]:
    """The region's joint initiatives, newest first, each with the municipalities of the links
    the viewer sees and how many links they do not see. Two queries."""
    joints = list(JointInitiative.objects.filter(region=sight.region))
    links = _seen_links(JointLink.objects.filter(joint__region=sight.region), sight)
    names: dict[int, set[str]] = {}
    counts: dict[int, list[int]] = {}
    for link in links.select_related("municipality"):
        count = counts.setdefault(link.joint_id, [0, 0])
        if link.seen:  # type: ignore[attr-defined]
            count[0] += 1
            names.setdefault(link.joint_id, set()).add(link.municipality.name)
        else:
            count[1] += 1
    return [
        JointSummary(
            joint=joint,
            municipalities=sorted(names.get(joint.pk, ())),
            shown=counts.get(joint.pk, [0, 0])[0],
            hidden=counts.get(joint.pk, [0, 0])[1],
        )
        for joint in joints
    ]


def joint_get(*, sight: Sight, pk: int) -> JointInitiative:
    """A joint initiative of the region (JointInitiative.DoesNotExist otherwise)."""
    return JointInitiative.objects.select_related("created_by").get(region=sight.region, pk=pk)


@dataclass(frozen=True)
class JointView:
    joint: JointInitiative
    items: list[Item]  # what the viewer sees, by municipality
    hidden: int  # links to what the viewer does not see

    @property
    def municipalities(self) -> list[str]:
        return sorted({item.place.name for item in self.items})


def joint_view(*, sight: Sight, user: AnyUser, joint: JointInitiative) -> JointView:
    """The joint initiative's links the viewer sees, as items; an initiative shown as it is in
    the latest version the viewer sees of its plan. Two queries."""
    links = list(
        _seen_links(joint.links.all(), sight)
        .select_related("municipality", "idea")
        .order_by("municipality__name", "pk")
    )
    keys = [link.initiative_key for link in links if link.seen and link.initiative_key]  # type: ignore[attr-defined]
    latest: dict[uuid.UUID, dict[str, Any]] = {}
    if keys:
        fields = [f for f in INITIATIVE_FIELDS if not f.startswith("version__plan__municipal")]
        found = (
            Initiative.objects.filter(Q(key__in=keys) & sight.plan_versions("version"))
            .order_by("key", "-version__number")
            .values(*fields)
        )
        for version_row in found:
            latest.setdefault(version_row["key"], version_row)
    items: list[Item] = []
    hidden = 0
    for link in links:
        place = Place(link.municipality.pk, link.municipality.name, link.municipality.code)
        if not link.seen:  # type: ignore[attr-defined]
            hidden += 1
        elif link.initiative_key in latest:
            items.append(initiative_item(latest[link.initiative_key], place))
        elif link.idea is not None:
            items.append(idea_item(link.idea, place))
    ItemUrls(user, sight).fill(items)
    return JointView(joint=joint, items=items, hidden=hidden)


@dataclass(frozen=True)
class JointBadge:
    """A joint initiative as an initiative's page names it: "with" the other municipalities
    the viewer sees in it."""

    pk: int
    title: str
    partners: list[str]


def _joints_touching(
    sight: Sight, touching: QuerySet[JointLink]
) -> list[tuple[JointInitiative, list[JointLink]]]:
    """The region's joint initiatives with a link in `touching`, newest first, each with all
    its links (annotated `seen`). One query."""
    links = (
        _seen_links(
            JointLink.objects.filter(
                joint__region=sight.region, joint_id__in=touching.values("joint_id")
            ),
            sight,
        )
        .select_related("joint", "municipality")
        .order_by("-joint__created_at", "-joint_id", "municipality__name", "pk")
    )
    joints: dict[int, tuple[JointInitiative, list[JointLink]]] = {}
    for link in links:
        joints.setdefault(link.joint_id, (link.joint, []))[1].append(link)
    return list(joints.values())


def _badge(joint: JointInitiative, links: list[JointLink], own: JointLink) -> JointBadge:
    """The joint initiative as `own`'s page names it: with the other municipalities seen."""
    partners = {
        link.municipality.name
        for link in links
        if link.seen and link.municipality_id != own.municipality_id  # type: ignore[attr-defined]
    }
    return JointBadge(pk=joint.pk, title=joint.title, partners=sorted(partners))


def joints_for_initiatives(
    *, keys: Iterable[uuid.UUID], sight: Sight
) -> dict[uuid.UUID, list[JointBadge]]:
    """For each initiative key, the joint initiatives that link it. One query, however many
    initiatives (none without keys)."""
    wanted = set(keys)
    if not wanted:
        return {}
    result: dict[uuid.UUID, list[JointBadge]] = {}
    touching = JointLink.objects.filter(initiative_key__in=wanted)
    for joint, links in _joints_touching(sight, touching):
        for link in links:
            if link.initiative_key in wanted:
                result.setdefault(link.initiative_key, []).append(_badge(joint, links, link))
    return result


def joints_for_idea(*, idea_id: int, sight: Sight) -> list[JointBadge]:
    """The joint initiatives that link the idea. One query."""
    touching = JointLink.objects.filter(idea_id=idea_id)
    return [
        _badge(joint, links, own)
        for joint, links in _joints_touching(sight, touching)
        for own in links
        if own.idea_id == idea_id
    ]


def link_refs(*, sight: Sight, joint: JointInitiative) -> tuple[list[ItemRef], list[JointLink]]:
    """The references of the joint's links the viewer sees, and the links they do not see."""
    seen: list[ItemRef] = []
    unseen: list[JointLink] = []
    for link in _seen_links(joint.links.all(), sight).order_by("pk"):
        if not link.seen:  # type: ignore[attr-defined]
            unseen.append(link)
        elif link.initiative_key is not None:
            seen.append(ItemRef(INITIATIVE, str(link.initiative_key)))
        else:
            seen.append(ItemRef(IDEA, str(link.idea_id)))
    return seen, unseen
