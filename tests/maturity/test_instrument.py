"""The instrument format: the shipped default loads, malformed files are refused with a place.

Plain Python, no database. Each malformed sample in `instruments/` is a copy of `valid.yaml`
with one fault, so the line each error names is known exactly.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forandra.maturity.instrument import (
    LANGUAGES,
    Axis,
    Instrument,
    InstrumentError,
    Text,
    default_instrument,
    instrument_to_yaml,
    load_instrument,
    load_instrument_file,
)

SAMPLES = Path(__file__).parent / "instruments"
VALID = (SAMPLES / "valid.yaml").read_text(encoding="utf-8")


def all_texts(instrument: Instrument) -> list[Text]:
    texts = [instrument.name, instrument.description, instrument.scale.dont_know]
    texts += [step.label for step in instrument.scale.steps]
    for level in instrument.levels:
        texts += [level.name, level.description]
    for quadrant in instrument.quadrants:
        texts += [quadrant.name, quadrant.description]
    for dimension in instrument.dimensions:
        texts += [dimension.name, dimension.description]
        texts += [statement.text for statement in dimension.statements]
    return texts


def refusal(text: str) -> InstrumentError:
    with pytest.raises(InstrumentError) as caught:
        load_instrument(text)
    return caught.value


# The shipped default ------------------------------------------------------------------------------


def test_default_instrument_has_seven_to_nine_dimensions_of_four_to_six_statements():
    instrument = default_instrument()

    assert instrument.id == "forandra-default"
    assert instrument.version >= 1
    assert 7 <= len(instrument.dimensions) <= 9
    for dimension in instrument.dimensions:
        assert 4 <= len(dimension.statements) <= 6, dimension.key


def test_default_instrument_has_every_text_in_swedish_and_english():
    for text in all_texts(default_instrument()):
        for language in LANGUAGES:
            assert getattr(text, language).strip(), text


def test_default_instrument_uses_both_axes_and_has_reverse_statements():
    instrument = default_instrument()

    axes = {dimension.axis for dimension in instrument.dimensions}
    reversed_ = [s.key for _, s in instrument.statements() if s.reverse]
    assert axes == {Axis.CAPABILITY, Axis.PREREQUISITE}
    assert 3 <= len(reversed_) <= len(instrument.statements()) // 4


def test_default_instrument_has_the_issues_dimensions():
    keys = [d.key for d in default_instrument().dimensions]

    assert keys == [
        "strategy",
        "leadership",
        "culture",
        "competence",
        "innovation",
        "citizen_focus",
        "data",
        "technology",
        "collaboration",
    ]


def test_default_instrument_scale_runs_from_not_at_all_to_completely_with_dont_know():
    scale = default_instrument().scale

    assert [step.value for step in scale.steps] == [1, 2, 3, 4, 5]
    assert scale.steps[0].label.sv == "Stämmer inte alls"
    assert scale.steps[-1].label.sv == "Stämmer helt"
    assert scale.dont_know == Text(sv="Vet ej", en="Don't know")


def test_default_instrument_levels_and_quadrants_are_complete():
    instrument = default_instrument()

    assert [level.minimum for level in instrument.levels] == [0, 25, 50, 75]
    assert instrument.quadrant_threshold == 50
    combinations = {(q.high_capability, q.high_prerequisite) for q in instrument.quadrants}
    assert combinations == {(False, False), (True, False), (False, True), (True, True)}


def test_default_instrument_is_read_once():
    assert default_instrument() is default_instrument()


def test_default_instrument_file_is_the_one_in_the_package():
    path = Path(__file__).parents[2] / "src/forandra/maturity/instruments/default.yaml"

    assert load_instrument_file(path) == default_instrument()


# Writing and reading back -------------------------------------------------------------------------


def test_default_instrument_survives_a_round_trip_through_yaml():
    instrument = default_instrument()

    assert load_instrument(instrument_to_yaml(instrument)) == instrument


def test_the_valid_sample_loads_and_survives_a_round_trip():
    instrument = load_instrument(VALID)

    assert instrument.dimension("technology").statements[1].reverse is True
    assert instrument.dimension("strategy").statements[0].reverse is False
    assert load_instrument(instrument_to_yaml(instrument)) == instrument


def test_round_trip_keeps_fractional_thresholds_and_texts_yaml_would_misread():
    instrument = load_instrument(VALID)
    tricky = Text(sv="Nej", en="No")  # YAML 1.1 reads a bare No as false
    level = dataclasses.replace(instrument.levels[1], minimum=37.5, name=tricky)
    changed = dataclasses.replace(
        instrument, levels=(instrument.levels[0], level), quadrant_threshold=62.5
    )

    again = load_instrument(instrument_to_yaml(changed))

    assert again == changed
    assert again.levels[1].name.en == "No"


def test_texts_that_yaml_reads_as_other_types_are_taken_as_written():
    text = VALID.replace("en: Sample instrument", "en: yes").replace("sv: Provinstrument", "sv: 2")

    instrument = load_instrument(text)

    assert instrument.name == Text(sv="2", en="yes")


words = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "Zs", "S")), min_size=1, max_size=40
).filter(lambda s: s == s.strip() and bool(s))


@settings(max_examples=50, deadline=None)
@given(sv=words, en=words)
def test_any_statement_text_survives_a_round_trip(sv: str, en: str):
    instrument = load_instrument(VALID)
    dimension = instrument.dimensions[0]
    statement = dataclasses.replace(dimension.statements[0], text=Text(sv=sv, en=en))
    dimension = dataclasses.replace(dimension, statements=(statement, *dimension.statements[1:]))
    changed = dataclasses.replace(instrument, dimensions=(dimension, *instrument.dimensions[1:]))

    assert load_instrument(instrument_to_yaml(changed)) == changed


# Malformed instruments ----------------------------------------------------------------------------

MALFORMED = [
    # (sample file, field, line, a part of the message)
    ("missing_dimensions", "dimensions", 22, "at least one dimension"),
    ("no_dimensions_field", "dimensions", 2, "missing the required field 'dimensions'"),
    ("duplicate_dimension_key", "dimensions[1].key", 33, "duplicate dimension key 'strategy'"),
    (
        "duplicate_statement_key",
        "dimensions[1].statements[0].key",
        38,
        "duplicate statement key 'strategy_direction'; dimensions[0].statements[0] on line 28",
    ),
    (
        "unknown_axis",
        "dimensions[1].axis",
        34,
        "unknown axis 'capabilty'; use 'capability' or 'prerequisite'",
    ),
    ("empty_scale", "scale.steps", 7, "at least 2 steps; it has 0"),
    ("scale_values_out_of_order", "scale.steps[2].value", 10, "expected 3 here, got 4"),
    ("levels_not_ascending", "levels[1].min", 14, "must rise strictly"),
    ("levels_first_not_zero", "levels[0].min", 13, "the first level must start at min 0"),
    (
        "missing_english_text",
        "dimensions[1].statements[0].text.en",
        39,
        "missing the English text ('en')",
    ),
    ("unknown_field", "dimensions[0].statements[1].weight", 31, "unknown field 'weight'"),
    ("bad_yaml_syntax", "", 26, "not valid YAML: while parsing a flow mapping on line 25"),
    (
        "quadrants_missing_combination",
        "quadrants.types",
        17,
        "no quadrant for high_capability: true, high_prerequisite: false",
    ),
    (
        "quadrants_duplicate_combination",
        "quadrants.types[1]",
        19,
        "quadrants.types[0] on line 18 already covers high_capability: false",
    ),
    ("version_not_integer", "version", 3, "expected a whole number; got the number 1.5"),
    ("one_axis_only", "dimensions", 22, "no dimension is on the 'prerequisite' axis"),
    ("threshold_out_of_range", "quadrants.threshold", 16, "between 0 and 100"),
    (
        "dimension_without_statements",
        "dimensions[1].statements",
        37,
        "the dimension 'technology' needs at least one statement",
    ),
    ("bad_key", "dimensions[0].key", 23, "the key 'Strategy and governance' is not allowed"),
]


@pytest.mark.parametrize(
    ("sample", "field", "line", "message"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_instrument_is_refused_naming_field_and_line(sample, field, line, message):
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(SAMPLES / f"{sample}.yaml")

    error = caught.value
    assert (error.field, error.line) == (field, line)
    assert message in error.message
    where = f"line {line}, {field}: " if field else f"line {line}: "
    assert str(error) == where + error.message


def test_every_malformed_sample_in_the_folder_is_in_the_table():
    samples = {path.stem for path in SAMPLES.glob("*.yaml")} - {"valid"}

    assert samples == {m[0] for m in MALFORMED}
    assert len(samples) >= 10


def test_error_reads_line_then_field_then_message():
    error = refusal(VALID.replace("axis: prerequisite", "axis: capabilty"))

    assert str(error) == (
        "line 34, dimensions[1].axis: unknown axis 'capabilty'; use 'capability' or 'prerequisite'"
    )
    assert isinstance(error, ValueError)
    assert str(copy.deepcopy(error)) == str(error)  # rebuilt from args, as pickling does


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("version: 1", "version: 0", "version", "1 or higher"),
        ("version: 1", "version: '1'", "version", "expected a whole number"),
        ("version: 1", "version: true", "version", "expected a whole number"),
        ("id: sample", "id: Sample Instrument", "id", "is not allowed"),
        ("id: sample", "id:", "id", "is empty"),
        ("en: Sample instrument}", "en: '  '}", "name.en", "is empty"),
        ("en: Sample instrument}", "en: ~}", "name.en", "is empty"),
        ("name: {sv: Provinstrument, en: Sample instrument}", "name: Prov", "name", "mapping"),
        (
            "{sv: Vet ej, en: Don't know}",
            "{sv: Vet ej, en: Don't know, de: Weiß nicht}",
            "scale.dont_know.de",
            "unknown field 'de'",
        ),
        (
            "  dont_know: {sv: Vet ej, en: Don't know}\n",
            "",
            "scale.dont_know",
            "missing the required field",
        ),
        ("  threshold: 50", "  threshold: 0", "quadrants.threshold", "between 0 and 100"),
        ("  threshold: 50", "  threshold: .nan", "quadrants.threshold", "finite"),
        ("  threshold: 50", "  threshold: fifty", "quadrants.threshold", "expected a number"),
        ("min: 60", "min: 100", "levels[1].min", "below 100"),
        (
            "        reverse: true\n  - key: technology",
            "        reverse: yes please\n  - key: technology",
            "dimensions[0].statements[1].reverse",
            "true or false",
        ),
        (
            "    axis: capability\n",
            "    axis: capability\n    axsi: capability\n",
            "dimensions[0].axsi",
            "did you mean 'axis'?",
        ),
        (
            "    axis: capability\n",
            "    axis: capability\n    axis: prerequisite\n",
            "dimensions[0].axis",
            "appears twice (first on line 24)",
        ),
        ("key: leading", "key: basic", "levels[1].key", "duplicate level key 'basic'"),
        (
            "key: digitally_mature",
            "key: starting_out",
            "quadrants.types[3].key",
            "duplicate quadrant key",
        ),
    ],
)
def test_other_faults_are_refused_naming_the_field(old, new, field, message):
    assert old in VALID

    error = refusal(VALID.replace(old, new, 1))

    assert error.field == field
    assert message in error.message


def test_dimensions_must_be_a_list():
    text = VALID[: VALID.index("dimensions:")] + "dimensions: strategy\n"

    error = refusal(text)

    assert (error.field, error.line) == ("dimensions", 22)
    assert "expected a list of dimensions; got the text 'strategy'" in error.message


def test_levels_must_not_be_empty():
    lines = VALID.splitlines(keepends=True)
    text = "".join([*lines[:11], "levels: []\n", *lines[14:]])

    error = refusal(text)

    assert (error.field, error.line) == ("levels", 12)
    assert "at least one maturity level" in error.message


def test_an_empty_file_is_refused():
    error = refusal("# nothing but a comment\n")

    assert (error.field, error.line) == ("", 1)
    assert "empty" in error.message


def test_a_list_instead_of_an_instrument_is_refused():
    error = refusal("- id: sample\n")

    assert (error.field, error.line) == ("", 1)
    assert "expected a mapping" in error.message


def test_two_documents_in_one_file_are_refused():
    error = refusal(VALID + "---\nid: another\n")

    assert error.line == 43
    assert error.message == (
        "not valid YAML: expected a single document in the stream on line 2, "
        "but found another document"
    )


def test_yaml_tags_that_build_objects_are_refused_and_never_run():
    text = VALID.replace("id: sample", "id: !!python/object/apply:os.system ['true']")

    error = refusal(text)

    assert error.field == "id"


def test_a_control_character_is_refused_with_its_line():
    error = refusal(VALID.replace("Provinstrument", "Prov\x07instrument"))

    assert error.line == 4
    assert "U+0007" in error.message


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID.replace("Provinstrument", "Provinstrumentå").encode("latin-1"))

    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)

    assert caught.value.line == 4
    assert "UTF-8" in caught.value.message
