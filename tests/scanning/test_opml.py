"""OPML import: the feeds a podcast app exports, and files that must be refused."""

from __future__ import annotations

import time

import pytest

from forandra.scanning.opml import (
    OpmlError,
    OpmlErrorCode,
    OpmlFeed,
    SkipReason,
    parse_opml,
)

from .conftest import FEEDS

pytestmark = pytest.mark.usefixtures("english")


def opml_error(data: bytes, **kwargs: int) -> OpmlError:
    with pytest.raises(OpmlError) as caught:
        parse_opml(data, **kwargs)
    return caught.value


def outlines(*lines: str) -> bytes:
    return ("<opml version='2.0'><body>\n" + "\n".join(lines) + "\n</body></opml>").encode()


def test_an_export_of_twenty_feeds_gives_twenty_feeds() -> None:
    document = parse_opml((FEEDS / "podcasts-20.opml").read_bytes())
    assert document.title == "Poddar och läsning för digitaliseringsgruppen"
    assert len(document.feeds) == 20
    assert len({feed.url for feed in document.feeds}) == 20
    assert document.skipped == ()
    assert document.feeds[0] == OpmlFeed(
        url="https://podd.example.se/feed.xml",
        title="Digitala kommunpodden",
        html_url="https://podd.example.se/",
        folder=("Workshop 1: Begrepp",),
        line=10,
    )
    by_title = {feed.title: feed for feed in document.feeds}
    # Folders nest; attribute names are read whatever their case.
    assert by_title["Mognadspodden"].folder == ("Workshop 2: Mognad", "Självskattning")
    assert by_title["OECD Digital Government"].url == (
        "https://oecd.example.org/digital-government.atom"
    )
    assert by_title["Regionens nyheter"].folder == ()
    # Podcast apps' own schemes mean http.
    assert by_title["Medborgardialog"].url == "http://medborgardialog.example.se/podcast"
    assert by_title["Automatisering"].url == "http://automation.example.se/feed"


def test_each_address_is_imported_once() -> None:
    document = parse_opml(
        outlines(
            '<outline text="A" xmlUrl="https://a.example/feed"/>',
            '<outline text="A again" xmlUrl="HTTPS://A.example/feed#latest"/>',
            '<outline text="B" xmlUrl="https://b.example/feed"/>',
        )
    )
    assert [feed.title for feed in document.feeds] == ["A", "B"]
    (skipped,) = document.skipped
    assert (skipped.line, skipped.reason) == (3, SkipReason.DUPLICATE)
    assert skipped.message == (
        "Line 3: HTTPS://A.example/feed#latest is listed more than once; it was kept once."
    )


def test_outlines_with_unusable_addresses_are_skipped_with_a_reason() -> None:
    document = parse_opml(
        outlines(
            '<outline text="ok" xmlUrl="https://ok.example/feed"/>',
            '<outline text="js" xmlUrl="javascript:alert(1)"/>',
            '<outline text="file" xmlUrl="file:///etc/passwd"/>',
            '<outline text="bad html" xmlUrl="https://ok.example/2" htmlUrl="javascript:x"/>',
        )
    )
    assert [(feed.url, feed.html_url) for feed in document.feeds] == [
        ("https://ok.example/feed", ""),
        ("https://ok.example/2", ""),
    ]
    assert [(item.line, item.url, item.reason) for item in document.skipped] == [
        (3, "javascript:alert(1)", SkipReason.UNSUPPORTED_URL),
        (4, "file:///etc/passwd", SkipReason.UNSUPPORTED_URL),
    ]


def test_malformed_opml_is_refused_with_what_and_where() -> None:
    error = opml_error((FEEDS / "malformed.opml").read_bytes())
    assert (error.code, error.line) == (OpmlErrorCode.MALFORMED, 7)
    assert error.reason == (
        "The file is not well-formed XML: a closing tag does not match the tag it closes "
        "(line 7, column 7)."
    )


