"""The waves of change: the catalogue, and reading it from YAML.

A *wave* is a theme of change that signals belong to: accessibility, automation, AI, welfare
technology, ... The *catalogue* lists the waves a region works with. Each wave has a name and a
description in Swedish and English, keywords and example signals in both languages (they seed the
classifier that suggests waves for new signals), and the maturity dimensions the wave builds.
Plain Python, no Django, so the CLI, the API and the tests use it directly.

The YAML reader is the maturity instrument's (same messages: line, dotted field, what is wrong);
only the error class differs, so a caller can tell a bad catalogue from a bad instrument.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import NoReturn

from yaml.nodes import Node

# The instrument's node readers are generic: they know YAML, not instruments, and every message
# names the line and the field. They are private to that module; until they move to `core`,
# calling them beats keeping a second copy in step.
from forandra.maturity import instrument as reader
from forandra.maturity.instrument import (
    ID_MAX_LENGTH,
    ID_PATTERN,
    LANGUAGE_NAMES,
    LANGUAGES,
    InstrumentError,
    Text,
    default_instrument,
)

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Terms",
    "Text",
    "Wave",
    "default_catalogue",
    "load_catalogue",
    "load_catalogue_file",
]


@dataclass(frozen=True)
class Terms:
    """A list of short texts in Swedish and in English (keywords, example signals)."""

    sv: tuple[str, ...]
    en: tuple[str, ...]

    def all(self) -> tuple[str, ...]:
        return self.sv + self.en


@dataclass(frozen=True)
class Wave:
    key: str
    name: Text
    description: Text
    dimensions: tuple[str, ...]  # keys of the maturity dimensions the wave builds
    keywords: Terms
    examples: Terms  # example signals, as a feed item's title or a group member's note reads


@dataclass(frozen=True)
class Catalogue:
    id: str
    version: int
    name: Text
    description: Text
    waves: tuple[Wave, ...]

    def wave(self, key: str) -> Wave:
        return next(w for w in self.waves if w.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(w.key for w in self.waves)


class CatalogueError(ValueError):
    """A malformed waves catalogue: where (line and dotted field path) and what is wrong.

    `str(error)` reads like `line 40, waves[3].dimensions[1]: unknown dimension 'date'; ...`.
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


MIN_WAVES = 2  # fewer leaves nothing to choose between


def load_catalogue(text: str, *, dimensions: Iterable[str] | None = None) -> Catalogue:
    """Parse and validate a waves catalogue; `dimensions` defaults to the default instrument's."""
    known = (
        tuple(dimensions)
        if dimensions is not None
        else tuple(d.key for d in default_instrument().dimensions)
    )
    try:
        return _read_catalogue(reader._compose(text), known)
    except InstrumentError as error:
        message = error.message
        if not error.field and message.startswith("the file is empty"):
            message = "the file is empty; a waves catalogue needs its fields"
        raise CatalogueError(message, error.line, error.field) from None


def load_catalogue_file(
    path: str | os.PathLike[str], *, dimensions: Iterable[str] | None = None
) -> Catalogue:
    """Read a waves catalogue from a UTF-8 YAML file."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CatalogueError("the file is not valid UTF-8 text", line=line) from error
    return load_catalogue(text, dimensions=dimensions)


@functools.cache
def default_catalogue() -> Catalogue:
    """The waves catalogue shipped with Förändra (`waves/default.yaml`)."""
    source = resources.files("forandra.scanning").joinpath("waves", "default.yaml")
    return load_catalogue(source.read_text(encoding="utf-8"))


# Parsing -----------------------------------------------------------------------------------------


def _fail(node: Node, field: str, message: str) -> NoReturn:
    raise CatalogueError(message, line=reader._line(node), field=field)


def _read_catalogue(root: Node, known_dimensions: tuple[str, ...]) -> Catalogue:
    fields = reader._mapping(root, "", required=("id", "version", "name", "description", "waves"))
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
    wave_nodes = reader._sequence(fields["waves"], "waves", "waves")
    if len(wave_nodes) < MIN_WAVES:
        _fail(
            fields.keys_at["waves"],
            "waves",
            f"a catalogue needs at least {MIN_WAVES} waves; it has {len(wave_nodes)}",
        )
    keys = reader._Keys("wave")
    waves = tuple(
        _read_wave(node, f"waves[{index}]", keys, known_dimensions)
        for index, node in enumerate(wave_nodes)
    )
    return Catalogue(
        id=identifier, version=version, name=name, description=description, waves=waves
    )


def _read_wave(
    node: Node, path: str, keys: reader._Keys, known_dimensions: tuple[str, ...]
) -> Wave:
    fields = reader._mapping(
        node, path, required=("key", "name", "description", "dimensions", "keywords", "examples")
    )
    key_path = reader._join(path, "key")
    key = reader._key(fields["key"], key_path)
    keys.add(key, fields["key"], key_path, path)
    return Wave(
        key=key,
        name=reader._text(fields["name"], reader._join(path, "name")),
        description=reader._text(fields["description"], reader._join(path, "description")),
        dimensions=_read_dimensions(
            fields["dimensions"],
            reader._join(path, "dimensions"),
            fields.keys_at["dimensions"],
            known_dimensions,
        ),
        keywords=_read_terms(fields["keywords"], reader._join(path, "keywords"), "keywords"),
        examples=_read_terms(fields["examples"], reader._join(path, "examples"), "example signals"),
    )


def _read_dimensions(
    node: Node, path: str, key_node: Node, known: tuple[str, ...]
) -> tuple[str, ...]:
    items = reader._sequence(node, path, "maturity dimension keys")
    if not items:
        _fail(key_node, path, "name at least one maturity dimension that the wave builds")
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        dimension = reader._key(item, item_path)
        if dimension not in known:
            close = difflib.get_close_matches(dimension, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            _fail(
                item,
                item_path,
                f"unknown dimension '{dimension}'; {hint}(the instrument has: {', '.join(known)})",
            )
        if dimension in seen:
            _fail(
                item,
                item_path,
                f"the dimension '{dimension}' appears twice (first on line {seen[dimension]})",
            )
        seen[dimension] = reader._line(item)
    return tuple(seen)


def _read_terms(node: Node, path: str, what: str) -> Terms:
    fields = reader._mapping(node, path, required=(), optional=LANGUAGES)
    values: dict[str, tuple[str, ...]] = {}
    for language in LANGUAGES:
        language_path = reader._join(path, language)
        name = LANGUAGE_NAMES[language]
        if language not in fields:
            _fail(
                node,
                language_path,
                f"missing the {name} {what} ('{language}'); a wave needs them in both 'sv' and "
                "'en'",
            )
        items = reader._sequence(fields[language], language_path, what)
        if not items:
            _fail(fields[language], language_path, f"is empty; write at least one of the {what}")
        seen: dict[str, int] = {}
        texts: list[str] = []
        for index, item in enumerate(items):
            item_path = f"{language_path}[{index}]"
            value = reader._string(item, item_path)
            folded = value.casefold()
            if folded in seen:
                _fail(
                    item,
                    item_path,
                    f"{value!r} appears twice in the {name} {what} (first on line {seen[folded]})",
                )
            seen[folded] = reader._line(item)
            texts.append(value)
        values[language] = tuple(texts)
    return Terms(sv=values["sv"], en=values["en"])
