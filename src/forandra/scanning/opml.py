"""Reading OPML, the list of feeds that podcast apps and feed readers export.

An OPML file is an `<opml>` element with a `<head>` (a `<title>`, among others) and a `<body>` of
`<outline>` elements. An outline with an `xmlUrl` attribute is a feed (its name in `title` or
`text`, its web site in `htmlUrl`); an outline without one is a folder, and folders nest.
Exporters disagree on the case of attribute names (`xmlUrl`, `xmlurl`), so it is ignored.

`parse_opml()` returns the feeds in file order, each address once, with the folders they were in.
Outlines that cannot be used (an address that is not http or https, a repeated address) are
listed in `OpmlDocument.skipped`. A file that is not well-formed XML, not OPML, declares XML
entities or lists no feeds is refused with `OpmlError`, which names the line where it can.
Parsed with defusedxml, so entity declarations and external references never get expanded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from forandra.scanning.fetch import FetchError, ScanningError, normalise_url, render

MAX_FEEDS = 1000


class OpmlErrorCode(StrEnum):
    EMPTY = "opml_empty"
    MALFORMED = "opml_malformed"
    FORBIDDEN = "opml_forbidden"
    NOT_OPML = "opml_not_opml"
    NO_BODY = "opml_no_body"
    NO_FEEDS = "opml_no_feeds"
    TOO_MANY = "opml_too_many"


class OpmlError(ScanningError):
    """An OPML file that cannot be imported; `line` is 0 when no line can be named."""

    MESSAGES = {
        OpmlErrorCode.EMPTY: _("The file is empty."),
        OpmlErrorCode.MALFORMED: _(
            "The file is not well-formed XML: %(problem)s (line %(line)s, column %(column)s)."
        ),
        OpmlErrorCode.FORBIDDEN: _(
            "The file declares XML entities or refers to other files (line %(line)s). For "
            "safety, such files are not read."
        ),
        OpmlErrorCode.NOT_OPML: _(
            "The file is not OPML: its outermost element is <%(element)s>, not <opml>."
        ),
        OpmlErrorCode.NO_BODY: _("The OPML file has no <body> element."),
        OpmlErrorCode.NO_FEEDS: _("The file lists no feeds: none of its outlines has an xmlUrl."),
        OpmlErrorCode.TOO_MANY: _("The file lists more than %(limit)s feeds."),
    }

    @property
    def line(self) -> int:
        return int(self.params.get("line", 0))

    @property
    def reason(self) -> str:
        params = dict(self.params)
        if "problem" in params:  # expat's English words, said for the user when known
            params["problem"] = str(_EXPAT_PROBLEMS.get(str(params["problem"]), params["problem"]))
        return render(self.message(), params)


# What expat reports (always in English), said for the user.
_EXPAT_PROBLEMS: Mapping[str, str | Promise] = {
    "mismatched tag": _("a closing tag does not match the tag it closes"),
    "not well-formed (invalid token)": _("a character that is not allowed there"),
    "unclosed token": _("a tag or an attribute is not closed"),
    "no element found": _("the file ends before all its elements are closed"),
    "junk after document element": _("there is text after the end of the document"),
    "undefined entity": _("an unknown entity such as &nbsp;"),
    "duplicate attribute": _("an element has the same attribute twice"),
    "syntax error": _("a syntax error"),
}


class SkipReason(StrEnum):
    UNSUPPORTED_URL = "unsupported_url"
    DUPLICATE = "duplicate"


_SKIP_MESSAGES: Mapping[str, str | Promise] = {
    SkipReason.UNSUPPORTED_URL: _(
        "Line %(line)s: %(url)s is not an http or https address and was skipped."
    ),
    SkipReason.DUPLICATE: _("Line %(line)s: %(url)s is listed more than once; it was kept once."),
}


@dataclass(frozen=True)
class OpmlFeed:
    url: str  # normalised: http(s), no fragment; `feed:` and `itpc:` addresses become http
    title: str  # the outline's title, else its text, else ""
    html_url: str  # the feed's web site, "" if none or not http(s)
    folder: tuple[str, ...] = ()  # the names of the folders it was in, outermost first
    line: int = 0


@dataclass(frozen=True)
class OpmlSkipped:
    """An outline that was not imported."""

    line: int
    url: str  # as written in the file
    reason: SkipReason

    @property
    def message(self) -> str:
        return render(_SKIP_MESSAGES[self.reason], {"line": self.line, "url": self.url})


@dataclass(frozen=True)
class OpmlDocument:
    title: str  # the title in the file's head, "" if none
    feeds: tuple[OpmlFeed, ...]
    skipped: tuple[OpmlSkipped, ...] = field(default=())


def _label(value: str | None) -> str:
    return " ".join((value or "").split())


class _OpmlHandler(ContentHandler):
    def __init__(self, max_feeds: int) -> None:
        super().__init__()
        self.max_feeds = max_feeds
        self.locator: Locator | None = None
        self.stack: list[str] = []
        self.folders: list[str | None] = []  # one per open outline: its name if it is a folder
        self.title_parts: list[str] | None = None
        self.title = ""
        self.saw_body = False
        self.feeds: dict[str, OpmlFeed] = {}
        self.skipped: list[OpmlSkipped] = []

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX's name)
        self.locator = locator

    @property
    def line(self) -> int:
        return int(self.locator.getLineNumber() or 0) if self.locator else 0

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802 (SAX's name)
        tag = name.lower()
        if not self.stack and tag != "opml":
            raise OpmlError(OpmlErrorCode.NOT_OPML, {"element": name[:50], "line": self.line})
        self.stack.append(tag)
        if self.stack == ["opml", "body"]:
            self.saw_body = True
        elif self.stack == ["opml", "head", "title"]:
            self.title_parts = []
        elif tag == "outline" and len(self.stack) > 2 and self.stack[1] == "body":
            self._outline({key.lower(): value for key, value in attrs.items()})

    def _outline(self, attributes: dict[str, str]) -> None:
        written = attributes.get("xmlurl", "").strip()
        name = _label(attributes.get("title")) or _label(attributes.get("text"))
        if not written:
            self.folders.append(name)
            return
        self.folders.append(None)
        line = self.line
        try:
            url = normalise_url(written)
        except FetchError:
            self.skipped.append(OpmlSkipped(line, written[:500], SkipReason.UNSUPPORTED_URL))
            return
        if url in self.feeds:
            self.skipped.append(OpmlSkipped(line, written[:500], SkipReason.DUPLICATE))
            return
        if len(self.feeds) >= self.max_feeds:
            raise OpmlError(OpmlErrorCode.TOO_MANY, {"limit": self.max_feeds, "line": line})
        try:
            html_url = normalise_url(attributes["htmlurl"]) if attributes.get("htmlurl") else ""
        except FetchError:
            html_url = ""
        self.feeds[url] = OpmlFeed(
            url=url,
            title=name,
            html_url=html_url,
            folder=tuple(folder for folder in self.folders[:-1] if folder),
            line=line,
        )

    def endElement(self, name: str) -> None:  # noqa: N802 (SAX's name)
        if self.stack[-1] == "outline" and len(self.stack) > 2 and self.stack[1] == "body":
            self.folders.pop()
        if self.stack == ["opml", "head", "title"] and self.title_parts is not None:
            self.title = _label("".join(self.title_parts))
            self.title_parts = None
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.title_parts is not None:
            self.title_parts.append(content)


def parse_opml(data: bytes, *, max_feeds: int = MAX_FEEDS) -> OpmlDocument:
    """The feeds listed in an OPML file, or OpmlError saying what is wrong and where."""
    if not data.strip():
        raise OpmlError(OpmlErrorCode.EMPTY)
    handler = _OpmlHandler(max_feeds)
    try:
        defusedxml.sax.parseString(
            data, handler, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except SAXParseException as error:
        raise OpmlError(
            OpmlErrorCode.MALFORMED,
            {
                "problem": error.getMessage(),
                "line": int(error.getLineNumber() or 0),
                "column": int(error.getColumnNumber() or 0) + 1,
            },
        ) from error
    except DefusedXmlException as error:
        raise OpmlError(OpmlErrorCode.FORBIDDEN, {"line": handler.line}) from error
    if not handler.saw_body:
        raise OpmlError(OpmlErrorCode.NO_BODY)
    if not handler.feeds:
        raise OpmlError(OpmlErrorCode.NO_FEEDS)
    return OpmlDocument(
        title=handler.title, feeds=tuple(handler.feeds.values()), skipped=tuple(handler.skipped)
    )
