"""Synonyms for finding similar ideas: a small, hand-written list of concepts and their variants.

Character n-grams match inflections and compounds ("snöröjningskarta" and "karta över
snöröjning"), but not synonyms and abbreviations: "chattbot" and "AI-assistent", "phishing" and
"nätfiske", "e-tjänst" and "digital ansökan" share no n-grams. `synonyms.yaml` lists concepts of
Swedish municipal and digitalisation vocabulary, each a canonical key and its variants;
`expand(text)` appends the key of every concept found in a text, so two texts that use different
variants share the key as a word. Plain Python, no Django.

How variants match (the text is lower-cased first):

- Always at the start of a word: "va" never matches inside "vatten".
- A variant of one word (hyphens allowed, spaces not) of more than five letters also matches as
  the first part of a compound or inflected word ("chattbot" in "chattbotten", "snöröjning" in
  "snöröjningskarta") and as the last part ("bygglov" in "e-bygglovet", "avfall" in "matavfall").
- Shorter variants and phrases match as whole words, where the last word, if it has four letters
  or more, may take a Swedish ending ("e-post" in "e-posten", "digital brevlåda" in "digitala
  brevlådan"). In a phrase, the other words of four letters or more may take an ending too
  ("digital tjänst" matches "digitala tjänster" and "digitalt tjänsteutbud" does not).
- Hyphens, spaces and nothing are the same between parts: "e-tjänst" matches "etjänst" and
  "e tjänst", "vatten och avlopp" matches "vatten- och avlopp".
- Where variants overlap at the same word, the longest one wins, so a longer variant of another
  concept ("självservice för lösenord") takes precedence over a shorter one ("självservice").

Each concept's key is a plain word of three letters or more (the TF-IDF in `similarity` leaves out
shorter words) and counts as one of its variants. The file is read once, checked (malformed entries
are refused with the line and entry named), and compiled into two regular expressions: one over the
text, one over the text reversed for the last parts of compounds. Both are tries of all variants,
so the cost of a text grows with its length, not with the number of variants; they have no groups
(a match's cost grows with them), and a matched span is named once, by the same trie with a marker
at each variant's end, and remembered.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "Synonyms",
    "SynonymsError",
    "concepts",
    "default_synonyms",
    "expand",
    "load_synonyms",
    "load_synonyms_file",
]

COMPOUND_MIN = 6  # letters a one-word variant needs to match as part of a compound
ENDING_MIN = 4  # letters a word needs to take a Swedish ending
SPANS_KEPT = 100_000  # matched spans remembered with their keys
SEPARATOR = "; "  # between the text and the keys, and between keys: no variant crosses it

# Endings of Swedish nouns, adjectives and verbs that a phrase's words may take.
_LAST_ENDINGS = (
    "arna", "erna", "orna", "ens", "ets", "ers", "ars", "na", "ns", "en", "et", "er", "ar", "or",
    "n", "s", "t", "e",
)  # fmt: skip
_INNER_ENDINGS = ("na", "en", "et", "er", "ar", "a", "e", "t", "s")

_KEY = re.compile(r"[^\W_]{3,}")
_PART = re.compile(r"[^\W_]+(?::[^\W_]+)*")  # "api:er", "1:1"

# Units of a variant in the trie: its characters, and two markers.
_INFLECTION = "\x00i"  # an optional ending on a phrase's inner word
_SEPARATOR = "\x00s"  # between words or hyphenated parts: spaces, hyphens or nothing


def _alternatives(words: Iterable[str]) -> str:
    return "(?:" + "|".join(re.escape(word) for word in words) + ")?"


_UNIT_PATTERNS = {_INFLECTION: _alternatives(_INNER_ENDINGS), _SEPARATOR: r"[\s\-–]*"}
_LAST_ENDING = _alternatives(_LAST_ENDINGS)
_LAST_ENDING_REVERSED = _alternatives(ending[::-1] for ending in _LAST_ENDINGS)


class SynonymsError(ValueError):
    """A synonyms file that cannot be used; the message names the line and the entry."""

    def __init__(self, message: str, line: int | None = None, entry: str | None = None) -> None:
        self.message = message
        self.line = line
        self.entry = entry
        where = []
        if line is not None:
            where.append(f"line {line}")
        if entry is not None:
            where.append(f"entry {entry!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class _Variant:
    text: str  # normalised: lower case, NFC, single spaces, "-" for dashes
    units: tuple[str, ...]
    compound: bool  # one word of COMPOUND_MIN letters or more: matches as part of a compound
    last_letters: int  # letters of the last word


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    leaves: list[tuple[str, str]] = field(default_factory=list)  # (tail pattern, marker group)


class Synonyms:
    """Concepts and their variants, compiled for matching."""

    def __init__(self, groups: Mapping[str, tuple[str, ...]]) -> None:
        """`groups` maps each key to its variants (the key among them), checked by `_read`."""
        self.groups: dict[str, tuple[str, ...]] = dict(groups)
        self._markers: dict[str, str] = {}  # marker group name -> key
        forward, backward = _Node(), _Node()
        for key, variants in self.groups.items():
            for text in variants:
                variant = _variant(text)
                if variant.compound:
                    tail = r"\w*"  # the rest of the word: an ending or more of a compound
                elif variant.last_letters >= ENDING_MIN:
                    tail = _LAST_ENDING + r"(?!\w)"
                else:
                    tail = r"(?!\w)"
                self._add(forward, variant.units, tail, key)
                if variant.compound:  # the last part of a compound: a letter before it
                    self._add(backward, variant.units[::-1], r"\w+", key)
        # Scanning: plain tries without groups (a match's cost grows with the number of groups);
        # `\b` before a letter is the start of a word. Backwards, only words long enough to hold
        # a compound's last part and a letter before it.
        self._forward = re.compile(r"\b" + _emit(forward, marked=False))
        self._backward = re.compile(
            rf"\b(?=\w{{{COMPOUND_MIN + 1}}})"
            + _LAST_ENDING_REVERSED
            + _emit(backward, marked=False)
        )
        # Naming what was found: the same tries with an empty group at each variant's end, run on
        # the matched span only, once per distinct span.
        self._forward_trie, self._backward_trie = forward, backward
        self._found: dict[str, str] = {}  # forward span -> key
        self._found_backward: dict[str, str] = {}  # reversed span -> key

    def _add(self, root: _Node, units: Iterable[str], tail: str, key: str) -> None:
        node = root
        for unit in units:
            node = node.children.setdefault(unit, _Node())
        if any(existing == tail for existing, _ in node.leaves):
            return  # the same pattern twice in one group ("e-tjänst", "e tjänst")
        marker = f"m{len(self._markers)}"
        self._markers[marker] = key
        node.leaves.append((tail, marker))

    @functools.cached_property
    def _forward_marked(self) -> re.Pattern[str]:
        return re.compile(_emit(self._forward_trie, marked=True))

    @functools.cached_property
    def _backward_marked(self) -> re.Pattern[str]:
        return re.compile(_LAST_ENDING_REVERSED + _emit(self._backward_trie, marked=True))

    def _keys(self, spans: list[str], found: dict[str, str], marked: re.Pattern[str]) -> set[str]:
        """The keys of matched spans: remembered, or found with the marked trie."""
        keys: set[str | None] = set(map(found.get, spans))
        if None in keys:
            keys.discard(None)
            if len(found) >= SPANS_KEPT:
                found.clear()
            for span in spans:
                key = found.get(span)
                if key is None:
                    match = marked.match(span)
                    # The marked trie is the same trie, so it matches whatever the plain one did.
                    assert match is not None, span
                    key = found[span] = self._markers[str(match.lastgroup)]
                keys.add(key)
        return keys  # type: ignore[return-value]  # None was discarded

    def _match(self, lowered: str) -> tuple[set[str], list[str]]:
        """The keys found in a normalised text, and the spans matched from a word's start."""
        spans = self._forward.findall(lowered)
        keys = self._keys(spans, self._found, self._forward_marked)
        backward = self._backward.findall(lowered[::-1])
        if backward:
            keys |= self._keys(backward, self._found_backward, self._backward_marked)
        return keys, spans

    def concepts(self, text: str) -> frozenset[str]:
        """The keys of the concepts whose variants are in `text`."""
        return frozenset(self._match(_normalise(text))[0])

    def expand(self, text: str) -> str:
        """`text` with the keys of the concepts found in it appended, each once, in key order.

        A key the text already has as a word of its own (not within a longer variant) is not
        appended again, so expanding an expanded text changes nothing. The keys follow
        SEPARATOR, which no variant crosses.
        """
        keys, spans = self._match(_normalise(text))
        if not keys:
            return text
        missing = sorted(keys.difference(spans))
        if not missing:
            return text
        return text + SEPARATOR + SEPARATOR.join(missing)


