"""The maturity instrument: its parts, and reading it from YAML.

An *instrument* is a versioned questionnaire: dimensions (areas of digital maturity, each on the
capability or the prerequisite axis), statements to agree or disagree with, the answer scale, the
maturity levels, and the four quadrants that the two axes span. Plain Python, no Django, so the
CLI, the API and the tests use it directly. The YAML format is documented in this app's README.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any, NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

LANGUAGES = ("sv", "en")
LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}


class Axis(StrEnum):
    CAPABILITY = "capability"
    PREREQUISITE = "prerequisite"


@dataclass(frozen=True)
class Text:
    """A text in Swedish and English."""

    sv: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") else self.sv


@dataclass(frozen=True)
class Statement:
    key: str
    text: Text
    reverse: bool = False


@dataclass(frozen=True)
class Dimension:
    key: str
    axis: Axis
    name: Text
    description: Text
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class ScaleStep:
    value: int  # 1..len(steps), in order from "not at all true" to "completely true"
    label: Text


@dataclass(frozen=True)
class Scale:
    steps: tuple[ScaleStep, ...]
    dont_know: Text  # counts as no answer

    @property
    def size(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Level:
    key: str
    minimum: float  # the lowest overall score (0-100) at this level
    name: Text
    description: Text


@dataclass(frozen=True)
class Quadrant:
    """One of the four positions spanned by the capability and prerequisite axes."""

    key: str
    high_capability: bool
    high_prerequisite: bool
    name: Text
    description: Text


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    name: Text
    description: Text
    scale: Scale
    levels: tuple[Level, ...]  # ascending by minimum, the first at 0
    quadrant_threshold: float  # an axis score at or above this is "high"
    quadrants: tuple[Quadrant, ...]
    dimensions: tuple[Dimension, ...]

    def statements(self) -> tuple[tuple[Dimension, Statement], ...]:
        return tuple((d, s) for d in self.dimensions for s in d.statements)

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)


# Reading and writing the YAML format ------------------------------------------------------------

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # a slug, as the database stores it
ID_MAX_LENGTH = 100

_YAML_TAG = "tag:yaml.org,2002:"
_NULL = _YAML_TAG + "null"
_BOOL = _YAML_TAG + "bool"
_INT = _YAML_TAG + "int"
_FLOAT = _YAML_TAG + "float"

# Builds int, float and bool values from single scalar nodes; it never constructs objects.
_SCALARS = SafeConstructor()


class InstrumentError(ValueError):
    """A malformed instrument: where (line and dotted field path) and what is wrong.

    `str(error)` reads like `line 14, dimensions[2].axis: unknown axis 'capabilty'; ...`.
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


def load_instrument(text: str) -> Instrument:
    """Parse and validate an instrument written in the YAML format of this app's README."""
    return _read_instrument(_compose(text))


def load_instrument_file(path: str | os.PathLike[str]) -> Instrument:
    """Read an instrument from a UTF-8 YAML file."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InstrumentError("the file is not valid UTF-8 text", line=line) from error
    return load_instrument(text)


@functools.cache
def default_instrument() -> Instrument:
    """The instrument shipped with Förändra (`instruments/default.yaml`)."""
    source = resources.files("forandra.maturity").joinpath("instruments", "default.yaml")
    return load_instrument(source.read_text(encoding="utf-8"))


def instrument_to_yaml(instrument: Instrument) -> str:
    """Write an instrument in the YAML format; `load_instrument` reads it back unchanged."""

    def text(value: Text) -> dict[str, str]:
        return {"sv": value.sv, "en": value.en}

    def number(value: float) -> int | float:
        return int(value) if float(value).is_integer() else value

    def statement(s: Statement) -> dict[str, Any]:
        data: dict[str, Any] = {"key": s.key, "text": text(s.text)}
        if s.reverse:
            data["reverse"] = True
        return data

    document: dict[str, Any] = {
        "id": instrument.id,
        "version": instrument.version,
        "name": text(instrument.name),
        "description": text(instrument.description),
        "scale": {
            "steps": [{"value": s.value, "label": text(s.label)} for s in instrument.scale.steps],
            "dont_know": text(instrument.scale.dont_know),
        },
        "levels": [
            {
                "key": level.key,
                "min": number(level.minimum),
                "name": text(level.name),
                "description": text(level.description),
            }
            for level in instrument.levels
        ],
        "quadrants": {
            "threshold": number(instrument.quadrant_threshold),
            "types": [
                {
                    "key": q.key,
                    "high_capability": q.high_capability,
                    "high_prerequisite": q.high_prerequisite,
                    "name": text(q.name),
                    "description": text(q.description),
                }
                for q in instrument.quadrants
            ],
        },
        "dimensions": [
            {
                "key": d.key,
                "axis": d.axis.value,
                "name": text(d.name),
                "description": text(d.description),
                "statements": [statement(s) for s in d.statements],
            }
            for d in instrument.dimensions
        ],
    }
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )


class _Dumper(yaml.SafeDumper):
    """Indents a list under its field, as the shipped instrument is written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


