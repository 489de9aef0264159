"""The waves catalogue: the shipped one loads, malformed ones are refused with a place.

Plain Python, no database. Each malformed catalogue is `VALID` with one fault, so the line each
error names is known exactly.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from forandra.maturity.instrument import default_instrument
from forandra.scanning.waves import (
    Catalogue,
    CatalogueError,
    default_catalogue,
    load_catalogue,
    load_catalogue_file,
)

VALID = """\
id: sample
version: 1
name: {sv: Provkatalog, en: Sample catalogue}
description: {sv: En katalog för testerna., en: A catalogue for the tests.}
waves:
  - key: accessibility
    name: {sv: Tillgänglighet, en: Accessibility}
    description: {sv: Tjänster för alla., en: Services for everyone.}
    dimensions: [citizen_focus, technology]
    keywords:
      sv: [tillgänglighet, WCAG]
      en: [accessibility, WCAG]
    examples:
      sv: [Digg granskar webbplatserna]
      en: [Audit of council websites]
  - key: automation
    name: {sv: Automatisering, en: Automation}
    description: {sv: Robotar gör jobbet., en: Robots do the work.}
    dimensions:
      - technology
      - innovation
    keywords:
      sv: [RPA, robot]
      en: [RPA, software robot]
    examples:
      sv: [Roboten sköter fakturorna]
      en: [Bots process invoices]
