"""Build Your Own Radar import and export: a round trip gives the same radar, bad files are
refused whole with the row and column of each problem, and spreadsheets cannot be tricked into
running a cell as a formula."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from forandra.scanning.byor import (
    COLUMNS,
    MAX_ROWS,
    ByorError,
    ByorRadar,
    export_csv,
    export_json,
    import_csv,
    import_json,
)
from forandra.scanning.radar import RING_KEYS, Blip, Movement, Sector, layout

HEADER = "name,ring,quadrant,isNew,status,description"

WAVES = [
    Sector("access", "Tillgänglighet och självservice", aliases=("Accessibility",)),
    Sector("ai", "AI, språkmodeller och annat"),
    Sector("welfare", "Välfärdsteknik"),
]


@pytest.fixture(autouse=True)
def english() -> object:
    with translation.override("en"):
        yield


def tricky_radar(sector_count: int = 12, blip_count: int = 60) -> tuple[list[Sector], list[Blip]]:
    """Swedish letters, commas, semicolons, quotes, line breaks, HTML and formula-like text."""
    rnd = random.Random(7)  # noqa: S311 (reproducible test data, not a secret)
    sectors = [Sector(f"w{i}", f"Våg {i}, “åäö”; del {i}") for i in range(sector_count)]
    starts = ["", "=", "+", "-", "@", "'=", "Ö"]
    blips = []
    for i in range(blip_count):
        blips.append(
            Blip(
                key=f"b{i}",
                label=f'{starts[i % len(starts)]}Blipp {i}; "citat", <b>fet</b> & så',
                sector=f"w{rnd.randrange(sector_count)}",
                ring=rnd.choice(RING_KEYS),
                movement=rnd.choice(list(Movement)),
                description=f"{starts[(i + 3) % len(starts)]}Rad ett {i}\nRad två <i>&amp;</i>",
            )
        )
    return sectors, blips


def summary(sectors: list[Sector] | tuple[Sector, ...], blips: list[Blip] | tuple[Blip, ...]):
    """What makes two radars the same: the waves in order and each blip's content."""
    names = {sector.key: str(sector.name) for sector in sectors}
    used = [str(s.name) for s in sectors if any(b.sector == s.key for b in blips)]
    return used, sorted(
        (b.label, names[b.sector], b.ring, b.movement, b.description) for b in blips
    )


def refused(call, *args, **kwargs) -> list[tuple[int | None, str | None]]:
    with pytest.raises(ByorError) as caught:
        call(*args, **kwargs)
    return [(problem.row, problem.column) for problem in caught.value.problems]


# --- Round trips ------------------------------------------------------------------------------


def test_csv_export_then_import_gives_the_same_radar() -> None:
    sectors, blips = tricky_radar()
    again = import_csv(export_csv(sectors, blips))
    assert summary(again.sectors, again.blips) == summary(sectors, blips)


def test_csv_round_trip_with_the_waves_known_keeps_their_keys() -> None:
    sectors, blips = tricky_radar()
    again = import_csv(export_csv(sectors, blips), sectors=sectors)
    assert again.sectors == tuple(sectors)
    assert sorted((b.label, b.sector) for b in again.blips) == sorted(
        (b.label, b.sector) for b in blips
    )


def test_csv_round_trip_draws_the_same_radar() -> None:
    sectors, blips = tricky_radar()
    again = import_csv(export_csv(sectors, blips), sectors=sectors)
    before = [(b.number, b.label, b.x, b.y) for b in layout(sectors, blips).blips]
    after = [(b.number, b.label, b.x, b.y) for b in layout(again.sectors, again.blips).blips]
    assert after == before


def test_json_export_then_import_gives_the_same_radar() -> None:
    sectors, blips = tricky_radar()
    again = import_json(export_json(sectors, blips))
    assert summary(again.sectors, again.blips) == summary(sectors, blips)


