"""Reading feeds: the formats, the corpus of bad feeds, and sanitised output."""

from __future__ import annotations

import re
import time
import tracemalloc
from datetime import UTC, datetime

import pytest

from forandra.scanning import feeds
from forandra.scanning.feeds import (
    Enclosure,
    FeedError,
    FeedErrorCode,
    FeedWarningCode,
    ParsedFeed,
    ParsedItem,
    parse_feed,
    plain_text,
    sanitise_html,
)
from forandra.scanning.fetch import FetchErrorCode, FetchLimits, ScanningError, fetch

from .conftest import FEEDS, MEGABYTE, FeedServer

pytestmark = pytest.mark.usefixtures("english")

BASE = "https://feeds.example/news/feed.xml"


def read(name: str, content_type: str = "application/rss+xml") -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url=BASE, content_type=content_type)


def feed_error(content: bytes, content_type: str = "") -> FeedError:
    with pytest.raises(FeedError) as caught:
        parse_feed(content, url=BASE, content_type=content_type)
    return caught.value


# --- Formats --------------------------------------------------------------------------------------


def test_an_rss_feed_is_read() -> None:
    feed = read("rss20.xml")
    assert (feed.title, feed.link, feed.language, feed.version) == (
        "Digitaliseringsnytt från SKR",
        "https://skr.example.se/digitalisering",
        "sv",
        "rss20",
    )
    assert feed.description == "Nyheter om digitalisering i kommuner och regioner."
    assert not feed.is_podcast
    assert feed.warnings == ()
    first, second, third = feed.items
    assert first == ParsedItem(
        title="Ny lag om tillgänglighet till digital offentlig service",
        link="https://skr.example.se/nyheter/dos-lagen",
        summary_html=(
            "<p>DOS-lagen ställer krav på <strong>tillgänglighet</strong> enligt "
            '<a href="https://www.w3.org/WAI/" rel="nofollow noopener noreferrer">WCAG 2.1</a>.'
            "</p>"
        ),
        summary_text="DOS-lagen ställer krav på tillgänglighet enligt WCAG 2.1.",
        published=datetime(2024, 3, 5, 8, 30, tzinfo=UTC),
        guid="skr-2024-001",
    )
    assert first.key == "skr-2024-001"
    # Relative links resolve against the feed's address.
    assert second.link == "https://feeds.example/nyheter/valfardsteknik"
    assert 'href="https://feeds.example/rapport.pdf"' in second.summary_html
    assert second.key == second.link
    # Plain text keeps its characters.
    assert third.title == "AT&T och x < y: tecken som ska synas"
    assert third.summary_text == "Vanlig text utan HTML, med radbrytning och ett &-tecken."
    assert third.published is None


def test_an_atom_feed_is_read() -> None:
    feed = read("atom.xml", "application/atom+xml")
    assert (feed.title, feed.link, feed.language, feed.version) == (
        "Open data in local government",
        "https://opendata.example.org/",
        "en",
        "atom10",
    )
    html_title, text_entry = feed.items
    assert html_title.title == "Open data portals compared"
    assert html_title.summary_html == "<p>Three <b>portals</b> compared.</p>"
    assert html_title.published == datetime(2024, 2, 28, 9, 15, tzinfo=UTC)
    assert html_title.guid == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert text_entry.link == "https://feeds.example/news/entries/plain"
    # type="text": the markup-like text is shown as written, escaped.
    assert text_entry.summary_html == "Less than &lt;b&gt; is text here."
    assert text_entry.summary_text == "Less than <b> is text here."
    assert text_entry.published == datetime(2024, 2, 27, 8, 0, tzinfo=UTC)  # the update time


