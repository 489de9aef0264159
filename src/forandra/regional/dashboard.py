"""The region's dashboard: participation, maturity, waves, plans and the most copied ideas of
every municipality of one region, as one viewer may see them.

Every figure is read through the viewer's `Sight` (see visibility.py): the coordinator and
admins see every municipality; a member or leader sees their own municipality and what the
others have published. Survey rounds count only once they have enough responses
(`maturity.selectors.shows_results`, the k-anonymity rule), here as everywhere.

The page is read in a fixed number of queries, whatever the number of municipalities, rounds,
placements, plans and ideas: one per kind of row, picked and summed in Python. The dimension
scores of many rounds come from the maturity app's batched, cached scoring.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.functional import Promise

from forandra.ideas.models import Idea, Moderation
from forandra.maturity.models import Round
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import DigitalisationGroup, GroupMember, Municipality
from forandra.plans.models import BudgetLine, Initiative, Outcome, PlanVersion, Status
from forandra.scanning import radar as radar_layout
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning.models import Placement, Wave

from . import figures
from .models import Part
from .visibility import Sight

if TYPE_CHECKING:
    from forandra.municipalities.models import Region

#: The most copied shared ideas shown.
TOP_BRICKS = 10
#: Score bands of the heatmap (lower bounds, 0-100); the colour only repeats the number.
BANDS = (0, 20, 40, 60, 80)


def band_ranges() -> list[tuple[int, int, int]]:
    """(band, lowest score, highest score) of each band, for the heatmap's legend."""
    highs = [low - 1 for low in BANDS[1:]] + [100]
    return [(index, low, high) for index, (low, high) in enumerate(zip(BANDS, highs, strict=True))]


def band(score: float | None) -> int | None:
    """The heatmap band (0-4) a score falls in, None without a score."""
    if score is None:
        return None
    return sum(1 for low in BANDS[1:] if score >= low)


# --- What the dashboard shows --------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    """One municipality's group, for those who may see the groups of the region."""

    municipality: Municipality
    group: DigitalisationGroup | None
    cross: municipality_selectors.CrossFunctionality | None


@dataclass(frozen=True)
class Participation:
    municipalities: int
    with_group: int
    members: int
    cross_functional: int  # groups with three functions or more
    median_functions: float | None  # distinct functions per group, the median over groups
    rows: list[GroupRow] | None  # None: the viewer sees only the totals


@dataclass(frozen=True)
class HeatCell:
    score: int | None
    change: int | None  # since the baseline; None without one
    band: int | None

    @property
    def magnitude(self) -> int:
        return abs(self.change or 0)


@dataclass(frozen=True)
class HeatRow:
    municipality: Municipality
    latest: Round | None  # None: no round with results yet
    baseline: Round | None  # None: no earlier round to compare with
    cells: tuple[HeatCell, ...]  # in the order of Heatmap.dimensions
    overall: HeatCell

    @property
    def all_cells(self) -> tuple[HeatCell, ...]:
        """The dimensions' cells, then the overall score's."""
        return (*self.cells, self.overall)


@dataclass(frozen=True)
class Heatmap:
    instrument: str  # the instrument's name in the page's language, "" without rounds
    dimensions: tuple[tuple[str, str], ...]  # (key, name in the page's language)
    rows: list[HeatRow]  # the municipalities whose maturity the viewer sees
    other_instrument: list[Municipality]  # measured with another instrument: not comparable
    hidden: list[Municipality]  # have not published their maturity

    @property
    def measured(self) -> int:
        return sum(1 for row in self.rows if row.latest is not None)


@dataclass(frozen=True)
class RingCell:
    key: str
    name: str | Promise


@dataclass(frozen=True)
class WaveRow:
    municipality: Municipality
    cells: tuple[RingCell | None, ...]  # in the order of WavesMatrix.waves

    @property
    def placed(self) -> int:
        return sum(1 for cell in self.cells if cell is not None)


@dataclass(frozen=True)
class WavesMatrix:
    waves: tuple[Wave, ...]
    rows: list[WaveRow]  # the municipalities whose radar the viewer sees
    hidden: list[Municipality]  # have not published their radar


@dataclass(frozen=True)
class PlanFigures:
    plans: int
    municipalities_with_plan: int
    status_counts: list[tuple[str, str | Promise, int]]  # (status, its words, plans)
    outcome_counts: list[tuple[str, str | Promise, int]]  # the latest decision per plan
    undecided: int  # plans without a decision
    budget_total: int
    innovation_total: int
    initiatives: int
    hidden: list[Municipality]  # have not published their plans

    @property
    def innovation_share(self) -> float | None:
        """Innovation's share of the budget in per cent, None without a budget."""
        return 100 * self.innovation_total / self.budget_total if self.budget_total else None


