"""The radar: every blip drawn, none overlapping, each inside its wave and ring, any number of
sectors, and an SVG that parses, carries no inline style and has a table beside it."""

from __future__ import annotations

import itertools
import math
import random
import re
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forandra.scanning.radar import (
    MIN_BLIP_RADIUS,
    RING_KEYS,
    RINGS,
    SECTOR_FONT,
    Blip,
    Movement,
    RadarLayout,
    Sector,
    layout,
)

WAVES = [
    "Tillgänglighet och självservice dygnet runt",
    "Automatisering",
    "AI",
    "Datadrivet arbete och öppna data",
    "Välfärdsteknik",
    "Samskapande och medborgardialog",
    "Gemensam infrastruktur och samverkan",
    "Informationssäkerhet och digital tillit",
    "Digital kompetens",
    "Grön digitalisering",
    "Smarta samhällen och sakernas internet",
    "Digital inkludering",
    "E-arkiv",
    "Geodata",
    "Digitala möten",
    "Robotik i vården",
]


def sectors_of(count: int) -> list[Sector]:
    return [
        Sector(f"w{i}", WAVES[i % len(WAVES)] + ("" if i < len(WAVES) else f" {i}"))
        for i in range(count)
    ]


def random_blips(sectors: list[Sector], count: int, seed: int = 1) -> list[Blip]:
    rnd = random.Random(seed)  # noqa: S311 (reproducible test data, not a secret)
    return [
        Blip(
            key=f"b{i}",
            label=f"Blipp {i} – åäö",
            sector=rnd.choice(sectors).key,
            ring=rnd.choice(RING_KEYS),
            movement=rnd.choice(list(Movement)),
            url=f"/signaler/{i}/",
            description=f"Beskrivning {i}",
        )
        for i in range(count)
    ]


def band(ring_key: str, radar: RadarLayout) -> tuple[float, float]:
    found = next(b for b in radar.rings if b.key == ring_key)
    return found.inner, found.outer


def assert_every_blip_in_its_cell(radar: RadarLayout) -> None:
    areas = {area.key: area for area in radar.sectors}
    for placed in radar.blips:
        area = areas[placed.blip.sector]
        assert area.start_angle - 1e-6 <= placed.angle <= area.end_angle + 1e-6, placed
        inner, outer = band(placed.blip.ring, radar)
        assert inner <= placed.distance <= outer, placed
        # The drawn position agrees with the polar one.
        x = placed.distance * math.sin(math.radians(placed.angle))
        y = -placed.distance * math.cos(math.radians(placed.angle))
        assert math.isclose(placed.x, x, abs_tol=0.01)
        assert math.isclose(placed.y, y, abs_tol=0.01)


def assert_no_overlaps(radar: RadarLayout) -> None:
    for a, b in itertools.combinations(radar.blips, 2):
        if a.overlapping and b.overlapping and (a.sector, a.ring) == (b.sector, b.ring):
            continue  # a cell that said it could not hold its blips apart
        distance = math.hypot(a.x - b.x, a.y - b.y)
        # Coordinates are rounded to hundredths when drawn.
        assert distance >= a.radius + b.radius - 0.02, (a.number, b.number, distance)


def render(radar: RadarLayout, **context: object) -> str:
    return render_to_string("scanning/partials/radar.html", {"radar": radar, **context})


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg class=\"radar__svg\".*?</svg>", html, re.DOTALL)
    assert match, "no radar SVG in the page"
    return ET.fromstring(match[0])  # noqa: S314 (our own template's output, not outside input)


def numbers_drawn(svg: ET.Element) -> list[int]:
    return [
        int(element.text or "")
        for element in svg.iter("text")
        if "radar__number" in element.get("class", "")
    ]


# --- Twelve sectors, sixty blips -------------------------------------------------------------


@pytest.fixture
def twelve() -> RadarLayout:
    sectors = sectors_of(12)
    return layout(sectors, random_blips(sectors, 60, seed=3))


def test_a_radar_of_twelve_sectors_and_sixty_blips_places_every_blip(twelve: RadarLayout) -> None:
    assert len(twelve.blips) == 60
    assert sorted(placed.number for placed in twelve.blips) == list(range(1, 61))
    assert not twelve.overflowing


def test_the_svg_of_twelve_sectors_shows_all_sixty_numbers(twelve: RadarLayout) -> None:
    assert sorted(numbers_drawn(svg_of(render(twelve)))) == list(range(1, 61))


def test_blips_of_twelve_sectors_keep_apart_and_inside_their_cells(twelve: RadarLayout) -> None:
    assert_every_blip_in_its_cell(twelve)
    assert_no_overlaps(twelve)


