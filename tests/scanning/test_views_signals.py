"""The signals pages: what a group sees (never another municipality's), what a feed may put on
the page (no script), noting a signal by hand, confirming waves with and without htmx, filters,
pages and the number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forandra.municipalities.models import Municipality, Region
from forandra.scanning import selectors, services
from forandra.scanning.fetch import FetchResult
from forandra.scanning.models import Feed, Signal
from tests.conftest import Users

from .conftest import FEEDS, FeedServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def waves(region: Region) -> None:
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


def list_url(code: str = "2404") -> str:
    return reverse("scanning:signal_list", args=[code])


def confirm_url(signal: Signal, code: str = "2404") -> str:
    return reverse("scanning:signal_confirm", args=[code, signal.pk])


def ingest(feed: Feed, name: str) -> None:
    """A feed file from the test corpus, stored as if fetched (no network)."""
    fetched = FetchResult(
        url=feed.url,
        final_url=feed.url,
        status=200,
        content=(FEEDS / name).read_bytes(),
        content_type="application/rss+xml; charset=utf-8",
        etag=None,
        last_modified=None,
    )
    services.feed_ingest(feed=feed, fetched=fetched)


def test_the_signals_page_renders_for_the_group_the_leadership_and_the_coordinator(
    client: Client, users: Users, home: Municipality
) -> None:
    services.signal_add(municipality=home, title="Skolan inför digitala läromedel")

    for user in (users.member, users.leadership, users.coordinator):
        client.force_login(user)
        response = client.get(list_url())
        body = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Signals</h1>" in body
        assert "Skolan inför digitala läromedel" in body
        can_edit = user != users.leadership
        assert (reverse("scanning:signal_add", args=["2404"]) in body) is can_edit
        assert (confirm_url(Signal.objects.get()) in body) is can_edit


def test_a_group_sees_its_own_and_the_regions_signals_never_another_municipalitys(
    member_client: Client, home: Municipality, neighbour: Municipality, elsewhere: Municipality
) -> None:
    region = home.region
    ingest(
        services.feed_add(region=region, municipality=None, url="https://r.example/"), "rss20.xml"
    )
    ingest(
        services.feed_add(region=region, municipality=neighbour, url="https://n.example/"),
        "podcast.xml",
    )
    ingest(
        services.feed_add(region=elsewhere.region, municipality=None, url="https://e.example/"),
        "podcast.xml",
    )
    services.signal_add(municipality=home, title="Vår egen iakttagelse")
    services.signal_add(municipality=neighbour, title="Grannens hemliga iakttagelse")
    services.signal_add(municipality=elsewhere, title="Stockholms iakttagelse")

    response = member_client.get(list_url())

    body = response.content.decode()
    shown = {row.signal.title for row in response.context["rows"]}
    assert "Vår egen iakttagelse" in shown
    assert "Ny lag om tillgänglighet till digital offentlig service" in shown  # curated
    assert len(shown) == 4
    for secret in ("Grannens hemliga iakttagelse", "Stockholms iakttagelse"):
        assert secret not in body
    neighbour_signal = Signal.objects.get(title="Grannens hemliga iakttagelse")
    assert member_client.get(confirm_url(neighbour_signal)).status_code == 404
    assert member_client.post(confirm_url(neighbour_signal), {"waves": ["ai"]}).status_code == 404
    assert not neighbour_signal.waves.exists()


def test_no_script_from_a_feed_reaches_the_page_as_a_tag(
    member_client: Client, home: Municipality, server: FeedServer
) -> None:
    feed = services.feed_add(
        region=home.region, municipality=home, url=server.url("/feeds/injection.xml")
    )
    services.feed_scan(feed=feed)
    assert Signal.objects.filter(feed=feed).count() == 3

    body = member_client.get(list_url()).content.decode()
    main = body[body.index('<main id="main"') : body.index("</main>")]

    assert "Escaped script in title" in main and "Event handler in title" in main
    assert ">fine</a>" in main  # the summary's safe part is kept
    for tag in (
        "<script",
        "<img",
        "<iframe",
        "<svg",
        "<style",
        "<object",
        "<embed",
        "<form action",
    ):
        assert tag not in main.lower(), tag
    for attribute in ("onerror", "onclick", "onmouseover", "onload", "javascript:", "data:text"):
        assert attribute not in main.lower(), attribute
    assert 'href="https://ok.example/2" rel="noopener noreferrer nofollow"' in main


def test_a_link_that_is_not_a_web_address_is_refused(member_client: Client) -> None:
    response = member_client.post(
        reverse("scanning:signal_add", args=["2404"]),
        {"title": "Farlig länk", "link": "javascript:alert(1)", "note": ""},
    )

    assert response.status_code == 200
    assert 'href="#id_link"' in response.content.decode()
    assert not Signal.objects.exists()


def test_each_signal_shows_its_source_date_episode_and_suggested_waves(
    member_client: Client, home: Municipality
) -> None:
    feed = services.feed_add(region=home.region, municipality=home, url="https://p.example/")
    ingest(feed, "podcast.xml")
    services.signal_add(municipality=home, title="Tillgänglighetsdirektivet", note="Lagen gäller")

    response = member_client.get(list_url())

    body = response.content.decode()
    rows = response.context["rows"]
    episode = next(row for row in rows if row.signal.episode)
    assert f"Episode {episode.signal.episode}" in body
    assert episode.duration and episode.duration in body
    assert f"From {feed.title}" in body
    assert "Noted by a group member" in body
    assert "Lagen gäller" in body
    manual = next(row for row in rows if not row.signal.feed_id)
    best = manual.suggested[0]
    assert f"{best.wave.name} {best.percent} %" in body
    assert manual.checked == {best.wave.key}  # only the best suggestion starts checked


def test_noting_a_signal_by_hand_saves_it_with_suggestions(
    member_client: Client, home: Municipality, users: Users
) -> None:
    response = member_client.post(
        reverse("scanning:signal_add", args=["2404"]),
        {
            "title": "E-tjänst för bygglov dygnet runt",
            "link": "https://kommun.example.se/bygglov",
            "note": "Invånarna kan söka när som helst.",
        },
    )

    signal = Signal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{list_url()}#signal-{signal.pk}"
    assert signal.municipality == home and signal.added_by == users.member
    assert signal.suggestions
    assert signal.link == "https://kommun.example.se/bygglov"


def test_noting_a_signal_without_a_title_shows_the_error_summary_and_keeps_the_note(
    member_client: Client,
) -> None:
    response = member_client.post(
        reverse("scanning:signal_add", args=["2404"]),
        {"title": "", "link": "inte en länk", "note": "Min anteckning"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert 'href="#id_title"' in body and 'href="#id_link"' in body
    assert "Min anteckning" in body
    assert not Signal.objects.exists()


def test_confirming_waves_without_javascript_saves_and_returns_to_the_same_list_page(
    member_client: Client, home: Municipality, users: Users
) -> None:
    signal = services.signal_add(municipality=home, title="Robotar i hemtjänsten")
    back = list_url() + "?unconfirmed=on&page=1"

    response = member_client.post(
        confirm_url(signal), {"waves": ["welfare_technology", "automation"], "next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{back}#signal-{signal.pk}"
    signal.refresh_from_db()
    assert {wave.key for wave in signal.waves.all()} == {"welfare_technology", "automation"}
    assert signal.confirmed_by == users.member and signal.confirmed_at is not None
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The waves of “Robotar i hemtjänsten” are saved."
    ]


def test_confirming_never_sends_the_user_to_another_site(
    member_client: Client, home: Municipality
) -> None:
    signal = services.signal_add(municipality=home, title="Robotar")

    response = member_client.post(
        confirm_url(signal), {"waves": ["ai"], "next": "https://evil.example/"}
    )

    assert response["Location"] == f"{list_url()}#signal-{signal.pk}"


def test_confirming_waves_with_htmx_answers_with_the_signal_alone(
    member_client: Client, home: Municipality
) -> None:
    signal = services.signal_add(municipality=home, title="AI-stöd i handläggningen")

    response = member_client.post(
        confirm_url(signal), {"waves": ["ai"], "next": list_url()}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<h1" not in body
    assert f'<article class="callout" id="signal-{signal.pk}"' in body
    assert 'hx-swap-oob="innerHTML"' in body  # announced in the page's live region
    assert f'id="signal-{signal.pk}-save"' in body  # htmx gives the button its focus back
    assert "The waves are saved." in body
    assert list(signal.waves.values_list("key", flat=True)) == ["ai"]


def test_confirming_no_wave_is_a_confirmation_too(
    member_client: Client, home: Municipality
) -> None:
    signal = services.signal_add(municipality=home, title="Något helt annat")

    member_client.post(confirm_url(signal), {"next": list_url()})

    signal.refresh_from_db()
    assert signal.confirmed_at is not None and not signal.waves.exists()


def test_an_unknown_wave_is_refused_and_nothing_is_saved(
    member_client: Client, home: Municipality
) -> None:
    signal = services.signal_add(municipality=home, title="Robotar")

    response = member_client.post(confirm_url(signal), {"waves": ["ai", "no-such-wave"]})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body and 'role="alert"' in body
    assert f'id="signal-{signal.pk}-wave-ai" checked' in body  # what was chosen is kept
    signal.refresh_from_db()
    assert signal.confirmed_at is None


def test_the_confirm_page_shows_the_signal_with_its_suggestion_checked(
    member_client: Client, home: Municipality
) -> None:
    signal = services.signal_add(municipality=home, title="Skärmläsare och WCAG på webben")
    best = signal.suggestions[0][0]

    body = member_client.get(confirm_url(signal)).content.decode()

    assert "<h1>The waves of a signal</h1>" in body
    assert f'id="signal-{signal.pk}-wave-{best}" checked' in body
    assert body.count(" checked>") == 1


def test_leadership_cannot_confirm_waves(client: Client, users: Users, home: Municipality) -> None:
    signal = services.signal_add(municipality=home, title="Robotar")
    client.force_login(users.leadership)

    assert client.post(confirm_url(signal), {"waves": ["ai"]}).status_code == 403
    assert not signal.waves.exists()


def test_the_list_filters_by_wave_and_by_not_yet_confirmed(
    member_client: Client, home: Municipality
) -> None:
    waves = {wave.key: wave for wave in selectors.waves_for(region=home.region)}
    confirmed_ai = services.signal_add(municipality=home, title="Bekräftad AI")
    services.signal_confirm(signal=confirmed_ai, waves=[waves["ai"]], by=None)
    confirmed_other = services.signal_add(municipality=home, title="Bekräftad annan")
    services.signal_confirm(signal=confirmed_other, waves=[waves["automation"]], by=None)
    open_signal = services.signal_add(municipality=home, title="Obekräftad")
    suggested = open_signal.suggestions[0][0]

    def titles(query: str) -> set[str]:
        response = member_client.get(f"{list_url()}?{query}")
        return {row.signal.title for row in response.context["rows"]}

    assert titles("wave=ai") >= {"Bekräftad AI"}
    assert "Bekräftad annan" not in titles("wave=ai")
    assert "Obekräftad" in titles(f"wave={suggested}")
    assert titles("unconfirmed=on") == {"Obekräftad"}
    assert titles("wave=no-such-wave") == {"Bekräftad AI", "Bekräftad annan", "Obekräftad"}


def test_signals_come_newest_first_25_to_a_page_with_links_that_keep_the_filter(
    member_client: Client, home: Municipality
) -> None:
    for index in range(30):
        services.signal_add(municipality=home, title=f"Signal {index:02}")

    first = member_client.get(list_url() + "?unconfirmed=on")
    second = member_client.get(list_url() + "?unconfirmed=on&page=2")

    assert [row.signal.title for row in first.context["rows"]][:2] == ["Signal 29", "Signal 28"]
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 5
    body = first.content.decode()
    assert '<nav aria-label="Pages of signals">' in body
    assert 'href="?unconfirmed=on&amp;page=2" rel="next"' in body
    assert "Page 1 of 2" in body
    assert 'rel="prev"' in second.content.decode()


def test_the_list_reads_the_same_number_of_queries_for_5_and_30_signals(
    member_client: Client, home: Municipality, users: Users
) -> None:
    feed = services.feed_add(region=home.region, municipality=home, url="https://p.example/")
    ingest(feed, "podcast.xml")  # 3 signals with a feed, episodes and durations
    waves = list(selectors.waves_for(region=home.region))

    def add(count: int) -> None:
        for index in range(count):
            signal = services.signal_add(
                municipality=home, title=f"Signal {index}", added_by=users.member
            )
            if index % 2:
                services.signal_confirm(signal=signal, waves=waves[:2], by=users.member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(list_url()).status_code == 200
        return len(captured.captured_queries)

    add(2)
    few = queries()
    add(25)
    many = queries()

    assert many == few  # no query per signal, per wave, per feed or per author
    assert few <= 12
