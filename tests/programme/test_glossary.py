"""The WS1 glossary: the shipped one loads, malformed ones are refused with a place.

Plain Python, no database. Each malformed glossary is `VALID` with one fault, so the line each
error names is known exactly.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from forandra.programme.glossary import (
    MAX_DEFINITION_LENGTH,
    Glossary,
    GlossaryError,
    Text,
    default_glossary,
    load_glossary,
    load_glossary_file,
)

VALID = """\
id: sample
version: 1
name: {sv: Provordlista, en: Sample glossary}
description: {sv: En ordlista för testerna., en: A glossary for the tests.}
terms:
  - key: digitisation
    term: {sv: Digitisering, en: Digitisation}
    definition:
      sv: Att skanna papper.
      en: Scanning paper.
    example: {sv: Arkivet skannas., en: The archive is scanned.}
    related: [digitalisation]
  - key: digitalisation
    term: {sv: Digitalisering, en: Digitalisation}
    definition:
      sv: Att förändra arbetet med digital teknik.
      en: Changing the work with digital technology.
    example: {sv: En e-tjänst ersätter blanketten., en: An e-service replaces the form.}
    related:
      - digitisation
      - e_service
    source: {sv: Programmet 2018., en: The 2018 programme.}
  - key: e_service
    term: {sv: E-tjänst, en: E-service}
    definition: {sv: En tjänst på webben., en: A service on the web.}
    example: {sv: Ansök om förskoleplats., en: Apply for a preschool place.}
