"""The leaders' learning path: the shipped one loads, malformed ones are refused with a place.

Plain Python, no database. Each malformed path is `VALID` with one fault, so the line each error
names is known exactly.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from forandra.programme.learning import (
    LearningPath,
    LearningPathError,
    ReadingKind,
    default_learning_path,
    load_learning_path,
    load_learning_path_file,
)

VALID = """\
id: sample
version: 1
name: {sv: Provväg, en: Sample path}
description: {sv: En lärväg för testerna., en: A learning path for the tests.}
modules:
  - key: culture
    title: {sv: Kulturen, en: The culture}
    minutes: 30
    introduction: {sv: Om kulturen., en: About the culture.}
    reading:
      - title: Leading Change
        by: John P. Kotter
        year: 1996
        kind: book
        language: en
        description: {sv: Boken., en: The book.}
    questions:
      - {sv: Vad gör vi?, en: What do we do?}
      - {sv: Varför?, en: Why?}
    note_prompt: {sv: Vad gör jag?, en: What will I do?}
  - key: innovation
    title: {sv: Innovation, en: Innovation}
    minutes: 45
    introduction: {sv: Om innovation., en: About innovation.}
    reading:
      - title: HBR IdeaCast
        by: Harvard Business Review
        kind: podcast
        language: en
        description: {sv: En podd., en: A podcast.}
    questions:
      - {sv: Var finns utrymmet?, en: Where is the room?}
    note_prompt: {sv: Vilken idé stöder jag?, en: Which idea will I support?}
