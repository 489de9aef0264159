"""Reads for scanning: a region's waves, the feeds and signals a municipality sees, radars."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from forandra.maturity.instrument import Text
from forandra.municipalities.models import Municipality, Region

from . import radar as radar_layout
from .classify import Classifier, signal_text
from .models import Feed, Placement, Ring, Signal, Wave
from .waves import Catalogue, Terms
from .waves import Wave as CatalogueWave


def waves_for(*, region: Region) -> QuerySet[Wave]:
    """The region's catalogue of waves, in its order."""
    return Wave.objects.filter(region=region).order_by("position", "key")


def catalogue_for(*, region: Region) -> Catalogue:
    """The region's waves as a catalogue (what the classifier learns from)."""

    def terms(value: dict[str, list[str]]) -> Terms:
        return Terms(sv=tuple(value.get("sv", ())), en=tuple(value.get("en", ())))

    return Catalogue(
        id=f"region-{region.code}",
        version=1,
        name=Text(sv=region.name, en=region.name),
        description=Text(sv="", en=""),
        waves=tuple(
            CatalogueWave(
                key=wave.key,
                name=Text(sv=wave.name_sv, en=wave.name_en),
                description=Text(sv=wave.description_sv, en=wave.description_en),
                dimensions=tuple(wave.dimensions),
                keywords=terms(wave.keywords),
                examples=terms(wave.examples),
            )
            for wave in waves_for(region=region)
        ),
    )


def feeds_for(*, municipality: Municipality) -> QuerySet[Feed]:
    """The feeds a municipality's group follows: its own and its region's curated ones."""
    return Feed.objects.filter(
        Q(municipality=municipality) | Q(region_id=municipality.region_id, municipality=None)
    ).annotate(signal_count=Count("signals"))


def region_feeds(*, region: Region) -> QuerySet[Feed]:
    """Every feed of a region: its curated ones and those of all its municipalities."""
    return Feed.objects.filter(region=region)


def signals_for(*, municipality: Municipality) -> QuerySet[Signal]:
    """The signals a municipality sees: its own and those of its region's curated feeds."""
    return (
        Signal.objects.filter(
            Q(municipality=municipality) | Q(region_id=municipality.region_id, municipality=None)
        )
        .select_related("feed")
        .prefetch_related("waves")
    )


def signal_list(
    *, municipality: Municipality, wave: str = "", unconfirmed: bool = False
) -> QuerySet[Signal]:
    """The signals list: newest first, undated last, optionally one wave's (confirmed in it, or
    unconfirmed with it as the first suggestion) and only the unconfirmed ones."""
    signals = signals_for(municipality=municipality).select_related("added_by")
    if wave:
        signals = signals.filter(
            Q(pk__in=Signal.objects.filter(waves__key=wave).values("pk"))
            | Q(confirmed_at__isnull=True, suggestions__0__0=wave)
        )
    if unconfirmed:
        signals = signals.filter(confirmed_at__isnull=True)
    # PostgreSQL puts NULL first in a descending order; the primary key last keeps pages apart.
    return signals.order_by(F("published_at").desc(nulls_last=True), "-created_at", "-pk")


def _confirmations(region: Region) -> list[tuple[str, str]]:
    rows = Signal.objects.filter(region=region, confirmed_at__isnull=False).values_list(
        "title", "summary_text", "note", "waves__key"
    )
    return [(signal_text(title, summary or note), key) for title, summary, note, key in rows if key]


@lru_cache(maxsize=32)
def _classifier(region_pk: int, version: tuple[object, ...]) -> Classifier:
    region = Region.objects.get(pk=region_pk)
    return Classifier(catalogue_for(region=region), _confirmations(region))


def classifier_for(*, region: Region) -> Classifier:
    """The region's classifier, trained again only when its waves or confirmations change."""
    waves = Wave.objects.filter(region=region).aggregate(n=Count("pk"), at=Max("updated_at"))
    confirmed = Signal.objects.filter(region=region, confirmed_at__isnull=False).aggregate(
        n=Count("pk"), at=Max("confirmed_at")
    )
    return _classifier(region.pk, (waves["n"], waves["at"], confirmed["n"], confirmed["at"]))


def placements_for(*, municipality: Municipality) -> dict[str, Placement]:
    """A municipality's placements, by wave key."""
    return {
        p.wave.key: p
        for p in Placement.objects.filter(municipality=municipality).select_related("wave")
    }


