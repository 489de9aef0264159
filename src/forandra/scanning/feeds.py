"""Reading a fetched feed (RSS 0.9x/1.0/2.0, Atom, podcast RSS) into plain, safe values.

`parse_feed()` turns a body into a `ParsedFeed`, or raises `FeedError` when nothing usable is in
it: an empty answer, a web page, an XML document that is no feed, XML too broken to read, or a
document that declares its own XML entities (refused before any parser sees it, so no "billion
laughs" or external entity can cost memory or reach a file).

Hand-made feeds are often not well-formed XML. The everyday faults (HTML entities such as
`&nbsp;`, bare ampersands, control characters) are repaired silently. A feed still broken after
that (a tag left open) is read by feedparser's forgiving parser and gets a warning in
`ParsedFeed.warnings`, as does a feed whose declared character encoding is wrong. The forgiving
parser is slow on large or deeply nested input, so a broken feed over LOOSE_PARSE_MAX_BYTES and
any feed nested deeper than MAX_DEPTH are refused: parsing stays within about a second a feed.

What comes out is safe to show:

- titles and plain-text fields are plain text: no tags, entities decoded. Templates escape them as
  they escape any text;
- `summary_html` is sanitised by nh3 with a small allow-list: text formatting, lists, quotes and
  links, no script, style, event handlers, images, frames, forms or headings (a feed's headings
  would break the page's outline). Links are absolute http, https or mailto only and get
  `rel="nofollow noopener noreferrer"`;
- every URL (item link, enclosure, feed link) is absolute http or https, or empty.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import html.entities
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

import feedparser
import nh3
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from feedparser.encodings import convert_to_utf8

from forandra.scanning.fetch import FetchError, Params, ScanningError, render

ITUNES_NAMESPACE = "http://www.itunes.com/dtds/podcast-1.0.dtd"

# The HTML a feed's summary may keep. Everything else is unwrapped (its text kept), except the
# elements in CLEAN_CONTENT_TAGS, which go with their content.
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "dl", "dt", "em",
        "i", "ins", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
CLEAN_CONTENT_TAGS = frozenset(
    {
        "script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math",
        "select", "textarea", "title", "head",
    }
)  # fmt: skip
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

_MAX_INT = 2**31 - 1  # episode and season numbers fit a database integer
_MAX_LENGTH = 2**63 - 1

_BLOCK_BOUNDARY = re.compile(
    r"</?(?:br|p|div|li|ul|ol|dl|dt|dd|h[1-6]|table|tr|td|th|blockquote|pre|section|article)\b"
    r"[^>]*>",
    re.IGNORECASE,
)
_HEADING = re.compile(r"<(/?)h[1-6]\b[^>]*>", re.IGNORECASE)
_UNWRAPPED_BLOCK_END = re.compile(
    r"</(?:div|section|article|header|footer|aside|nav|figure|figcaption|table|thead|tbody|tr|td"
    r"|th|caption)\s*>",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<[a-zA-Z/!][^>]*>")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_FIRST_ELEMENT = re.compile(rb"<\w")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
# Every "&": a character reference, a named one, or a bare ampersand.
_REFERENCE = re.compile(
    rb"&(?:#([0-9]{1,8});|#[xX]([0-9a-fA-F]{1,8});|([A-Za-z][A-Za-z0-9]{0,31});)?"
)
_XML_NAMED_REFERENCES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_BARE_AMPERSAND = re.compile(rb"&(?![#A-Za-z])")
_INVALID_XML_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A tag as a forgiving parser sees one: it need not be closed by ">".
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:._-]*)([^<>]*)")
_VOID_ELEMENTS = frozenset(
    {b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
     b"param", b"source", b"track", b"wbr"}
)  # fmt: skip

# feedparser's forgiving parser, used when the XML is broken, slows down badly on large or
# deeply nested input (tens of seconds for a few megabytes). Beyond these limits a broken feed is
# refused instead of repaired; a well-formed feed of any allowed size is read.
LOOSE_PARSE_MAX_BYTES = 256 * 1024
MAX_DEPTH = 500  # real feeds nest fewer than 30 elements deep


# --- Errors and warnings -------------------------------------------------------------------------


class FeedErrorCode(StrEnum):
    EMPTY = "empty"
    WEB_PAGE = "web_page"
    NOT_A_FEED = "not_a_feed"
    MALFORMED = "malformed"
    MALFORMED_LARGE = "malformed_large"
    ENTITIES = "entities"
    TOO_DEEP = "too_deep"


class FeedError(ScanningError):
    """A body that holds no readable feed."""

    MESSAGES = {
        FeedErrorCode.EMPTY: _("The server sent an empty answer instead of a feed."),
        FeedErrorCode.WEB_PAGE: _(
            "The address leads to a web page, not to a feed. Look on the page for a link to its "
            "RSS or Atom feed and use that address."
        ),
        FeedErrorCode.NOT_A_FEED: _("The address does not lead to an RSS or Atom feed."),
        FeedErrorCode.MALFORMED: _(
            "The feed is not well-formed XML (the first error is on line %(line)s) and nothing "
            "could be read from it."
        ),
        FeedErrorCode.MALFORMED_LARGE: _(
            "The feed is not well-formed XML (the first error is on line %(line)s) and too "
            "large to be repaired."
        ),
        FeedErrorCode.ENTITIES: _(
            "The feed declares its own XML entities. For safety, such feeds are not read."
        ),
        FeedErrorCode.TOO_DEEP: _(
            "The feed's elements are nested more than %(limit)s levels deep. For safety, such "
            "feeds are not read."
        ),
    }


class FeedWarningCode(StrEnum):
    MALFORMED = "malformed"
    ENCODING = "encoding"
    ENCODING_UNKNOWN = "encoding_unknown"


_WARNING_MESSAGES: Mapping[str, str | Promise] = {
    FeedWarningCode.MALFORMED: _(
        "The feed is not well-formed XML (the first error is on line %(line)s); what could be "
        "read was kept."
    ),
    FeedWarningCode.ENCODING: _(
        "The feed's declared character encoding is wrong; it was read as %(encoding)s."
    ),
    FeedWarningCode.ENCODING_UNKNOWN: _(
        "The feed's character encoding could not be determined; some letters may be wrong."
    ),
}


@dataclass(frozen=True)
class FeedWarning:
    """A problem that did not stop the feed from being read."""

    code: str
    params: Mapping[str, str | int | float] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render(_WARNING_MESSAGES[self.code], self.params)


def error_reason(code: str, params: Params) -> str:
    """The reason for a stored fetch or feed error code, in the active language."""
    if code in FeedError.MESSAGES:
        return FeedError(code, params).reason
    return FetchError(code, params).reason


# --- The parsed feed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Enclosure:
    """A podcast episode's media file."""

    url: str
    type: str  # a MIME type such as audio/mpeg, "" if not given
    length: int | None  # bytes, as the feed claims