def test_a_podcast_feed_gives_episodes_durations_and_enclosures() -> None:
    feed = read("podcast.xml")
    assert feed.is_podcast
    twelve, eleven, ten = feed.items
    assert (twelve.episode, twelve.season, twelve.duration_seconds) == (12, 2, 3723)
    assert twelve.enclosure == Enclosure(
        url="https://media.example.se/podd/12.mp3", type="audio/mpeg", length=34216300
    )
    assert (eleven.episode, eleven.season, eleven.duration_seconds) == (11, None, 2730)
    assert eleven.enclosure is not None and eleven.enclosure.length is None  # "not a number"
    assert (ten.episode, ten.duration_seconds) == (None, 95)  # episode "tio"
    assert ten.enclosure is None  # a javascript: enclosure is dropped


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("3723", 3723),
        ("62:03", 3723),
        ("1:02:03", 3723),
        ("01:02:03.6", 3724),
        (" 95 ", 95),
        ("", None),
        ("an hour", None),
        ("1:2:3:4", None),
        ("-5", None),
        ("nan", None),
        ("1e400", None),
        (None, None),
    ],
)
def test_durations_are_read_in_every_itunes_form(written: str | None, seconds: int | None) -> None:
    assert feeds.parse_duration(written) == seconds


def test_an_item_without_guid_or_link_is_keyed_by_its_title_and_date() -> None:
    item = ParsedItem("A title", "", "", "", datetime(2024, 1, 1, tzinfo=UTC), "")
    same = ParsedItem("A title", "", "<p>changed</p>", "changed", item.published, "")
    assert item.key.startswith("sha256:")
    assert item.key == same.key
    assert item.key != ParsedItem("Another", "", "", "", item.published, "").key


# --- The corpus of bad feeds ----------------------------------------------------------------------


def test_a_broken_but_readable_feed_is_read_with_a_warning() -> None:
    feed = read("malformed.xml")
    assert [item.title for item in feed.items] == ["Första posten", "Andra posten"]
    assert feed.items[0].summary_html == "Ett odefinierat entitet och en <b>ostängd tagg</b>"
    (warning,) = feed.warnings
    assert (warning.code, warning.params) == (FeedWarningCode.MALFORMED, {"line": 9})
    assert warning.message == (
        "The feed is not well-formed XML (the first error is on line 9); what could be read "
        "was kept."
    )


def test_xml_too_broken_to_read_is_an_error_naming_the_line() -> None:
    error = feed_error((FEEDS / "broken.xml").read_bytes())
    assert (error.code, error.params) == (FeedErrorCode.MALFORMED, {"line": 2})
    assert "line 2" in error.reason


def test_html_entities_bare_ampersands_and_control_characters_are_repaired_silently() -> None:
    feed = parse_feed(
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        b"<title>Caf&eacute;&nbsp;&amp; co &hellip; &bogus; AT&T\x0b</title>"
        b"<link>https://x.example/?a=1&b=2</link><item><title>&#0;&#x1F600;</title></item>"
        b"<item><title><![CDATA[Fish & chips &nbsp;]]></title></item>"
        b"</channel></rss>"
    )
    assert feed.warnings == ()
    assert feed.title == "Café & co … &bogus; AT&T"
    assert feed.link == "https://x.example/?a=1&b=2"
    assert [item.title for item in feed.items] == ["\ufffd\U0001f600", "Fish & chips"]


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("declares-utf8-is-latin1.xml", "application/rss+xml"),
        ("declares-latin1-is-utf8.xml", "application/rss+xml"),
        ("declares-latin1-is-utf8.xml", "text/xml; charset=iso-8859-1"),
        ("declares-utf8-is-latin1.xml", "text/html"),
    ],
)
def test_a_wrongly_declared_encoding_is_read_right_with_a_warning(
    name: str, content_type: str
) -> None:
    feed = read(name, content_type)
    assert feed.title == "Västerbottens kommuner"
    assert feed.items[0].title == "Försök med åtgärder"
    assert [warning.code for warning in feed.warnings] == [FeedWarningCode.ENCODING]


@pytest.mark.parametrize(
    "name", ["billion-laughs.xml", "billion-laughs-one-line.xml", "external-entity.xml"]
)
def test_entity_declarations_are_refused_before_they_cost_anything(name: str) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = feed_error((FEEDS / name).read_bytes())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.code == FeedErrorCode.ENTITIES
    assert time.monotonic() - started < 1
    assert peak < MEGABYTE