def _emit(node: _Node, *, marked: bool) -> str:
    """The regular expression of a trie: longer variants are tried before shorter ones.

    Marked, each variant's end has an empty named group that tells which variant matched.
    """
    branches = [
        (_UNIT_PATTERNS.get(unit) or re.escape(unit)) + _emit(child, marked=marked)
        for unit, child in sorted(node.children.items(), key=_literal_first)
    ]
    branches.extend(f"{tail}(?P<{marker}>)" if marked else tail for tail, marker in node.leaves)
    if not branches:
        return "(?!)"  # an empty trie matches nothing
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _literal_first(item: tuple[str, _Node]) -> tuple[bool, str]:
    """Letters before optional endings and separators: "digitala möten" before "digital möten"."""
    return item[0] in _UNIT_PATTERNS, item[0]


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _variant(text: str) -> _Variant:
    words = [word.split("-") for word in text.split(" ")]
    units: list[str] = []
    for index, parts in enumerate(words):
        if index:
            if sum(map(len, words[index - 1])) >= ENDING_MIN:
                units.append(_INFLECTION)
            units.append(_SEPARATOR)
        for number, part in enumerate(parts):
            if number:
                units.append(_SEPARATOR)
            units.extend(part)
    letters = sum(map(len, words[-1]))
    return _Variant(
        text=text,
        units=tuple(units),
        compound=len(words) == 1 and letters >= COMPOUND_MIN,
        last_letters=letters,
    )


