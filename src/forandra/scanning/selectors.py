"""Reads for scanning: a region's waves, the feeds and signals a municipality sees, radars."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Max, Q, QuerySet

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


def signals_for(*, municipality: Municipality) -> QuerySet[Signal]:
    """The signals a municipality sees: its own and those of its region's curated feeds."""
    return (
        Signal.objects.filter(
            Q(municipality=municipality) | Q(region_id=municipality.region_id, municipality=None)
        )
        .select_related("feed")
        .prefetch_related("waves")
    )


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
