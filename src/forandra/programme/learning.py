"""The leaders' learning path: its modules, and reading it from YAML.

"Boards and management must understand digitalisation before we build finished services" (the
seed). The *learning path* is a short course for a municipality's leadership team, one *module*
for each of the seed's steps to understanding: the digital culture, why it matters, digital
maturity, the leader's role, innovation. A module has an introduction, a few sources to read,
watch or listen to, reflection questions for the team to talk through together, and a prompt for
the note each leader keeps. Plain Python, no Django, so the CLI, the API and the tests use it
directly.

The YAML reader is the maturity instrument's (same messages: line, dotted field, what is wrong);
only the error class differs, so a caller can tell a bad learning path from a bad instrument.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import NoReturn
from urllib.parse import urlsplit

from yaml.nodes import Node

# The instrument's node readers are generic: they know YAML, not instruments, and every message
# names the line and the field. They are private to that module; until they move to `core`,
# calling them beats keeping a second copy in step (the waves catalogue does the same).
from forandra.maturity import instrument as reader
from forandra.maturity.instrument import ID_MAX_LENGTH, ID_PATTERN, InstrumentError, Text

__all__ = [
    "LearningPath",
    "LearningPathError",
    "Module",
    "Reading",
    "ReadingKind",
    "Text",
    "default_learning_path",
    "load_learning_path",
    "load_learning_path_file",
]


class ReadingKind(StrEnum):
    """What a source is, so the leader knows whether to read, watch or listen."""

    ARTICLE = "article"
    REPORT = "report"
    BOOK = "book"
    LAW = "law"
    PODCAST = "podcast"
    VIDEO = "video"


@dataclass(frozen=True)
class Reading:
    """A public source: named by title and author or publisher, never by a guessed address."""

    title: str  # as published, in the source's own language
    by: str  # author, publisher, or both
    kind: ReadingKind
    language: str  # ISO 639-1 code of the source itself ("sv", "en")
    description: Text  # one line: what it is and why it is worth the time
    year: int | None = None  # None for a series (a yearly report, a podcast)
    url: str = ""  # only when the address is known to be right


@dataclass(frozen=True)
class Module:
    key: str
    number: int  # 1, 2, ... in the path's order
    title: Text
    minutes: int  # an estimate for reading and the team's conversation
    introduction: Text  # what the module is about, and why it matters
    reading: tuple[Reading, ...]
    questions: tuple[Text, ...]  # for the leadership team to talk through together
    note_prompt: Text  # what each leader writes down for themselves afterwards


@dataclass(frozen=True)
class LearningPath:
    id: str
    version: int
    name: Text
    description: Text
    modules: tuple[Module, ...]

    def module(self, key: str) -> Module:
        return next(m for m in self.modules if m.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.modules)

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)


class LearningPathError(ValueError):
    """A malformed learning path: where (line and dotted field path) and what is wrong.

    `str(error)` reads like `line 31, modules[1].minutes: ...`.
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


MIN_MINUTES = 5
MAX_MINUTES = 120  # a module is short: one sitting, not a course day
MIN_YEAR = 1900
MAX_YEAR = 2100
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


def load_learning_path(text: str) -> LearningPath:
    """Parse and validate a learning path written in YAML (see `learning/leaders.yaml`)."""
    try:
        return _read_path(reader._compose(text))
    except InstrumentError as error:
        message = error.message
        if not error.field and message.startswith("the file is empty"):
            message = "the file is empty; a learning path needs its fields"
        raise LearningPathError(message, error.line, error.field) from None


def load_learning_path_file(path: str | os.PathLike[str]) -> LearningPath:
    """Read a learning path from a UTF-8 YAML file."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise LearningPathError("the file is not valid UTF-8 text", line=line) from error
    return load_learning_path(text)


@functools.cache
def default_learning_path() -> LearningPath:
    """The leaders' learning path shipped with Förändra (`learning/leaders.yaml`)."""
    source = resources.files("forandra.programme").joinpath("learning", "leaders.yaml")
    return load_learning_path(source.read_text(encoding="utf-8"))


# Parsing -----------------------------------------------------------------------------------------


def _fail(node: Node, field: str, message: str) -> NoReturn:
    raise LearningPathError(message, line=reader._line(node), field=field)


