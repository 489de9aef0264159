"""The items of collaboration: initiatives of plans and ideas of idea banks, as one viewer of
a region sees them.

Of plans, a viewer's items are the initiatives of the latest version they may see of each plan
(the coordinator and admins: every plan's latest version; a member or leader: their own plans'
latest versions and, of the other municipalities, the latest version they have published). Of
ideas, the published ones: all of the region's for the coordinator and admins, otherwise the
viewer's own municipality's and those the others have shared with the region. Every query goes
through the viewer's `Sight`, so nothing a viewer may not see is read.

An initiative is referred to by its `key`, which it keeps from version to version, so a joint
initiative stays linked to it when its plan gets a new version; an idea by its pk.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from forandra.core.permissions import Perm, allowed
from forandra.ideas import similarity
from forandra.ideas.models import Idea, Moderation
from forandra.municipalities.models import Municipality
from forandra.plans.models import Initiative, PlanVersion

if TYPE_CHECKING:
    from forandra.core.permissions import AnyUser

    from .visibility import Sight

INITIATIVE = "initiative"
IDEA = "idea"


# --- References ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ItemRef:
    """What a form or a link names an item by: "initiative:<key>" or "idea:<pk>"."""

    kind: str
    ident: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.ident}"

    @classmethod
    def parse(cls, value: str) -> ItemRef | None:
        """The reference in `value`, in its one canonical spelling; None if it names nothing."""
        kind, _sep, ident = value.strip().partition(":")
        if kind == INITIATIVE:
            try:
                return cls(INITIATIVE, str(uuid.UUID(ident)))
            except ValueError:
                return None
        if kind == IDEA and ident.isascii() and ident.isdigit() and len(ident) <= 18:
            return cls(IDEA, str(int(ident)))
        return None


def refs_from(values: Iterable[str]) -> list[ItemRef]:
    """The valid references among `values`, each once, in their order."""
    found: dict[ItemRef, None] = {}
    for value in values:
        ref = ItemRef.parse(value)
        if ref is not None:
            found[ref] = None
    return list(found)


# --- Who sees which items -----------------------------------------------------------------------


def _at(path: str, name: str) -> str:
    return f"{path}__{name}" if path else name


def visible_ideas(sight: Sight, path: str = "") -> Q:
    """A filter for the ideas this viewer sees in the region; `path` leads to an Idea."""
    seen = Q(**{_at(path, "municipality__region"): sight.region}) & Q(
        **{_at(path, "moderation"): Moderation.PUBLISHED}
    )
    if sight.everything:
        return seen
    others = Q(**{_at(path, "shared_at__isnull"): False})
    if sight.own is not None:
        others |= Q(**{_at(path, "municipality_id"): sight.own})
    return seen & others


def _latest_versions(sight: Sight) -> QuerySet[PlanVersion]:
    """The latest version the viewer sees of each of the region's plans."""
    seen = PlanVersion.objects.filter(sight.plan_versions())
    newest = seen.filter(plan=OuterRef("plan")).order_by("-number").values("pk")[:1]
    return seen.filter(pk=Subquery(newest))


# --- Items --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A municipality as the regional pages name it."""

    pk: int
    name: str
    code: str


@dataclass
class Item:
    """An initiative or an idea as the collaboration pages show it."""

    ref: ItemRef
    pk: int  # the Initiative's (of the version shown) or the Idea's
    title: str
    place: Place
    context: str  # "Plan title, version 2" or "Idea bank"
    is_demo: bool = False
    plan_id: int | None = None  # an initiative's plan and version number
    number: int | None = None
    shared: bool = False  # an idea shared with the region
    url: str = ""  # where the viewer may open it (see ItemUrls); empty when nowhere
    waves: list[str] = field(default_factory=list)

    @property
    def is_initiative(self) -> bool:
        return self.ref.kind == INITIATIVE

    @property
    def kind_label(self) -> str:
        return _("Initiative") if self.is_initiative else _("Idea")