@dataclass(frozen=True)
class RadarRow:
    wave: Wave
    placement: Placement | None
    signals: int


def radar_rows(*, municipality: Municipality) -> list[RadarRow]:
    """Every wave of the region, with the municipality's placement and its number of signals."""
    placements = placements_for(municipality=municipality)
    counts = dict(
        signals_for(municipality=municipality)
        .filter(waves__isnull=False)
        .values("waves__key")
        .annotate(n=Count("pk", distinct=True))
        .values_list("waves__key", "n")
    )
    return [
        RadarRow(wave, placements.get(wave.key), counts.get(wave.key, 0))
        for wave in waves_for(region=municipality.region)
    ]


ORDER = [Ring.ADOPT, Ring.TRY, Ring.EXPLORE, Ring.WATCH]  # from the centre out


def movement(placement: Placement) -> radar_layout.Movement:
    """New, moved in, moved out or unchanged since the placement before."""
    if not placement.previous_ring:
        return radar_layout.Movement.NEW
    before, now = ORDER.index(Ring(placement.previous_ring)), ORDER.index(Ring(placement.ring))
    if now < before:
        return radar_layout.Movement.MOVED_IN
    if now > before:
        return radar_layout.Movement.MOVED_OUT
    return radar_layout.Movement.UNCHANGED


@dataclass(frozen=True)
class ScanState:
    """How far a background scan has come."""

    status: str  # django-tasks' TaskResultStatus: READY, RUNNING, SUCCESSFUL or FAILED
    total: int  # feeds to scan
    done: int  # feeds scanned so far

    @property
    def finished(self) -> bool:
        return self.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def scan_state(*, result_id: str) -> ScanState | None:
    """The state of the background scan `services.scan_enqueue` gave this id for; None when the
    task backend keeps no results (tests run tasks at once) or knows no such id."""
    from .tasks import scan_feeds  # imported here: tasks imports services, which imports this

    try:
        result = scan_feeds.get_result(result_id)
    except (NotImplementedError, TaskResultDoesNotExist, TaskResultMismatch):
        return None
    feed_ids: list[int] = result.args[0] if result.args else result.kwargs.get("feed_ids", [])
    total = len(set(feed_ids))
    if result.status == TaskResultStatus.SUCCESSFUL:
        done = total  # feeds removed meanwhile were skipped, and count as done
    elif result.started_at is None:
        done = 0
    else:
        # Running, or stopped early: each feed records when it was checked as soon as it is.
        done = Feed.objects.filter(pk__in=feed_ids, checked_at__gte=result.started_at).count()
    return ScanState(status=str(result.status), total=total, done=done)


# --- Radars as drawn, and the region's view of every municipality's radar ----------------------


def wave_sectors(*, waves: Iterable[Wave]) -> list[radar_layout.Sector]:
    """The waves as the radar's sectors, named in the active language; a radar file may name
    a wave in either language or by its key."""
    return [
        radar_layout.Sector(key=wave.key, name=wave.name, aliases=(wave.name_sv, wave.name_en))
        for wave in waves
    ]


def radar_blips(*, rows: Iterable[RadarRow]) -> list[radar_layout.Blip]:
    """A municipality's radar: one blip per placed wave, in the wave's own sector."""
    return [
        radar_layout.Blip(
            key=row.wave.key,
            label=row.wave.name,
            sector=row.wave.key,
            ring=placement.ring,
            movement=movement(placement),
            description=placement.rationale,
        )
        for row in rows
        if (placement := row.placement) is not None
    ]


def region_blips(
    *, region: Region, link: Callable[[Municipality, Wave], str] | None = None
) -> list[radar_layout.Blip]:
    """Every placement of the region's municipalities as a blip named by its municipality."""
    placements = (
        Placement.objects.filter(municipality__region=region, wave__region=region)
        .select_related("municipality", "wave")
        .order_by("municipality__name", "wave__position")
    )
    return [
        radar_layout.Blip(
            key=f"{p.municipality.code}-{p.wave.key}",
            label=p.municipality.name,
            sector=p.wave.key,
            ring=p.ring,
            movement=movement(p),
            url=link(p.municipality, p.wave) if link else "",
            description=p.rationale,
        )
        for p in placements
    ]