@dataclass(frozen=True)
class ParsedItem:
    title: str  # plain text
    link: str  # absolute http(s) URL, "" if none
    summary_html: str  # sanitised HTML
    summary_text: str  # plain text
    published: datetime | None  # aware, UTC; the update time if no publication time is given
    guid: str  # the feed's own id for the item, "" if none
    episode: int | None = None  # podcast (iTunes) tags
    season: int | None = None
    duration_seconds: int | None = None
    enclosure: Enclosure | None = None

    @property
    def key(self) -> str:
        """What identifies the item between scans: its guid, else its link, else a hash."""
        if self.guid:
            return self.guid
        if self.link:
            return self.link
        published = self.published.isoformat() if self.published else ""
        digest = hashlib.sha256(f"{self.title}\n{published}".encode()).hexdigest()
        return f"sha256:{digest}"


@dataclass(frozen=True)
class ParsedFeed:
    title: str  # plain text
    link: str  # the feed's web site, absolute http(s), "" if none
    description: str  # plain text
    language: str  # as the feed declares it ("sv", "en-GB"), "" if not
    version: str  # feedparser's name for the format: "rss20", "atom10", "rss10", ...
    is_podcast: bool
    items: tuple[ParsedItem, ...]
    warnings: tuple[FeedWarning, ...] = ()


# --- Sanitising ----------------------------------------------------------------------------------


