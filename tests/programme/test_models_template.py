"""The programme template: the shipped 2018 programme loads, malformed templates are refused with
the field and the line. Plain Python, no database. Each malformed sample is `VALID` with one fault.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forandra.programme.models import Feature
from forandra.programme.workshops import (
    FEATURES,
    HALF_DAY_MINUTES,
    TemplateError,
    default_template,
    load_template,
    load_template_file,
)

VALID = """\
id: sample
version: 1
name: {sv: Prov, en: Sample}
workshops:
  - number: 1
    title: {sv: Ett, en: One}
    goals: {sv: Mål ett, en: Goal one}
    agenda:
      - start: 0
        minutes: 30
        title: {sv: Start, en: Start}
      - start: 30
        minutes: 60
        title: {sv: Arbete, en: Work}
    exercises:
      - key: concepts
        feature: glossary
        title: {sv: Begrepp, en: Concepts}
        description: {sv: Skriv, en: Write}
    material:
      - kind: podcast
        language: sv
        url: https://example.org/podd
        title: {sv: Podd, en: Podcast}
  - number: 2
    title: {sv: Två, en: Two}
    goals: {sv: Mål två, en: Goal two}
    agenda:
      - start: 0
        minutes: 120
        title: {sv: Arbete, en: Work}
    exercises: []
assignments:
  - key: survey
    after_workshop: 1
    features: [maturity, scanning]
    title: {sv: Enkät, en: Survey}
    description: {sv: Öppna enkäten, en: Open the survey}
"""


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_the_shipped_template_has_four_half_day_workshops_and_three_home_assignments():
    template = default_template()

    assert [w.number for w in template.workshops] == [1, 2, 3, 4]
    for workshop in template.workshops:
        assert workshop.title.sv and workshop.title.en and workshop.goals.sv and workshop.goals.en
        assert workshop.agenda[0].start == 0
        assert 180 <= workshop.minutes <= HALF_DAY_MINUTES
        assert workshop.exercises
    assert template.workshops[0].title.en == "What is digitalisation?"
    assert [(a.after_workshop, a.features) for a in template.assignments] == [
        (1, ("maturity", "scanning")),
        (2, ("ideas",)),
        (3, ("plans",)),
    ]
    assert "podcasts" in template.assignments[0].description.en
    assert "poddar" in template.assignments[0].description.sv


def test_the_template_and_the_model_know_the_same_features():
    assert tuple(Feature.values) == FEATURES


def test_a_valid_template_loads_from_a_file(tmp_path: Path):
    path = tmp_path / "programme.yaml"
    path.write_text(VALID, encoding="utf-8")

    template = load_template_file(path)

    assert template.id == "sample"
    assert template.workshops[0].agenda[1].end == 90
    assert template.workshops[0].material[0].url == "https://example.org/podd"
    assert template.workshops[0].exercises[0].feature == "glossary"


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\nname: Pr\xf6v\n".encode("latin-1"))

    with pytest.raises(TemplateError) as caught:
        load_template_file(path)

    assert caught.value.line == 2


# (what is wrong, the text replaced, its replacement, the field named, where the line is, words)
MALFORMED = [
    (
        "missing English text",
        "title: {sv: Ett, en: One}",
        "title: {sv: Ett}",
        "workshops[0].title.en",
        None,
        "every text needs both 'sv' and 'en'",
    ),
    (
        "a misspelt field",
        "    goals: {sv: Mål ett, en: Goal one}",
        "    goal: {sv: Mål ett, en: Goal one}",
        "workshops[0].goal",
        None,
        "did you mean 'goals'?",
    ),
    (
        "workshops out of order",
        "  - number: 2",
        "  - number: 3",
        "workshops[1].number",
        None,
        "expected 2 here, got 3",
    ),
    (
        "overlapping agenda blocks",
        "      - start: 30",
        "      - start: 20",
        "workshops[0].agenda[1].start",
        None,
        "before the previous block ends at minute 30",
    ),
    (
        "an agenda longer than half a day",
        "        minutes: 120",
        "        minutes: 400",
        "workshops[1].agenda[0].minutes",
        None,
        "a half-day workshop ends by minute 300",
    ),
    (
        "an agenda block of no length",
        "        minutes: 30",
        "        minutes: 0",
        "workshops[0].agenda[0].minutes",
        None,
        "must be at least 1",
    ),
    (
        "an unknown feature",
        "features: [maturity, scanning]",
        "features: [maturity, scaning]",
        "assignments[0].features[1]",
        None,
        "unknown feature 'scaning'",
    ),
    (
        "an assignment after the last workshop",
        "after_workshop: 1",
        "after_workshop: 2",
        "assignments[0].after_workshop",
        None,
        "comes between workshops",
    ),
    (
        "an unknown kind of material",
        "kind: podcast",
        "kind: poddcast",
        "workshops[0].material[0].kind",
        None,
        "unknown kind 'poddcast'",
    ),
    (
        "a material address that is not a web address",
        "url: https://example.org/podd",
        "url: example.org/podd",
        "workshops[0].material[0].url",
        None,
        "expected an http(s) address",
    ),
    (
        "a missing field",
        "    exercises: []\n",
        "",
        "workshops[1].exercises",
        "number: 2",
        "missing the required field 'exercises'",
    ),
    (
        "a version in words",
        "version: 1",
        "version: one",
        "version",
        None,
        "expected a whole number",
    ),
    (
        "a duplicate exercise key",
        "    exercises: []",
        "    exercises:\n      - key: concepts\n        title: {sv: B, en: B}\n"
        "        description: {sv: B, en: B}",
        "workshops[1].exercises[0].key",
        "- key: concepts\n        title: {sv: B",
        "duplicate exercise key 'concepts'",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "at", "words"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_a_malformed_template_is_refused_naming_the_field_and_line(
    old: str, new: str, field: str, at: str | None, words: str
):
    assert VALID.count(old) == 1
    text = VALID.replace(old, new)

    with pytest.raises(TemplateError) as caught:
        load_template(text)

    error = caught.value
    assert error.field == field
    assert error.line == line_of(text, at or new.strip().splitlines()[0])
    assert words in error.message
    assert str(error).startswith(f"line {error.line}, {field}: ")


def test_broken_yaml_is_refused_with_its_line():
    text = VALID.replace("name: {sv: Prov, en: Sample}", "name: {sv: Prov, en: Sample")

    with pytest.raises(TemplateError) as caught:
        load_template(text)

    assert caught.value.field == ""
    assert caught.value.line >= 3
    assert "not valid YAML" in str(caught.value)


def test_an_empty_template_is_refused():
    with pytest.raises(TemplateError, match="line 1: the file is empty"):
        load_template("")
