"""The feeds pages: a municipality's feeds and its region's curated ones, adding, removing,
importing OPML and scanning, for a group and for the region's coordinator."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from forandra.municipalities.models import Municipality, Region
from forandra.scanning import selectors, services
from forandra.scanning.feeds import error_reason
from forandra.scanning.models import Feed, FetchStatus, Signal
from tests.conftest import Users

from .conftest import FEEDS, FeedServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def waves(region: Region) -> None:
    """The shipped waves: new signals are given suggestions from them."""
    services.catalogue_seed(region=region)


@pytest.fixture
def client(client: Client, settings: Any) -> Client:
    """Pages in English, the source language: the assertions hold before and after the Swedish
    catalogue has these strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def member_client(client: Client, users: Users) -> Client:
    client.force_login(users.member)
    return client


@pytest.fixture
def coordinator_client(client: Client, users: Users) -> Client:
    client.force_login(users.coordinator)
    return client


def feeds_url(code: str = "2404", page: str = "feed_list", *args: object) -> str:
    return reverse(f"scanning:{page}", args=[code, *args])


def region_url(page: str = "feed_list", *args: object) -> str:
    return reverse(f"scanning:region_{page}", args=["24", *args])


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def opml(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FEEDS / name).read_bytes(), content_type="text/x-opml")


