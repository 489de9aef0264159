"""The glossary of workshop 1: shared concepts, and reading it from YAML.

In WS1 a digitalisation group works through the words it will use for the rest of the programme
(digitisation, digitalisation, digital maturity, change agent, ...) "so that we mean the same
things". The *glossary* is where that work starts: for each term a short, plain-language definition
and an example from a municipality, in Swedish and English, the terms it relates to, and where we
lean on a public framework, a note naming it. The group then writes its own definitions beside
ours and marks whether it agrees. Plain Python, no Django, so the CLI, the API and the tests use it
directly.

The YAML reader is the maturity instrument's (same messages: line, dotted field, what is wrong);
only the error class differs, so a caller can tell a bad glossary from a bad instrument.
"""

from __future__ import annotations

import difflib
import functools
import os
from dataclasses import dataclass
from importlib import resources
from typing import NoReturn

from yaml.nodes import Node

# As in `forandra.scanning.waves`: the instrument's node readers know YAML, not instruments, and
# every message names the line and the field. Until they move to `core`, calling them beats
# keeping another copy in step.
from forandra.maturity import instrument as reader
from forandra.maturity.instrument import (
    ID_MAX_LENGTH,
    ID_PATTERN,
    LANGUAGE_NAMES,
    LANGUAGES,
    InstrumentError,
    Text,
)

__all__ = [
    "MAX_DEFINITION_LENGTH",
    "Glossary",
    "GlossaryError",
    "Term",
    "Text",
    "default_glossary",
    "load_glossary",
    "load_glossary_file",
]

# Participants read a definition on their phones and discuss it in the room: two or three
# sentences, not an essay. Counted in characters of either language.
MAX_DEFINITION_LENGTH = 600


@dataclass(frozen=True)
class Term:
    key: str
    term: Text  # the word itself: "Digitalisering" / "Digitalisation"
    definition: Text
    example: Text  # the term at work in a Swedish municipality
    related: tuple[str, ...]  # keys of other terms in the same glossary
    source: Text | None = None  # the public framework the definition leans on, if any


@dataclass(frozen=True)
class Glossary:
    id: str
    version: int
    name: Text
    description: Text
    terms: tuple[Term, ...]  # in the order the workshop takes them

    def term(self, key: str) -> Term:
        return next(t for t in self.terms if t.key == key)

    def related(self, key: str) -> tuple[Term, ...]:
        """The terms that the term `key` relates to, in the order it lists them."""
        return tuple(self.term(k) for k in self.term(key).related)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.terms)


class GlossaryError(ValueError):
    """A malformed glossary: where (line and dotted field path) and what is wrong.

    `str(error)` reads like `line 31, terms[2].related[0]: unknown term 'digitalization'; ...`.
    `field` is empty for problems with the file as a whole (YAML syntax, an empty file).
    """

    # Positional parameters in the order of `args`, so the error survives pickling.
    def __init__(self, message: str, line: int, field: str = "") -> None:
        self.message = message
        self.line = line
        self.field = field
        super().__init__(message, line, field)

    def __str__(self) -> str:
        where = f"line {self.line}, {self.field}" if self.field else f"line {self.line}"
        return f"{where}: {self.message}"


def load_glossary(text: str) -> Glossary:
    """Parse and validate a glossary written in the YAML format of `glossary/default.yaml`."""
    try:
        return _read_glossary(reader._compose(text))
    except InstrumentError as error:
        message = error.message
        if not error.field and message.startswith("the file is empty"):
            message = "the file is empty; a glossary needs its fields"
        raise GlossaryError(message, error.line, error.field) from None