def test_a_quadratic_entity_blowup_is_refused() -> None:
    # No nesting, so feedparser would keep the entity as "safe": 1 MB, referenced 100,000 times.
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + b"A" * MEGABYTE + b'">\n]>\n'
        b'<rss version="2.0"><channel><title>' + b"&a;" * 100_000 + b"</title></channel></rss>"
    )
    started = time.monotonic()
    assert feed_error(body).code == FeedErrorCode.ENTITIES
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_entity_declarations_are_found_in_any_encoding(encoding: str) -> None:
    body = (
        (FEEDS / "billion-laughs.xml")
        .read_text()
        .replace('"1.0"?>', f'"1.0" encoding="{encoding}"?>')
    )
    assert feed_error(body.encode(encoding)).code == FeedErrorCode.ENTITIES


def test_a_web_page_is_not_a_feed() -> None:
    page = (FEEDS / "web-page.html").read_bytes()
    for content_type in ("text/html; charset=utf-8", "application/rss+xml", ""):
        error = feed_error(page, content_type)
        assert error.code == FeedErrorCode.WEB_PAGE
    assert error.reason.startswith("The address leads to a web page, not to a feed.")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ((FEEDS / "sitemap.xml").read_bytes(), FeedErrorCode.NOT_A_FEED),
        (b"", FeedErrorCode.EMPTY),
        (b"  \n ", FeedErrorCode.EMPTY),
        (b'{"items": []}', FeedErrorCode.MALFORMED),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FeedErrorCode.MALFORMED),
    ],
)
def test_what_is_not_a_feed_is_an_error(content: bytes, code: FeedErrorCode) -> None:
    assert feed_error(content).code == code


def test_an_empty_feed_is_a_feed_without_items() -> None:
    feed = read("empty-channel.xml")
    assert (feed.title, feed.items, feed.warnings) == ("Inga poster än", (), ())


def test_deep_nesting_is_refused_quickly() -> None:
    started = time.monotonic()
    well_formed = b"<rss version='2.0'>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</rss>"
    broken = b"<rss version='2.0'><channel>" + b"<a " * 80_000
    for body in (well_formed, broken):
        error = feed_error(body)
        assert (error.code, error.params) == (FeedErrorCode.TOO_DEEP, {"limit": feeds.MAX_DEPTH})
    assert time.monotonic() - started < 2


def test_a_large_broken_feed_is_refused_instead_of_repaired() -> None:
    item = b"<item><title>x < y</title><description>" + b"y" * 900 + b"</description></item>"
    body = b'<rss version="2.0"><channel><title>T</title>' + item * 400
    assert len(body) > feeds.LOOSE_PARSE_MAX_BYTES
    started = time.monotonic()
    error = feed_error(body)
    assert (error.code, error.params) == (FeedErrorCode.MALFORMED_LARGE, {"line": 1})
    assert time.monotonic() - started < 1
    # The same fault in a small feed is read, with a warning.
    small = parse_feed(b'<rss version="2.0"><channel><title>T</title>' + item * 3)
    assert [warning.code for warning in small.warnings] == [FeedWarningCode.MALFORMED]


# --- Injection ------------------------------------------------------------------------------------

DANGEROUS = re.compile(
    r"<\s*(script|style|iframe|img|svg|math|object|embed|form|input|noscript)|"
    r"\bon[a-z]+\s*=|javascript:|data:|style\s*=|document\.cookie",
    re.IGNORECASE,
)


