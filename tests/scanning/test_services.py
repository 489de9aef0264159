"""Scanning's services and selectors: the catalogue, feeds, OPML, scans, signals, the radar, and
who sees which feeds and signals.

Scans fetch from feed servers on 127.0.0.1 only: `site` below, whose feeds a test writes and
rewrites (with an ETag and Last-Modified of their own, and 304 answers), and the corpus server of
conftest.py. The autouse `network` fixture fails a test that connects anywhere else.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.core.exceptions import ValidationError

from forandra.municipalities.models import Municipality, Region
from forandra.scanning import radar, selectors, services
from forandra.scanning.fetch import FetchLimits
from forandra.scanning.models import Feed, FetchStatus, Placement, Ring, Signal, Wave
from forandra.scanning.opml import OpmlError

from .conftest import FEEDS, FeedServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FAST = FetchLimits(connect_timeout=1.0, read_timeout=1.0, total_timeout=3.0)


# --- A feed site whose feeds the test edits -------------------------------------------------------

Item = tuple[str, str, str]  # guid, title, description


def rss(title: str, items: list[Item]) -> bytes:
    entries = "".join(
        f"<item><guid>{escape(guid)}</guid><title>{escape(name)}</title>"
        f"<link>https://news.example.se/{escape(guid)}</link>"
        f"<description>{escape(text)}</description></item>"
        for guid, name, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example.se/</link>{entries}"
        "</channel></rss>"
    ).encode()


class SiteHandler(http.server.BaseHTTPRequestHandler):
    server: FeedSite

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        time.sleep(self.server.delays.get(self.path, 0))
        if self.path in self.server.moved:
            self.send_response(301)
            self.send_header("Location", self.server.moved[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.server.feeds.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", "Mon, 04 Mar 2024 08:00:00 GMT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FeedSite(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SiteHandler)
        self.feeds: dict[str, bytes] = {}
        self.moved: dict[str, str] = {}
        self.delays: dict[str, float] = {}  # seconds before answering
        self.requests: list[tuple[str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def conditional_requests(self, path: str) -> int:
        return sum(1 for p, headers in self.requests if p == path and "If-None-Match" in headers)


@pytest.fixture
def site(allow_loopback: None) -> Iterator[FeedSite]:
    server = FeedSite()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


NEWS: list[Item] = [
    (
        "dos-1",
        "Ny lag om tillgänglighet till digital offentlig service",
        "DOS-lagen kräver att kommunens webbplats följer WCAG.",
    ),
    (
        "ai-1",
        "Vi testar en chattbot med AI på webbplatsen",
        "En AI-assistent svarar invånarna dygnet runt.",
    ),
    (
        "welfare-1",
        "Trygghetslarm och digital tillsyn i hemtjänsten",
        "Välfärdsteknik ger nattlig tillsyn med kamera.",
    ),
]


# --- Fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def waves(region: Region) -> dict[str, Wave]:
    services.catalogue_seed(region=region)
    return {wave.key: wave for wave in selectors.waves_for(region=region)}


@pytest.fixture
def other_waves(elsewhere: Municipality) -> dict[str, Wave]:
    services.catalogue_seed(region=elsewhere.region)
    return {wave.key: wave for wave in selectors.waves_for(region=elsewhere.region)}


def follow(municipality: Municipality | None, url: str, region: Region | None = None) -> Feed:
    owner = region if region is not None else municipality.region  # type: ignore[union-attr]
    return services.feed_add(region=owner, municipality=municipality, url=url)


def scan(feed: Feed) -> services.ScanResult:
    return services.feed_scan(feed=feed, limits=FAST)


def best(signal: Signal) -> str:
    return str(signal.suggestions[0][0])


# --- The waves catalogue --------------------------------------------------------------------------


def test_catalogue_seed_gives_a_region_the_ten_shipped_waves_once(
    region: Region, elsewhere: Municipality
) -> None:
    assert services.catalogue_seed(region=region) == 10
    assert services.catalogue_seed(region=region) == 0  # idempotent: a second seed adds nothing

    waves = list(selectors.waves_for(region=region))
    assert len(waves) == 10
    assert [wave.position for wave in waves] == list(range(10))
    assert waves[0].key == "accessibility"
    assert waves[0].name_sv and waves[0].name_en and waves[0].keywords["sv"]
    assert Wave.objects.filter(region=elsewhere.region).count() == 0
    assert services.catalogue_seed(region=elsewhere.region) == 10  # each region its own


def test_catalogue_for_reads_the_regions_waves_back_as_a_catalogue(
    region: Region, waves: dict[str, Wave]
) -> None:
    catalogue = selectors.catalogue_for(region=region)

    assert catalogue.keys == tuple(waves)
    assert catalogue.waves[0].name.sv == waves["accessibility"].name_sv


# --- Feeds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("  https://podd.example.se/feed.xml  ", "https://podd.example.se/feed.xml"),
        ("feed://podd.example.se/rss", "http://podd.example.se/rss"),
        ("itpc://podd.example.se/rss", "http://podd.example.se/rss"),
        ("https://PODD.example.se/rss#latest", "https://podd.example.se/rss"),
    ],
)
def test_feed_add_normalises_the_address(home: Municipality, written: str, stored: str) -> None:
    feed = follow(home, written)

    assert feed.url == stored
    assert (feed.region, feed.municipality, feed.status) == (home.region, home, FetchStatus.NEW)


def test_feed_add_refuses_a_feed_already_followed_with_a_message_on_the_address(
    home: Municipality,
) -> None:
    follow(home, "https://podd.example.se/rss")

    with pytest.raises(ValidationError) as caught:
        follow(home, "feed://podd.example.se/rss#again".replace("feed://", "https://"))

    assert caught.value.message_dict == {"url": ["This feed is already followed."]}
    assert Feed.objects.count() == 1


def test_the_same_address_may_be_followed_by_two_municipalities_and_the_region(
    home: Municipality, neighbour: Municipality, region: Region
) -> None:
    follow(home, "https://podd.example.se/rss")
    follow(neighbour, "https://podd.example.se/rss")
    follow(None, "https://podd.example.se/rss", region=region)

    assert Feed.objects.filter(url="https://podd.example.se/rss").count() == 3
    with pytest.raises(ValidationError):
        follow(None, "https://podd.example.se/rss", region=region)


def test_feed_add_refuses_a_municipality_of_another_region(
    region: Region, elsewhere: Municipality
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.feed_add(region=region, municipality=elsewhere, url="https://a.example.se/rss")

    assert caught.value.messages == ["The municipality is not in this region."]
    assert not Feed.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://files.example.se/feed.xml",
        "not an address",
        "https://example.se/" + "a" * 2000,
    ],
)
def test_feed_add_refuses_what_is_not_a_web_address(home: Municipality, url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        follow(home, url)

    assert list(caught.value.message_dict) == ["url"]
    assert not Feed.objects.exists()


def test_feed_remove_takes_the_feeds_signals_with_it(home: Municipality, site: FeedSite) -> None:
    site.feeds["/news"] = rss("Nyheter", NEWS)
    feed = follow(home, site.url("/news"))
    scan(feed)

    services.feed_remove(feed=feed)

    assert not Feed.objects.exists()
    assert not Signal.objects.exists()


# --- OPML -----------------------------------------------------------------------------------------

OPML = (FEEDS / "podcasts-20.opml").read_bytes()


def test_opml_import_follows_the_twenty_feeds_of_a_podcast_apps_export(
    home: Municipality,
) -> None:
    imported = services.opml_import(region=home.region, municipality=home, data=OPML)

    assert len(imported.added) == 20
    assert imported.already == []
    feeds = Feed.objects.filter(municipality=home)
    assert feeds.count() == 20
    first = feeds.get(url="https://podd.example.se/feed.xml")
    assert (first.title, first.site_url, first.folder) == (
        "Digitala kommunpodden",
        "https://podd.example.se/",
        "Workshop 1: Begrepp",
    )
    nested = feeds.get(url="https://mognad.example.se/podcast.xml")
    assert nested.folder == "Workshop 2: Mognad / Självskattning"
    assert feeds.filter(url="http://medborgardialog.example.se/podcast").exists()  # itpc:


def test_opml_import_reports_feeds_already_followed_and_adds_them_once(
    home: Municipality,
) -> None:
    follow(home, "https://digg.example.se/nyheter.rss")

    first = services.opml_import(region=home.region, municipality=home, data=OPML)
    again = services.opml_import(region=home.region, municipality=home, data=OPML)

    assert (len(first.added), first.already) == (19, ["https://digg.example.se/nyheter.rss"])
    assert (len(again.added), len(again.already)) == (0, 20)
    assert Feed.objects.filter(municipality=home).count() == 20


def test_opml_import_into_the_regions_curated_feeds(region: Region, home: Municipality) -> None:
    services.opml_import(region=region, municipality=None, data=OPML)

    assert Feed.objects.filter(region=region, municipality=None).count() == 20
    assert selectors.feeds_for(municipality=home).count() == 20


def test_a_bad_opml_file_adds_nothing(home: Municipality) -> None:
    follow(home, "https://a.example.se/other")

    with pytest.raises(OpmlError) as caught:
        services.opml_import(
            region=home.region, municipality=home, data=(FEEDS / "malformed.opml").read_bytes()
        )

    assert "line 7" in caught.value.reason
    assert Feed.objects.count() == 1


def test_opml_import_refuses_a_municipality_of_another_region(
    region: Region, elsewhere: Municipality
) -> None:
    with pytest.raises(ValidationError):
        services.opml_import(region=region, municipality=elsewhere, data=OPML)

    assert not Feed.objects.exists()


# --- Scanning a feed ------------------------------------------------------------------------------


def test_a_scan_turns_new_items_into_signals_with_suggested_waves(
    home: Municipality, waves: dict[str, Wave], site: FeedSite
) -> None:
    site.feeds["/news"] = rss("Kommunnytt", NEWS)
    feed = follow(home, site.url("/news"))

    result = scan(feed)

    assert (result.status, result.new_signals, result.reason) == (FetchStatus.OK, 3, "")
    feed.refresh_from_db()
    assert feed.status == FetchStatus.OK
    assert feed.checked_at is not None
    assert feed.title == "Kommunnytt"  # taken from the feed, as the member gave none
    assert feed.etag.startswith('"') and feed.last_modified
    assert (feed.failures, feed.error_code) == (0, "")
    signals = {signal.item_key: signal for signal in Signal.objects.filter(feed=feed)}
    assert len(signals) == 3
    by_title = {signal.title: signal for signal in signals.values()}
    dos = by_title["Ny lag om tillgänglighet till digital offentlig service"]
    assert (dos.region, dos.municipality, dos.link) == (
        home.region,
        home,
        "https://news.example.se/dos-1",
    )
    assert "WCAG" in dos.summary_text
    # Suggestions: the three best waves with scores, best first, and the best one plausible.
    assert len(dos.suggestions) == 3
    scores = [score for _key, score in dos.suggestions]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1
    assert best(dos) == "accessibility"
    assert best(by_title["Vi testar en chattbot med AI på webbplatsen"]) == "ai"
    welfare = by_title["Trygghetslarm och digital tillsyn i hemtjänsten"]
    assert best(welfare) == "welfare_technology"


def test_a_second_scan_of_an_unchanged_feed_gets_304_and_adds_nothing(
    home: Municipality, waves: dict[str, Wave], site: FeedSite
) -> None:
    site.feeds["/news"] = rss("Kommunnytt", NEWS)
    feed = follow(home, site.url("/news"))
    scan(feed)
    first_check = Feed.objects.get(pk=feed.pk).checked_at

    result = scan(feed)

    assert (result.status, result.new_signals) == (FetchStatus.NOT_MODIFIED, 0)
    assert site.conditional_requests("/news") == 1  # the ETag went with the second request
    feed.refresh_from_db()
    assert feed.status == FetchStatus.NOT_MODIFIED
    assert feed.checked_at is not None and first_check is not None
    assert feed.checked_at > first_check
    assert Signal.objects.filter(feed=feed).count() == 3


def test_a_changed_feed_adds_only_its_new_items(
    home: Municipality, waves: dict[str, Wave], site: FeedSite
) -> None:
    site.feeds["/news"] = rss("Kommunnytt", NEWS)
    feed = follow(home, site.url("/news"))
    scan(feed)
    before = set(Signal.objects.values_list("pk", flat=True))

    fresh = [
        ("sec-1", "Lösenord läckte efter nätfiskeattack mot kommunen", "Phishing och MFA."),
        ("data-1", "Kommunen publicerar öppna data via API", "Öppna data om kollektivtrafik."),
    ]
    site.feeds["/news"] = rss("Kommunnytt", fresh + NEWS[:2])  # one old item dropped
    result = scan(feed)

    assert (result.status, result.new_signals) == (FetchStatus.OK, 2)
    added = Signal.objects.exclude(pk__in=before)
    assert sorted(added.values_list("title", flat=True)) == sorted(title for _, title, _ in fresh)
    assert Signal.objects.filter(feed=feed).count() == 5  # the dropped item's signal stays


def test_the_same_item_twice_in_one_feed_becomes_one_signal(
    home: Municipality, waves: dict[str, Wave], site: FeedSite
) -> None:
    site.feeds["/news"] = rss("Kommunnytt", [NEWS[0], NEWS[0], NEWS[1]])
    feed = follow(home, site.url("/news"))

    assert scan(feed).new_signals == 2
    assert Signal.objects.filter(feed=feed).count() == 2


def test_a_failing_feed_records_why_and_counts_its_failures(
    home: Municipality, waves: dict[str, Wave], site: FeedSite
) -> None:
    feed = follow(home, site.url("/gone"))

    first = scan(feed)
    second = scan(feed)

    assert first.status == second.status == FetchStatus.ERROR
    assert second.reason == "The server has no feed at this address (status 404)."
    assert second.error_code == "http_status"
    feed.refresh_from_db()
    assert (feed.status, feed.error_code, feed.error_params) == (
        FetchStatus.ERROR,
        "http_status",
        {"status": 404},
    )
    assert feed.failures == 2
    assert feed.checked_at is not None

    site.feeds["/gone"] = rss("Tillbaka", NEWS[:1])  # the feed is back
    assert scan(feed).status == FetchStatus.OK
    feed.refresh_from_db()
    assert (feed.status, feed.failures, feed.error_code, feed.error_params) == (
        FetchStatus.OK,
        0,
        "",
        {},
    )


def test_a_web_page_instead_of_a_feed_is_recorded_with_a_reason(
    home: Municipality, server: FeedServer
) -> None:
    feed = follow(home, server.url("/feeds/web-page.html"))

    result = scan(feed)

    assert result.status == FetchStatus.ERROR
    assert result.reason.startswith("The address leads to a web page, not to a feed.")
    feed.refresh_from_db()
    assert (feed.error_code, feed.failures) == ("web_page", 1)


def test_an_internal_address_is_recorded_as_refused_without_connecting(
    home: Municipality, network: Any
) -> None:
    feed = follow(home, "http://10.1.2.3/rss")

    result = scan(feed)

    assert result.error_code == "refused_address"
    assert "internal or reserved network address" in result.reason
    assert network.connections == []


def test_one_bad_feed_among_good_ones_does_not_stop_the_scan(
    home: Municipality, waves: dict[str, Wave], site: FeedSite, server: FeedServer
) -> None:
    site.feeds["/a"] = rss("A", NEWS[:2])
    site.feeds["/b"] = rss("B", NEWS[2:])
    feeds = [
        follow(home, site.url("/a")),
        follow(home, server.url("/feeds/web-page.html")),
        follow(home, site.url("/missing")),
        follow(home, "http://192.168.0.10/feed"),
        follow(home, server.url("/hang-up")),
        follow(home, site.url("/b")),
    ]
    heard: list[tuple[int, str]] = []

    summary = services.scan(
        feeds=feeds, limits=FAST, progress=lambda r: heard.append((r.feed.pk, r.status))
    )

    statuses = [result.status for result in summary.results]
    assert statuses == [FetchStatus.OK] + [FetchStatus.ERROR] * 4 + [FetchStatus.OK]
    assert heard == [(feed.pk, status) for feed, status in zip(feeds, statuses, strict=True)]
    assert [r.error_code for r in summary.failed] == [
        "web_page",
        "http_status",
        "refused_address",
        "protocol",
    ]
    assert all(result.reason for result in summary.failed)
    assert (summary.new_signals, summary.count(FetchStatus.OK)) == (3, 2)
    assert Signal.objects.count() == 3
    stored = Feed.objects.in_bulk([feed.pk for feed in feeds])
    assert [stored[feed.pk].status for feed in feeds] == statuses


def test_a_scan_fetches_a_few_feeds_at_once_and_reports_them_in_order(
    home: Municipality, waves: dict[str, Wave], site: FeedSite
) -> None:
    feeds = []
    for number in range(4):
        site.feeds[f"/slow/{number}"] = rss(f"Långsam {number}", [NEWS[number % 3]])
        site.delays[f"/slow/{number}"] = 0.4  # one after another: 1.6 s
        feeds.append(follow(home, site.url(f"/slow/{number}")))
    heard: list[int] = []

    started = time.monotonic()
    summary = services.scan(feeds=feeds, limits=FAST, progress=lambda r: heard.append(r.feed.pk))
    elapsed = time.monotonic() - started

    assert elapsed < 1.2
    assert heard == [feed.pk for feed in feeds]
    assert [r.status for r in summary.results] == [FetchStatus.OK] * 4
    assert summary.new_signals == 4


def test_a_scan_holds_only_a_few_fetched_feeds_at_a_time(
    home: Municipality, waves: dict[str, Wave], site: FeedSite
) -> None:
    feeds = []
    for number in range(12):
        site.feeds[f"/feed/{number}"] = rss(f"Flöde {number}", [NEWS[number % 3]])
        feeds.append(follow(home, site.url(f"/feed/{number}")))
    fetched_when_heard: list[int] = []

    summary = services.scan(
        feeds=feeds,
        limits=FAST,
        threads=2,
        progress=lambda r: fetched_when_heard.append(len(site.requests)),
    )

    # Two fetching threads, at most four fetched feeds waiting (and one more just asked for).
    assert max(fetched_when_heard) <= 12
    assert fetched_when_heard[0] <= 5
    assert len(summary.results) == 12
    single = services.scan(feeds=feeds, limits=FAST, threads=1)
    assert [r.feed.pk for r in single.results] == [feed.pk for feed in feeds]


def test_an_unforeseen_error_in_one_feed_is_logged_and_the_scan_goes_on(
    home: Municipality,
    waves: dict[str, Wave],
    site: FeedSite,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    site.feeds["/a"] = rss("A", NEWS[:1])
    site.feeds["/broken"] = rss("B", NEWS[1:2])
    real_parse = services.parse_feed

    def parse(content: bytes, *, url: str = "", content_type: str = "") -> Any:
        if url.endswith("/broken"):
            raise RuntimeError("a bug in the parser")
        return real_parse(content, url=url, content_type=content_type)

    monkeypatch.setattr(services, "parse_feed", parse)
    broken, good = follow(home, site.url("/broken")), follow(home, site.url("/a"))

    summary = services.scan(feeds=[broken, good], limits=FAST)

    assert [r.status for r in summary.results] == [FetchStatus.ERROR, FetchStatus.OK]
    assert summary.results[0].error_code == services.UNEXPECTED
    assert summary.results[0].reason
    assert "a bug in the parser" in caplog.text
    broken.refresh_from_db()
    assert broken.status == FetchStatus.NEW  # nothing stored that a reader could not explain


def test_a_feed_removed_during_its_scan_is_not_brought_back(
    home: Municipality, waves: dict[str, Wave], site: FeedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.feeds["/news"] = rss("Kommunnytt", NEWS)
    feed = follow(home, site.url("/news"))
    real_fetch = services.fetch

    def fetch_then_remove(url: str, **kwargs: Any) -> Any:
        fetched = real_fetch(url, **kwargs)
        Feed.objects.filter(pk=feed.pk).delete()  # a member removes it meanwhile
        return fetched

    monkeypatch.setattr(services, "fetch", fetch_then_remove)

    result = scan(feed)

    assert result.status == services.REMOVED
    assert not Feed.objects.exists()
    assert not Signal.objects.exists()


def test_a_permanently_moved_feed_keeps_its_new_address(
    home: Municipality, waves: dict[str, Wave], site: FeedSite
) -> None:
    site.feeds["/new"] = rss("Kommunnytt", NEWS[:1])
    site.moved["/old"] = site.url("/new")
    feed = follow(home, site.url("/old"))

    assert scan(feed).status == FetchStatus.OK

    feed.refresh_from_db()
    assert feed.url == site.url("/new")


def test_a_region_without_waves_yet_gets_signals_without_suggestions(
    home: Municipality, site: FeedSite
) -> None:
    site.feeds["/news"] = rss("Kommunnytt", NEWS)
    feed = follow(home, site.url("/news"))

    assert scan(feed).new_signals == 3
    note = services.signal_add(municipality=home, title="En anteckning")

    assert note.suggestions == []
    assert [signal.suggestions for signal in Signal.objects.all()] == [[]] * 4


def test_signals_of_a_regions_curated_feed_belong_to_no_municipality(
    region: Region, waves: dict[str, Wave], site: FeedSite
) -> None:
    site.feeds["/region"] = rss("Regionen", NEWS)
    feed = follow(None, site.url("/region"), region=region)

    scan(feed)

    assert set(Signal.objects.values_list("region", "municipality")) == {(region.pk, None)}


# --- Signals and confirmations --------------------------------------------------------------------


def test_signal_add_stores_a_members_note_with_suggested_waves(
    home: Municipality, waves: dict[str, Wave], users: Any
) -> None:
    signal = services.signal_add(
        municipality=home,
        title="  Vi testar en chattbot med AI på webbplatsen ",
        link="https://www.example.se/ai?utm=1#del-2",
        note="Hörde om det på Digitala kommunpodden.",
        added_by=users.member,
    )

    signal.refresh_from_db()
    assert signal.title == "Vi testar en chattbot med AI på webbplatsen"
    assert signal.link == "https://www.example.se/ai?utm=1#del-2"
    assert (signal.region, signal.municipality, signal.feed) == (home.region, home, None)
    assert signal.added_by == users.member
    assert signal.published_at is not None
    assert best(signal) == "ai"


def test_signal_add_refuses_a_blank_title(home: Municipality, waves: dict[str, Wave]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.signal_add(municipality=home, title="   ", note="Något")

    assert list(caught.value.message_dict) == ["title"]
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    "link", ["javascript:alert(document.cookie)", "data:text/html,<script>", "www.example.se"]
)
def test_signal_add_refuses_a_link_that_is_not_a_web_address(
    home: Municipality, waves: dict[str, Wave], link: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.signal_add(municipality=home, title="En länk", link=link)

    assert list(caught.value.message_dict) == ["link"]
    assert not Signal.objects.exists()


def test_signal_confirm_refuses_a_wave_of_another_region(
    home: Municipality, waves: dict[str, Wave], other_waves: dict[str, Wave], users: Any
) -> None:
    signal = services.signal_add(municipality=home, title="Öppna data om badplatser")

    with pytest.raises(ValidationError):
        services.signal_confirm(
            signal=signal, waves=[waves["data_driven"], other_waves["ai"]], by=users.member
        )

    signal.refresh_from_db()
    assert signal.confirmed_at is None
    assert not signal.waves.exists()


def test_signal_confirm_sets_the_waves_and_who_confirmed_them(
    home: Municipality, waves: dict[str, Wave], users: Any
) -> None:
    signal = services.signal_add(municipality=home, title="Öppna data om badplatser")

    services.signal_confirm(
        signal=signal, waves=[waves["data_driven"], waves["co_creation"]], by=users.member
    )
    services.signal_confirm(signal=signal, waves=[waves["data_driven"]], by=users.member)

    signal.refresh_from_db()
    assert list(signal.waves.values_list("key", flat=True)) == ["data_driven"]
    assert signal.confirmed_by == users.member
    assert signal.confirmed_at is not None


SNOW = [
    "Snöröjningen i centrum går med nya traktorer",
    "Snöröjning med nya traktorer i byarna",
    "Traktorer för snöröjning köps in gemensamt",
]


def test_confirmations_teach_later_suggestions(
    home: Municipality, region: Region, waves: dict[str, Wave], users: Any
) -> None:
    question = "Snöröjningen i Vindeln planeras med traktorer"
    untaught = selectors.classifier_for(region=region)
    assert selectors.classifier_for(region=region) is untaught  # cached while nothing changes
    assert untaught.suggest(question)[0].wave_key != "automation"

    for title in SNOW:
        signal = services.signal_add(municipality=home, title=title)
        services.signal_confirm(signal=signal, waves=[waves["automation"]], by=users.member)

    taught = selectors.classifier_for(region=region)
    assert taught is not untaught  # trained again on the confirmations
    assert taught.suggest(question)[0].wave_key == "automation"
    assert best(services.signal_add(municipality=home, title=question)) == "automation"


def test_confirmations_in_one_region_do_not_teach_another(
    home: Municipality,
    elsewhere: Municipality,
    waves: dict[str, Wave],
    other_waves: dict[str, Wave],
    users: Any,
) -> None:
    for title in SNOW:
        signal = services.signal_add(municipality=home, title=title)
        services.signal_confirm(signal=signal, waves=[waves["automation"]], by=users.member)

    question = "Snöröjningen i Vindeln planeras med traktorer"
    other = selectors.classifier_for(region=elsewhere.region)
    assert other.suggest(question)[0].wave_key != "automation"


# --- The radar ------------------------------------------------------------------------------------


def test_placements_record_their_movement_since_the_one_before(
    home: Municipality, waves: dict[str, Wave], users: Any
) -> None:
    wave = waves["accessibility"]

    def place(ring: Ring) -> radar.Movement:
        placement = services.placement_set(
            municipality=home, wave=wave, ring=ring, rationale=f" {ring} ", by=users.member
        )
        assert Placement.objects.get(pk=placement.pk).ring == ring
        return selectors.movement(placement)

    assert place(Ring.WATCH) == radar.Movement.NEW
    assert place(Ring.TRY) == radar.Movement.MOVED_IN  # watch -> try: towards the centre
    assert place(Ring.ADOPT) == radar.Movement.MOVED_IN
    assert place(Ring.EXPLORE) == radar.Movement.MOVED_OUT
    assert place(Ring.EXPLORE) == radar.Movement.UNCHANGED
    placement = Placement.objects.get(municipality=home, wave=wave)
    assert (placement.previous_ring, placement.rationale, placement.placed_by) == (
        Ring.EXPLORE,
        Ring.EXPLORE.value,
        users.member,
    )
    assert Placement.objects.count() == 1
    assert placement.history.count() == 5


def test_placement_set_refuses_a_wave_of_another_region_and_an_unknown_ring(
    home: Municipality, waves: dict[str, Wave], other_waves: dict[str, Wave]
) -> None:
    with pytest.raises(ValidationError):
        services.placement_set(municipality=home, wave=other_waves["ai"], ring=Ring.TRY)
    with pytest.raises(ValidationError) as caught:
        services.placement_set(municipality=home, wave=waves["ai"], ring="hold")

    assert list(caught.value.message_dict) == ["ring"]
    assert not Placement.objects.exists()


def test_placements_of_two_municipalities_are_apart(
    home: Municipality, neighbour: Municipality, waves: dict[str, Wave]
) -> None:
    services.placement_set(municipality=home, wave=waves["ai"], ring=Ring.TRY)
    services.placement_set(municipality=neighbour, wave=waves["ai"], ring=Ring.WATCH)

    assert selectors.placements_for(municipality=home)["ai"].ring == Ring.TRY
    assert selectors.movement(selectors.placements_for(municipality=neighbour)["ai"]) == (
        radar.Movement.NEW
    )


# --- Who sees which feeds and signals -------------------------------------------------------------


@pytest.fixture
def spread(
    home: Municipality,
    neighbour: Municipality,
    elsewhere: Municipality,
    waves: dict[str, Wave],
    other_waves: dict[str, Wave],
    site: FeedSite,
) -> dict[str, Feed]:
    """The same news feed followed by home, its neighbour, their region and another region, and
    one feed of home's own; every feed scanned, and a written note in each municipality."""
    site.feeds["/news"] = rss("Kommunnytt", NEWS)
    site.feeds["/home"] = rss("Vindeln", NEWS[:1])
    feeds = {
        "home": follow(home, site.url("/news")),
        "home_own": follow(home, site.url("/home")),
        "neighbour": follow(neighbour, site.url("/news")),
        "region": follow(None, site.url("/news"), region=home.region),
        "other_region": follow(None, site.url("/news"), region=elsewhere.region),
        "elsewhere": follow(elsewhere, site.url("/news")),
    }
    for feed in feeds.values():
        assert scan(feed).status == FetchStatus.OK
    for municipality in (home, neighbour, elsewhere):
        services.signal_add(municipality=municipality, title=f"Anteckning i {municipality.name}")
    return feeds


