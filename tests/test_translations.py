"""Translations: the Swedish catalogue is complete and current, templates and Python modules keep
user-facing text inside translation calls, and the site speaks Swedish unless asked otherwise.

After changing user-facing strings: `make makemessages`, translate the new entries in
`src/forandra/locale/sv/LC_MESSAGES/django.po`, then `make messages` to compile.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import override_settings

import forandra
from forandra.accounts import services as account_services
from forandra.accounts.models import Role

PACKAGE = Path(forandra.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
CATALOGUES = {code: LOCALE / code / "LC_MESSAGES" / "django.po" for code in ("sv", "en")}
SV = CATALOGUES["sv"]
# The same options as `make makemessages`.
MAKEMESSAGES_OPTIONS = {
    "ignore_patterns": ["static/*"],
    "no_obsolete": True,
    "add_location": "file",
}
BRAND = "Förändra"


def relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent.parent))


# --- Reading .po files ----------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], "\\" + m[1]), text)


@dataclass
class Entry:
    """One message of a .po file."""

    line: int = 0
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def parse_po(text: str) -> list[Entry]:
    """A small .po reader: msgctxt, msgid, msgid_plural, msgstr and msgstr[n] with multi-line
    strings, `#,` flags and `#~` obsolete entries; other comments are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    started = False  # the current entry has a keyword line
    target: tuple[str, int] | None = None  # where a continuation line goes

    def flush() -> None:
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
        elif line.startswith("#"):
            if entry.msgstr:  # a comment after a msgstr starts the next entry
                flush()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if not line:
            flush()
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, value = match[1], match[2], _unquote(match[3])
            if keyword in ("msgctxt", "msgid") and entry.msgstr:
                flush()  # a new entry without a blank line before it
            if not started:
                entry.line, started = number, True
            if keyword.startswith("msgstr"):
                position = int(index) if index is not None else 0
                entry.msgstr[position] = value
                target = ("msgstr", position)
            else:
                setattr(entry, keyword, value)
                target = (keyword, 0)
            continue
        match = _CONTINUATION.match(line)
        if match and target is not None:
            name, position = target
            value = _unquote(match[1])
            if name == "msgstr":
                entry.msgstr[position] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        raise ValueError(f"line {number}: cannot read {raw!r}")
    flush()
    return entries


def read_po(path: Path) -> list[Entry]:
    return [entry for entry in parse_po(path.read_text(encoding="utf-8")) if not entry.obsolete]


def plural_count(entries: list[Entry]) -> int:
    header = next(entry for entry in entries if entry.is_header)
    match = re.search(r"nplurals\s*=\s*(\d+)", header.msgstr.get(0, ""))
    assert match, "the catalogue header has no Plural-Forms"
    return int(match[1])