# Parsing -----------------------------------------------------------------------------------------


def _compose(text: str) -> Node:
    try:
        # libyaml's loader when present: same nodes and marks, many times faster.
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "unreadable YAML"
        if error.context and error.context_mark:
            problem = f"{error.context} on line {error.context_mark.line + 1}, {problem}"
        raise InstrumentError(
            f"not valid YAML: {problem}", line=mark.line + 1 if mark else 1
        ) from error
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        character = error.character
        code = ord(character) if isinstance(character, str) else int(character)
        message = f"not valid YAML: the character U+{code:04X} is not allowed"
        raise InstrumentError(message, line=line) from error
    except yaml.YAMLError as error:  # pragma: no cover - every PyYAML error above carries a place
        raise InstrumentError(f"not valid YAML: {error}", line=1) from error
    if root is None:
        raise InstrumentError("the file is empty; an instrument needs its fields", line=1)
    return root


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _fail(node: Node, field: str, message: str) -> NoReturn:
    raise InstrumentError(message, line=_line(node), field=field)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return {
        _NULL: "nothing",
        _BOOL: f"the boolean {node.value!r}",
        _INT: f"the number {node.value}",
        _FLOAT: f"the number {node.value}",
    }.get(node.tag, f"the text {node.value!r}")


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
        if not isinstance(key_node, ScalarNode):
            _fail(key_node, path, "a field name must be plain text")
        name = str(key_node.value)
        field = _join(path, name)
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
    if node.tag == _NULL:
        _fail(node, path, "is empty; write a text")
    if not str(node.tag).startswith(_YAML_TAG):
        _fail(node, path, f"the YAML tag {node.tag!r} is not supported")
    value = str(node.value).strip()
    if not value:
        _fail(node, path, "is empty; write a text")
    return value