def test_excel_csv_export_then_import_gives_the_same_radar() -> None:
    sectors, blips = tricky_radar()
    exported = export_csv(sectors, blips, excel=True)
    assert exported.startswith("\ufeffname;ring;quadrant")
    again = import_csv(exported.encode("utf-8"))
    assert summary(again.sectors, again.blips) == summary(sectors, blips)


def test_an_empty_radar_round_trips() -> None:
    assert import_csv(export_csv(WAVES, [])) == ByorRadar(sectors=(), blips=())
    assert import_json(export_json(WAVES, [])).blips == ()


names = (
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("C", "Zl", "Zp"), include_characters="åäöÅÄÖ=+-@'"
        ),
        min_size=1,
        max_size=30,
    )
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)
descriptions = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\n"),
    max_size=60,
).map(str.strip)


@settings(max_examples=150, deadline=None)
@given(
    quadrants=st.lists(names, min_size=1, max_size=5, unique_by=lambda n: n.casefold()),
    rows=st.lists(
        st.tuples(
            names,
            st.integers(min_value=0, max_value=4),
            st.sampled_from(RING_KEYS),
            st.sampled_from(list(Movement)),
            descriptions,
        ),
        max_size=25,
        unique_by=lambda row: (row[0].casefold(), row[1]),
    ),
)
def test_any_radar_survives_a_round_trip_in_both_formats(quadrants, rows) -> None:
    sectors = [Sector(f"s{i}", name) for i, name in enumerate(quadrants)]
    blips = [
        Blip(f"b{i}", label, sectors[s % len(sectors)].key, ring, movement, description=text)
        for i, (label, s, ring, movement, text) in enumerate(rows)
    ]
    # Two rows with the same name in the same wave are one blip; keep the first.
    seen, unique = set(), []
    for blip in blips:
        if (blip.label.casefold(), blip.sector) not in seen:
            seen.add((blip.label.casefold(), blip.sector))
            unique.append(blip)
    for exported, read in (
        (export_csv(sectors, unique), import_csv),
        (export_csv(sectors, unique, excel=True).encode("utf-8"), import_csv),
        (export_json(sectors, unique), import_json),
    ):
        again = read(exported, sectors=sectors)
        assert summary(again.sectors, again.blips) == summary(sectors, unique)


# --- The format -------------------------------------------------------------------------------


def test_export_writes_byor_columns_and_values() -> None:
    blips = [
        Blip("a", "Chattbot", "ai", "adopt", Movement.NEW, description="Svarar dygnet runt"),
        Blip("b", "Taligenkänning", "ai", "try", Movement.MOVED_IN),
        Blip("c", "Skärmläsare", "access", "explore", Movement.MOVED_OUT),
        Blip("d", "Larm", "welfare", "watch", Movement.UNCHANGED),
    ]
    rows = list(csv.DictReader(io.StringIO(export_csv(WAVES, blips))))
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["name"], r["ring"], r["isNew"], r["status"]) for r in rows] == [
        ("Skärmläsare", "Assess", "FALSE", "Moved Out"),
        ("Chattbot", "Adopt", "TRUE", "New"),
        ("Taligenkänning", "Trial", "FALSE", "Moved In"),
        ("Larm", "Hold", "FALSE", "No Change"),
    ]
    assert rows[1]["quadrant"] == "AI, språkmodeller och annat"
    assert json.loads(export_json(WAVES, blips))[1] == rows[1]


def test_export_starts_with_the_header_byor_reads() -> None:
    assert export_csv(WAVES, []).splitlines() == [HEADER]