def _web_url(
    value: object, base: str = "", schemes: frozenset[str] = frozenset({"http", "https"})
) -> str:
    """`value` as an absolute URL with one of `schemes`, resolved against `base`, else ""."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        url = urljoin(base, value.strip()) if base else value.strip()
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in schemes:
        return ""
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return ""
    return url


def sanitise_html(markup: str, *, base_url: str = "") -> str:
    """Feed HTML cut down to the allow-list of this module; relative links are resolved
    against `base_url` (and dropped without one)."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        # nh3 has already refused unsafe schemes; this resolves what is left and checks again.
        if attribute == "href":
            return _web_url(value, base_url, LINK_SCHEMES) or None
        return value

    # Headings become paragraphs (the page has its own outline); blocks that are unwrapped
    # leave a space, so that their words do not run together.
    markup = _HEADING.sub(r"<\1p>", markup)
    markup = _UNWRAPPED_BLOCK_END.sub(r"\g<0> ", markup)
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def plain_text(markup: str) -> str:
    """The text of an HTML fragment: tags and their attributes gone, entities decoded,
    whitespace collapsed. Script and style content is dropped, not shown."""
    stripped = nh3.clean(
        _BLOCK_BOUNDARY.sub(" ", markup),
        tags=set(),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={},
    )
    return _collapse(html.unescape(stripped))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _text(value: object) -> str:
    """A feed's text field as plain text. Feeds mix plain and HTML titles, often escaped twice,
    so entities are decoded and anything that looks like a tag is stripped."""
    if not isinstance(value, str):
        return ""
    if _ENTITY.search(value):
        value = html.unescape(value)
    if _MARKUP.search(value):
        return plain_text(value)
    return _collapse(value)


# --- Parsing -------------------------------------------------------------------------------------


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _sep, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return ""


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _is_single_byte_latin(name: str) -> bool:
    codec = _codec(name)
    return codec == "ascii" or codec.startswith(("iso8859-", "cp125"))


def _misdeclared_utf8(content: bytes, charset: str) -> bool:
    """Whether a body declared as Latin-1, Windows-1252 or ASCII is in fact UTF-8: valid UTF-8
    with multi-byte sequences is very unlikely to be anything else (Swedish feeds often are)."""
    declared = charset
    if not declared:
        match = _XML_ENCODING.match(content[:1024])
        declared = match.group(1).decode("ascii") if match else ""
    if not declared or not _is_single_byte_latin(declared) or content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_html(content: bytes, content_type: str) -> bool:
    mime = content_type.split(";")[0].strip().lower()
    return mime in ("text/html", "application/xhtml+xml") or bool(
        _HTML_START.match(content[:4096].lstrip(codecs.BOM_UTF8))
    )


def _original_line(line: int, content: bytes, data: bytes, encoding: str) -> int:
    """A line of the UTF-8 conversion as a line of the body as sent: the conversion may have
    added or joined lines at the XML declaration."""
    try:
        original = content.decode(encoding) if encoding else None
    except (LookupError, UnicodeDecodeError):
        original = None
    if original is not None:
        line -= data.count(b"\n") - original.count("\n")
    return max(line, 1)


def _is_xml_character(codepoint: int) -> bool:
    return (
        codepoint in (0x9, 0xA, 0xD)
        or 0x20 <= codepoint <= 0xD7FF
        or 0xE000 <= codepoint <= 0xFFFD
        or 0x10000 <= codepoint <= 0x10FFFF
    )


def _repair_reference(match: re.Match[bytes]) -> bytes:
    decimal, hexadecimal, name = match.groups()
    if decimal or hexadecimal:
        codepoint = int(decimal) if decimal else int(hexadecimal, 16)
        return match.group(0) if _is_xml_character(codepoint) else b"&#xFFFD;"
    if name is None:
        return b"&amp;"  # a bare ampersand, as in "AT&T" or a URL's query string
    if name in _XML_NAMED_REFERENCES:
        return match.group(0)
    text = html.entities.html5.get(name.decode("ascii") + ";")
    if text is None:
        return b"&amp;" + match.group(0)[1:]  # unknown: shown as written, as a browser does
    return b"".join(b"&#%d;" % ord(character) for character in text)


