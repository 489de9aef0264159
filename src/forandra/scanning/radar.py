"""Geometry of a municipality's radar: one sector per wave, four rings, numbered blips.

Plain Python (Django only for the lazy names of rings and movements), drawn as SVG by
`scanning/partials/radar.html`. Coordinates are SVG user units with the radar's centre at (0, 0);
angles are degrees clockwise from twelve o'clock, so sector 0 starts at the top.

Three promises, each tested:

- Any number of sectors, from one (a full disc) to many more than Thoughtworks' four.
- A blip is never dropped. Each cell (one sector × one ring) is packed with rows of candidate
  positions; the spacing shrinks, then the blips shrink, until the cell holds them all. A cell
  that still cannot hold them gets its blips anyway, overlapping, and says so in
  `RadarLayout.overflowing` so the page can tell the reader (the table lists every blip).
- Blips in a cell that is not overflowing never overlap each other or a blip in another cell: each
  keeps its radius plus a margin from every edge of its cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

# --- The domain: rings, movements, sectors, blips -------------------------------------------------


@dataclass(frozen=True)
class Ring:
    """One of the four rings. `outer` is the ring's outer edge as a share of the radar's radius."""

    key: str
    name: str | Promise
    outer: float


# Innermost first, as on Thoughtworks' radar: what the municipality has adopted is at the centre.
# The bands are close to equal in area, so the outer rings (where most waves start) are not cramped.
RINGS: tuple[Ring, ...] = (
    Ring("adopt", pgettext_lazy("radar ring", "Adopt"), 0.40),
    Ring("try", pgettext_lazy("radar ring", "Try"), 0.62),
    Ring("explore", pgettext_lazy("radar ring", "Explore"), 0.82),
    Ring("watch", pgettext_lazy("radar ring", "Watch"), 1.0),
)
RING_KEYS: tuple[str, ...] = tuple(ring.key for ring in RINGS)
_RING_BY_KEY = {ring.key: ring for ring in RINGS}


def ring_get(key: str) -> Ring:
    """The ring with this key; KeyError for an unknown one."""
    return _RING_BY_KEY[key]


class Movement(StrEnum):
    """Where a blip went since the municipality's previous placement."""

    NEW = "new"
    MOVED_IN = "moved_in"  # towards the centre: closer to adopting
    MOVED_OUT = "moved_out"
    UNCHANGED = "unchanged"

    @property
    def label(self) -> str | Promise:
        return _MOVEMENT_NAMES[self]


_MOVEMENT_NAMES: dict[Movement, str | Promise] = {
    Movement.NEW: pgettext_lazy("radar movement", "New"),
    Movement.MOVED_IN: pgettext_lazy("radar movement", "Moved in"),
    Movement.MOVED_OUT: pgettext_lazy("radar movement", "Moved out"),
    Movement.UNCHANGED: pgettext_lazy("radar movement", "Unchanged"),
}


@dataclass(frozen=True)
class Sector:
    """A slice of the radar: one wave. `aliases` are other names the wave goes by (its name in
    the other language), used to recognise it in an imported file."""

    key: str
    name: str | Promise
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Blip:
    """One thing placed on the radar: in a sector, in a ring, with how it moved."""

    key: str
    label: str
    sector: str  # a Sector.key
    ring: str  # a Ring.key
    movement: Movement = Movement.UNCHANGED
    url: str = ""  # to its signals; empty draws the blip without a link
    description: str = ""


# --- The layout -------------------------------------------------------------------------------

BLIP_RADIUS = 13.0  # room for a two-digit number in the smallest shape
READABLE_BLIP_RADIUS = 10.0  # a crowded cell may shrink its blips this far before the radar grows
MIN_BLIP_RADIUS = 8.0  # below this a number cannot be read; crowded cells overlap instead
MARGIN = 2.5  # between a blip and its cell's edges, so no blip sits on a line
_GAPS = (26.0, 20.0, 15.0, 11.0, 8.0, 6.0, 4.5, 3.0, 2.0)  # roomy first, then tighter
_SHRINK = (11.5, 10.0, 9.0, MIN_BLIP_RADIUS)
_OVERLAP = tuple(x / 10 for x in range(9, 0, -1))  # spacing as a share of the diameter