def test_import_reads_byors_own_sample_without_a_status_column() -> None:
    sample = (
        "name,ring,quadrant,isNew,description\n"
        'Composer,adopt,tools,TRUE,"Although the idea of dependency management ..."\n'
        'Canary builds,trial,techniques,FALSE,"Many projects have external code ..."\n'
        'Apache Kylin,assess,platforms,TRUE,"Apache Kylin is an open source ..."\n'
        'JSF,hold,languages & frameworks,FALSE,"We continue to see teams ..."\n'
    )
    radar = import_csv(sample)
    assert [s.name for s in radar.sectors] == [
        "tools",
        "techniques",
        "platforms",
        "languages & frameworks",
    ]
    assert [(b.label, b.ring, b.movement) for b in radar.blips] == [
        ("Composer", "adopt", Movement.NEW),
        ("Canary builds", "try", Movement.UNCHANGED),
        ("Apache Kylin", "explore", Movement.NEW),
        ("JSF", "watch", Movement.UNCHANGED),
    ]


def test_import_reads_byors_json_with_any_key_case_and_boolean_isnew() -> None:
    data = json.dumps(
        [
            {"name": "Babel", "ring": "adopt", "quadrant": "tools", "isNew": True},
            {"Name": "Kafka", "RING": "Trial", "quadrant": "tools", "status": "moved in"},
            {"name": "Kylin", "ring": "ASSESS", "quadrant": "platforms", "context": "Data"},
        ]
    )
    radar = import_json(data)
    assert [(b.label, b.ring, b.movement) for b in radar.blips] == [
        ("Babel", "adopt", Movement.NEW),
        ("Kafka", "try", Movement.MOVED_IN),
        ("Kylin", "explore", Movement.UNCHANGED),
    ]


def test_status_wins_over_isnew_as_in_byor() -> None:
    radar = import_csv(f"{HEADER}\nX,Adopt,AI,TRUE,Moved In,\nY,Hold,AI,FALSE,,\n")
    assert [b.movement for b in radar.blips] == [Movement.MOVED_IN, Movement.UNCHANGED]


def test_html_descriptions_from_byor_become_text() -> None:
    description = '<p>Fitness <a href="/radar/x">functions</a> &amp; more</p>\n<p>Second</p>'
    radar = import_csv(f'{HEADER}\nX,Adopt,AI,FALSE,,"{description.replace(chr(34), 2 * chr(34))}"')
    assert radar.blips[0].description == "Fitness functions & more\nSecond"


def test_quadrants_match_known_waves_by_name_alias_or_key_in_any_case() -> None:
    data = (
        f"{HEADER}\n"
        "A,Adopt,TILLGÄNGLIGHET OCH SJÄLVSERVICE,,,\n"
        "B,Adopt,accessibility,,,\n"
        "C,Adopt,welfare,,,\n"
        'D,Adopt,"  ai,   språkmodeller och annat ",,,\n'
    )
    radar = import_csv(data, sectors=WAVES)
    assert [b.sector for b in radar.blips] == ["access", "access", "welfare", "ai"]
    assert radar.sectors == tuple(WAVES)


def test_rings_may_be_written_in_swedish_or_as_our_keys() -> None:
    rings = ["Införa", "Pröva", "Utforska", "Bevaka", "adopt", "try", "explore", "watch"]
    rows = "\n".join(f"{name},{ring},AI,,," for name, ring in zip("abcdefgh", rings, strict=True))
    radar = import_csv(f"{HEADER}\n{rows}\n")
    assert [b.ring for b in radar.blips] == ["adopt", "try", "explore", "watch"] * 2


# --- Text encodings and separators ------------------------------------------------------------

SWEDISH = f"{HEADER}\nÅtgärd för äldre,Adopt,Välfärdsteknik,TRUE,New,Öppna data\n"


@pytest.mark.parametrize(
    "data",
    [
        SWEDISH,
        SWEDISH.encode("utf-8"),
        SWEDISH.encode("utf-8-sig"),
        SWEDISH.encode("cp1252"),  # Excel's plain "CSV"
        SWEDISH.replace(",", "\t").encode("utf-16"),  # Excel's "Unicode text"
        SWEDISH.replace(",", ";").encode("utf-8-sig"),  # Excel in Swedish, "CSV UTF-8"
        "sep=;\r\n" + SWEDISH.replace(",", ";").replace("\n", "\r\n"),
    ],
    ids=["str", "utf-8", "utf-8 bom", "windows-1252", "utf-16", "semicolons", "sep line"],
)
def test_swedish_letters_survive_every_encoding_a_spreadsheet_writes(data: bytes | str) -> None:
    (blip,) = import_csv(data).blips
    assert (blip.label, blip.description) == ("Åtgärd för äldre", "Öppna data")
    assert import_csv(data).sectors[0].name == "Välfärdsteknik"