def _repair_references(data: bytes) -> bytes:
    """The everyday faults of hand-made feeds, repaired so that the strict parser reads them:
    HTML's named entities (`&nbsp;`, `&auml;`), which XML does not know, become character
    references; bare ampersands are escaped; control characters that XML forbids are dropped.
    CDATA sections and comments are left as they are. Linear in the size of `data`."""
    data = _INVALID_XML_BYTES.sub(b"", data)
    data = _BARE_AMPERSAND.sub(b"&amp;", data)  # the common case without a Python call each
    pieces: list[bytes] = []
    position, size = 0, len(data)
    next_cdata = next_comment = -2  # -2: not searched yet; -1: none left
    while position < size:
        if next_cdata != -1 and next_cdata < position:
            next_cdata = data.find(b"<![CDATA[", position)
        if next_comment != -1 and next_comment < position:
            next_comment = data.find(b"<!--", position)
        starts = [index for index in (next_cdata, next_comment) if index >= 0]
        start = min(starts) if starts else size
        pieces.append(_REFERENCE.sub(_repair_reference, data[position:start]))
        if start == size:
            break
        terminator = b"]]>" if start == next_cdata else b"-->"
        end = data.find(terminator, start + 4)
        position = size if end < 0 else end + len(terminator)
        pieces.append(data[start:position])
    return b"".join(pieces)


class _TooDeepError(Exception):
    pass