@dataclass(frozen=True)
class Brick:
    """A shared idea and how many copies other groups made of it."""

    idea: Idea
    copies: int


@dataclass(frozen=True)
class RegionDashboard:
    region: Region
    sight: Sight
    participation: Participation
    heatmap: Heatmap
    waves: WavesMatrix
    plans: PlanFigures
    bricks: list[Brick]
    is_demo: bool


def _sees(sight: Sight, part: Part, municipality: Municipality) -> bool:
    publication = getattr(municipality, "publication", None)
    published = bool(publication is not None and publication.publishes(part))
    return sight.sees(part, municipality.pk, published)


def _participation(
    municipalities: list[Municipality], region: Region, show_groups: bool
) -> Participation:
    functions: dict[int, list[str]] = {}
    for group_id, function in GroupMember.objects.filter(
        group__municipality__region=region
    ).values_list("group_id", "function"):
        functions.setdefault(group_id, []).append(function)
    rows = []
    crosses = []
    for municipality in municipalities:
        group = getattr(municipality, "group", None)
        cross = None
        if group is not None:
            cross = municipality_selectors.cross_functionality(functions.get(group.pk, []))
            crosses.append(cross)
        rows.append(GroupRow(municipality, group, cross))
    return Participation(
        municipalities=len(municipalities),
        with_group=len(crosses),
        members=sum(cross.members for cross in crosses),
        cross_functional=sum(1 for cross in crosses if cross.is_cross_functional),
        median_functions=statistics.median(c.distinct for c in crosses) if crosses else None,
        rows=rows if show_groups else None,
    )


_NO_CELL = HeatCell(None, None, None)


def _cell(latest: float | None, baseline: float | None, has_baseline: bool) -> HeatCell:
    if latest is None:
        return _NO_CELL
    change = None
    if has_baseline and baseline is not None:
        change = figures.whole(latest - baseline)
    return HeatCell(score=figures.whole(latest), change=change, band=band(latest))


def _heatmap(
    sight: Sight, municipalities: list[Municipality], language: str, cache_key: str
) -> Heatmap:
    visible = [m for m in municipalities if _sees(sight, Part.MATURITY, m)]
    hidden = [m for m in municipalities if not _sees(sight, Part.MATURITY, m)]
    found = figures.measured(
        figures.rounds_with_results(sight.filter(Round.objects.all(), Part.MATURITY))
    )
    if not found:
        rows = [HeatRow(m, None, None, (), _NO_CELL) for m in visible]
        return Heatmap("", (), rows, [], hidden)
    # One instrument gives the columns: the one most municipalities were last measured with,
    # in its newest version among those rounds.
    slugs = Counter(item.latest.instrument.instrument_id for item in found.values())
    slug = max(slugs, key=lambda s: (slugs[s], s))
    newest = max(
        (item.latest.instrument for item in found.values()),
        key=lambda version: (version.instrument_id == slug, version.version),
    )
    instrument = figures.instrument_get(newest.pk)
    keys = [dimension.key for dimension in instrument.dimensions]
    comparable = {
        municipality_id: item
        for municipality_id, item in found.items()
        if item.latest.instrument.instrument_id == slug
    }
    scores = figures.scores_of(comparable, cache_key)
    rows = []
    other = []
    for municipality in visible:
        item = comparable.get(municipality.pk)
        if item is None:
            if municipality.pk in found:
                other.append(municipality)
            rows.append(HeatRow(municipality, None, None, (), _NO_CELL))
            continue
        latest, earlier = scores[municipality.pk]
        baseline = earlier if earlier is not None else latest
        rows.append(
            HeatRow(
                municipality=municipality,
                latest=item.latest,
                baseline=item.baseline if item.has_baseline else None,
                cells=tuple(
                    _cell(latest.get(key), baseline.get(key), item.has_baseline) for key in keys
                ),
                overall=_cell(
                    figures.overall(latest), figures.overall(baseline), item.has_baseline
                ),
            )
        )
    return Heatmap(
        instrument=instrument.name.get(language),
        dimensions=tuple((d.key, d.name.get(language)) for d in instrument.dimensions),
        rows=rows,
        other_instrument=other,
        hidden=hidden,
    )


