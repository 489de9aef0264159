"""A radar in and out of Thoughtworks' Build Your Own Radar (BYOR) formats. Plain Python.

BYOR reads a table of blips with the columns name, ring, quadrant, isNew, status and description,
as CSV (one header row, comma-separated) or as JSON (a list of objects with the same keys).

- ring is one of Adopt, Trial, Assess, Hold. Ours map one to one: adopt → Adopt, try → Trial,
  explore → Assess, watch → Hold.
- quadrant is the name of the quadrant; here it is the wave (the radar's sector). BYOR has no
  empty quadrants, so a wave without blips is not in the file.
- isNew is TRUE or FALSE; status is New, Moved In, Moved Out or No Change. BYOR prefers status
  to isNew when both are given, and so do we.
- description is HTML in BYOR. We write our plain text escaped and read any HTML back as text.

Import is all or nothing: it returns the whole radar or raises ByorError listing every problem
found, each with its row and column, so the user can fix the file in one go. It accepts what
spreadsheets write: UTF-8 with or without a byte order mark, Windows-1252 (Excel's "CSV"),
UTF-16 with a byte order mark, and semicolons as separators (Excel in Swedish). Export writes
what BYOR reads; `excel=True` writes what Swedish Excel opens directly instead.

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a formula,
so export puts an apostrophe in front of such cells (OWASP's advice on CSV injection), and import
takes exactly that apostrophe away again, so a round trip changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.text import slugify
from django.utils.translation import gettext as _

from forandra.scanning.radar import RING_KEYS, Blip, Movement, Sector

COLUMNS = ("name", "ring", "quadrant", "isNew", "status", "description")
REQUIRED = ("name", "ring", "quadrant")
RING_TO_BYOR = {"adopt": "Adopt", "try": "Trial", "explore": "Assess", "watch": "Hold"}
MOVEMENT_TO_BYOR = {
    Movement.NEW: "New",
    Movement.MOVED_IN: "Moved In",
    Movement.MOVED_OUT: "Moved Out",
    Movement.UNCHANGED: "No Change",
}

MAX_BYTES = 2_000_000
MAX_ROWS = 2_000
MAX_NAME = 200
MAX_DESCRIPTION = 10_000
MAX_PROBLEMS = 50  # a file that is wrong throughout gets a readable list, not thousands of lines

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^('+)([=+\-@\t\r])", re.DOTALL)


@dataclass(frozen=True)
class ByorRadar:
    """What an import gives: the radar's sectors (waves) in order, and its blips."""

    sectors: tuple[Sector, ...]
    blips: tuple[Blip, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file. `row` counts as a spreadsheet does (the header is
    row 1) in CSV, and from 1 in a JSON list; `column` is the BYOR column name."""

    row: int | None
    column: str | None
    message: str
    json: bool = False

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.json and self.column:
            where = _("Entry %(row)s, “%(column)s”") % {"row": self.row, "column": self.column}
        elif self.json:
            where = _("Entry %(row)s") % {"row": self.row}
        elif self.column:
            where = _("Row %(row)s, column “%(column)s”") % {
                "row": self.row,
                "column": self.column,
            }
        else:
            where = _("Row %(row)s") % {"row": self.row}
        return f"{where}: {self.message}"


class ByorError(ValueError):
    """The file was refused; `problems` says why, row by row. Nothing was imported."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- Export -----------------------------------------------------------------------------------


def export_rows(sectors: Sequence[Sector], blips: Sequence[Blip]) -> list[dict[str, str]]:
    """The radar as BYOR rows, wave by wave and from the centre outwards, as the radar numbers
    its blips. Cells are as BYOR wants them; CSV export adds its own protection."""
    by_key = {sector.key: sector for sector in sectors}
    order = {sector.key: index for index, sector in enumerate(sectors)}
    rings = {key: index for index, key in enumerate(RING_KEYS)}
    rows = []
    for blip in sorted(
        blips, key=lambda b: (order[b.sector], rings[b.ring], b.label.casefold(), b.key)
    ):
        rows.append(
            {
                "name": blip.label,
                "ring": RING_TO_BYOR[blip.ring],
                "quadrant": str(by_key[blip.sector].name),
                "isNew": "TRUE" if blip.movement == Movement.NEW else "FALSE",
                "status": MOVEMENT_TO_BYOR[blip.movement],
                "description": html.escape(blip.description, quote=False),
            }
        )
    return rows


def export_csv(sectors: Sequence[Sector], blips: Sequence[Blip], *, excel: bool = False) -> str:
    """BYOR's CSV. With `excel`, a byte order mark and semicolons, which Excel set to Swedish
    opens as columns straight away; BYOR itself wants the plain form."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in export_rows(sectors, blips):
        writer.writerow([neutralise(row[column]) for column in COLUMNS])
    return ("\ufeff" if excel else "") + out.getvalue()


def export_json(sectors: Sequence[Sector], blips: Sequence[Blip]) -> str:
    """BYOR's JSON: a list of objects with the CSV's columns as keys, isNew as text."""
    return json.dumps(export_rows(sectors, blips), ensure_ascii=False, indent=2) + "\n"


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text rather than running it as a formula. Cells that
    already start with apostrophes before a formula character get one more, so `_restore` can
    always take exactly one away."""
    if cell.startswith(_FORMULA_START) or _NEUTRALISED.match(cell):
        return "'" + cell
    return cell


def _restore(cell: str) -> str:
    return cell[1:] if _NEUTRALISED.match(cell) else cell


# --- Import -----------------------------------------------------------------------------------


def import_csv(data: bytes | str, *, sectors: Sequence[Sector] | None = None) -> ByorRadar:
    """Read BYOR's CSV (or Excel's semicolon-separated variant). With `sectors`, each quadrant
    must be one of them (by name, alias or key, in any letter case); without, the quadrants
    become the sectors, in the order they first appear. Raises ByorError."""
    text = _decode(data)
    lines = text.splitlines()
    delimiter = None
    if lines and (match := re.fullmatch(r"\s*sep=(.)\s*", lines[0])):
        # Excel's own hint line, which Excel does not show as a row, so rows count without it.
        delimiter, text = match[1], text.split("\n", 1)[1] if "\n" in text else ""
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    if not header_line:
        raise ByorError([Problem(None, None, _("The file is empty."))])
    delimiter = delimiter or _delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for row_number, record in enumerate(reader, start=1):
            if len(records) > MAX_ROWS:
                message = _("The file has more than %(limit)s rows.") % {"limit": MAX_ROWS}
                raise ByorError([Problem(None, None, message)])
            records.append((row_number, record))
    except csv.Error as error:
        message = _("This row cannot be read as CSV (%(reason)s).") % {"reason": error}
        # The row that was being read: where its unclosed quote, say, begins.
        raise ByorError([Problem(len(records) + 1, None, message)]) from None

    while records and not any(cell.strip() for cell in records[0][1]):
        records.pop(0)  # blank lines before the header
    if not records:
        raise ByorError([Problem(None, None, _("The file is empty."))])
    header_row, header = records[0]
    columns, problems = _columns(header, header_row)
    rows: list[tuple[int, dict[str, object]]] = []
    for row_number, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        cells: dict[str, object] = {}
        for index, cell in enumerate(record):
            column = columns.get(index)
            if column is not None:
                cells[column] = _restore(cell)
            elif cell.strip() and index >= len(header):
                problems.append(
                    Problem(row_number, None, _("This row has more cells than there are columns."))
                )
                break
        rows.append((row_number, cells))
    if problems:
        raise ByorError(problems[:MAX_PROBLEMS])
    return _radar(rows, sectors, json_rows=False)


def import_json(data: bytes | str, *, sectors: Sequence[Sector] | None = None) -> ByorRadar:
    """Read BYOR's JSON: a list of objects with name, ring, quadrant and optionally isNew,
    status and description. Keys are matched in any letter case. Raises ByorError."""
    text = _decode(data)
    if not text.strip():
        raise ByorError([Problem(None, None, _("The file is empty."))])
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        message = _("The file is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": error.lineno,
            "column": error.colno,
        }
        raise ByorError([Problem(None, None, message)]) from None
    if not isinstance(items, list):
        message = _("The file must hold a list of blips, each with name, ring and quadrant.")
        raise ByorError([Problem(None, None, message)])
    if len(items) > MAX_ROWS:
        message = _("The file has more than %(limit)s blips.") % {"limit": MAX_ROWS}
        raise ByorError([Problem(None, None, message)])
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, object]]] = []
    known = {column.casefold(): column for column in COLUMNS}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            message = _("This entry is not an object with name, ring and quadrant.")
            problems.append(Problem(number, None, message, json=True))
            continue
        cells = {
            known[key.casefold()]: value for key, value in item.items() if key.casefold() in known
        }
        rows.append((number, cells))
    if problems:
        raise ByorError(problems[:MAX_PROBLEMS])
    return _radar(rows, sectors, json_rows=True)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise ByorError([Problem(None, None, _too_large())])
        return data.removeprefix("\ufeff")
    if len(data) > MAX_BYTES:
        raise ByorError([Problem(None, None, _too_large())])
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        # Excel's plain "CSV" is Windows-1252, which has å, ä and ö where Latin-1 has them.
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
    message = _("The file is not text in UTF-8 or Windows-1252.")
    raise ByorError([Problem(None, None, message)])


