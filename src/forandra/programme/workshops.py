"""The programme template: four workshops and the home assignments between them, read from YAML.

A *template* is what a new programme copies: each workshop's title, goals, half-day agenda (time
blocks with a start offset and a length in minutes), exercises and material, and the home
assignments that come after a workshop and are due at the next. Plain Python, no Django, so the
CLI and the tests use it directly. The shipped default (`programmes/default.yaml`) is the 2018
programme of the seed. The format is documented in this app's README; a malformed template is
refused with a `TemplateError` naming the line and the dotted field.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

LANGUAGES = ("sv", "en")
LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}
# The parts of Förändra where a group does an exercise or a home assignment.
FEATURES = ("glossary", "maturity", "scanning", "ideas", "plans")
MATERIAL_KINDS = ("reading", "slides", "podcast", "video", "link")
# A half day: an agenda may not run longer than this.
HALF_DAY_MINUTES = 300

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
URL_PATTERN = re.compile(r"^https?://\S+$")

_YAML_TAG = "tag:yaml.org,2002:"
_NULL = _YAML_TAG + "null"
_INT = _YAML_TAG + "int"


@dataclass(frozen=True)
class Text:
    """A text in Swedish and English."""

    sv: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") else self.sv

    def as_dict(self) -> dict[str, str]:
        return {"sv": self.sv, "en": self.en}


@dataclass(frozen=True)
class AgendaBlock:
    start: int  # minutes after the workshop begins
    minutes: int
    title: Text

    @property
    def end(self) -> int:
        return self.start + self.minutes

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "minutes": self.minutes, "title": self.title.as_dict()}


@dataclass(frozen=True)
class Exercise:
    key: str
    title: Text
    description: Text
    feature: str = ""  # one of FEATURES, or empty when the exercise needs no tool

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "feature": self.feature,
            "title": self.title.as_dict(),
            "description": self.description.as_dict(),
        }


@dataclass(frozen=True)
class Material:
    kind: str  # one of MATERIAL_KINDS
    language: str  # the language the material itself is in
    title: Text
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "language": self.language,
            "title": self.title.as_dict(),
            "url": self.url,
        }


@dataclass(frozen=True)
class WorkshopTemplate:
    number: int
    title: Text
    goals: Text
    agenda: tuple[AgendaBlock, ...]
    exercises: tuple[Exercise, ...]
    material: tuple[Material, ...]

    @property
    def minutes(self) -> int:
        return self.agenda[-1].end


@dataclass(frozen=True)
class AssignmentTemplate:
    key: str
    after_workshop: int
    features: tuple[str, ...]
    title: Text
    description: Text


@dataclass(frozen=True)
class ProgrammeTemplate:
    id: str
    version: int
    name: Text
    workshops: tuple[WorkshopTemplate, ...]
    assignments: tuple[AssignmentTemplate, ...]


class TemplateError(ValueError):
    """A malformed template: where (line and dotted field path) and what is wrong.

    `str(error)` reads like `line 14, workshops[1].agenda[2].start: ...`; `field` is empty for
    problems with the file as a whole (YAML syntax, an empty file).
    """

    def __init__(self, message: str, line: int, field: str = "") -> None:
        self.message = message
        self.line = line
        self.field = field
        super().__init__(message, line, field)

    def __str__(self) -> str:
        where = f"line {self.line}, {self.field}" if self.field else f"line {self.line}"
        return f"{where}: {self.message}"


def load_template(text: str) -> ProgrammeTemplate:
    """Parse and validate a programme template written in the YAML format of this app's README."""
    return _read_template(_compose(text))


def load_template_file(path: str | os.PathLike[str]) -> ProgrammeTemplate:
    """Read a programme template from a UTF-8 YAML file."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TemplateError("the file is not valid UTF-8 text", line=line) from error
    return load_template(text)


@functools.cache
def default_template() -> ProgrammeTemplate:
    """The programme template shipped with Förändra (`programmes/default.yaml`)."""
    source = resources.files("forandra.programme").joinpath("programmes", "default.yaml")
    return load_template(source.read_text(encoding="utf-8"))


# Parsing -----------------------------------------------------------------------------------------


def _compose(text: str) -> Node:
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "unreadable YAML"
        raise TemplateError(
            f"not valid YAML: {problem}", line=mark.line + 1 if mark else 1
        ) from error
    except yaml.YAMLError as error:
        raise TemplateError(f"not valid YAML: {error}", line=1) from error
    if root is None:
        raise TemplateError("the file is empty; a template needs its fields", line=1)
    return root


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _fail(node: Node, field: str, message: str) -> NoReturn:
    raise TemplateError(message, line=_line(node), field=field)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
    if node.tag == _INT:
        return f"the number {node.value}"
    return f"the text {node.value!r}"


class _Fields(dict[str, Node]):
    """A mapping's value nodes by field name, with each field's key node (for its line)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys_at: dict[str, Node] = {}