SECTOR_FONT = 13.0
SECTOR_LINE = 16.0
RING_FONT = 11.0
_CHAR = 0.56  # average glyph width of the system font, as a share of the font size
_SIDE_WIDTH = 170.0  # widest sector label at the left and right of the radar
_LABEL_GAP = 12.0  # between the circle and a sector label
_MAX_LINES = 3


@dataclass(frozen=True)
class TextLine:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class RingBand:
    ring: Ring
    inner: float
    outer: float
    label_x: float  # the middle of the ring's name
    label_y: float
    label_angle: float  # its rotation in degrees: along a sector edge, or level at the top
    count: int

    @property
    def key(self) -> str:
        return self.ring.key

    @property
    def name(self) -> str | Promise:
        return self.ring.name


@dataclass(frozen=True)
class SectorArea:
    sector: Sector
    index: int
    start_angle: float  # degrees clockwise from twelve o'clock
    end_angle: float
    edge_x: float  # where the sector's first edge meets the circle
    edge_y: float
    wedge: str  # SVG path of the whole slice, for the alternating tint
    anchor: str  # text-anchor of the label: start, middle or end
    label: tuple[TextLine, ...]
    truncated: bool  # the label was shortened to fit; the table has the full name
    count: int

    @property
    def key(self) -> str:
        return self.sector.key

    @property
    def name(self) -> str | Promise:
        return self.sector.name

    @property
    def tinted(self) -> bool:
        return self.index % 2 == 1


@dataclass(frozen=True)
class PlacedBlip:
    number: int
    blip: Blip
    sector: Sector
    ring: Ring
    x: float
    y: float
    radius: float  # nothing else of this cell's blips comes closer than twice this
    angle: float  # degrees clockwise from twelve o'clock
    distance: float  # from the centre
    shape: str  # SVG path of the marker, drawn around (x, y)
    halo_radius: float | None  # new blips get a ring around them
    halo_width: float
    text_y: float
    font_size: float
    overlapping: bool  # its cell could not hold every blip apart

    @property
    def label(self) -> str:
        return self.blip.label

    @property
    def url(self) -> str:
        return self.blip.url

    @property
    def description(self) -> str:
        return self.blip.description

    @property
    def movement(self) -> Movement:
        return self.blip.movement

    @property
    def movement_name(self) -> str | Promise:
        return self.blip.movement.label


@dataclass(frozen=True)
class Crowding:
    """A cell whose blips had to shrink (`overflow` False) or overlap (`overflow` True)."""

    sector: Sector
    ring: Ring
    count: int
    capacity: int  # how many fit apart at blip_radius
    blip_radius: float
    overflow: bool


@dataclass(frozen=True)
class MovementCount:
    movement: Movement
    name: str | Promise
    count: int


@dataclass(frozen=True)
class RadarLayout:
    radius: float
    min_x: float
    min_y: float
    width: float
    height: float
    rings: tuple[RingBand, ...]
    sectors: tuple[SectorArea, ...]
    blips: tuple[PlacedBlip, ...]
    crowding: tuple[Crowding, ...]
    movements: tuple[MovementCount, ...]

    @property
    def view_box(self) -> str:
        return f"{self.min_x:.1f} {self.min_y:.1f} {self.width:.1f} {self.height:.1f}"

    @property
    def overflowing(self) -> tuple[Crowding, ...]:
        return tuple(cell for cell in self.crowding if cell.overflow)

    @property
    def has_links(self) -> bool:
        return any(blip.url for blip in self.blips)

    @property
    def has_edges(self) -> bool:
        return len(self.sectors) > 1


# Diameters tried, smallest first, when the caller leaves the size to the layout.
AUTO_SIZES = (640.0, 720.0, 800.0, 880.0, 960.0)