# --- CSV injection ----------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_export_neutralises_cells_a_spreadsheet_would_run(start: str) -> None:
    sectors = [Sector("s", f'{start}HYPERLINK("http://evil")')]
    blips = [Blip("b", f"{start}1+1", "s", "adopt", description=f"{start}cmd|' /C calc'!A0")]
    for excel in (False, True):
        rows = list(
            csv.reader(
                io.StringIO(export_csv(sectors, blips, excel=excel).lstrip("\ufeff")),
                delimiter=";" if excel else ",",
            )
        )
        for cell in rows[1]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert rows[1][0] == f"'{start}1+1"
    again = import_csv(export_csv(sectors, blips))
    # Leading white space is trimmed on import, as BYOR does; formula characters come back.
    expected = f"{start}1+1".strip()
    assert (again.blips[0].label, again.sectors[0].name) == (expected, str(sectors[0].name).strip())


def test_text_that_already_starts_with_an_apostrophe_survives() -> None:
    sectors = [Sector("s", "Våg")]
    blips = [Blip("b", "'=A1", "s", "adopt"), Blip("c", "'vanlig", "s", "adopt")]
    exported = export_csv(sectors, blips)
    assert "''=A1" in exported
    assert sorted(b.label for b in import_csv(exported).blips) == ["'=A1", "'vanlig"]


# --- Refusals ---------------------------------------------------------------------------------


def test_an_unknown_ring_is_refused_with_its_row_and_column() -> None:
    data = f"{HEADER}\nA,Adopt,AI,,,\nB,Sometimes,AI,,,\n"
    assert refused(import_csv, data) == [(3, "ring")]
    with pytest.raises(ByorError, match="Row 3, column “ring”: “Sometimes” is not a ring"):
        import_csv(data)


def test_a_missing_name_is_refused() -> None:
    assert refused(import_csv, f"{HEADER}\n  ,Adopt,AI,,,\n") == [(2, "name")]


def test_a_missing_quadrant_is_refused() -> None:
    assert refused(import_csv, f"{HEADER}\nA,Adopt,,,,\n") == [(2, "quadrant")]


def test_a_duplicate_name_in_the_same_quadrant_is_refused() -> None:
    data = f"{HEADER}\nChattbot,Adopt,AI,,,\nÖppna data,Hold,AI,,,\nCHATTBOT ,Trial,ai,,,\n"
    assert refused(import_csv, data) == [(4, "name")]
    with pytest.raises(ByorError, match="in row 2"):
        import_csv(data)


def test_the_same_name_in_two_quadrants_is_two_blips() -> None:
    radar = import_csv(f"{HEADER}\nChattbot,Adopt,AI,,,\nChattbot,Hold,Välfärd,,,\n")
    assert len(radar.blips) == 2
    assert len({b.key for b in radar.blips}) == 2


@pytest.mark.parametrize("value", ["maybe", "1", "yes", "TRUEISH"])
def test_a_bad_isnew_is_refused(value: str) -> None:
    assert refused(import_csv, f"{HEADER}\nA,Adopt,AI,{value},,\n") == [(2, "isNew")]


def test_isnew_accepts_what_swedish_excel_writes() -> None:
    radar = import_csv(f"{HEADER}\nA,Adopt,AI,SANT,,\nB,Adopt,AI,falskt,,\n")
    assert [b.movement for b in radar.blips] == [Movement.NEW, Movement.UNCHANGED]