def test_a_municipality_follows_its_own_and_its_regions_curated_feeds_only(
    home: Municipality, neighbour: Municipality, spread: dict[str, Feed]
) -> None:
    seen = {feed.pk: feed.signal_count for feed in selectors.feeds_for(municipality=home)}

    assert seen == {
        spread["home"].pk: 3,
        spread["home_own"].pk: 1,
        spread["region"].pk: 3,
    }
    neighbours = {feed.pk for feed in selectors.feeds_for(municipality=neighbour)}
    assert neighbours == {spread["neighbour"].pk, spread["region"].pk}


def test_a_municipality_never_sees_another_municipalitys_signals(
    home: Municipality,
    neighbour: Municipality,
    elsewhere: Municipality,
    spread: dict[str, Feed],
) -> None:
    """Privacy: the feeds a group follows and the notes it writes are its own. A municipality
    sees its own signals and those of its region's curated feeds, never those of another
    municipality (even of the same feed, even in its region) nor another region's curated ones."""
    total = Signal.objects.count()
    assert total == 3 * 5 + 1 + 3  # five feeds of the news, home's own feed, three notes

    for municipality in (home, neighbour, elsewhere):
        visible = selectors.signals_for(municipality=municipality)
        region_curated = Signal.objects.filter(region=municipality.region, municipality=None)
        own = Signal.objects.filter(municipality=municipality)
        assert set(visible) == set(own) | set(region_curated)
        for signal in visible:
            assert signal.region_id == municipality.region_id
            assert signal.municipality_id in (municipality.pk, None)
        # Nothing of any other municipality, whatever the feed or note.
        assert not visible.filter(municipality__isnull=False).exclude(municipality=municipality)

    seen_by_home = selectors.signals_for(municipality=home)
    assert {s.feed_id for s in seen_by_home} == {
        spread["home"].pk,
        spread["home_own"].pk,
        spread["region"].pk,
        None,  # home's note
    }
    titles = set(seen_by_home.values_list("title", flat=True))
    assert "Anteckning i Vindeln" in titles
    assert not titles & {"Anteckning i Bjurholm", "Anteckning i Stockholm"}
    # The other region's curated feed carries the same news, yet none of it reaches home.
    assert not seen_by_home.filter(feed=spread["other_region"])
    assert not selectors.signals_for(municipality=elsewhere).filter(feed=spread["region"])