def layout(
    sectors: Sequence[Sector], blips: Sequence[Blip], *, size: float | None = None
) -> RadarLayout:
    """Place every blip in its sector and ring; `size` is the circle's diameter in SVG units.

    Without a size, the radar grows through AUTO_SIZES until every cell holds its blips at a
    comfortable size (a radar with many sectors has narrow cells near the centre), else until
    none overlap, else to the largest. Text keeps its size, so a larger radar is a fuller picture
    rather than a magnified one.

    Blips are numbered sector by sector, from the centre outwards, then by label, so the numbers
    read in order around the radar and in the table. Raises ValueError for blips that name an
    unknown sector or ring, and for repeated keys: those are programming errors, not crowding.
    """
    _validate(sectors, blips)
    if size is not None:
        return _layout(sectors, blips, size)
    fallback: RadarLayout | None = None
    for candidate in AUTO_SIZES:
        result = _layout(sectors, blips, candidate)
        if all(cell.blip_radius >= READABLE_BLIP_RADIUS for cell in result.crowding):
            return result
        if fallback is None and not result.overflowing:
            fallback = result
    return fallback or result


def _layout(sectors: Sequence[Sector], blips: Sequence[Blip], size: float) -> RadarLayout:
    radius = size / 2
    count = len(sectors)
    step = 360.0 / count
    sector_index = {sector.key: index for index, sector in enumerate(sectors)}
    ring_index = {key: index for index, key in enumerate(RING_KEYS)}

    ordered = sorted(
        blips,
        key=lambda b: (sector_index[b.sector], ring_index[b.ring], b.label.casefold(), b.key),
    )
    bands = _bands(radius, ordered, count)
    obstacles = _ring_label_boxes(bands) if _label_edge(count) is None else ()

    cells: dict[tuple[int, int], list[Blip]] = {}
    for blip in ordered:
        cells.setdefault((sector_index[blip.sector], ring_index[blip.ring]), []).append(blip)

    placed: list[PlacedBlip] = []
    crowding: list[Crowding] = []
    number = 1
    for (s_index, r_index), members in sorted(cells.items()):
        band = bands[r_index]
        cell = _Cell(
            start=math.radians(s_index * step),
            end=math.radians((s_index + 1) * step),
            inner=band.inner,
            outer=band.outer,
            bounded=count > 1,
        )
        spots = _pack(cell, len(members), obstacles)
        if spots.radius < BLIP_RADIUS or spots.overflow:
            crowding.append(
                Crowding(
                    sector=sectors[s_index],
                    ring=band.ring,
                    count=len(members),
                    capacity=spots.capacity,
                    blip_radius=spots.radius,
                    overflow=spots.overflow,
                )
            )
        for blip, (rho, theta) in zip(members, spots.positions, strict=True):
            placed.append(_placed(number, blip, sectors[s_index], band.ring, rho, theta, spots))
            number += 1

    areas = tuple(
        _sector_area(sector, index, count, radius, sum(1 for b in blips if b.sector == sector.key))
        for index, sector in enumerate(sectors)
    )
    min_x, min_y, max_x, max_y = _bounds(radius, areas)
    return RadarLayout(
        radius=radius,
        min_x=min_x,
        min_y=min_y,
        width=max_x - min_x,
        height=max_y - min_y,
        rings=tuple(bands),
        sectors=areas,
        blips=tuple(placed),
        crowding=tuple(crowding),
        movements=tuple(
            MovementCount(m, m.label, sum(1 for b in blips if b.movement == m)) for m in Movement
        ),
    )


def _validate(sectors: Sequence[Sector], blips: Sequence[Blip]) -> None:
    if not sectors:
        raise ValueError("a radar needs at least one sector")
    keys = [sector.key for sector in sectors]
    if len(set(keys)) != len(keys):
        raise ValueError("sector keys must be unique")
    known = set(keys)
    seen: set[str] = set()
    for blip in blips:
        if blip.key in seen:
            raise ValueError(f"blip key {blip.key!r} is repeated")
        seen.add(blip.key)
        if blip.sector not in known:
            raise ValueError(f"blip {blip.key!r} names an unknown sector {blip.sector!r}")
        if blip.ring not in _RING_BY_KEY:
            raise ValueError(f"blip {blip.key!r} names an unknown ring {blip.ring!r}")


