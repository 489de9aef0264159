"""The Markdown export: a heading per part and per step, GitHub-flavoured pipe tables whose cells
cannot break the table."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from forandra.municipalities.models import Municipality
from forandra.plans.document import plan_document
from forandra.plans.export_md import cell, table, to_markdown
from forandra.plans.models import Capability, Initiative, PlanVersion, Step
from tests.plans.test_export_document import FIRST_TITLE, URGENCY, VISION, rich_version


def export(version: PlanVersion, language: str = "en") -> str:
    with translation.override(language):
        return to_markdown(plan_document(version))


def cells(line: str) -> list[str]:
    """The cells of a table row, split at the pipes that are not escaped."""
    return [part.strip() for part in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


@pytest.mark.django_db
def test_headings_per_part_and_per_step(home: Municipality) -> None:
    text = export(rich_version(home, decided=True))

    lines = text.splitlines()
    assert lines[0] == "# Digital omställning"
    assert [line for line in lines if line.startswith("## ")] == [
        "## Leadership's decision",
        "## The plan along Kotter's eight steps",
        "## Management and leadership",
        "## Capabilities to develop",
        "## Initiatives",
        "## Budget",
        "## Roadmap",
    ]
    level_three = [line for line in lines if line.startswith("### ")]
    assert level_three[:8] == [f"### {step.value}. {step.label}" for step in Step]
    assert level_three[8:] == [
        f"### 1. {FIRST_TITLE}",
        "### 2. Initiativ 2: digital vårdplanering",
        "### 3. Initiativ 3: digital vårdplanering",
    ]
    # A section's text follows its heading, as written (a pipe in running text stays).
    assert lines[lines.index("### 1. Establishing a sense of urgency") + 2] == URGENCY
    assert VISION in lines
    assert "- **Status:** Approved with changes" in lines
    assert "- **Decision:** Approved with changes" in lines


@pytest.mark.django_db
def test_tables_are_pipe_tables_with_innovation_as_its_own_row(home: Municipality) -> None:
    lines = export(rich_version(home)).splitlines()

    header = lines.index("| Kind | 2027 | 2028 | 2029 | Total |")
    assert lines[header + 1] == "| --- | ---: | ---: | ---: | ---: |"
    assert [cells(line) for line in lines[header + 2 : header + 6]] == [
        ["Investment", "600,003", "0", "0", "600,003"],
        ["Operations", "0", "90,000", "105,000", "195,000"],
        ["Innovation", "150,000", "0", "0", "150,000"],
        ["**Total**", "**750,003**", "**90,000**", "**105,000**", "**945,003**"],
    ]
    assert "| Capability | Current score | Target score | Built by |" in lines
    assert "| Ledning och styrning | 43 | 70 | Initiativ 3: digital vårdplanering |" in lines
    assert "| Initiative | From | To |" in lines
    assert f"| 1. {FIRST_TITLE} | Q1 2027 | Q2 2028 |" in lines


@pytest.mark.django_db
def test_pipes_and_line_breaks_in_a_cell_do_not_break_the_table(home: Municipality) -> None:
    version = rich_version(home, initiatives=1)
    Initiative.objects.filter(version=version).update(
        title="Bygglov | anmälan", owner="Samhällsbyggnad\nPlan och bygg"
    )
    Capability.objects.filter(version=version, order=0).update(name="Data | delning")

    lines = export(version).splitlines()

    row = next(line for line in lines if line.startswith("| 1. Bygglov"))
    assert row == (
        "| 1. Bygglov \\| anmälan | Samhällsbyggnad Plan och bygg | 200,000 | 65,000 | 50,000 |"
    )
    assert len(cells(row)) == 5
    assert any(line.startswith("| Data \\| delning | 35 | 60 |") for line in lines)
    assert "### 1. Bygglov | anmälan" in lines  # outside tables, a pipe is only a character


def test_cell_escapes_pipes_and_backslashes_and_joins_lines() -> None:
    assert cell("a|b") == "a\\|b"
    assert cell("C:\\temp|x") == "C:\\\\temp\\|x"
    assert cell("two\nlines\r\n  here") == "two lines here"
    assert cell("") == " "
    assert table(["A", "B"], [["1", "x|y"]], numeric=(0,)) == (
        "| A | B |\n| ---: | --- |\n| 1 | x\\|y |"
    )


@pytest.mark.django_db
def test_an_empty_draft_says_what_is_not_written(home: Municipality) -> None:
    from tests.plans.builders import make_plan

    text = export(make_plan(home).versions.get())

    assert text.count("*Not written yet.*") == 9
    assert "No initiatives have been added yet." in text
    assert "No initiative has a start date within the plan's years yet." in text
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.django_db
def test_the_headings_follow_the_active_language(home: Municipality) -> None:
    text = export(rich_version(home, initiatives=1), "sv")

    with translation.override("sv"):
        assert f"### 1. {Step.URGENCY.label}" in text.splitlines()