class ItemUrls:
    """Where the viewer may open an item: their permission, asked once per municipality
    (without a query: the municipality is built from what the item row holds)."""

    def __init__(self, user: AnyUser, sight: Sight) -> None:
        self.user, self.sight = user, sight
        self._asked: dict[tuple[Perm, int], bool] = {}

    def may(self, perm: Perm, place: Place) -> bool:
        """Whether the viewer may do `perm` on the municipality."""
        if (perm, place.pk) not in self._asked:
            municipality = Municipality(
                pk=place.pk, name=place.name, code=place.code, region=self.sight.region
            )
            self._asked[perm, place.pk] = allowed(self.user, perm, municipality)
        return self._asked[perm, place.pk]

    def of(self, item: Item) -> str:
        """The item's page: a plan version, an idea, or the region's library for a shared idea
        of another municipality; empty when the viewer may open none of them."""
        place = item.place
        if item.is_initiative:
            if not self.may(Perm.PLANS_VIEW, place):
                return ""  # another municipality's plan pages are its own
            return reverse("plans:version_detail", args=[place.code, item.plan_id, item.number])
        if self.may(Perm.IDEAS_VIEW, place):
            return reverse("ideas:idea_detail", args=[place.code, item.pk])
        if item.shared and allowed(self.user, Perm.IDEAS_LIBRARY, self.sight.region):
            library = reverse("ideas:region_library", args=[self.sight.region.code])
            return f"{library}?{urlencode({'q': item.title})}"
        return ""

    def fill(self, items: Iterable[Item]) -> None:
        """Set the `url` of each of `items`."""
        for item in items:
            item.url = self.of(item)


def initiative_item(row: dict[str, Any], place: Place) -> Item:
    """An item from an Initiative row (`INITIATIVE_FIELDS`, or the fields it needs)."""
    number = row["version__number"]
    return Item(
        ref=ItemRef(INITIATIVE, str(row["key"])),
        pk=row["pk"],
        title=row["title"],
        place=place,
        context=_("%(plan)s, version %(number)s")
        % {"plan": row["version__plan__title"], "number": number},
        is_demo=row["version__plan__is_demo"],
        plan_id=row["version__plan_id"],
        number=number,
    )


def idea_item(idea: Idea, place: Place) -> Item:
    """An item from an Idea (its pk, title, shared_at and is_demo are read)."""
    shared = idea.shared_at is not None
    return Item(
        ref=ItemRef(IDEA, str(idea.pk)),
        pk=idea.pk,
        title=idea.title,
        place=place,
        context=_("Idea bank, shared with the region") if shared else _("Idea bank"),
        is_demo=idea.is_demo,
        shared=shared,
    )


INITIATIVE_FIELDS = (
    "pk",
    "key",
    "title",
    "updated_at",
    "version__number",
    "version__plan_id",
    "version__plan__title",
    "version__plan__is_demo",
    "version__plan__municipality_id",
    "version__plan__municipality__name",
    "version__plan__municipality__code",
)
IDEA_FIELDS = (
    "pk",
    "title",
    "updated_at",
    "shared_at",
    "is_demo",
    "municipality_id",
    "municipality__name",
    "municipality__code",
)


@dataclass
class Pool:
    """Every item the viewer sees, and a stamp that changes whenever one of them is added,
    removed or edited."""

    items: list[Item]
    stamp: str