_FORMAT = re.compile(r"%(?:\(\w+\))?[#0 +-]*(?:\*|\d+)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> list[str]:
    return sorted(_FORMAT.findall(text))


def test_po_reader_handles_plurals_multiline_strings_and_fuzzy_flags() -> None:
    sample = (
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#: a.py\n#, fuzzy, python-format\nmsgid ""\n"Two "\n"lines %(n)s"\nmsgstr "Två rader"\n\n'
        'msgid "%(counter)s cat"\nmsgid_plural "%(counter)s cats"\nmsgstr[0] "%(counter)s katt"\n'
        'msgstr[1] ""\n\n#~ msgid "Gone"\n#~ msgstr "Borta"\n'
    )
    header, fuzzy, plural, gone = parse_po(sample)
    assert header.is_header
    assert plural_count([header]) == 2
    assert (fuzzy.msgid, fuzzy.msgstr, fuzzy.flags) == (
        "Two lines %(n)s",
        {0: "Två rader"},
        {"fuzzy", "python-format"},
    )
    assert (plural.msgid_plural, plural.translated) == ("%(counter)s cats", False)
    assert gone.obsolete
    assert gone.msgid == "Gone"


# --- The Swedish catalogue is complete ------------------------------------------------------------


def test_swedish_catalogue_has_no_untranslated_or_fuzzy_entries() -> None:
    entries = read_po(SV)
    plurals = plural_count(entries)
    problems = []
    for entry in entries:
        where = f"{relative(SV)}:{entry.line}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy: {entry.msgid!r}")
        if entry.is_header:
            continue
        expected = set(range(plurals)) if entry.msgid_plural is not None else {0}
        if not entry.translated or set(entry.msgstr) != expected:
            problems.append(f"{where}: untranslated: {entry.msgid!r}")
            continue
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            if "python-format" in entry.flags and placeholders(text) != placeholders(source):
                problems.append(f"{where}: placeholders differ from the English: {text!r}")
    assert not problems, "Fix the Swedish catalogue:\n" + "\n".join(problems)


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_catalogue_passes_msgfmt_check(code: str) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt not found: install gettext (apt-get install gettext)"
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(CATALOGUES[code])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compiled_swedish_catalogue_matches_the_po_file() -> None:
    """`make messages` compiles the .po; a stale .mo shows old or English text."""
    mo = SV.with_suffix(".mo")
    assert mo.is_file(), f"{relative(mo)} is missing: run `make messages`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in read_po(SV):
        if entry.is_header or not entry.translated:
            continue
        context = entry.msgctxt
        if entry.msgid_plural is None:
            compiled_texts = [
                compiled.pgettext(context, entry.msgid)
                if context is not None
                else compiled.gettext(entry.msgid)
            ]
        else:  # Swedish: one thing is form 0, two things form 1
            compiled_texts = [
                compiled.npgettext(context, entry.msgid, entry.msgid_plural, n)
                if context is not None
                else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
        if compiled_texts != [entry.msgstr[index] for index in range(len(compiled_texts))]:
            stale.append(entry.msgid)
    assert not stale, f"{relative(mo)} is older than the .po file: run `make messages`. " + (
        ", ".join(repr(msgid) for msgid in stale[:5])
    )


# --- The catalogues are up to date ----------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[tuple[str | None, str, str | None], Entry]:
    """Every message in the source, found by Django's own `makemessages` (the same extraction as
    `make makemessages`) run on a copy of the package, so the real catalogues stay untouched."""
    assert shutil.which("xgettext"), "xgettext not found: install gettext (apt-get install gettext)"
    copy = tmp_path_factory.mktemp("extract") / "forandra"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.mo"))
    (copy / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[copy / "locale"]):
        patch.chdir(copy)
        call_command(
            "makemessages", locale=["sv"], keep_pot=True, verbosity=0, **MAKEMESSAGES_OPTIONS
        )
    return {
        entry.key: entry for entry in read_po(copy / "locale" / "django.pot") if not entry.is_header
    }


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_catalogue_is_up_to_date_with_the_source(code: str, extracted: dict) -> None:
    catalogue = {entry.key: entry for entry in read_po(CATALOGUES[code]) if not entry.is_header}
    missing = sorted(set(extracted) - set(catalogue), key=str)
    stale = sorted(set(catalogue) - set(extracted), key=str)
    lines = [f"missing: {key[1]!r}" for key in missing]
    lines += [
        f"{relative(CATALOGUES[code])}:{catalogue[key].line}: no longer in the source: {key[1]!r}"
        for key in stale
    ]
    assert not lines, "Run `make makemessages` and translate the new entries:\n" + "\n".join(lines)


# --- Templates keep their text in translation tags ------------------------------------------------

DYNAMIC = "\x01"  # stands for a translation tag or a variable
# Attributes whose values people see or hear.
SPOKEN_ATTRIBUTES = {
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
    "title",
    "alt",
    "placeholder",
}
# `value` is the visible text of these inputs (a <button>'s value is never shown).
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
TRANSLATION_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
SKIPPED_BLOCKS = {"comment": "endcomment"}


def words(text: str) -> str:
    """The words left in `text` once translation tags, variables and the brand name are gone:
    only letters count, so whitespace, punctuation, symbols and bare numbers pass."""
    text = text.replace(DYNAMIC, " ").replace(BRAND, " ")
    kept = "".join(ch if unicodedata.category(ch).startswith("L") else " " for ch in text)
    return " ".join(kept.split())


def detag(source: str) -> str:
    """The template with every Django tag, variable and comment taken out: translation tags and
    variables become DYNAMIC, other tags disappear. Line breaks stay where they were."""
    out = []
    closing: str | None = None  # the end tag of a block being skipped
    for token in Lexer(source).tokenize():
        breaks = "\n" * token.contents.count("\n")
        name = token.contents.split(maxsplit=1)[0] if token.contents.strip() else ""
        if closing is not None:
            if token.token_type == TokenType.BLOCK and name == closing:
                closing = None
            out.append(breaks)
        elif token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.VAR:
            out.append(DYNAMIC + breaks)
        elif token.token_type == TokenType.BLOCK and name in TRANSLATION_BLOCKS:
            closing = TRANSLATION_BLOCKS[name]
            out.append(DYNAMIC + breaks)
        elif token.token_type == TokenType.BLOCK and name in ("translate", "trans"):
            out.append(DYNAMIC + breaks)
        elif token.token_type == TokenType.BLOCK and name in SKIPPED_BLOCKS:
            closing = SKIPPED_BLOCKS[name]
            out.append(breaks)
        else:  # other tags and {# comments #}
            out.append(breaks)
    return "".join(out)


class _TextFinder(HTMLParser):
    """Collects (line, text) for text and spoken attribute values that are not translated."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # entities are skipped, and lines stay exact
        self.found: list[tuple[int, str]] = []
        self.raw_text_tag: str | None = None

    def _check(self, text: str, line: int, label: str = "") -> None:
        for number, part in enumerate(text.split("\n")):
            if words(part):
                self.found.append((line + number, f"{label}{part.strip()}"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            input_button = (
                tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            spoken = name in SPOKEN_ATTRIBUTES or (name == "value" and input_button)
            if spoken and words(value):
                self.found.append((line, f'{tag} {name}="{value.strip()}"'))
        if tag in ("script", "style"):
            self.raw_text_tag = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw_text_tag:
            self.raw_text_tag = None

    def handle_data(self, data: str) -> None:
        if self.raw_text_tag is None:
            self._check(data, self.getpos()[0])


def untranslated_template_text(source: str, *, html: bool = True) -> list[tuple[int, str]]:
    """(line, text) of each piece of user-facing text outside translation tags."""
    text = detag(source)
    if not html:
        return [
            (number, line.strip())
            for number, line in enumerate(text.split("\n"), start=1)
            if words(line)
        ]
    finder = _TextFinder()
    finder.feed(text)
    finder.close()
    return [(line, found.replace(DYNAMIC, "{…}")) for line, found in finder.found]


def templates() -> Iterator[Path]:
    for directory in sorted(PACKAGE.glob("**/templates")):
        yield from sorted(path for path in directory.rglob("*") if path.is_file())


def test_templates_have_no_text_outside_translation_tags() -> None:
    offenders = [
        f"{relative(path)}:{line}: {text}"
        for path in templates()
        for line, text in untranslated_template_text(
            path.read_text(encoding="utf-8"), html=path.suffix != ".txt"
        )
    ]
    assert not offenders, "Wrap this text in {% translate %} or {% blocktranslate %}:\n" + (
        "\n".join(offenders)
    )


@pytest.mark.parametrize(
    "source",
    [
        "<p>Hello</p>",
        "<h1>{% translate 'Title' %}</h1>\n<p>\n  Plain words {{ name }}\n</p>",
        '<nav aria-label="Main navigation"></nav>',
        '<img src="x.png" alt="A chart">',
        '<a title="Edit {{ name }}" href="#">{% translate "Edit" %}</a>',
        '<input type="submit" value="Save">',
        '<input name="q" placeholder="Search">',
        "{% if x %}Hej{% endif %}",
        "<p>Förändra app</p>",
    ],
)
def test_template_scan_flags_untranslated_text(source: str) -> None:
    assert untranslated_template_text(source)


@pytest.mark.parametrize(
    "source",
    [
        "<p>{% translate 'Hello' %}</p>",
        "<nav aria-label=\"{% translate 'Main navigation' %}\"></nav>",
        "<p>{% blocktranslate trimmed with name=n %}\n  Hello {{ name }}, welcome\n"
        "{% endblocktranslate %}</p>",
        "<p>Förändra \u2013 {% trans 'together' %}</p>",
        "{# a comment #}<td>{% if x %}{{ x }}{% else %}\u2013{% endif %}</td>",
        "{% comment %}Notes for developers{% endcomment %}"
        "<p>(&nbsp;{{ a }} \u203a {{ b }}: 1,5 %)</p>",
        '<script src="x.js" defer></script><script>var hello = "world";</script>',
        "<style>body { font-family: system-ui; }</style>",
        '<button type="submit" name="language" value="sv" lang="sv">{{ language.name }}</button>',
        '<input type="submit" value="{% translate \'Save\' %}"><input type="hidden" value="next">',
        '<!DOCTYPE html><html lang="{{ LANGUAGE_CODE }}"><!-- a comment --></html>',
    ],
)
def test_template_scan_accepts_translated_text(source: str) -> None:
    assert untranslated_template_text(source) == []


def test_template_scan_reports_the_right_line() -> None:
    source = "{% load i18n %}\n<p>\n  {% translate 'ok' %}\n  Oops\n</p>\n<a title='Hi'></a>"
    assert untranslated_template_text(source) == [(4, "Oops"), (6, 'a title="Hi"')]
    assert untranslated_template_text("{% translate 'a' %}\n\nDear user,", html=False) == [
        (3, "Dear user,")
    ]


# --- Python modules keep their text in gettext calls ----------------------------------------------

GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "format_lazy",
}
TEXT_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "violation_error_message",
}
TEXT_ASSIGNMENTS = {"verbose_name", "verbose_name_plural"}
MESSAGE_LEVELS = {"success", "error", "info", "warning", "debug"}
SKIPPED_PARTS = {"migrations", "settings", "tests"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _literals(node: ast.expr) -> Iterator[ast.expr]:
    """String literals in an expression that would reach the user untranslated: the expression
    itself, both sides of `+`, the left of `%`, `"...".format()`, either branch of `x if c else y`,
    f-strings, and what `self.style.SUCCESS(...)` wraps. A gettext call is translated."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if words(node.value):
            yield node
    elif isinstance(node, ast.JoinedStr):
        if any(isinstance(part, ast.Constant) and words(str(part.value)) for part in node.values):
            yield node
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        yield from _literals(node.left)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.Call) and _name(node.func) not in GETTEXT_FUNCTIONS:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            yield from _literals(func.value)
        elif isinstance(func, ast.Attribute) and _name(func.value) == "style" and node.args:
            yield from _literals(node.args[0])