def test_an_unknown_status_is_refused() -> None:
    assert refused(import_csv, f"{HEADER}\nA,Adopt,AI,,Sideways,\n") == [(2, "status")]


def test_a_quadrant_that_is_not_a_wave_is_refused_when_the_waves_are_known() -> None:
    data = f"{HEADER}\nA,Adopt,Rymdfart,,,\n"
    assert refused(import_csv, data, sectors=WAVES) == [(2, "quadrant")]


def test_missing_columns_are_named() -> None:
    assert refused(import_csv, "name,quadrant\nA,AI\n") == [(1, "ring")]
    assert refused(import_csv, "namn,ring,kvadrant\nA,Adopt,AI\n") == [(1, "name"), (1, "quadrant")]


def test_a_column_twice_is_refused() -> None:
    assert refused(import_csv, "name,ring,quadrant,ring\nA,Adopt,AI,Hold\n") == [(1, "ring")]


def test_every_problem_is_reported_at_once_and_nothing_is_imported() -> None:
    data = f"{HEADER}\nOk,Adopt,AI,,,\n,Adopt,AI,,,\nB,Never,AI,perhaps,,\nC,Hold,,,,\n"
    assert refused(import_csv, data) == [(3, "name"), (4, "ring"), (4, "isNew"), (5, "quadrant")]


def test_broken_csv_quoting_is_refused_with_its_row() -> None:
    assert refused(import_csv, f'{HEADER}\nA,Adopt,AI,,,\nB,Hold,"AI,,,\nC,Hold,AI,,,\n') == [
        (3, None)
    ]


def test_extra_cells_beyond_the_columns_are_refused() -> None:
    assert refused(import_csv, f"{HEADER}\nA,Adopt,AI,,,,oops\n") == [(2, None)]


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers() -> None:
    data = f"{HEADER}\n\nA,Adopt,AI,,,\n,,,,,\nB,Nope,AI,,,\n"
    assert refused(import_csv, data) == [(5, "ring")]


@pytest.mark.parametrize("data", ["", "   \n\n", b"", "\ufeff"])
def test_an_empty_file_is_refused(data: bytes | str) -> None:
    assert refused(import_csv, data) == [(None, None)]


def test_a_file_that_is_not_text_is_refused() -> None:
    with pytest.raises(ByorError, match="not text"):
        import_csv(b"name,ring\x81\x8d\x8f\x90\x9d")


def test_too_many_rows_are_refused() -> None:
    rows = "".join(f"B{i},Adopt,AI,,,\n" for i in range(MAX_ROWS + 5))
    assert refused(import_csv, f"{HEADER}\n{rows}") == [(None, None)]


def test_a_huge_file_is_refused_before_it_is_read() -> None:
    with pytest.raises(ByorError, match="larger than"):
        import_csv(b"x" * 3_000_000)


def test_json_refusals_name_the_entry() -> None:
    assert refused(import_json, "{not json") == [(None, None)]
    assert refused(import_json, '{"name": "A"}') == [(None, None)]
    assert refused(import_json, '[{"name": "A", "ring": "Adopt", "quadrant": "AI"}, 3]') == [
        (2, None)
    ]
    data = json.dumps(
        [
            {"name": "A", "ring": "Adopt", "quadrant": "AI"},
            {"name": 7, "ring": "Adopt", "quadrant": "AI"},
            {"name": "C", "ring": "Sometimes", "quadrant": "AI", "isNew": "maybe"},
        ]
    )
    assert refused(import_json, data) == [(2, "name"), (2, "name"), (3, "ring"), (3, "isNew")]
    with pytest.raises(ByorError, match="Entry 3, “ring”"):
        import_json(data)


def test_a_wave_named_like_another_waves_key_is_found_by_its_name() -> None:
    sectors = [Sector("s0", "Först"), Sector("s1", "S0")]
    again = import_csv(export_csv(sectors, [Blip("a", "A", "s1", "adopt")]), sectors=sectors)
    assert again.blips[0].sector == "s1"