def _bands(radius: float, blips: Sequence[Blip], sectors: int) -> list[RingBand]:
    """The rings, with where their names go. With three sectors or more a name is written along
    the sector edge nearest to three o'clock, inside the strip that blips keep clear of on
    either side of every edge, so it takes no room from any blip. With one or two sectors there
    is no such edge, and the names sit level at the top of their bands (see _ring_label_boxes)."""
    edge = _label_edge(sectors)
    bands = []
    inner = 0.0
    for ring in RINGS:
        outer = radius * ring.outer
        if edge is None:
            x, y, angle = 0.0, -outer + RING_FONT / 2 + 5, 0.0
        else:
            # The innermost name sits out from the centre, where the edges crowd together.
            along = outer * 0.62 if inner == 0 else (inner + outer) / 2
            x, y = _xy(along, math.radians(edge))
            angle = edge - 90 if edge <= 180 else edge - 270  # never upside down
        bands.append(
            RingBand(
                ring=ring,
                inner=inner,
                outer=outer,
                label_x=round(x, 2),
                label_y=round(y, 2),
                label_angle=round(angle, 2),
                count=sum(1 for blip in blips if blip.ring == ring.key),
            )
        )
        inner = outer
    return bands


def _label_edge(sectors: int) -> float | None:
    """The angle of the sector edge closest to level (three or nine o'clock), if one is within
    60 degrees of level."""
    if sectors < 3:
        return None
    edges = [index * 360.0 / sectors for index in range(sectors)]
    best = min(edges, key=lambda a: (min(abs(a - 90), abs(a - 270)), a))
    return best if min(abs(best - 90), abs(best - 270)) <= 60 else None


@dataclass(frozen=True)
class _Box:
    left: float
    top: float
    right: float
    bottom: float

    def distance(self, x: float, y: float) -> float:
        dx = max(self.left - x, 0.0, x - self.right)
        dy = max(self.top - y, 0.0, y - self.bottom)
        return math.hypot(dx, dy)


def _ring_label_boxes(bands: Sequence[RingBand]) -> tuple[_Box, ...]:
    """Where level ring names are written (one or two sectors), kept free of blips. Measured
    for the longest name in either language ("Utforska", "Explore") in bold, so a translation
    never runs under a blip."""
    width = RING_FONT * 0.62 * 9 + 8
    half = RING_FONT / 2 + 2
    return tuple(
        _Box(-width / 2, band.label_y - half, width / 2, band.label_y + half) for band in bands
    )


# --- Packing one cell ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    start: float  # radians clockwise from twelve o'clock
    end: float
    inner: float
    outer: float
    bounded: bool  # False for a one-sector radar: the cell is a whole annulus, without edges

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


@dataclass(frozen=True)
class _Spots:
    positions: tuple[tuple[float, float], ...]  # (distance, angle in radians)
    radius: float
    capacity: int
    overflow: bool


def _xy(rho: float, theta: float) -> tuple[float, float]:
    return rho * math.sin(theta), -rho * math.cos(theta)