def test_blips_are_numbered_wave_by_wave_from_the_centre_out(twelve: RadarLayout) -> None:
    order = [(int(b.blip.sector[1:]), RING_KEYS.index(b.blip.ring)) for b in twelve.blips]
    assert order == sorted(order)


def test_layout_is_deterministic() -> None:
    sectors = sectors_of(12)
    blips = random_blips(sectors, 60, seed=9)
    assert layout(sectors, blips) == layout(sectors, list(reversed(blips)))


# --- Crowding ----------------------------------------------------------------------------------


def crowd(sectors: list[Sector], count: int, sector: str, ring: str) -> list[Blip]:
    return [Blip(f"c{i}", f"Trängsel {i}", sector, ring) for i in range(count)]


def test_forty_blips_in_one_roomy_cell_all_appear_apart() -> None:
    sectors = sectors_of(4)
    radar = layout(sectors, crowd(sectors, 40, "w1", "watch"))
    assert len(radar.blips) == 40
    assert sorted(numbers_drawn(svg_of(render(radar)))) == list(range(1, 41))
    assert_every_blip_in_its_cell(radar)
    assert_no_overlaps(radar)
    assert not radar.overflowing


def test_forty_blips_in_one_narrow_cell_all_appear_and_the_overlap_is_reported() -> None:
    sectors = sectors_of(12)
    blips = crowd(sectors, 40, "w0", "adopt") + random_blips(sectors[1:], 20, seed=4)
    radar = layout(sectors, blips)
    assert len(radar.blips) == 60
    assert sorted(numbers_drawn(svg_of(render(radar)))) == list(range(1, 61))
    assert_every_blip_in_its_cell(radar)
    assert_no_overlaps(radar)  # the other cells are untouched by the crowded one
    (crowded,) = radar.overflowing
    assert (crowded.sector.key, crowded.ring.key, crowded.count) == ("w0", "adopt", 40)
    assert crowded.capacity < 40
    assert all(b.radius >= MIN_BLIP_RADIUS for b in radar.blips)


def test_the_page_says_which_cell_overlaps() -> None:
    sectors = sectors_of(12)
    with translation.override("en"):
        html = render(layout(sectors, crowd(sectors, 40, "w0", "adopt")))
    assert "radar__notice" in html
    assert f"{WAVES[0]}, Adopt: 40 blips" in html


def test_a_crowded_cell_first_grows_the_radar_then_shrinks_its_blips() -> None:
    sectors = sectors_of(12)
    spacious = layout(sectors, crowd(sectors, 3, "w0", "adopt"))
    crowded = layout(sectors, crowd(sectors, 8, "w0", "adopt"))
    assert crowded.radius >= spacious.radius
    assert crowded.blips[0].radius <= spacious.blips[0].radius


def test_an_explicit_size_is_kept() -> None:
    sectors = sectors_of(12)
    radar = layout(sectors, crowd(sectors, 8, "w0", "adopt"), size=640)
    assert radar.radius == 320
    assert len(radar.blips) == 8


def test_a_thousand_blips_in_one_cell_all_appear() -> None:
    sectors = sectors_of(16)
    radar = layout(sectors, crowd(sectors, 1000, "w3", "adopt"))
    assert len(radar.blips) == 1000
    assert_every_blip_in_its_cell(radar)


# --- Any number of sectors --------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 5, 16, 24])
def test_radars_of_any_number_of_sectors_place_every_blip(count: int) -> None:
    sectors = sectors_of(count)
    radar = layout(sectors, random_blips(sectors, 50, seed=count))
    assert len(radar.blips) == 50
    assert len(radar.sectors) == count
    assert_every_blip_in_its_cell(radar)
    assert_no_overlaps(radar)
    assert sorted(numbers_drawn(svg_of(render(radar)))) == list(range(1, 51))


def test_one_sector_is_a_whole_disc_without_edges() -> None:
    radar = layout(sectors_of(1), random_blips(sectors_of(1), 12))
    area = radar.sectors[0]
    assert (area.start_angle, area.end_angle) == (0, 360)
    assert not radar.has_edges
    assert "radar__edge" not in render(radar)


def test_sixteen_sector_labels_do_not_run_into_each_other() -> None:
    radar = layout(sectors_of(16), [])
    boxes = []
    for area in radar.sectors:
        for line in area.label:
            width = len(line.text) * SECTOR_FONT * 0.6
            left = {"start": line.x, "end": line.x - width}.get(area.anchor, line.x - width / 2)
            boxes.append((area.index, left, line.y - SECTOR_FONT, left + width, line.y + 3))
    for a, b in itertools.combinations(boxes, 2):
        if a[0] == b[0]:
            continue
        apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
        assert apart, (radar.sectors[a[0]].name, radar.sectors[b[0]].name)