# Reading ------------------------------------------------------------------------------------------


def load_synonyms(text: str) -> Synonyms:
    """Read and check synonyms from YAML text: a mapping of keys to lists of variants."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise SynonymsError(f"the file is not valid YAML: {problem}", line=line) from None
    groups, lines = _read(root)
    synonyms = Synonyms(groups)
    _check_matches(synonyms, lines)
    return synonyms


def load_synonyms_file(path: str | os.PathLike[str]) -> Synonyms:
    """Read and check synonyms from a UTF-8 YAML file."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SynonymsError("the file is not valid UTF-8 text", line=line) from error
    return load_synonyms(text)


@functools.cache
def default_synonyms() -> Synonyms:
    """The synonyms shipped with Förändra (`ideas/synonyms.yaml`), read once."""
    source = resources.files("forandra.ideas").joinpath("synonyms.yaml")
    return load_synonyms(source.read_text(encoding="utf-8"))


def expand(text: str) -> str:
    """`text` with the keys of the concepts it mentions appended (see `Synonyms.expand`)."""
    return default_synonyms().expand(text)


def concepts(text: str) -> frozenset[str]:
    """The keys of the concepts `text` mentions (see `Synonyms.concepts`)."""
    return default_synonyms().concepts(text)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _read(root: Node | None) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """Keys and their variants (the key first), and the line of each key."""
    if root is None:
        raise SynonymsError("the file is empty; it needs concepts: 'key: [variant, ...]'")
    if not isinstance(root, MappingNode):
        raise SynonymsError(
            "the file must be a mapping of concept keys to lists of variants", line=_line(root)
        )
    groups: dict[str, tuple[str, ...]] = {}
    lines: dict[str, int] = {}
    owners: dict[str, str] = {}  # a variant without spaces and hyphens -> its key
    for key_node, value_node in root.value:
        key = _read_key(key_node)
        line = _line(key_node)
        if key in groups:
            raise SynonymsError(
                f"the key is listed twice (first on line {lines[key]})", line=line, entry=key
            )
        if not isinstance(value_node, SequenceNode) or not value_node.value:
            raise SynonymsError(
                "a concept needs a list of variants: 'key: [variant, ...]'",
                line=_line(value_node),
                entry=key,
            )
        variants = [key]
        for number, node in enumerate(value_node.value, start=1):
            variant = _read_variant(node, key, number)
            if variant in variants[1:]:
                raise SynonymsError(
                    f"the variant {variant!r} is listed twice", line=_line(node), entry=key
                )
            if variant not in variants:
                variants.append(variant)
        for variant in variants:
            compact = re.sub(r"[ \-]", "", variant)
            owner = owners.setdefault(compact, key)
            if owner != key:
                raise SynonymsError(
                    f"the variant {variant!r} is also a variant of {owner!r} (line "
                    f"{lines[owner]}); a variant belongs to one concept",
                    line=line,
                    entry=key,
                )
        groups[key] = tuple(variants)
        lines[key] = line
    return groups, lines