def test_feeds_page_shows_the_groups_feeds_and_the_regions_curated_ones(
    member_client: Client, home: Municipality, neighbour: Municipality, region: Region
) -> None:
    services.feed_add(
        region=region, municipality=home, url="https://kommun.example.se/rss", title="Kommunnytt"
    )
    services.feed_add(region=region, municipality=None, url="https://podd.example.se/feed.xml")
    services.feed_add(
        region=region, municipality=neighbour, url="https://granne.example.se/rss", title="Granne"
    )

    response = member_client.get(feeds_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Feeds</h1>" in body
    assert "Kommunnytt" in body and "https://kommun.example.se/rss" in body
    assert "https://podd.example.se/feed.xml" in body
    assert "Granne" not in body  # another municipality's feed
    assert feeds_url("2404", "feed_add") in body
    assert 'action="' + feeds_url("2404", "feed_scan") + '"' in body


def test_a_failed_feed_shows_why_in_the_readers_language_and_how_often(
    member_client: Client, home: Municipality, region: Region, server: FeedServer
) -> None:
    feed = services.feed_add(region=region, municipality=home, url=server.url("/status/404"))
    services.feed_scan(feed=feed)
    services.feed_scan(feed=feed)
    feed.refresh_from_db()

    body = member_client.get(feeds_url()).content.decode()

    assert feed.status == FetchStatus.ERROR
    with translation.override("en"):
        reason = error_reason(feed.error_code, feed.error_params)
    assert "404" in reason and reason in body
    assert "Failed 2 times in a row." in body


def test_leadership_reads_the_feeds_but_gets_no_controls(
    client: Client, users: Users, home: Municipality, region: Region
) -> None:
    feed = services.feed_add(region=region, municipality=home, url="https://kommun.example.se/rss")
    client.force_login(users.leadership)

    body = client.get(feeds_url()).content.decode()

    assert "https://kommun.example.se/rss" in body
    assert feeds_url("2404", "feed_add") not in body
    assert feeds_url("2404", "feed_scan") not in body
    assert feeds_url("2404", "feed_remove", feed.pk) not in body


def test_adding_a_feed_follows_it_and_returns_to_the_list(
    member_client: Client, home: Municipality, users: Users
) -> None:
    response = member_client.post(
        feeds_url("2404", "feed_add"), {"url": "feed://kommun.example.se/rss", "title": "Nytt"}
    )

    assert response.status_code == 302
    assert response["Location"] == feeds_url()
    feed = Feed.objects.get(municipality=home)
    assert feed.url == "http://kommun.example.se/rss"  # feed:// is http
    assert feed.title == "Nytt"
    assert feed.added_by == users.member
    assert any("Nytt" in message for message in messages_of(response))


def test_a_feed_already_followed_is_refused_beside_its_field_and_in_the_summary(
    member_client: Client, home: Municipality, region: Region
) -> None:
    services.feed_add(region=region, municipality=home, url="https://kommun.example.se/rss")

    response = member_client.post(
        feeds_url("2404", "feed_add"), {"url": "https://kommun.example.se/rss", "title": ""}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert 'href="#id_url"' in body
    assert 'aria-invalid="true"' in body
    assert "This feed is already followed." in body
    assert 'value="https://kommun.example.se/rss"' in body
    assert Feed.objects.filter(municipality=home).count() == 1


def test_an_address_that_is_not_a_web_address_is_refused(
    member_client: Client, home: Municipality
) -> None:
    response = member_client.post(feeds_url("2404", "feed_add"), {"url": "ftp://x.example/feed"})

    assert response.status_code == 200
    assert 'href="#id_url"' in response.content.decode()
    assert not Feed.objects.exists()


def test_an_empty_address_is_refused_with_a_message_saying_what_to_do(
    member_client: Client,
) -> None:
    response = member_client.post(feeds_url("2404", "feed_add"), {"url": "", "title": "x"})

    body = response.content.decode()
    assert 'role="alert"' in body and 'href="#id_url"' in body
    assert not Feed.objects.exists()


def test_importing_the_twenty_feed_opml_follows_all_twenty(
    member_client: Client, home: Municipality
) -> None:
    response = member_client.post(
        feeds_url("2404", "feed_import"), {"file": opml("podcasts-20.opml")}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert Feed.objects.filter(municipality=home).count() == 20
    assert "20 feeds added" in body
    assert "Digitala kommunpodden" in body
    folders = set(Feed.objects.filter(municipality=home).values_list("folder", flat=True))
    assert "Workshop 2: Mognad / Självskattning" in folders


def test_importing_the_same_file_again_says_all_are_already_followed(
    member_client: Client, home: Municipality
) -> None:
    member_client.post(feeds_url("2404", "feed_import"), {"file": opml("podcasts-20.opml")})

    response = member_client.post(
        feeds_url("2404", "feed_import"), {"file": opml("podcasts-20.opml")}
    )

    body = response.content.decode()
    assert Feed.objects.filter(municipality=home).count() == 20
    assert "https://podd.example.se/feed.xml" in body
    assert response.context["result"].added == []
    assert len(response.context["result"].already) == 20


def test_a_broken_opml_file_adds_nothing_and_names_the_line(
    member_client: Client, home: Municipality
) -> None:
    response = member_client.post(
        feeds_url("2404", "feed_import"), {"file": opml("malformed.opml")}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert 'href="#id_file"' in body
    assert "(line 7, column" in body  # the mismatched </outlin>
    assert not Feed.objects.exists()


def test_a_file_that_is_not_opml_is_refused_with_its_reason(member_client: Client) -> None:
    upload = SimpleUploadedFile("rss20.xml", (FEEDS / "rss20.xml").read_bytes())

    response = member_client.post(feeds_url("2404", "feed_import"), {"file": upload})

    assert "&lt;rss&gt;" in response.content.decode()
    assert not Feed.objects.exists()


def test_removing_a_feed_asks_first_then_removes_it_with_its_signals(
    member_client: Client, home: Municipality, region: Region
) -> None:
    feed = services.feed_add(
        region=region, municipality=home, url="https://kommun.example.se/rss", title="Kommunnytt"
    )
    services.signal_add(municipality=home, title="Inte från flödet")
    url = feeds_url("2404", "feed_remove", feed.pk)

    page = member_client.get(url)
    assert page.status_code == 200
    assert "Kommunnytt" in page.content.decode()
    assert Feed.objects.filter(pk=feed.pk).exists()

    response = member_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == feeds_url()
    assert not Feed.objects.filter(pk=feed.pk).exists()
    assert Signal.objects.filter(title="Inte från flödet").exists()


def test_a_group_cannot_remove_the_regions_curated_feed_or_another_groups(
    member_client: Client, neighbour: Municipality, region: Region
) -> None:
    curated = services.feed_add(region=region, municipality=None, url="https://a.example.se/rss")
    theirs = services.feed_add(region=region, municipality=neighbour, url="https://b.example.se/")

    for feed in (curated, theirs):
        response = member_client.post(feeds_url("2404", "feed_remove", feed.pk))
        assert response.status_code == 404
    assert Feed.objects.count() == 2


def test_scan_now_reads_the_feeds_in_the_background_and_shows_how_it_went(
    member_client: Client, home: Municipality, region: Region, server: FeedServer
) -> None:
    services.feed_add(region=region, municipality=home, url=server.url("/feeds/rss20.xml"))
    services.feed_add(region=region, municipality=None, url=server.url("/feeds/podcast.xml"))
    services.feed_add(region=region, municipality=home, url=server.url("/status/500"))

    response = member_client.post(feeds_url("2404", "feed_scan"))

    # Tests run a task at once, inside enqueue(): the scan is done when the answer comes.
    assert response.status_code == 302
    assert response["Location"].startswith(feeds_url() + "?scan=")
    assert Signal.objects.filter(municipality=home).count() == 3
    assert Signal.objects.filter(municipality=None).count() == 3
    page = member_client.get(response["Location"])
    body = page.content.decode()
    assert '<div id="scan-status" class="notifications" role="status">' in body
    assert "Failed 1 time in a row." in body
    assert sorted(row.feed.signal_count for row in page.context["own"]) == [0, 3]


def test_the_scan_progress_is_a_fragment_for_htmx_and_polls_until_done(
    member_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = selectors.ScanState(status="RUNNING", total=10, done=3)
    monkeypatch.setattr(selectors, "scan_state", lambda *, result_id: state)
    url = feeds_url() + "?scan=abc"

    running = member_client.get(url, headers={"HX-Request": "true"})
    state = selectors.ScanState(status="SUCCESSFUL", total=10, done=10)
    done = member_client.get(url, headers={"HX-Request": "true"})

    assert "<html" not in running.content.decode()
    assert 'hx-trigger="every 3s"' in running.content.decode()
    assert (
        'value="3"' in running.content.decode() and "3 of 10 feeds read" in running.content.decode()
    )
    assert "HX-Request" in running["Vary"]
    assert "hx-trigger" not in done.content.decode()
    assert "all 10 feeds read" in done.content.decode()


def test_scan_now_is_a_post_only(member_client: Client) -> None:
    assert member_client.get(feeds_url("2404", "feed_scan")).status_code == 405


def test_scan_now_without_feeds_says_there_is_nothing_to_scan(member_client: Client) -> None:
    response = member_client.post(feeds_url("2404", "feed_scan"))

    assert response.status_code == 302
    assert messages_of(response) == ["There are no feeds to scan yet. Add a feed first."]


def test_the_coordinator_keeps_the_regions_curated_feeds(
    coordinator_client: Client, region: Region, home: Municipality
) -> None:
    services.feed_add(region=region, municipality=home, url="https://kommun.example.se/rss")

    page = coordinator_client.get(region_url())
    added = coordinator_client.post(
        region_url("feed_add"), {"url": "https://podd.example.se/feed.xml", "title": "Podden"}
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert "https://kommun.example.se/rss" not in body  # a group's own feed
    assert added.status_code == 302 and added["Location"] == region_url()
    curated = Feed.objects.get(municipality=None)
    assert curated.region == region and curated.title == "Podden"
    assert "Podden" in coordinator_client.get(region_url()).content.decode()

    removed = coordinator_client.post(region_url("feed_remove", curated.pk))
    assert removed.status_code == 302
    assert not Feed.objects.filter(municipality=None).exists()


def test_the_coordinator_imports_opml_for_the_region(
    coordinator_client: Client, region: Region
) -> None:
    response = coordinator_client.post(
        region_url("feed_import"), {"file": opml("podcasts-20.opml")}
    )

    assert response.status_code == 200
    assert Feed.objects.filter(region=region, municipality=None).count() == 20


def test_the_coordinator_scans_the_curated_feeds(
    coordinator_client: Client, region: Region, home: Municipality, server: FeedServer
) -> None:
    services.feed_add(region=region, municipality=None, url=server.url("/feeds/rss20.xml"))
    own = services.feed_add(region=region, municipality=home, url=server.url("/feeds/podcast.xml"))

    response = coordinator_client.post(region_url("feed_scan"))

    assert response.status_code == 302
    assert Signal.objects.filter(municipality=None).count() == 3
    own.refresh_from_db()
    assert own.status == FetchStatus.NEW  # a group's own feeds are the group's to scan


def test_a_member_sees_the_curated_list_but_cannot_change_it(
    member_client: Client, region: Region
) -> None:
    body = member_client.get(region_url()).content.decode()

    assert region_url("feed_add") not in body
    assert (
        member_client.post(region_url("feed_add"), {"url": "https://x.example/"}).status_code == 403
    )
    assert not Feed.objects.exists()


def test_the_feeds_page_reads_the_same_number_of_queries_for_few_and_many_feeds(
    member_client: Client, home: Municipality, region: Region
) -> None:
    def add(first: int, count: int) -> None:
        for index in range(first, first + count):
            services.feed_add(
                region=region, municipality=home, url=f"https://f{index}.example.se/rss"
            )
            services.feed_add(region=region, municipality=None, url=f"https://r{index}.example.se/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(feeds_url()).status_code == 200
        return len(captured.captured_queries)

    add(0, 2)
    few = queries()
    add(2, 20)

    assert queries() == few