"""

# The terms the issue and the programme's WS1 name; the shipped glossary must define each.
REQUIRED_KEYS = {
    "digitisation",
    "digitalisation",
    "digital_transformation",
    "digital_maturity",
    "e_service",
    "self_service",
    "co_creation",
    "change_agent",
    "innovation",
    "service_design",
    "change_management",
    "leadership_and_management",
    "digital_competence",
    "environmental_scanning",
    "wave_of_change",
    "operational_development",
    "information_security",
    "open_data",
    "accessibility",
    "automation",
    "ai",
}


def refusal(text: str) -> GlossaryError:
    with pytest.raises(GlossaryError) as caught:
        load_glossary(text)
    return caught.value


def texts(term) -> list[Text]:
    return [term.term, term.definition, term.example] + ([term.source] if term.source else [])


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


# The shipped glossary -----------------------------------------------------------------------------


def test_default_glossary_defines_at_least_twenty_terms_including_the_issues_list():
    glossary = default_glossary()

    assert len(glossary.terms) >= 20
    assert set(glossary.keys) >= REQUIRED_KEYS


def test_default_glossary_has_every_text_in_swedish_and_english():
    for term in default_glossary().terms:
        for text in texts(term):
            assert text.sv.strip() and text.en.strip(), term.key
        for text in (term.definition, term.example):
            assert text.sv != text.en, term.key


def test_default_glossary_has_no_duplicate_keys_or_words():
    glossary = default_glossary()

    assert len(set(glossary.keys)) == len(glossary.terms)
    for language in ("sv", "en"):
        words = [t.term.get(language).casefold() for t in glossary.terms]
        assert len(set(words)) == len(words), language


def test_default_glossary_relates_every_term_only_to_terms_it_defines():
    glossary = default_glossary()
    keys = set(glossary.keys)

    for term in glossary.terms:
        assert term.related, term.key
        assert set(term.related) <= keys, term.key
        assert term.key not in term.related
        assert len(set(term.related)) == len(term.related), term.key
        assert [t.key for t in glossary.related(term.key)] == list(term.related)


def test_default_definitions_are_two_or_three_plain_sentences():
    for term in default_glossary().terms:
        for language in ("sv", "en"):
            definition = term.definition.get(language)
            assert 2 <= sentences(definition) <= 3, (term.key, language)
            assert len(definition) <= MAX_DEFINITION_LENGTH


def test_default_glossary_keeps_the_swedish_digitisation_distinction():
    glossary = default_glossary()
    digitisation = glossary.term("digitisation")
    digitalisation = glossary.term("digitalisation")

    assert (digitisation.term.sv, digitisation.term.en) == ("Digitisering", "Digitisation")
    assert (digitalisation.term.sv, digitalisation.term.en) == ("Digitalisering", "Digitalisation")
    assert "digitalisation" in digitisation.related
    assert "digitisation" in digitalisation.related
    assert "analog" in digitisation.definition.sv


def test_default_glossary_names_the_frameworks_it_leans_on():
    glossary = default_glossary()
    accessibility = glossary.term("accessibility")
    leadership = glossary.term("leadership_and_management")

    assert "DOS-lagen" in accessibility.definition.sv and "WCAG" in accessibility.definition.en
    assert accessibility.source is not None and "2018:1937" in accessibility.source.sv
    assert leadership.source is not None and "Kotter" in leadership.source.en
    assert "Leadership builds systems" in leadership.source.en


def test_default_glossary_is_read_once_and_comes_from_the_package():
    assert default_glossary() is default_glossary()
    path = Path(__file__).parents[2] / "src/forandra/programme/glossary/default.yaml"
    assert load_glossary_file(path) == default_glossary()


def test_the_valid_sample_loads_as_written():
    glossary = load_glossary(VALID)

    assert isinstance(glossary, Glossary)
    assert (glossary.id, glossary.version, glossary.keys) == (
        "sample",
        1,
        ("digitisation", "digitalisation", "e_service"),
    )
    digitalisation = glossary.term("digitalisation")
    assert digitalisation.related == ("digitisation", "e_service")
    assert digitalisation.source == Text(sv="Programmet 2018.", en="The 2018 programme.")
    assert digitalisation.definition.get("en") == "Changing the work with digital technology."
    assert [t.key for t in glossary.related("digitalisation")] == ["digitisation", "e_service"]
    e_service = glossary.term("e_service")
    assert (e_service.related, e_service.source) == ((), None)


# Malformed glossaries -----------------------------------------------------------------------------

MALFORMED = [
    # (what, old, new, field, line, a part of the message)
    (
        "missing_english_definition",
        "      en: Scanning paper.\n",
        "",
        "terms[0].definition.en",
        9,
        "missing the English text ('en')",
    ),
    (
        "empty_definition",
        "sv: Att skanna papper.",
        "sv: '  '",
        "terms[0].definition.sv",
        9,
        "is empty; write a text",
    ),
    (
        "definition_with_nothing",
        "sv: Att skanna papper.",
        "sv:",
        "terms[0].definition.sv",
        9,
        "is empty; write a text",
    ),
    (
        "too_long_definition",
        "sv: Att skanna papper.",
        "sv: " + "Ett ord " * 100,
        "terms[0].definition.sv",
        9,
        f"the definition is 799 characters long; keep it within {MAX_DEFINITION_LENGTH}",
    ),
    (
        "missing_example",
        "    example: {sv: Ansök om förskoleplats., en: Apply for a preschool place.}\n",
        "",
        "terms[2].example",
        23,
        "missing the required field 'example'",
    ),
    (
        "empty_english_example",
        "en: Apply for a preschool place.",
        "en: ''",
        "terms[2].example.en",
        26,
        "is empty",
    ),
    (
        "missing_swedish_term",
        "term: {sv: E-tjänst, en: E-service}",
        "term: {en: E-service}",
        "terms[2].term.sv",
        24,
        "missing the Swedish text ('sv'); every text needs both 'sv' and 'en'",
    ),
    (
        "same_swedish_word_twice",
        "term: {sv: E-tjänst, en: E-service}",
        "term: {sv: digitisering, en: E-service}",
        "terms[2].term.sv",
        24,
        "the Swedish term 'digitisering' is already defined by terms[0] on line 7",
    ),
    (
        "duplicate_key",
        "key: e_service",
        "key: digitisation",
        "terms[2].key",
        23,
        "duplicate term key 'digitisation'; terms[0] on line 6 uses it",
    ),
    (
        "bad_key",
        "key: e_service",
        "key: E-tjänst",
        "terms[2].key",
        23,
        "the key 'E-tjänst' is not allowed",
    ),
    (
        "unknown_related_key",
        "      - e_service",
        "      - e_servise",
        "terms[1].related[1]",
        21,
        "unknown term 'e_servise'; did you mean 'e_service'?",
    ),
    (
        "related_to_itself",
        "related: [digitalisation]",
        "related: [digitisation]",
        "terms[0].related[0]",
        12,
        "the term 'digitisation' cannot be related to itself",
    ),
    (
        "related_twice",
        "      - e_service",
        "      - digitisation",
        "terms[1].related[1]",
        21,
        "the term 'digitisation' appears twice (first on line 20)",
    ),
    (
        "related_not_a_list",
        "related: [digitalisation]",
        "related: digitalisation",
        "terms[0].related",
        12,
        "expected a list of term keys; got the text 'digitalisation'",
    ),
    (
        "misspelt_field",
        "    definition: {sv: En tjänst på webben., en: A service on the web.}",
        "    defintion: {sv: En tjänst på webben., en: A service on the web.}",
        "terms[2].defintion",
        25,
        "unknown field 'defintion'; did you mean 'definition'?",
    ),
    (
        "empty_source",
        "source: {sv: Programmet 2018., en: The 2018 programme.}",
        "source: {sv: Programmet 2018., en: ''}",
        "terms[1].source.en",
        22,
        "is empty",
    ),
    (
        "no_terms",
        VALID[VALID.index("terms:") :],
        "terms: []\n",
        "terms",
        5,
        "a glossary needs at least one term",
    ),
    ("version_zero", "version: 1", "version: 0", "version", 2, "1 or higher"),
    ("bad_id", "id: sample", "id: Sample Glossary", "id", 1, "is not allowed"),
    (
        "bad_yaml",
        "term: {sv: E-tjänst, en: E-service}",
        "term: {sv: E-tjänst, en: E-service",
        "",
        25,
        "not valid YAML",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "message"),
    [m[1:] for m in MALFORMED],
    ids=[m[0] for m in MALFORMED],
)
def test_malformed_glossary_is_refused_naming_field_and_line(old, new, field, line, message):
    assert old in VALID

    error = refusal(VALID.replace(old, new, 1))

    assert (error.field, error.line) == (field, line)
    assert message in error.message
    where = f"line {line}, {field}: " if field else f"line {line}: "
    assert str(error) == where + error.message


def test_error_reads_line_then_field_then_message_and_survives_a_copy():
    error = refusal(VALID.replace("      - e_service", "      - e_servise"))

    assert str(error) == (
        "line 21, terms[1].related[1]: unknown term 'e_servise'; did you mean 'e_service'? "
        "(related keys must name terms in this glossary)"
    )
    assert isinstance(error, ValueError)
    assert str(copy.deepcopy(error)) == str(error)  # rebuilt from args, as pickling does


def test_a_related_key_may_name_a_term_defined_further_down():
    glossary = load_glossary(VALID)

    assert glossary.term("digitisation").related == ("digitalisation",)  # defined on line 13


def test_an_empty_file_is_refused_as_an_empty_glossary():
    error = refusal("# only a comment\n")

    assert (error.line, error.field) == (1, "")
    assert error.message == "the file is empty; a glossary needs its fields"


def test_yaml_tags_that_build_objects_are_refused_and_never_run():
    error = refusal(VALID.replace("id: sample", "id: !!python/object/apply:os.system [echo]"))

    assert error.field == "id"
    assert re.search(r"tag .* is not supported|expected text", error.message)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "glossary.yaml"
    path.write_bytes(VALID.encode().replace("E-tjänst".encode(), b"E-tj\xe4nst"))  # Latin-1 "ä"

    with pytest.raises(GlossaryError) as caught:
        load_glossary_file(path)

    assert caught.value.line == 24
    assert "not valid UTF-8" in caught.value.message