"""


def refusal(text: str) -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(text)
    return caught.value


# The shipped catalogue ----------------------------------------------------------------------------


def test_default_catalogue_has_the_issues_ten_waves():
    catalogue = default_catalogue()

    assert len(catalogue.waves) >= 10
    assert set(catalogue.keys) >= {
        "accessibility",
        "automation",
        "ai",
        "data_driven",
        "welfare_technology",
        "co_creation",
        "shared_infrastructure",
        "information_security",
        "digital_competence",
        "green_digitalisation",
    }


def test_default_catalogue_has_every_text_and_list_in_swedish_and_english():
    for wave in default_catalogue().waves:
        for text in (wave.name, wave.description):
            assert text.sv and text.en and text.sv != text.en
        for terms in (wave.keywords, wave.examples):
            assert len(terms.sv) >= 3 and len(terms.en) >= 3, wave.key
            assert all(term.strip() for term in terms.all())


def test_default_catalogue_names_only_dimensions_of_the_default_instrument():
    dimensions = {d.key for d in default_instrument().dimensions}
    built = set()
    for wave in default_catalogue().waves:
        assert wave.dimensions, wave.key
        assert set(wave.dimensions) <= dimensions, wave.key
        built |= set(wave.dimensions)

    assert built == dimensions  # every dimension has a wave that builds it


def test_default_accessibility_wave_is_about_the_dos_law_wcag_and_self_service():
    wave = default_catalogue().wave("accessibility")

    assert "DOS-lagen" in wave.keywords.sv
    assert "WCAG" in wave.keywords.sv and "WCAG" in wave.keywords.en
    assert "lagen om tillgänglighet till digital offentlig service" in wave.description.sv
    assert "dygnet runt" in wave.name.sv and "around the clock" in wave.name.en


def test_default_catalogue_is_read_once_and_comes_from_the_package():
    assert default_catalogue() is default_catalogue()
    path = Path(__file__).parents[2] / "src/forandra/scanning/waves/default.yaml"
    assert load_catalogue_file(path) == default_catalogue()


def test_the_valid_sample_loads_as_written():
    catalogue = load_catalogue(VALID)

    assert isinstance(catalogue, Catalogue)
    assert (catalogue.id, catalogue.version, catalogue.keys) == (
        "sample",
        1,
        ("accessibility", "automation"),
    )
    automation = catalogue.wave("automation")
    assert automation.dimensions == ("technology", "innovation")
    assert automation.keywords.sv == ("RPA", "robot")
    assert automation.keywords.all() == ("RPA", "robot", "RPA", "software robot")
    assert automation.examples.en == ("Bots process invoices",)
    assert automation.name.get("en") == "Automation"


# Malformed catalogues -----------------------------------------------------------------------------

MALFORMED = [
    # (what, old, new, field, line, a part of the message)
    (
        "missing_name",
        "    name: {sv: Automatisering, en: Automation}\n",
        "",
        "waves[1].name",
        16,
        "missing the required field 'name'",
    ),
    (
        "missing_english_name",
        "name: {sv: Automatisering, en: Automation}",
        "name: {sv: Automatisering}",
        "waves[1].name.en",
        17,
        "missing the English text ('en')",
    ),
    (
        "duplicate_key",
        "key: automation",
        "key: accessibility",
        "waves[1].key",
        16,
        "duplicate wave key 'accessibility'; waves[0] on line 6 uses it",
    ),
    (
        "bad_key",
        "key: automation",
        "key: Automation och RPA",
        "waves[1].key",
        16,
        "the key 'Automation och RPA' is not allowed",
    ),
    (
        "unknown_dimension",
        "      - innovation",
        "      - inovation",
        "waves[1].dimensions[1]",
        21,
        "unknown dimension 'inovation'; did you mean 'innovation'?",
    ),
    (
        "dimension_twice",
        "      - innovation",
        "      - technology",
        "waves[1].dimensions[1]",
        21,
        "the dimension 'technology' appears twice (first on line 20)",
    ),
    (
        "no_dimensions",
        "    dimensions:\n      - technology\n      - innovation\n",
        "    dimensions: []\n",
        "waves[1].dimensions",
        19,
        "at least one maturity dimension",
    ),
    (
        "empty_keywords",
        "sv: [RPA, robot]",
        "sv: []",
        "waves[1].keywords.sv",
        23,
        "is empty; write at least one of the keywords",
    ),
    (
        "missing_english_keywords",
        "      en: [RPA, software robot]\n",
        "",
        "waves[1].keywords.en",
        23,
        "missing the English keywords ('en')",
    ),
    (
        "keywords_not_a_list",
        "sv: [RPA, robot]",
        "sv: RPA",
        "waves[1].keywords.sv",
        23,
        "expected a list of keywords; got the text 'RPA'",
    ),
    (
        "keyword_twice",
        "sv: [RPA, robot]",
        "sv: [RPA, rpa]",
        "waves[1].keywords.sv[1]",
        23,
        "'rpa' appears twice in the Swedish keywords (first on line 23)",
    ),
    (
        "empty_keyword",
        "sv: [RPA, robot]",
        "sv: [RPA, '  ']",
        "waves[1].keywords.sv[1]",
        23,
        "is empty",
    ),
    (
        "empty_examples",
        "en: [Bots process invoices]",
        "en: []",
        "waves[1].examples.en",
        27,
        "is empty; write at least one of the example signals",
    ),
    (
        "unknown_field",
        "    description: {sv: Robotar gör jobbet., en: Robots do the work.}\n",
        "    description: {sv: Robotar gör jobbet., en: Robots do the work.}\n    colour: blue\n",
        "waves[1].colour",
        19,
        "unknown field 'colour'",
    ),
    ("version_zero", "version: 1", "version: 0", "version", 2, "1 or higher"),
    ("bad_id", "id: sample", "id: Sample Catalogue", "id", 1, "is not allowed"),
    (
        "one_wave",
        VALID[VALID.index("  - key: automation") :],
        "",
        "waves",
        5,
        "a catalogue needs at least 2 waves; it has 1",
    ),
    (
        "waves_not_a_list",
        VALID[VALID.index("waves:") :],
        "waves: accessibility\n",
        "waves",
        5,
        "expected a list of waves",
    ),
    (
        "bad_yaml",
        "name: {sv: Automatisering, en: Automation}",
        "name: {sv: Automatisering, en: Automation",
        "",
        18,
        "not valid YAML",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "message"),
    [m[1:] for m in MALFORMED],
    ids=[m[0] for m in MALFORMED],
)
def test_malformed_catalogue_is_refused_naming_field_and_line(old, new, field, line, message):
    assert old in VALID

    error = refusal(VALID.replace(old, new, 1))

    assert (error.field, error.line) == (field, line)
    assert message in error.message
    where = f"line {line}, {field}: " if field else f"line {line}: "
    assert str(error) == where + error.message


def test_error_reads_line_then_field_then_message_and_survives_a_copy():
    error = refusal(VALID.replace("      - innovation", "      - inovation"))

    assert str(error).startswith(
        "line 21, waves[1].dimensions[1]: unknown dimension 'inovation'; did you mean "
        "'innovation'? (the instrument has: strategy, "
    )
    assert isinstance(error, ValueError)
    assert str(copy.deepcopy(error)) == str(error)  # rebuilt from args, as pickling does


def test_an_empty_file_is_refused_as_an_empty_catalogue():
    error = refusal("# only a comment\n")

    assert (error.line, error.field) == (1, "")
    assert error.message == "the file is empty; a waves catalogue needs its fields"


def test_dimensions_are_checked_against_the_instrument_the_caller_names():
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(VALID, dimensions=["technology", "innovation", "culture"])

    assert (caught.value.field, caught.value.line) == ("waves[0].dimensions[0]", 9)
    assert "unknown dimension 'citizen_focus'" in caught.value.message
    assert "(the instrument has: technology, innovation, culture)" in caught.value.message


def test_yaml_tags_that_build_objects_are_refused_and_never_run():
    error = refusal(VALID.replace("id: sample", "id: !!python/object/apply:os.system [echo]"))

    assert error.field == "id"
    assert re.search(r"tag .* is not supported|expected text", error.message)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "waves.yaml"
    path.write_bytes(VALID.encode().replace(b"Robotar", b"R\xf6botar"))  # a Latin-1 "ö"

    with pytest.raises(CatalogueError) as caught:
        load_catalogue_file(path)

    assert caught.value.line == 18
    assert "not valid UTF-8" in caught.value.message