"""


def refusal(text: str) -> LearningPathError:
    with pytest.raises(LearningPathError) as caught:
        load_learning_path(text)
    return caught.value


# The shipped path ---------------------------------------------------------------------------------


def test_default_path_has_the_seeds_five_steps_in_the_seeds_order():
    path = default_learning_path()

    assert isinstance(path, LearningPath)
    assert path.keys == (
        "digital_culture",
        "why_it_matters",
        "digital_maturity",
        "leaders_role",
        "innovation",
    )
    assert [m.number for m in path.modules] == [1, 2, 3, 4, 5]
    assert path.module("leaders_role").number == 4


def test_default_path_has_every_text_in_swedish_and_english():
    path = default_learning_path()
    texts = [path.name, path.description]
    for module in path.modules:
        texts += [module.title, module.introduction, module.note_prompt, *module.questions]
        texts += [reading.description for reading in module.reading]

    for text in texts:
        assert text.sv and text.en and text.sv != text.en, text


def test_default_modules_are_short_with_a_few_sources_and_questions_each():
    for module in default_learning_path().modules:
        assert 3 <= len(module.reading) <= 5, module.key
        assert 3 <= len(module.questions) <= 4, module.key
        assert 15 <= module.minutes <= 60, module.key
        assert module.note_prompt.sv.endswith("?") and module.note_prompt.en.endswith("?")
        assert "månaden" in module.note_prompt.sv and "month" in module.note_prompt.en


def test_default_sources_are_named_and_none_has_a_guessed_address():
    sources = [r for m in default_learning_path().modules for r in m.reading]

    assert all(r.title and r.by and r.language in ("sv", "en") for r in sources)
    assert all(r.url == "" or r.url.startswith("https://") for r in sources)
    assert {r.kind for r in sources} >= {
        ReadingKind.ARTICLE,
        ReadingKind.REPORT,
        ReadingKind.PODCAST,
        ReadingKind.VIDEO,
    }
    titles = {r.title for r in sources}
    assert "Leading Change" in titles
    assert "Recommendation of the Council on Digital Government Strategies" in titles
    assert any("2018:1937" in t for t in titles)
    assert any("SOU 2018:47" in t for t in titles)


def test_default_leaders_role_module_sets_management_against_leadership_after_kotter():
    module = default_learning_path().module("leaders_role")

    assert "Kotter" in module.introduction.sv and "Kotter" in module.introduction.en
    assert "Management får ett system att fungera" in module.introduction.sv
    assert "Leadership builds new systems or transforms old ones" in module.introduction.en
    assert any(r.by.startswith("John P. Kotter") for r in module.reading)


def test_default_path_is_read_once_and_comes_from_the_package():
    assert default_learning_path() is default_learning_path()
    path = Path(__file__).parents[2] / "src/forandra/programme/learning/leaders.yaml"
    assert load_learning_path_file(path) == default_learning_path()


def test_the_valid_sample_loads_as_written():
    path = load_learning_path(VALID)

    assert (path.id, path.version, path.keys, path.minutes) == (
        "sample",
        1,
        ("culture", "innovation"),
        75,
    )
    culture = path.module("culture")
    (book,) = culture.reading
    assert (book.title, book.by, book.year, book.kind, book.language, book.url) == (
        "Leading Change",
        "John P. Kotter",
        1996,
        ReadingKind.BOOK,
        "en",
        "",
    )
    assert [q.get("en") for q in culture.questions] == ["What do we do?", "Why?"]
    podcast = path.module("innovation").reading[0]
    assert (podcast.kind, podcast.year) == (ReadingKind.PODCAST, None)


# Malformed paths ----------------------------------------------------------------------------------

MALFORMED = [
    # (what, old, new, field, line, a part of the message)
    (
        "missing_english_title",
        "title: {sv: Innovation, en: Innovation}",
        "title: {sv: Innovation}",
        "modules[1].title.en",
        22,
        "missing the English text ('en')",
    ),
    (
        "missing_swedish_question",
        "- {sv: Varför?, en: Why?}",
        "- {en: Why?}",
        "modules[0].questions[1].sv",
        19,
        "missing the Swedish text ('sv')",
    ),
    (
        "duplicate_module_key",
        "key: innovation",
        "key: culture",
        "modules[1].key",
        21,
        "duplicate module key 'culture'; modules[0] on line 6 uses it",
    ),
    (
        "no_reflection_questions",
        "    questions:\n      - {sv: Var finns utrymmet?, en: Where is the room?}\n",
        "    questions: []\n",
        "modules[1].questions",
        31,
        "the module 'innovation' needs at least one reflection question",
    ),
    (
        "questions_not_a_list",
        "    questions:\n      - {sv: Var finns utrymmet?, en: Where is the room?}\n",
        "    questions: Var finns utrymmet?\n",
        "modules[1].questions",
        31,
        "expected a list of reflection questions",
    ),
    (
        "no_reading",
        VALID[
            VALID.index("    reading:\n      - title: HBR") : VALID.index(
                "    questions:\n      - {sv: Var"
            )
        ],
        "    reading: []\n",
        "modules[1].reading",
        25,
        "the module 'innovation' needs at least one source",
    ),
    ("zero_minutes", "minutes: 45", "minutes: 0", "modules[1].minutes", 23, "got 0"),
    ("too_many_minutes", "minutes: 45", "minutes: 480", "modules[1].minutes", 23, "5 to 120"),
    (
        "minutes_as_text",
        "minutes: 45",
        "minutes: 45 min",
        "modules[1].minutes",
        23,
        "expected a whole number; got the text '45 min'",
    ),
    (
        "fractional_minutes",
        "minutes: 30",
        "minutes: 30.5",
        "modules[0].minutes",
        8,
        "expected a whole number; got the number 30.5",
    ),
    (
        "unknown_reading_kind",
        "kind: podcast",
        "kind: podcst",
        "modules[1].reading[0].kind",
        28,
        "unknown kind 'podcst'; did you mean 'podcast'?",
    ),
    (
        "missing_note_prompt",
        "    note_prompt: {sv: Vilken idé stöder jag?, en: Which idea will I support?}\n",
        "",
        "modules[1].note_prompt",
        21,
        "missing the required field 'note_prompt'",
    ),
    (
        "misspelt_field",
        "    minutes: 45",
        "    minuter: 45",
        "modules[1].minuter",
        23,
        "unknown field 'minuter'; did you mean 'minutes'?",
    ),
    (
        "source_twice",
        "    questions:\n      - {sv: Vad",
        "      - title: leading change\n"
        "        by: Someone else\n"
        "        kind: book\n"
        "        language: en\n"
        "        description: {sv: Igen., en: Again.}\n"
        "    questions:\n      - {sv: Vad",
        "modules[0].reading[1].title",
        17,
        "the source 'leading change' appears twice in this module (first on line 11)",
    ),
    (
        "guessed_address",
        "        year: 1996\n",
        "        year: 1996\n        url: www.example.org/leading-change\n",
        "modules[0].reading[0].url",
        14,
        "is not an https:// address",
    ),
    ("year_out_of_range", "year: 1996", "year: 96", "modules[0].reading[0].year", 13, "got 96"),
    (
        "language_not_a_code",
        "        kind: podcast\n        language: en",
        "        kind: podcast\n        language: English",
        "modules[1].reading[0].language",
        29,
        "not a two-letter code",
    ),
    (
        "source_without_author",
        "        by: Harvard Business Review\n",
        "",
        "modules[1].reading[0].by",
        26,
        "missing the required field 'by'",
    ),
    (
        "no_modules",
        VALID[VALID.index("modules:") :],
        "modules: []\n",
        "modules",
        5,
        "a learning path needs at least one module",
    ),
    ("version_zero", "version: 1", "version: 0", "version", 2, "1 or higher"),
    (
        "bad_yaml",
        "title: {sv: Kulturen, en: The culture}",
        "title: {sv: Kulturen, en: The culture",
        "",
        8,
        "not valid YAML",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "message"),
    [m[1:] for m in MALFORMED],
    ids=[m[0] for m in MALFORMED],
)
def test_malformed_path_is_refused_naming_field_and_line(old, new, field, line, message):
    assert old in VALID

    error = refusal(VALID.replace(old, new, 1))

    assert (error.field, error.line) == (field, line)
    assert message in error.message
    where = f"line {line}, {field}: " if field else f"line {line}: "
    assert str(error) == where + error.message


def test_error_reads_line_then_field_then_message_and_survives_a_copy():
    error = refusal(VALID.replace("kind: podcast", "kind: podcst"))

    assert str(error) == (
        "line 28, modules[1].reading[0].kind: unknown kind 'podcst'; did you mean 'podcast'? "
        "(use article, report, book, law, podcast, video)"
    )
    assert isinstance(error, ValueError)
    assert str(copy.deepcopy(error)) == str(error)  # rebuilt from args, as pickling does


def test_an_empty_file_is_refused_as_an_empty_learning_path():
    error = refusal("# only a comment\n")

    assert (error.line, error.field) == (1, "")
    assert error.message == "the file is empty; a learning path needs its fields"


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "leaders.yaml"
    path.write_bytes(VALID.encode().replace(b"Vilken id\xc3\xa9", b"Vilken id\xe9"))  # Latin-1

    with pytest.raises(LearningPathError) as caught:
        load_learning_path_file(path)

    assert caught.value.line == 33
    assert "not valid UTF-8" in caught.value.message
