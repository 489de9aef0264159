"""Reads for what the region's municipalities publish: the public page, the open data, and the
pages where a group chooses what to publish and the coordinator opens the public page.

Everything the public sees is read through `visibility.public_sight(region)`, so a part a
municipality has not published never leaves the database. Each reader takes a fixed number of
queries, whatever the number of municipalities, rounds, placements, plans or initiatives.

What is published of each part (the same rules decide the preview a group sees before it
publishes, so the preview cannot promise what the public page does not show):

- maturity: the scores per dimension of the rounds that are closed and show results
  (`maturity.selectors.shows_results`: a survey round needs the minimum number of responses).
  An open round is left out: its scores still move with each answer, and two downloads a few
  answers apart would tell those answers.
- radar: each wave the municipality has placed, and its ring.
- plans: of each plan, the latest version leadership has decided on (approved, approved with
  changes, in progress or closed); never a draft, a submitted or a returned version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from forandra.maturity import selectors as maturity_selectors
from forandra.maturity.models import InstrumentVersion, Mode, Round
from forandra.municipalities.models import Municipality, Region
from forandra.plans.models import BudgetKind, BudgetLine, Decision, Initiative, Plan, PlanVersion
from forandra.scanning import radar as radar_geometry
from forandra.scanning.models import Placement

from .models import Part, Publication, PublicSummary
from .visibility import PUBLISHED_PLAN_STATUSES, public_sight

#: Short names of the two modes, for the public page and the open data.
MODE_NAMES = {Mode.CONSENSUS: _("The group’s assessment"), Mode.SURVEY: _("Staff survey")}


# --- Who publishes what --------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One municipality of the region and the parts it publishes."""

    municipality: Municipality
    maturity: bool = False
    radar: bool = False
    plans: bool = False
    is_demo: bool = False

    @property
    def publishes_anything(self) -> bool:
        return self.maturity or self.radar or self.plans

    def publishes(self, part: Part | str) -> bool:
        return bool(getattr(self, str(part)))


def publication_choices(*, region: Region) -> list[Choice]:
    """Every municipality of the region with what it publishes, by name; one query."""
    choices = []
    for municipality in region.municipalities.select_related("publication").order_by("name"):
        try:
            publication: Publication | None = municipality.publication
        except Publication.DoesNotExist:
            publication = None
        if publication is None:
            choices.append(Choice(municipality))
            continue
        choices.append(
            Choice(
                municipality,
                maturity=publication.maturity,
                radar=publication.radar,
                plans=publication.plans,
                is_demo=publication.is_demo,
            )
        )
    return choices


# --- Maturity ------------------------------------------------------------------------------------


def round_is_published(round_: Round) -> bool:
    """Whether a round's scores are published when its municipality publishes maturity."""
    return round_.closed_at is not None and maturity_selectors.shows_results(round_=round_)


@dataclass(frozen=True)
class DimensionScore:
    key: str
    name: str
    score: float | None  # 0-100; None when no statement of the dimension was answered


@dataclass(frozen=True)
class RoundScores:
    """One published round: when, how, how many answered, and its scores per dimension."""

    municipality: Municipality
    round: Round
    instrument: str  # the instrument's id
    instrument_version: int
    dimensions: list[DimensionScore]

    @property
    def mode_name(self) -> str:
        return str(MODE_NAMES[Mode(self.round.mode)])

    @property
    def closed_on(self) -> date | None:
        closed = self.round.closed_at
        return closed.date() if closed else None