def _rows(
    cell: _Cell, radius: float, spacing: float, row_gap: float
) -> list[list[tuple[float, float]]]:
    """Candidate positions in arcs across the cell, each at least `radius` + MARGIN inside every
    edge. Rows are centred on the middle of the band and spread out from it; within a row the
    points are centred on the middle of the sector, at least `spacing` apart."""
    margin = radius + MARGIN
    low = cell.inner + margin
    if cell.bounded:
        low = max(low, margin)  # the edges meet at the centre: keep clear of the apex
    elif cell.inner == 0:
        low = 0.0
    high = cell.outer - margin
    if high < low:
        return []
    gap = spacing * row_gap
    middle = (low + high) / 2
    steps = int((high - low) / 2 / gap + 1e-9)
    # (row position, distance): the middle row first, so the centre of the band fills first.
    radii = [(k, middle + k * gap) for k in sorted(range(-steps, steps + 1), key=abs)]
    if steps == 0 and high - low >= gap:  # two rows fit where one row would sit in the middle
        radii = [(0, middle - gap / 2), (1, middle + gap / 2)]
    rows = []
    for position, rho in radii:
        stagger = 0.5 if position % 2 else 0.0  # alternate rows sit between their neighbours
        if rho < 1e-9:
            rows.append([(0.0, cell.middle)])
            continue
        step = math.pi if spacing >= 2 * rho else 2 * math.asin(spacing / (2 * rho))
        if cell.bounded:
            if margin > rho:
                continue
            slack = math.asin(margin / rho)
            low_angle, high_angle = cell.start + slack, cell.end - slack
            if high_angle < low_angle:
                continue
            # Points at middle + (j + stagger) * step that stay inside [low_angle, high_angle].
            half = (high_angle - low_angle) / 2 / step + 1e-9
            first_j = math.ceil(-half - stagger)
            last_j = math.floor(half - stagger)
            if last_j < first_j:  # no staggered point fits: fall back to the middle
                first_j = last_j = 0
                stagger = 0.0
            row = [(rho, cell.middle + (j + stagger) * step) for j in range(first_j, last_j + 1)]
        else:
            count = max(1, int(2 * math.pi / step + 1e-9))
            step = 2 * math.pi / count
            row = [
                (rho, (cell.middle + (i + stagger) * step) % (2 * math.pi)) for i in range(count)
            ]
        rows.append(row)
    return rows


# Rows sqrt(3)/2 apart pack like a honeycomb on a straight line; on an arc, or with one point a
# row, rows further apart can hold more. Each is tried and the one that holds most is kept.
_ROW_GAPS = (math.sqrt(3) / 2, 0.93, 1.0)


def _accepted(
    cell: _Cell, radius: float, spacing: float, obstacles: Sequence[_Box]
) -> list[tuple[float, float]]:
    """The most candidates that can be kept apart, over the row spacings tried."""
    return max((_kept(cell, radius, spacing, row_gap, obstacles) for row_gap in _ROW_GAPS), key=len)


def _kept(
    cell: _Cell, radius: float, spacing: float, row_gap: float, boxes: Sequence[_Box]
) -> list[tuple[float, float]]:
    """The candidates kept when each must be `spacing` from those kept before it and clear of
    the ring names. A grid of buckets keeps this linear in the number of candidates."""
    clear = radius + MARGIN
    buckets: dict[tuple[int, int], list[tuple[float, float]]] = {}
    kept: list[tuple[float, float]] = []
    for row in _rows(cell, radius, spacing, row_gap):
        for rho, theta in row:
            x, y = _xy(rho, theta)
            if any(box.distance(x, y) < clear for box in boxes):
                continue
            bx, by = math.floor(x / spacing), math.floor(y / spacing)
            if any(
                math.hypot(x - px, y - py) < spacing - 1e-9
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for px, py in buckets.get((bx + dx, by + dy), ())
            ):
                continue
            buckets.setdefault((bx, by), []).append((x, y))
            kept.append((rho, theta))
    return kept


def _room(cell: _Cell, spacing: float) -> float:
    """More than the number of points `spacing` apart that fit in the cell: their discs of
    diameter `spacing` do not overlap and lie within the cell grown by half the spacing. Lets the
    packing skip spacings that cannot work without trying them."""
    half = spacing / 2
    angle = cell.end - cell.start
    area = angle / 2 * ((cell.outer + half) ** 2 - max(0.0, cell.inner - half) ** 2)
    if cell.bounded:
        area += 2 * (cell.outer + half) * half + math.pi * half**2
    return area / (math.pi * half**2)