def _mapping(
    node: Node, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> _Fields:
    """The fields of a mapping node, refusing duplicates, unknown and missing fields."""
    allowed = required + optional
    if not isinstance(node, MappingNode):
        expected = ", ".join(allowed)
        _fail(node, path, f"expected a mapping with the fields {expected}; got {_describe(node)}")
    fields = _Fields()
    for key_node, value_node in node.value:
        name = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
        field = _join(path, name)
        if not name:
            _fail(key_node, path, "a field name must be plain text")
        if name in fields:
            first = _line(fields.keys_at[name])
            _fail(key_node, field, f"the field '{name}' appears twice (first on line {first})")
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            _fail(key_node, field, f"unknown field '{name}'{hint} (allowed: {', '.join(allowed)})")
        fields[name] = value_node
        fields.keys_at[name] = key_node
    for name in required:
        if name not in fields:
            _fail(node, _join(path, name), f"missing the required field '{name}'")
    return fields


def _sequence(node: Node, path: str, what: str) -> list[Node]:
    if not isinstance(node, SequenceNode):
        _fail(node, path, f"expected a list of {what}; got {_describe(node)}")
    return list(node.value)


def _string(node: Node, path: str) -> str:
    """A text value, as written: YAML 1.1 would read `No` or `on` as booleans, we don't."""
    if not isinstance(node, ScalarNode):
        _fail(node, path, f"expected text; got {_describe(node)}")
    if not str(node.tag).startswith(_YAML_TAG):
        _fail(node, path, f"the YAML tag {node.tag!r} is not supported")
    value = "" if node.tag == _NULL else " ".join(str(node.value).split())
    if not value:
        _fail(node, path, "is empty; write a text")
    return value


def _choice(node: Node, path: str, allowed: tuple[str, ...], what: str) -> str:
    value = _string(node, path)
    if value not in allowed:
        _fail(node, path, f"unknown {what} {value!r}; use one of {', '.join(allowed)}")
    return value


def _text(node: Node, path: str) -> Text:
    fields = _mapping(node, path, required=(), optional=LANGUAGES)
    values: dict[str, str] = {}
    for language in LANGUAGES:
        if language not in fields:
            _fail(
                node,
                _join(path, language),
                f"missing the {LANGUAGE_NAMES[language]} text ('{language}'); "
                "every text needs both 'sv' and 'en'",
            )
        values[language] = _string(fields[language], _join(path, language))
    return Text(sv=values["sv"], en=values["en"])


def _key(node: Node, path: str) -> str:
    value = _string(node, path)
    if not KEY_PATTERN.match(value):
        _fail(
            node,
            path,
            f"the key {value!r} is not allowed; use lowercase letters a-z, digits and "
            "underscores, starting with a letter",
        )
    return value


def _integer(node: Node, path: str, minimum: int = 0) -> int:
    if not isinstance(node, ScalarNode) or node.tag != _INT:
        _fail(node, path, f"expected a whole number; got {_describe(node)}")
    try:
        value = int(str(node.value).replace("_", ""), 10)
    except ValueError:
        _fail(node, path, f"expected a whole number in decimal digits; got {node.value}")
    if value < minimum:
        _fail(node, path, f"must be at least {minimum}; got {value}")
    return value


class _Keys:
    """Remembers where each key was first used, to refuse a second use."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seen: dict[str, int] = {}

    def add(self, key: str, node: Node, path: str) -> None:
        if key in self.seen:
            _fail(node, path, f"duplicate {self.what} key '{key}'; line {self.seen[key]} uses it")
        self.seen[key] = _line(node)


def _read_template(root: Node) -> ProgrammeTemplate:
    fields = _mapping(root, "", required=("id", "version", "name", "workshops", "assignments"))
    identifier = _string(fields["id"], "id")
    if not ID_PATTERN.match(identifier):
        _fail(
            fields["id"],
            "id",
            f"the id {identifier!r} is not allowed; use at most 100 lowercase letters, digits, "
            "'_' and '-', starting with a letter or digit",
        )
    workshops = _read_workshops(fields["workshops"], "workshops", fields.keys_at["workshops"])
    return ProgrammeTemplate(
        id=identifier,
        version=_integer(fields["version"], "version", minimum=1),
        name=_text(fields["name"], "name"),
        workshops=workshops,
        assignments=_read_assignments(fields["assignments"], "assignments", len(workshops)),
    )


def _read_workshops(node: Node, path: str, key_node: Node) -> tuple[WorkshopTemplate, ...]:
    nodes = _sequence(node, path, "workshops")
    if not nodes:
        _fail(key_node, path, "a programme needs at least one workshop")
    workshops = []
    exercise_keys = _Keys("exercise")
    for index, workshop_node in enumerate(nodes):
        w_path = f"{path}[{index}]"
        fields = _mapping(
            workshop_node,
            w_path,
            required=("number", "title", "goals", "agenda", "exercises"),
            optional=("material",),
        )
        number = _integer(fields["number"], _join(w_path, "number"), minimum=1)
        if number != index + 1:
            _fail(
                fields["number"],
                _join(w_path, "number"),
                f"the workshops must be numbered 1, 2, ... in order; expected {index + 1} here, "
                f"got {number}",
            )
        exercises = []
        e_list = _join(w_path, "exercises")
        for e_index, e_node in enumerate(_sequence(fields["exercises"], e_list, "exercises")):
            e_path = f"{e_list}[{e_index}]"
            exercise = _mapping(
                e_node, e_path, required=("key", "title", "description"), optional=("feature",)
            )
            key = _key(exercise["key"], _join(e_path, "key"))
            exercise_keys.add(key, exercise["key"], _join(e_path, "key"))
            feature = (
                _choice(exercise["feature"], _join(e_path, "feature"), FEATURES, "feature")
                if "feature" in exercise
                else ""
            )
            exercises.append(
                Exercise(
                    key=key,
                    feature=feature,
                    title=_text(exercise["title"], _join(e_path, "title")),
                    description=_text(exercise["description"], _join(e_path, "description")),
                )
            )
        material: list[Material] = []
        if "material" in fields:
            material = _read_material(fields["material"], _join(w_path, "material"))
        workshops.append(
            WorkshopTemplate(
                number=number,
                title=_text(fields["title"], _join(w_path, "title")),
                goals=_text(fields["goals"], _join(w_path, "goals")),
                agenda=_read_agenda(
                    fields["agenda"], _join(w_path, "agenda"), fields.keys_at["agenda"]
                ),
                exercises=tuple(exercises),
                material=tuple(material),
            )
        )
    return tuple(workshops)


def _read_agenda(node: Node, path: str, key_node: Node) -> tuple[AgendaBlock, ...]:
    nodes = _sequence(node, path, "agenda blocks")
    if not nodes:
        _fail(key_node, path, "a workshop needs at least one agenda block")
    blocks: list[AgendaBlock] = []
    for index, block_node in enumerate(nodes):
        b_path = f"{path}[{index}]"
        fields = _mapping(block_node, b_path, required=("start", "minutes", "title"))
        start = _integer(fields["start"], _join(b_path, "start"))
        minutes = _integer(fields["minutes"], _join(b_path, "minutes"), minimum=1)
        if not blocks and start != 0:
            _fail(
                fields["start"], _join(b_path, "start"), f"the first block starts at 0; got {start}"
            )
        if blocks and start < blocks[-1].end:
            _fail(
                fields["start"],
                _join(b_path, "start"),
                f"starts at minute {start}, before the previous block ends at minute "
                f"{blocks[-1].end}; blocks may not overlap",
            )
        if start + minutes > HALF_DAY_MINUTES:
            _fail(
                fields["minutes"],
                _join(b_path, "minutes"),
                f"the block ends at minute {start + minutes}; a half-day workshop ends by minute "
                f"{HALF_DAY_MINUTES}",
            )
        blocks.append(
            AgendaBlock(
                start=start, minutes=minutes, title=_text(fields["title"], _join(b_path, "title"))
            )
        )
    return tuple(blocks)


def _read_material(node: Node, path: str) -> list[Material]:
    material = []
    for index, item_node in enumerate(_sequence(node, path, "material")):
        m_path = f"{path}[{index}]"
        fields = _mapping(
            item_node, m_path, required=("kind", "language", "title"), optional=("url",)
        )
        url = ""
        if "url" in fields:
            url = _string(fields["url"], _join(m_path, "url"))
            if not URL_PATTERN.match(url):
                _fail(
                    fields["url"], _join(m_path, "url"), f"expected an http(s) address; got {url!r}"
                )
        material.append(
            Material(
                kind=_choice(fields["kind"], _join(m_path, "kind"), MATERIAL_KINDS, "kind"),
                language=_choice(
                    fields["language"], _join(m_path, "language"), LANGUAGES, "language"
                ),
                title=_text(fields["title"], _join(m_path, "title")),
                url=url,
            )
        )
    return material


def _read_assignments(node: Node, path: str, workshop_count: int) -> tuple[AssignmentTemplate, ...]:
    keys = _Keys("assignment")
    assignments = []
    for index, a_node in enumerate(_sequence(node, path, "assignments")):
        a_path = f"{path}[{index}]"
        fields = _mapping(
            a_node, a_path, required=("key", "after_workshop", "features", "title", "description")
        )
        key = _key(fields["key"], _join(a_path, "key"))
        keys.add(key, fields["key"], _join(a_path, "key"))
        after = _integer(fields["after_workshop"], _join(a_path, "after_workshop"), minimum=1)
        if after >= workshop_count:
            _fail(
                fields["after_workshop"],
                _join(a_path, "after_workshop"),
                f"a home assignment comes between workshops, so after workshop 1 to "
                f"{workshop_count - 1}; got {after}",
            )
        f_path = _join(a_path, "features")
        feature_nodes = _sequence(fields["features"], f_path, "feature keys")
        if not feature_nodes:
            _fail(fields.keys_at["features"], f_path, "name at least one feature")
        features = tuple(
            _choice(f_node, f"{f_path}[{f_index}]", FEATURES, "feature")
            for f_index, f_node in enumerate(feature_nodes)
        )
        assignments.append(
            AssignmentTemplate(
                key=key,
                after_workshop=after,
                features=features,
                title=_text(fields["title"], _join(a_path, "title")),
                description=_text(fields["description"], _join(a_path, "description")),
            )
        )
    return tuple(assignments)
