"""The roadmap's geometry: quarters across, one row per initiative, a bar from its start quarter
to its end quarter, notched where it runs on past the plan's years."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from forandra.plans import roadmap
from forandra.plans.roadmap import (
    LABEL_WIDTH,
    QUARTER_WIDTH,
    RIGHT_MARGIN,
    ROW_HEIGHT,
    RoadmapItem,
    layout,
    wrap,
)
from forandra.plans.timeline import Quarter

HEADER = roadmap.YEAR_HEIGHT + roadmap.QUARTER_HEIGHT


def test_the_chart_has_a_column_for_every_quarter_of_the_plans_years() -> None:
    chart = layout([], 2027, 2029)
    assert [m.quarter for m in chart.quarters][:5] == [
        Quarter(2027, 1),
        Quarter(2027, 2),
        Quarter(2027, 3),
        Quarter(2027, 4),
        Quarter(2028, 1),
    ]
    assert len(chart.quarters) == 12
    assert chart.width == LABEL_WIDTH + 12 * QUARTER_WIDTH + RIGHT_MARGIN
    assert [(y.year, y.x, y.shaded) for y in chart.years] == [
        (2027, LABEL_WIDTH, False),
        (2028, LABEL_WIDTH + 4 * QUARTER_WIDTH, True),
        (2029, LABEL_WIDTH + 8 * QUARTER_WIDTH, False),
    ]
    # An empty roadmap still has room for one row.
    assert chart.height == HEADER + ROW_HEIGHT


def test_a_bar_runs_from_the_start_quarter_to_the_end_quarter() -> None:
    chart = layout([RoadmapItem("E-tjänst", date(2027, 5, 2), date(2028, 1, 15))], 2027, 2029)
    row = chart.rows[0]
    assert (row.first, row.last) == (Quarter(2027, 2), Quarter(2028, 1))
    assert row.bar is not None
    # Q2 2027 is column 1, Q1 2028 column 4: four quarters wide, a small gap at each edge.
    assert row.bar.x == LABEL_WIDTH + 1 * QUARTER_WIDTH + roadmap.BAR_GAP
    assert row.bar.width == 4 * QUARTER_WIDTH - 2 * roadmap.BAR_GAP
    assert row.bar.y == HEADER + roadmap.BAR_INSET
    assert not row.bar.clipped_start and not row.bar.clipped_end
    assert len(row.bar.points.split()) == 4  # a plain rectangle


def test_rows_follow_each_other_in_the_order_given() -> None:
    items = [RoadmapItem(f"Initiativ {n}", date(2027, 1, 1), None) for n in range(3)]
    chart = layout(items, 2027, 2028)
    assert [row.title for row in chart.rows] == ["Initiativ 0", "Initiativ 1", "Initiativ 2"]
    assert [row.y for row in chart.rows] == [HEADER, HEADER + ROW_HEIGHT, HEADER + 2 * ROW_HEIGHT]
    assert chart.height == HEADER + 3 * ROW_HEIGHT
    # No end date: one quarter.
    assert chart.rows[0].first == chart.rows[0].last == Quarter(2027, 1)


def test_a_bar_that_runs_past_the_plans_years_is_clipped_and_notched() -> None:
    chart = layout(
        [
            RoadmapItem("Före", date(2025, 6, 1), date(2027, 8, 1)),
            RoadmapItem("Efter", date(2028, 10, 1), date(2031, 1, 1)),
        ],
        2027,
        2028,
    )
    before, after = chart.rows
    assert before.first == Quarter(2027, 1) and before.last == Quarter(2027, 3)
    assert before.bar is not None and before.bar.clipped_start and not before.bar.clipped_end
    assert after.first == Quarter(2028, 4) and after.last == Quarter(2028, 4)
    assert after.bar is not None and after.bar.clipped_end and not after.bar.clipped_start
    # The notch is a fifth corner, inside the bar, at its middle height.
    notch = before.bar.points.split()[-1]
    x, y = (float(n) for n in notch.split(","))
    assert x == before.bar.x + roadmap.ARROW
    assert y == before.bar.y + before.bar.height / 2


def test_an_initiative_without_dates_or_outside_the_years_gets_no_bar() -> None:
    chart = layout(
        [
            RoadmapItem("Utan datum", None, None),
            RoadmapItem("Utan start", None, date(2027, 6, 1)),
            RoadmapItem("Förbi", date(2020, 1, 1), date(2021, 1, 1)),
            RoadmapItem("Med datum", date(2027, 1, 1), date(2027, 3, 1)),
        ],
        2027,
        2029,
    )
    assert [row.bar is None for row in chart.rows] == [True, True, True, False]
    assert [row.first for row in chart.rows[:3]] == [None, None, None]
    assert chart.placed == 1


def test_a_long_name_is_wrapped_on_two_lines_and_cut_with_an_ellipsis() -> None:
    assert wrap("Kort namn") == ["Kort namn"]
    lines = wrap("Digital anslagstavla i alla kommunens lokaler och på webben för invånarna")
    assert len(lines) == 2
    assert all(len(line) <= roadmap.LINE_CHARS for line in lines)
    assert lines[0] == "Digital anslagstavla i alla"
    assert lines[1].endswith("…")
    # A compound longer than a line is split, not left to run over the bars.
    long_word = wrap("Digitaliseringsgruppsmedlemsutbildningsprogrammet")
    assert all(len(line) <= roadmap.LINE_CHARS for line in long_word)
    assert long_word[0] == "Digitaliseringsgruppsmedlem-"
    assert wrap("Informationssäkerhetsutbildning för all personal") == [
        "Informationssäkerhetsutbild-",
        "ning för all personal",
    ]
    assert wrap("") == []


@settings(max_examples=200, deadline=None)  # a busy machine must not fail a pure function
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    days=st.integers(min_value=0, max_value=3000),
    first_year=st.integers(min_value=2024, max_value=2030),
    years=st.integers(min_value=1, max_value=6),
)
def test_every_bar_lies_inside_the_chart_and_matches_the_quarters(
    start: date, days: int, first_year: int, years: int
) -> None:
    end = date.fromordinal(start.toordinal() + days)
    last_year = first_year + years - 1
    chart = layout([RoadmapItem("X", start, end)], first_year, last_year)
    row = chart.rows[0]
    overlaps = start.year <= last_year and end.year >= first_year
    assert (row.bar is not None) == overlaps
    if row.bar is not None and row.first is not None and row.last is not None:
        assert row.first <= row.last
        assert row.bar.x >= chart.chart_left
        assert row.bar.x + row.bar.width <= chart.width - RIGHT_MARGIN
        assert row.bar.clipped_start == (start.year < first_year)
        assert row.bar.clipped_end == (end.year > last_year)
        columns = round((row.bar.width + 2 * roadmap.BAR_GAP) / QUARTER_WIDTH)
        quarters_spanned = (row.last.year - row.first.year) * 4 + row.last.number - row.first.number
        assert columns == quarters_spanned + 1
