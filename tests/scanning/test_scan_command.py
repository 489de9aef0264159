"""`forandra scan`: choosing feeds, OPML import, a progress line per feed, and exit statuses.

Every feed is fetched from the corpus server on 127.0.0.1 (conftest.py); the feeds of the
shipped OPML export name hosts that the test's name table does not know, so they fail with
"could not be found" and nothing leaves the machine.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forandra.municipalities.models import Municipality, Region
from forandra.scanning import services
from forandra.scanning.management.commands.scan import Command
from forandra.scanning.models import Feed, FetchStatus, Signal

from .conftest import FEEDS, FeedServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# The corpus feeds and how many items each has.
CORPUS = {"/feeds/rss20.xml": 3, "/feeds/atom.xml": 2, "/feeds/podcast.xml": 3}
PROGRESS = re.compile(r"^\[ ?(\d+)/(\d+)\] (.+?): (.+)$")


@pytest.fixture
def seeded(region: Region) -> Region:
    services.catalogue_seed(region=region)
    return region


def scan(*args: str) -> list[str]:
    out = StringIO()
    call_command("scan", *args, stdout=out)
    return out.getvalue().splitlines()


def failing_scan(*args: str) -> tuple[int, list[str]]:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("scan", *args, stdout=out)
    return caught.value.returncode, [*out.getvalue().splitlines(), str(caught.value)]


def progress(lines: list[str]) -> list[tuple[int, int, str, str]]:
    found = [PROGRESS.match(line) for line in lines]
    return [(int(m[1]), int(m[2]), m[3], m[4]) for m in found if m]


def local_opml(server: FeedServer, path: Path, count: int = 20) -> Path:
    """An OPML export of `count` distinct feeds on the corpus server, in two folders."""
    paths = list(CORPUS)
    outlines = [
        f'<outline type="rss" text="Flöde {n}" xmlUrl="{server.url(paths[n % len(paths)])}?n={n}"/>'
        for n in range(count)
    ]
    half = count // 2
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>Poddar</title>'
        '</head><body><outline text="Workshop 1">' + "".join(outlines[:half]) + "</outline>"
        '<outline text="Workshop 2">' + "".join(outlines[half:]) + "</outline></body></opml>",
        encoding="utf-8",
    )
    return path


def test_opml_import_of_twenty_feeds_and_a_scan_from_the_command_line(
    home: Municipality, seeded: Region, server: FeedServer, tmp_path: Path
) -> None:
    opml = local_opml(server, tmp_path / "poddar.opml")

    lines = scan("--municipality", home.code, "--opml", str(opml))

    assert lines[0] == f"{opml}: feeds added: 20, already followed: 0."
    lines_per_feed = progress(lines)
    assert [(n, total) for n, total, _title, _outcome in lines_per_feed] == [
        (n, 20) for n in range(1, 21)
    ]
    titles = {title for _n, _total, title, _outcome in lines_per_feed}
    assert titles == {f"Flöde {n}" for n in range(20)}
    expected = sum(CORPUS[list(CORPUS)[n % 3]] for n in range(20))
    assert all(re.fullmatch(r"\d new signals?", outcome) for *_, outcome in lines_per_feed)
    assert lines[-1] == (
        f"Feeds scanned: 20 (read: 20, unchanged: 0, failed: 0). New signals: {expected}."
    )
    feeds = Feed.objects.filter(municipality=home)
    assert feeds.count() == 20
    assert set(feeds.values_list("status", flat=True)) == {FetchStatus.OK}
    assert set(feeds.values_list("folder", flat=True)) == {"Workshop 1", "Workshop 2"}
    assert Signal.objects.filter(municipality=home).count() == expected

    again = scan("--municipality", home.code, "--opml", str(opml))

    assert again[0] == f"{opml}: feeds added: 0, already followed: 20."
    assert again[-1].endswith("New signals: 0.")
    assert Feed.objects.count() == 20


def test_failures_are_shown_with_their_reason_and_the_exit_status_is_1(
    home: Municipality, seeded: Region, server: FeedServer
) -> None:
    good = services.feed_add(
        region=seeded, municipality=home, url=server.url("/feeds/rss20.xml"), title="Bra"
    )
    services.feed_add(region=seeded, municipality=home, url=server.url("/status/404"), title="A")
    services.feed_add(
        region=seeded, municipality=home, url=server.url("/feeds/web-page.html"), title="B"
    )

    status, lines = failing_scan("--municipality", home.code)

    assert status == 1
    assert progress(lines) == [
        (1, 3, "A", "failed: The server has no feed at this address (status 404)."),
        (2, 3, "B", "failed: The address leads to a web page, not to a feed. Look on the page "
         "for a link to its RSS or Atom feed and use that address."),
        (3, 3, "Bra", "3 new signals"),
    ]  # fmt: skip
    assert lines[-2] == "Feeds scanned: 3 (read: 1, unchanged: 0, failed: 2). New signals: 3."
    assert lines[-1] == "2 of 3 feeds failed; the reasons are above."
    assert Signal.objects.filter(feed=good).count() == 3


def test_the_shipped_opml_export_imports_twenty_feeds_and_their_failures_stop_nothing(
    home: Municipality, seeded: Region, allow_loopback: None, network: Any
) -> None:
    opml = FEEDS / "podcasts-20.opml"

    status, lines = failing_scan("--municipality", home.code, "--opml", str(opml))

    assert status == 1
    assert lines[0] == f"{opml}: feeds added: 20, already followed: 0."
    outcomes = progress(lines)
    assert len(outcomes) == 20
    first = next(o for o in outcomes if o[2] == "Digitala kommunpodden")
    assert first[3] == "failed: The server name podd.example.se could not be found."
    assert lines[-1] == "20 of 20 feeds failed; the reasons are above."
    assert Feed.objects.filter(status=FetchStatus.ERROR, failures=1).count() == 20
    assert network.connections == []  # no name was found, so nothing was connected to


def test_an_unchanged_feed_is_reported_as_such(
    home: Municipality, seeded: Region, server: FeedServer
) -> None:
    services.feed_add(region=seeded, municipality=home, url=server.url("/conditional"))
    scan("--municipality", home.code)

    lines = scan("--municipality", home.code)

    assert progress(lines) == [
        (1, 1, "Digitaliseringsnytt från SKR", "unchanged since the last scan")
    ]
    assert lines[-1] == "Feeds scanned: 1 (read: 0, unchanged: 1, failed: 0). New signals: 0."


@pytest.fixture
def followed(
    seeded: Region,
    home: Municipality,
    neighbour: Municipality,
    elsewhere: Municipality,
    server: FeedServer,
) -> dict[str, Feed]:
    def add(municipality: Municipality | None, region: Region, title: str) -> Feed:
        url = server.url(f"/feeds/rss20.xml?{title}")
        return services.feed_add(region=region, municipality=municipality, url=url, title=title)

    return {
        "home": add(home, seeded, "home"),
        "neighbour": add(neighbour, seeded, "neighbour"),
        "region": add(None, seeded, "region"),
        "elsewhere": add(elsewhere, elsewhere.region, "elsewhere"),
    }


def scanned_titles(lines: list[str]) -> set[str]:
    return {title for _n, _total, title, _outcome in progress(lines)}


def test_a_municipality_scans_its_own_and_its_regions_curated_feeds(
    home: Municipality, followed: dict[str, Feed]
) -> None:
    assert scanned_titles(scan("--municipality", home.code)) == {"home", "region"}


def test_a_region_scans_its_curated_feeds_and_all_its_municipalities(
    seeded: Region, followed: dict[str, Feed]
) -> None:
    assert scanned_titles(scan("--region", seeded.code)) == {"home", "neighbour", "region"}


def test_all_scans_every_feed_and_feed_scans_the_ones_named(followed: dict[str, Feed]) -> None:
    assert scanned_titles(scan("--all")) == set(followed)
    lines = scan("--feed", str(followed["elsewhere"].pk), "--feed", str(followed["home"].pk))
    assert [title for *_, title, _ in progress(lines)] == ["elsewhere", "home"]


def test_a_regions_opml_import_goes_to_its_curated_feeds(
    seeded: Region, server: FeedServer, tmp_path: Path
) -> None:
    opml = local_opml(server, tmp_path / "region.opml", count=3)

    lines = scan("--region", seeded.code, "--opml", str(opml))

    assert lines[0].endswith("feeds added: 3, already followed: 0.")
    assert Feed.objects.filter(region=seeded, municipality=None).count() == 3


def test_nothing_to_scan_is_said_and_is_no_failure(home: Municipality) -> None:
    assert scan("--municipality", home.code) == ["No feeds to scan."]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Choose the feeds to scan: --municipality, --region, --all or --feed."),
        (("--municipality", "9999"), "No municipality has the code 9999."),
        (("--region", "99"), "No region has the code 99."),
        (("--feed", "123456", "--feed", "654321"), "No feed has the id 123456, 654321."),
        (
            ("--all", "--opml", "x.opml"),
            "--opml needs --municipality or --region: the feeds are added there.",
        ),
        (("--region", "24", "--opml", "/no/such/file.opml"), "Cannot read /no/such/file.opml"),
    ],
)
def test_bad_arguments_exit_with_status_2(
    register: None, args: tuple[str, ...], message: str
) -> None:
    status, lines = failing_scan(*args)

    assert status == 2
    assert lines[-1].startswith(message)


def test_a_bad_opml_file_exits_with_status_2_and_imports_nothing(home: Municipality) -> None:
    opml = FEEDS / "malformed.opml"

    status, lines = failing_scan("--municipality", home.code, "--opml", str(opml))

    assert status == 2
    assert lines[-1].startswith(f"{opml}: The file is not well-formed XML")
    assert not Feed.objects.exists()


def test_the_command_line_gets_the_documented_exit_statuses(
    home: Municipality, capsys: pytest.CaptureFixture[str]
) -> None:
    # run_from_argv is what `forandra scan ...` runs: argparse's and CommandError's statuses.
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["forandra", "scan", "--all", "--region", "24"])
    assert caught.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err

    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["forandra", "scan", "--region", "99"])
    assert caught.value.code == 2
    assert "No region has the code 99." in capsys.readouterr().err


def test_the_help_documents_the_choices_and_exit_statuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Command().print_help("forandra", "scan")

    text = capsys.readouterr().out
    for words in ("--municipality CODE", "--region CODE", "--all", "--feed ID", "--opml FILE"):
        assert words in text
    assert "Exit status: 0 when every feed was read" in text
    assert "1 when one or more feeds failed" in text
    assert "2 for bad arguments" in text