def _xml_error_line(data: bytes) -> int | None:
    """None if `data` is well-formed XML, else the line of the first error. FeedError if it
    nests deeper than MAX_DEPTH. Expat alone, without feedparser's work per element, is fast."""
    parser = expat.ParserCreate()
    depth = 0

    def start(name: str, attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise _TooDeepError

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _TooDeepError:
        raise FeedError(FeedErrorCode.TOO_DEEP, {"limit": MAX_DEPTH}) from None
    except expat.ExpatError as error:
        return int(error.lineno)
    return None


def _estimated_depth(data: bytes) -> int:
    """How deep broken XML nests, counting tags the way a forgiving parser would."""
    depth = deepest = 0
    for match in _TAG.finditer(data):
        closing, name, rest = match.groups()
        if closing:
            depth = max(depth - 1, 0)
        elif not rest.rstrip().endswith(b"/") and name.lower() not in _VOID_ELEMENTS:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def parse_feed(content: bytes, *, url: str = "", content_type: str = "") -> ParsedFeed:
    """Read a feed from a fetched body; `url` (the final URL) resolves relative links,
    `content_type` (the Content-Type header) helps with the character encoding."""
    if not content.strip():
        raise FeedError(FeedErrorCode.EMPTY)
    warnings: list[FeedWarning] = []
    charset = _charset(content_type)
    if _misdeclared_utf8(content, charset):
        charset = "utf-8"
        warnings.append(FeedWarning(FeedWarningCode.ENCODING, {"encoding": "UTF-8"}))
    # Feeds are XML whatever the server calls them (text/html, text/plain, text/xml without a
    # charset, which RFC 3023 would make US-ASCII); only a declared charset is kept.
    xml_type = f"application/xml; charset={charset}" if charset else "application/xml"

    conversion: dict[str, Any] = {}
    data: bytes = convert_to_utf8({"content-type": xml_type}, content, conversion)
    encoding = str(conversion.get("encoding") or "")
    problem = conversion.get("bozo_exception")
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        warnings.append(FeedWarning(FeedWarningCode.ENCODING, {"encoding": encoding.upper()}))
    elif isinstance(problem, feedparser.CharacterEncodingUnknown):
        warnings.append(FeedWarning(FeedWarningCode.ENCODING_UNKNOWN))

    # Entity declarations can only stand before the first element. Refusing them here keeps
    # every parser below from ever expanding one: no "billion laughs", no external entities.
    first = _FIRST_ELEMENT.search(data)
    if _ENTITY_DECLARATION.search(data[: first.start()] if first else data):
        raise FeedError(FeedErrorCode.ENTITIES)

    data = _repair_references(data)
    error_line = _xml_error_line(data)
    if error_line is not None:
        line = _original_line(error_line, content, data, encoding)
        if _looks_like_html(content, content_type):
            raise FeedError(FeedErrorCode.WEB_PAGE)
        if len(data) > LOOSE_PARSE_MAX_BYTES:
            raise FeedError(FeedErrorCode.MALFORMED_LARGE, {"line": line})
        if _estimated_depth(data) > MAX_DEPTH:
            raise FeedError(FeedErrorCode.TOO_DEEP, {"limit": MAX_DEPTH})

    parsed = feedparser.parse(
        io.BytesIO(data),  # never a str: feedparser would take one for a URL or a file name
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,  # nh3 sanitises, below
        resolve_relative_uris=False,  # so does _web_url, for the few URLs kept
    )
    if not parsed.get("version") and not parsed.get("entries"):
        if _looks_like_html(content, content_type):
            raise FeedError(FeedErrorCode.WEB_PAGE)
        if error_line is not None:
            raise FeedError(FeedErrorCode.MALFORMED, {"line": line})
        raise FeedError(FeedErrorCode.NOT_A_FEED)
    if error_line is not None:
        warnings.append(FeedWarning(FeedWarningCode.MALFORMED, {"line": line}))

    channel = parsed.get("feed", {})
    items = tuple(_item(entry, url) for entry in parsed.get("entries", []))
    namespaces = parsed.get("namespaces", {}) or {}
    is_podcast = ITUNES_NAMESPACE in namespaces.values() or any(
        item.enclosure is not None and item.enclosure.type.startswith(("audio/", "video/"))
        for item in items
    )
    return ParsedFeed(
        title=_text(channel.get("title")),
        link=_web_url(channel.get("link"), url),
        description=_text(channel.get("subtitle") or channel.get("description")),
        language=_collapse(str(channel.get("language") or ""))[:35],
        version=str(parsed.get("version") or ""),
        is_podcast=is_podcast,
        items=items,
        warnings=tuple(warnings),
    )


def _item(entry: Mapping[str, Any], feed_url: str) -> ParsedItem:
    base = feed_url
    link = _web_url(entry.get("link"), base)
    summary, summary_type = "", "text/html"
    for key in ("summary_detail", "content"):
        detail = entry.get(key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        if detail and detail.get("value"):
            summary = str(detail["value"])
            summary_type = str(detail.get("type") or "text/html")
            base = str(detail.get("base") or base)
            break
    if summary_type == "text/plain":
        summary_html = html.escape(summary.strip())
    else:
        summary_html = sanitise_html(summary, base_url=_web_url(base) or link)
    return ParsedItem(
        title=_text(entry.get("title")),
        link=link,
        summary_html=summary_html,
        summary_text=plain_text(summary_html),
        published=_datetime(entry.get("published_parsed") or entry.get("updated_parsed")),
        guid=_collapse(str(entry.get("id") or ""))[:2000],
        episode=_integer(entry.get("itunes_episode"), _MAX_INT),
        season=_integer(entry.get("itunes_season"), _MAX_INT),
        duration_seconds=parse_duration(entry.get("itunes_duration")),
        enclosure=_enclosure(entry.get("enclosures"), feed_url),
    )


def _datetime(value: object) -> datetime | None:
    try:
        return datetime(*value[:6], tzinfo=UTC)  # type: ignore[index, misc]
    except (TypeError, ValueError, OverflowError):
        return None


def _integer(value: object, maximum: int) -> int | None:
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= maximum else None


def parse_duration(value: object) -> int | None:
    """Seconds from an iTunes duration: "3723", "62:03", "1:02:03" (or "1:02:03.5")."""
    if not isinstance(value, str) or not value.strip():
        return None
    parts = value.strip().split(":")
    if len(parts) > 3:
        return None
    seconds = 0.0
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            return None
        if not math.isfinite(number) or number < 0:
            return None
        seconds = seconds * 60 + number
    return round(seconds) if seconds <= _MAX_INT else None


def _enclosure(enclosures: object, base: str) -> Enclosure | None:
    if not isinstance(enclosures, list):
        return None
    for enclosure in enclosures:
        url = _web_url(enclosure.get("href"), base)
        if url:
            return Enclosure(
                url=url,
                type=_collapse(str(enclosure.get("type") or "")).lower()[:100],
                length=_integer(enclosure.get("length"), _MAX_LENGTH),
            )
    return None