def test_script_and_event_handlers_never_come_out_of_a_feed() -> None:
    feed = read("injection.xml")
    fields = [feed.title, feed.link, feed.description]
    for item in feed.items:
        fields += [item.title, item.link, item.summary_html, item.summary_text]
    for value in fields:
        assert not DANGEROUS.search(value), value
    assert (feed.title, feed.link, feed.description) == ("Evil feed", "", "")
    assert [item.title for item in feed.items] == [
        "Escaped script in title",
        "CDATA title bold",
        "Event handler in title",
    ]
    first, second, third = feed.items
    assert first.link == ""  # javascript: link dropped
    assert '<a href="https://ok.example/" rel="nofollow noopener noreferrer">fine</a>' in (
        first.summary_html
    )
    assert "alert" not in first.summary_text
    assert second.summary_html == (
        '<p>Visible <em>text</em></p><a rel="nofollow noopener noreferrer">spaced</a>'
    )
    assert third.summary_html == (
        '<a href="https://ok.example/" rel="nofollow noopener noreferrer">link</a>'
        "<p>Heading</p>cell"
    )


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p onclick='x()'>Hi</p>", "<p>Hi</p>"),
        ("<b style='color:red'>b</b>", "<b>b</b>"),
        ("<a href='javascript:alert(1)'>x</a>", '<a rel="nofollow noopener noreferrer">x</a>'),
        ("<a href='vbscript:x'>x</a>", '<a rel="nofollow noopener noreferrer">x</a>'),
        (
            "<a href='mailto:a@example.se' target='_blank'>mail</a>",
            '<a href="mailto:a@example.se" rel="nofollow noopener noreferrer">mail</a>',
        ),
        (
            "<a href='../other'>rel</a>",
            '<a href="https://feeds.example/other" rel="nofollow noopener noreferrer">rel</a>',
        ),
        ("<img src=x onerror=alert(1)>text", "text"),
        ("<script>alert(1)</script><style>p{}</style>ok", "ok"),
        ("<iframe src='https://e.example'>fallback</iframe>ok", "ok"),
        ("<svg><script>alert(1)</script></svg>ok", "ok"),
        ("<h2 id='x'>Title</h2>", "<p>Title</p>"),
        ("<!-- comment -->kept", "kept"),
        (
            "<ul><li>one</li></ul><blockquote>q</blockquote>",
            "<ul><li>one</li></ul><blockquote>q</blockquote>",
        ),
    ],
)
def test_feed_html_is_cut_down_to_the_allow_list(dirty: str, clean: str) -> None:
    assert sanitise_html(dirty, base_url="https://feeds.example/news/") == clean


def test_relative_links_without_a_base_are_dropped() -> None:
    assert sanitise_html("<a href='/admin/'>x</a>") == '<a rel="nofollow noopener noreferrer">x</a>'


def test_plain_text_drops_tags_and_script_content_and_decodes_entities() -> None:
    assert plain_text("<p>One</p><p>Two&nbsp;&amp; <script>x()</script>three</p>") == (
        "One Two & three"
    )


# --- Fetched and parsed: every file of the corpus gives a feed or a reason -----------------------


@pytest.mark.parametrize("name", sorted(path.name for path in FEEDS.iterdir() if path.is_file()))
def test_every_file_of_the_corpus_gives_a_feed_or_a_reason(server: FeedServer, name: str) -> None:
    result = fetch(server.url(f"/feeds/{name}"), limits=FetchLimits(total_timeout=2))
    try:
        feed = parse_feed(result.content, url=result.final_url, content_type=result.content_type)
    except ScanningError as error:
        reason = error.reason
        feed = None
    if feed is None:
        assert reason.endswith(".")
    else:
        for value in [feed.title, *(item.summary_html for item in feed.items)]:
            assert not DANGEROUS.search(value)


def test_a_stored_error_code_gives_its_reason_again() -> None:
    assert feeds.error_reason(FeedErrorCode.TOO_DEEP, {"limit": 500}) == (
        "The feed's elements are nested more than 500 levels deep. For safety, such feeds are "
        "not read."
    )
    assert feeds.error_reason(FetchErrorCode.HTTP_STATUS, {"status": 404}) == (
        "The server has no feed at this address (status 404)."
    )


@pytest.mark.parametrize("code", list(FeedErrorCode))
def test_every_feed_error_has_a_readable_reason(code: FeedErrorCode) -> None:
    reason = FeedError(code, {"line": 3, "limit": 500}).reason
    assert reason.endswith(".") and "%(" not in reason


@pytest.mark.parametrize("code", list(FeedWarningCode))
def test_every_feed_warning_has_a_readable_message(code: FeedWarningCode) -> None:
    message = feeds.FeedWarning(code, {"line": 3, "encoding": "UTF-8"}).message
    assert message.endswith(".") and "%(" not in message