def maturity_published(*, region: Region) -> list[RoundScores]:
    """Every published round of the region, by municipality name and then oldest first.

    Three queries at most: the rounds, and, for rounds whose scores are not cached yet, their
    instruments and answer counts (scored all at once by the maturity app).
    """
    rounds = [
        round_
        for round_ in public_sight(region)
        .filter(Round.objects.filter(closed_at__isnull=False), Part.MATURITY)
        .select_related("municipality")
        .order_by("municipality__name", "municipality_id", "opened_on", "pk")
        if round_is_published(round_)
    ]
    if not rounds:
        return []
    # The maturity app scores many rounds in one query and keeps them in one cache entry.
    scores = maturity_selectors.dimension_scores(rounds=rounds, key=f"public:{region.pk}")
    versions = {
        version.pk: version
        for version in InstrumentVersion.objects.filter(pk__in={r.instrument_id for r in rounds})
    }
    language = get_language() or "sv"
    result = []
    for round_, dimension_scores in zip(rounds, scores, strict=True):
        round_.instrument = versions[round_.instrument_id]
        instrument = maturity_selectors.instrument_for(round_=round_)
        result.append(
            RoundScores(
                municipality=round_.municipality,
                round=round_,
                instrument=instrument.id,
                instrument_version=instrument.version,
                dimensions=[
                    DimensionScore(
                        dimension.key, dimension.name.get(language), dimension_scores[dimension.key]
                    )
                    for dimension in instrument.dimensions
                    if dimension.key in dimension_scores
                ],
            )
        )
    return result


def latest_per_municipality(rounds: Iterable[RoundScores]) -> dict[int, RoundScores]:
    """municipality id -> its latest published round (by opening date)."""
    latest: dict[int, RoundScores] = {}
    for scores in rounds:  # oldest first, so the last one seen wins
        latest[scores.municipality.pk] = scores
    return latest


# --- Radar ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RingWaves:
    key: str
    name: str
    waves: list[str]


def radar_published(*, region: Region) -> list[Placement]:
    """Every published placement of the region, by municipality, ring (innermost first) and
    the wave's position; one query."""
    order = {key: index for index, key in enumerate(radar_geometry.RING_KEYS)}
    placements = list(
        public_sight(region)
        .filter(Placement.objects.all(), Part.RADAR)
        .select_related("municipality", "wave")
        .order_by("municipality__name", "municipality_id", "wave__position", "wave__key")
    )
    placements.sort(
        key=lambda p: (p.municipality.name, p.municipality_id, order.get(p.ring, len(order)))
    )
    return placements


def rings_of(placements: Sequence[Placement]) -> list[RingWaves]:
    """One municipality's placements by ring, innermost first; empty rings left out."""
    by_ring: dict[str, list[str]] = defaultdict(list)
    for placement in placements:
        by_ring[placement.ring].append(placement.wave.name)
    return [
        RingWaves(ring.key, str(ring.name), by_ring[ring.key])
        for ring in radar_geometry.RINGS
        if by_ring.get(ring.key)
    ]


def ring_name(key: str) -> str:
    try:
        return str(radar_geometry.ring_get(key).name)
    except KeyError:
        return key


# --- Plans ---------------------------------------------------------------------------------------


def published_version(versions: Iterable[PlanVersion]) -> PlanVersion | None:
    """The version of a plan that is published: the newest decided one (`versions` newest
    first); None while no version is decided."""
    return next((v for v in versions if v.status in PUBLISHED_PLAN_STATUSES), None)


@dataclass
class PublishedInitiative:
    title: str
    start: date | None
    end: date | None
    budget: dict[tuple[int, str], int] = field(default_factory=dict)  # (year, kind) -> SEK

    @property
    def budget_total(self) -> int:
        return sum(self.budget.values())

    @property
    def innovation_total(self) -> int:
        return sum(a for (_y, kind), a in self.budget.items() if kind == BudgetKind.INNOVATION)