def load_glossary_file(path: str | os.PathLike[str]) -> Glossary:
    """Read a glossary from a UTF-8 YAML file."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise GlossaryError("the file is not valid UTF-8 text", line=line) from error
    return load_glossary(text)


@functools.cache
def default_glossary() -> Glossary:
    """The WS1 glossary shipped with Förändra (`glossary/default.yaml`)."""
    source = resources.files("forandra.programme").joinpath("glossary", "default.yaml")
    return load_glossary(source.read_text(encoding="utf-8"))


# Parsing -----------------------------------------------------------------------------------------


def _fail(node: Node, field: str, message: str) -> NoReturn:
    raise GlossaryError(message, line=reader._line(node), field=field)


def _read_glossary(root: Node) -> Glossary:
    fields = reader._mapping(root, "", required=("id", "version", "name", "description", "terms"))
    identifier = reader._string(fields["id"], "id")
    if not ID_PATTERN.match(identifier) or len(identifier) > ID_MAX_LENGTH:
        _fail(
            fields["id"],
            "id",
            f"the id {identifier!r} is not allowed; use at most {ID_MAX_LENGTH} lowercase "
            "letters, digits, '_' and '-', starting with a letter or digit",
        )
    version = reader._integer(fields["version"], "version")
    if version < 1:
        _fail(fields["version"], "version", f"the version must be 1 or higher; got {version}")
    name = reader._text(fields["name"], "name")
    description = reader._text(fields["description"], "description")
    term_nodes = reader._sequence(fields["terms"], "terms", "terms")
    if not term_nodes:
        _fail(fields.keys_at["terms"], "terms", "a glossary needs at least one term")
    keys = reader._Keys("term")
    # The same word twice, even under two keys, would leave the group two definitions to agree on.
    words: dict[str, dict[str, tuple[str, int]]] = {language: {} for language in LANGUAGES}
    terms: list[Term] = []
    related_nodes: list[list[Node]] = []
    for index, node in enumerate(term_nodes):
        term, items = _read_term(node, f"terms[{index}]", keys, words)
        terms.append(term)
        related_nodes.append(items)
    # A term may relate to one defined further down, so the keys are checked once all are read.
    known = tuple(t.key for t in terms)
    for index, (term, items) in enumerate(zip(terms, related_nodes, strict=True)):
        for position, (key, item) in enumerate(zip(term.related, items, strict=True)):
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                _fail(
                    item,
                    f"terms[{index}].related[{position}]",
                    f"unknown term '{key}'; {hint}(related keys must name terms in this glossary)",
                )
    return Glossary(
        id=identifier, version=version, name=name, description=description, terms=tuple(terms)
    )


def _read_term(
    node: Node,
    path: str,
    keys: reader._Keys,
    words: dict[str, dict[str, tuple[str, int]]],
) -> tuple[Term, list[Node]]:
    fields = reader._mapping(
        node,
        path,
        required=("key", "term", "definition", "example"),
        optional=("related", "source"),
    )
    key_path = reader._join(path, "key")
    key = reader._key(fields["key"], key_path)
    keys.add(key, fields["key"], key_path, path)

    term_path = reader._join(path, "term")
    term = reader._text(fields["term"], term_path)
    term_fields = reader._mapping(fields["term"], term_path, required=LANGUAGES)
    for language in LANGUAGES:
        word = term.get(language)
        folded = word.casefold()
        seen = words[language]
        value_node = term_fields[language]
        if folded in seen:
            first, line = seen[folded]
            _fail(
                value_node,
                reader._join(term_path, language),
                f"the {LANGUAGE_NAMES[language]} term {word!r} is already defined by {first} on "
                f"line {line}",
            )
        seen[folded] = (path, reader._line(value_node))

    definition_path = reader._join(path, "definition")
    definition = reader._text(fields["definition"], definition_path)
    definition_fields = reader._mapping(fields["definition"], definition_path, required=LANGUAGES)
    for language in LANGUAGES:
        length = len(definition.get(language))
        if length > MAX_DEFINITION_LENGTH:
            _fail(
                definition_fields[language],
                reader._join(definition_path, language),
                f"the definition is {length} characters long; keep it within "
                f"{MAX_DEFINITION_LENGTH} (two or three sentences) and move the rest to the "
                "example",
            )

    example = reader._text(fields["example"], reader._join(path, "example"))
    related, related_nodes = (
        _read_related(fields["related"], reader._join(path, "related"), key)
        if "related" in fields
        else ((), [])
    )
    source = (
        reader._text(fields["source"], reader._join(path, "source")) if "source" in fields else None
    )
    term_value = Term(
        key=key,
        term=term,
        definition=definition,
        example=example,
        related=related,
        source=source,
    )
    return term_value, related_nodes


def _read_related(node: Node, path: str, own_key: str) -> tuple[tuple[str, ...], list[Node]]:
    items = reader._sequence(node, path, "term keys")
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        key = reader._key(item, item_path)
        if key == own_key:
            _fail(item, item_path, f"the term '{own_key}' cannot be related to itself")
        if key in seen:
            _fail(item, item_path, f"the term '{key}' appears twice (first on line {seen[key]})")
        seen[key] = reader._line(item)
    return tuple(seen), items