def _text(node: Node, path: str) -> Text:
    fields = _mapping(node, path, required=(), optional=LANGUAGES)
    values: dict[str, str] = {}
    for language in LANGUAGES:
        if language not in fields:
            name = LANGUAGE_NAMES[language]
            _fail(
                node,
                _join(path, language),
                f"missing the {name} text ('{language}'); every text needs both 'sv' and 'en'",
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


def _integer(node: Node, path: str) -> int:
    if not isinstance(node, ScalarNode) or node.tag != _INT:
        _fail(node, path, f"expected a whole number; got {_describe(node)}")
    try:
        return int(_SCALARS.construct_yaml_int(node))
    except ValueError:
        _fail(node, path, f"the number {node.value} is too large")


def _number(node: Node, path: str) -> float:
    if not isinstance(node, ScalarNode) or node.tag not in (_INT, _FLOAT):
        _fail(node, path, f"expected a number; got {_describe(node)}")
    try:
        if node.tag == _INT:
            value = float(_SCALARS.construct_yaml_int(node))
        else:
            value = float(_SCALARS.construct_yaml_float(node))
    except (ValueError, OverflowError):
        _fail(node, path, f"the number {node.value} is too large")
    if not math.isfinite(value):
        _fail(node, path, f"expected a finite number; got {node.value}")
    return value


def _boolean(node: Node, path: str) -> bool:
    if not isinstance(node, ScalarNode) or node.tag != _BOOL:
        _fail(node, path, f"expected true or false; got {_describe(node)}")
    return bool(_SCALARS.construct_yaml_bool(node))


class _Keys:
    """Remembers where each key was first used, to refuse a second use."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seen: dict[str, tuple[str, int]] = {}

    def add(self, key: str, node: Node, path: str, owner: str) -> None:
        if key in self.seen:
            first, line = self.seen[key]
            _fail(node, path, f"duplicate {self.what} key '{key}'; {first} on line {line} uses it")
        self.seen[key] = (owner, _line(node))


def _read_instrument(root: Node) -> Instrument:
    fields = _mapping(
        root,
        "",
        required=(
            "id",
            "version",
            "name",
            "description",
            "scale",
            "levels",
            "quadrants",
            "dimensions",
        ),
    )
    identifier = _string(fields["id"], "id")
    if not ID_PATTERN.match(identifier) or len(identifier) > ID_MAX_LENGTH:
        _fail(
            fields["id"],
            "id",
            f"the id {identifier!r} is not allowed; use at most {ID_MAX_LENGTH} lowercase "
            "letters, digits, '_' and '-', starting with a letter or digit",
        )
    version = _integer(fields["version"], "version")
    if version < 1:
        _fail(fields["version"], "version", f"the version must be 1 or higher; got {version}")
    threshold, quadrants = _read_quadrants(fields["quadrants"], "quadrants")
    return Instrument(
        id=identifier,
        version=version,
        name=_text(fields["name"], "name"),
        description=_text(fields["description"], "description"),
        scale=_read_scale(fields["scale"], "scale"),
        levels=_read_levels(fields["levels"], "levels", fields.keys_at["levels"]),
        quadrant_threshold=threshold,
        quadrants=quadrants,
        dimensions=_read_dimensions(
            fields["dimensions"], "dimensions", fields.keys_at["dimensions"]
        ),
    )


def _read_scale(node: Node, path: str) -> Scale:
    fields = _mapping(node, path, required=("steps", "dont_know"))
    steps_path = _join(path, "steps")
    step_nodes = _sequence(fields["steps"], steps_path, "scale steps")
    if len(step_nodes) < 2:
        _fail(
            fields.keys_at["steps"],
            steps_path,
            f"the scale needs at least 2 steps; it has {len(step_nodes)}",
        )
    steps = []
    for index, step_node in enumerate(step_nodes):
        step_path = f"{steps_path}[{index}]"
        step = _mapping(step_node, step_path, required=("value", "label"))
        value = _integer(step["value"], _join(step_path, "value"))
        if value != index + 1:
            _fail(
                step["value"],
                _join(step_path, "value"),
                f"the scale values must be 1, 2, ... {len(step_nodes)} in order; "
                f"expected {index + 1} here, got {value}",
            )
        steps.append(ScaleStep(value=value, label=_text(step["label"], _join(step_path, "label"))))
    dont_know = _text(fields["dont_know"], _join(path, "dont_know"))
    return Scale(steps=tuple(steps), dont_know=dont_know)


def _read_levels(node: Node, path: str, key_node: Node) -> tuple[Level, ...]:
    level_nodes = _sequence(node, path, "levels")
    if not level_nodes:
        _fail(key_node, path, "at least one maturity level is needed, starting at min 0")
    keys = _Keys("level")
    levels: list[Level] = []
    for index, level_node in enumerate(level_nodes):
        level_path = f"{path}[{index}]"
        fields = _mapping(level_node, level_path, required=("key", "min", "name", "description"))
        key = _key(fields["key"], _join(level_path, "key"))
        keys.add(key, fields["key"], _join(level_path, "key"), level_path)
        minimum = _number(fields["min"], _join(level_path, "min"))
        min_path = _join(level_path, "min")
        if index == 0 and minimum != 0:
            _fail(fields["min"], min_path, f"the first level must start at min 0; got {minimum:g}")
        if levels and minimum <= levels[-1].minimum:
            _fail(
                fields["min"],
                min_path,
                f"the levels' min must rise strictly; {minimum:g} is not above the previous "
                f"level's {levels[-1].minimum:g}",
            )
        if not 0 <= minimum < 100:
            _fail(fields["min"], min_path, f"min must be at least 0 and below 100; got {minimum:g}")
        levels.append(
            Level(
                key=key,
                minimum=minimum,
                name=_text(fields["name"], _join(level_path, "name")),
                description=_text(fields["description"], _join(level_path, "description")),
            )
        )
    return tuple(levels)


def _read_quadrants(node: Node, path: str) -> tuple[float, tuple[Quadrant, ...]]:
    fields = _mapping(node, path, required=("threshold", "types"))
    threshold_path = _join(path, "threshold")
    threshold = _number(fields["threshold"], threshold_path)
    if not 0 < threshold < 100:
        _fail(
            fields["threshold"],
            threshold_path,
            f"the threshold must lie between 0 and 100 (both excluded); got {threshold:g}",
        )
    types_path = _join(path, "types")
    type_nodes = _sequence(fields["types"], types_path, "quadrants")
    keys = _Keys("quadrant")
    places: dict[tuple[bool, bool], tuple[str, int]] = {}
    quadrants: list[Quadrant] = []
    for index, type_node in enumerate(type_nodes):
        type_path = f"{types_path}[{index}]"
        quadrant = _mapping(
            type_node,
            type_path,
            required=("key", "high_capability", "high_prerequisite", "name", "description"),
        )
        key = _key(quadrant["key"], _join(type_path, "key"))
        keys.add(key, quadrant["key"], _join(type_path, "key"), type_path)
        capability = _boolean(quadrant["high_capability"], _join(type_path, "high_capability"))
        prerequisite = _boolean(
            quadrant["high_prerequisite"], _join(type_path, "high_prerequisite")
        )
        if (capability, prerequisite) in places:
            first, line = places[(capability, prerequisite)]
            _fail(
                type_node,
                type_path,
                f"{first} on line {line} already covers high_capability: "
                f"{str(capability).lower()}, high_prerequisite: {str(prerequisite).lower()}; "
                "each of the four combinations needs exactly one quadrant",
            )
        places[(capability, prerequisite)] = (type_path, _line(type_node))
        quadrants.append(
            Quadrant(
                key=key,
                high_capability=capability,
                high_prerequisite=prerequisite,
                name=_text(quadrant["name"], _join(type_path, "name")),
                description=_text(quadrant["description"], _join(type_path, "description")),
            )
        )
    missing = [
        f"high_capability: {str(c).lower()}, high_prerequisite: {str(p).lower()}"
        for c in (False, True)
        for p in (False, True)
        if (c, p) not in places
    ]
    if missing:
        _fail(
            fields.keys_at["types"],
            types_path,
            f"no quadrant for {'; '.join(missing)}; "
            "the four quadrants must cover each combination exactly once",
        )
    return threshold, tuple(quadrants)


def _read_dimensions(node: Node, path: str, key_node: Node) -> tuple[Dimension, ...]:
    dimension_nodes = _sequence(node, path, "dimensions")
    if not dimension_nodes:
        _fail(key_node, path, "an instrument needs at least one dimension")
    dimension_keys = _Keys("dimension")
    statement_keys = _Keys("statement")
    dimensions: list[Dimension] = []
    for index, dimension_node in enumerate(dimension_nodes):
        dim_path = f"{path}[{index}]"
        fields = _mapping(
            dimension_node,
            dim_path,
            required=("key", "axis", "name", "description", "statements"),
        )
        key = _key(fields["key"], _join(dim_path, "key"))
        dimension_keys.add(key, fields["key"], _join(dim_path, "key"), dim_path)
        axis_text = _string(fields["axis"], _join(dim_path, "axis"))
        if axis_text not in {a.value for a in Axis}:
            _fail(
                fields["axis"],
                _join(dim_path, "axis"),
                f"unknown axis {axis_text!r}; use 'capability' or 'prerequisite'",
            )
        statements_path = _join(dim_path, "statements")
        statement_nodes = _sequence(fields["statements"], statements_path, "statements")
        if not statement_nodes:
            _fail(
                fields.keys_at["statements"],
                statements_path,
                f"the dimension '{key}' needs at least one statement",
            )
        statements: list[Statement] = []
        for s_index, statement_node in enumerate(statement_nodes):
            s_path = f"{statements_path}[{s_index}]"
            statement = _mapping(
                statement_node, s_path, required=("key", "text"), optional=("reverse",)
            )
            s_key = _key(statement["key"], _join(s_path, "key"))
            statement_keys.add(s_key, statement["key"], _join(s_path, "key"), s_path)
            reverse = (
                _boolean(statement["reverse"], _join(s_path, "reverse"))
                if "reverse" in statement
                else False
            )
            statements.append(
                Statement(
                    key=s_key, text=_text(statement["text"], _join(s_path, "text")), reverse=reverse
                )
            )
        dimensions.append(
            Dimension(
                key=key,
                axis=Axis(axis_text),
                name=_text(fields["name"], _join(dim_path, "name")),
                description=_text(fields["description"], _join(dim_path, "description")),
                statements=tuple(statements),
            )
        )
    for axis in Axis:
        if not any(d.axis == axis for d in dimensions):
            _fail(
                key_node,
                path,
                f"no dimension is on the '{axis.value}' axis; the capability-versus-prerequisite "
                "view needs dimensions on both axes",
            )
    return tuple(dimensions)