def _relevant(boxes: Sequence[_Box], cell: _Cell) -> tuple[_Box, ...]:
    """The boxes that come near the cell, from its bounding box."""
    angles = [cell.start, cell.end] + [
        q * math.pi / 2 for q in range(5) if cell.start < q * math.pi / 2 < cell.end
    ]
    points = [_xy(rho, a) for a in angles for rho in (cell.inner, cell.outer)] + [(0.0, 0.0)]
    left = min(x for x, _ in points) - BLIP_RADIUS - MARGIN
    right = max(x for x, _ in points) + BLIP_RADIUS + MARGIN
    top = min(y for _, y in points) - BLIP_RADIUS - MARGIN
    bottom = max(y for _, y in points) + BLIP_RADIUS + MARGIN
    return tuple(
        box
        for box in boxes
        if box.left <= right and box.right >= left and box.top <= bottom and box.bottom >= top
    )


def _choose(cell: _Cell, spots: list[tuple[float, float]], n: int) -> list[tuple[float, float]]:
    """n of the candidates: the most central in a sector, spread evenly round a whole annulus.
    Returned in reading order, from the centre outwards and clockwise, so numbers run in order."""
    if cell.bounded:
        cx, cy = _xy((max(cell.inner, 0) + cell.outer) / 2, cell.middle)
        chosen = sorted(spots, key=lambda s: math.dist(_xy(*s), (cx, cy)))[:n]
    else:
        middle = (cell.inner + cell.outer) / 2
        ranked = sorted(spots, key=lambda s: (round(abs(s[0] - middle), 6), s[1]))
        first_row = [s for s in ranked if math.isclose(s[0], ranked[0][0])]
        if n <= len(first_row):
            chosen = [first_row[i * len(first_row) // n] for i in range(n)]
        else:
            chosen = ranked[:n]

    def clockwise_from_start(spot: tuple[float, float]) -> float:
        return (spot[1] - cell.start) % (2 * math.pi)

    return sorted(chosen, key=lambda s: (round(s[0], 6), clockwise_from_start(s)))


def _pack(cell: _Cell, n: int, obstacles: Sequence[_Box]) -> _Spots:
    """Positions for n blips: roomy if they fit, then tighter, then smaller, then overlapping."""
    boxes = _relevant(obstacles, cell)
    for radius, gaps in [(BLIP_RADIUS, _GAPS), *((r, (2.0,)) for r in _SHRINK)]:
        for gap in gaps:
            if n > _room(cell, 2 * radius + gap):
                continue
            spots = _accepted(cell, radius, 2 * radius + gap, boxes)
            if len(spots) >= n:
                return _Spots(tuple(_choose(cell, spots, n)), radius, len(spots), False)
    capacity = len(_accepted(cell, MIN_BLIP_RADIUS, 2 * MIN_BLIP_RADIUS + 2.0, boxes))
    for share in _OVERLAP:
        spacing = 2 * MIN_BLIP_RADIUS * share
        if n > _room(cell, spacing):
            continue
        spots = _accepted(cell, MIN_BLIP_RADIUS, spacing, boxes)
        if len(spots) >= n:
            return _Spots(tuple(_choose(cell, spots, n)), MIN_BLIP_RADIUS, capacity, True)
    return _Spots(_along_the_middle(cell, n), MIN_BLIP_RADIUS, capacity, True)


def _along_the_middle(cell: _Cell, n: int) -> tuple[tuple[float, float], ...]:
    """The last resort for a cell too thin for even one blip: a line of points down its middle
    (or round its middle circle), still strictly inside the cell."""
    if cell.bounded:
        return tuple(
            (cell.inner + (cell.outer - cell.inner) * (i + 1) / (n + 1), cell.middle)
            for i in range(n)
        )
    rho = (cell.inner + cell.outer) / 2
    return tuple((rho, 2 * math.pi * i / n) for i in range(n))


# --- Markers ----------------------------------------------------------------------------------

# Shares of the blip radius. Every marker stays inside the radius, so the spacing guarantees
# hold for the shapes as drawn.
_CIRCLE = 0.8  # unchanged: a plain circle
_NEW_BODY, _HALO, _HALO_WIDTH = 0.64, 0.9, 0.2  # new: a smaller circle inside a ring
_DROP_BODY, _DROP_SHIFT = 0.72, 0.22  # moved: a circle drawn out into a point


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _circle_path(x: float, y: float, r: float) -> str:
    return (
        f"M {_fmt(x - r)} {_fmt(y)} a {_fmt(r)} {_fmt(r)} 0 1 0 {_fmt(2 * r)} 0 "
        f"a {_fmt(r)} {_fmt(r)} 0 1 0 {_fmt(-2 * r)} 0 z"
    )


def _drop_path(x: float, y: float, r: float, *, up: bool) -> str:
    """A circle drawn out into a point, like a drop: pointing up for moved in, down for moved
    out. The circle keeps the number as large as on the other markers; all of it stays within
    radius r of (x, y)."""
    sign = -1 if up else 1
    a, d = _DROP_BODY * r, _DROP_SHIFT * r
    cy = y - sign * d  # the circle sits away from the point
    apex_y = y + sign * r
    beta = math.acos(a / (r + d))  # between the axis and a tangent point, seen from the centre
    tx, ty = a * math.sin(beta), sign * a * math.cos(beta)
    sweep = 1 if up else 0
    return (
        f"M {_fmt(x)} {_fmt(apex_y)} L {_fmt(x + tx)} {_fmt(cy + ty)} "
        f"A {_fmt(a)} {_fmt(a)} 0 1 {sweep} {_fmt(x - tx)} {_fmt(cy + ty)} z"
    )


def _placed(
    number: int,
    blip: Blip,
    sector: Sector,
    ring: Ring,
    rho: float,
    theta: float,
    spots: _Spots,
) -> PlacedBlip:
    r = spots.radius
    x, y = (round(v, 2) for v in _xy(rho, theta))
    digits = len(str(number))
    halo: float | None = None
    halo_width = 0.0
    if blip.movement in (Movement.MOVED_IN, Movement.MOVED_OUT):
        up = blip.movement == Movement.MOVED_IN
        shape = _drop_path(x, y, r, up=up)
        body = _DROP_BODY * r
        centre = y + (_DROP_SHIFT * r if up else -_DROP_SHIFT * r)
    elif blip.movement == Movement.NEW:
        body = _NEW_BODY * r
        shape = _circle_path(x, y, body)
        halo = round(_HALO * r, 2)
        halo_width = round(_HALO_WIDTH * r, 2)
        centre = y
    else:
        body = _CIRCLE * r
        shape = _circle_path(x, y, body)
        centre = y
    # Two digits fill about 1.2 font sizes; three need a smaller font to stay inside.
    font = body * (0.95 if digits < 3 else 0.72)
    theta_deg = math.degrees(theta) % 360.0
    return PlacedBlip(
        number=number,
        blip=blip,
        sector=sector,
        ring=ring,
        x=x,
        y=y,
        radius=r,
        angle=theta_deg,
        distance=rho,
        shape=shape,
        halo_radius=halo,
        halo_width=halo_width,
        text_y=round(centre + font * 0.36, 2),  # the baseline that centres the digits
        font_size=round(font, 2),
        overlapping=spots.overflow,
    )


# --- Sector labels ----------------------------------------------------------------------------


def _split(word: str, limit: int) -> list[str]:
    """A word longer than a line, in pieces ending in a hyphen. A Swedish compound is often
    joined by an s ("informations|säkerhet", "digitaliserings|gruppen"): break there when
    possible, else where the line ends."""
    pieces = []
    while len(word) > limit:
        joints = [
            i
            for i in range(4, limit)
            if word[i - 1] == "s" and word[i - 2] != "s" and len(word) - i >= 3
        ]
        cut = joints[-1] if joints else limit - 1
        pieces.append(word[:cut] + "-")
        word = word[cut:]
    return [*pieces, word]


def _wrap(text: str, width: float) -> tuple[list[str], bool]:
    """Lines of at most `width` units, at most _MAX_LINES of them. The second value says
    whether the text had to be shortened (the table always has the whole name)."""
    limit = max(5, int(width / (SECTOR_FONT * _CHAR)))
    lines: list[str] = []
    for word in (piece for whole in text.split() for piece in _split(whole, limit)):
        if lines and len(lines[-1]) + 1 + len(word) <= limit and not lines[-1].endswith("-"):
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) <= _MAX_LINES:
        return lines, False
    kept = lines[:_MAX_LINES]
    last = kept[-1].rstrip("-")
    kept[-1] = (last[: limit - 1] if len(last) >= limit else last) + "…"
    return kept, True


def _sector_area(sector: Sector, index: int, count: int, radius: float, blips: int) -> SectorArea:
    step = 360.0 / count
    start, end = index * step, (index + 1) * step
    middle = 0.0 if count == 1 else math.radians((start + end) / 2)
    sin, cos = math.sin(middle), math.cos(middle)
    distance = radius + _LABEL_GAP
    ax, ay = distance * sin, -distance * cos
    if sin > 0.3:
        anchor, width = "start", _SIDE_WIDTH
    elif sin < -0.3:
        anchor, width = "end", _SIDE_WIDTH
    else:
        anchor = "middle"
        # Between the neighbouring labels' anchors, less a gap.
        chord = 2 * distance * math.sin(math.pi / count) if count > 1 else 2 * radius
        width = max(60.0, min(_SIDE_WIDTH * 1.2, chord - 12))
    lines, truncated = _wrap(str(sector.name), width)
    n = len(lines)
    if anchor == "middle" and cos >= 0:  # above the circle: the last line ends just above it
        first = ay - 2 - (n - 1) * SECTOR_LINE
    elif anchor == "middle":  # below: the first line starts just below it
        first = ay + SECTOR_FONT
    else:  # at the sides: centred on the anchor
        first = ay - (n - 1) * SECTOR_LINE / 2 + SECTOR_FONT * 0.36
    dx = 4.0 if anchor == "start" else -4.0 if anchor == "end" else 0.0
    label = tuple(
        TextLine(round(ax + dx, 2), round(first + i * SECTOR_LINE, 2), line)
        for i, line in enumerate(lines)
    )
    edge_x, edge_y = _xy(radius, math.radians(start))
    if count == 1:
        wedge = _circle_path(0, 0, radius)
    else:
        x2, y2 = _xy(radius, math.radians(end))
        large = 1 if step > 180 else 0
        wedge = (
            f"M 0 0 L {_fmt(edge_x)} {_fmt(edge_y)} "
            f"A {_fmt(radius)} {_fmt(radius)} 0 {large} 1 {_fmt(x2)} {_fmt(y2)} z"
        )
    return SectorArea(
        sector=sector,
        index=index,
        start_angle=start,
        end_angle=end,
        edge_x=round(edge_x, 2),
        edge_y=round(edge_y, 2),
        wedge=wedge,
        anchor=anchor,
        label=label,
        truncated=truncated,
        count=blips,
    )


def _bounds(radius: float, areas: Sequence[SectorArea]) -> tuple[float, float, float, float]:
    """The view box: the circle and every sector label, with a little air."""
    left, top, right, bottom = -radius, -radius, radius, radius
    for area in areas:
        for line in area.label:
            width = len(line.text) * SECTOR_FONT * _CHAR * 1.08  # bold runs wider
            if area.anchor == "start":
                x0, x1 = line.x, line.x + width
            elif area.anchor == "end":
                x0, x1 = line.x - width, line.x
            else:
                x0, x1 = line.x - width / 2, line.x + width / 2
            left, right = min(left, x0), max(right, x1)
            top, bottom = min(top, line.y - SECTOR_FONT), max(bottom, line.y + 4)
    air = 8.0
    return (
        math.floor(left - air),
        math.floor(top - air),
        math.ceil(right + air),
        math.ceil(bottom + air),
    )