def _message_arguments(call: ast.Call) -> list[ast.expr]:
    """The arguments of `call` that carry text for the user, if it is a call the scan knows."""
    func, name = call.func, _name(call.func)
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    found = [value for key, value in keywords.items() if key in TEXT_KEYWORDS]
    if isinstance(func, ast.Attribute) and _name(func.value) == "messages":
        if name in MESSAGE_LEVELS:
            found += call.args[1:2]
        elif name == "add_message":
            found += call.args[2:3]
        if "message" in keywords:
            found.append(keywords["message"])
    elif name == "ValidationError":
        first = call.args[0] if call.args else keywords.get("message")
        if isinstance(first, ast.Dict):
            found += [value for value in first.values if value is not None]
        elif isinstance(first, ast.List | ast.Tuple):
            found += first.elts
        elif first is not None:
            found.append(first)
    elif name.startswith("HttpResponse"):
        found += call.args[:1]
        if "content" in keywords:
            found.append(keywords["content"])
    elif (
        name == "write"
        and isinstance(func, ast.Attribute)
        and _name(func.value) in ("stdout", "stderr")
    ):
        found += call.args[:1]
    return found


def untranslated_python_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of each user-facing string literal that is not passed through gettext."""
    found = []
    for node in ast.walk(ast.parse(source)):
        candidates: list[ast.expr] = []
        if isinstance(node, ast.Call):
            candidates = _message_arguments(node)
        elif isinstance(node, ast.Assign) and any(
            _name(target) in TEXT_ASSIGNMENTS for target in node.targets
        ):
            candidates = [node.value]
        for candidate in candidates:
            for literal in _literals(candidate):
                found.append((literal.lineno, ast.get_source_segment(source, literal) or ""))
    return sorted(found)


def python_modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = set(path.relative_to(PACKAGE).parts[:-1]) | {path.stem}
        if not parts & SKIPPED_PARTS and not path.stem.startswith("test"):
            yield path


def test_python_modules_have_no_untranslated_user_text() -> None:
    offenders = [
        f"{relative(path)}:{line}: {text}"
        for path in python_modules()
        for line, text in untranslated_python_text(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "Wrap this text in gettext or gettext_lazy:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        'messages.success(request, "Saved.")',
        'messages.add_message(request, messages.INFO, "Saved.")',
        'name = forms.CharField(label="Name", help_text=_("Hint"))',
        'name = models.CharField(_("name"), help_text="Where the person works")',
        'class Meta:\n    verbose_name = "group"',
        'raise ValidationError("That is wrong.")',
        'raise forms.ValidationError({"email": "Taken."})',
        'return HttpResponse("Done")',
        'self.stdout.write("Loaded.")',
        'self.stdout.write(self.style.SUCCESS("Loaded."))',
        'self.stdout.write(f"Loaded {count} rows")',
        'messages.error(request, "Could not save %s" % name)',
        'messages.info(request, _("Saved") + " again")',
    ],
)
def test_python_scan_flags_untranslated_text(source: str) -> None:
    assert untranslated_python_text(source)


@pytest.mark.parametrize(
    "source",
    [
        'messages.success(request, _("Saved."))',
        'messages.success(request, _("%(name)s saved.") % {"name": name})',
        'name = forms.CharField(label=_("Name"), help_text=gettext_lazy("Hint"))',
        'class Meta:\n    verbose_name = _("group")\n    ordering = ["name"]',
        'raise ValidationError(_("That is wrong."), code="invalid")',
        "return HttpResponse(status=204)",
        'self.stdout.write(self.style.SUCCESS(_("Loaded.")))',
        'self.stdout.write(f"  {login.role:<16} {login.username}")',
        'logger.warning("Not for users: %s", value)',
        'choices = [("a", _("A"))]',
    ],
)
def test_python_scan_accepts_translated_text(source: str) -> None:
    assert untranslated_python_text(source) == []


def test_python_scan_reports_the_right_line() -> None:
    source = "from x import _\n\n\ndef f():\n    messages.success(\n        request,\n"
    source += '        "Saved."\n    )\n'
    assert untranslated_python_text(source) == [(7, '"Saved."')]


# --- The site speaks Swedish, or English on request -----------------------------------------------


@pytest.fixture
def signed_in(request: pytest.FixtureRequest, client, db) -> bool:
    if request.param:
        client.force_login(
            account_services.user_create(
                username="language-tester", password="a-long-test-password", role=Role.ADMIN
            )
        )
    return bool(request.param)


@pytest.mark.parametrize(
    "signed_in",
    [
        pytest.param(False, id="anonymous"),
        pytest.param(True, id="signed-in"),
    ],
    indirect=True,
)
def test_start_page_is_swedish_by_default_and_english_when_chosen(client, signed_in) -> None:
    html = client.get("/").content.decode()
    assert '<html lang="sv">' in html
    assert "Hoppa till innehåll" in html
    assert "Skip to content" not in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Hoppa till innehåll" not in html

    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert "Hoppa till innehåll" in client.get("/").content.decode()
