"""Environmental scanning: a region's waves, the signals a municipality sees, and where it
places the waves on its radar."""

import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from forandra.core.permissions import Perm
from forandra.municipalities.lookups import municipality_for, region_for
from forandra.scanning import selectors
from forandra.scanning.models import Placement, Signal, Wave

from ..params import Id, Mapped, MunicipalityCode, Pages, RegionCode

router = Router(tags=["scanning"])


class WaveOut(Schema):
    key: str
    name_sv: str
    name_en: str
    description_sv: str
    description_en: str
    dimensions: list[str] = Field(description="Keys of the maturity dimensions it builds.")
    position: int


def _wave(wave: Wave) -> WaveOut:
    return WaveOut(
        key=wave.key,
        name_sv=wave.name_sv,
        name_en=wave.name_en,
        description_sv=wave.description_sv,
        description_en=wave.description_en,
        dimensions=[str(d) for d in wave.dimensions],
        position=wave.position,
    )


@router.get("/regions/{code}/waves", response=list[WaveOut], summary="A region's waves")
@paginate(Pages)
def wave_list(request: HttpRequest, code: RegionCode) -> Mapped[Wave, WaveOut]:
    """The region's catalogue of waves of change, in its order; shared by its municipalities."""
    region = region_for(request, code, Perm.REGION_VIEW)
    return Mapped(selectors.waves_for(region=region), _wave)


class SignalOut(Schema):
    id: int
    municipality: str | None = Field(description="null: from one of the region's own feeds.")
    title: str
    link: str
    summary: str
    note: str
    feed: str | None = Field(description="The feed's title, for a signal from a feed.")
    published_at: datetime.datetime | None
    waves: list[str] = Field(description="The waves it was confirmed in (keys).")
    suggested_waves: list[str] = Field(description="Suggested waves, best first (keys).")
    confirmed_at: datetime.datetime | None
    is_demo: bool


def _signal(signal: Signal, municipality_code: str) -> SignalOut:
    return SignalOut(
        id=signal.pk,
        municipality=municipality_code if signal.municipality_id else None,
        title=signal.title,
        link=signal.link,
        summary=signal.summary_text,
        note=signal.note,
        feed=(signal.feed.title or signal.feed.url) if signal.feed else None,
        published_at=signal.published_at,
        waves=sorted(w.key for w in signal.waves.all()),
        suggested_waves=[str(s[0]) for s in signal.suggestions if s],
        confirmed_at=signal.confirmed_at,
        is_demo=signal.is_demo,
    )


class SignalFilter(Schema):
    wave: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]{1,60}$", description="A wave's key.")
    status: Literal["confirmed", "unconfirmed"] | None = None


@router.get("/municipalities/{code}/signals", response=list[SignalOut], summary="List signals")
@paginate(Pages)
def signal_list(
    request: HttpRequest, code: MunicipalityCode, filters: Query[SignalFilter]
) -> Mapped[Signal, SignalOut]:
    """The signals the municipality sees (its own and its region's feeds'), newest first."""
    municipality = municipality_for(request, code, Perm.SCANNING_VIEW)
    signals = selectors.signal_list(
        municipality=municipality,
        wave=filters.wave or "",
        unconfirmed=filters.status == "unconfirmed",
    )
    if filters.status == "confirmed":
        signals = signals.filter(confirmed_at__isnull=False)
    return Mapped(signals, lambda s: _signal(s, municipality.code))


@router.get("/municipalities/{code}/signals/{pk}", response=SignalOut, summary="One signal")
def signal_detail(request: HttpRequest, code: MunicipalityCode, pk: Id) -> SignalOut:
    municipality = municipality_for(request, code, Perm.SCANNING_VIEW)
    signal = selectors.signals_for(municipality=municipality).filter(pk=pk).first()
    if signal is None:
        raise Http404
    return _signal(signal, municipality.code)


class PlacementOut(Schema):
    wave: str
    wave_name: str
    ring: Literal["adopt", "try", "explore", "watch"]
    previous_ring: Literal["adopt", "try", "explore", "watch", ""]
    rationale: str
    updated_at: datetime.datetime
    is_demo: bool


def _placement(placement: Placement) -> PlacementOut:
    return PlacementOut(
        wave=placement.wave.key,
        wave_name=placement.wave.name,
        ring=placement.ring,  # type: ignore[arg-type]
        previous_ring=placement.previous_ring,  # type: ignore[arg-type]
        rationale=placement.rationale,
        updated_at=placement.updated_at,
        is_demo=placement.is_demo,
    )


@router.get(
    "/municipalities/{code}/placements",
    response=list[PlacementOut],
    summary="The radar's placements",
)
@paginate(Pages)
def placement_list(request: HttpRequest, code: MunicipalityCode) -> Mapped[Placement, PlacementOut]:
    """Where the municipality places the region's waves on its radar, by the waves' order."""
    municipality = municipality_for(request, code, Perm.SCANNING_VIEW)
    placements = (
        Placement.objects.filter(municipality=municipality)
        .select_related("wave")
        .order_by("wave__position", "wave__key")
    )
    return Mapped(placements, _placement)