def test_sector_labels_stay_inside_the_view_box() -> None:
    radar = layout(sectors_of(16), [])
    for area in radar.sectors:
        for line in area.label:
            assert radar.min_x <= line.x <= radar.min_x + radar.width
            assert radar.min_y <= line.y - SECTOR_FONT
            assert line.y <= radar.min_y + radar.height


def test_a_long_wave_name_is_wrapped_and_the_table_keeps_it_whole() -> None:
    name = "En mycket lång vågtitel som inte får plats på tre rader bredvid radarn alls"
    radar = layout([Sector("a", name), *sectors_of(11)[1:]], [])
    area = radar.sectors[0]
    assert 1 < len(area.label) <= 3
    assert area.truncated
    assert f"<title>{name}</title>" in render(radar)


def test_a_swedish_compound_breaks_at_its_joint() -> None:
    radar = layout(sectors_of(16), [])
    lines = [line.text for area in radar.sectors for line in area.label]
    assert "Informations-" in lines or any("Informationssäkerhet" in line for line in lines)


def test_unknown_sectors_rings_and_repeated_keys_are_programming_errors() -> None:
    sectors = sectors_of(2)
    with pytest.raises(ValueError, match="unknown sector"):
        layout(sectors, [Blip("a", "A", "nope", "adopt")])
    with pytest.raises(ValueError, match="unknown ring"):
        layout(sectors, [Blip("a", "A", "w0", "hold")])
    with pytest.raises(ValueError, match="repeated"):
        layout(sectors, [Blip("a", "A", "w0", "adopt"), Blip("a", "B", "w1", "adopt")])
    with pytest.raises(ValueError, match="at least one sector"):
        layout([], [])


# --- Movement: shape and text -----------------------------------------------------------------


def one_of_each() -> RadarLayout:
    sectors = sectors_of(4)
    blips = [Blip(m.value, m.value, "w0", "try", movement=m, url=f"/{m.value}/") for m in Movement]
    return layout(sectors, blips)


def test_each_movement_has_its_own_shape() -> None:
    placed = {b.movement: b for b in one_of_each().blips}
    unchanged, new = placed[Movement.UNCHANGED], placed[Movement.NEW]
    moved_in, moved_out = placed[Movement.MOVED_IN], placed[Movement.MOVED_OUT]
    # Unchanged: a circle. New: a smaller circle in a ring. Moved: a drop, pointing up when it
    # moved in towards the centre, down when it moved out.
    assert (unchanged.halo_radius, "L" in unchanged.shape) == (None, False)
    assert (new.halo_radius is not None, "L" in new.shape) == (True, False)
    assert "L" in moved_in.shape and "L" in moved_out.shape
    apex_in = float(moved_in.shape.split()[2])
    apex_out = float(moved_out.shape.split()[2])
    assert apex_in == pytest.approx(moved_in.y - moved_in.radius, abs=0.01)
    assert apex_out == pytest.approx(moved_out.y + moved_out.radius, abs=0.01)
    assert len({b.shape.replace(f"{b.x}", "") for b in placed.values()}) == 4


def test_movement_is_also_written_in_words() -> None:
    with translation.override("en"):
        html = render(one_of_each())
    for words in ("Moved in", "Moved out", "New", "Unchanged"):
        assert f"<td>{words}</td>" in html
    assert "Moved in, towards Adopt" in html  # the legend


def test_every_marker_stays_inside_the_blip_radius() -> None:
    """The spacing guarantees are about radii; a marker poking out would overlap anyway."""
    for placed in one_of_each().blips:
        parts = placed.shape.split()
        if "L" in parts:  # M apex L tangent A a a 0 1 sweep tangent z
            apex_x, apex_y, tx, ty, a = (float(parts[i]) for i in (1, 2, 4, 5, 7))
            assert math.hypot(apex_x - placed.x, apex_y - placed.y) <= placed.radius + 0.01
            # The body's centre is on the axis, a away from the tangent point, away from the apex.
            offset = math.sqrt(max(a**2 - (tx - placed.x) ** 2, 0))
            body_y = max((ty - offset, ty + offset), key=lambda c: abs(c - apex_y))
            assert abs(body_y - placed.y) + a <= placed.radius + 0.02
        else:  # M x-r y a r r 0 1 0 2r 0 ...: a circle round the blip
            start_x, start_y, r = float(parts[1]), float(parts[2]), float(parts[4])
            assert start_x + r == pytest.approx(placed.x, abs=0.01)
            assert start_y == pytest.approx(placed.y, abs=0.01)
            assert r <= placed.radius
        if placed.halo_radius:
            assert placed.halo_radius + placed.halo_width / 2 <= placed.radius + 0.01