def _too_large() -> str:
    return _("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // 1_000_000}


def _delimiter(header_line: str) -> str:
    """The separator that splits the header into BYOR's columns: a comma, or the semicolon
    Excel uses where a comma is the decimal sign, or a tab."""
    wanted = {column.casefold() for column in REQUIRED}
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        if wanted <= {cell.strip().casefold() for cell in cells}:
            return delimiter
    return ","


def _columns(header: Sequence[str], row: int) -> tuple[dict[int, str], list[Problem]]:
    """Which of the file's columns is which BYOR column. Other columns (BYOR knows a few more,
    such as topic) are ignored."""
    known = {column.casefold(): column for column in COLUMNS}
    columns: dict[int, str] = {}
    problems = []
    for index, cell in enumerate(header):
        column = known.get(_restore(cell).strip().casefold())
        if column is None:
            continue
        if column in columns.values():
            problems.append(Problem(row, column, _("This column appears twice.")))
        columns[index] = column
    for column in REQUIRED:
        if column not in columns.values():
            message = _("This column is missing: the first row must name the columns.")
            problems.append(Problem(row, column, message))
    return columns, problems


def _radar(
    rows: Sequence[tuple[int, Mapping[str, object]]],
    known_sectors: Sequence[Sector] | None,
    *,
    json_rows: bool,
) -> ByorRadar:
    """Validate every row, then build the radar; any problem refuses the whole file."""
    problems: list[Problem] = []

    def problem(row: int, column: str | None, message: str) -> None:
        problems.append(Problem(row, column, message, json=json_rows))

    lookup = _sector_lookup(known_sectors) if known_sectors is not None else None
    sectors: dict[str, Sector] = {}  # normalised quadrant name → sector, in order of appearance
    if known_sectors is not None:
        sectors = {sector.key: sector for sector in known_sectors}
    seen: dict[tuple[str, str], int] = {}  # (sector key, normalised name) → row
    parsed: list[tuple[int, str, str, str, Movement, str]] = []
    for number, cells in rows:
        values: dict[str, str] = {}
        for column in COLUMNS:
            value = cells.get(column)
            if column == "isNew" and isinstance(value, bool):
                value = "TRUE" if value else "FALSE"
            if value is None:
                value = ""
            if not isinstance(value, str):
                problem(number, column, _("This value must be text."))
                value = ""
            values[column] = value.strip()

        name = values["name"]
        if not name:
            problem(number, "name", _("A name is required."))
        elif len(name) > MAX_NAME:
            message = _("The name is longer than %(limit)s characters.") % {"limit": MAX_NAME}
            problem(number, "name", message)

        ring = _RINGS.get(_normal(values["ring"]))
        if ring is None:
            message = _("“%(value)s” is not a ring: use Adopt, Trial, Assess or Hold.") % {
                "value": _shown(values["ring"])
            }
            problem(number, "ring", message)

        quadrant = values["quadrant"]
        sector_key: str | None = None
        if not quadrant:
            problem(number, "quadrant", _("A quadrant (the wave) is required."))
        elif lookup is not None:
            sector_key = lookup.get(_normal(quadrant))
            if sector_key is None:
                message = _("“%(value)s” is not a wave on this radar.") % {
                    "value": _shown(quadrant)
                }
                problem(number, "quadrant", message)
        else:
            sector_key = _normal(quadrant)
            sectors.setdefault(sector_key, Sector(key="", name=" ".join(quadrant.split())))

        is_new = _IS_NEW.get(values["isNew"].casefold())
        if is_new is None:
            message = _("“%(value)s” is not TRUE or FALSE.") % {"value": _shown(values["isNew"])}
            problem(number, "isNew", message)
        movement = _STATUSES.get(_normal(values["status"]).replace(" ", ""))
        if values["status"] and movement is None:
            message = _(
                "“%(value)s” is not a status: use New, Moved In, Moved Out or No Change."
            ) % {"value": _shown(values["status"])}
            problem(number, "status", message)
        if movement is None:
            movement = Movement.NEW if is_new else Movement.UNCHANGED

        description = _text(values["description"])
        if len(description) > MAX_DESCRIPTION:
            message = _("The description is longer than %(limit)s characters.") % {
                "limit": MAX_DESCRIPTION
            }
            problem(number, "description", message)

        if name and sector_key is not None:
            identity = (sector_key, _normal(name))
            if identity in seen:
                if json_rows:
                    template = _("“%(name)s” is already in “%(quadrant)s”, in entry %(row)s.")
                else:
                    template = _("“%(name)s” is already in “%(quadrant)s”, in row %(row)s.")
                message = template % {
                    "name": _shown(name),
                    "quadrant": _shown(quadrant),
                    "row": seen[identity],
                }
                problem(number, "name", message)
            else:
                seen[identity] = number
        if ring is not None and sector_key is not None and name:
            parsed.append((number, name, sector_key, ring, movement, description))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ByorError(problems[:MAX_PROBLEMS])

    if known_sectors is None:
        sectors = dict(zip(sectors, _keyed(sectors.values()), strict=True))
    keys = _unique_keys(f"{sectors[s].key}-{name}" for _row, name, s, *_rest in parsed)
    blips = tuple(
        Blip(
            key=key,
            label=name,
            sector=sectors[sector_key].key,
            ring=ring,
            movement=movement,
            description=description,
        )
        for key, (_row, name, sector_key, ring, movement, description) in zip(
            keys, parsed, strict=True
        )
    )
    return ByorRadar(sectors=tuple(sectors.values()), blips=blips)


def _normal(text: str) -> str:
    """For comparing names: letter case, accents written two ways and spacing do not count."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _shown(value: str) -> str:
    """A value as quoted in a message: short enough to read."""
    return value if len(value) <= 60 else value[:59] + "…"


def _ring_names() -> dict[str, str]:
    names = {_normal(byor): key for key, byor in RING_TO_BYOR.items()}
    names.update({key: key for key in RING_KEYS})
    # The Swedish and English names too, so a file written by hand in either language works.
    names.update({"införa": "adopt", "pröva": "try", "utforska": "explore", "bevaka": "watch"})
    names.update({"watch": "watch", "explore": "explore"})
    return names


_RINGS = _ring_names()
_IS_NEW = {"": False, "true": True, "false": False, "sant": True, "falskt": False}
_STATUSES = {
    "new": Movement.NEW,
    "movedin": Movement.MOVED_IN,
    "moved_in": Movement.MOVED_IN,
    "movedout": Movement.MOVED_OUT,
    "moved_out": Movement.MOVED_OUT,
    "nochange": Movement.UNCHANGED,
    "unchanged": Movement.UNCHANGED,
    # Förändra's Swedish names, for files written by hand.
    "ny": Movement.NEW,
    "flyttadinåt": Movement.MOVED_IN,
    "flyttadutåt": Movement.MOVED_OUT,
    "oförändrad": Movement.UNCHANGED,
}


def _sector_lookup(sectors: Sequence[Sector]) -> dict[str, str]:
    """Quadrant → sector key. Names win over aliases and aliases over keys, so a wave whose
    name happens to be another wave's key is still found by its name, as export writes it."""
    lookup: dict[str, str] = {}
    for sector in sectors:
        lookup.setdefault(_normal(str(sector.name)), sector.key)
    for sector in sectors:
        for alias in sector.aliases:
            lookup.setdefault(_normal(alias), sector.key)
    for sector in sectors:
        lookup.setdefault(_normal(sector.key), sector.key)
    return lookup


def _keyed(sectors: Iterable[Sector]) -> list[Sector]:
    """Sectors named by a file get keys from their names."""
    found = list(sectors)
    keys = _unique_keys(str(sector.name) for sector in found)
    return [Sector(key=key, name=sector.name) for key, sector in zip(keys, found, strict=True)]


def _unique_keys(names: Iterable[str]) -> list[str]:
    keys: list[str] = []
    used: set[str] = set()
    for name in names:
        base = slugify(name)[:80].strip("-") or "item"
        key, suffix = base, 2
        while key in used:
            key, suffix = f"{base}-{suffix}", suffix + 1
        used.add(key)
        keys.append(key)
    return keys


class _Text(HTMLParser):
    """The text of a BYOR description: tags gone, entities read, paragraphs and line breaks
    kept as line breaks."""

    _BREAKS = frozenset({"p", "br", "li", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(description: str) -> str:
    """Plain text from a description: ours come back exactly as written (export escaped them);
    HTML from BYOR loses its tags, keeps its paragraphs as lines."""
    if "<" not in description:
        return html.unescape(description)
    parser = _Text()
    parser.feed(description)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