def _read_key(node: Node) -> str:
    if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        raise SynonymsError("a concept key must be a word", line=_line(node))
    key = str(node.value)
    if not _KEY.fullmatch(key) or key != key.lower():
        raise SynonymsError(
            "a concept key must be one lower-case word of three letters or digits or more "
            "(the similarity leaves out shorter words)",
            line=_line(node),
            entry=key,
        )
    return key


def _read_variant(node: Node, key: str, number: int) -> str:
    if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        raise SynonymsError(
            f"variant {number} must be a word or phrase", line=_line(node), entry=key
        )
    variant = _normalise(str(node.value)).replace("–", "-")
    variant = " ".join(re.sub(r"-\s+|\s+-", " ", variant).split())  # "hälso- och sjukvård"
    words = variant.split(" ")
    if not variant or not all(_PART.fullmatch(part) for word in words for part in word.split("-")):
        raise SynonymsError(
            f"variant {number} ({node.value!r}) must be words of letters and digits, joined by "
            "spaces or hyphens",
            line=_line(node),
            entry=key,
        )
    if len(re.sub(r"[ \-:]", "", variant)) < 2:
        raise SynonymsError(
            f"variant {number} ({node.value!r}) is too short; it needs two letters or more",
            line=_line(node),
            entry=key,
        )
    return variant


def _check_matches(synonyms: Synonyms, lines: Mapping[str, int]) -> None:
    """Every variant finds its own concept, and a key finds no other concept than its own.

    The first means no variant is hidden by a longer variant of another concept; the second
    means appending a key adds nothing new when a text is expanded again.
    """
    for key, variants in synonyms.groups.items():
        for variant in variants:
            found = synonyms.concepts(variant)
            if key not in found:
                names = ", ".join(repr(other) for other in sorted(found)) or "nothing"
                raise SynonymsError(
                    f"the variant {variant!r} is matched by {names} instead",
                    line=lines[key],
                    entry=key,
                )
        others = sorted(synonyms.concepts(key) - {key})
        if others:
            raise SynonymsError(
                f"the key also matches {', '.join(repr(other) for other in others)}; "
                "choose a key no other concept's variants match",
                line=lines[key],
                entry=key,
            )