# --- The SVG and its accessibility ------------------------------------------------------------


def test_the_svg_parses_as_xml_and_has_no_inline_style(twelve: RadarLayout) -> None:
    html = render(twelve)
    svg = svg_of(html)
    assert not [element.tag for element in svg.iter() if "style" in element.attrib]
    assert " style=" not in html
    assert "<style" not in html


def test_the_svg_is_named_and_described(twelve: RadarLayout) -> None:
    svg = svg_of(render(twelve, radar_title="Vindelns radar", radar_id="vindeln"))
    assert svg.get("aria-labelledby") == "vindeln-title vindeln-desc"
    title = svg.find("title")
    desc = svg.find("desc")
    assert title is not None and title.get("id") == "vindeln-title"
    assert title.text == "Vindelns radar"
    assert desc is not None and desc.get("id") == "vindeln-desc"
    assert "60" in (desc.text or "")


def test_blips_with_signals_are_links_with_a_name() -> None:
    sectors = sectors_of(3)
    blips = random_blips(sectors, 9)
    blips[0] = Blip("plain", "Utan länk", "w0", "adopt")
    svg = svg_of(render(layout(sectors, blips)))
    links = list(svg.iter("a"))
    assert len(links) == 8
    for link in links:
        assert link.get("href", "").startswith("/signaler/")
        title = link.find("title")
        assert title is not None and "Blipp" in (title.text or "")
    # A drawing with links is a group, so a screen reader reaches the links.
    assert svg.get("role") == "group"


def test_a_radar_without_links_is_one_image() -> None:
    sectors = sectors_of(3)
    blips = [Blip("a", "A", "w0", "adopt"), Blip("b", "B", "w1", "watch")]
    svg = svg_of(render(layout(sectors, blips)))
    assert svg.get("role") == "img"
    assert not list(svg.iter("a"))


def test_decoration_is_hidden_from_screen_readers(twelve: RadarLayout) -> None:
    svg = svg_of(render(twelve))
    grid = next(g for g in svg.iter("g") if "radar__grid" in g.get("class", ""))
    assert grid.get("aria-hidden") == "true"


def test_the_table_lists_every_blip_with_wave_ring_and_movement(twelve: RadarLayout) -> None:
    with translation.override("en"):
        html = render(twelve)
    table = html[html.index("<table") : html.index("</table>")]
    assert "<caption" in table
    assert table.count('<th scope="col"') == 6
    assert table.count('<th scope="row"') == 60
    for placed in twelve.blips:
        assert f">{placed.label}</a>" in table
        assert str(placed.sector.name) in table


def test_swedish_number_format_never_reaches_the_svg(twelve: RadarLayout) -> None:
    with translation.override("sv"):
        html = render(twelve)
    svg = html[html.index("<svg") : html.index("</svg>")]
    for attribute in ("viewBox", "x", "y", "d", "r", "font-size", "x2", "y2", "width"):
        for value in re.findall(rf' {attribute}="([^"]*)"', svg):
            assert "," not in value, (attribute, value)


def test_labels_and_descriptions_are_escaped() -> None:
    sectors = [Sector("w", "<b>Våg</b>")]
    blips = [Blip("x", "<script>alert(1)</script>", "w", "adopt", url="/a?b=1&c=2")]
    html = render(layout(sectors, blips))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    svg_of(html)  # still well-formed


def test_ring_names_are_translated() -> None:
    with translation.override("en"):
        assert [str(ring.name) for ring in RINGS] == ["Adopt", "Try", "Explore", "Watch"]


# --- Properties -------------------------------------------------------------------------------

blip_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=15),
        st.sampled_from(RING_KEYS),
        st.sampled_from(list(Movement)),
    ),
    max_size=70,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count=st.integers(min_value=1, max_value=16), specs=blip_specs)
def test_no_radar_ever_drops_a_blip(count: int, specs: list[tuple[int, str, Movement]]) -> None:
    sectors = sectors_of(count)
    blips = [
        Blip(f"b{i}", f"B{i}", f"w{s % count}", ring, movement)
        for i, (s, ring, movement) in enumerate(specs)
    ]
    radar = layout(sectors, blips)
    assert sorted(b.blip.key for b in radar.blips) == sorted(b.key for b in blips)
    assert [b.number for b in radar.blips] == list(range(1, len(blips) + 1))
    assert_every_blip_in_its_cell(radar)
    assert_no_overlaps(radar)
