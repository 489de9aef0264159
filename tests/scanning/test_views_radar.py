"""A municipality's radar pages: placing a wave and seeing it move, the radar's table and links,
Build Your Own Radar files out and back in (the same radar), bad files refused whole with the row
and column of each problem, and no reading or writing another municipality's radar."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from forandra.municipalities.models import Municipality, Region
from forandra.scanning import selectors, services
from forandra.scanning.models import Placement, Wave
from forandra.scanning.radar import Movement
from tests.conftest import Users

pytestmark = pytest.mark.django_db


@pytest.fixture
def waves(region: Region) -> dict[str, Wave]:
    services.catalogue_seed(region=region)
    return {wave.key: wave for wave in selectors.waves_for(region=region)}


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def member(client: Client, users: Users) -> Client:
    client.force_login(users.member)
    return english(client)


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return english(client)


def place_url(code: str, key: str) -> str:
    return reverse("scanning:radar_place", args=[code, key])


def rows_of(municipality: Municipality) -> dict[str, tuple[str, Movement, str]]:
    """The radar as data: wave key → (ring, movement, rationale), placed waves only."""
    return {
        row.wave.key: (
            row.placement.ring,
            selectors.movement(row.placement),
            row.placement.rationale,
        )
        for row in selectors.radar_rows(municipality=municipality)
        if row.placement is not None
    }


def test_placing_a_wave_moves_it_and_the_radar_shows_the_movement(
    member: Client, home: Municipality, waves: dict[str, Wave]
) -> None:
    first = member.post(place_url("2404", "ai"), {"ring": "explore", "rationale": "Vi läser på."})
    assert first.status_code == 302
    assert first["Location"] == reverse("scanning:radar", args=["2404"])
    page = member.get(reverse("scanning:radar", args=["2404"])).content.decode()
    assert "<td>Explore</td>" in page
    assert "<td>New</td>" in page
    assert "Vi läser på." in page

    member.post(place_url("2404", "ai"), {"ring": "try", "rationale": "Pilot i hemtjänsten."})

    placement = Placement.objects.get(municipality=home, wave=waves["ai"])
    assert (placement.previous_ring, placement.ring) == ("explore", "try")
    page = member.get(reverse("scanning:radar", args=["2404"])).content.decode()
    assert "<td>Try</td>" in page
    assert "<td>Moved in</td>" in page
    assert "Pilot i hemtjänsten." in page
    assert "radar__blip--moved_in" in page  # the drawing shows it too


def test_the_radar_lists_every_wave_and_links_each_blip_to_its_signals(
    member: Client, home: Municipality, waves: dict[str, Wave]
) -> None:
    services.placement_set(municipality=home, wave=waves["accessibility"], ring="adopt")

    page = member.get(reverse("scanning:radar", args=["2404"])).content.decode()

    signals = reverse("scanning:signal_list", args=["2404"])
    assert f'href="{signals}?wave=accessibility"' in page
    for wave in waves.values():
        assert f'<th scope="row">{wave.name_en}</th>' in page
        assert place_url("2404", wave.key) in page
    assert page.count("Not placed") == len(waves) - 1
    assert "<title>Radar – Vindeln – Förändra</title>" in page
    assert reverse("scanning:radar_import", args=["2404"]) in page


def test_the_place_form_asks_for_a_ring_and_keeps_what_was_written(
    member: Client, waves: dict[str, Wave]
) -> None:
    response = member.post(place_url("2404", "ai"), {"rationale": "Oklart ännu"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert 'class="error-summary"' in page
    assert 'href="#id_ring_0"' in page
    assert "Oklart ännu" in page
    assert not Placement.objects.exists()


def test_the_place_form_shows_what_each_ring_means(
    member: Client, home: Municipality, waves: dict[str, Wave]
) -> None:
    services.placement_set(municipality=home, wave=waves["ai"], ring="watch", rationale="Bevakas")

    page = member.get(place_url("2404", "ai")).content.decode()

    assert 'aria-describedby="id_ring_0_hint"' in page
    assert "We are trying it out" in page
    assert 'value="watch" id="id_ring_3" aria-describedby="id_ring_3_hint" checked' in page
    assert "Bevakas" in page


def test_an_unknown_wave_is_not_found(member: Client, waves: dict[str, Wave]) -> None:
    assert member.get(place_url("2404", "no-such-wave")).status_code == 404


def test_a_wave_of_another_region_cannot_be_placed(
    member: Client, home: Municipality, elsewhere: Municipality, waves: dict[str, Wave]
) -> None:
    services.catalogue_seed(region=elsewhere.region)
    Wave.objects.filter(region=elsewhere.region, key="ai").update(key="ai-stockholm")

    response = member.post(place_url("2404", "ai-stockholm"), {"ring": "adopt"})

    assert response.status_code == 404
    assert not Placement.objects.exists()


def test_another_municipality_s_member_can_neither_read_nor_write_the_radar(
    users: Users, home: Municipality, waves: dict[str, Wave]
) -> None:
    services.placement_set(municipality=home, wave=waves["ai"], ring="try", rationale="Hemligt")
    other = signed_in(users.other_member)
    csv_file = SimpleUploadedFile("radar.csv", b"name,ring,quadrant\nAI,Adopt,AI\n")

    answers = [
        other.get(reverse("scanning:radar", args=["2404"])),
        other.get(reverse("scanning:radar_export", args=["2404", "csv"])),
        other.get(reverse("scanning:radar_export", args=["2404", "json"])),
        other.get(place_url("2404", "ai")),
        other.post(place_url("2404", "ai"), {"ring": "watch"}),
        other.get(reverse("scanning:radar_import", args=["2404"])),
        other.post(reverse("scanning:radar_import", args=["2404"]), {"file": csv_file}),
    ]

    assert [answer.status_code for answer in answers] == [403] * len(answers)
    assert all("Hemligt" not in answer.content.decode() for answer in answers)
    assert rows_of(home) == {"ai": ("try", Movement.NEW, "Hemligt")}


def test_leadership_reads_the_radar_but_does_not_place_waves(
    users: Users, home: Municipality, waves: dict[str, Wave]
) -> None:
    services.placement_set(municipality=home, wave=waves["ai"], ring="try")
    leadership = signed_in(users.leadership)

    page = leadership.get(reverse("scanning:radar", args=["2404"])).content.decode()

    assert "<td>Try</td>" in page
    assert place_url("2404", "ai") not in page
    assert reverse("scanning:radar_import", args=["2404"]) not in page
    assert leadership.post(place_url("2404", "ai"), {"ring": "watch"}).status_code == 403
    assert rows_of(home)["ai"][0] == "try"


# --- Build Your Own Radar files -----------------------------------------------------------------


@pytest.fixture
def radar(home: Municipality, waves: dict[str, Wave]) -> dict[str, tuple[str, Movement, str]]:
    """A radar with every movement: new, moved in, moved out, unchanged."""
    place = services.placement_set
    place(municipality=home, wave=waves["accessibility"], ring="adopt", rationale="DOS-lagen")
    place(municipality=home, wave=waves["ai"], ring="explore")
    place(municipality=home, wave=waves["ai"], ring="try", rationale="=SUM(A1) i piloten")
    place(municipality=home, wave=waves["automation"], ring="try")
    place(municipality=home, wave=waves["automation"], ring="watch", rationale="Väntar")
    place(municipality=home, wave=waves["welfare_technology"], ring="explore")
    place(
        municipality=home,
        wave=waves["welfare_technology"],
        ring="explore",
        rationale="Rad 1\nRad 2",
    )
    return rows_of(home)


def upload(client: Client, code: str, name: str, data: bytes) -> object:
    return client.post(
        reverse("scanning:radar_import", args=[code]), {"file": SimpleUploadedFile(name, data)}
    )


def test_the_export_is_a_download_in_byor_csv(
    member: Client, waves: dict[str, Wave], radar: object
) -> None:
    response = member.get(reverse("scanning:radar_export", args=["2404", "csv"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="2404-radar-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    names = [waves[key].name_en for key in ("accessibility", "automation", "ai")]
    assert [row["name"] for row in rows[:3]] == names
    assert [row["quadrant"] for row in rows[:3]] == names
    assert {row["status"] for row in rows} == {"New", "Moved In", "Moved Out", "No Change"}
    # A cell a spreadsheet would run as a formula is written as text.
    assert "'=SUM(A1) i piloten" in {row["description"] for row in rows}


@pytest.mark.parametrize(("fmt", "query"), [("csv", ""), ("csv", "?for=excel"), ("json", "")])
def test_a_radar_exported_and_imported_elsewhere_is_the_same_radar(
    users: Users,
    member: Client,
    home: Municipality,
    neighbour: Municipality,
    radar: dict[str, tuple[str, Movement, str]],
    fmt: str,
    query: str,
) -> None:
    exported = member.get(reverse("scanning:radar_export", args=["2404", fmt]) + query).content
    other = signed_in(users.other_member)

    response = upload(other, "2403", f"radar.{fmt}", exported)

    assert response.status_code == 302, response.content.decode()
    assert rows_of(neighbour) == radar
    again = other.get(reverse("scanning:radar_export", args=["2403", fmt]) + query).content
    assert again == exported


def test_a_radar_imported_into_itself_changes_nothing(
    member: Client, home: Municipality, radar: dict[str, tuple[str, Movement, str]]
) -> None:
    exported = member.get(reverse("scanning:radar_export", args=["2404", "csv"])).content
    history = Placement.history.count()  # type: ignore[attr-defined]

    response = upload(member, "2404", "radar.csv", exported)

    assert response.status_code == 302
    assert rows_of(home) == radar
    assert Placement.history.count() == history  # type: ignore[attr-defined]


def test_an_imported_file_moves_a_wave_from_where_it_stood(
    member: Client, home: Municipality, radar: dict[str, tuple[str, Movement, str]]
) -> None:
    # The file keeps the exported status "New" though the ring changed: the radar knows better.
    data = "name,ring,quadrant,isNew,status,description\nAI,Adopt,ai,TRUE,New,I drift\n"

    response = upload(member, "2404", "radar.csv", data.encode())

    assert response.status_code == 302
    assert rows_of(home)["ai"] == ("adopt", Movement.MOVED_IN, "I drift")
    assert rows_of(home)["accessibility"] == radar["accessibility"]  # not in the file: as it was


def test_a_bad_file_applies_nothing_and_names_each_row_and_column(
    member: Client, home: Municipality, radar: dict[str, tuple[str, Movement, str]]
) -> None:
    data = (
        "name,ring,quadrant,isNew,status,description\n"
        "AI,Adopt,Artificiell intelligens,FALSE,,Bra\n"
        "Robotar,Sometimes,Automatisering,FALSE,,\n"
        "\n"
        "Blockkedjor,Hold,Blockkedjor,FALSE,,\n"
    )

    response = upload(member, "2404", "radar.csv", data.encode())

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "nothing was changed" in page
    assert "<td>3</td>\n            <td>ring</td>" in page
    assert "“Sometimes” is not a ring" in page
    assert "<td>5</td>\n            <td>quadrant</td>" in page
    assert "“Blockkedjor” is not a wave on this radar." in page
    assert rows_of(home) == radar


def test_a_file_that_places_one_wave_twice_is_refused_with_both_rows(
    member: Client, home: Municipality, radar: dict[str, tuple[str, Movement, str]]
) -> None:
    data = "name,ring,quadrant\nAI,Adopt,ai\nMaskininlärning,Hold,Artificial intelligence\n"

    page = upload(member, "2404", "radar.csv", data.encode()).content.decode()

    assert "<td>3</td>\n            <td>quadrant</td>" in page
    assert "is placed in row 2 already" in page
    assert rows_of(home) == radar


def test_a_movement_that_cannot_be_is_refused_in_the_status_column(
    member: Client, home: Municipality, waves: dict[str, Wave]
) -> None:
    data = [
        {"name": "AI", "ring": "Adopt", "quadrant": "ai"},
        {"name": "Robotar", "ring": "Hold", "quadrant": "automation", "status": "Moved In"},
    ]

    page = upload(member, "2404", "radar.json", json.dumps(data).encode()).content.decode()

    assert '<th scope="col">Entry</th>' in page
    assert "<td>2</td>\n            <td>status</td>" in page
    assert "Watch is the outermost ring" in page
    assert not Placement.objects.filter(municipality=home).exists()


def test_a_file_that_is_not_a_radar_is_refused_as_a_whole(
    member: Client, home: Municipality, waves: dict[str, Wave]
) -> None:
    page = upload(member, "2404", "radar.json", b"{not json").content.decode()

    assert "The file is not valid JSON" in page
    assert "The whole file" in page
    header_only = upload(member, "2404", "radar.csv", b"name,ring,quadrant\n").content.decode()
    assert "The file places no waves." in header_only
    assert not Placement.objects.exists()


def test_the_import_page_asks_for_a_file(member: Client, waves: dict[str, Wave]) -> None:
    page = member.post(reverse("scanning:radar_import", args=["2404"])).content.decode()

    assert 'class="error-summary"' in page
    assert "Choose a radar file to import." in page
    assert 'enctype="multipart/form-data"' in page
