"""The maturity instrument: its parts, and reading it from YAML.

An *instrument* is a versioned questionnaire: dimensions (areas of digital maturity, each on the
capability or the prerequisite axis), statements to agree or disagree with, the answer scale, the
maturity levels, and the four quadrants that the two axes span. Plain Python, no Django, so the
CLI, the API and the tests use it directly. The YAML format is documented in this app's README.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LANGUAGES = ("sv", "en")


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