def test_region_feeds_are_the_curated_ones_and_all_its_municipalities(
    home: Municipality, spread: dict[str, Feed]
) -> None:
    feeds = set(selectors.region_feeds(region=home.region))

    assert feeds == {spread[key] for key in ("home", "home_own", "neighbour", "region")}


def test_radar_rows_count_the_confirmed_signals_a_municipality_sees_per_wave(
    home: Municipality,
    neighbour: Municipality,
    waves: dict[str, Wave],
    spread: dict[str, Feed],
    users: Any,
    django_assert_num_queries: Any,
) -> None:
    def confirm(feed: Feed, *keys: str) -> None:
        for signal in Signal.objects.filter(feed=feed):
            services.signal_confirm(signal=signal, waves=[waves[k] for k in keys], by=None)

    confirm(spread["home"], "accessibility", "ai")  # 3 signals in two waves each
    confirm(spread["region"], "accessibility")  # 3 curated ones
    confirm(spread["neighbour"], "accessibility", "automation")  # not home's
    note = Signal.objects.get(municipality=home, feed=None)
    services.signal_confirm(signal=note, waves=[waves["green_digitalisation"]], by=users.member)
    services.placement_set(municipality=home, wave=waves["ai"], ring=Ring.EXPLORE)
    services.placement_set(municipality=neighbour, wave=waves["automation"], ring=Ring.ADOPT)

    with django_assert_num_queries(3):  # placements, counts, waves: whatever their number
        rows = selectors.radar_rows(municipality=home)

    assert [row.wave.key for row in rows] == list(waves)
    counts = {row.wave.key: row.signals for row in rows if row.signals}
    assert counts == {"accessibility": 6, "ai": 3, "green_digitalisation": 1}
    placed = {row.wave.key: row.placement.ring for row in rows if row.placement}
    assert placed == {"ai": Ring.EXPLORE}  # the neighbour's placement is not home's
