"""What publishing each part would show of one municipality: the preview on the page where its
group chooses what to publish. It applies the rules of `public.py` (the same functions), so it
cannot promise what the public page does not show, or hide what it does."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from forandra.maturity import selectors as maturity_selectors
from forandra.maturity.models import Mode, Round, min_group_size
from forandra.municipalities.models import Municipality
from forandra.plans.models import Plan, PlanVersion
from forandra.scanning.models import Placement

from .public import MODE_NAMES, RingWaves, published_version, rings_of, round_is_published
from .visibility import PUBLISHED_PLAN_STATUSES


@dataclass(frozen=True)
class RoundPreview:
    round: Round
    published: bool
    reason: str  # why not, when not

    @property
    def mode_name(self) -> str:
        return str(MODE_NAMES[Mode(self.round.mode)])


@dataclass(frozen=True)
class VersionPreview:
    version: PlanVersion
    published: bool
    reason: str


@dataclass(frozen=True)
class PlanPreview:
    plan: Plan
    versions: list[VersionPreview]  # newest first

    @property
    def published(self) -> VersionPreview | None:
        return next((v for v in self.versions if v.published), None)


@dataclass(frozen=True)
class PublicationPreview:
    """What the others would see of the municipality's data, part by part."""

    rounds: list[RoundPreview]  # newest first
    rings: list[RingWaves]
    plans: list[PlanPreview]
    min_group_size: int

    @property
    def published_rounds(self) -> int:
        return sum(1 for r in self.rounds if r.published)

    @property
    def placed_waves(self) -> int:
        return sum(len(ring.waves) for ring in self.rings)


def _round_reason(round_: Round, k: int) -> str:
    if round_.closed_at is None:
        return _("Still open: shown once it is closed.")
    if not maturity_selectors.shows_results(round_=round_):
        return _("Too few answers: %(count)s of at least %(minimum)s.") % {
            "count": round_.response_count,
            "minimum": k,
        }
    return ""


def _version_reason(version: PlanVersion, published: PlanVersion | None) -> str:
    if version.status in PUBLISHED_PLAN_STATUSES:
        return "" if version == published else _("A later decided version is shown.")
    return _("Not decided: drafts, submitted and returned versions are never published.")


def publication_preview(*, municipality: Municipality) -> PublicationPreview:
    """What publishing each part would show of this municipality, whatever it publishes now;
    three queries."""
    k = min_group_size()
    rounds = [
        RoundPreview(r, round_is_published(r), _round_reason(r, k))
        for r in Round.objects.filter(municipality=municipality).order_by("-opened_on", "-pk")
    ]
    placements = list(
        Placement.objects.filter(municipality=municipality)
        .select_related("wave")
        .order_by("wave__position", "wave__key")
    )
    versions: dict[int, list[PlanVersion]] = defaultdict(list)
    plans: dict[int, Plan] = {}
    for version in (
        PlanVersion.objects.filter(plan__municipality=municipality)
        .select_related("plan")
        .order_by("-plan__first_year", "-plan_id", "-number")
    ):
        plans.setdefault(version.plan_id, version.plan)
        versions[version.plan_id].append(version)
    previews = []
    for plan_id, plan in plans.items():
        published = published_version(versions[plan_id])
        previews.append(
            PlanPreview(
                plan,
                [
                    VersionPreview(v, v == published, _version_reason(v, published))
                    for v in versions[plan_id]
                ],
            )
        )
    return PublicationPreview(
        rounds=rounds, rings=rings_of(placements), plans=previews, min_group_size=k
    )