def _read_path(root: Node) -> LearningPath:
    fields = reader._mapping(root, "", required=("id", "version", "name", "description", "modules"))
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
    module_nodes = reader._sequence(fields["modules"], "modules", "modules")
    if not module_nodes:
        _fail(fields.keys_at["modules"], "modules", "a learning path needs at least one module")
    keys = reader._Keys("module")
    modules = tuple(
        _read_module(node, f"modules[{index}]", index + 1, keys)
        for index, node in enumerate(module_nodes)
    )
    return LearningPath(
        id=identifier, version=version, name=name, description=description, modules=modules
    )


def _read_module(node: Node, path: str, number: int, keys: reader._Keys) -> Module:
    fields = reader._mapping(
        node,
        path,
        required=("key", "title", "minutes", "introduction", "reading", "questions", "note_prompt"),
    )
    key_path = reader._join(path, "key")
    key = reader._key(fields["key"], key_path)
    keys.add(key, fields["key"], key_path, path)
    title = reader._text(fields["title"], reader._join(path, "title"))

    minutes_path = reader._join(path, "minutes")
    minutes = reader._integer(fields["minutes"], minutes_path)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        _fail(
            fields["minutes"],
            minutes_path,
            f"the estimated time must be {MIN_MINUTES} to {MAX_MINUTES} minutes (a module is "
            f"short); got {minutes}",
        )

    introduction = reader._text(fields["introduction"], reader._join(path, "introduction"))

    reading_path = reader._join(path, "reading")
    reading_nodes = reader._sequence(fields["reading"], reading_path, "sources to read")
    if not reading_nodes:
        _fail(
            fields.keys_at["reading"],
            reading_path,
            f"the module '{key}' needs at least one source to read, watch or listen to",
        )
    titles: dict[str, int] = {}
    reading = tuple(
        _read_reading(item, f"{reading_path}[{index}]", titles)
        for index, item in enumerate(reading_nodes)
    )

    questions_path = reader._join(path, "questions")
    question_nodes = reader._sequence(
        fields["questions"], questions_path, "reflection questions (each with 'sv' and 'en')"
    )
    if not question_nodes:
        _fail(
            fields.keys_at["questions"],
            questions_path,
            f"the module '{key}' needs at least one reflection question",
        )
    questions = tuple(
        reader._text(item, f"{questions_path}[{index}]")
        for index, item in enumerate(question_nodes)
    )

    return Module(
        key=key,
        number=number,
        title=title,
        minutes=minutes,
        introduction=introduction,
        reading=reading,
        questions=questions,
        note_prompt=reader._text(fields["note_prompt"], reader._join(path, "note_prompt")),
    )


def _read_reading(node: Node, path: str, titles: dict[str, int]) -> Reading:
    fields = reader._mapping(
        node,
        path,
        required=("title", "by", "kind", "language", "description"),
        optional=("year", "url"),
    )
    title_path = reader._join(path, "title")
    title = reader._string(fields["title"], title_path)
    folded = title.casefold()
    if folded in titles:
        _fail(
            fields["title"],
            title_path,
            f"the source {title!r} appears twice in this module (first on line {titles[folded]})",
        )
    titles[folded] = reader._line(fields["title"])

    kind_path = reader._join(path, "kind")
    kind = reader._string(fields["kind"], kind_path)
    allowed = [k.value for k in ReadingKind]
    if kind not in allowed:
        close = difflib.get_close_matches(kind, allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        _fail(fields["kind"], kind_path, f"unknown kind {kind!r}; {hint}(use {', '.join(allowed)})")

    language_path = reader._join(path, "language")
    language = reader._string(fields["language"], language_path)
    if not LANGUAGE_CODE.match(language):
        _fail(
            fields["language"],
            language_path,
            f"the language {language!r} is not a two-letter code such as 'sv' or 'en'",
        )

    year: int | None = None
    if "year" in fields:
        year_path = reader._join(path, "year")
        year = reader._integer(fields["year"], year_path)
        if not MIN_YEAR <= year <= MAX_YEAR:
            _fail(
                fields["year"],
                year_path,
                f"the year must lie between {MIN_YEAR} and {MAX_YEAR}; got {year}",
            )

    url = ""
    if "url" in fields:
        url_path = reader._join(path, "url")
        url = reader._string(fields["url"], url_path)
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in url):
            _fail(
                fields["url"],
                url_path,
                f"{url!r} is not an https:// address; leave 'url' out rather than guess one",
            )

    return Reading(
        title=title,
        by=reader._string(fields["by"], reader._join(path, "by")),
        kind=ReadingKind(kind),
        language=language,
        description=reader._text(fields["description"], reader._join(path, "description")),
        year=year,
        url=url,
    )