@dataclass
class PublishedPlan:
    """A decided plan as the public sees it: the plan, its published version and decision."""

    plan: Plan
    version: PlanVersion
    decision: Decision | None
    initiatives: list[PublishedInitiative] = field(default_factory=list)

    @property
    def municipality(self) -> Municipality:
        return self.plan.municipality

    @property
    def budget(self) -> dict[tuple[int, str], int]:
        """(year, kind) -> SEK over the initiatives, by year and then kind."""
        total: dict[tuple[int, str], int] = defaultdict(int)
        for initiative in self.initiatives:
            for key, amount in initiative.budget.items():
                total[key] += amount
        return dict(sorted(total.items()))

    @property
    def budget_total(self) -> int:
        return sum(i.budget_total for i in self.initiatives)

    @property
    def innovation_total(self) -> int:
        return sum(i.innovation_total for i in self.initiatives)

    @property
    def innovation_share(self) -> float | None:
        """Innovation's share of the budget in per cent, None without a budget."""
        total = self.budget_total
        return 100 * self.innovation_total / total if total else None


def plans_published(*, region: Region) -> list[PublishedPlan]:
    """Every published plan of the region with its decided version, initiatives and budget,
    by municipality name and then newest plan first; three queries."""
    chosen: dict[int, PublishedPlan] = {}
    for version in (
        PlanVersion.objects.filter(public_sight(region).plan_versions())
        .select_related("plan__municipality", "decision")
        .order_by(
            "plan__municipality__name",
            "plan__municipality_id",
            "-plan__first_year",
            "-plan_id",
            "-number",
        )
    ):
        if version.plan_id in chosen or version.status not in PUBLISHED_PLAN_STATUSES:
            continue
        try:
            decision: Decision | None = version.decision
        except Decision.DoesNotExist:
            decision = None
        chosen[version.plan_id] = PublishedPlan(version.plan, version, decision)
    if not chosen:
        return []
    by_version = {row.version.pk: row for row in chosen.values()}
    initiatives: dict[int, PublishedInitiative] = {}
    for pk, version_id, title, start, end in (
        Initiative.objects.filter(version_id__in=by_version)
        .order_by("version_id", "order", "pk")
        .values_list("pk", "version_id", "title", "start", "end")
    ):
        initiatives[pk] = PublishedInitiative(title, start, end)
        by_version[version_id].initiatives.append(initiatives[pk])
    for initiative_id, year, kind, amount in (
        BudgetLine.objects.filter(initiative__version_id__in=by_version)
        .values("initiative_id", "year", "kind")
        .annotate(amount=Sum("amount"))
        .values_list("initiative_id", "year", "kind", "amount")
    ):
        initiatives[initiative_id].budget[(year, kind)] = int(amount)
    return list(chosen.values())


# --- The public page -----------------------------------------------------------------------------


@dataclass
class MunicipalitySection:
    """What one municipality publishes, for the public page."""

    choice: Choice
    maturity: RoundScores | None = None  # the latest published round
    rings: list[RingWaves] = field(default_factory=list)
    plans: list[PublishedPlan] = field(default_factory=list)

    @property
    def municipality(self) -> Municipality:
        return self.choice.municipality


@dataclass
class PublicPage:
    summary: PublicSummary
    sections: list[MunicipalitySection]  # the municipalities that publish something
    silent: list[Municipality]  # those that publish nothing
    is_demo: bool


def public_page(*, region: Region) -> PublicPage:
    """The region's public page: per municipality, only what it publishes (call after checking
    that the page is open). A fixed number of queries."""
    summary = PublicSummary.objects.get(region=region)
    choices = publication_choices(region=region)
    sections = {c.municipality.pk: MunicipalitySection(c) for c in choices if c.publishes_anything}
    for municipality_id, scores in latest_per_municipality(
        maturity_published(region=region)
    ).items():
        sections[municipality_id].maturity = scores
    placements: dict[int, list[Placement]] = defaultdict(list)
    for placement in radar_published(region=region):
        placements[placement.municipality_id].append(placement)
    for municipality_id, mine in placements.items():
        sections[municipality_id].rings = rings_of(mine)
    for plan in plans_published(region=region):
        sections[plan.plan.municipality_id].plans.append(plan)
    return PublicPage(
        summary=summary,
        sections=list(sections.values()),
        silent=[c.municipality for c in choices if not c.publishes_anything],
        is_demo=summary.is_demo or any(c.is_demo for c in choices),
    )