@dataclass(frozen=True)
class MatrixRow:
    """One municipality: its placement of each wave (None where it has not placed it)."""

    municipality: Municipality
    cells: tuple[Placement | None, ...]  # in the order of RegionMatrix.waves

    @property
    def placed(self) -> int:
        return sum(1 for cell in self.cells if cell is not None)


@dataclass(frozen=True)
class WaveTake:
    """How many of the region's municipalities have placed a wave, ring by ring."""

    wave: Wave
    adopt: int
    try_: int
    explore: int
    watch: int

    @property
    def taken(self) -> int:
        """Municipalities that adopt or try the wave: those acting on it."""
        return self.adopt + self.try_

    @property
    def placed(self) -> int:
        return self.adopt + self.try_ + self.explore + self.watch


@dataclass(frozen=True)
class RegionMatrix:
    waves: tuple[Wave, ...]
    rows: tuple[MatrixRow, ...]
    takes: tuple[WaveTake, ...]  # most taken first, then most placed, then catalogue order

    @property
    def is_demo(self) -> bool:
        return any(cell is not None and cell.is_demo for row in self.rows for cell in row.cells)


def region_matrix(*, region: Region) -> RegionMatrix:
    """Every municipality of the region × every wave, with the ring placed; three queries
    however many municipalities there are."""
    waves = tuple(waves_for(region=region))
    municipalities = Municipality.objects.filter(region=region).order_by("name")
    placements = {
        (p.municipality_id, p.wave_id): p
        for p in Placement.objects.filter(municipality__region=region, wave__region=region)
    }
    rows = tuple(
        MatrixRow(m, tuple(placements.get((m.pk, w.pk)) for w in waves)) for m in municipalities
    )
    takes = []
    for index, wave in enumerate(waves):
        rings = [cell.ring for row in rows if (cell := row.cells[index]) is not None]
        takes.append(
            WaveTake(
                wave=wave,
                adopt=rings.count(Ring.ADOPT),
                try_=rings.count(Ring.TRY),
                explore=rings.count(Ring.EXPLORE),
                watch=rings.count(Ring.WATCH),
            )
        )
    order = {wave.pk: index for index, wave in enumerate(waves)}
    takes.sort(key=lambda t: (-t.taken, -t.placed, order[t.wave.pk]))
    return RegionMatrix(waves=waves, rows=rows, takes=tuple(takes))


@dataclass(frozen=True)
class WaveMonths:
    wave: Wave
    counts: tuple[int, ...]  # one per month of SignalMonths.months

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class SignalMonths:
    months: tuple[date, ...]  # the first day of each month, oldest first
    rows: tuple[WaveMonths, ...]  # in catalogue order

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*(r.counts for r in self.rows), strict=True))

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def largest(self) -> int:
        return max((count for row in self.rows for count in row.counts), default=0)


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def signal_months(*, region: Region, months: int = 12, today: date | None = None) -> SignalMonths:
    """Signals of the region per wave per month (the waves a group confirmed, by the month a
    signal was published, else noted), for the last `months` months including this one."""
    today = today or timezone.localdate()
    firsts = tuple(_month_start(today, back) for back in range(months - 1, -1, -1))
    start = timezone.make_aware(datetime.combine(firsts[0], time.min))
    end = timezone.make_aware(datetime.combine(_month_start(today, -1), time.min))
    waves = tuple(waves_for(region=region))
    counted = (
        Signal.objects.filter(region=region)
        .annotate(when=Coalesce("published_at", "created_at"))
        .filter(when__gte=start, when__lt=end)
        .annotate(month=TruncMonth("when"))
        .values("waves", "month")
        .annotate(n=Count("pk", distinct=True))
        .values_list("waves", "month", "n")
    )
    cells: dict[tuple[int, date], int] = {}
    for wave_id, month, n in counted:
        if wave_id is None:  # a signal whose waves are not confirmed yet
            continue
        first = month.date() if isinstance(month, datetime) else month
        cells[(wave_id, first)] = n
    return SignalMonths(
        months=firsts,
        rows=tuple(
            WaveMonths(wave, tuple(cells.get((wave.pk, first), 0) for first in firsts))
            for wave in waves
        ),
    )


def region_placements_are_demo(*, region: Region) -> bool:
    """Whether the region's radars hold demo placements."""
    return Placement.objects.filter(municipality__region=region, is_demo=True).exists()