def pool_of(sight: Sight) -> Pool:
    """The viewer's items, by municipality: two queries, however many plans and ideas."""
    items: list[Item] = []
    stamp = hashlib.sha256()
    initiatives = (
        Initiative.objects.filter(version__in=_latest_versions(sight).values("pk"))
        .order_by("version__plan__municipality__name", "version__plan_id", "order", "pk")
        .values(*INITIATIVE_FIELDS)
    )
    for row in initiatives:
        place = Place(
            row["version__plan__municipality_id"],
            row["version__plan__municipality__name"],
            row["version__plan__municipality__code"],
        )
        items.append(initiative_item(row, place))
        stamp.update(f"i{row['pk']}:{row['updated_at'].isoformat()};".encode())
    ideas = Idea.objects.filter(visible_ideas(sight)).order_by("municipality__name", "pk")
    for row in ideas.values(*IDEA_FIELDS):
        place = Place(row["municipality_id"], row["municipality__name"], row["municipality__code"])
        idea = Idea(
            pk=row["pk"], title=row["title"], shared_at=row["shared_at"], is_demo=row["is_demo"]
        )
        items.append(idea_item(idea, place))
        stamp.update(f"d{row['pk']}:{row['updated_at'].isoformat()};".encode())
    return Pool(items, stamp.hexdigest())


def texts_of(items: Sequence[Item]) -> list[str]:
    """The items' texts as the similarity index reads them (two queries): an initiative's
    title, its benefit for residents and its description; an idea's title, need and
    description."""
    initiatives = {item.pk for item in items if item.is_initiative}
    ideas = {item.pk for item in items if not item.is_initiative}
    found: dict[tuple[bool, int], str] = {}
    for pk, title, benefit, description in Initiative.objects.filter(
        pk__in=initiatives
    ).values_list("pk", "title", "citizen_benefit", "description"):
        found[True, pk] = similarity.idea_text(title, benefit, description)
    for pk, title, need, description in Idea.objects.filter(pk__in=ideas).values_list(
        "pk", "title", "need", "description"
    ):
        found[False, pk] = similarity.idea_text(title, need, description)
    return [found[item.is_initiative, item.pk] for item in items]


def visible_items(*, sight: Sight) -> list[Item]:
    """Every item the viewer sees, by municipality: initiatives first, then ideas."""
    return sorted(pool_of(sight).items, key=lambda item: (item.place.name, not item.is_initiative))


def add_waves(items: Sequence[Item]) -> None:
    """Fill in the waves of `items`: two queries (of the waves, only their names)."""
    initiatives = {item.pk: item for item in items if item.is_initiative}
    ideas = {item.pk: item for item in items if not item.is_initiative}
    names = ("wave__name_sv", "wave__name_en", "wave__position", "wave__key")
    if initiatives:
        on_initiatives = (
            Initiative.waves.through.objects.filter(initiative_id__in=initiatives)
            .select_related("wave")
            .only("initiative_id", *names)
            .order_by("wave__position", "wave__key")
        )
        for row in on_initiatives:
            initiatives[row.initiative_id].waves.append(row.wave.name)
    if ideas:
        on_ideas = (
            Idea.waves.through.objects.filter(idea_id__in=ideas)
            .select_related("wave")
            .only("idea_id", *names)
            .order_by("wave__position", "wave__key")
        )
        for mark in on_ideas:
            ideas[mark.idea_id].waves.append(mark.wave.name)


def resolve(*, sight: Sight, refs: Sequence[ItemRef]) -> dict[ItemRef, int]:
    """The municipality (its pk) of each reference the viewer sees in the region; references
    to what they do not see, or to nothing, are left out. Two queries at most."""
    found: dict[ItemRef, int] = {}
    keys = [uuid.UUID(r.ident) for r in refs if r.kind == INITIATIVE]
    if keys:
        initiatives = (
            Initiative.objects.filter(Q(key__in=keys) & sight.plan_versions("version"))
            .values_list("key", "version__plan__municipality_id")
            .distinct()
        )
        for key, municipality_id in initiatives:
            found[ItemRef(INITIATIVE, str(key))] = municipality_id
    ideas = [int(r.ident) for r in refs if r.kind == IDEA]
    if ideas:
        seen = Idea.objects.filter(visible_ideas(sight), pk__in=ideas)
        for pk, municipality_id in seen.values_list("pk", "municipality_id"):
            found[ItemRef(IDEA, str(pk))] = municipality_id
    return found