@pytest.mark.parametrize(
    ("data", "code", "reason"),
    [
        (b"", OpmlErrorCode.EMPTY, "The file is empty."),
        (
            (FEEDS / "rss20.xml").read_bytes(),
            OpmlErrorCode.NOT_OPML,
            "The file is not OPML: its outermost element is <rss>, not <opml>.",
        ),
        (b"<opml><head/></opml>", OpmlErrorCode.NO_BODY, "The OPML file has no <body> element."),
        (
            outlines('<outline text="A folder"><outline text="no address"/></outline>'),
            OpmlErrorCode.NO_FEEDS,
            "The file lists no feeds: none of its outlines has an xmlUrl.",
        ),
        (
            b"<opml><body>\n<outline xmlUrl='https://a.example/?x=1&y=2'/></body></opml>",
            OpmlErrorCode.MALFORMED,
            "The file is not well-formed XML: a character that is not allowed there "
            "(line 2, column 42).",
        ),
        (
            b"<opml><body><outline text='&nbsp;'/></body></opml>",
            OpmlErrorCode.MALFORMED,
            "The file is not well-formed XML: an unknown entity such as &nbsp; "
            "(line 1, column 13).",
        ),
        (
            b"<opml><body><outline text='x'",
            OpmlErrorCode.MALFORMED,
            "The file is not well-formed XML: a tag or an attribute is not closed "
            "(line 1, column 13).",
        ),
    ],
)
def test_files_that_are_not_usable_opml_are_refused_with_a_reason(
    data: bytes, code: OpmlErrorCode, reason: str
) -> None:
    error = opml_error(data)
    assert (error.code, error.reason) == (code, reason)


def test_entity_declarations_are_refused_before_they_are_expanded() -> None:
    laughs = (FEEDS / "billion-laughs.xml").read_text()
    doctype = laughs[: laughs.index("]>") + 2].replace("DOCTYPE rss", "DOCTYPE opml")
    data = (
        doctype + "\n<opml><body><outline text='&lol9;' xmlUrl='https://a.example/'/></body></opml>"
    ).encode()
    started = time.monotonic()
    error = opml_error(data)
    assert error.code == OpmlErrorCode.FORBIDDEN
    assert error.line == 3
    assert time.monotonic() - started < 1


def test_an_external_entity_is_never_read() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b"<opml><body><outline text='&x;' xmlUrl='https://a.example/'/></body></opml>"
    )
    assert opml_error(data).code == OpmlErrorCode.FORBIDDEN


def test_a_file_with_too_many_feeds_is_refused() -> None:
    data = outlines(*(f'<outline xmlUrl="https://f{n}.example/"/>' for n in range(6)))
    assert len(parse_opml(data, max_feeds=6).feeds) == 6
    error = opml_error(data, max_feeds=5)
    assert (error.code, error.reason) == (
        OpmlErrorCode.TOO_MANY,
        "The file lists more than 5 feeds.",
    )


def test_other_encodings_are_read() -> None:
    data = (
        "<?xml version='1.0' encoding='iso-8859-1'?><opml><body>"
        "<outline text='Västerbotten' xmlUrl='https://vb.example/'/></body></opml>"
    ).encode("iso-8859-1")
    assert parse_opml(data).feeds[0].title == "Västerbotten"
    utf16 = "<opml><body><outline title='Åre' xmlUrl='https://are.example/'/></body></opml>"
    assert parse_opml(utf16.encode("utf-16")).feeds[0].title == "Åre"


@pytest.mark.parametrize("code", list(OpmlErrorCode))
def test_every_opml_error_has_a_readable_reason(code: OpmlErrorCode) -> None:
    params: dict[str, str | int | float] = {
        "problem": "mismatched tag",
        "line": 1,
        "column": 2,
        "element": "rss",
        "limit": 9,
    }
    reason = OpmlError(code, params).reason
    assert reason.endswith(".") and "%(" not in reason