def _waves(sight: Sight, municipalities: list[Municipality]) -> WavesMatrix:
    region = sight.region
    waves = tuple(scanning_selectors.waves_for(region=region))
    rings = {
        (municipality_id, wave_id): ring
        for municipality_id, wave_id, ring in sight.filter(
            Placement.objects.filter(wave__region=region), Part.RADAR
        ).values_list("municipality_id", "wave_id", "ring")
    }
    names = {ring.key: RingCell(ring.key, ring.name) for ring in radar_layout.RINGS}
    rows = [
        WaveRow(m, tuple(names.get(rings.get((m.pk, w.pk), "")) for w in waves))
        for m in municipalities
        if _sees(sight, Part.RADAR, m)
    ]
    hidden = [m for m in municipalities if not _sees(sight, Part.RADAR, m)]
    return WavesMatrix(waves=waves, rows=rows, hidden=hidden)


def _plans(sight: Sight, municipalities: list[Municipality]) -> PlanFigures:
    tallies = figures.plan_tallies(PlanVersion.objects.filter(sight.plan_versions()))
    latest = {tally.version_id for tally in tallies.values()}
    budgets = figures.budget_by_version(
        BudgetLine.objects.filter(sight.plan_versions("initiative__version"))
    )
    initiatives = figures.initiatives_by_version(
        Initiative.objects.filter(sight.plan_versions("version"))
    )
    statuses = Counter(tally.status for tally in tallies.values())
    outcomes = Counter(tally.outcome for tally in tallies.values() if tally.outcome)
    return PlanFigures(
        plans=len(tallies),
        municipalities_with_plan=len({tally.municipality_id for tally in tallies.values()}),
        status_counts=[(value, label, statuses.get(value, 0)) for value, label in Status.choices],
        outcome_counts=[(value, label, outcomes.get(value, 0)) for value, label in Outcome.choices],
        undecided=sum(1 for tally in tallies.values() if not tally.outcome),
        budget_total=sum(budgets.get(pk, (0, 0))[0] for pk in latest),
        innovation_total=sum(budgets.get(pk, (0, 0))[1] for pk in latest),
        initiatives=sum(initiatives.get(pk, 0) for pk in latest),
        hidden=[m for m in municipalities if not _sees(sight, Part.PLANS, m)],
    )


def _bricks(sight: Sight) -> list[Brick]:
    """The region's shared ideas most copied by other groups (shared ideas are the region's)."""
    ideas = (
        Idea.objects.filter(
            Q(municipality__region=sight.region),
            shared_at__isnull=False,
            moderation=Moderation.PUBLISHED,
        )
        .annotate(copy_count=Count("copies"))
        .filter(copy_count__gt=0)
        .select_related("municipality")
        .only("pk", "title", "is_demo", "municipality__name", "municipality__code")
        .order_by("-copy_count", "title", "pk")[:TOP_BRICKS]
    )
    return [Brick(idea, idea.copy_count) for idea in ideas]


def _cache_key(sight: Sight) -> str:
    """One cache entry of dimension scores per region and kind of viewer (see dimension_scores):
    viewers who see the same rounds share it, and it never holds more than they see."""
    who = "all" if sight.everything else f"own-{sight.own}" if sight.own else "published"
    return f"regional:{figures.CACHE_FORMAT}:dashboard:{sight.region.pk}:{who}"


def region_dashboard(*, sight: Sight, show_groups: bool, language: str) -> RegionDashboard:
    """Everything the region's dashboard shows to the viewer whose sight this is; `show_groups`
    adds each municipality's group (REGION_VIEW_GROUPS), else only the totals are given."""
    region = sight.region
    municipalities = list(
        Municipality.objects.filter(region=region)
        .select_related("group", "publication")
        .order_by("name")
    )
    participation = _participation(municipalities, region, show_groups)
    heatmap = _heatmap(sight, municipalities, language, _cache_key(sight))
    waves = _waves(sight, municipalities)
    plans = _plans(sight, municipalities)
    bricks = _bricks(sight)
    is_demo = (
        any(getattr(m, "group", None) is not None and m.group.is_demo for m in municipalities)
        or any(row.latest is not None and row.latest.is_demo for row in heatmap.rows)
        or any(brick.idea.is_demo for brick in bricks)
    )
    return RegionDashboard(
        region=region,
        sight=sight,
        participation=participation,
        heatmap=heatmap,
        waves=waves,
        plans=plans,
        bricks=bricks,
        is_demo=is_demo,
    )
